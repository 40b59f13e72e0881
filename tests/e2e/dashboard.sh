#!/usr/bin/env bash
# Browser test of the transparency dashboard (web/dashboard.html): synthetic
# traffic counted into a store, reported as JSON (internal and public), drawn
# in Debian's chromium by tests/browser/dashboard.mjs, which checks the flow
# diagram, the charts and the alert list and saves screenshots (under
# $DG_SCREENSHOTS, default tests/browser/screenshots/).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
export TZ=America/Denver
B=$DG_SOURCE_DIR/tests/browser
[[ -d $B/node_modules/playwright-core ]] || fail "playwright-core missing: run scripts/install-deps"
[[ -f $DG_SOURCE_DIR/web/node_modules/chart.js/dist/chart.umd.js ]] ||
  fail "Chart.js missing in web/node_modules: run scripts/install-deps"

"$DMVGATE" stats synth --db "$TMP/s.db" --policy "$DG_SOURCE_DIR/policies/examples/warrant-required.policy" \
  --from 2026-11-02 --days 7 --requests 30000 >/dev/null 2>&1 || fail "stats synth"
ok
"$DMVGATE" report --from 2026-11-02 --to 2026-11-08 --db "$TMP/s.db" --format json \
  --title "California DMV queries (synthetic)" --out "$TMP/report.json" || fail "report"
"$DMVGATE" report --from 2026-11-02 --to 2026-11-08 --db "$TMP/s.db" --format json --public \
  --title "California DMV queries (synthetic)" --out "$TMP/public.json" || fail "public report"
ok
(cd "$B" && node dashboard.mjs --report "$TMP/report.json" --public "$TMP/public.json") \
  >"$TMP/browser.log" 2>&1 || { cat "$TMP/browser.log" >&2; fail "browser test"; }
grep -q '^2 passed, 0 failed$' "$TMP/browser.log" || { cat "$TMP/browser.log" >&2; fail "browser"; }
ok
shots=${DG_SCREENSHOTS:-$B/screenshots}
[[ -s $shots/dashboard.png && -s $shots/dashboard-public.png ]] || fail "no screenshots"
ok
pass
