#!/usr/bin/env bash
# Crash test of the audit log: a writer process with several concurrent
# writer threads appends under load and is killed with SIGKILL at a random
# moment, AUDIT_CRASH_RUNS times (default 20; e.g. AUDIT_CRASH_RUNS=200 for a
# long run). After each kill: every append acknowledged before the kill is in
# the log at the index it was given, the log reopens (recovery: torn tail cut,
# tiles rebuilt, checkpoint signed) and `audit verify` passes. Small segments
# and frequent checkpoints put kills in segment rolls and signing too.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

runs=${AUDIT_CRASH_RUNS:-20}
seed=${AUDIT_CRASH_SEED:-$$}
RANDOM=$seed
cd "$TMP"
"$DMVGATE" audit keygen crash.test/log --out k >/dev/null
log=$TMP/log
: >acked
killed_mid=0
lost=0

for ((r = 1; r <= runs; r++)); do
  # Unique lines, far more than can be appended before the kill.
  seq -f "run$r-line%.0f" 1 5000000 |
    "$DMVGATE" audit append "$log" --key k.key --writers 8 --checkpoint-ms 100 \
      --segment-bytes 1048576 >"ack.$r" 2>"err.$r" &
  pid=$!
  # 30..500 ms: before, during and after open and recovery, mid-batch, mid-sign.
  ms=$((30 + RANDOM % 470))
  sleep "$(printf '0.%03d' "$ms")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid"
    killed_mid=$((killed_mid + 1))
  fi
  wait "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
  if grep -q 'append failed\|dmvgate:' "err.$r"; then
    fail "run $r: the writer reported: $(head -c 300 "err.$r")"
  fi
  # Only whole lines count as acknowledged (the kill may cut the last one).
  awk -F'\t' 'NF == 2 && $2 ~ /^run[0-9]+-line[0-9]+$/' "ack.$r" >>acked

  # Every acknowledged append is there, at its index, before any recovery.
  if [[ -d $log/private ]]; then
    "$DMVGATE" audit dump "$log" --text >dump || fail "run $r: dump failed"
    missing=$(LC_ALL=C comm -23 <(LC_ALL=C sort -u acked) <(LC_ALL=C sort -u dump) | wc -l)
    if ((missing > 0)); then
      lost=$((lost + missing))
      fail "run $r: $missing acknowledged appends missing, e.g. $(LC_ALL=C comm -23 <(LC_ALL=C sort -u acked) <(LC_ALL=C sort -u dump) | head -3 | tr '\n' ' ')"
    fi
  fi
  ok

  # Reopen (recovery) with no new input, then verify everything.
  "$DMVGATE" audit append "$log" --key k.key </dev/null >/dev/null 2>"reopen.$r" ||
    fail "run $r: reopen failed: $(head -c 300 "reopen.$r")"
  "$DMVGATE" audit verify "$log" --key k.pub >"verify.$r" 2>&1 ||
    fail "run $r: verify failed (seed $seed): $(cat "verify.$r")"
  ok
done

n=$(wc -l <acked)
total=$("$DMVGATE" audit dump "$log" --text | wc -l)
((n > 0)) || fail "nothing was ever acknowledged"
((total >= n)) || fail "log has $total entries, $n acknowledged"
torn=$(cat reopen.* err.* 2>/dev/null | grep -c audit_torn_tail || true)
echo "audit_crash: $runs runs ($killed_mid killed mid-run, $torn torn tails cut), $n acknowledged appends, $total entries, $lost lost (seed $seed)"
pass
