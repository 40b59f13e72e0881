#!/usr/bin/env bash
# Whole-process test of one state served by two node processes that share one
# store and one audit sequencer (docs/operations.md, "Running several nodes on
# PostgreSQL"): a request held by one node is polled, approved and answered
# through the other, and a denial likewise; both nodes serve the same audit
# log; requests sent to both at once are all answered; and afterwards the one
# log verifies, holds exactly one entry per message and release, and has
# entries from both processes.
# dg-test-backends: sqlite postgresql
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/backend.sh"
. "$(dirname "$0")/lib/node.sh"

node_setup
# The sequencer writes the log; the nodes only name it.
SOCK=$NODE_DIR/auditd.sock
sed -i -e '/^audit_dir = /d' -e '/^audit_key = /d' "$NODE_DIR/node.conf"
echo "audit_sequencer = unix:$SOCK" >>"$NODE_DIR/node.conf"
sed -e 's|^access_log = .*|access_log = access-b.log|' "$NODE_DIR/node.conf" >"$NODE_DIR/node-b.conf"
"$DMVGATE" config check "$NODE_DIR/node.conf" >/dev/null 2>"$TMP/check.err" ||
  fail "config check: $(cat "$TMP/check.err")"
ok
# Both audit_dir and audit_sequencer: refused (two writers of one log).
{ cat "$NODE_DIR/node.conf"; echo "audit_dir = audit"; } >"$NODE_DIR/both.conf"
expect_exit 1 "$DMVGATE" config check "$NODE_DIR/both.conf"
grep -q 'leave audit_dir and audit_key out' "$TMP/.err" || fail "both: $(cat "$TMP/.err")"

"$DMVGATE" auditd serve "$NODE_DIR/audit" --key "$NODE_DIR/audit-key.key" --listen "unix:$SOCK" \
  --checkpoint-ms 50 >"$NODE_DIR/seq.out" 2>"$NODE_DIR/seq.err" &
SEQ=$!
B_PID=
scale_trap() {
  [[ -n $B_PID ]] && { kill "$B_PID" 2>/dev/null || true; wait "$B_PID" 2>/dev/null || true; }
  kill "$SEQ" 2>/dev/null || true
  wait "$SEQ" 2>/dev/null || true
  node_stop_trap
}
for _ in $(seq 1 200); do [[ -s $NODE_DIR/seq.out ]] && break; sleep 0.05; done
[[ -s $NODE_DIR/seq.out ]] || fail "the sequencer did not start: $(cat "$NODE_DIR/seq.err")"

# Node A through node.sh; node B by hand with its own config and ready file.
node_start
trap scale_trap EXIT
A_ADDR=$NODE_ADDR
"$DMVGATE" serve --config "$NODE_DIR/node-b.conf" --ready-file "$NODE_DIR/ready-b" \
  >>"$NODE_DIR/serve-b.out" 2>>"$NODE_DIR/serve-b.err" &
B_PID=$!
for _ in $(seq 1 200); do [[ -s $NODE_DIR/ready-b ]] && break; sleep 0.05; done
[[ -s $NODE_DIR/ready-b ]] || fail "node B did not start: $(tail -5 "$NODE_DIR/serve-b.err")"
B_ADDR=$(cat "$NODE_DIR/ready-b")
[[ $A_ADDR != "$B_ADDR" ]] || fail "the two nodes listen on one address"
ok
on() { NODE_ADDR=$1; } # the node the next request goes to
posts=0 releases=0

# An allowed query on each node.
for addr in "$A_ADDR" "$B_ADDR"; do
  on "$addr"
  q CO0010000 "DQ.CO0010000.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/DET J RIVERA"
  posts=$((posts + 1))
  expect_status 200
  body_has "OLN/$OLN"
done

# Held by B; pending seen through A; approved by a reviewer; answered by A.
on "$B_ADDR"
q DCFBI0100 "DQ.DCFBI0100.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/SA JONES.CAS/2026-0042"
posts=$((posts + 1))
expect_status 202
mid=$(sed -n 's/^MID\/\([^.]*\)\.STS.*/\1/p' "$TMP/body")
[[ -n $mid ]] || fail "no MID"; ok
on "$A_ADDR"
req GET "/v1/messages/$mid" DCFBI0100
expect_status 202
body_has "MID/$mid"
req GET "/v1/messages/$mid" CO0010000
expect_status 404
node_sql "UPDATE node_held SET state = 1, reviewer = 'reviewer1' WHERE mid = '$mid'" >/dev/null
req GET "/v1/messages/$mid" DCFBI0100
releases=$((releases + 1))
expect_status 200
body_has "STS/FOUND"
body_has "OLN/$OLN"
body_lacks "ADR/" # the policy's redaction for federal requesters

