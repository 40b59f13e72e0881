#!/usr/bin/env bash
# Kill -9 of a whole node under load (docs/reliability.md, "Kill -9 under
# load"): a real `dmvgate serve` over HTTPS with client certificates takes
# requests from four concurrent clients (curl --parallel, keep-alive; one
# agency each: an allowed query, another state's allowed query, a denial, a
# request held for review; tests/e2e/lib/load.sh) and is killed with SIGKILL
# at a random moment, NODE_KILL_RUNS times (default 10; NODE_KILL_RUNS=100
# for the long form). After each kill, before anything reopens the log: every
# request that got its answer (200, 202 or 403 with a MID) is in the audit log under its
# message id with the decision it was answered with. Then the node restarts
# on the same data (recovery: torn tail cut, tiles rebuilt, checkpoint
# signed), `dmvgate audit verify` passes on it, and it answers again.
# NODE_KILL_SEED reproduces a run's kill moments (the seed is printed).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/node.sh"
. "$(dirname "$0")/lib/load.sh"

runs=${NODE_KILL_RUNS:-10}
seed=${NODE_KILL_SEED:-$$}
RANDOM=$seed
per_client=${NODE_KILL_REQUESTS:-3000} # more than a run can send before its kill
echo "node_kill: $runs runs, seed $seed (NODE_KILL_SEED=$seed NODE_KILL_RUNS=$runs to repeat)"

node_setup
AUDIT=$NODE_DIR/audit
load_messages

: >"$TMP/acked"
lost=0 inflight=0
node_start
for ((r = 1; r <= runs; r++)); do
  load_start "$r" "$per_client"
  # 150..1500 ms into the load: handshakes, batches in flight, checkpoints.
  ms=$((150 + RANDOM % 1350))
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
  kill -9 "$NODE_PID"
  wait "$NODE_PID" 2>/dev/null || true
  NODE_PID=
  load_wait
  load_acks "$r" >"$TMP/acked.$r"
  cat "$TMP/acked.$r" >>"$TMP/acked"
  # Transfers cut by the kill (not refused at connect, curl exit 7): in flight.
  inflight=$((inflight + $(cat "$TMP"/w."$r".* | awk '$2 != 0 && $2 != 7' | wc -l)))
  rm -f "$TMP"/out/*

  # Before any recovery: every acknowledged request is in the log, as answered.
  audit_logged "$AUDIT" >"$TMP/logged" || fail "run $r: audit dump failed"
  missing=$(missing_from "$TMP/acked" "$TMP/logged")
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
audit_logged "$AUDIT" >"$TMP/logged"
missing=$(missing_from "$TMP/acked" "$TMP/logged" | wc -l)
((missing == 0)) || fail "$missing acknowledged requests missing at the end"
"$DMVGATE" audit verify "$AUDIT" --key "$NODE_DIR/audit-key.pub" >"$TMP/verify.end" 2>&1 ||
  fail "final verify failed: $(cat "$TMP/verify.end")"
ok
total=$("$DMVGATE" audit dump "$AUDIT" --text | wc -l)
torn=$(grep -c '"event":"audit_torn_tail"' "$NODE_DIR/serve.err" || true)
echo "node_kill: $runs runs, $n acknowledged, $total entries, $lost lost, $inflight in flight at the kills, $torn torn tails cut (seed $seed)"
pass
