#!/usr/bin/env bash
# Hostile clients, SQL metacharacters (issue 12; docs/reliability.md,
# "Hostile clients"): every field of a message, every parameter of the review
# console's API and the login form get quotes, semicolons, comments and
# UNION/DROP text. Fields whose format forbids them are refused with the
# field named; fields that allow them (ATN is free text, NAM has apostrophes)
# are stored and shown back verbatim; the console's parameters match nothing
# or are refused; nobody logs in with them. At the end the store still has
# every table and row it should, and the node still serves.
# dg-test-backends: sqlite postgresql
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/node.sh"
. "$(dirname "$0")/lib/review.sh"

review_setup
node_start
INJ=("' OR '1'='1" "'; DROP TABLE node_held;--" "1 UNION SELECT name FROM sqlite_master" \
  "\"); DELETE FROM users; --" "x' /*" "%' --")

# ---- message fields: each refused with its own field and code ---------------
# FIELD: the tag whose value is replaced in a valid FBI query.
base() { printf 'DQ.DCFBI0100.CO.TXT\n%s' "$1"; }
for v in "${INJ[@]}"; do
  for f in OLN OLS NAM DOB SEX CAS LEG PUR RSN IMQ; do
    case $f in
      OLN) m="OLN/$v.OLS/CO.PUR/C.ATN/SA JONES" ;;
      OLS) m="OLN/$OLN.OLS/$v.PUR/C.ATN/SA JONES" ;;
      NAM) m="NAM/$v.DOB/19800101.PUR/C.ATN/SA JONES" ;;
      DOB) m="NAM/DOE,JOHN.DOB/$v.PUR/C.ATN/SA JONES" ;;
      SEX) m="NAM/DOE,JOHN.DOB/19800101.SEX/$v.PUR/C.ATN/SA JONES" ;;
      CAS) m="OLN/$OLN.OLS/CO.PUR/C.ATN/SA JONES.CAS/$v" ;;
      LEG) m="OLN/$OLN.OLS/CO.PUR/C.ATN/SA JONES.LEG/JW $v" ;;
      PUR) m="OLN/$OLN.OLS/CO.PUR/$v.ATN/SA JONES" ;;
      RSN) m="OLN/$OLN.OLS/CO.PUR/C.ATN/SA JONES.RSN/$v" ;;
      IMQ) m="OLN/$OLN.OLS/CO.PUR/C.ATN/SA JONES.IMQ/$v" ;;
    esac
    hq POST /v1/messages DCFBI0100 "$(base "$m")"
    # A '.' in the value ends the field early: then the rest is a bad tag.
    expect_status 400
    body_has "STS/INVALID"
    grep -qE "ERF/($f|[A-Z0-9_]+)" "$TMP/body" || fail "$f='$v': no field named: $(cat "$TMP/body")"
    ok
  done
  # the vehicle keys
  hq POST /v1/messages DCFBI0100 "$(printf 'RQ.DCFBI0100.CO.TXT\nLIC/%s.LIS/CO.PUR/C.ATN/SA JONES' "$v")"
  expect_status 400
  hq POST /v1/messages DCFBI0100 "$(printf 'RQ.DCFBI0100.CO.TXT\nVIN/%s.PUR/C.ATN/SA JONES' "$v")"
  expect_status 400
  # the header: key, ORI, destination
  hq POST /v1/messages DCFBI0100 "$(printf 'DQ.%s.CO.TXT\nOLN/%s.OLS/CO.PUR/C.ATN/X' "$v" "$OLN")"
  expect_status 400
  hq POST /v1/messages DCFBI0100 "$(printf 'DQ.DCFBI0100.%s.TXT\nOLN/%s.OLS/CO.PUR/C.ATN/X' "$v" "$OLN")"
  expect_status 400
