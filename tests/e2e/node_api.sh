#!/usr/bin/env bash
# Whole-process test of a node over HTTPS with client certificates made at
# test time: allow, deny, review (held, polled, approved), redaction, ORI
# mismatch, malformed input, oversized body, refused certificates, both
# message forms, the audit log's public face, metrics, and a graceful stop
# after which the audit log verifies with one entry per message.
# dg-test-backends: sqlite postgresql
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/backend.sh"
. "$(dirname "$0")/lib/node.sh"

node_setup
node_start
posts=0

# allow: a local agency's DQ by license number gets the full record
q CO0010000 "DQ.CO0010000.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/DET J RIVERA"
posts=$((posts + 1))
expect_status 200
body_has "DR.CO0010000.CO.TXT"
body_has "STS/FOUND"
body_has "OLN/$OLN"
body_has "ADR/"
body_has "LPF/"
grep -q '^Content-Type: text/plain' "$TMP/headers" || fail "text answer not text/plain"; ok

# a photo request by a local agency of the state: IR with the photo and its media type
q CO0010000 "IQ.CO0010000.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/DET J RIVERA"
posts=$((posts + 1))
expect_status 200
body_has "IR.CO0010000.CO.TXT"
body_has "PHO/"
body_has "PMT/image/svg+xml"

