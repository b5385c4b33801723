#!/usr/bin/env bash
# Audit tine's TLS defaults with testssl.sh (Debian's testssl.sh package):
# a throwaway CA and a certificate for tine.test made with openssl, tine on
# a free loopback port with only a TLS listener and its built-in TLS
# settings, then testssl against it; prints testssl's report and the lines
# rated WARN, MEDIUM, HIGH or CRITICAL. Slow (minutes), so not in CI:
#   make tls-audit        (or: tests/bench/tls-audit.sh ./tine)
set -euo pipefail
tine=${1:-./tine}
command -v testssl >/dev/null || { echo "tls-audit: apt-get install testssl.sh"; exit 77; }
dir=$(mktemp -d /tmp/tls-audit.XXXXXX); chmod 755 "$dir"; mkdir "$dir/www"
echo '<!doctype html><title>audit</title>' > "$dir/www/index.html"
chmod -R a+rX "$dir/www"
(cd "$dir" &&
 openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
   -keyout ca.key -out ca.pem -days 2 -subj '/CN=tine audit CA' 2>/dev/null &&
 openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
   -keyout leaf.key -out leaf.csr -subj '/CN=tine.test' 2>/dev/null &&
 printf 'subjectAltName=DNS:tine.test\n' > leaf.ext &&
 openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -days 2 \
   -extfile leaf.ext -out leaf.crt 2>/dev/null &&
 cat leaf.crt ca.pem > leaf.pem)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$dir/tine.conf" <<C
listen = { "127.0.0.1:$port tls" }
document_root = "$dir/www"
workers = 2
pid_file = "$dir/tine.pid"
error_log = "$dir/error.log"
access_log = "off"
tls_certificate = "$dir/leaf.pem"
tls_key = "$dir/leaf.key"
C
"$tine" -f -c "$dir/tine.conf" & pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do
  curl -sfk -o /dev/null "https://127.0.0.1:$port/" && break
  sleep 0.1
done
timeout 900 testssl --quiet --color 0 --warnings off --sneaky \
  --ip 127.0.0.1 --add-ca "$dir/ca.pem" "https://tine.test:$port/" \
  | tee "$dir/report.txt" || true
echo "=== rated WARN / MEDIUM / HIGH / CRITICAL (none is the goal):"
grep -E '\b(WARN|MEDIUM|HIGH|CRITICAL)\b|VULNERABLE' "$dir/report.txt" || echo "(none)"
