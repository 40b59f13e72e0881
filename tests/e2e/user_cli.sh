#!/usr/bin/env bash
# Whole-process test of `dmvgate user`: add accounts with a password on stdin,
# refuse duplicates, bad roles and short passwords, list without hashes.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

db="$TMP/node.db"
"$DMVGATE" user --help | grep -q -- '--role ROLE' || fail "help"; ok
out=$(printf 'correct horse battery\n' | "$DMVGATE" user add ana --role reviewer --agency CODMV0000 --db "$db")
[[ $out == "added ana (reviewer)" ]] || fail "add: $out"; ok
printf 'another long password\n' | "$DMVGATE" user add root --role admin --db "$db" >/dev/null; ok
printf 'correct horse battery\n' | expect_exit 1 "$DMVGATE" user add ana --role admin --db "$db"; ok
grep -q "already exists" "$TMP/.err" || fail "duplicate message"; ok
printf 'short\n' | expect_exit 1 "$DMVGATE" user add bob --role reviewer --db "$db"; ok
expect_exit 2 "$DMVGATE" user add bob --role king --db "$db"; ok
expect_exit 2 "$DMVGATE" user add bob --db "$db"; ok
expect_exit 2 "$DMVGATE" user add Bob --role reviewer --db "$db"; ok
expect_exit 2 "$DMVGATE" user frob; ok
list=$("$DMVGATE" user list --db "$db")
[[ $(wc -l <<<"$list") -eq 2 ]] || fail "list: $list"; ok
grep -q $'^ana\treviewer\tCODMV0000\t0\t-$' <<<"$list" || fail "list line: $list"; ok
grep -q argon2 <<<"$list" && fail "hash listed"; ok
if command -v sqlite3 >/dev/null; then
  h=$(sqlite3 "$db" "select hash from review_users where name='ana'")
  [[ $h == '$argon2id$'* ]] || fail "not an argon2id hash"; ok
fi
pass
