#!/usr/bin/env bash
# http.sh - HTTP throughput and latency on loopback with wrk, several servers
# side by side under identical settings, in one run:
#   nginx    a static 300-byte file (bench/http/nginx.conf.in): the ceiling
#   bare     libevent evhttp returning a fixed 300-byte body (bench_http serve)
#   node     dmvgate serve in the node role: DQ by OLN, policy, durable audit
#            (only when the node's inputs can be made: see node_setup below)
# Prints requests/s, p50 and p99 latency (wrk --latency) and each server's
# ratio to nginx.
#
# usage: bench/http.sh [--build DIR] [--duration S] [--connections C]
#                      [--wrk-threads T] [--server-threads N] [--only NAME...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
duration=${DG_BENCH_SECONDS:-5}
# Many connections: a durable audit log answers each request only after its
# fdatasync (milliseconds here), so the node's rate is bounded by
# connections / sync time; the static servers are not, and do not mind.
conns=256
wrk_threads=1
server_threads=1
only=()
while (($#)); do
  case $1 in
    --build) build=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) conns=$2; shift 2 ;;
    --wrk-threads) wrk_threads=$2; shift 2 ;;
    --server-threads) server_threads=$2; shift 2 ;;
    --only) shift; while (($#)) && [[ $1 != --* ]]; do only+=("$1"); shift; done ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "http.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
want() { ((${#only[@]} == 0)) || [[ " ${only[*]} " == *" $1 "* ]]; }

# The peers are Debian packages: install them when missing (as make bench does).
if ! command -v wrk >/dev/null || ! { command -v nginx || [[ -x /usr/sbin/nginx ]]; } >/dev/null; then
  bash "$top/scripts/install-deps" >&2 || true
fi
command -v wrk >/dev/null || { echo "http.sh: wrk is not installed (scripts/install-deps)" >&2; exit 2; }
bench_http=$build/bench_http
[[ -x $bench_http ]] || { echo "http.sh: no '$bench_http' (make first)" >&2; exit 2; }

tmp=$(mktemp -d /tmp/dg-bench-http.XXXXXX)
chmod 755 "$tmp" # nginx workers may run as another user and must read www/
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# wait_port PORT: until something accepts on 127.0.0.1:PORT (at most ~10 s).
wait_port() {
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "http.sh: nothing listens on port $1" >&2
  return 1
}

# to_ms VALUE: wrk's "312.00us" / "1.23ms" / "1.01s" in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000;
    printf "%.3f", n }'
}

results=()
# measure NAME URL [LUA]: warm up, run wrk, keep "NAME rps p50 p99".
measure() {
  local name=$1 url=$2 lua=${3:-}
  local args=(-t "$wrk_threads" -c "$conns" --latency)
  [[ -n $lua ]] && args+=(-s "$lua")
  wrk "${args[@]}" -d 1s "$url" >/dev/null 2>&1 || true
  local out
  out=$(wrk "${args[@]}" -d "${duration}s" "$url" 2>&1)
  local rps p50 p99 non2xx
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
  if [[ -z $rps || -z $p50 ]]; then
    echo "http.sh: wrk gave no figures for $name:" >&2
    echo "$out" >&2
    return 1
  fi
  if [[ -n $non2xx ]]; then
    echo "http.sh: $name answered $non2xx requests with an error status" >&2
    return 1
  fi
  results+=("$name|$rps|$(to_ms "$p50")|$(to_ms "$p99")")
}

# ---- nginx ------------------------------------------------------------------
if want nginx; then
  nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
  mkdir -p "$tmp/www"
  head -c 300 /dev/zero | tr '\0' x >"$tmp/www/body.txt"
  port=$("$bench_http" freeport)
  sed -e "s|@TMP@|$tmp|g" -e "s|@PORT@|$port|g" -e "s|@WORKERS@|$server_threads|g" \
    "$top/bench/http/nginx.conf.in" >"$tmp/nginx.conf"
  "$nginx_bin" -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/nginx-error.log" &
  pids+=($!)
  wait_port "$port"
  measure "nginx static 300 B" "http://127.0.0.1:$port/body.txt"
fi

# ---- bare libevent ------------------------------------------------------------
if want bare; then
  port=$("$bench_http" freeport)
  "$bench_http" serve "$port" "$server_threads" &
  pids+=($!)
  wait_port "$port"
  measure "libevent bare 300 B" "http://127.0.0.1:$port/"
fi

# ---- the node -------------------------------------------------------------------
# bench/http/node.sh (when present) sets up a node and prints "URL LUA" for wrk.
if want node && [[ -f $top/bench/http/node.sh ]]; then
  node_line=$(DG_BUILD_DIR=$build DG_BENCH_TMP=$tmp DG_SERVER_THREADS=$server_threads \
    bash "$top/bench/http/node.sh" setup) || { echo "http.sh: node setup failed" >&2; exit 1; }
  read -r node_url node_lua node_pid <<<"$node_line"
  pids+=("$node_pid")
  measure "dmvgate node DQ by OLN" "$node_url" "$node_lua"
  # What the node did meanwhile: mean audit batch and sync time.
  m=$(curl -s -H "X-DG-ORI: X" "${node_url%/v1/messages}/metrics" || true)
  batches=$(awk '$1 == "dmvgate_audit_batches_total" {print $2}' <<<"$m")
  appends=$(awk '$1 == "dmvgate_audit_appends_total" {print $2}' <<<"$m")
  syncs=$(awk '$1 == "dmvgate_audit_sync_seconds_total" {print $2}' <<<"$m")
  if [[ -n $batches && $batches != 0 ]]; then
    node_note=$(awk -v b="$batches" -v a="$appends" -v s="$syncs" 'BEGIN {
      printf "node: %d audit entries in %d group commits (%.1f per fdatasync), %.2f ms per write+sync", a, b, a / b, s * 1000 / b }')
  fi
fi

# ---- the table ---------------------------------------------------------------------
echo "HTTP on loopback: wrk -t$wrk_threads -c$conns -d${duration}s --latency;" \
  "$server_threads server thread(s) each; $(nproc) cores"
printf '%-26s %12s %10s %10s %10s\n' server "req/s" "p50 ms" "p99 ms" "vs nginx"
base=""
for r in "${results[@]}"; do
  IFS='|' read -r name rps p50 p99 <<<"$r"
  [[ -z $base && $name == nginx* ]] && base=$rps
  ratio=$([[ -n $base ]] && awk -v a="$rps" -v b="$base" 'BEGIN {printf "%.2f", a / b}' || echo -)
  printf '%-26s %12.0f %10s %10s %10s\n' "$name" "$rps" "$p50" "$p99" "$ratio"
done
[[ -n ${node_note:-} ]] && echo "$node_note"

# ---- the rows of make bench (bench/row.bash): the node against each peer ----------
source "$top/bench/row.bash"
declare -A rps_of p50_of p99_of
for r in "${results[@]}"; do
  IFS='|' read -r name rps p50 p99 <<<"$r"
  rps_of[$name]=$rps p50_of[$name]=$p50 p99_of[$name]=$p99
done
node_name="dmvgate node DQ by OLN"
if [[ -n ${rps_of[$node_name]:-} ]]; then
  settings="wrk -t$wrk_threads -c$conns -d${duration}s"
  for peer in "nginx static 300 B" "libevent bare 300 B"; do
    [[ -n ${rps_of[$peer]:-} ]] || continue
    bench_row http "http: requests/s, node vs $peer ($settings)" "${rps_of[$node_name]}" \
      "$peer" "${rps_of[$peer]}" "requests/s" true
    bench_row http "http: p50 latency, node vs $peer" "${p50_of[$node_name]}" "$peer" \
      "${p50_of[$peer]}" ms false
    bench_row http "http: p99 latency, node vs $peer" "${p99_of[$node_name]}" "$peer" \
      "${p99_of[$peer]}" ms false
  done
fi
exit 0