# the same in JSON, answered in JSON; a name search by NAM + DOB
name=${NAMEDOB%|*} dob=${NAMEDOB#*|}
q CO0010000 "{\"key\":\"DQ\",\"ori\":\"CO0010000\",\"dest\":[\"CO\"],\"fields\":{\"NAM\":\"$name\",\"DOB\":\"${dob//-/}\",\"PUR\":\"C\",\"ATN\":\"DET J RIVERA\"}}" application/json
posts=$((posts + 1))
expect_status 200
body_has '"key":"DR"'
body_has '"STS":"FOUND"'
grep -q '^Content-Type: application/json' "$TMP/headers" || fail "JSON answer not JSON"; ok

# deny: ICE, immigration purpose: ER DENIED with the rule and its reason
q DCICE0100 "DQ.DCICE0100.CO.TXT
OLN/$OLN.OLS/CO.PUR/I.ATN/AGENT SMITH"
posts=$((posts + 1))
expect_status 403
body_has "ER.DCICE0100.CO.TXT"
body_has "STS/DENIED"
body_has "ERC/705"
body_has "RUL/civil immigration enforcement (C..R..S.. 24-74-103)" # a literal . is written ..
body_lacks "NAM/"

# review: FBI without a judicial warrant is held; only the FBI may poll
q DCFBI0100 "DQ.DCFBI0100.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/SA JONES.CAS/2026-0042"
posts=$((posts + 1))
expect_status 202
body_has "STS/HELD"
mid=$(sed -n 's/^MID\/\([^.]*\)\.STS.*/\1/p' "$TMP/body")
[[ -n $mid ]] || fail "no MID in the HELD answer"; ok
grep -q "^Location: /v1/messages/$mid" "$TMP/headers" || fail "no Location header"; ok
req GET "/v1/messages/$mid" DCFBI0100
expect_status 202
body_has "MID/$mid"
req GET "/v1/messages/$mid" CO0010000
expect_status 404
body_lacks "$OLN"
# a reviewer approves (the review console will do this through held.h)
node_sql "UPDATE node_held SET state = 1, reviewer = 'reviewer1' WHERE mid = '$mid'" >/dev/null
req GET "/v1/messages/$mid" DCFBI0100
expect_status 200
body_has "STS/FOUND"
body_has "OLN/$OLN"
# the policy's redaction for federal requesters holds on the released answer
body_lacks "ADR/"
body_lacks "LPF/"

# redaction: FBI with a judge's warrant is answered at once, redacted
q DCFBI0100 "DQ.DCFBI0100.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/SA JONES.LEG/JW 2026-CR-7"
posts=$((posts + 1))
expect_status 200
body_has "STS/FOUND"
body_has "NAM/"
body_lacks "ADR/"
body_lacks "LPF/"

# ORI mismatch: the Colorado sheriff's certificate, Arizona's ORI in the message
q CO0010000 "DQ.AZ0070000.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/X"
posts=$((posts + 1))
expect_status 403
body_has "ER.CO0010000.CO.TXT"
body_has "ERC/701"
body_lacks "NAM/"

# malformed: a bad date of birth, with the field and offset
q CO0010000 "DQ.CO0010000.CO.TXT
NAM/DOE,JANE.DOB/20261399.PUR/C.ATN/X"
posts=$((posts + 1))
expect_status 400
body_has "STS/INVALID"
body_has "ERC/316"
body_has "ERF/DOB"
# not for this state
q CO0010000 "DQ.CO0010000.AZ.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/X"
posts=$((posts + 1))
expect_status 400
body_has "ERC/704"
# an unsupported content type
q CO0010000 "DQ.CO0010000.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/X" application/x-www-form-urlencoded
posts=$((posts + 1))
expect_status 415
body_has "ERC/709"

# oversized body: over max_body (4k) is refused, never looked at
big=$(head -c 6000 /dev/zero | tr '\0' A)
q CO0010000 "DQ.CO0010000.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/$big"
expect_status 413
big=$(head -c 20000 /dev/zero | tr '\0' A)
q CO0010000 "$big"
expect_status 413

# refused certificates: none, expired, revoked, another CA
for c in - expired revoked rogue; do
  q "$c" "DQ.CO0010000.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/X"
  [[ $STATUS == 000 ]] || fail "certificate '$c' was accepted (HTTP $STATUS)"
  ok
done
grep -q '"event":"tls_refused","reason":"certificate revoked"' "$NODE_DIR/serve.err" ||
  fail "no tls_refused log line for the revoked certificate"; ok

# the audit log's public face
req GET /checkpoint CO0010000
expect_status 200
body_has "node.co.test/audit"
req GET /v1/audit/proof?index=0 CO0010000
expect_status 200
body_has '"leafIdx":0'
req GET /v1/audit/proof?index=x CO0010000
expect_status 400
# no path reaches beyond the published files
req GET /tile/../private/state CO0010000
expect_status 404
body_has '"code":"ENOENT"'
req GET /tile/%2e%2e/private/state CO0010000
expect_status 400
req GET /tile/0/000.p/5 CO0010000
[[ $STATUS == 200 || $STATUS == 404 ]] || fail "tile: $STATUS"; ok
req GET /healthz CO0010000
expect_status 200
body_has '"status":"ok"'
req GET /metrics CO0010000
expect_status 200
body_has 'dmvgate_requests_total{key="DQ",decision="allow"}'
body_has 'dmvgate_requests_total{key="DQ",decision="deny"} 1'
body_has 'dmvgate_request_duration_seconds_bucket{le="+Inf"}'
body_has 'dmvgate_audit_batches_total'
req POST /healthz CO0010000 x
expect_status 405
req GET /nothing CO0010000
expect_status 404

# the access log has no personal data
! grep -qF "$OLN" "$NODE_DIR/access.log" || fail "a license number in the access log"; ok
! grep -qF "${name%%,*}" "$NODE_DIR/access.log" || fail "a name in the access log"; ok
grep -q '"route":"/v1/messages","status":200' "$NODE_DIR/access.log" || fail "access log"; ok

node_stop
[[ $NODE_EXIT == 0 ]] || fail "node exited $NODE_EXIT"; ok
grep -q '"event":"stopped"' "$NODE_DIR/serve.err" || fail "no stopped line"; ok
# every message (and the approved release) is in the log, which verifies
"$DMVGATE" audit verify "$NODE_DIR/audit" --key "$NODE_DIR/audit-key.pub" >"$TMP/verify" ||
  fail "audit verify: $(cat "$TMP/verify")"
ok
want=$((posts + 1))
grep -q "^ok: $want entries" "$TMP/verify" || fail "expected $want entries: $(cat "$TMP/verify")"; ok
"$DMVGATE" audit dump "$NODE_DIR/audit" >"$TMP/dump"
! grep -qF "$OLN" "$TMP/dump" || fail "a license number in the public entries"; ok
grep -q '"event":"ori_mismatch"' "$TMP/dump" || fail "the mismatch was not audited"; ok
pass
