# review.sh - helpers for the review console's whole-process tests (sourced
# after common.sh and node.sh). review_setup writes a policy that holds
# requests in several ways and adds one account of each role; hq talks plain
# HTTP to a development-mode node (ORI from X-DG-ORI); login/cq talk to the
# console with a session cookie and its CSRF token.
#
# Accounts (password $REVIEW_PW for all):
#   alice  reviewer    agency CO0010000 (the test sheriff: may not approve its requests)
#   bob    reviewer    no agency
#   carol  supervisor
#   dave   auditor
#   root   admin
REVIEW_PW='correct horse battery staple'

# How the console is reached: plain HTTP in development mode (the default),
# or `review_setup tls`: HTTPS with the agency certificate CO0010000 (a node
# outside development mode wants a client certificate on every connection).
REVIEW_SCHEME=http
REVIEW_TLS=()

review_setup() {
  if [[ ${1:-} == tls ]]; then
    node_setup
    REVIEW_SCHEME=https
    REVIEW_TLS=(--cacert "$NODE_DIR/certs/ca.pem" --cert "$NODE_DIR/certs/CO0010000.pem"
      --key "$NODE_DIR/certs/CO0010000.key")
  else
    node_setup dev
  fi
  cat >"$NODE_DIR/co.policy" <<'POL'
policy "Colorado review console test policy" state CO
deny "civil immigration enforcement (C.R.S. 24-74-103)"
    when requester.component in [ICE-ERO] or purpose == immigration
review "photo requests need two reviewers" within 48h by two reviewers
    when query.key == IQ
review "federal requests need a judicial warrant" within 48h, notify subject
    when requester.level == federal and legal_process != judicial_warrant
review "out-of-state requests go to a reviewer" within 1m then escalate
    when requester.state != CO
redact [lawful_presence, address] when requester.level == federal
default allow
POL
  local u
  for u in "alice reviewer CO0010000" "bob reviewer" "carol supervisor" "dave auditor" "root admin"; do
    set -- $u
    printf '%s\n' "$REVIEW_PW" | "$DMVGATE" user add "$1" --role "$2" ${3:+--agency "$3"} \
      --db "$NODE_STORE" >/dev/null || fail "user add $1"
  done
  export DG_WEB_DIR=$DG_SOURCE_DIR/web
}

# hq METHOD PATH ORI [BODY]: a message or poll in development mode.
hq() {
  local args=(-s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' --max-time 30 -X "$1")
  [[ $3 != - ]] && args+=(-H "X-DG-ORI: $3")
  [[ -n ${4-} ]] && args+=(-H 'Content-Type: text/plain' --data-binary "$4")
  STATUS=$(curl "${args[@]}" "http://$NODE_ADDR$2" 2>/dev/null) || STATUS=000
}

# held ORI MESSAGE: post a message that the policy holds; sets MID.
held() {
  hq POST /v1/messages "$1" "$2"
  expect_status 202
  MID=$(sed -n 's/^MID\/\([^.]*\)\.STS.*/\1/p' "$TMP/body")
  [[ -n $MID ]] || fail "no MID in the HELD answer: $(cat "$TMP/body")"
}

# login NAME: log in; sets SID (the session cookie) and CSRF.
login() {
  local code
  code=$(curl -s -o "$TMP/login" -D "$TMP/login.h" -w '%{http_code}' --max-time 30 \
    "${REVIEW_TLS[@]}" --data-urlencode "name=$1" --data-urlencode "password=${2:-$REVIEW_PW}" \
    "$REVIEW_SCHEME://$NODE_ADDR/console/api/login") || code=000
  [[ $code == 200 ]] || fail "login $1: HTTP $code $(cat "$TMP/login")"
  SID=$(sed -n 's/^Set-Cookie: dg_session=\([0-9a-f]*\);.*/\1/pI' "$TMP/login.h" | tr -d '\r')
  CSRF=$(sed -n 's/.*"csrf":"\([0-9a-f]*\)".*/\1/p' "$TMP/login")
  [[ -n $SID && -n $CSRF ]] || fail "login $1: no session cookie or CSRF token"
}

# cq METHOD PATH [FORM...]: a console request in the current session, with
# its CSRF token (unset NOCSRF); each FORM is name=value, URL-encoded; with
# BODY_FILE set, that file is the body instead (text/plain).
cq() {
  local method=$1 path=$2; shift 2
  local args=(-s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' --max-time 30 -X "$method"
    -H "Cookie: dg_session=${SID:-none}" "${REVIEW_TLS[@]}")
  [[ $method == POST && -z ${NOCSRF:-} ]] && args+=(-H "X-CSRF-Token: $CSRF")
  [[ -n ${BODY_FILE:-} ]] && args+=(-H 'Content-Type: text/plain' --data-binary "@$BODY_FILE")
  local f
  for f in "$@"; do args+=(--data-urlencode "$f"); done
  [[ $method == POST && $# -eq 0 && -z ${BODY_FILE:-} ]] &&
    args+=(-H 'Content-Type: application/x-www-form-urlencoded' --data-binary '')
  STATUS=$(curl "${args[@]}" "$REVIEW_SCHEME://$NODE_ADDR$path" 2>/dev/null) || STATUS=000
}

# json EXPR: a JavaScript check on the last answer (r is the parsed body).
json() {
  node -e "const r=JSON.parse(require('fs').readFileSync('$TMP/body','utf8')); if (!($1)) process.exit(1)" ||
    fail "json check: $1: $(head -c 600 "$TMP/body")"
  ok
}

# audit_has TEXT: the node's audit log (dumped as JSON lines) holds TEXT.
audit_dump() { "$DMVGATE" audit dump "$NODE_DIR/audit" --private >"$TMP/audit.jsonl" 2>/dev/null || true; }
