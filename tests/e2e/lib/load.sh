# load.sh - load from several concurrent clients for the whole-process
# reliability tests (node_kill.sh, node_disk_fault.sh; sourced after node.sh).
# Four clients, one agency each: an allowed query, another state's allowed
# query, a denial, a request held for review. Each is one curl --parallel (3
# transfers at a time on kept-alive connections, its output line-buffered so that
# a client stopped with SIGTERM loses no line) that prints, as each transfer
# ends, "status exitcode file"; an answer counts as acknowledged only when it
# arrived whole (exit 0) with its MID.

LOAD_CLIENTS=(CO0010000 AZ0070000 DCICE0100 DCFBI0100)
LOAD_PIDS=()

# load_messages: the clients' messages, in $TMP/msg (needs $OLN from node_setup).
load_messages() {
  mkdir -p "$TMP/msg" "$TMP/out"
  printf 'DQ.CO0010000.CO.TXT\nOLN/%s.OLS/CO.PUR/C.ATN/DET J RIVERA' "$OLN" >"$TMP/msg/CO0010000"
  printf 'DQ.AZ0070000.CO.TXT\nOLN/%s.OLS/CO.PUR/C.ATN/OFC K LEE' "$OLN" >"$TMP/msg/AZ0070000"
  printf 'DQ.DCICE0100.CO.TXT\nOLN/%s.OLS/CO.PUR/C.ATN/AGT M DOE' "$OLN" >"$TMP/msg/DCICE0100"
  printf 'DQ.DCFBI0100.CO.TXT\nOLN/%s.OLS/CO.PUR/C.ATN/SA JONES' "$OLN" >"$TMP/msg/DCFBI0100"
}

# load_start TAG N: every client sends N requests to $NODE_ADDR, in the background.
load_start() {
  local tag=$1 n=$2 c
  LOAD_PIDS=()
  for c in "${LOAD_CLIENTS[@]}"; do
    seq 1 "$n" |
      awk -v u="https://$NODE_ADDR/v1/messages" -v o="$TMP/out/$tag-$c-" \
        '{ printf "url = \"%s\"\noutput = \"%s%d\"\n", u, o, $1 }' >"$TMP/$c.cfg"
    stdbuf -oL curl -s --parallel --parallel-max 3 --parallel-immediate --max-time 30 \
      --cacert "$NODE_DIR/certs/ca.pem" --cert "$NODE_DIR/certs/$c.pem" \
      --key "$NODE_DIR/certs/$c.key" -H 'Content-Type: text/plain' \
      --data-binary "@$TMP/msg/$c" -w '%{http_code} %{exitcode} %{filename_effective}\n' \
      -K "$TMP/$c.cfg" >"$TMP/w.$tag.$c" 2>/dev/null &
    LOAD_PIDS+=($!)
  done
}

# load_wait: wait for the clients; load_stop: end them first (what they had
# not received whole does not count).
load_wait() {
  local p
  for p in "${LOAD_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  LOAD_PIDS=()
}
load_stop() {
  local p f
  for p in "${LOAD_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  load_wait
  # A client ended while printing leaves a cut last line: not counted.
  for f in "$TMP"/w.*; do
    [[ -s $f && -n $(tail -c1 "$f") ]] && sed -i '$d' "$f"
  done
  return 0
}

# load_answers TAG CODES: "mid decision" of every whole answer whose status is
# in CODES (a regex, e.g. '200|202|403'). One awk: a shell loop per answer is
# far too slow on a busy machine.
load_answers() {
  local tag=$1 codes=$2 files
  files=$(ls "$TMP"/w."$tag".* 2>/dev/null) || return 0
  # shellcheck disable=SC2086
  awk -v codes="^($codes)\$" '
    $2 == 0 && $1 ~ codes {
      f = $3; mid = ""
      while ((getline line < f) > 0)
        if (line ~ /^MID\//) { sub(/^MID\//, "", line); sub(/\..*/, "", line); mid = line }
      close(f)
      if (mid == "") { print "no MID in the answer " f > "/dev/stderr"; exit 1 }
      d = $1 == 200 ? "allow" : $1 == 202 ? "review" : $1 == 403 ? "deny" : "?" $1
      print mid, d
    }' $files || fail "$tag: an answer without a MID"
}
load_acks() { load_answers "$1" '200|202|403'; }

# load_count TAG CODE: how many whole answers had status CODE so far.
load_count() { cat "$TMP"/w."$1".* 2>/dev/null | awk -v c="$2" '$1 == c && $2 == 0' | wc -l; }

# audit_logged DIR: "msg_id decision" of every entry of the log in DIR.
audit_logged() {
  "$DMVGATE" audit dump "$1" | sed -n 's/.*"msg_id":"\([^"]*\)".*"decision":"\([^"]*\)".*/\1 \2/p'
}

# missing_from A B: lines of file A not in file B.
missing_from() { LC_ALL=C comm -23 <(LC_ALL=C sort -u "$1") <(LC_ALL=C sort -u "$2"); }
