#!/usr/bin/env bash
# Kill -9 of a whole node under load (docs/reliability.md, "Kill -9 under
# load"): a real `dmvgate serve` over HTTPS with client certificates takes
# requests from four concurrent clients (curl --parallel, keep-alive; one
# agency each: an allowed query, another state's allowed query, a denial, a
# request held for review) and is killed with SIGKILL at a random moment,
# NODE_KILL_RUNS times (default 10; NODE_KILL_RUNS=100 for the long form).
# After each kill, before anything reopens the log: every request that got
# its answer (200, 202 or 403 with a MID) is in the audit log under its
# message id with the decision it was answered with. Then the node restarts
# on the same data (recovery: torn tail cut, tiles rebuilt, checkpoint
# signed), `dmvgate audit verify` passes on it, and it answers again.
# NODE_KILL_SEED reproduces a run's kill moments (the seed is printed).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/node.sh"

runs=${NODE_KILL_RUNS:-10}
seed=${NODE_KILL_SEED:-$$}
RANDOM=$seed
per_client=${NODE_KILL_REQUESTS:-3000} # more than a run can send before its kill
echo "node_kill: $runs runs, seed $seed (NODE_KILL_SEED=$seed NODE_KILL_RUNS=$runs to repeat)"

node_setup
AUDIT=$NODE_DIR/audit
mkdir -p "$TMP/msg" "$TMP/out"
# One message per client: agency, body, and the decision its answer stands for.
CLIENTS=(CO0010000 AZ0070000 DCICE0100 DCFBI0100)
printf 'DQ.CO0010000.CO.TXT\nOLN/%s.OLS/CO.PUR/C.ATN/DET J RIVERA' "$OLN" >"$TMP/msg/CO0010000"
printf 'DQ.AZ0070000.CO.TXT\nOLN/%s.OLS/CO.PUR/C.ATN/OFC K LEE' "$OLN" >"$TMP/msg/AZ0070000"
printf 'DQ.DCICE0100.CO.TXT\nOLN/%s.OLS/CO.PUR/C.ATN/AGT M DOE' "$OLN" >"$TMP/msg/DCICE0100"
printf 'DQ.DCFBI0100.CO.TXT\nOLN/%s.OLS/CO.PUR/C.ATN/SA JONES' "$OLN" >"$TMP/msg/DCFBI0100"

# The decision an answer's HTTP status stands for, as the log spells it.
decision_of() {
  case $1 in 200) echo allow ;; 202) echo review ;; 403) echo deny ;; *) echo "?$1" ;; esac
}

LOAD_PIDS=()
# load_start RUN: one curl per client, 3 transfers at a time on kept-alive
# connections; curl prints "status exitcode file" once each transfer is over.
load_start() {
  local run=$1 c
  LOAD_PIDS=()
  for c in "${CLIENTS[@]}"; do
    seq 1 "$per_client" |
      awk -v u="https://$NODE_ADDR/v1/messages" -v o="$TMP/out/$c-" \
        '{ printf "url = \"%s\"\noutput = \"%s%d\"\n", u, o, $1 }' >"$TMP/$c.cfg"
    curl -s --parallel --parallel-max 3 --parallel-immediate --max-time 30 \
      --cacert "$NODE_DIR/certs/ca.pem" --cert "$NODE_DIR/certs/$c.pem" \
      --key "$NODE_DIR/certs/$c.key" -H 'Content-Type: text/plain' \
      --data-binary "@$TMP/msg/$c" -w '%{http_code} %{exitcode} %{filename_effective}\n' \
      -K "$TMP/$c.cfg" >"$TMP/w.$run.$c" 2>/dev/null &
    LOAD_PIDS+=($!)
  done
}

