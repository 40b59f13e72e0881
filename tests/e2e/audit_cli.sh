#!/usr/bin/env bash
# Whole-process test of `dmvgate audit`: keys, appends of raw and JSON
# entries, checkpoints, proofs printed and checked, note verification with
# known and unknown keys, verify-proof over every shared merkle vector (read
# in place), what a witness does with a mirror of the public files, and that
# tampering is found and reported with the entry's index.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
cd "$TMP"
V=$DG_SHARED_DIR/testdata/merkle

# --help for every subcommand; usage errors exit 2.
for sub in keygen append checkpoint verify prove consistency verify-proof note-verify dump; do
  "$DMVGATE" audit "$sub" --help | grep -q "^usage: dmvgate audit $sub" || fail "$sub --help"
  ok
done
"$DMVGATE" audit --help | grep -q verify-proof || fail "audit --help"
expect_exit 2 "$DMVGATE" audit
expect_exit 2 "$DMVGATE" audit frobnicate
expect_exit 2 "$DMVGATE" audit verify
expect_exit 2 "$DMVGATE" audit prove somewhere
expect_exit 2 "$DMVGATE" audit keygen
expect_exit 2 "$DMVGATE" audit keygen 'bad name'
expect_exit 2 "$DMVGATE" audit append log
grep -q "^dmvgate: " "$TMP/.err" || fail "usage error message"

# Keys: the private key is mode 0600 and never overwritten.
"$DMVGATE" audit keygen audit.co.example/dmv >vk.txt
[[ $(stat -c %a audit.co.example_dmv.key) == 600 ]] || fail "private key mode"
grep -q '^PRIVATE+KEY+audit.co.example/dmv+[0-9a-f]\{8\}+' audit.co.example_dmv.key || fail "skey format"
diff -q vk.txt audit.co.example_dmv.pub >/dev/null || fail "printed vkey differs from the .pub file"
expect_exit 2 "$DMVGATE" audit keygen audit.co.example/dmv
"$DMVGATE" audit keygen other.example/x --out other >/dev/null
ok

# Raw appends, several writers; every index printed once.
seq -f 'line %.0f' 1 1000 | "$DMVGATE" audit append log --key audit.co.example_dmv.key \
  --writers 4 >acks
[[ $(cut -f1 acks | sort -n | uniq | wc -l) == 1000 ]] || fail "1000 distinct indices"
[[ $(cut -f1 acks | sort -n | tail -1) == 999 ]] || fail "indices 0..999"
out=$("$DMVGATE" audit verify log --key audit.co.example_dmv.pub)
grep -q '^ok: 1000 entries' <<<"$out" || fail "verify: $out"
"$DMVGATE" audit checkpoint log | head -2 | tr '\n' ' ' | grep -q '^audit.co.example/dmv 1000 ' ||
  fail "checkpoint"
expect_exit 0 "$DMVGATE" audit checkpoint log --key vk.txt
expect_exit 1 "$DMVGATE" audit checkpoint log --key other.pub
ok

# JSON entries: the public dump has no private values, the private one does.
cat >entries.jsonl <<'EOF'
{"kind":"query","time_us":1764057600000000,"msg_id":"CO-1","requester":{"ori":"DCICE0100","level":"federal","category":"federal_le","department":"DHS","component":"ICE-ERO"},"key":"DQ","dest":"CO","id_fields":["NAM","DOB"],"fields_asked":["name","address"],"purpose":"immigration","legal_process":"administrative_warrant","has_case":true,"decision":"deny","rule":"civil immigration enforcement","redactions":[],"notify":true,"released":[],"private":{"ids":[["NAM","DOE,JANE"],["DOB","19800101"]],"leg_number":"I-200 77"}}
{"kind":"review","time_us":1764057700000000,"msg_id":"CO-2","action":"approve","reviewer":"rev-17","released":["name"],"private":{"reason":"warrant checked"}}
{"kind":"security","time_us":1764057800000000,"requester":{"ori":"AZ0070000","level":"local","category":"municipal_police"},"event":"ori_mismatch","claimed_ori":"CO0010000"}
EOF
"$DMVGATE" audit append jlog --key audit.co.example_dmv.key --format json <entries.jsonl >/dev/null
"$DMVGATE" audit dump jlog >pub.jsonl
[[ $(wc -l <pub.jsonl) == 3 ]] || fail "3 entries"
grep -q '"decision":"deny"' pub.jsonl || fail "public dump has the decision"
grep -q 'DOE' pub.jsonl && fail "public dump leaks a name"
"$DMVGATE" audit dump jlog --private | grep -q '"DOE,JANE"' || fail "private dump"
grep -rq 'DOE' jlog/tile && fail "tiles leak a name"
"$DMVGATE" audit verify jlog --key vk.txt >/dev/null || fail "verify json log"
echo '{"kind":"query","purpose":"fishing"}' |
  "$DMVGATE" audit append jlog --key audit.co.example_dmv.key --format json >/dev/null 2>err || rc=$?