# Held by A; denied; the denial answered by B.
on "$A_ADDR"
q DCFBI0100 "DQ.DCFBI0100.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/SA JONES.CAS/2026-0043"
posts=$((posts + 1))
expect_status 202
mid2=$(sed -n 's/^MID\/\([^.]*\)\.STS.*/\1/p' "$TMP/body")
[[ -n $mid2 && $mid2 != "$mid" ]] || fail "second MID"; ok
node_sql "UPDATE node_held SET state = 2, reviewer = 'reviewer2', decision_reason = 'no warrant' WHERE mid = '$mid2'" >/dev/null
on "$B_ADDR"
req GET "/v1/messages/$mid2" DCFBI0100 # (a denial releases nothing: no entry of its own)
[[ $STATUS == 403 ]] || fail "a denied request: HTTP $STATUS"; ok
body_has "STS/DENIED"
body_lacks "OLN/$OLN"

# Both nodes at once: every request answered.
burst() { # ADDR N: N allowed queries, statuses to $TMP/burst-ADDR
  local i
  for i in $(seq 1 "$2"); do
    curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 --cacert "$NODE_DIR/certs/ca.pem" \
      --cert "$NODE_DIR/certs/CO0010000.pem" --key "$NODE_DIR/certs/CO0010000.key" \
      -H 'Content-Type: text/plain' --data-binary "DQ.CO0010000.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/BURST $i" "https://$1/v1/messages"
  done >"$TMP/burst-${1//[:.]/_}"
}
burst "$A_ADDR" 25 &
BA=$!
burst "$B_ADDR" 25
wait "$BA"
posts=$((posts + 50))
[[ $(cat "$TMP"/burst-* | grep -c '^200$') -eq 50 ]] ||
  fail "burst: $(sort "$TMP"/burst-* | uniq -c | tr '\n' ' ')"
ok

# One log seen through either node.
sleep 0.2 # a checkpoint (every 50 ms) covering everything
on "$A_ADDR"
req GET /checkpoint CO0010000
expect_status 200
cp_a=$(cat "$TMP/body")
on "$B_ADDR"
req GET /checkpoint CO0010000
cp_b=$(cat "$TMP/body")
[[ $cp_a == "$cp_b" ]] || fail "the nodes serve different checkpoints"; ok
[[ $(sed -n 2p <<<"$cp_a") -eq $((posts + releases)) ]] ||
  fail "checkpoint size $(sed -n 2p <<<"$cp_a"), expected $((posts + releases))"
ok
req GET "/v1/audit/proof?index=3" CO0010000
expect_status 200
body_has '"leafIdx":3'

# Stop everything; the one log verifies with an entry per message and release.
kill -TERM "$B_PID"
wait "$B_PID" || fail "node B exited with an error"
B_PID=
node_stop
[[ $NODE_EXIT == 0 ]] || fail "node A exited $NODE_EXIT"; ok
kill -TERM "$SEQ"
wait "$SEQ" || fail "the sequencer exited with an error"
"$DMVGATE" audit verify "$NODE_DIR/audit" --key "$NODE_DIR/audit-key.pub" >"$TMP/verify" ||
  fail "audit verify: $(cat "$TMP/verify")"
grep -q "^ok: $((posts + releases)) entries" "$TMP/verify" || fail "verify: $(cat "$TMP/verify")"
ok
"$DMVGATE" audit dump "$NODE_DIR/audit" >"$TMP/dump"
# The message ids (MID) in the entries name the node process that made them.
prefixes=$(python3 - "$TMP/dump" <<'EOF2'
import base64, json, re, sys
seen = set()
for line in open(sys.argv[1]):
    o = json.loads(line)
    text = o.get("msg_id") or base64.b64decode(o.get("raw", "")).decode("latin-1")
    m = re.search(r"CO-[0-9a-f]+-", text)
    if m:
        seen.add(m.group(0))
print(len(seen))
EOF2
)
[[ $prefixes -eq 2 ]] || fail "entries from $prefixes node processes, expected 2"
ok
pass
