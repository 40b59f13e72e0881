#!/usr/bin/env bash
# Whole-process tests of `dmvgate policy`: every example policy under
# policies/examples/ checks clean and passes its own test file; check reports
# errors as FILE:LINE:COL with the line and a caret; test reports failures one
# line each and exits 1; explain shows every rule and the decision.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

ex=$DG_SOURCE_DIR/policies/examples
n=0
for pol in "$ex"/*.policy; do
  tests=${pol%.policy}.tests
  [[ -f $tests ]] || fail "$(basename "$pol") has no test file"
  "$DMVGATE" policy check "$pol" >"$TMP/out" 2>"$TMP/err" || fail "check $(basename "$pol"): $(cat "$TMP/err")"
  [[ ! -s $TMP/err ]] || fail "check $(basename "$pol") printed warnings: $(cat "$TMP/err")"
  grep -q ": ok: policy " "$TMP/out" || fail "check $(basename "$pol") summary"; ok
  out=$("$DMVGATE" policy test "$pol" "$tests") || fail "tests of $(basename "$pol") failed: $out"
  grep -Eq '^[1-9][0-9]* passed, 0 failed$' <<<"$out" || fail "test summary for $(basename "$pol"): $out"; ok
  n=$((n + 1))
done
((n >= 6)) || fail "expected at least 6 example policies, found $n"

# check: errors with position, source line and caret; exit 1.
cat >"$TMP/bad.policy" <<'P'
policy "Bad" state CO
deny "x" when requester.levle == federal
deny "fed" when requester.level == federal
review "fed imm" when requester.level == federal and purpose == immigration
P
expect_exit 1 "$DMVGATE" policy check "$TMP/bad.policy"
grep -q "bad.policy:2:15: error: unknown attribute 'requester.levle' (did you mean 'requester.level'?)" "$TMP/.err" || fail "unknown attribute message: $(cat "$TMP/.err")"; ok
grep -q '^    deny "x" when requester.levle == federal$' "$TMP/.err" || fail "source line"; ok
grep -q '^                  \^$' "$TMP/.err" || fail "caret"; ok
grep -q "bad.policy:4:65: error: the policy has no default" "$TMP/.err" || fail "missing default: $(cat "$TMP/.err")"; ok
sed -i 's/requester.levle/requester.level/' "$TMP/bad.policy"
echo "default allow" >>"$TMP/bad.policy"
expect_exit 1 "$DMVGATE" policy check "$TMP/bad.policy"
grep -q "bad.policy:4:1: error: this rule can never fire: the rule on line 3 decides every request it matches first" "$TMP/.err" || fail "unreachable: $(cat "$TMP/.err")"; ok
cat >"$TMP/list.policy" <<'P'
policy "Lists" state WI
list partners = file "nowhere.txt"
review "partner" when requester.ori in partners
default allow
P
expect_exit 1 "$DMVGATE" policy check "$TMP/list.policy"
grep -q "list.policy:2:22: error: cannot open list file 'nowhere.txt'" "$TMP/.err" || fail "list file: $(cat "$TMP/.err")"; ok
cat >"$TMP/leak.policy" <<'P'
policy "Leak" state CO
redact address when record.lawful_presence_flag
default allow
P
expect_exit 0 "$DMVGATE" policy check "$TMP/leak.policy"
grep -q "leak.policy:2:21: warning: this redaction depends on record.lawful_presence_flag" "$TMP/.err" || fail "leak warning"; ok
expect_exit 2 "$DMVGATE" policy check "$TMP/nonexistent.policy"
expect_exit 2 "$DMVGATE" policy check
expect_exit 2 "$DMVGATE" policy check --bogus x
expect_exit 2 "$DMVGATE" policy frobnicate

# test: one line per failure, a summary, exit 1.
cat >"$TMP/fail.tests" <<'T'
agency DCICE0100 level=federal department=DHS component=ICE-ERO category=federal_le
test "held, not allowed"
request ori=DCICE0100 key=DQ purpose=immigration
expect allow rule=default
test "held"
request ori=DCICE0100 key=DQ purpose=immigration
expect review rule="federal requests need a judicial warrant" notify
test "unknown requester"
request ori=DCXXX0100 key=DQ
expect allow
T
expect_exit 1 "$DMVGATE" policy test "$ex/warrant-required.policy" "$TMP/fail.tests"
[[ $(wc -l <"$TMP/.out") -eq 3 ]] || fail "test output lines: $(cat "$TMP/.out")"; ok
grep -q "fail.tests:2: \"held, not allowed\": expected 'expect allow rule=default', got: review by rule 'federal requests need a judicial warrant'" "$TMP/.out" || fail "failure line: $(cat "$TMP/.out")"; ok
grep -q "fail.tests:8: \"unknown requester\": unknown requester 'DCXXX0100'" "$TMP/.out" || fail "unknown requester line"; ok
[[ $(tail -1 "$TMP/.out") == "1 passed, 2 failed" ]] || fail "summary: $(tail -1 "$TMP/.out")"; ok
printf 'test "x"\nexpect allow\n' >"$TMP/malformed.tests"
expect_exit 2 "$DMVGATE" policy test "$ex/warrant-required.policy" "$TMP/malformed.tests"
grep -q "malformed.tests:1: error: case has no request" "$TMP/.err" || fail "malformed test file: $(cat "$TMP/.err")"; ok
expect_exit 2 "$DMVGATE" policy test "$ex/warrant-required.policy"

# explain: every rule, whether it matched and why, and the decision.
cat >"$TMP/req" <<'R'
agency WI0020000 level=local category=sheriff agreements=287g-warrant-service
request ori=WI0020000 key=DQ purpose=criminal_justice
R
"$DMVGATE" policy explain "$ex/review-unspecified.policy" --request "$TMP/req" >"$TMP/explain" || fail "explain failed"
grep -q "^rule 1, line 14, 'unrecorded':" "$TMP/explain" || fail "explain rule 1"; ok
grep -q "requester.agreements has 287g: true (requester.agreements is 287g-warrant-service)" "$TMP/explain" || fail "explain why"; ok
grep -q "^rule 4, line 23, 'default':" "$TMP/explain" || fail "explain default"; ok
grep -q "^decision: review by rule 'partner' (line 17): 287(g) partner: may be querying for ICE; within 24h then deny; notify subject$" "$TMP/explain" || fail "explain decision: $(cat "$TMP/explain")"; ok
expect_exit 2 "$DMVGATE" policy explain "$ex/review-unspecified.policy"

# Requesters from a directory (the agency CSV), requests as message text.
cat >"$TMP/dir.csv" <<'C'
ori,name,state,level,department,component,category,agreements
CA0010100,Sacramento Police Department,CA,local,,,municipal_police,
DCICE0100,ICE ERO Washington,DC,federal,DHS,ICE-ERO,federal_le,
WI0020000,Dane County Sheriff,WI,local,,,sheriff,287g-jail;287g-task-force
C
cat >"$TMP/dir.tests" <<'T'
test "ICE from the directory, message text"
message
    DQ.DCICE0100.CA.TXT
    OLN/D1234567.OLS/CA.PUR/I.ATN/AGENT SMITH.LEG/AW 2025-114
expect review rule="federal requests need a judicial warrant" notify
test "city police from the directory, JSON"
json {"key":"RQ","ori":"CA0010100","dest":["CA"],"fields":{"LIC":"7ABC123","LIS":"CA","PUR":"T","ATN":"OFC K"}}
expect allow rule=default
test "a directory entry, overridden in the case"
request ori=CA0010100 key=DQ
requester level=federal
expect review
test "a malformed message fails its case"
message DQ.CA0010100.CA.TXT
    OLN/D1234567.OLS/CA.PUR/Q.ATN/X
expect allow
T
expect_exit 1 "$DMVGATE" policy test "$ex/warrant-required.policy" "$TMP/dir.tests" --directory "$TMP/dir.csv"
grep -q 'dir.tests:13: "a malformed message fails its case": the message does not parse: EMSGPURPOSE in PUR: ' "$TMP/.out" || fail "bad message case: $(cat "$TMP/.out")"; ok
[[ $(tail -1 "$TMP/.out") == "3 passed, 1 failed" ]] || fail "directory tests: $(cat "$TMP/.out")"; ok
expect_exit 1 "$DMVGATE" policy test "$ex/warrant-required.policy" "$TMP/dir.tests"
grep -q "unknown requester 'DCICE0100'" "$TMP/.out" || fail "without --directory"; ok
printf 'message\n    DQ.WI0020000.WI.TXT\n    OLN/W12345678901234.OLS/WI.PUR/C.ATN/DEP K\n' >"$TMP/req2"
"$DMVGATE" policy explain "$ex/review-unspecified.policy" --request "$TMP/req2" --directory "$TMP/dir.csv" >"$TMP/explain2" || fail "explain with directory"
grep -q "requester.agreements         287g-jail,287g-task-force" "$TMP/explain2" || fail "explain directory entry: $(cat "$TMP/explain2")"; ok
grep -q "^decision: review by rule 'partner'" "$TMP/explain2" || fail "explain2 decision"; ok
printf 'ori,name\n' >"$TMP/bad.csv"
expect_exit 2 "$DMVGATE" policy test "$ex/warrant-required.policy" "$TMP/dir.tests" --directory "$TMP/bad.csv"
"$DMVGATE" policy --help | grep -q "dmvgate policy explain FILE --request REQ" || fail "help"; ok
pass
