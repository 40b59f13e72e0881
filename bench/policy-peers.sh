#!/usr/bin/env bash
# The policy-engine comparison (issue 11): dmvgate's engine against Cedar and
# Casbin on the warrant-required policy, the 18,000-agency directory and the
# same request mix. Installs the peers (npm ci from the committed lockfile)
# when they are missing, then runs build/bench_policy_peers, which prints the
# table. bench/peers/README.md explains the formats; docs/performance.md the
# figures.
#
# usage: bench/policy-peers.sh [--node-only] [ARGS...]
#   ARGS          passed to bench_policy_peers (see its --help), e.g. --requests 20000
#   --node-only   skip the C program: make a mix with bench/peers/policy/gen-mix.mjs
#                 (its own small directory, "expect" from a plain reading of the
#                 rules), run both peers and compare their decisions; for checking
#                 the peer side alone
# The table is also written as JSON to bench/results/policy_peers.json, and
# bench_policy_peers prints its BENCH_ROW lines for scripts/bench.
# Environment: BUILD (default build/) is where bench_policy_peers is built.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
peers=$top/bench/peers/policy
build=${BUILD:-$top/build}

# npm ci when node_modules is absent or older than the lockfile.
if [[ ! -f $peers/node_modules/.package-lock.json || $peers/package-lock.json -nt $peers/node_modules/.package-lock.json ]]; then
  echo "policy-peers: npm ci in bench/peers/policy" >&2
  (cd "$peers" && npm ci --no-audit --no-fund --silent)
fi

if [[ ${1:-} == --node-only ]]; then
  shift
  requests=${1:-50000}
  work=$build/bench-peers
  mkdir -p "$work"
  node "$peers/gen-mix.mjs" --out "$work/mix.jsonl" --requests "$requests"
  node "$peers/cedar.mjs" --api isAuthorized --mix "$work/mix.jsonl" --out "$work/cedar.jsonl"
  node "$peers/cedar.mjs" --api stateful --mix "$work/mix.jsonl" --out "$work/cedar-stateful.jsonl"
  node "$peers/casbin.mjs" --mix "$work/mix.jsonl" --out "$work/casbin.jsonl"
  exec node "$peers/compare.mjs" --mix "$work/mix.jsonl" cedar="$work/cedar.jsonl" \
    cedar-stateful="$work/cedar-stateful.jsonl" casbin="$work/casbin.jsonl"
fi

bin=$build/bench_policy_peers
if [[ ! -x $bin ]]; then
  if [[ -f $build/CMakeCache.txt ]]; then
    cmake --build "$build" --target bench_policy_peers -j2 >/dev/null
  else
    echo "policy-peers: $bin is not built: run 'make' first" >&2
    exit 2
  fi
fi
mkdir -p "$top/bench/results"
exec "$bin" --peers "$peers" --json "$top/bench/results/policy_peers.json" "$@"
