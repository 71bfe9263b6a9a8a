#!/bin/sh
# Make the TLS certificate of an office's paced, signed by the office's own
# certificate authority (CA), with nothing but the openssl command line.
#
#   deploy/certs/make-office-cert.sh [-d DIR] [-o "Office name"] [-days N]
#                                    NAME [NAME|IP ...]
#
# NAME is what the laptops type after --server (pace.example.com, a bare
# host name, or an IP address such as 192.168.1.20); give every name the
# server is reached by: pace verifies that the certificate names it.
#
# In DIR (default ./pace-certs):
#   ca.key   the CA's private key. Keep it offline; it signs certificates.
#            Made once, reused by later runs (new server names, renewal).
#   ca.crt   the CA certificate: copy it to every laptop (pace --tls-ca).
#   NAME.key, NAME.crt   for paced --tls-cert NAME.crt --tls-key NAME.key
#            (NAME.crt holds the certificate, then the CA). One pair per
#            server: several servers of an office share the CA.
#
# Keys are EC P-256 (small, fast handshakes), files holding keys are 0600.
# The server certificate is valid for 825 days by default; run the script
# again with the same DIR before then, and restart paced. See docs/tls.md.
set -eu

dir=./pace-certs
office="Pace office"
days=825

usage() {
	sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
	exit "${1:-2}"
}

while [ $# -gt 0 ]; do
	case "$1" in
	-d) dir=$2; shift 2 ;;
	-o) office=$2; shift 2 ;;
	-days) days=$2; shift 2 ;;
	-h|--help) usage 0 ;;
	--) shift; break ;;
	-*) echo "unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage
command -v openssl >/dev/null || { echo "openssl is not installed" >&2; exit 1; }

# subjectAltName: IP:... for addresses, DNS:... for names.
san=""
for n in "$@"; do
	case "$n" in
	*[!0-9.]*) case "$n" in *:*) kind=IP ;; *) kind=DNS ;; esac ;;
	*) kind=IP ;;
	esac
	san="${san:+$san,}$kind:$n"
done

base=$(printf '%s' "$1" | tr -c 'A-Za-z0-9.-' '_')

umask 077
mkdir -p "$dir"
cd "$dir"

if [ ! -f ca.key ] || [ ! -f ca.crt ]; then
	openssl ecparam -name prime256v1 -genkey -noout -out ca.key
	openssl req -x509 -new -key ca.key -sha256 -days 3650 \
		-subj "/O=$office/CN=$office CA" \
		-addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-out ca.crt
	echo "made a new CA: $dir/ca.crt (copy it to the laptops)"
else
	echo "using the existing CA in $dir"
fi

openssl ecparam -name prime256v1 -genkey -noout -out "$base.key"
openssl req -new -key "$base.key" -subj "/O=$office/CN=$1" -out "$base.csr"
cat > "$base.ext" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=$san
EOF
openssl x509 -req -in "$base.csr" -CA ca.crt -CAkey ca.key \
	-CAcreateserial -sha256 -days "$days" -extfile "$base.ext" \
	-out "$base.only.crt" 2>/dev/null
cat "$base.only.crt" ca.crt > "$base.crt"
rm -f "$base.csr" "$base.ext" "$base.only.crt"
chmod 644 ca.crt "$base.crt"
openssl verify -CAfile ca.crt "$base.crt" >/dev/null

echo "server certificate for $san, valid $days days:"
echo "  paced --tls-cert $dir/$base.crt --tls-key $dir/$base.key"
echo "  pace --server $1:7420 --tls-ca $dir/ca.crt login"
