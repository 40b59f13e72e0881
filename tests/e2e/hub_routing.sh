#!/usr/bin/env bash
# Whole-process test of the hub (`dmvgate serve` with role = hub): two state
# nodes (CO, AZ) over mutual TLS behind it, and a route to a node that is
# down. Routing to one and to several states, a node down (ER 901 for that
# state only), certificate/ORI mismatch and an unknown agency refused at the
# hub (and recorded in its audit log), a held request polled through the
# hub, metrics, a clean stop.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/node.sh"
. "$(dirname "$0")/lib/hub.sh"

hub_network_start # req and q now talk to the hub

# one state
q CO0010000 "DQ.CO0010000.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/DET J RIVERA"
expect_status 200
body_has "DR.CO0010000.CO.TXT"
body_has "STS/FOUND"

# several states: each answers on its own
q AZ0070000 "DQ.AZ0070000.CO.AZ.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/OFC K LEE"
expect_status 200
body_has "DR.AZ0070000.CO.TXT"
body_has "AZ0070000.AZ.TXT"

# a node down: ER for WI, CO still answers
q AZ0070000 "DQ.AZ0070000.CO.WI.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/OFC K LEE"
expect_status 200
body_has "DR.AZ0070000.CO.TXT"
body_has "ER.AZ0070000.WI.TXT"
body_has "ERC/901"

# only the node down: 502
q AZ0070000 "DQ.AZ0070000.WI.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/OFC K LEE"
expect_status 502
body_has "ERC/901"

# the certificate says AZ0070000, the message CO0010000: refused at the hub
q AZ0070000 "DQ.CO0010000.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/DET J RIVERA"
expect_status 403
body_has "ERC/701"
body_lacks "OLN/"

# held: the FBI without a warrant is held by CO and polls through the hub
q DCFBI0100 "DQ.DCFBI0100.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/SA JONES.CAS/2026-0042"
expect_status 202
body_has "STS/HELD"
mid=$(sed -n 's/^MID\/\([^.]*\)\.STS.*/\1/p' "$TMP/body")
[[ -n $mid ]] || fail "no MID in the HELD answer: $(cat "$TMP/body")"
ok
req GET "/v1/messages/$mid?state=CO" DCFBI0100
expect_status 202
body_has "MID/$mid"
# another agency cannot poll it through the hub either
req GET "/v1/messages/$mid?state=CO" AZ0070000
[[ $STATUS == 403 || $STATUS == 404 ]] || fail "another agency polled a held answer: $STATUS"
ok

req GET /metrics -
[[ $STATUS == 200 || $STATUS == 000 ]] || fail "metrics: $STATUS"
req GET /metrics CO0010000
expect_status 200
body_has "dmvgate_hub_forwarded_total"

# the refusal of the mismatch is in the hub's own audit log, and it verifies
hub_stop
"$DMVGATE" audit verify "$HUB_DIR/audit" >/dev/null || fail "the hub's audit log does not verify"
"$DMVGATE" audit dump "$HUB_DIR/audit" >"$TMP/hub-audit.jsonl"
grep -q '"event":"ori_mismatch"' "$TMP/hub-audit.jsonl" || fail "no ori_mismatch entry: $(cat "$TMP/hub-audit.jsonl")"
grep -q '"claimed_ori":"CO0010000"' "$TMP/hub-audit.jsonl" || fail "the claimed ORI is not recorded"
ok
pass
