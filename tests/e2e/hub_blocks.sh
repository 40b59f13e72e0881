#!/usr/bin/env bash
# Whole-process test of the hub's network-level blocks (docs/hub.md): a
# state's block refuses a requester at the hub, before the message reaches
# the state's node (ER 904 DENIED with the state's reason and the block as
# the rule), other destinations of the same message still answer; each
# refusal is recorded in the hub's audit log before it is answered and
# counted in /metrics and /v1/hub/counts; the blocks file is reloaded on
# SIGHUP (a bad file keeps the blocks in force); the admin API lets only the
# state's admin certificate change that state's blocks, and its edits are
# written to the file.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/node.sh"
. "$(dirname "$0")/lib/hub.sh"

export DG_WEB_DIR=$DG_SOURCE_DIR/web
BLOCKS=$TMP/blocks
cat >"$BLOCKS" <<'B'
# test blocks
CO component ICE-ERO Colorado refuses civil immigration enforcement at the hub
AZ ori  CO0010000
B
hub_network_start "hub_blocks = $BLOCKS
hub_admins = CO=not an ori
store = $TMP/hub/hub.db"
grep -q '"event":"hub_blocks_loaded".*"blocks":"2"' "$HUB_DIR/serve.err" || fail "blocks not loaded: $(tail -3 "$HUB_DIR/serve.err")"
ok
co_lines() { wc -l <"$NODE_DIR/access.log"; }
before=$(co_lines)

# blocked at the hub: CO's node never sees it
q DCICE0100 "DQ.DCICE0100.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/OFC ICE"
expect_status 403
body_has "ER.DCICE0100.CO.TXT"
body_has "STS/DENIED"
body_has "ERC/904"
body_has "Colorado refuses civil immigration enforcement at the hub"
body_has "RUL/hub block CO component ICE-ERO"
body_lacks "NAM/"
[[ $(co_lines) == "$before" ]] || fail "the blocked message reached the CO node"
ok

# two destinations: CO refused at the hub, AZ answers
q DCICE0100 "DQ.DCICE0100.CO.AZ.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/OFC ICE"
expect_status 200
body_has "ER.DCICE0100.CO.TXT"
body_has "ERC/904"
body_has "AZ.TXT"
[[ $(co_lines) == "$before" ]] || fail "the blocked leg reached the CO node"
ok

# an ORI block: CO0010000 may ask CO but not AZ; JSON form too
q CO0010000 '{"key":"DQ","ori":"CO0010000","dest":["AZ"],"fields":{"OLN":"'"$OLN"'","OLS":"CO","PUR":"C","ATN":"DET J RIVERA"}}' application/json
expect_status 403
body_has '"ERC":"904"'
q CO0010000 "DQ.CO0010000.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/DET J RIVERA"
expect_status 200
body_has "STS/FOUND"

# counted
req GET /metrics CO0010000
expect_status 200
body_has 'dmvgate_hub_blocked_legs_total 3'
body_has 'dmvgate_hub_blocked_total{dest="CO",kind="component"} 2'
body_has 'dmvgate_hub_blocked_total{dest="AZ",kind="ori"} 1'
body_has 'dmvgate_hub_routed_total{category="federal_le",key="DQ",dest="CO",decision="deny"} 2'
body_has 'dmvgate_hub_routed_total{category="federal_le",key="DQ",dest="AZ",decision="allow"} 1'
body_has 'dmvgate_hub_routed_total{category="sheriff",key="DQ",dest="CO",decision="allow"} 1'
body_has 'dmvgate_hub_routed_component_total{department="DHS",component="ICE-ERO",key="DQ",dest="CO"} 2'
body_has 'dmvgate_hub_blocks 2'
req GET /v1/hub/counts CO0010000
expect_status 200
jq -e '.blocked_legs == 3 and ([.by_component[] | select(.component == "ICE-ERO") | .count] | add) == 3' "$TMP/body" >/dev/null ||
  fail "counts JSON: $(cat "$TMP/body")"
ok

# the hub's dashboard is served
req GET /dashboard/ CO0010000
expect_status 200