[[ ${rc:-0} == 1 ]] || fail "bad JSON entry must exit 1"
grep -q fishing err || grep -q purpose err || fail "bad JSON entry message"
ok

# Proofs: printed from the tiles, checked with verify-proof.
"$DMVGATE" audit prove log --index 777 >inc.json
"$DMVGATE" audit verify-proof inc.json | grep -q '^valid inclusion' || fail "inclusion proof"
"$DMVGATE" audit prove log --index 3 --size 500 >inc2.json
expect_exit 0 "$DMVGATE" audit verify-proof inc2.json
"$DMVGATE" audit consistency log --from 300 >con.json
expect_exit 0 "$DMVGATE" audit verify-proof con.json
"$DMVGATE" audit consistency log --from 10 --to 700 | "$DMVGATE" audit verify-proof - >/dev/null ||
  fail "consistency from stdin"
expect_exit 1 "$DMVGATE" audit prove log --index 1000
expect_exit 1 "$DMVGATE" audit consistency log --from 999 --to 5
sed 's/"leafIdx":777/"leafIdx":776/' inc.json >bad.json
expect_exit 1 "$DMVGATE" audit verify-proof bad.json
echo '{"leafIdx":' >garbage.json
expect_exit 2 "$DMVGATE" audit verify-proof garbage.json
expect_exit 2 "$DMVGATE" audit verify-proof missing.json

# Every shared vector, read in place: happy paths 0, wantErr cases 1.
n=0
while IFS= read -r f; do
  want=0
  grep -q '"wantErr": true' "$f" && want=1
  expect_exit "$want" "$DMVGATE" audit verify-proof "$f"
  n=$((n + 1))
done < <(find "$V" -name '*.json' | sort)
((n == 96)) || fail "expected 96 vectors, ran $n"

# Signed notes: known key 0; unknown or wrong key 1; a witness's extra line
# is ignored.
expect_exit 0 "$DMVGATE" audit note-verify --key vk.txt log/checkpoint
expect_exit 1 "$DMVGATE" audit note-verify --key other.pub log/checkpoint
expect_exit 0 "$DMVGATE" audit note-verify --key other.pub --key vk.txt log/checkpoint
{ cat log/checkpoint; printf '\xe2\x80\x94 witness.example/w AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n'; } >cosigned
expect_exit 0 "$DMVGATE" audit note-verify --key vk.txt cosigned
sed '2s/1000/1001/' log/checkpoint >forged
expect_exit 1 "$DMVGATE" audit note-verify --key vk.txt forged
expect_exit 0 "$DMVGATE" audit note-verify --key "$(cat $DG_SHARED_DIR/testdata/README.md | grep -o 'example.com/log/testdata+33d7b496+[A-Za-z0-9+/=]*' | head -1)" \
  "$DG_SHARED_DIR/testdata/tlog-tessera/checkpoint"
ok

# A witness with a mirror of the public files only.
mkdir mirror
cp -r log/checkpoint log/tile mirror/
out=$("$DMVGATE" audit verify mirror --key vk.txt)
grep -q '^ok: 1000 entries' <<<"$out" || fail "mirror verify: $out"
"$DMVGATE" audit prove mirror --index 5 | "$DMVGATE" audit verify-proof - >/dev/null || fail "mirror proof"
printf 'X' | dd of=mirror/tile/entries/001 bs=1 seek=100 conv=notrunc status=none
expect_exit 1 "$DMVGATE" audit verify mirror --key vk.txt
# the first entry of bundle 1 that it breaks, 256..511
grep -Eq 'index (2[5-9][0-9]|[34][0-9][0-9]|50[0-9]|51[01]): ' "$TMP/.err" ||
  fail "mirror tamper message: $(cat "$TMP/.err")"
ok

# Tampering with the node's own copy: an entry in a segment, a tile.
cp -r log log2
seg=$(ls log2/private/seg/*.seg | head -1)
printf 'Z' | dd of="$seg" bs=1 seek=100 conv=notrunc status=none
expect_exit 1 "$DMVGATE" audit verify log2 --key vk.txt
grep -q 'index 2: entry 2 is damaged' "$TMP/.err" || fail "segment tamper message: $(cat "$TMP/.err")"
cp log/tile/0/002 log2/tile/0/000
cp -r log log3
cp log/tile/0/002 log3/tile/0/000
expect_exit 1 "$DMVGATE" audit verify log3 --key vk.txt
grep -q 'index 255: tile/0/000 does not match' "$TMP/.err" || fail "tile tamper message: $(cat "$TMP/.err")"
expect_exit 1 "$DMVGATE" audit verify log --key other.pub
cp -r log log4
sed -i '2s/1000/1001/' log4/checkpoint
expect_exit 1 "$DMVGATE" audit verify log4 --key vk.txt
expect_exit 1 "$DMVGATE" audit verify log4
printf 'garbage' >log4/checkpoint
expect_exit 1 "$DMVGATE" audit verify log4
expect_exit 2 "$DMVGATE" audit verify nowhere
pass
