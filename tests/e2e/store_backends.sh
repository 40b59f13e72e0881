#!/usr/bin/env bash
# Whole-process test of the data commands on the store backend under test
# (dg-test-backends: sqlite postgresql): `dmvgate seed`, `lookup` and
# `agencies load/show` with --db naming that backend's store, and the same
# answers as an SQLite store seeded with the same data, key for key: every
# kind of lookup (OLN, name+DOB with Soundex, plate, VIN, photo), the sample
# keys, and the agency directory.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/backend.sh"

D=$DMVGATE
ref=$TMP/ref.db
db=$(dg_store co)
"$D" seed --state CO --drivers 2000 --seed 5 --db "$ref" >/dev/null 2>&1
"$D" seed --state CO --drivers 2000 --seed 5 --db "$db" >"$TMP/seed.out" 2>/dev/null ||
  fail "seed into $(dg_backend): $(cat "$TMP/seed.out")"
grep -Eq '^seeded 2000 drivers and [0-9]+ vehicles of CO' "$TMP/seed.out" || fail "seed output"
ok
expect_exit 2 "$D" seed --state CO --drivers 10 --db "$db"
grep -q 'already holds 2000 drivers' "$TMP/.err" || fail "second seed: $(cat "$TMP/.err")"

# The sample keys are the same (the same records under the same ids).
"$D" seed --list-sample --db "$ref" --count 5 | grep -v '^#' >"$TMP/ref.sample"
"$D" seed --list-sample --db "$db" --count 5 | grep -v '^#' >"$TMP/db.sample"
diff -u "$TMP/ref.sample" "$TMP/db.sample" >&2 || fail "sample keys differ"
ok

# Every sample key, and some misses and misspellings, answer the same.
same() { # ARGS...: lookup on both stores, same exit status and output
  local a=0 b=0
  "$D" lookup --db "$ref" "$@" --compact >"$TMP/a" 2>&1 || a=$?
  "$D" lookup --db "$db" "$@" --compact >"$TMP/b" 2>&1 || b=$?
  [[ $a -eq $b ]] || fail "lookup $*: exit $b on $(dg_backend), $a on sqlite"
  diff -u "$TMP/a" "$TMP/b" >&2 || fail "lookup $*: answers differ"
  ok
}
while IFS= read -r line; do
  eval "args=($line)"
  same "${args[@]}"
  [[ ${args[0]} == --oln ]] && same "${args[@]}" --photo
done <"$TMP/ref.sample"
name_line=$(grep -m1 '^--name ' "$TMP/ref.sample")
eval "args=($name_line)"
last=${args[1]%%,*}
same --name "${last}E,${args[1]#*,}" --dob "${args[3]}" # Soundex finds it, ranked lower
same --name "${args[1]}" --dob "${args[3]}" --sex F
same --name "${args[1]}" --dob "${args[3]}" --max 1
same --oln 000000001 --state CO
same --plate ZZZ999 --plate-state CO
same --vin 1FTEW1E56KF654321

# The agency directory.
"$D" agencies generate --out "$TMP/ag.csv" --seed 3 >/dev/null
"$D" agencies load --csv "$TMP/ag.csv" --db "$ref" >/dev/null 2>&1
"$D" agencies load --csv "$TMP/ag.csv" --db "$db" >"$TMP/load.out" 2>/dev/null ||
  fail "agencies load: $(cat "$TMP/load.out")"
rows=$(($(wc -l <"$TMP/ag.csv") - 1))
grep -q "^loaded $rows agencies" "$TMP/load.out" || fail "load output: $(cat "$TMP/load.out")"
ok
for ori in $(sed -n '2p;500p;5000p' "$TMP/ag.csv" | cut -d, -f1) $(grep -m2 ',DHS,' "$TMP/ag.csv" | cut -d, -f1); do
  a=$("$D" agencies show "$ori" --db "$ref" --compact)
  b=$("$D" agencies show "$ori" --db "$db" --compact)
  [[ $a == "$b" ]] || fail "agency $ori differs: $b vs $a"
  ok
done
expect_exit 1 "$D" agencies show CO999999Z --db "$db"
# A bad file loads nothing and keeps the directory as it was.
{ head -3 "$TMP/ag.csv"; echo 'CO0020000,X,CO,county,,,sheriff,'; } >"$TMP/bad.csv"
expect_exit 1 "$D" agencies load --csv "$TMP/bad.csv" --db "$db"
"$D" seed --list-sample --db "$db" | grep -q "$rows agencies" || fail "directory after a bad load"
ok
pass
