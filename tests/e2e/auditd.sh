#!/usr/bin/env bash
# Whole-process test of the audit sequencer (dmvgate auditd): two client
# processes (standing in for two node processes) append at once through one
# sequencer; the sequencer is killed with SIGKILL in the middle of a third
# stream and restarted; a standby takes over when the active one stops. After
# all that: every acknowledged entry is in the log at the index it was given,
# no index was given twice, and `dmvgate audit verify` accepts the log.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

D=$DMVGATE
"$D" audit keygen e2e.example/audit --out "$TMP/key" >/dev/null
LOG=$TMP/log
SOCK=$TMP/seq.sock
pids=()
stop_all() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
trap 'stop_all; cleanup_tmp' EXIT

# start_seq OUTFILE [ARGS...]: start a sequencer in the background; its pid in SEQ.
start_seq() {
  local out=$1
  shift
  "$D" auditd serve "$LOG" --key "$TMP/key.key" --listen "unix:$SOCK" --checkpoint-ms 100 "$@" \
    >"$out" 2>>"$TMP/seq.err" &
  SEQ=$!
  pids+=("$SEQ")
}
wait_line() { # FILE: until it has a line (10 s)
  for _ in $(seq 1 200); do [[ -s $1 ]] && return 0; sleep 0.05; done
  fail "no output in $1 ($(tail -3 "$TMP/seq.err"))"
}

expect_exit 2 "$D" auditd serve "$LOG" --key "$TMP/key.key" --listen 10.0.0.1:7000
grep -q loopback "$TMP/.err" || fail "a non-loopback address must be refused"
ok
expect_exit 2 "$D" auditd append
expect_exit 0 "$D" auditd --help

start_seq "$TMP/addr1"
wait_line "$TMP/addr1"
[[ $(cat "$TMP/addr1") == "unix:$SOCK" ]] || fail "printed address"
ok

# Two "nodes" at once, several threads each.
seq 1 1500 | sed 's/^/node-a-/' | "$D" auditd append --to "unix:$SOCK" --writers 4 >"$TMP/a.out" &
A=$!
seq 1 1500 | sed 's/^/node-b-/' | "$D" auditd append --to "unix:$SOCK" --writers 4 >"$TMP/b.out"
wait "$A" || fail "node a's appends"
[[ $(wc -l <"$TMP/a.out") -eq 1500 && $(wc -l <"$TMP/b.out") -eq 1500 ]] || fail "acknowledgements"
ok

# A third stream; the sequencer dies with SIGKILL in the middle of it.
(for i in $(seq 1 20000); do echo "node-c-$i"; done) |
  "$D" auditd append --to "unix:$SOCK" --writers 4 >"$TMP/c.out" 2>"$TMP/c.err" &
C=$!
for _ in $(seq 1 200); do [[ $(wc -l <"$TMP/c.out") -ge 200 ]] && break; sleep 0.02; done
kill -KILL "$SEQ"
wait "$SEQ" 2>/dev/null || true
set +e
wait "$C"
c_status=$?
set -e
[[ $c_status -eq 1 ]] || fail "appends after the kill must fail (exit 1), got $c_status"
grep -q "not acknowledged\|lost\|no audit sequencer" "$TMP/c.err" || fail "client error text"
ok

# Restart (recovery cuts any torn tail), and a standby behind it.
start_seq "$TMP/addr2"
wait_line "$TMP/addr2"
ACTIVE=$SEQ
start_seq "$TMP/addr3" --standby
STANDBY=$SEQ
sleep 0.3
[[ ! -s $TMP/addr3 ]] || fail "the standby must wait while the active one holds the log"
seq 1 100 | sed 's/^/node-d-/' | "$D" auditd append --to "unix:$SOCK" >"$TMP/d.out"
kill -TERM "$ACTIVE"
wait "$ACTIVE" || fail "the active sequencer must stop cleanly on SIGTERM"
wait_line "$TMP/addr3"
seq 1 100 | sed 's/^/node-e-/' | "$D" auditd append --to "unix:$SOCK" >"$TMP/e.out"
ok
"$D" auditd checkpoint --to "unix:$SOCK" >"$TMP/cp"
head -1 "$TMP/cp" | grep -qx 'e2e.example/audit' || fail "checkpoint origin"
kill -TERM "$STANDBY"
wait "$STANDBY" || fail "the standby must stop cleanly"
pids=()

# Every acknowledged entry at its index; no index twice; the log verifies.
cat "$TMP"/{a,b,c,d,e}.out >"$TMP/acked"
dups=$(cut -f1 "$TMP/acked" | sort | uniq -d | wc -l)
[[ $dups -eq 0 ]] || fail "$dups indexes given twice"
"$D" audit dump "$LOG" >"$TMP/dump"
python3 - "$TMP/acked" "$TMP/dump" <<'EOF' || fail "an acknowledged entry is missing or moved"
import base64, json, sys
log = {}
for line in open(sys.argv[2]):
    o = json.loads(line)
    log[o["index"]] = base64.b64decode(o["raw"]).decode()
for line in open(sys.argv[1]):
    idx, text = line.rstrip("\n").split("\t", 1)
    if log.get(int(idx)) != text:
        sys.exit("entry %s: %r in the log, %r acknowledged" % (idx, log.get(int(idx)), text))
EOF
ok
"$D" audit verify "$LOG" --key "$TMP/key.pub" >/dev/null || fail "audit verify"
ok
pass
