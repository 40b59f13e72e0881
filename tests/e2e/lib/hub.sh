# hub.sh - a small network for the whole-process tests of the hub (sourced
# after common.sh and node.sh): the CO node of node.sh, a second node for AZ
# with the same certificates, directory and audit key (default allow), and a
# hub routing CO, AZ and WI (WI to a port where nothing listens).
#
# hub_network_start [EXTRA-HUB-CONFIG-LINES]: start all three; then
# NODE_ADDR is the hub's address (req and q talk to the hub), CO_ADDR and
# AZ_ADDR the nodes', HUB_DIR the hub's files (hub.conf, audit/, serve.err).
# hub_stop: stop the hub (SIGTERM), fail on a bad exit or a sanitizer report.

HUB_PID=
AZ_PID=

hub_stop_all() {
  for p in $HUB_PID $AZ_PID; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  node_stop_trap
}

# wait_ready FILE WHAT ERRFILE
wait_ready() {
  for _ in $(seq 1 200); do [[ -s $1 ]] && break; sleep 0.05; done
  [[ -s $1 ]] || fail "$2 did not start: $(tail -3 "$3")"
}

hub_network_start() {
  node_setup
  node_start
  CO_ADDR=$NODE_ADDR
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
  trap hub_stop_all EXIT
  wait_ready "$AZ_DIR/ready" "AZ node" "$AZ_DIR/serve.err"
  AZ_ADDR=$(cat "$AZ_DIR/ready")

  HUB_DIR=$TMP/hub
  mkdir -p "$HUB_DIR"
  (cd "$HUB_DIR" && "$DMVGATE" audit keygen hub.dmvgate.test/audit --out hub-audit >/dev/null)
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
audit_dir = $HUB_DIR/audit
audit_key = $HUB_DIR/hub-audit.key
upstream_timeout = 5
access_log = $HUB_DIR/access.log
CONF
  [[ -n ${1:-} ]] && printf '%s\n' "$1" >>"$HUB_DIR/hub.conf"
  "$DMVGATE" config check "$HUB_DIR/hub.conf" >/dev/null 2>&1 ||
    fail "hub config refused: $("$DMVGATE" config check "$HUB_DIR/hub.conf" 2>&1)"
  ok
  "$DMVGATE" serve --config "$HUB_DIR/hub.conf" --ready-file "$HUB_DIR/ready" \
    >>"$HUB_DIR/serve.out" 2>>"$HUB_DIR/serve.err" &
  HUB_PID=$!
  wait_ready "$HUB_DIR/ready" "hub" "$HUB_DIR/serve.err"
  NODE_ADDR=$(cat "$HUB_DIR/ready")
}

hub_stop() {
  kill -TERM "$HUB_PID"
  wait "$HUB_PID" || fail "hub exit status $?"
  HUB_PID=
  if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$HUB_DIR/serve.err"; then
    fail "sanitizer report in the hub: $(grep -A20 -E 'AddressSanitizer|LeakSanitizer|runtime error:' "$HUB_DIR/serve.err" | head -30)"
  fi
  ok
}
