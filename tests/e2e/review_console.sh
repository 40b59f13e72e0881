#!/usr/bin/env bash
# Whole-process test of the review console's API (lib/review) on a
# development-mode node: login (wrong password, lockout, rate limit), roles on
# every page and API, CSRF tokens on every POST, the queue and its filters,
# opening a request (the record shown only then), approve and deny with a
# reason and what the requester's poll gets, never one's own agency, two
# approvers for a two-person rule, notices (CSV, marked sent), the deadline
# sweeper (deny, escalate) without any poll, history, and the audit entries.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/node.sh"
. "$(dirname "$0")/lib/review.sh"

review_setup
node_start

# nothing without a session; the login page and its files are public
SID= cq GET /console/api/queue
expect_status 401
SID= cq GET /console/queue
expect_status 303
grep -qi '^Location: /console/?next=/console/queue' "$TMP/headers" || fail "no redirect to login"; ok
SID= cq GET /console/
expect_status 200
body_has '<form'
grep -qi '^Content-Security-Policy: default-src .self.' "$TMP/headers" || fail "no CSP"; ok

# wrong password: 401, audited; the cookie is HttpOnly, Secure, SameSite=Strict
code=$(curl -s -o "$TMP/body" -w '%{http_code}' --data-urlencode name=bob --data-urlencode password=wrong-password \
  "http://$NODE_ADDR/console/api/login")
[[ $code == 401 ]] || fail "wrong password: $code"; ok
login alice
grep -qi '^Set-Cookie: dg_session=[0-9a-f]\{64\}; Path=/; HttpOnly; Secure; SameSite=Strict' "$TMP/login.h" ||
  fail "cookie attributes: $(grep -i set-cookie "$TMP/login.h")"; ok
ALICE_SID=$SID ALICE_CSRF=$CSRF
cq GET /console/api/me
expect_status 200
json 'r.name === "alice" && r.role === "reviewer" && r.agency === "CO0010000"'

# held requests: FBI without a warrant; Arizona (escalates); a photo (two reviewers)
held DCFBI0100 "DQ.DCFBI0100.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/SA JONES.CAS/2026-0042"
FBI1=$MID
held DCFBI0100 "DQ.DCFBI0100.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/SA JONES.CAS/2026-0043"
FBI2=$MID
held AZ0070000 "DQ.AZ0070000.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/OFC LOPEZ"
AZ=$MID
held CO0010000 "IQ.CO0010000.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/DET J RIVERA"
PHOTO=$MID

# the queue: oldest first, the requester's directory entry, no record values
cq GET /console/api/queue
expect_status 200
json "r.items.length === 4 && r.items[0].mid === '$FBI1' && r.items[3].mid === '$PHOTO'"
json 'r.items[0].requester.name === "FBI TEST FIELD OFFICE" && r.items[0].requester.category === "federal_le"'
json 'r.items[0].case === "2026-0042" && r.items[0].purpose === "criminal_justice" && r.items[0].seconds_left > 0'
json 'r.items[0].rule === "federal requests need a judicial warrant" && r.items[0].asked.includes("address")'
body_lacks "$OLN"
cq GET '/console/api/queue?category=federal_le'
json "r.items.length === 2"
cq GET '/console/api/queue?rule=photo+requests+need+two+reviewers'
json "r.items.length === 1 && r.items[0].two_person === true"
cq GET '/console/api/queue?category=nonsense'
expect_status 400

# CSRF: a POST without the token (or with another) is refused and audited
NOCSRF=1 cq POST /console/api/decide mid=$FBI1 action=approve reason=ok
expect_status 403
body_has ECSRF
CSRF=0000000000000000000000000000000000000000000000000000000000000000 cq POST /console/api/decide \
  mid=$FBI1 action=approve reason=ok
expect_status 403
cq POST /console/api/decide "mid=$FBI1" action=approve "csrf=$ALICE_CSRF" "reason=  " # empty reason
expect_status 400

# opening shows the record (the federal redactions applied); audited
cq POST /console/api/open mid=$FBI1
expect_status 200
body_has "\"OLN\":\"$OLN\""
json 'r.records.length === 1 && r.records[0].address === undefined'

# approve: the requester's poll gets the answer, redacted, without the reviewer
cq POST /console/api/decide mid=$FBI1 action=approve "reason=warrant seen by phone, case 42"
expect_status 200
json 'r.state === "approved" && r.reviewer === "alice"'
hq GET /v1/messages/$FBI1 DCFBI0100
expect_status 200
body_has "STS/FOUND"
body_has "OLN/$OLN"
body_lacks "ADR/"
body_lacks alice
cq POST /console/api/decide mid=$FBI1 action=deny reason=again
expect_status 409

# deny: the requester gets the reason (not who)
login bob
cq POST /console/api/decide mid=$FBI2 action=deny "reason=no warrant for a civil matter"
expect_status 200
hq GET /v1/messages/$FBI2 DCFBI0100
expect_status 403
body_has "STS/DENIED"
body_has "no warrant for a civil matter"
body_has "ERC/708"
body_lacks bob

# own agency: alice (CO0010000) may not approve the sheriff's photo request
SID=$ALICE_SID CSRF=$ALICE_CSRF cq POST /console/api/decide mid=$PHOTO action=approve reason=fine
expect_status 403
body_has EOWNAGENCY
# two people: bob approves, still held; bob again refused; carol completes it
cq POST /console/api/decide mid=$PHOTO action=approve "reason=photo for a lineup, case 7"
expect_status 200
json 'r.state === "awaiting_second" && r.approvals === "bob"'
hq GET /v1/messages/$PHOTO CO0010000
expect_status 202
cq POST /console/api/decide mid=$PHOTO action=approve reason=again
expect_status 409
login carol
cq POST /console/api/decide mid=$PHOTO action=approve "reason=second approval"
expect_status 200
json 'r.state === "approved" && r.reviewer === "bob+carol"'
hq GET /v1/messages/$PHOTO CO0010000
expect_status 200
body_has "STS/FOUND"

