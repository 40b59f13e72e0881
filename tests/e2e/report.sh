#!/usr/bin/env bash
# Whole-process test of `dmvgate stats synth` and `dmvgate report`: the counts
# of a report against the traffic that was generated and decided (every table
# adds up to it, days add up to the range), the public form's suppression, the
# three formats, anomaly alerts, and usage errors.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
export TZ=America/Denver
P=$DG_SOURCE_DIR/policies/examples/block-immigration.policy
DB=$TMP/s.db

out=$("$DMVGATE" stats synth --db "$DB" --policy "$P" --from 2026-11-02 --days 3 \
  --requests 6000 --audit "$TMP/log" 2>"$TMP/synth.log")
re='^synth: ([0-9]+) requests to CO \(([0-9]+) allowed, ([0-9]+) denied, ([0-9]+) held for review, ([0-9]+) errors\)'
[[ $out =~ $re ]] || fail "synth summary: $out"
N=${BASH_REMATCH[1]} A=${BASH_REMATCH[2]} D=${BASH_REMATCH[3]} R=${BASH_REMATCH[4]}
((N == 6000 + 60 + 45 + 400)) || fail "synth made $N requests"; ok
((D > 0)) || fail "the policy denied nothing"; ok

"$DMVGATE" report --from 2026-11-02 --to 2026-11-04 --db "$DB" > "$TMP/r.csv"
head -1 "$TMP/r.csv" | grep -qx 'table,row_dim,row,col_dim,column,value' || fail "csv header"; ok
val() { grep -E "^$1,[^,]*,$2,[^,]*,$3," "$TMP/r.csv" | cut -d, -f6; }
[[ $(val by_category TOTAL TOTAL) == "$N" ]] || fail "grand total $(val by_category TOTAL TOTAL) != $N"; ok
[[ $(val by_category TOTAL allow) == "$A" ]] || fail "allowed"; ok
[[ $(val by_category TOTAL deny) == "$D" ]] || fail "denied"; ok
[[ $(val by_category TOTAL review) == "$R" ]] || fail "review"; ok
for t in category_key by_key by_purpose by_legal_process by_level by_component by_destination \
  by_rule top_agencies series; do
  [[ $(val "$t" TOTAL TOTAL) == "$N" ]] || fail "table $t adds up to $(val "$t" TOTAL TOTAL), not $N"
  ok
done
# every denial is by the immigration rule (labelled "ice" in the policy), all to CO
[[ $(val by_rule ice deny) == "$D" ]] || fail "rule"; ok
[[ $(val by_destination CO TOTAL) == "$N" ]] || fail "destination"; ok
# photo requests: at least the planted 45
photos=$(val photo_by_category TOTAL TOTAL)
((photos >= 45)) || fail "photo requests $photos"; ok

# counted from the audit log, every count is the same as the node's counters
"$DMVGATE" report --from 2026-11-02 --to 2026-11-04 --audit "$TMP/log" > "$TMP/a.csv"
grep -q "^meta,,source,,,audit log $TMP/log ($N query entries in the range)$" "$TMP/a.csv" ||
  fail "audit source line: $(grep source "$TMP/a.csv")"
ok
diff <(grep -vE '^(meta|alerts),' "$TMP/r.csv") <(grep -vE '^(meta|alerts),' "$TMP/a.csv") \
  >"$TMP/diff" || fail "report --audit differs from --db: $(head -5 "$TMP/diff")"
ok
expect_exit 2 "$DMVGATE" report --from 2026-11-02 --to 2026-11-04 --audit "$TMP/nolog"
grep -q "no audit log in '$TMP/nolog'" "$TMP/.err" || fail "no-log message"; ok

# days add up to the range
sum=0
for d in 02 03 04; do
  "$DMVGATE" report --from 2026-11-$d --to 2026-11-$d --db "$DB" > "$TMP/d.csv"
  n=$(grep -E '^by_category,category,TOTAL,decision,TOTAL,' "$TMP/d.csv" | cut -d, -f6)
  sum=$((sum + n))
