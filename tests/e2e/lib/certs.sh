#!/usr/bin/env bash
# certs.sh - make throwaway TLS material for tests, demos and benchmarks, with
# the openssl CLI, at run time (nothing is checked in).
#
# usage: certs.sh DIR [ORI...]
#
# Writes into DIR (created if needed), every key EC P-256, every certificate
# valid for 30 days unless said otherwise:
#   ca.pem ca.key            the test CA (CN=dmvgate test CA)
#   ca.crl                   its CRL, listing revoked.pem
#   server.pem server.key    server certificate for localhost / 127.0.0.1 / ::1
#   ORI.pem ORI.key          an agency client certificate per ORI argument
#                            (subject CN = the ORI: that is where dmvgate reads it)
#   hub.pem hub.key          the hub's client certificate, CN=hub.dmvgate.test
#   expired.pem expired.key  CN=CO0010000, expired in 2020
#   revoked.pem revoked.key  CN=CO0010000, revoked in ca.crl
#   rogue.pem rogue.key      CN=CO0010000, issued by another CA (rogue-ca.pem)
#   noori.pem noori.key      a valid client certificate whose CN is not an ORI
# Default ORIs when none are given: CO0010000 AZ0070000 DCDHS0100.
set -euo pipefail
dir=${1:?usage: certs.sh DIR [ORI...]}
shift
oris=("$@")
((${#oris[@]})) || oris=(CO0010000 AZ0070000 DCDHS0100)
mkdir -p "$dir/ca/newcerts"
dir=$(cd "$dir" && pwd)
: >"$dir/ca/index.txt"
echo 1000 >"$dir/ca/serial"
echo 1000 >"$dir/ca/crlnumber"

cat >"$dir/ca/openssl.cnf" <<CNF
[ ca ]
default_ca = dgca
[ dgca ]
dir = $dir/ca
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = $dir/ca.pem
private_key = $dir/ca.key
default_md = sha256
default_days = 30
default_crl_days = 30
policy = pol
unique_subject = no
[ pol ]
commonName = supplied
[ client_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
[ server_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
CNF
cnf=$dir/ca/openssl.cnf

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; chmod 600 "$1"; }

# make_ca NAME CN
make_ca() {
  key "$dir/$1.key"
  openssl req -x509 -new -key "$dir/$1.key" -subj "/CN=$2" -days 30 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$dir/$1.pem" 2>/dev/null
}

# issue NAME CN EXT [openssl ca options...]
issue() {
  local name=$1 cn=$2 ext=$3
  shift 3
  key "$dir/$name.key"
  openssl req -new -key "$dir/$name.key" -subj "/CN=$cn" -out "$dir/ca/$name.csr" 2>/dev/null
  openssl ca -batch -notext -config "$cnf" -extensions "$ext" -in "$dir/ca/$name.csr" \
    -out "$dir/$name.pem" "$@" 2>/dev/null
}

make_ca ca "dmvgate test CA"
issue server localhost server_ext
for o in "${oris[@]}"; do issue "$o" "$o" client_ext; done
issue hub hub.dmvgate.test client_ext
issue noori "not an ori" client_ext
issue expired CO0010000 client_ext -startdate 20200101000000Z -enddate 20200201000000Z
issue revoked CO0010000 client_ext
openssl ca -batch -config "$cnf" -revoke "$dir/revoked.pem" 2>/dev/null
openssl ca -batch -config "$cnf" -gencrl -out "$dir/ca.crl" 2>/dev/null

# A certificate from a CA the node does not trust.
make_ca rogue-ca "rogue CA"
key "$dir/rogue.key"
openssl req -new -key "$dir/rogue.key" -subj "/CN=CO0010000" -out "$dir/ca/rogue.csr" 2>/dev/null
openssl x509 -req -in "$dir/ca/rogue.csr" -CA "$dir/rogue-ca.pem" -CAkey "$dir/rogue-ca.key" \
  -CAcreateserial -days 30 -sha256 -out "$dir/rogue.pem" 2>/dev/null
