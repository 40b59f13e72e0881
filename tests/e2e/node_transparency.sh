#!/usr/bin/env bash
# Whole-process test of a node's transparency parts: every decided query is
# counted (after its audit record is durable), /metrics shows the counters,
# GET /v1/stats gives the report the dashboard draws (public by default,
# internal only for officials), the dashboard's pages and Chart.js are served
# by the node itself and render in chromium, POST /v1/simulate replays the
# node's audit log under a draft, and the counts survive a restart.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/node.sh"
export TZ=UTC
TODAY=$(date +%F)
export DG_WEB_DIR=$DG_SOURCE_DIR/web

node_setup dev
node_start

# hq METHOD PATH ORI [BODY]: plain HTTP in development mode, ORI from X-DG-ORI.
hq() {
  local args=(-s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' --max-time 30 -X "$1")
  [[ $3 != - ]] && args+=(-H "X-DG-ORI: $3")
  [[ -n ${4-} ]] && args+=(-H 'Content-Type: text/plain' --data-binary "$4")
  STATUS=$(curl "${args[@]}" "http://$NODE_ADDR$2" 2>/dev/null) || STATUS=000
}
json() { node -e "const r=JSON.parse(require('fs').readFileSync('$TMP/body','utf8')); $1" ||
  fail "json check: $1: $(head -c 400 "$TMP/body")"; ok; }

for i in 1 2 3; do
  hq POST /v1/messages CO0010000 "DQ.CO0010000.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/DET J RIVERA"
  expect_status 200
done
for i in 1 2; do
  hq POST /v1/messages DCICE0100 "DQ.DCICE0100.CO.TXT
OLN/$OLN.OLS/CO.PUR/I.ATN/AGENT SMITH"
  expect_status 403
done
hq POST /v1/messages DCFBI0100 "IQ.DCFBI0100.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/SA JONES"
expect_status 202

# the counters reach /metrics at the next flush (every 5 s)
for _ in $(seq 1 80); do
  hq GET /metrics -
  grep -q 'dmvgate_stats_requests_total{category="sheriff",key="DQ",decision="allow"} 3' \
    "$TMP/body" && break
  sleep 0.25
done
body_has 'dmvgate_stats_requests_total{category="sheriff",key="DQ",decision="allow"} 3'
body_has 'dmvgate_stats_requests_total{category="federal_le",key="DQ",decision="deny"} 2'
body_has 'dmvgate_stats_requests_total{category="federal_le",key="IQ",decision="review"} 1'
body_has 'dmvgate_stats_alerts{kind="volume"} 0'

# the report the dashboard reads
hq GET "/v1/stats?from=$TODAY&to=$TODAY&public=0" -
expect_status 200
json 'const t=r.tables.find(t=>t.name==="by_category"); if (t.totals.total!==6) process.exit(1)'
json 'const t=r.tables.find(t=>t.name==="by_category"); const s=t.rows.find(x=>x.label==="sheriff"); if (s.cells[0]!==3) process.exit(1)'
json 'const t=r.tables.find(t=>t.name==="photo_by_category"); if (t.totals.total!==1) process.exit(1)'
json 'const t=r.tables.find(t=>t.name==="by_rule"); if (!t.rows.find(x=>x.label==="civil immigration enforcement (C.R.S. 24-74-103)" && x.cells[1]===2)) process.exit(1)'
json 'if (r.meta.public || r.meta.series!=="hour" || !Array.isArray(r.alerts)) process.exit(1)'
hq GET "/v1/stats?from=$TODAY&to=$TODAY" -
expect_status 200
json 'if (!r.meta.public) process.exit(1); const t=r.tables.find(t=>t.name==="by_category"); if (t.totals.total!=="<10") process.exit(2)'
hq GET "/v1/stats?from=$TODAY&to=2026-02-31" -
expect_status 400
hq GET "/v1/stats?public=maybe" -
expect_status 400
hq GET /v1/stats/alerts -
expect_status 200
body_has '['

# the pages, served by the node itself
hq GET /dashboard -
expect_status 301
grep -qi '^Location: /dashboard/' "$TMP/headers" || fail "no redirect"; ok
hq GET /dashboard/ -
expect_status 200
body_has 'src="chart.umd.js"'
hq GET /dashboard/chart.umd.js -
expect_status 200
grep -q 'Chart' "$TMP/body" || fail "Chart.js not served"; ok
hq GET /dashboard/secret.txt -
expect_status 404

# a draft that reviews every federal request: the two ICE denials stay denied
# (the rule order), the FBI photo stays held, the sheriff is not touched
hq POST "/v1/simulate?from=$TODAY&to=$TODAY" - 'policy "draft" state CO
deny "civil immigration enforcement" when requester.component in [ICE-ERO] or purpose == immigration
review "federal requests" when requester.level == federal
deny "all photos" when query == IQ
default allow'
expect_status 200
json 'if (r.replayed!==6 || r.police.queries!==3 || r.police.changed!==0) process.exit(1)'
json 'const a=r.all.transitions; if (a[0][0]!==3 || a[1][1]!==2 || a[2][2]!==1) process.exit(1)'
hq POST /v1/simulate - 'policy "broken" state CO
deny when nonsense'
expect_status 422
body_has '"diagnostics":'
hq POST /v1/simulate - 'policy "lists" state CO
deny "x" when requester.ori in @secrets
default allow'
[[ $STATUS == 422 || $STATUS == 400 ]] || fail "a list file was read: $STATUS"; ok

# the dashboard renders in chromium from the node
(cd "$DG_SOURCE_DIR/tests/browser" && node dashboard.mjs --url "http://$NODE_ADDR" \
  --from "$TODAY" --to "$TODAY") >"$TMP/browser.log" 2>&1 || true
grep -q '^ok   public dashboard' "$TMP/browser.log" || { cat "$TMP/browser.log" >&2; fail "browser"; }
ok

# counts survive a restart, and add up across it
node_stop
[[ $NODE_EXIT == 0 ]] || fail "node exit $NODE_EXIT"; ok
"$DMVGATE" report --db "$NODE_STORE" --from "$TODAY" --to "$TODAY" >"$TMP/r.csv"
grep -qx 'by_category,category,TOTAL,decision,TOTAL,6' "$TMP/r.csv" || fail "report after stop"; ok
node_start
hq POST /v1/messages AZ0070000 "RQ.AZ0070000.CO.TXT
LIC/ABC123.LIS/CO.PUR/T.ATN/OFC LEE"
[[ $STATUS == 200 ]] || fail "RQ: $STATUS"; ok
node_stop
"$DMVGATE" report --db "$NODE_STORE" --from "$TODAY" --to "$TODAY" >"$TMP/r.csv"
grep -qx 'by_category,category,TOTAL,decision,TOTAL,7' "$TMP/r.csv" || fail "report after restart"; ok
grep -qx 'by_category,category,municipal_police,decision,allow,1' "$TMP/r.csv" || fail "RQ counted"; ok
pass
