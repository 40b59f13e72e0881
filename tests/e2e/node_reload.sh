#!/usr/bin/env bash
# Whole-process test of SIGHUP: a policy with errors is refused and the old
# one kept, on a connection that stays open across the reload; a good policy
# then takes effect. Development mode (plain HTTP) so that the test can hold
# one keep-alive connection with bash's /dev/tcp.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/node.sh"

node_setup dev
node_start
grep -q 'DEVELOPMENT MODE' "$NODE_DIR/serve.err" || fail "development mode not announced loudly"; ok
port=${NODE_ADDR##*:}

msg="DQ.DCICE0100.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/AGENT SMITH.LEG/JW 2026-1"

# send_on_fd: one POST on fd 3 (keep-alive); the status line goes to LINE.
send_on_fd() {
  printf 'POST /v1/messages HTTP/1.1\r\nHost: x\r\nX-DG-ORI: DCICE0100\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s' \
    "${#msg}" "$msg" >&3
  local line len=0 h
  IFS= read -r -t 10 line <&3 || fail "no answer on the kept connection"
  LINE=${line%$'\r'}
  while IFS= read -r -t 10 h <&3; do
    h=${h%$'\r'}
    [[ -z $h ]] && break
    [[ ${h,,} == content-length:* ]] && len=${h#*: }
  done
  BODY=$(dd bs=1 count="$len" <&3 2>/dev/null)
}

exec 3<>"/dev/tcp/127.0.0.1/$port"
send_on_fd
[[ $LINE == *" 403 "* ]] || fail "ICE should be denied by the first policy: $LINE"; ok
grep -q 'RUL/civil immigration' <<<"$BODY" || fail "deny without its rule: $BODY"; ok

# a policy with an error: refused, the old one kept, the connection too
cp "$NODE_DIR/co.policy" "$NODE_DIR/good.policy"
printf 'policy "broken" state CO\ndeny "x" when requester.levle == federal\n' >"$NODE_DIR/co.policy"
kill -HUP "$NODE_PID"
for _ in $(seq 1 100); do
  grep -q '"event":"policy_reload_refused"' "$NODE_DIR/serve.err" && break
  sleep 0.05
done
grep -q '"event":"policy_reload_refused"' "$NODE_DIR/serve.err" || fail "bad policy not refused"; ok
send_on_fd
[[ $LINE == *" 403 "* ]] || fail "the old policy should still deny: $LINE"; ok
kill -0 "$NODE_PID" || fail "the node died on a bad policy"; ok

# a good policy (allow everything) takes effect on the next message
printf 'policy "status quo" state CO\ndefault allow\n' >"$NODE_DIR/co.policy"
kill -HUP "$NODE_PID"
for _ in $(seq 1 100); do
  grep -q '"event":"policy_reloaded"' "$NODE_DIR/serve.err" && break
  sleep 0.05
done
grep -q '"event":"policy_reloaded"' "$NODE_DIR/serve.err" || fail "good policy not loaded"; ok
send_on_fd
[[ $LINE == *" 200 "* ]] || fail "the new policy should allow: $LINE"; ok
grep -q 'STS/FOUND' <<<"$BODY" || fail "no records after the reload: $BODY"; ok
exec 3<&-

q_dev() { curl -s -H "X-DG-ORI: CO0010000" "http://$NODE_ADDR$1"; }
m=$(q_dev /metrics)
grep -q 'dmvgate_policy_reloads_total{result="ok"} 1' <<<"$m" || fail "reload ok not counted"; ok
grep -q 'dmvgate_policy_reloads_total{result="refused"} 1' <<<"$m" || fail "refusal not counted"; ok
# a policy for another state is refused as well
printf 'policy "Arizona" state AZ\ndefault allow\n' >"$NODE_DIR/co.policy"
kill -HUP "$NODE_PID"
for _ in $(seq 1 100); do
  [[ $(grep -c '"event":"policy_reload_refused"' "$NODE_DIR/serve.err") == 2 ]] && break
  sleep 0.05
done
grep -q 'is for state AZ, this node serves CO' "$NODE_DIR/serve.err" || fail "wrong-state policy"; ok

node_stop
[[ $NODE_EXIT == 0 ]] || fail "node exited $NODE_EXIT"; ok
"$DMVGATE" audit verify "$NODE_DIR/audit" --key "$NODE_DIR/audit-key.pub" >/dev/null ||
  fail "audit log does not verify"
ok
pass
