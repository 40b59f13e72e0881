#!/usr/bin/env bash
# Whole-process test: when the audit log cannot write, the node answers 503
# with an ER FAILED and releases nothing (no record, no held request), over
# HTTPS. The write failure comes from the DG_TEST_AUDIT_FAIL hook (every
# append completes with EIO, through the same path a failed fdatasync takes);
# a log that cannot even be opened keeps the node from starting at all.
# dg-test-backends: sqlite postgresql
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/backend.sh"
. "$(dirname "$0")/lib/node.sh"

node_setup
node_start DG_TEST_AUDIT_FAIL=1
grep -q '"event":"test_hook"' "$NODE_DIR/serve.err" || fail "the test hook is not announced"; ok

q CO0010000 "DQ.CO0010000.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/DET J RIVERA"
expect_status 503
body_has "STS/FAILED"
body_has "ERC/706"
body_has "nothing was answered"
body_lacks "NAM/"
body_lacks "REC/"
grep -qi '^Retry-After: 1' "$TMP/headers" || fail "no Retry-After"; ok

# a request the policy would hold: refused too, and nothing stays queued
q DCFBI0100 "DQ.DCFBI0100.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/SA JONES"
expect_status 503
body_lacks "STS/HELD"
[[ $(node_sql "SELECT count(*) FROM node_held") == 0 ]] ||
  fail "a held request stayed without its audit record"
ok
# a refusal is not sent either without its record
q CO0010000 "DQ.AZ0070000.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/X"
expect_status 503
body_has "ERC/706"

req GET /healthz CO0010000
expect_status 503
body_has '"status":"degraded"'
req GET /metrics CO0010000
body_has 'dmvgate_audit_failures_total 3'
body_has 'dmvgate_requests_total{key="DQ",decision="failed"} 3'
grep -q '"event":"audit_failed"' "$NODE_DIR/serve.err" || fail "no audit_failed log line"; ok
node_stop

# an audit log that cannot be opened: the node does not start
touch "$NODE_DIR/a-file"
sed -i 's|^audit_dir = .*|audit_dir = a-file/audit|' "$NODE_DIR/node.conf"
expect_exit 2 "$DMVGATE" serve --config "$NODE_DIR/node.conf"
grep -q "cannot start the node" "$TMP/.err" || fail "no reason given: $(cat "$TMP/.err")"; ok
pass
