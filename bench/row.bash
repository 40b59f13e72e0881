# row.bash - the BENCH_ROW line (bench/bench_row.h) for the shell benchmarks.
# Source it, then: bench_row BENCH FIGURE DMVGATE PEER PEER_VALUE UNIT HIGHER_IS_BETTER
#   DMVGATE and PEER_VALUE are numbers ("" or "-" for none); HIGHER_IS_BETTER
#   is true or false. ratio = DMVGATE / PEER_VALUE (null without both).
# scripts/bench gathers these lines from every bench/*.sh that prints them.

# _row_json_str S: S as a JSON string (the figures are ours: quotes and
# backslashes are all that need care).
_row_json_str() {
  local s=${1//\\/\\\\}
  printf '"%s"' "${s//\"/\\\"}"
}

bench_row() {
  local bench=$1 figure=$2 ours=$3 peer=$4 theirs=$5 unit=$6 hib=$7
  local number='^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$'
  [[ $ours =~ $number ]] || ours=null
  [[ $theirs =~ $number ]] || theirs=null
  local ratio=null
  if [[ $ours != null && $theirs != null ]]; then
    ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { if (b + 0 == 0) print "null"; else printf "%.6g", a / b }')
  fi
  printf 'BENCH_ROW {"bench":%s,"figure":%s,"dmvgate":%s,"peer":%s,"peer_value":%s,"ratio":%s,"unit":%s,"higher_is_better":%s}\n' \
    "$(_row_json_str "$bench")" "$(_row_json_str "$figure")" "$ours" "$(_row_json_str "$peer")" \
    "$theirs" "$ratio" "$(_row_json_str "$unit")" "$hib"
}
