#!/usr/bin/env bash
# Whole-process test of `dmvgate demo`: a small network (few drivers, fast
# traffic) comes up, prints where to look and queries to paste, traffic flows
# through the hub to all four nodes, printed examples work (answered, refused
# by Colorado, held by Wisconsin), and SIGINT stops and reaps every process
# and port. A second run without --dir leaves no temporary directory behind.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

D=$TMP/demo
DEMO_PID=
cleanup() {
  if [[ -n $DEMO_PID ]]; then kill -INT "$DEMO_PID" 2>/dev/null || true; wait "$DEMO_PID" 2>/dev/null || true; fi
  # Anything of ours the demo left behind (it should leave nothing).
  if [[ -f $D/demo.env ]]; then
    for p in $(sed -n 's/^DEMO_.*_PID=//p' "$D/demo.env"); do kill "$p" 2>/dev/null || true; done
  fi
  cleanup_tmp
}
trap cleanup EXIT

"$DMVGATE" demo --help >"$TMP/help"
for opt in --drivers --rate --duration --dir --keep --seed --hub-port --policies --status-every; do
  grep -q -- "$opt" "$TMP/help" || fail "demo --help does not explain $opt"
done
ok
expect_exit 2 "$DMVGATE" demo --rate fast
expect_exit 2 "$DMVGATE" demo --bogus

"$DMVGATE" demo --drivers 300 --rate 25 --dir "$D" --status-every 2 --duration 300 \
  >"$TMP/out" 2>"$TMP/err" &
DEMO_PID=$!
for _ in $(seq 1 600); do
  grep -q "Press Ctrl-C" "$TMP/out" 2>/dev/null && break
  kill -0 "$DEMO_PID" 2>/dev/null || fail "demo stopped while starting: $(tail -5 "$TMP/err")"
  sleep 0.2
done
grep -q "Press Ctrl-C" "$TMP/out" || fail "no banner after 120 s: $(tail -5 "$TMP/err")"
ok
[[ -f $D/demo.env ]] || fail "no demo.env"
. "$D/demo.env"
grep -qF "metrics: $DMVGATE_HUB/metrics" "$TMP/out" || fail "banner lacks the hub's metrics"
grep -qE "reviewer / $DEMO_REVIEWER_PASSWORD" "$TMP/out" || fail "banner lacks the reviewer login"
for st in AZ CA CO WI; do
  grep -q " $st node " "$TMP/out" || fail "banner lacks the $st node"
done
grep -q "query --hub $DMVGATE_HUB" "$TMP/out" || fail "banner lacks query examples"
ok
# Every process is a real child process, alive.
for p in $DEMO_HUB_PID $DEMO_NODE_AZ_PID $DEMO_NODE_CA_PID $DEMO_NODE_CO_PID $DEMO_NODE_WI_PID; do
  kill -0 "$p" || fail "process $p is not running"
done
ok

# Traffic flows through the hub to all four nodes (their own counters).
ORI=$(awk '!/^#/{print $1; exit}' "$D/agencies-with-certificates.txt")
CURL=(curl -s --max-time 10 --cacert "$D/certs/ca.pem" --cert "$D/certs/$ORI.pem" --key "$D/certs/$ORI.key")
requests() { "${CURL[@]}" "$1/metrics" | awk '/^dmvgate_requests_total/{s+=$2} END{print s+0}'; }
for st in AZ CA CO WI; do
  var=DEMO_NODE_$st
  n=0
  for _ in $(seq 1 120); do
    n=$(requests "${!var}")
    [[ $n -gt 0 ]] && break
    sleep 0.5
  done
  [[ $n -gt 0 ]] || fail "no traffic reached the $st node"