done
((sum == N)) || fail "days add up to $sum, not $N"; ok
# a one-day report has an hourly series of 24 hours (25 on a fall-back day)
hours=$(grep -c '^series,hour,2026-11-04T[0-9][0-9],decision,TOTAL,' "$TMP/d.csv")
((hours == 24)) || fail "hourly series has $hours hours"; ok

# the planted anomalies were raised
"$DMVGATE" stats alerts --db "$DB" > "$TMP/alerts.txt"
grep -q 'name_only  CO' "$TMP/alerts.txt" || fail "no name-only alert"; ok
grep -q 'photos .*federal_le' "$TMP/alerts.txt" || fail "no photo alert"; ok
grep -q 'volume .*municipal_police' "$TMP/alerts.txt" || fail "no volume alert"; ok
"$DMVGATE" stats alerts --db "$DB" --json | grep -q '^\[{"period":"2026-11-0' || fail "alerts json"; ok

# public form: no count from 1 to 9 shows, some are suppressed, totals stay
"$DMVGATE" report --from 2026-11-02 --to 2026-11-04 --db "$DB" --public > "$TMP/p.csv"
grep -q '^meta,,form,,,public$' "$TMP/p.csv" || fail "public meta"; ok
grep -q ',<10$' "$TMP/p.csv" || fail "nothing suppressed"; ok
if grep -v -E '^(meta|alerts),' "$TMP/p.csv" | cut -d, -f6 | grep -qxE '[1-9]'; then
  fail "a count below 10 shows in the public report"
fi
ok
# agencies with fewer than 10 requests are not named
grep -E '^top_agencies,agency,[A-Z0-9]{9},decision,TOTAL,' "$TMP/p.csv" | cut -d, -f6 |
  while read -r v; do [[ $v == x || $v -ge 10 ]] || fail "agency with $v listed"; done
ok
"$DMVGATE" report --from 2026-11-02 --to 2026-11-04 --db "$DB" --public --threshold 50 \
  > "$TMP/p50.csv"
grep -q ',<50$' "$TMP/p50.csv" || fail "threshold 50"; ok

# JSON and HTML
"$DMVGATE" report --from 2026-11-02 --to 2026-11-04 --db "$DB" --format json --public \
  --out "$TMP/p.json"
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  if (!r.meta.public || r.meta.threshold !== 10) process.exit(1);
  if (!r.tables.find(t => t.name === "by_category")) process.exit(2);
  if ("alerts" in r) process.exit(3);
' "$TMP/p.json" || fail "public json"; ok
"$DMVGATE" report --from 2026-11-02 --to 2026-11-04 --db "$DB" --format html \
  --title 'Colorado <demo>' > "$TMP/r.html"
grep -q '<h1>Colorado &lt;demo&gt;</h1>' "$TMP/r.html" || fail "html title"; ok
grep -q '<h2>Anomaly alerts</h2>' "$TMP/r.html" || fail "html alerts"; ok

# usage and errors
expect_exit 0 "$DMVGATE" report --help
grep -q -- '--public' "$TMP/.out" || fail "help mentions --public"; ok
expect_exit 2 "$DMVGATE" report --from 2026-11-02 --db "$DB"
expect_exit 2 "$DMVGATE" report --from 2026-11-02 --to 2026-11-31 --db "$DB"
grep -q "bad --to '2026-11-31'" "$TMP/.err" || fail "bad date message"; ok
expect_exit 2 "$DMVGATE" report --from 2026-11-02 --to 2026-11-03 --db "$DB" --format pdf
expect_exit 2 "$DMVGATE" report --from 2026-11-02 --to 2026-11-03 --db "$DB" --audit "$TMP"
expect_exit 2 "$DMVGATE" report --from 2026-11-02 --to 2026-11-03 --db "$DB" --threshold 1
"$DMVGATE" seed --state CO --drivers 10 --db "$TMP/plain.db" >/dev/null 2>&1
expect_exit 1 "$DMVGATE" report --from 2026-11-02 --to 2026-11-03 --db "$TMP/plain.db"
grep -q 'no statistics' "$TMP/.err" || fail "no statistics message"; ok
expect_exit 2 "$DMVGATE" stats synth --db "$DB"
expect_exit 2 "$DMVGATE" stats nope
expect_exit 0 "$DMVGATE" stats --help
pass
