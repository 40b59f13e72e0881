#!/usr/bin/env bash
# hub.sh - what the hub adds: throughput and latency of the same requests sent
# straight to a backend and through a hub in front of it, side by side in one
# run, under identical wrk settings on loopback:
#   bare   the backend is bench_http's fixed-body libevent server: the hub's
#          own ceiling (parse, identify, blocks, forward with libcurl, relay)
#   node   the backend is a dmvgate node (bench/http/node.sh: DQ by OLN,
#          policy, lookup, durable audit): what an agency sees
# Hub and node run in development mode (plain HTTP, the ORI in a header)
# because wrk cannot present client certificates; both paths are measured
# alike, so TLS is left out of both. The hub has one network-level block in
# force (for another state), so the lookup every leg makes is in the figure.
# Prints req/s, p50, p99 for each pair, the ratio hub/direct and the latency
# the hub adds; BENCH_ROW lines (docs/performance.md) for scripts/bench.
#
# usage: bench/hub.sh [--build DIR] [--duration S] [--connections C] [--only bare|node]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
. "$top/bench/row.bash"
duration=${DG_BENCH_SECONDS:-5}
conns=64
only=
while (($#)); do
  case $1 in
    --build) build=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) conns=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "hub.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "hub.sh: wrk is not installed (scripts/install-deps)" >&2; exit 2; }
dmvgate=$build/dmvgate bench_http=$build/bench_http
[[ -x $dmvgate && -x $bench_http ]] || { echo "hub.sh: build first (make)" >&2; exit 2; }

tmp=$(mktemp -d /tmp/dg-bench-hub.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

wait_port() {
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "hub.sh: nothing listens on port $1" >&2
  return 1
}
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; printf "%.3f", n }'
}
# measure URL LUA: "rps p50 p99" (ms), after a 1 s warm-up; fails on error statuses.
measure() {
  local args=(-t 1 -c "$conns" --latency -s "$2")
  wrk "${args[@]}" -d 1s "$1" >/dev/null 2>&1 || true
  local out
  out=$(wrk "${args[@]}" -d "${duration}s" "$1" 2>&1)
  if grep -q 'Non-2xx' <<<"$out"; then
    echo "hub.sh: error statuses from $1:" >&2
    echo "$out" >&2
    return 1
  fi
  echo "$(awk '/^Requests\/sec:/ {print $2}' <<<"$out") $(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")") $(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
}

# The node (and its directory, wrk script and ORI) from bench/http/node.sh.
node_line=$(DG_BUILD_DIR=$build DG_BENCH_TMP=$tmp DG_SERVER_THREADS=1 bash "$top/bench/http/node.sh" setup)
read -r node_url lua node_pid <<<"$node_line"
pids+=("$node_pid")
agencies=$build/bench-data/agencies.csv

# hub_start NAME BACKEND-URL: a hub in front of BACKEND for CA; sets HUB to its
# address (not in a subshell: its pid must reach the cleanup).
hub_start() {
  local d=$tmp/hub-$1
  mkdir -p "$d"
  (cd "$d" && "$dmvgate" audit keygen bench.hub.test/audit --out audit-key >/dev/null)
  printf 'AZ category unspecified benchmark block for another state\n' >"$d/blocks"
  cat >"$d/hub.conf" <<CONF
role = hub
listen = 127.0.0.1:0
threads = 1
directory = $agencies
routes = CA=$2
audit_dir = $d/audit
audit_key = $d/audit-key.key
hub_blocks = $d/blocks
dev_mode = yes
access_log = off
log_level = warn
max_connections = 65536
CONF
  "$dmvgate" serve --config "$d/hub.conf" --ready-file "$d/ready" >"$d/serve.out" 2>"$d/serve.err" &
  pids+=($!)
  for _ in $(seq 1 200); do [[ -s $d/ready ]] && break; sleep 0.05; done
  [[ -s $d/ready ]] || { cat "$d/serve.err" >&2; return 1; }
  HUB=$(cat "$d/ready")
}

rows=()
row() { # NAME DIRECT-FIGURES HUB-FIGURES
  read -r drps dp50 dp99 <<<"$2"
  read -r hrps hp50 hp99 <<<"$3"
  rows+=("$1|$drps|$dp50|$dp99|$hrps|$hp50|$hp99")
}

if [[ -z $only || $only == bare ]]; then
  port=$("$bench_http" freeport)
  "$bench_http" serve "$port" 1 &
  pids+=($!)
  wait_port "$port"
  hub_start bare "http://127.0.0.1:$port"
  direct=$(measure "http://127.0.0.1:$port/v1/messages" "$lua")
  via=$(measure "http://$HUB/v1/messages" "$lua")
  row "bare backend" "$direct" "$via"
fi
if [[ -z $only || $only == node ]]; then
  hub_start node "${node_url%/v1/messages}"
  direct=$(measure "$node_url" "$lua")
  via=$(measure "http://$HUB/v1/messages" "$lua")
  row "dmvgate node" "$direct" "$via"
fi

echo "The hub in front of a backend: wrk -t1 -c$conns -d${duration}s --latency on loopback;"
echo "hub, node and backend 1 thread each, dev mode (no TLS); $(nproc) cores"
printf '%-14s %11s %11s %9s %9s %9s %9s %10s\n' backend "direct r/s" "via hub" ratio \
  "p50 dir" "p50 hub" "p99 hub" "added p50"
for r in "${rows[@]}"; do
  IFS='|' read -r name drps dp50 dp99 hrps hp50 hp99 <<<"$r"
  ratio=$(awk -v a="$hrps" -v b="$drps" 'BEGIN {printf "%.2f", a / b}')
  added=$(awk -v a="$hp50" -v b="$dp50" 'BEGIN {printf "%.3f", a - b}')
  printf '%-14s %11.0f %11.0f %9s %9s %9s %9s %10s\n' "$name" "$drps" "$hrps" "$ratio" "$dp50" \
    "$hp50" "$hp99" "$added"
  bench_row hub "hub in front of $name: req/s" "$hrps" "$name direct" "$drps" req/s true
  bench_row hub "hub in front of $name: p50 ms" "$hp50" "$name direct" "$dp50" ms false
done
