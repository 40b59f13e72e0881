#!/usr/bin/env bash
# Whole-process test of the data commands: seed a small store, look records up
# by every kind of key (exit 0 found, 1 nothing, 2 bad arguments), determinism
# of seeding, and the agency directory (generate, load, show; a bad CSV is
# refused with its line number and loads nothing).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

db=$TMP/co.db
# --- help and usage errors -------------------------------------------------------
for c in seed lookup agencies; do
  "$DMVGATE" $c --help | grep -q "^usage: dmvgate $c" || fail "$c --help"; ok
done
expect_exit 2 "$DMVGATE" seed --state CO --db "$db"
grep -q -- '--drivers N is required' "$TMP/.err" || fail "seed without --drivers: $(cat "$TMP/.err")"
expect_exit 2 "$DMVGATE" seed --state ZZ --drivers 10 --db "$db"
grep -q "'ZZ' is not a state code" "$TMP/.err" || fail "bad state message"
expect_exit 2 "$DMVGATE" seed --state CO --drivers 0 --db "$db"
expect_exit 2 "$DMVGATE" seed --state CO --drivers 10 --db "$db" --bogus

# --- seed --------------------------------------------------------------------------
"$DMVGATE" seed --state CO --drivers 3000 --db "$db" --seed 9 >"$TMP/seed.out" 2>/dev/null
grep -Eq '^seeded 3000 drivers and [0-9]+ vehicles of CO' "$TMP/seed.out" || fail "seed output: $(cat "$TMP/seed.out")"; ok
# same seed, same bytes; another seed, other bytes
"$DMVGATE" seed --state CO --drivers 3000 --db "$TMP/co2.db" --seed 9 >/dev/null 2>&1
cmp -s "$db" "$TMP/co2.db" || fail "same seed gave different database files"; ok
"$DMVGATE" seed --state CO --drivers 3000 --db "$TMP/co3.db" --seed 10 >/dev/null 2>&1
! cmp -s "$db" "$TMP/co3.db" || fail "different seeds gave the same file"; ok
expect_exit 2 "$DMVGATE" seed --state CO --drivers 10 --db "$db"
grep -q 'already holds 3000 drivers' "$TMP/.err" || fail "second seed not refused: $(cat "$TMP/.err")"

# --- sample keys -------------------------------------------------------------------
"$DMVGATE" seed --list-sample --db "$db" --count 2 >"$TMP/sample"
oln_line=$(grep -m1 '^--oln ' "$TMP/sample")
name_line=$(grep -m1 '^--name ' "$TMP/sample")
plate_line=$(grep -m1 '^--plate ' "$TMP/sample")
vin_line=$(grep -m1 '^--vin ' "$TMP/sample")
[[ -n $oln_line && -n $name_line && -n $plate_line && -n $vin_line ]] || fail "sample keys: $(cat "$TMP/sample")"; ok
read -r _ oln _ st <<<"$oln_line"
read -r _ plate _ pst <<<"$plate_line"
read -r _ vin <<<"$vin_line"
name=$(sed -E 's/^--name "([^"]*)".*/\1/' <<<"$name_line")
dob=$(sed -E 's/.*--dob ([0-9-]+).*/\1/' <<<"$name_line")

# --- lookups: found ------------------------------------------------------------------
out=$("$DMVGATE" lookup --db "$db" --oln "$oln" --state "$st" --compact)
grep -q "\"oln\":\"$oln\"" <<<"$out" || fail "oln lookup: $out"
grep -q '"kind":"oln"' <<<"$out" || fail "oln query echo"
grep -q '"photo":{"media_type":"image/svg+xml","bytes":' <<<"$out" || fail "photo summary"
! grep -q '"base64"' <<<"$out" || fail "photo bytes without --photo"; ok
out=$("$DMVGATE" lookup --db "$db" --oln "$oln" --state "$st" --compact --photo)
grep -q '"base64":"PHN2Zy' <<<"$out" || fail "photo with --photo"; ok
out=$("$DMVGATE" lookup --db "$db" --name "$name" --dob "$dob" --compact)
grep -q '"score":100' <<<"$out" || fail "name lookup: $out"
last=${name%%,*}
grep -q "\"last\":\"$last\"" <<<"$out" || fail "name lookup last name"; ok
# a misspelled last name still finds the driver (Soundex), below the exact score
typo=$(sed -E 's/^(.)(.*)(.)$/\1\2\3\3/' <<<"$last")
out=$("$DMVGATE" lookup --db "$db" --name "$typo,${name#*,}" --dob "$dob" --compact)
grep -q "\"last\":\"$last\"" <<<"$out" || fail "soundex lookup of '$typo': $out"; ok
out=$("$DMVGATE" lookup --db "$db" --plate "$plate" --plate-state "$pst" --compact)
grep -q "\"plate\":\"$plate\"" <<<"$out" || fail "plate lookup: $out"
grep -q '"owner":{"oln":' <<<"$out" || fail "plate lookup owner"; ok
out=$("$DMVGATE" lookup --db "$db" --vin "$vin" --compact)
grep -q "\"vin\":\"$vin\"" <<<"$out" || fail "vin lookup: $out"; ok
"$DMVGATE" lookup --db "$db" --vin "$vin" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["matches"][0]["vehicle"]["vin"]' \
  || fail "pretty output is not JSON"; ok

