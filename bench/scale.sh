#!/usr/bin/env bash
# scale.sh - requests per second of a state served by one and by two node
# processes on one PostgreSQL database, beside the SQLite node, on this
# machine in one run (wrk on loopback, same load, same data, same policy):
#
#   sqlite 1p        one process, SQLite store, its own audit log (the default)
#   pg 1p            one process, PostgreSQL store, its own audit log
#   pg 1p + auditd   one process, PostgreSQL, the audit sequencer
#   pg 2p + auditd   two processes sharing the port (SO_REUSEPORT: the kernel
#                    balances connections), PostgreSQL, one sequencer
#   sqlite 2p + auditd  two processes on one SQLite file and one sequencer
#                    (to tell the database's share from the processes')
#
# Each node runs --threads event loops (default 1), so "2p" has twice the
# loops of "1p". The load is bench/http/node.sh's: DQ by OLN from a local
# police department under the warrant-required policy (lookup, answer,
# durable audit), cycling over 1,000 license numbers; development mode
# (plain HTTP, ORI in a header) because wrk has no client certificates.
# PostgreSQL is a throwaway cluster (scripts/pg-tmp, fsync on) on this
# machine, as are wrk, the sequencer and the nodes: they all share its cores.
#
# The configurations run one after another, in --rounds rounds (default 3),
# and the table shows each one's median round: on a shared machine the rounds
# spread the noise over all of them alike.
#
# usage: bench/scale.sh [--build DIR] [--duration S] [--connections C]
#                       [--threads T] [--drivers N] [--rounds R] [--only NAME...]
#        NAME: sqlite-1p pg-1p pg-1p-seq pg-2p-seq sqlite-2p-seq
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
duration=${DG_BENCH_SECONDS:-5}
conns=64
threads=1
drivers=${DG_BENCH_DRIVERS:-200000}
rounds=3
only=()
while (($#)); do
  case $1 in
    --build) build=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) conns=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --drivers) drivers=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --only) shift; while (($#)) && [[ $1 != --* ]]; do only+=("$1"); shift; done ;;
    -h | --help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "scale.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
want() { ((${#only[@]} == 0)) || [[ " ${only[*]} " == *" $1 "* ]]; }
command -v wrk >/dev/null || { echo "scale.sh: wrk is not installed (scripts/install-deps)" >&2; exit 2; }
D=$build/dmvgate
[[ -x $D && -x $build/bench_http ]] || { echo "scale.sh: build first (make)" >&2; exit 2; }

tmp=$(mktemp -d /tmp/dg-bench-scale.XXXXXX)
pids=()
pg_uri=
stop_pids() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_pids
  [[ -n $pg_uri ]] && bash "$top/scripts/pg-tmp" stop "$tmp/pg.uri" || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# ---- data: the same drivers in an SQLite file and in PostgreSQL ---------------------
data=$build/bench-data
mkdir -p "$data"
sqdb=$data/ca-$drivers.db
if [[ ! -f $sqdb ]]; then
  echo "scale.sh: seeding $drivers drivers into $sqdb (once)" >&2
  "$D" seed --state CA --drivers "$drivers" --db "$sqdb.tmp" >/dev/null 2>&1
  mv "$sqdb.tmp" "$sqdb"
fi
agencies=$data/agencies.csv
[[ -f $agencies ]] || "$D" agencies generate --out "$agencies" >/dev/null 2>&1
ori=$(awk -F, '$1 ~ /^CA/ && $7 == "municipal_police" {print $1; exit}' "$agencies")
if want pg-1p || want pg-1p-seq || want pg-2p-seq; then
  pg_uri=$(bash "$top/scripts/pg-tmp" start --max-conn 100 --uri-file "$tmp/pg.uri")
  echo "scale.sh: seeding $drivers drivers into PostgreSQL" >&2
  "$D" seed --state CA --drivers "$drivers" --db "$pg_uri" >/dev/null 2>&1
fi
(cd "$tmp" && "$D" audit keygen bench.ca.test/audit --out key >/dev/null)

sqlite3 "$sqdb" "SELECT oln FROM drivers ORDER BY random() LIMIT 1000" >"$tmp/olns"
{
  echo "local olns = {"
  sed 's/.*/"&",/' "$tmp/olns"
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
} >"$tmp/dq.lua"

# ---- running a configuration ----------------------------------------------------------
# node_conf NAME STORE AUDIT PORT: write $tmp/NAME.conf; AUDIT is "local" or "seq".
node_conf() {
  local name=$1 store=$2 audit=$3 port=$4
  {
    echo "role = node"
    echo "state = CA"
    echo "listen = 127.0.0.1:$port"
    echo "threads = $threads"
    echo "store = $store"
    echo "directory = $agencies"
    echo "policy = $top/policies/examples/warrant-required.policy"
    if [[ $audit == seq ]]; then
      echo "audit_sequencer = unix:$tmp/auditd.sock"
    else
      echo "audit_dir = $tmp/audit-$name"
      echo "audit_key = $tmp/key.key"
    fi
    echo "dev_mode = yes"
    echo "access_log = off"
    echo "log_level = error"
    echo "max_connections = 65536"
  } >"$tmp/$name.conf"
}

start_seq() {
  rm -rf "$tmp/seq-audit"
  "$D" auditd serve "$tmp/seq-audit" --key "$tmp/key.key" --listen "unix:$tmp/auditd.sock" \
    >"$tmp/seq.out" 2>"$tmp/seq.err" &
  pids+=($!)
  for _ in $(seq 1 200); do [[ -s $tmp/seq.out ]] && return 0; sleep 0.05; done
  echo "scale.sh: the sequencer did not start: $(cat "$tmp/seq.err")" >&2
  return 1
}

start_node() { # NAME
  rm -f "$tmp/$1.ready"
  "$D" serve --config "$tmp/$1.conf" --ready-file "$tmp/$1.ready" >"$tmp/$1.out" 2>"$tmp/$1.err" &
  pids+=($!)
  for _ in $(seq 1 400); do
    [[ -s $tmp/$1.ready ]] && return 0
    sleep 0.05
  done
  echo "scale.sh: node $1 did not start: $(tail -3 "$tmp/$1.err")" >&2
  return 1
}

to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000;
    printf "%.3f", n }'
}

declare -A runs=() # NAME -> "rps|p50|p99" lines, one per round
order=()
measure() { # NAME PORT
  local name=$1 url="http://127.0.0.1:$2/v1/messages"
  local first
  first=$(head -1 "$tmp/olns")
  curl -s -H "Content-Type: text/plain" -H "X-DG-ORI: $ori" --data-binary "DQ.$ori.CA.TXT
OLN/$first.OLS/CA.PUR/C.ATN/BENCH" "$url" | grep -q 'STS/FOUND' ||
    { echo "scale.sh: $name does not answer DQ by OLN" >&2; return 1; }
  local args=(-t 1 -c "$conns" --latency -s "$tmp/dq.lua")
  wrk "${args[@]}" -d 1s "$url" >/dev/null 2>&1 || true
  local out rps p50 p99 non2xx
  out=$(wrk "${args[@]}" -d "${duration}s" "$url" 2>&1)
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
  if [[ -z $rps || -n $non2xx ]]; then
    echo "scale.sh: $name: ${non2xx:-no} error answers; wrk said:" >&2
    echo "$out" >&2
    return 1
  fi
  [[ -n ${runs[$name]:-} ]] || order+=("$name")
  runs[$name]+="$rps|$(to_ms "$p50")|$(to_ms "$p99")"$'\n'
}

# run NAME STORE AUDIT PROCS
run() {
  local name=$1 store=$2 audit=$3 procs=$4 port i
  want "$name" || return 0
  port=$("$build/bench_http" freeport)
  [[ $audit == seq ]] && start_seq
  for ((i = 1; i <= procs; i++)); do
    node_conf "$name-$i" "$store" "$audit" "$port"
    start_node "$name-$i"
  done
  measure "$name" "$port"
  stop_pids
}

for ((round = 1; round <= rounds; round++)); do
  echo "scale.sh: round $round of $rounds" >&2
  run sqlite-1p "$sqdb" local 1
  [[ -n $pg_uri ]] && run pg-1p "$pg_uri" local 1
  [[ -n $pg_uri ]] && run pg-1p-seq "$pg_uri" seq 1
  [[ -n $pg_uri ]] && run pg-2p-seq "$pg_uri" seq 2
  run sqlite-2p-seq "$sqdb" seq 2
done
# The median round of each configuration, by requests per second.
results=()
for name in "${order[@]}"; do
  med=$(printf '%s' "${runs[$name]}" | sort -t'|' -k1,1 -g | awk -v n="$rounds" 'NR == int((n + 1) / 2)')
  all=$(printf '%s' "${runs[$name]}" | cut -d'|' -f1 | awk '{printf "%s%.0f", (NR > 1 ? " " : ""), $1}')
  results+=("$name|$med|$all")
done

# ---- the table ---------------------------------------------------------------------------
echo "state node scale-out: wrk -t1 -c$conns -d${duration}s, DQ by OLN, $drivers drivers," \
  "$threads thread(s) per node process, median of $rounds rounds; $(nproc) cores shared by" \
  "wrk, PostgreSQL, the sequencer and the nodes; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-16s %10s %9s %9s %10s  %s\n' config "req/s" "p50 ms" "p99 ms" "vs sqlite" "rounds (req/s)"
base=""
for r in "${results[@]}"; do
  IFS='|' read -r name rps p50 p99 all <<<"$r"
  [[ -z $base && $name == sqlite-1p ]] && base=$rps
  ratio=$([[ -n $base ]] && awk -v a="$rps" -v b="$base" 'BEGIN {printf "%.2f", a / b}' || echo -)
  printf '%-16s %10.0f %9s %9s %10s  %s\n' "$name" "$rps" "$p50" "$p99" "$ratio" "$all"
done
one= two=
for r in "${results[@]}"; do
  IFS='|' read -r name rps _ _ _ <<<"$r"
  [[ $name == pg-1p-seq ]] && one=$rps
  [[ $name == pg-2p-seq ]] && two=$rps
done
[[ -n $one && -n $two ]] &&
  awk -v a="$two" -v b="$one" 'BEGIN {printf "scaling, PostgreSQL with the sequencer: 2 processes / 1 process = %.2f\n", a / b}'
exit 0