# acks RUN: "mid decision" of every answer the clients received whole.
acks() {
  local run=$1 c code rc file mid
  for c in "${CLIENTS[@]}"; do
    while read -r code rc file; do
      [[ $rc == 0 && ($code == 200 || $code == 202 || $code == 403) ]] || continue
      mid=$(sed -n 's|^MID/\([^.]*\)\..*|\1|p' "$file")
      [[ -n $mid ]] || fail "run $run: a $code answer without a MID: $(head -c 300 "$file")"
      echo "$mid $(decision_of "$code")"
    done <"$TMP/w.$run.$c"
  done
}

# logged: "msg_id decision" of every entry in the log (security entries: "-").
logged() {
  "$DMVGATE" audit dump "$AUDIT" |
    sed -n 's/.*"msg_id":"\([^"]*\)".*"decision":"\([^"]*\)".*/\1 \2/p'
}

: >"$TMP/acked"
lost=0 inflight=0
node_start
for ((r = 1; r <= runs; r++)); do
  load_start "$r"
  # 150..1500 ms into the load: handshakes, batches in flight, checkpoints.
  ms=$((150 + RANDOM % 1350))
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
  kill -9 "$NODE_PID"
  wait "$NODE_PID" 2>/dev/null || true
  NODE_PID=
  for p in "${LOAD_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  acks "$r" >"$TMP/acked.$r"
  cat "$TMP/acked.$r" >>"$TMP/acked"
  # Transfers cut by the kill (not refused at connect, curl exit 7): in flight.
  inflight=$((inflight + $(cat "$TMP"/w."$r".* | awk '$2 != 0 && $2 != 7' | wc -l)))
  rm -f "$TMP"/out/*

  # Before any recovery: every acknowledged request is in the log, as answered.
  logged >"$TMP/logged" || fail "run $r: audit dump failed"
  missing=$(LC_ALL=C comm -23 <(LC_ALL=C sort -u "$TMP/acked") <(LC_ALL=C sort -u "$TMP/logged"))
  if [[ -n $missing ]]; then
    lost=$((lost + $(wc -l <<<"$missing")))
    fail "run $r (seed $seed, kill at ${ms} ms): acknowledged but not logged: $(head -3 <<<"$missing" | tr '\n' ' ')"
  fi
  ok

  # Restart on the same data: recovery, then the whole log verifies while the
  # node is idle, and the node answers again (that answer is logged too).
  node_start
  "$DMVGATE" audit verify "$AUDIT" --key "$NODE_DIR/audit-key.pub" >"$TMP/verify.$r" 2>&1 ||
    fail "run $r (seed $seed): verify failed after restart: $(cat "$TMP/verify.$r")"
  ok
  q CO0010000 "$(cat "$TMP/msg/CO0010000")"
  expect_status 200
  mid=$(sed -n 's|^MID/\([^.]*\)\..*|\1|p' "$TMP/body")
  echo "$mid allow" >>"$TMP/acked"
  echo "run $r: killed at ${ms} ms, $(wc -l <"$TMP/acked.$r") acknowledged"
done
node_stop
[[ $NODE_EXIT == 0 ]] || fail "the node exited $NODE_EXIT on SIGTERM"

n=$(wc -l <"$TMP/acked")
((n > runs)) || fail "nothing was acknowledged under load ($n answers in $runs runs)"
logged >"$TMP/logged"
missing=$(LC_ALL=C comm -23 <(LC_ALL=C sort -u "$TMP/acked") <(LC_ALL=C sort -u "$TMP/logged") | wc -l)
((missing == 0)) || fail "$missing acknowledged requests missing at the end"
"$DMVGATE" audit verify "$AUDIT" --key "$NODE_DIR/audit-key.pub" >"$TMP/verify.end" 2>&1 ||
  fail "final verify failed: $(cat "$TMP/verify.end")"
ok
total=$("$DMVGATE" audit dump "$AUDIT" --text | wc -l)
torn=$(grep -c '"event":"audit_torn_tail"' "$NODE_DIR/serve.err" || true)
echo "node_kill: $runs runs, $n acknowledged, $total entries, $lost lost, $inflight in flight at the kills, $torn torn tails cut (seed $seed)"
pass
