# backend.sh - store backends for whole-process tests (sourced after common.sh).
#
# A test whose file holds the line "dg-test-backends: sqlite postgresql" runs
# twice under ctest: e2e_<name> with SQLite and e2e_<name>_pg with
# DG_TEST_BACKEND=postgresql and DG_TEST_PG_URI_FILE naming the URI of the
# throwaway cluster the ctest fixture started (scripts/pg-tmp). Outside ctest,
# set DG_TEST_BACKEND=postgresql and DG_TEST_PG_URI (a database in which the
# user may create schemas).
#
#   dg_store NAME    print the URI of a fresh, empty store called NAME: a file
#                    in $TMP for SQLite; for PostgreSQL a new schema on the
#                    server (dropped when the test exits), the URI setting the
#                    connection's search_path to it
#   dg_backend       print "sqlite" or "postgresql"
DG_TEST_BACKEND=${DG_TEST_BACKEND:-sqlite}
DG_PG_SCHEMAS_FILE=$TMP/.dg-pg-schemas # dg_store runs in $(...): remember them in a file

dg_backend() { echo "$DG_TEST_BACKEND"; }

dg_pg_base() {
  if [[ -n ${DG_TEST_PG_URI:-} ]]; then
    echo "$DG_TEST_PG_URI"
  elif [[ -n ${DG_TEST_PG_URI_FILE:-} && -s $DG_TEST_PG_URI_FILE ]]; then
    head -n1 "$DG_TEST_PG_URI_FILE"
  else
    fail "DG_TEST_BACKEND=postgresql needs DG_TEST_PG_URI or DG_TEST_PG_URI_FILE"
  fi
}

dg_backend_cleanup() {
  local s base
  if [[ -s $DG_PG_SCHEMAS_FILE ]]; then
    base=$(dg_pg_base)
    while read -r s; do
      psql -qX "$base" -c "SET client_min_messages TO warning" -c "DROP SCHEMA IF EXISTS $s CASCADE" \
        >/dev/null 2>&1 || true
    done <"$DG_PG_SCHEMAS_FILE"
  fi
  cleanup_tmp
}
trap dg_backend_cleanup EXIT

dg_store() {
  local name=$1
  case $DG_TEST_BACKEND in
    sqlite) echo "$TMP/$name.db" ;;
    postgresql)
      local base schema sep
      base=$(dg_pg_base)
      schema="dge_$$_${name//[^a-z0-9]/_}"
      psql -qX "$base" -c "CREATE SCHEMA $schema" >/dev/null || fail "cannot create schema $schema"
      echo "$schema" >>"$DG_PG_SCHEMAS_FILE"
      sep='?'
      [[ $base == *\?* ]] && sep='&'
      echo "${base}${sep}options=-csearch_path%3D${schema}"
      ;;
    *) fail "unknown DG_TEST_BACKEND '$DG_TEST_BACKEND'" ;;
  esac
}
