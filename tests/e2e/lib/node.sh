# node.sh - helpers for the whole-process tests of `dmvgate serve` (sourced
# after common.sh). node_setup makes everything a node needs in $TMP at test
# time: TLS material (certs.sh), a small seeded store, a few agencies, a
# policy, an audit key and a configuration; node_start runs it on a free
# loopback port; q sends a message over HTTPS with an agency's certificate.
# With tests/e2e/lib/backend.sh sourced first, the store is the backend under
# test (SQLite file or PostgreSQL schema); node_sql runs SQL on it.

NODE_DIR=$TMP/node
NODE_PID=
NODE_ADDR=

# node_setup [dev]: prepare $NODE_DIR; "dev" writes a development-mode config.
node_setup() {
  mkdir -p "$NODE_DIR"
  NODE_STORE=$NODE_DIR/co.db
  if declare -F dg_store >/dev/null; then NODE_STORE=$(dg_store node); fi
  bash "$DG_SOURCE_DIR/tests/e2e/lib/certs.sh" "$NODE_DIR/certs" CO0010000 AZ0070000 DCICE0100 \
    DCFBI0100 >/dev/null
  "$DMVGATE" seed --state CO --drivers 500 --db "$NODE_STORE" >/dev/null 2>&1
  cat >"$NODE_DIR/agencies.csv" <<'CSV'
ori,name,state,level,department,component,category,agreements
CO0010000,TEST COUNTY SHERIFF'S OFFICE,CO,local,,,sheriff,
AZ0070000,TEST CITY POLICE DEPARTMENT,AZ,local,,,municipal_police,
DCICE0100,ICE ERO TEST FIELD OFFICE,DC,federal,DHS,ICE-ERO,federal_le,
DCFBI0100,FBI TEST FIELD OFFICE,DC,federal,DOJ,FBI,federal_le,
CSV
  cat >"$NODE_DIR/co.policy" <<'POL'
policy "Colorado test policy" state CO
deny "civil immigration enforcement (C.R.S. 24-74-103)"
    when requester.component in [ICE-ERO] or purpose == immigration
review "federal requests need a judicial warrant" within 48h
    when requester.level == federal and legal_process != judicial_warrant
redact [lawful_presence, address] when requester.level == federal
default allow
POL
  (cd "$NODE_DIR" && "$DMVGATE" audit keygen node.co.test/audit --out audit-key >/dev/null)
  {
    echo "role = node"
    echo "state = CO"
    echo "listen = 127.0.0.1:0"
    echo "threads = 2"
    echo "store = $NODE_STORE"
    echo "directory = agencies.csv"
    echo "policy = co.policy"
    echo "audit_dir = audit"
    echo "audit_key = audit-key.key"
    echo "max_body = 4k"
    echo "access_log = access.log"
    echo "shutdown_grace = 5"
    if [[ ${1:-} == dev ]]; then
      echo "dev_mode = yes"
    else
      echo "tls_cert = certs/server.pem"
      echo "tls_key = certs/server.key"
      echo "tls_client_ca = certs/ca.pem"
      echo "tls_crl = certs/ca.crl"
      echo "hub_identity = hub.dmvgate.test"
    fi
  } >"$NODE_DIR/node.conf"
  # Sample keys of the seeded store: a license number, a name with its DOB.
  local sample
  sample=$("$DMVGATE" seed --list-sample --db "$NODE_STORE" --count 1 2>/dev/null)
  OLN=$(sed -n 's/^--oln \([^ ]*\) .*/\1/p' <<<"$sample" | head -1)
  NAMEDOB=$(sed -n 's/^--name "\(.*\)" --dob \(.*\)$/\1|\2/p' <<<"$sample" | head -1)
  [[ -n $OLN && -n $NAMEDOB ]] || fail "no sample keys from the seeded store"
}

node_stop_trap() {
  if [[ -n $NODE_PID ]]; then kill "$NODE_PID" 2>/dev/null || true; wait "$NODE_PID" 2>/dev/null || true; fi
  if declare -F dg_backend_cleanup >/dev/null; then dg_backend_cleanup; else cleanup_tmp; fi
}

# node_sql SQL: run SQL on the node's store (either backend); rows on stdout.
node_sql() {
  if [[ $NODE_STORE == postgresql://* ]]; then
    psql -qAtX "$NODE_STORE" -c "$1"
  else
    sqlite3 "$NODE_STORE" "$1"
  fi
}

# node_start [ENV=VALUE...]: run the node in the background until it listens.
node_start() {
  rm -f "$NODE_DIR/ready"
  env "$@" "$DMVGATE" serve --config "$NODE_DIR/node.conf" --ready-file "$NODE_DIR/ready" \
    >>"$NODE_DIR/serve.out" 2>>"$NODE_DIR/serve.err" &
  NODE_PID=$!
  trap node_stop_trap EXIT
  for _ in $(seq 1 200); do
    [[ -s $NODE_DIR/ready ]] && break
    kill -0 "$NODE_PID" 2>/dev/null || fail "node did not start: $(tail -5 "$NODE_DIR/serve.err")"
    sleep 0.05
  done
  [[ -s $NODE_DIR/ready ]] || fail "node did not say where it listens"
  NODE_ADDR=$(cat "$NODE_DIR/ready")
}

# node_stop: SIGTERM and wait; sets NODE_EXIT.
node_stop() {
  kill -TERM "$NODE_PID"
  NODE_EXIT=0
  wait "$NODE_PID" || NODE_EXIT=$?
  NODE_PID=
  # With a sanitizer build of the binary, any report fails the test.
  if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$NODE_DIR/serve.err"; then
    fail "sanitizer report: $(grep -A20 -E 'AddressSanitizer|LeakSanitizer|runtime error:' "$NODE_DIR/serve.err" | head -40)"
  fi
}

# req METHOD PATH CERT [BODY [CONTENT-TYPE]]: HTTPS request with CERT ("-" for
# none); the body of the answer goes to $TMP/body, headers to $TMP/headers,
# the status to STATUS (000 when the connection failed).
req() {
  local method=$1 path=$2 cert=$3 body=${4-} ctype=${5:-text/plain}
  local args=(-s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' --max-time 20
    --path-as-is --cacert "$NODE_DIR/certs/ca.pem" -X "$method")
  [[ $cert != - ]] && args+=(--cert "$NODE_DIR/certs/$cert.pem" --key "$NODE_DIR/certs/$cert.key")
  [[ -n $body ]] && args+=(-H "Content-Type: $ctype" --data-binary "$body")
  STATUS=$(curl "${args[@]}" "https://$NODE_ADDR$path" 2>/dev/null) || true
  [[ -n $STATUS ]] || STATUS=000
}

# q CERT MESSAGE [CONTENT-TYPE]: POST a message.
q() { req POST /v1/messages "$@"; }

# expect_status CODE: the last request's status.
expect_status() {
  [[ $STATUS == "$1" ]] || fail "expected HTTP $1, got $STATUS: $(head -c 400 "$TMP/body" 2>/dev/null)"
  ok
}

# body_has TEXT / body_lacks TEXT
body_has() { grep -qF -- "$1" "$TMP/body" || fail "answer lacks '$1': $(head -c 600 "$TMP/body")"; ok; }
body_lacks() { ! grep -qF -- "$1" "$TMP/body" || fail "answer has '$1': $(head -c 600 "$TMP/body")"; ok; }