done
ok
fwd=$("${CURL[@]}" "$DMVGATE_HUB/metrics" | awk '/^dmvgate_hub_forwarded_total/{s+=$2} END{print s+0}')
[[ $fwd -gt 0 ]] || fail "the hub forwarded nothing"
ok
grep -qE '^traffic: [1-9][0-9]* queries' "$TMP/out" || sleep 3
grep -qE '^traffic: [1-9][0-9]* queries' "$TMP/out" || fail "no traffic figures printed: $(tail -3 "$TMP/out")"
ok

# The printed examples work as printed.
# example TEXT: the command under the comment line that contains TEXT
example() { grep -A1 -F -- "$1" "$TMP/out" | grep -m1 ' query --hub ' | sed 's/^ *//'; }
run_example() {
  local want=$1 cmd
  cmd=$(example "$2")
  [[ -n $cmd ]] || fail "no example '$2' in the banner"
  local got=0
  eval "$cmd" >"$TMP/q.out" 2>"$TMP/q.err" || got=$?
  [[ $got == "$want" ]] || fail "example '$2': exit $got, not $want: $(cat "$TMP/q.out" "$TMP/q.err" | head -c 600)"
  ok
}
run_example 0 "an Arizona police officer asks Colorado"
grep -q "^CO: FOUND" "$TMP/q.out" || fail "not answered: $(cat "$TMP/q.out")"
run_example 1 "ICE ERO asks Colorado"
grep -q "^CO: DENIED" "$TMP/q.out" || fail "not refused: $(cat "$TMP/q.out")"
grep -q "civil immigration enforcement" "$TMP/q.out" || fail "no reason: $(cat "$TMP/q.out")"
run_example 0 "never recorded asks Wisconsin"
grep -q "^WI: HELD" "$TMP/q.out" || fail "not held: $(cat "$TMP/q.out")"
run_example 0 "with a judicial warrant"
grep -q "^CA: FOUND" "$TMP/q.out" || fail "not answered with a warrant: $(cat "$TMP/q.out")"
run_example 0 "a license photo from Arizona"
ls "$D"/*.svg >/dev/null 2>&1 || fail "the photo was not saved"
ok

# Ctrl-C: everything stops, nothing is left running or listening.
kill -INT "$DEMO_PID"
rc=0
wait "$DEMO_PID" || rc=$?
DEMO_PID=
[[ $rc == 0 ]] || fail "demo exit status $rc after SIGINT: $(tail -5 "$TMP/err")"
grep -q "demo: stopped" "$TMP/err" || fail "no stop message: $(tail -3 "$TMP/err")"
! grep -q "did not exit cleanly" "$TMP/err" || fail "a process did not exit cleanly: $(tail -5 "$TMP/err")"
ok
for p in $DEMO_HUB_PID $DEMO_NODE_AZ_PID $DEMO_NODE_CA_PID $DEMO_NODE_CO_PID $DEMO_NODE_WI_PID; do
  ! kill -0 "$p" 2>/dev/null || fail "process $p still runs after the demo stopped"
done
ok
for url in "$DMVGATE_HUB" "$DEMO_NODE_AZ" "$DEMO_NODE_CA" "$DEMO_NODE_CO" "$DEMO_NODE_WI"; do
  code=$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$url/healthz" 2>/dev/null) || true
  [[ $code == 000 ]] || fail "$url still answers ($code) after the demo stopped"
done
ok
[[ -d $D && -f $D/hub/serve.log ]] || fail "--dir was not kept"
ok

# Without --dir: a temporary directory, removed at the end (--duration).
mkdir -p "$TMP/tmpd"
TMPDIR=$TMP/tmpd "$DMVGATE" demo --drivers 20 --rate 0 --duration 1 >"$TMP/out2" 2>"$TMP/err2" ||
  fail "short demo failed: $(tail -5 "$TMP/err2")"
grep -q "Press Ctrl-C" "$TMP/out2" || fail "short demo printed no banner"
[[ -z $(ls -A "$TMP/tmpd") ]] || fail "the temporary directory was left: $(ls -A "$TMP/tmpd")"
ok
pass