# --- lookups: nothing matched (exit 1) ---------------------------------------------------
expect_exit 1 "$DMVGATE" lookup --db "$db" --oln 000000001 --state CO
grep -q '"matches":' "$TMP/.out" || fail "no-match output"
expect_exit 1 "$DMVGATE" lookup --db "$db" --oln "$oln" --state AZ
expect_exit 1 "$DMVGATE" lookup --db "$db" --name "QQQXYZ,NOBODY" --dob 1950-01-01
expect_exit 1 "$DMVGATE" lookup --db "$db" --plate ZZZ999 --plate-state CO
expect_exit 1 "$DMVGATE" lookup --db "$db" --vin 1FTEW1E56KF654321

# --- lookups: bad arguments (exit 2, one line naming the problem) -----------------------
check_usage() { # PATTERN ARGS...
  local pat=$1; shift
  expect_exit 2 "$DMVGATE" lookup "$@"
  [[ $(wc -l <"$TMP/.err") -eq 1 ]] || fail "more than one line for: $* ($(cat "$TMP/.err"))"
  grep -q -- "$pat" "$TMP/.err" || fail "message for $*: $(cat "$TMP/.err")"
}
check_usage '--db FILE is required' --oln X1 --state CO
check_usage 'exactly one of' --db "$db"
check_usage 'exactly one of' --db "$db" --oln X1 --state CO --vin "$vin"
check_usage '--oln needs --state' --db "$db" --oln X1
check_usage "'ZZ' is not a state code" --db "$db" --oln X1 --state ZZ
check_usage '--name needs --dob' --db "$db" --name "SMITH,JOHN"
check_usage "'1980-02-30' is not a date" --db "$db" --name "SMITH,JOHN" --dob 1980-02-30
check_usage "LAST,FIRST" --db "$db" --name "SMITH" --dob 1980-02-03
check_usage '--plate needs --plate-state' --db "$db" --plate ABC123
check_usage "check digit" --db "$db" --vin 1FTEW1E59KF654321
check_usage "unknown option '--bogus'" --db "$db" --bogus
check_usage "no database" --db "$TMP/none.db" --oln X1 --state CO
[[ ! -e $TMP/none.db ]] || fail "lookup created a database"; ok

# --- agencies ---------------------------------------------------------------------------
csv=$TMP/agencies.csv
"$DMVGATE" agencies generate --out "$csv" --seed 3 >"$TMP/gen.out"
grep -Eq '^wrote 1[78][0-9]{3} agencies' "$TMP/gen.out" || fail "agencies generate: $(cat "$TMP/gen.out")"
head -1 "$csv" | grep -qx 'ori,name,state,level,department,component,category,agreements' || fail "csv header"
"$DMVGATE" agencies generate --out "$TMP/again.csv" --seed 3 >/dev/null
cmp -s "$csv" "$TMP/again.csv" || fail "same seed gave a different directory"; ok
"$DMVGATE" agencies load --csv "$csv" --db "$db" >"$TMP/load.out" 2>/dev/null
rows=$(($(wc -l <"$csv") - 1))
grep -q "^loaded $rows agencies" "$TMP/load.out" || fail "load: $(cat "$TMP/load.out")"; ok
ice=$(grep -m1 ',DHS,ICE-ERO,' "$csv" | cut -d, -f1)
out=$("$DMVGATE" agencies show "$ice" --db "$db" --compact)
grep -q '"component":"ICE-ERO"' <<<"$out" || fail "show $ice: $out"; ok
expect_exit 1 "$DMVGATE" agencies show CO999999Z --db "$db"
expect_exit 2 "$DMVGATE" agencies show CO99 --db "$db"
expect_exit 2 "$DMVGATE" agencies frobnicate
# a bad row: refused with its line, nothing loaded, the old directory intact
{ head -3 "$csv"; echo 'CO0010000,DUPLICATE OR NOT,CO,local,,,sheriff,'; echo 'CO0020000,X,CO,county,,,sheriff,'; } >"$TMP/bad.csv"
sed -i '4d' "$TMP/bad.csv"
expect_exit 1 "$DMVGATE" agencies load --csv "$TMP/bad.csv" --db "$db"
grep -q "line 4, field level: unknown level 'county'; nothing loaded" "$TMP/.err" || fail "bad csv message: $(cat "$TMP/.err")"
"$DMVGATE" agencies show "$ice" --db "$db" >/dev/null || fail "directory lost after a bad load"; ok
"$DMVGATE" seed --list-sample --db "$db" | grep -q "$rows agencies" || fail "agency count after bad load"; ok
# a bad file into a new store creates nothing usable and loads nothing
expect_exit 1 "$DMVGATE" agencies load --csv "$TMP/bad.csv" --db "$TMP/new.db"
[[ ! -e $TMP/new.db ]] || fail "a refused load created the store"; ok
expect_exit 2 "$DMVGATE" agencies load --csv "$TMP/missing.csv" --db "$db"
pass
