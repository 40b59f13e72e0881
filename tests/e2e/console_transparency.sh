#!/usr/bin/env bash
# Whole-process test of the transparency views in the review console: who
# may see the internal figures, the anomaly alerts and the policy what-if
# (docs/transparency.md, docs/review.md). Part one, a node outside
# development mode (HTTPS, client certificates), with curl: without a console
# session only the public report is served; reviewers and auditors see the
# internal figures and the alerts but may not simulate; a supervisor
# simulates, with the CSRF token only. Part two, a development-mode node and
# tests/browser/console.mjs in Debian's chromium: a run of name-only searches
# raises an alert that the console shows; a supervisor edits the policy in
# force into a draft on the What-if page and sees what would change (and the
# checker's diagnostics for a broken draft); a reviewer has no What-if page.
# Screenshots: console-alerts.png, console-whatif.png.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/node.sh"
. "$(dirname "$0")/lib/review.sh"
B=$DG_SOURCE_DIR/tests/browser
[[ -d $B/node_modules/playwright-core ]] || fail "playwright-core missing: run scripts/install-deps"
export DG_SCREENSHOTS=${DG_SCREENSHOTS:-${DG_BUILD_DIR:-$DG_SOURCE_DIR/build}/screenshots}

# ---- part one: HTTPS, curl -------------------------------------------------------------
review_setup tls
node_start
for i in 1 2 3; do
  q CO0010000 "DQ.CO0010000.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/DET J RIVERA"
  expect_status 200
done
q DCFBI0100 "DQ.DCFBI0100.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/SA JONES.CAS/2026-0042"
expect_status 202
printf '%s\n' 'policy "draft: no federal" state CO' 'deny "no federal requests" when requester.level == federal' \
  'default allow' >"$TMP/draft.policy"

SID= CSRF=
cq GET "/v1/stats?public=1"
expect_status 200
cq GET "/v1/stats?public=0"
expect_status 403
cq GET /v1/stats/alerts
expect_status 403
BODY_FILE=$TMP/draft.policy cq POST /v1/simulate
expect_status 403

login alice # a reviewer: the figures and the alerts, no simulation
cq GET "/v1/stats?public=0"
expect_status 200
cq GET /v1/stats/alerts
expect_status 200
BODY_FILE=$TMP/draft.policy cq POST /v1/simulate
expect_status 403
cq GET /console/api/policy
expect_status 403
cq GET /console/whatif
expect_status 403

login dave # an auditor: reads, does not simulate
cq GET /v1/stats/alerts
expect_status 200
BODY_FILE=$TMP/draft.policy cq POST /v1/simulate
expect_status 403

login root # an admin manages accounts, not figures
cq GET "/v1/stats?public=0"
expect_status 403

login carol # a supervisor
NOCSRF=1 BODY_FILE=$TMP/draft.policy cq POST /v1/simulate
expect_status 403
BODY_FILE=$TMP/draft.policy cq POST /v1/simulate
expect_status 200
json 'r.replayed >= 4 && r.changed >= 1 && r.police.changed === 0'
cq GET /console/api/policy
expect_status 200
json 'r.file === "co.policy" && r.text.includes("Colorado review console test policy")'
cq GET /console/whatif
expect_status 200
node_stop
[[ $NODE_EXIT == 0 ]] || fail "node exit $NODE_EXIT"; ok

# ---- part two: the browser -----------------------------------------------------------------
rm -rf "$NODE_DIR"
review_setup
node_start
(cd "$B" && node console.mjs --url "http://$NODE_ADDR" --oln "$OLN" --namedob "$NAMEDOB" \
  --password "$REVIEW_PW") >"$TMP/browser.log" 2>&1 || { cat "$TMP/browser.log" >&2; fail "browser test"; }
grep -q '^5 passed, 0 failed$' "$TMP/browser.log" || { cat "$TMP/browser.log" >&2; fail "browser"; }
ok
for s in alerts whatif; do
  [[ -s $DG_SCREENSHOTS/console-$s.png ]] || fail "no screenshot console-$s.png"; ok
done
node_stop
[[ $NODE_EXIT == 0 ]] || fail "node exit $NODE_EXIT"; ok
pass
