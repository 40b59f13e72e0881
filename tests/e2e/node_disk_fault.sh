#!/usr/bin/env bash
# Disk faults under load (docs/reliability.md, "Disk faults"): a real node
# runs with the faultfs shim preloaded (tests/faultfs/faultfs.c), which makes
# writes or syncs of files under its audit directory fail while a control
# file exists. Four concurrent clients keep sending (tests/e2e/lib/load.sh);
# for each fault (EIO on writes, ENOSPC on writes that tear half-way, EIO on
# syncs, ENOSPC on syncs): with the fault on, the node answers new requests
# 503 with an ER FAILED (ERC 706) and Retry-After, and /healthz says
# degraded; with it off, the same process answers 200 again and /healthz is
# ok, without a restart. At the end, every request acknowledged (200, 202,
# 403) is in the log with its decision, no request answered 503 is, and the
# log verifies. DISK_FAULT_ROUNDS repeats the four faults (default 1).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/node.sh"
. "$(dirname "$0")/lib/load.sh"

: "${DG_FAULTFS:=$DG_BUILD_DIR/libdg_faultfs.so}"
[[ -f $DG_FAULTFS ]] || fail "no fault shim at '$DG_FAULTFS' (build the dg_faultfs target)"
rounds=${DISK_FAULT_ROUNDS:-1}
FAULTS=("EIO write" "ENOSPC write torn" "EIO sync" "ENOSPC sync")

node_setup
AUDIT=$NODE_DIR/audit
CONTROL=$TMP/fault
FLOG=$TMP/faults.log
load_messages
# (An ASan build of dmvgate, ctest in build-asan/, accepts the shim preloaded
# ahead of its runtime only when told not to check the order.)
node_start LD_PRELOAD="$DG_FAULTFS" DG_FAULTFS_DIR="$AUDIT" DG_FAULTFS_CONTROL="$CONTROL" \
  DG_FAULTFS_LOG="$FLOG" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
M=$(cat "$TMP/msg/CO0010000")

# until TRIES CMD...: run CMD every 0.1 s until it succeeds (no timing assumed
# beyond a generous bound).
until_ok() {
  local tries=$1 i
  shift
  for ((i = 0; i < tries; i++)); do "$@" && return 0; sleep 0.1; done
  return 1
}
load_has() { (($(load_count "$1" "$2") > 0)); }
answers_503() { q CO0010000 "$M"; [[ $STATUS == 503 ]]; }
answers_200() { q CO0010000 "$M"; [[ $STATUS == 200 ]]; }
healthz_is() { req GET /healthz CO0010000; grep -q "\"status\":\"$1\"" "$TMP/body"; }
direct() { # the mid of the last direct answer, with its decision, to $TMP/$1
  echo "$(sed -n 's|^MID/\([^.]*\)\..*|\1|p' "$TMP/body") $2" >>"$TMP/$1"
}

: >"$TMP/acked"
: >"$TMP/refused"
: >"$FLOG"
n503=0 runs=0
for ((round = 1; round <= rounds; round++)); do
  for f in "${FAULTS[@]}"; do
    runs=$((runs + 1))
    tag=$runs
    kinds=${f#* }
    kinds=${kinds% torn}
    load_start "$tag" 20000
    until_ok 100 load_has "$tag" 200 || fail "$f: no load answered before the fault"
    before=$(wc -l <"$FLOG")

    echo "$f" >"$CONTROL" # the disk fails
    until_ok 300 answers_503 || fail "$f: still answered $STATUS with the fault on"
    direct refused -
    body_has "STS/FAILED"
    body_has "ERC/706"
    body_has "nothing was answered"
    body_lacks "REC/"
    grep -qi '^Retry-After: 1' "$TMP/headers" || fail "$f: no Retry-After"
    err=${f%% *}
    body_has "($err)"
    # The load meets the fault too: some of its requests are refused.
    until_ok 300 load_has "$tag" 503 || fail "$f: the load never got a 503"
    healthz_is degraded || fail "$f: /healthz says $(cat "$TMP/body")"
    ok
    # The shim failed calls of the kind asked for, on files of the log.
    injected=$(tail -n +$((before + 1)) "$FLOG")
    case $kinds in
      write) grep -qE '^(pwrite|pwrite64|write|posix_fallocate) ' <<<"$injected" ;;
      sync) grep -qE '^(fdatasync|fsync|syncfs) ' <<<"$injected" ;;
    esac || fail "$f: no $kinds failure was injected: $(head -3 <<<"$injected")"
    grep -q " $err " <<<"$injected" || fail "$f: not failed with $err"
    ok

    rm -f "$CONTROL" # the disk is back: the same process serves again
    until_ok 300 answers_200 || fail "$f: answered $STATUS after the fault ended"
    direct acked allow
    until_ok 300 healthz_is ok || fail "$f: /healthz after the fault: $(cat "$TMP/body")"
    ok
    sleep 0.3 # some load after the recovery too
    load_stop
    load_acks "$tag" >"$TMP/acked.$tag"
    load_answers "$tag" 503 >>"$TMP/refused"
    cat "$TMP/acked.$tag" >>"$TMP/acked"
    n503=$((n503 + $(load_count "$tag" 503)))
    rm -f "$TMP"/out/*
    echo "fault '$f': $(load_count "$tag" 503) refused, $(wc -l <"$TMP/acked.$tag") acknowledged under load (${SECONDS}s)"
  done
done
req GET /metrics CO0010000
grep -qE '^dmvgate_audit_failures_total [1-9]' "$TMP/body" || fail "no audit failures counted"
ok
node_stop
[[ $NODE_EXIT == 0 ]] || fail "the node exited $NODE_EXIT on SIGTERM"
grep -q '"event":"audit_write_failed"' "$NODE_DIR/serve.err" || fail "no audit_write_failed log line"
grep -q '"event":"audit_repaired"' "$NODE_DIR/serve.err" || fail "no audit_repaired log line"
ok

# Nothing acknowledged is lost; nothing refused was logged; the log verifies.
audit_logged "$AUDIT" >"$TMP/logged"
lost=$(missing_from "$TMP/acked" "$TMP/logged" | wc -l)
((lost == 0)) || fail "$lost acknowledged requests are not in the log: $(missing_from "$TMP/acked" "$TMP/logged" | head -3 | tr '\n' ' ')"
cut -d' ' -f1 "$TMP/logged" >"$TMP/logged.mids"
cut -d' ' -f1 "$TMP/refused" >"$TMP/refused.mids"
leaked=$(LC_ALL=C comm -12 <(LC_ALL=C sort -u "$TMP/refused.mids") <(LC_ALL=C sort -u "$TMP/logged.mids") | wc -l)
((leaked == 0)) || fail "$leaked requests answered 503 are in the log"
ok
"$DMVGATE" audit verify "$AUDIT" --key "$NODE_DIR/audit-key.pub" >"$TMP/verify" 2>&1 ||
  fail "verify failed: $(cat "$TMP/verify")"
ok
n=$(wc -l <"$TMP/acked")
echo "node_disk_fault: $runs fault runs, $n acknowledged, $n503 refused with 503 under load, $(wc -l <"$FLOG") calls failed by the shim, $(wc -l <"$TMP/logged") entries, $lost lost"
pass
