#!/usr/bin/env bash
# Whole-process test of the hub (`dmvgate serve` with role = hub): two state
# nodes (CO, AZ) over mutual TLS behind it, and a route to a node that is
# down. Routing to one and to several states, a node down (ER 901 for that
# state only), certificate/ORI mismatch and an unknown agency refused at the
# hub, a held request polled through the hub, metrics, a clean stop.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/node.sh"

node_setup
node_start
CO_ADDR=$NODE_ADDR CO_PID=$NODE_PID

# A second node for AZ, with the same certificates, directory and audit key.
AZ_DIR=$TMP/az
mkdir -p "$AZ_DIR"
"$DMVGATE" seed --state AZ --drivers 200 --db "$AZ_DIR/az.db" >/dev/null 2>&1
printf 'policy "Arizona test policy" state AZ\ndefault allow\n' >"$AZ_DIR/az.policy"
sed -e 's/^state = CO/state = AZ/' -e "s#^store = .*#store = $AZ_DIR/az.db#" \
  -e "s#^policy = .*#policy = $AZ_DIR/az.policy#" -e "s#^audit_dir = .*#audit_dir = $AZ_DIR/audit#" \
  -e "s#^access_log = .*#access_log = $AZ_DIR/access.log#" "$NODE_DIR/node.conf" >"$NODE_DIR/az.conf"
"$DMVGATE" serve --config "$NODE_DIR/az.conf" --ready-file "$AZ_DIR/ready" \
  >>"$AZ_DIR/serve.out" 2>>"$AZ_DIR/serve.err" &
AZ_PID=$!
HUB_PID=
stop_all() {
  for p in $HUB_PID $AZ_PID; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  node_stop_trap
}
trap stop_all EXIT
for _ in $(seq 1 200); do [[ -s $AZ_DIR/ready ]] && break; sleep 0.05; done
[[ -s $AZ_DIR/ready ]] || fail "AZ node did not start: $(tail -3 "$AZ_DIR/serve.err")"
AZ_ADDR=$(cat "$AZ_DIR/ready")

# The hub: WI routes to a port where nothing listens.
HUB_DIR=$TMP/hub
mkdir -p "$HUB_DIR"
cat >"$HUB_DIR/hub.conf" <<CONF
role = hub
listen = 127.0.0.1:0
threads = 2
directory = $NODE_DIR/agencies.csv
routes = CO=https://$CO_ADDR,AZ=https://$AZ_ADDR,WI=https://127.0.0.1:1
tls_cert = $NODE_DIR/certs/server.pem
tls_key = $NODE_DIR/certs/server.key
tls_client_ca = $NODE_DIR/certs/ca.pem
hub_cert = $NODE_DIR/certs/hub.pem
hub_key = $NODE_DIR/certs/hub.key
upstream_timeout = 5
access_log = $HUB_DIR/access.log
CONF
"$DMVGATE" config check "$HUB_DIR/hub.conf" >/dev/null 2>&1 || fail "hub config refused: $("$DMVGATE" config check "$HUB_DIR/hub.conf" 2>&1)"
ok
"$DMVGATE" serve --config "$HUB_DIR/hub.conf" --ready-file "$HUB_DIR/ready" \
  >>"$HUB_DIR/serve.out" 2>>"$HUB_DIR/serve.err" &
HUB_PID=$!
for _ in $(seq 1 200); do [[ -s $HUB_DIR/ready ]] && break; sleep 0.05; done
[[ -s $HUB_DIR/ready ]] || fail "hub did not start: $(tail -3 "$HUB_DIR/serve.err")"
NODE_ADDR=$(cat "$HUB_DIR/ready") # req and q now talk to the hub

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

kill -TERM "$HUB_PID"
wait "$HUB_PID" || fail "hub exit status $?"
HUB_PID=
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$HUB_DIR/serve.err"; then
  fail "sanitizer report in the hub: $(grep -A20 -E 'AddressSanitizer|LeakSanitizer|runtime error:' "$HUB_DIR/serve.err" | head -30)"
fi
ok
pass
