#!/usr/bin/env bash
# Whole-process test of `dmvgate config check` and `config options`: the
# effective configuration, errors with their lines, exit codes, and that
# docs/operations.md documents every option.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

cd "$TMP"
touch co.db agencies.csv co.policy audit.skey
cat >node.conf <<'CONF'
# a development node
role = node
state = CO
listen = 127.0.0.1:0
store = co.db
directory = agencies.csv
policy = co.policy
audit_dir = audit
audit_key = audit.skey
dev_mode = yes
CONF
expect_exit 0 "$DMVGATE" config check node.conf
grep -q "^store = $TMP/co.db  # line 5$" "$TMP/.out" || fail "relative path not resolved: $(cat "$TMP/.out")"; ok
grep -q '^max_body = 65536  # default$' "$TMP/.out" || fail "default not shown"; ok
grep -q 'node.conf:10: warning: development mode' "$TMP/.err" || fail "dev mode warning"; ok
# the printed configuration is itself a valid configuration
"$DMVGATE" config check node.conf >effective.conf 2>/dev/null
expect_exit 0 "$DMVGATE" config check --quiet effective.conf
[[ ! -s $TMP/.out ]] || fail "--quiet printed the configuration"; ok

cat >bad.conf <<'CONF'
role = node
state = ZZ
threads = 1000
listen = 0.0.0.0:8443
dev_mode = yes
colour = blue
store = missing.db
CONF
expect_exit 1 "$DMVGATE" config check bad.conf
err=$(cat "$TMP/.err")
grep -q "bad.conf:2: error: state: 'ZZ' is not a state or territory code" <<<"$err" || fail "state error: $err"; ok
grep -q "bad.conf:3: error: threads: '1000' is out of range 0..256" <<<"$err" || fail "threads error"; ok
grep -q "bad.conf:6: error: unknown option 'colour'" <<<"$err" || fail "unknown option"; ok
grep -q "bad.conf:7: error: cannot read store '$TMP/missing.db'" <<<"$err" || fail "missing file"; ok
grep -q "bad.conf:4: error: dev_mode serves plain HTTP" <<<"$err" || fail "dev mode off loopback"; ok
grep -q "bad.conf: error: option 'policy' is required for a node" <<<"$err" || fail "required"; ok

expect_exit 2 "$DMVGATE" config check "$TMP/nonexistent.conf"
grep -q "cannot open configuration" "$TMP/.err" || fail "unreadable file message"; ok
expect_exit 2 "$DMVGATE" config check
expect_exit 2 "$DMVGATE" config check a b
expect_exit 2 "$DMVGATE" config frobnicate
expect_exit 0 "$DMVGATE" config --help
grep -q -- '--quiet' "$TMP/.out" || fail "help lacks --quiet"; ok

# every option is documented in docs/operations.md, with its default
doc=$DG_SOURCE_DIR/docs/operations.md
"$DMVGATE" config options --markdown | grep '^| `' >options.md
while IFS= read -r row; do
  grep -qF -- "$row" "$doc" || fail "docs/operations.md lacks or differs on: $row"
done <options.md
ok
pass
