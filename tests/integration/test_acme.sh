#!/bin/sh
# test_acme.sh: the README's Let's Encrypt recipe (issue 12) run end to end,
# offline. Debian's pebble (a local ACME server) plays Let's Encrypt and
# Debian's certbot runs the README's command: certbot certonly --webroot
# with the deploy hook "tine -s reload", while tine serves the HTTP-01
# challenge from the site's document root on its plain port 80. Then the
# README's next step (the TLS listener and the certificate in tine.conf,
# tine -t && tine -s reload) must put the issued certificate on port 443,
# verified by a client that trusts only pebble's CA; and a renewal
# (certbot renew --force-renewal) must, through the deploy hook alone, put
# the renewed certificate there.
#
# It all runs in a sandbox that unshare(1) makes: its own mount, network
# and pid namespaces, so ports 80 and 443 are ours on a loopback of our
# own, the test name www.tine.test resolves to 127.0.0.1 through an
# /etc/hosts bind-mounted there only (the machine's is never edited), and
# everything started dies with the sandbox. A directory in front of PATH
# holds a "tine" that runs the build with the test's config, so the hook
# is the README's text.
#
# Run by "make check" with TINE_BIN and TINE_SRCDIR. Exit 0 pass, 1 fail,
# 77 skip (not root, unshare refused, or pebble, certbot, curl, openssl,
# ip or python3 missing), 99 misuse. TINE_KEEP=1 keeps the temporary tree.

# shellcheck disable=SC2317 # functions called through check and poll

set -u
umask 022
PATH=$PATH:/usr/sbin:/sbin
export PATH

NAME=www.tine.test

if [ -z "${TINE_BIN:-}" ] || [ -z "${TINE_SRCDIR:-}" ]; then
	echo "test_acme.sh: set TINE_BIN and TINE_SRCDIR (make check does)" >&2
	exit 99
fi

# ---- reporting ----

# shellcheck source=tests/integration/tap.sh
. "$TINE_SRCDIR/tests/integration/tap.sh" || exit 99

# quiet COMMAND...: run COMMAND, its output shown only when it fails.
quiet() {
	"$@" >"$tmp/quiet.out" 2>&1 && return 0
	show "$tmp/quiet.out"
	return 1
}

# ---- the pieces, inside the sandbox ----

# sandbox_mount: a loopback of our own and an /etc/hosts naming NAME.
sandbox_mount() {
	ip link set lo up || return 1
	{ cat /etc/hosts; echo "127.0.0.1 $NAME"; } >"$tmp/hosts" &&
	    mount --bind "$tmp/hosts" /etc/hosts
}

# pebble_start: pebble on 14000 (its management API on 15000) with a
# certificate of a CA made here (Debian's package ships none), checking
# HTTP-01 challenges on port 80 at once (no random sleep) and rejecting no
# nonce at random.
pebble_start() {
	(cd "$tmp/pebble" &&
	    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -days 2 -subj /CN=pebble-test-ca -keyout ca.key \
	    -out ca.pem &&
	    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -subj /CN=localhost -keyout key.pem -out csr.pem &&
	    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >ext &&
	    openssl x509 -req -in csr.pem -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -days 2 -extfile ext -out cert.pem) \
	    >"$tmp/openssl.out" 2>&1 || { show "$tmp/openssl.out"; return 1; }
	cat >"$tmp/pebble/config.json" <<EOF
{
  "pebble": {
    "listenAddress": "127.0.0.1:14000",
    "managementListenAddress": "127.0.0.1:15000",
    "certificate": "$tmp/pebble/cert.pem",
    "privateKey": "$tmp/pebble/key.pem",
    "httpPort": 80,
    "tlsPort": 5001,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": false
  }
}
EOF
	PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 \
	    pebble -config "$tmp/pebble/config.json" >"$tmp/pebble.log" 2>&1 &
	poll 20 curl -sf --cacert "$tmp/pebble/ca.pem" -o /dev/null \
	    https://localhost:14000/dir
}

