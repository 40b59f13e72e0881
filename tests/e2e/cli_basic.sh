#!/usr/bin/env bash
# Whole-process test of the binary's front door: help, version, unknown commands.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

out=$("$DMVGATE" --help)
grep -q '^usage: dmvgate <command>' <<<"$out" || fail "--help has no usage line"
"$DMVGATE" version | grep -Eq '^dmvgate [0-9]+\.[0-9]+\.[0-9]+$' || fail "version output"
expect_exit 2 "$DMVGATE"
expect_exit 2 "$DMVGATE" no-such-command
err=$("$DMVGATE" no-such-command 2>&1 || true)
grep -q "unknown command 'no-such-command'" <<<"$err" || fail "unknown command message"; ok
pass
