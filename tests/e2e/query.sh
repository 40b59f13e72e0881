#!/usr/bin/env bash
# Whole-process test of `dmvgate query`, the client a person types into: a hub
# in front of two nodes (CO with a warrant/immigration policy, AZ allowing
# all) and a route to a node that is down (WI). One state and several, the
# one-line form, JSON, a refusal, an ORI/certificate mismatch, a malformed
# message caught before sending, a held query answered through the hub with
# --wait, photos saved, --poll, and the exit statuses 0/1/2.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/node.sh"

. "$(dirname "$0")/lib/hub.sh"
hub_network_start
WAIT_PID=
stop_all() {
  [[ -z $WAIT_PID ]] || { kill "$WAIT_PID" 2>/dev/null || true; wait "$WAIT_PID" 2>/dev/null || true; }
  hub_stop_all
}
trap stop_all EXIT
HUB=https://$(cat "$HUB_DIR/ready")
C=$NODE_DIR/certs

# query AS EXPECTED-EXIT ARGS...: run dmvgate query as agency AS; output in
# $TMP/out and $TMP/err.
query() {
  local as=$1 want=$2 got=0
  shift 2
  "$DMVGATE" query --hub "$HUB" --cert "$C/$as.pem" --key "$C/$as.key" --ca "$C/ca.pem" "$@" \
    >"$TMP/out" 2>"$TMP/err" || got=$?
  [[ $got == "$want" ]] || fail "query $* as $as: exit $got, not $want: $(head -c 600 "$TMP/out") $(head -c 300 "$TMP/err")"
  ok
}
out_has() { grep -qF -- "$1" "$TMP/out" || fail "output lacks '$1': $(head -c 800 "$TMP/out")"; ok; }
err_has() { grep -qF -- "$1" "$TMP/err" || fail "stderr lacks '$1': $(head -c 500 "$TMP/err")"; ok; }

# --help explains every option
"$DMVGATE" query --help >"$TMP/help"
for opt in --hub --cert --key --ca --json --raw --wait --interval --poll --state --photos --timeout --quiet; do
  grep -q -- "$opt" "$TMP/help" || fail "query --help does not explain $opt"
done
ok

# one state, the one-line form a person types (a space after TXT)
query CO0010000 0 "DQ.CO0010000.CO.TXT OLN/$OLN.OLS/CO.PUR/C.ATN/DET J RIVERA"
out_has "CO: FOUND (DR to CO0010000, MID "
out_has "license number        $OLN"
out_has "date of birth"
# the same as separate words, and from stdin
query CO0010000 0 DQ.CO0010000.CO.TXT "OLN/$OLN.OLS/CO.PUR/C.ATN/DET" J RIVERA
out_has "CO: FOUND"
printf 'DQ.CO0010000.CO.TXT\nOLN/%s.OLS/CO.PUR/C.ATN/DET J RIVERA\n' "$OLN" >"$TMP/msg"
query CO0010000 0 - <"$TMP/msg"
out_has "CO: FOUND"

# several states: each answers on its own (AZ has no such license)
query AZ0070000 1 "DQ.AZ0070000.CO.AZ.TXT OLN/$OLN.OLS/CO.PUR/C.ATN/OFC K LEE"
out_has "CO: FOUND (DR to AZ0070000"
out_has "AZ: NOTFOUND (DR to AZ0070000"
# a node down: ER FAILED for WI, CO still answers; exit 2
query AZ0070000 2 "DQ.AZ0070000.CO.WI.TXT OLN/$OLN.OLS/CO.PUR/C.ATN/OFC K LEE"
out_has "CO: FOUND"
out_has "WI: FAILED"
out_has "error 901 (EUNREACHABLE)"

# JSON in, JSON out; --raw shows the hub's own bytes
query AZ0070000 1 --json "DQ.AZ0070000.CO.AZ.TXT OLN/$OLN.OLS/CO.PUR/C.ATN/OFC K LEE"
[[ $(wc -l <"$TMP/out") == 2 ]] || fail "--json: not one line per answer: $(cat "$TMP/out")"
out_has '"key":"DR","ori":"AZ0070000","src":"CO"'
out_has '"STS":"NOTFOUND"'
query CO0010000 0 "{\"key\":\"DQ\",\"ori\":\"CO0010000\",\"dest\":[\"CO\"],\"fields\":{\"OLN\":\"$OLN\",\"OLS\":\"CO\",\"PUR\":\"C\",\"ATN\":\"DET J RIVERA\"}}"
out_has "CO: FOUND"
query AZ0070000 2 --raw "DQ.AZ0070000.CO.WI.TXT OLN/$OLN.OLS/CO.PUR/C.ATN/OFC K LEE"
out_has "DR.AZ0070000.CO.TXT"
out_has "ER.AZ0070000.WI.TXT"