done
# the JSON form: the same values as JSON strings
for v in "${INJ[@]}"; do
  j=${v//\\/\\\\}
  j=${j//\"/\\\"}
  curl -s -o "$TMP/body" -w '%{http_code}' -H 'X-DG-ORI: DCFBI0100' -H 'Content-Type: application/json' \
    --data-binary "{\"key\":\"DQ\",\"ori\":\"DCFBI0100\",\"dest\":[\"CO\"],\"fields\":{\"OLN\":\"$j\",\"OLS\":\"CO\",\"PUR\":\"C\",\"ATN\":\"X\"}}" \
    "http://$NODE_ADDR/v1/messages" >"$TMP/code"
  [[ $(cat "$TMP/code") == 400 ]] || fail "JSON OLN '$v': HTTP $(cat "$TMP/code")"; ok
  body_has '"ERF":"OLN"'
done

# ---- fields that allow them: stored and shown back verbatim -----------------
# ATN is free text (printable ASCII, no '.' in the text form); NAM has apostrophes.
ATN="X'); DROP TABLE node_held;--"
held DCFBI0100 "$(base "OLN/$OLN.OLS/CO.PUR/C.ATN/$ATN.CAS/2026-0042")"
H1=$MID
held DCFBI0100 "$(base "NAM/O'BRIEN,SEAN.DOB/19800101.PUR/C.ATN/' OR '1'='1")"
H2=$MID
hq GET "/v1/messages/$H1" DCFBI0100
expect_status 202

# sessions first: the bad logins below reach the per-address rate limit
login root
ROOT_SID=$SID ROOT_CSRF=$CSRF
login carol
CAROL_SID=$SID CAROL_CSRF=$CSRF
login bob
cq GET /console/api/queue
expect_status 200
json "r.items.length === 2 && r.items.some(i => i.mid === '$H1' && i.attention === \"$ATN\")"
json "r.items.some(i => i.mid === '$H2' && i.attention === \"' OR '1'='1\")"

# ---- the console's parameters: no match, or refused --------------------------
for v in "${INJ[@]}"; do
  enc=$(node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$v")
  for p in state category rule; do
    cq GET "/console/api/queue?$p=$enc"
    [[ $STATUS == 400 ]] || { expect_status 200 && json 'r.items.length === 0'; }
  done
  cq GET "/console/api/request?mid=$enc"
  [[ $STATUS == 400 || $STATUS == 404 ]] || fail "request mid '$v': HTTP $STATUS"; ok
  cq POST /console/api/open "mid=$v"
  [[ $STATUS == 400 || $STATUS == 404 ]] || fail "open mid '$v': HTTP $STATUS"; ok
  cq POST /console/api/decide "mid=$v" action=deny reason=x
  [[ $STATUS == 400 || $STATUS == 404 ]] || fail "decide mid '$v': HTTP $STATUS"; ok
  cq POST /console/api/decide "mid=$H1" "action=$v" reason=x
  expect_status 400
  # login: no one is let in by a quote, in the name or the password
  code=$(curl -s -o "$TMP/body" -w '%{http_code}' --data-urlencode "name=$v" \
    --data-urlencode "password=$v" "http://$NODE_ADDR/console/api/login")
  [[ $code == 401 || $code == 400 || $code == 429 ]] || fail "login '$v': HTTP $code"; ok
  code=$(curl -s -o "$TMP/body" -w '%{http_code}' --data-urlencode "name=bob" \
    --data-urlencode "password=$v" "http://$NODE_ADDR/console/api/login")
  [[ $code == 401 || $code == 403 || $code == 429 ]] || fail "login bob/'$v': HTTP $code"; ok
done
# an admin adding an account whose name is an injection: refused by its format
SID=$ROOT_SID CSRF=$ROOT_CSRF
cq POST /console/api/users "name=x'; DROP TABLE users;--" role=reviewer "password=$REVIEW_PW"
expect_status 400

# a denial whose reason is an injection: stored verbatim, shown verbatim
SID=$CAROL_SID CSRF=$CAROL_CSRF
REASON="no warrant'); DELETE FROM node_held WHERE ('1'='1"
cq POST /console/api/open "mid=$H1"
expect_status 200
cq POST /console/api/decide "mid=$H1" action=deny "reason=$REASON"
expect_status 200
hq GET "/v1/messages/$H1" DCFBI0100
expect_status 403
body_has "STS/DENIED"
body_has "$REASON"
cq GET /console/api/history
expect_status 200
json "r.items.some(i => i.mid === '$H1' && i.decision_reason === \"$REASON\")"

# ---- the store is whole, and the node still serves --------------------------
[[ $(node_sql "SELECT count(*) FROM node_held") == 2 ]] || fail "node_held rows: $(node_sql "SELECT count(*) FROM node_held")"
ok
[[ $(node_sql "SELECT count(*) FROM review_users") == 5 ]] || fail "review_users rows: $(node_sql "SELECT count(*) FROM review_users")"
ok
hq POST /v1/messages CO0010000 "DQ.CO0010000.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/DET J RIVERA"
expect_status 200
body_has "OLN/$OLN"
node_stop
[[ $NODE_EXIT == 0 ]] || fail "node exited $NODE_EXIT"; ok
"$DMVGATE" audit verify "$NODE_DIR/audit" --key "$NODE_DIR/audit-key.pub" >/dev/null || fail "audit verify"
ok
# every refused message is an audit entry, and none carries the injected text
"$DMVGATE" audit dump "$NODE_DIR/audit" >"$TMP/dump"
n=$(grep -c '"event":"malformed"' "$TMP/dump" || true)
((n >= 6 * 14 + 6)) || fail "expected at least 90 malformed entries, got $n"; ok
! grep -qF 'DROP TABLE' "$TMP/dump" || fail "injected text in the public audit entries"; ok
pass
