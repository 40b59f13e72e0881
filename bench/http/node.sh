#!/usr/bin/env bash
# node.sh - set up and start a dmvgate node for bench/http.sh, and print one
# line "URL LUA PID" for wrk.
#
# The node: state CA, a 1,000,000-driver store (seeded once with the
# project's deterministic generator and kept in BUILD/bench-data), the
# synthetic ~18,000-agency directory, policies/examples/warrant-required.policy,
# and a fresh durable audit log. Development mode (plain HTTP, ORI in a
# header) because wrk cannot present client certificates; nginx and the bare
# server are plain HTTP too, so all three are measured alike. The load: DQ by
# OLN from a local police department (the policy allows it: lookup, answer,
# audit), cycling over 1,000 license numbers drawn from the store.
#
# usage (by http.sh): DG_BUILD_DIR=... DG_BENCH_TMP=... bash node.sh setup
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${DG_BUILD_DIR:?}
tmp=${DG_BENCH_TMP:?}
threads=${DG_SERVER_THREADS:-1}
drivers=${DG_BENCH_DRIVERS:-1000000}
dmvgate=$build/dmvgate
data=$build/bench-data
mkdir -p "$data"

db=$data/ca-$drivers.db
if [[ ! -f $db ]]; then
  echo "node.sh: seeding $drivers drivers into $db (once)" >&2
  "$dmvgate" seed --state CA --drivers "$drivers" --db "$db.tmp" >&2
  mv "$db.tmp" "$db"
fi
agencies=$data/agencies.csv
[[ -f $agencies ]] || "$dmvgate" agencies generate --out "$agencies" >/dev/null 2>&1
ori=$(awk -F, '$1 ~ /^CA/ && $7 == "municipal_police" {print $1; exit}' "$agencies")

mkdir -p "$tmp/node"
(cd "$tmp/node" && "$dmvgate" audit keygen bench.ca.test/audit --out audit-key >/dev/null)
cat >"$tmp/node/node.conf" <<CONF
role = node
state = CA
listen = 127.0.0.1:0
threads = $threads
store = $db
directory = $agencies
policy = $top/policies/examples/warrant-required.policy
audit_dir = $tmp/node/audit
audit_key = $tmp/node/audit-key.key
dev_mode = yes
access_log = off
log_level = warn
max_connections = 65536
CONF

# wrk script: POST DQ by OLN, cycling over license numbers from the store.
sqlite3 "$db" "SELECT oln FROM drivers ORDER BY random() LIMIT 1000" >"$tmp/node/olns"
{
  echo "local olns = {"
  sed 's/.*/"&",/' "$tmp/node/olns"
  echo "}"
  cat <<LUA
local i = 0
local headers = { ["Content-Type"] = "text/plain", ["X-DG-ORI"] = "$ori" }
request = function()
  i = i + 1
  local oln = olns[(i % #olns) + 1]
  return wrk.format("POST", "/v1/messages", headers,
    "DQ.$ori.CA.TXT\nOLN/" .. oln .. ".OLS/CA.PUR/C.ATN/BENCH")
end
LUA
} >"$tmp/node/dq.lua"

"$dmvgate" serve --config "$tmp/node/node.conf" --ready-file "$tmp/node/ready" \
  >"$tmp/node/serve.out" 2>"$tmp/node/serve.err" &
pid=$!
for _ in $(seq 1 400); do
  [[ -s $tmp/node/ready ]] && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/node/serve.err" >&2; exit 1; }
  sleep 0.05
done
addr=$(cat "$tmp/node/ready")
# one request by hand: the answer must be a DR with records
first=$(head -1 "$tmp/node/olns")
curl -s -H "Content-Type: text/plain" -H "X-DG-ORI: $ori" --data-binary "DQ.$ori.CA.TXT
OLN/$first.OLS/CA.PUR/C.ATN/BENCH" "http://$addr/v1/messages" | grep -q 'STS/FOUND' ||
  { echo "node.sh: the node does not answer DQ by OLN" >&2; exit 1; }
echo "http://$addr/v1/messages $tmp/node/dq.lua $pid"