# refused by the policy: exit 1 with the reason and the rule
query DCICE0100 1 "DQ.DCICE0100.CO.TXT OLN/$OLN.OLS/CO.PUR/C.ATN/SA SMITH"
out_has "CO: DENIED (ER to DCICE0100"
out_has "error 705 (EDENIED): civil immigration enforcement (C.R.S. 24-74-103)"
out_has "rule: "

# the certificate says AZ0070000, the message CO0010000: refused at the hub
query AZ0070000 1 "DQ.CO0010000.CO.TXT OLN/$OLN.OLS/CO.PUR/C.ATN/DET J RIVERA"
out_has "error 701 (EORIMISMATCH)"

# malformed: caught before sending, with the field (the hub URL leads nowhere:
# a message that were sent would fail with 2)
expect_exit 1 "$DMVGATE" query --hub https://127.0.0.1:1 --cert "$C/CO0010000.pem" --ca "$C/ca.pem" \
  "DQ.CO0010000.CO.TXT OLN/$OLN.OLS/CO.PUR/C.ATN/DET J RIVERA.DOB/19991399"
grep -qF "not sent: " "$TMP/.err" || fail "no 'not sent': $(cat "$TMP/.err")"
grep -qF "field DOB" "$TMP/.err" || fail "the field is not named: $(cat "$TMP/.err")"
ok

# a photo, saved
mkdir -p "$TMP/photos"
query AZ0070000 0 --photos "$TMP/photos" "IQ.AZ0070000.CO.TXT OLN/$OLN.OLS/CO.PUR/C.ATN/OFC K LEE"
out_has "CO: FOUND (IR to AZ0070000"
out_has "photo saved: $TMP/photos/"
grep -q '<svg' "$TMP"/photos/*.svg || fail "the saved photo is not the SVG"
ok

# held: the FBI without a warrant; --poll shows it still held (exit 0) ...
query DCFBI0100 0 "DQ.DCFBI0100.CO.TXT OLN/$OLN.OLS/CO.PUR/C.ATN/SA JONES.CAS/2026-0042"
out_has "CO: HELD (DR to DCFBI0100, MID "
out_has "held for a state reviewer"
mid=$(sed -n 's/^CO: HELD (DR to DCFBI0100, MID \(.*\))$/\1/p' "$TMP/out")
[[ -n $mid ]] || fail "no MID printed: $(cat "$TMP/out")"
query DCFBI0100 0 --poll "$mid" --state CO
out_has "CO: HELD"
# ... --wait that runs out is exit 1; another agency cannot poll it
query DCFBI0100 1 --wait 1 --interval 1 --poll "$mid" --state CO
err_has "still held"
query AZ0070000 1 --poll "$mid" --state CO
# ... and --wait gets the records once a reviewer approves
"$DMVGATE" query --hub "$HUB" --cert "$C/DCFBI0100.pem" --ca "$C/ca.pem" --wait 60 --interval 1 \
  --poll "$mid" --state CO >"$TMP/wait.out" 2>"$TMP/wait.err" &
WAIT_PID=$!
sleep 1
node_sql "UPDATE node_held SET state = 1, reviewer = 'reviewer1' WHERE mid = '$mid'" >/dev/null
rc=0
wait "$WAIT_PID" || rc=$?
WAIT_PID=
[[ $rc == 0 ]] || fail "--wait after approval: exit $rc: $(cat "$TMP/wait.out" "$TMP/wait.err")"
grep -qF "CO: FOUND (DR to DCFBI0100" "$TMP/wait.out" || fail "--wait did not print the released answer: $(cat "$TMP/wait.out")"
ok

# usage and connection errors: 2
expect_exit 2 "$DMVGATE" query "DQ.CO0010000.CO.TXT OLN/1.OLS/CO.PUR/C.ATN/X"
expect_exit 2 "$DMVGATE" query --hub "$HUB" --cert "$C/CO0010000.pem" --bogus x
expect_exit 2 "$DMVGATE" query --hub "$HUB" --cert "$C/CO0010000.pem" --ca "$C/ca.pem"
expect_exit 2 "$DMVGATE" query --hub "$HUB" --cert "$C/CO0010000.pem" --ca "$C/ca.pem" --poll X
expect_exit 2 "$DMVGATE" query --hub https://127.0.0.1:1 --cert "$C/CO0010000.pem" --ca "$C/ca.pem" \
  "DQ.CO0010000.CO.TXT OLN/$OLN.OLS/CO.PUR/C.ATN/DET J RIVERA"
# a certificate from a CA the hub does not trust: the handshake fails
expect_exit 2 "$DMVGATE" query --hub "$HUB" --cert "$C/rogue.pem" --ca "$C/ca.pem" \
  "DQ.CO0010000.CO.TXT OLN/$OLN.OLS/CO.PUR/C.ATN/DET J RIVERA"
pass