# SIGHUP: a bad file keeps the blocks in force
printf 'CO colour ICE-ERO\n' >"$BLOCKS"
kill -HUP "$HUB_PID"
for _ in $(seq 1 100); do grep -q hub_blocks_rejected "$HUB_DIR/serve.err" && break; sleep 0.05; done
grep -q '"event":"hub_blocks_rejected".*"line":"1"' "$HUB_DIR/serve.err" || fail "bad blocks file not reported"
q DCICE0100 "DQ.DCICE0100.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/OFC ICE"
expect_status 403
body_has "ERC/904"
# a good file: the ICE block is gone, the node's own policy decides again
printf '# none for CO\nAZ category sheriff\n' >"$BLOCKS"
kill -HUP "$HUB_PID"
for _ in $(seq 1 100); do [[ $(grep -c '"event":"hub_blocks_loaded"' "$HUB_DIR/serve.err") -ge 2 ]] && break; sleep 0.05; done
q DCICE0100 "DQ.DCICE0100.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/OFC ICE"
expect_status 403
body_has "ERC/705"
body_has "RUL/civil immigration enforcement"
q CO0010000 "DQ.CO0010000.AZ.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/DET J RIVERA"
expect_status 403
body_has "RUL/hub block AZ category sheriff"

# the admin API: CO's admin certificate ("not an ori") edits CO only
admin() { req POST "$1" noori "$2" application/json; }
admin /v1/blocks '{"state":"CO","kind":"ori","value":"AZ0070000","reason":"test block"}'
expect_status 201
grep -q '^CO ori AZ0070000 test block$' "$BLOCKS" || fail "the edit is not in the file: $(cat "$BLOCKS")"
ok
q AZ0070000 "DQ.AZ0070000.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/OFC K LEE"
expect_status 403
body_has "ERC/904"
body_has "test block"
admin /v1/blocks '{"state":"CO","kind":"ori","value":"AZ0070000"}'
expect_status 409
admin /v1/blocks '{"state":"AZ","kind":"ori","value":"DCFBI0100"}'
expect_status 403
admin /v1/blocks '{"state":"CO","kind":"category","value":"nonsense"}'
expect_status 400
body_has "EBLOCKSFILE"
admin /v1/blocks '{"state":"CO","kind":'
expect_status 400
req POST /v1/blocks CO0010000 '{"state":"CO","kind":"ori","value":"DCFBI0100"}' application/json
expect_status 403
req GET /v1/blocks AZ0070000
expect_status 403
req GET /v1/blocks noori
expect_status 200
jq -e '.blocks | length == 1 and .[0].value == "AZ0070000"' "$TMP/body" >/dev/null || fail "list: $(cat "$TMP/body")"
ok
admin /v1/blocks/remove '{"state":"CO","kind":"ori","value":"AZ0070000"}'
expect_status 200
admin /v1/blocks/remove '{"state":"CO","kind":"ori","value":"AZ0070000"}'
expect_status 404
! grep -q AZ0070000 "$BLOCKS" || fail "the removal is not in the file"
grep -q '^AZ category sheriff' "$BLOCKS" || fail "the other blocks were lost: $(cat "$BLOCKS")"
ok
q AZ0070000 "DQ.AZ0070000.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/OFC K LEE"
expect_status 200

# every refusal is in the hub's audit log (4 network blocks, ...) and it verifies
hub_stop
"$DMVGATE" audit verify "$HUB_DIR/audit" >/dev/null || fail "the hub's audit log does not verify"
"$DMVGATE" audit dump "$HUB_DIR/audit" >"$TMP/audit.jsonl"
n=$(grep -c '"rule":"hub block CO component ICE-ERO"' "$TMP/audit.jsonl" || true)
[[ $n == 3 ]] || fail "expected 3 recorded ICE-ERO blocks, got $n: $(head -c 800 "$TMP/audit.jsonl")"
grep '"rule":"hub block CO component ICE-ERO"' "$TMP/audit.jsonl" | head -1 | grep -q '"decision":"deny"' || fail "not a deny"
grep -q '"rule":"hub block AZ ori CO0010000"' "$TMP/audit.jsonl" || fail "the ORI block is not recorded"
grep -q '"rule":"hub block CO ori AZ0070000"' "$TMP/audit.jsonl" || fail "the API block is not recorded"
! grep -q "$OLN" "$TMP/audit.jsonl" || fail "an identifying value is in the public part"
"$DMVGATE" audit dump "$HUB_DIR/audit" --private >"$TMP/private.jsonl"
grep -q "$OLN" "$TMP/private.jsonl" || fail "the OLN is not in the private part: $(grep -m1 "hub block" "$TMP/private.jsonl")"
ok
pass