# tine_conf [TLS]: the site's config, with the TLS listener and the
# issued certificate when TLS is given (the README's second step).
tine_conf() {
	_listen='"0.0.0.0:80"'
	_cert=
	if [ $# -gt 0 ]; then
		_listen='"0.0.0.0:443 tls", "0.0.0.0:80"'
		_cert="tls_certificate = \"$tmp/le/live/$NAME/fullchain.pem\"
tls_key = \"$tmp/le/live/$NAME/privkey.pem\""
	fi
	cat >"$tmp/tine.conf" <<EOF
listen = {$_listen}
document_root = "$tmp/www"
workers = 2
pid_file = "$tmp/tine.pid"
error_log = "$tmp/error.log"
access_log = "$tmp/access.log"
log_level = "info"
$_cert
EOF
}

# The number of generations that have served, from the error log.
generations() {
	grep -c 'master ready' "$tmp/error.log" 2>/dev/null
}
# more_generations N: whether more than N generations have served.
more_generations() {
	[ "$(generations)" -gt "$1" ]
}

# certbot_run ARGS...: certbot against pebble, its state in $tmp/le.
certbot_run() {
	REQUESTS_CA_BUNDLE=$tmp/pebble/ca.pem certbot "$@" \
	    --server https://localhost:14000/dir --non-interactive \
	    --config-dir "$tmp/le" --work-dir "$tmp/le-work" \
	    --logs-dir "$tmp/le-logs" >"$tmp/certbot.out" 2>&1
	_rc=$?
	[ "$_rc" -eq 0 ] || { note "certbot $1 exited $_rc:"; show "$tmp/certbot.out"; }
	return "$_rc"
}

# The serial of the certificate in a PEM file.
serial_of() {
	openssl x509 -noout -serial -in "$1" 2>/dev/null
}
# The serial of the certificate port 443 shows for NAME, verified against
# pebble's root (with NAME's address from our /etc/hosts).
served_serial() {
	openssl s_client -connect "$NAME:443" -servername "$NAME" \
	    -verify_hostname "$NAME" -CAfile "$tmp/root.pem" \
	    -verify_return_error </dev/null 2>/dev/null |
	    openssl x509 -noout -serial 2>/dev/null
}
# Whether port 443 now shows the certificate of the live fullchain.pem.
serves_live() {
	_want=$(serial_of "$tmp/le/live/$NAME/cert.pem") &&
	    [ -n "$_want" ] && [ "$(served_serial)" = "$_want" ]
}

# ---- the steps ----

step_issue() {
	tine_conf
	check "tine -t takes the plain site" quiet tine -t || return 1
	check "tine starts" quiet tine || return 1
	check "tine serves on port 80" poll 10 curl -sf -o /dev/null \
	    "http://$NAME/" || return 1
	_gen=$(generations)
	check "certbot certonly --webroot with the README's deploy hook" \
	    certbot_run certonly --webroot -w "$tmp/www" -d "$NAME" \
	    --deploy-hook "tine -s reload" --agree-tos \
	    --register-unsafely-without-email || return 1
	check "pebble fetched the challenge from tine" \
	    grep -q 'GET /.well-known/acme-challenge/[^ ]* HTTP/1.1" 200' \
	    "$tmp/access.log" || show "$tmp/access.log"
	check "the deploy hook reloaded tine" \
	    poll 10 more_generations "$_gen"
	check "certbot wrote the live certificate" \
	    test -s "$tmp/le/live/$NAME/fullchain.pem"
	curl -sf --cacert "$tmp/pebble/ca.pem" -o "$tmp/root.pem" \
	    https://localhost:15000/roots/0
	check "pebble's root fetched" test -s "$tmp/root.pem"
}

step_tls() {
	tine_conf tls
	check "tine -t takes the certificate certbot wrote" quiet tine -t ||
	    return 1
	check "tine -s reload" tine -s reload
	check "port 443 serves the issued certificate, verified" \
	    poll 10 serves_live
	check "curl trusting pebble's root gets the page over HTTPS" \
	    sh -c "curl -sf --cacert '$tmp/root.pem' https://$NAME/ |
	    grep -q 'acme test page'"
}

step_renew() {
	_old=$(serial_of "$tmp/le/live/$NAME/cert.pem")
	check "certbot renew --force-renewal (the deploy hook saved)" \
	    certbot_run renew --force-renewal --no-random-sleep-on-renew || return 1
	check "the renewal is a new certificate" \
	    test "$(serial_of "$tmp/le/live/$NAME/cert.pem")" != "$_old"
	check "the deploy hook put the renewed certificate on port 443" \
	    poll 10 serves_live
}

sandbox_main() {
	tmp=$1
	mkdir -p "$tmp/bin" "$tmp/pebble" "$tmp/www" &&
	    echo "acme test page" >"$tmp/www/index.html" || exit 99
	# The README's "tine": this build with this config.
	printf '#!/bin/sh\nexec "%s" -c "%s" "$@"\n' "$TINE_BIN" \
	    "$tmp/tine.conf" >"$tmp/bin/tine" && chmod 755 "$tmp/bin/tine" ||
	    exit 99
	PATH=$tmp/bin:$PATH
	check "the sandbox: a loopback and /etc/hosts naming $NAME" \
	    sandbox_mount || exit 1
	check "pebble answers on 14000" pebble_start ||
	    { show "$tmp/pebble.log"; exit 1; }
	step_issue && step_tls && step_renew
	[ "$nfailed" -eq 0 ] || { note "tine's error log:"; show "$tmp/error.log"; }
	[ -f "$tmp/tine.pid" ] && kill "$(cat "$tmp/tine.pid")" 2>/dev/null
	echo "1..$nchecks"
	[ "$nfailed" -eq 0 ]
	exit $?
}

# ---- outside: checks, the sandbox, cleanup ----

if [ "${1:-}" = "--sandbox" ]; then
	sandbox_main "$2"
fi
for tool in pebble certbot curl openssl ip unshare; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool is not installed"
		exit 77
	fi
done
if [ "$(id -u)" != 0 ] ||
    ! unshare --mount --net --pid --fork true 2>/dev/null; then
	echo "SKIP: the sandbox needs root and unshare --mount --net --pid"
	exit 77
fi
TINE_BIN=$(cd "$(dirname "$TINE_BIN")" && pwd)/$(basename "$TINE_BIN")
export TINE_BIN
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tine-acme.XXXXXX") || exit 99
# Workers run as www-data: the tree must be readable by them.
chmod 755 "$tmp"
unshare --mount --net --pid --fork --mount-proc --propagation private \
    sh "$0" --sandbox "$tmp"
rc=$?
if [ "${TINE_KEEP:-}" = 1 ]; then
	echo "# kept $tmp"
else
	rm -rf "$tmp"
fi
exit "$rc"
