# common.sh - helpers for the whole-process tests in tests/e2e (sourced, not run).
# ctest sets DMVGATE (the binary), DG_SOURCE_DIR, DG_BUILD_DIR and DG_SHARED_DIR.
: "${DMVGATE:?DMVGATE must point at the dmvgate binary}"
: "${DG_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}"
: "${DG_SHARED_DIR:=$DG_SOURCE_DIR/../shared}"

TEST_NAME=$(basename "$0" .sh)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dg-$TEST_NAME.XXXXXX")
CHECKS=0
cleanup_tmp() { rm -rf "$TMP"; }
trap cleanup_tmp EXIT

fail() { echo "FAIL $TEST_NAME: $*" >&2; exit 1; }
ok() { CHECKS=$((CHECKS + 1)); }
pass() { echo "PASS $TEST_NAME ($CHECKS checks)"; exit 0; }

# expect_exit CODE CMD...: run CMD, fail unless it exits with CODE.
expect_exit() {
  local want=$1; shift
  local got=0
  "$@" >"$TMP/.out" 2>"$TMP/.err" || got=$?
  [[ $got -eq $want ]] || fail "expected exit $want, got $got from: $* ($(head -c 300 "$TMP/.err"))"
  ok
}