# roles: a reviewer cannot reach the admin page or API, nor notices; an
# auditor reads but cannot decide or open; an admin does not see the queue
login bob
cq GET /console/admin
expect_status 403
body_has "Not for your role"
cq GET /console/api/users
expect_status 403
cq GET /console/api/notices
expect_status 403
login dave
cq GET /console/api/queue
expect_status 200
cq POST /console/api/decide mid=$AZ action=approve reason=x
expect_status 403
cq POST /console/api/open mid=$AZ
expect_status 403
login root
ROOT_SID=$SID ROOT_CSRF=$CSRF
cq GET /console/api/queue
expect_status 403
cq GET /console/admin
expect_status 200
cq GET /console/api/users
expect_status 200
json 'r.users.length === 5'
cq POST /console/api/users name=erin role=reviewer agency=AZ0070000 "password=$REVIEW_PW"
expect_status 201
cq POST /console/api/users name=erin role=reviewer "password=$REVIEW_PW"
expect_status 409
cq POST /console/api/users/change name=erin action=remove
expect_status 200
cq POST /console/api/users/change name=root action=remove
expect_status 400

# the deadline: past it, the sweeper denies (no poll needed) or escalates
held DCFBI0100 "DQ.DCFBI0100.CO.TXT
OLN/$OLN.OLS/CO.PUR/C.ATN/SA JONES.CAS/2026-0044"
LATE=$MID
node_sql "UPDATE node_held SET deadline_us = created_us WHERE mid IN ('$LATE', '$AZ')" >/dev/null
for _ in $(seq 1 100); do
  [[ $(node_sql "SELECT state FROM node_held WHERE mid = '$LATE'") == 3 ]] && break
  sleep 0.1
done
[[ $(node_sql "SELECT state FROM node_held WHERE mid = '$LATE'") == 3 ]] || fail "sweeper did not expire"; ok
hq GET /v1/messages/$LATE DCFBI0100
expect_status 403
body_has "ERC/707"
login bob
cq GET '/console/api/queue?state=escalated'
json "r.items.length === 1 && r.items[0].mid === '$AZ'"
cq POST /console/api/decide mid=$AZ action=approve reason=late
expect_status 403
login carol
cq POST /console/api/decide mid=$AZ action=deny "reason=out of state, too late"
expect_status 200

# notices: the federal approval is noticed; CSV export (audited); marked sent
cq GET /console/api/notices
expect_status 200
json "r.items.length === 1 && r.items[0].mid === '$FBI1' && r.items[0].case === '2026-0042' && r.items[0].sent_us === 0"
cq GET /console/api/notices.csv
expect_status 200
grep -qi '^Content-Type: text/csv' "$TMP/headers" || fail "CSV type"; ok
body_has "$FBI1"
body_has "OLN/$OLN"
cq POST /console/api/notices/sent mid=$FBI1
json 'r.marked === 1'
cq GET /console/api/notices.csv
body_lacks "$FBI1"

# history: supervisors see all decisions, a reviewer only their own
cq GET /console/api/history
json "r.scope === 'all' && r.items.length === 5"
login bob
cq GET /console/api/history
json "r.scope === 'own' && r.items.every(i => i.reviewer.split('+').includes('bob'))"

# logout ends the session
cq POST /console/api/logout
expect_status 200
cq GET /console/api/me
expect_status 401

# lockout after 5 wrong passwords (then even the right one is refused); rate limit
for i in 1 2 3 4 5; do
  curl -s -o /dev/null --data-urlencode name=dave --data-urlencode password=wrong-password-$i \
    "http://$NODE_ADDR/console/api/login"
done
code=$(curl -s -o "$TMP/body" -w '%{http_code}' --data-urlencode name=dave --data-urlencode "password=$REVIEW_PW" \
  "http://$NODE_ADDR/console/api/login")
[[ $code == 403 ]] || fail "lockout: $code"; ok
body_has ELOCKEDOUT
for i in $(seq 1 12); do
  code=$(curl -s -o "$TMP/body" -w '%{http_code}' --data-urlencode name=nobody --data-urlencode password=x \
    "http://$NODE_ADDR/console/api/login")
done
[[ $code == 429 ]] || fail "rate limit: $code"; ok
# an admin unlocks the locked account (root logged in before the limit)
SID=$ROOT_SID CSRF=$ROOT_CSRF cq POST /console/api/users/change name=dave action=unlock
expect_status 200

node_stop
[[ $NODE_EXIT == 0 ]] || fail "node exit $NODE_EXIT"; ok
audit_dump
for a in login login_failed open approve deny export logout escalate; do
  grep -q "\"action\":\"$a\"" "$TMP/audit.jsonl" || fail "no review entry '$a'"; ok
done
grep -q '"event":"csrf"' "$TMP/audit.jsonl" || fail "no csrf security entry"; ok
grep -q '"event":"forbidden"' "$TMP/audit.jsonl" || fail "no forbidden security entry"; ok
grep -q '"reviewer":"(deadline)"' "$TMP/audit.jsonl" || fail "no deadline entry"; ok
"$DMVGATE" audit verify "$NODE_DIR/audit" >/dev/null 2>&1 || fail "audit log does not verify"; ok
pass
