#!/usr/bin/env bash
# Browser test of the review console: a development-mode node serves the
# console (web/console-*.html) and tests/browser/review.mjs drives Debian's
# chromium through it: log in, see a held request, approve it (the
# requester's poll gets the answer), deny one (the requester gets the
# reason), a reviewer refused the admin pages, a POST without the CSRF token
# refused, the deadline sweeper denying an unattended request. Screenshots go
# to $DG_SCREENSHOTS (default: screenshots/ in the build directory).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/node.sh"
. "$(dirname "$0")/lib/review.sh"
B=$DG_SOURCE_DIR/tests/browser
[[ -d $B/node_modules/playwright-core ]] || fail "playwright-core missing: run scripts/install-deps"
export DG_SCREENSHOTS=${DG_SCREENSHOTS:-${DG_BUILD_DIR:-$DG_SOURCE_DIR/build}/screenshots}

review_setup
node_start
(cd "$B" && node review.mjs --url "http://$NODE_ADDR" --store "$NODE_STORE" --oln "$OLN" \
  --password "$REVIEW_PW") >"$TMP/browser.log" 2>&1 || { cat "$TMP/browser.log" >&2; fail "browser test"; }
grep -q '^7 passed, 0 failed$' "$TMP/browser.log" || { cat "$TMP/browser.log" >&2; fail "browser"; }
ok
for s in queue request denied admin history notices; do
  [[ -s $DG_SCREENSHOTS/review-$s.png ]] || fail "no screenshot review-$s.png"; ok
done
node_stop
[[ $NODE_EXIT == 0 ]] || fail "node exit $NODE_EXIT"; ok
pass
