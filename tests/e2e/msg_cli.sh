#!/usr/bin/env bash
# Whole-process test of `dmvgate msg check` and `dmvgate msg convert`: help,
# usage errors, exit codes, stdin and files, and the whole message corpus in
# tests/data/msg through the binary (the error line and the canonical forms).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

C="$DG_SOURCE_DIR/tests/data/msg"

# help and usage
"$DMVGATE" msg --help | grep -q '^usage: dmvgate msg check' || fail "msg --help"; ok
"$DMVGATE" msg check --help | grep -q -- '--to FORM' || fail "msg check --help"; ok
"$DMVGATE" msg convert --help | grep -q 'Exit status' || fail "msg convert --help"; ok
"$DMVGATE" --help | grep -q '^  msg ' || fail "msg not in the command list"; ok
expect_exit 2 "$DMVGATE" msg
expect_exit 2 "$DMVGATE" msg frobnicate
expect_exit 2 "$DMVGATE" msg check --bogus
expect_exit 2 "$DMVGATE" msg check a b
expect_exit 2 "$DMVGATE" msg check --to json
expect_exit 2 "$DMVGATE" msg convert "$C/valid/dq-oln.txt"
expect_exit 2 "$DMVGATE" msg convert --to xml "$C/valid/dq-oln.txt"
expect_exit 2 "$DMVGATE" msg convert --to
expect_exit 2 "$DMVGATE" msg check "$TMP/no-such-file"
grep -q "^dmvgate: cannot open '$TMP/no-such-file'" "$TMP/.err" || fail "cannot-open message"; ok

# stdin, '-', --to=FORM
out=$(printf 'DQ.AZ0070000.CO.TXT\nOLN/D1.OLS/CO.PUR/C.ATN/X\n' | "$DMVGATE" msg check)
[[ $out == $'DQ.AZ0070000.CO.TXT\nOLN/D1.OLS/CO.PUR/C.ATN/X' ]] || fail "check from stdin: $out"; ok
out=$(printf 'DQ.AZ0070000.CO.TXT\nOLN/D1.OLS/CO.PUR/C.ATN/X' | "$DMVGATE" msg convert --to=json -)
[[ $out == '{"key":"DQ","ori":"AZ0070000","dest":["CO"],"fields":{"OLN":"D1","OLS":"CO","PUR":"C","ATN":"X"}}' ]] ||
  fail "convert from '-': $out"; ok
printf 'DQ.AZ0070000.CO.TXT\nOLN/D1.OLS/CO.PUR/Q.ATN/X' >"$TMP/bad.txt"
expect_exit 1 "$DMVGATE" msg check "$TMP/bad.txt"
[[ $(cat "$TMP/.err") == "error: EMSGPURPOSE: field PUR at offset 38: "* ]] || fail "error line: $(cat "$TMP/.err")"; ok
[[ ! -s $TMP/.out ]] || fail "nothing on stdout for an invalid message"; ok
expect_exit 1 "$DMVGATE" msg convert --to json "$TMP/bad.txt"
# a file larger than any message is refused as too long, not read without end
{ printf 'DR.AZ0070000.CO.TXT\nMID/1.STS/FOUND.\nREC/DRV.PHO/'; head -c 5000000 /dev/zero | tr '\0' 'A'; } >"$TMP/huge.txt"
expect_exit 1 "$DMVGATE" msg check "$TMP/huge.txt"
grep -q '^error: EMSGTOOLONG: at offset 4194304: ' "$TMP/.err" || fail "huge: $(cat "$TMP/.err")"; ok
# a request has a lower limit
{ printf 'DQ.AZ0070000.CO.TXT\nATN/'; head -c 2000 /dev/zero | tr '\0' 'A'; } >"$TMP/long.txt"
expect_exit 1 "$DMVGATE" msg check "$TMP/long.txt"
grep -q '^error: EMSGTOOLONG: at offset 1024: ' "$TMP/.err" || fail "long: $(cat "$TMP/.err")"; ok

# every invalid message of the corpus: the exact error line
while read -r f code field off; do
  [[ $f == \#* ]] && continue
  want="error: $code"
  [[ $field != - ]] && want+=": field $field"
  if [[ $off != -1 ]]; then [[ $field != - ]] && want+=" at offset $off" || want+=": at offset $off"; fi
  expect_exit 1 "$DMVGATE" msg check "$C/invalid/$f"
  [[ $(head -1 "$TMP/.err") == "$want: "* ]] || fail "$f: want '$want: ...', got '$(head -1 "$TMP/.err")'"
done <"$C/invalid/EXPECTED"

# every valid message: check prints the canonical form in its own form,
# convert prints either form; the canonical forms convert into each other
for f in "$C"/valid/*; do
  case $f in *.canon.txt | *.canon.json) continue ;; esac
  base=${f%.*}
  "$DMVGATE" msg convert --to text "$f" | cmp -s - "$base.canon.txt" || fail "$f: text form"
  "$DMVGATE" msg convert --to json "$f" | cmp -s - "$base.canon.json" || fail "$f: JSON form"
  own=$base.canon.txt; [[ $f == *.json ]] && own=$base.canon.json
  "$DMVGATE" msg check "$f" | cmp -s - "$own" || fail "$f: check output"
  "$DMVGATE" msg convert --to json "$base.canon.txt" | cmp -s - "$base.canon.json" || fail "$f: text->JSON"
  "$DMVGATE" msg convert --to text "$base.canon.json" | cmp -s - "$base.canon.txt" || fail "$f: JSON->text"
  ok
done
pass
