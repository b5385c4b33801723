#!/bin/bash
# shellcheck disable=SC2317  # trap-called functions
# test_haproxy.sh: tine behind a real HAProxy (issue 14, "the real thing").
# Two tine instances listen with "proxy_protocol" on 127.0.0.1; HAProxy
# (Debian's haproxy) balances a frontend on 127.0.0.1 over them with
# send-proxy-v2, HTTP health checks (check-send-proxy), retries 3 and
# option redispatch, and connects from 127.0.0.2 (its "source"), so that
# the peer tine sees (127.0.0.2, %{c}a) differs from the client HAProxy
# saw (127.0.0.1, %h): a line "127.0.0.1 127.0.0.2" can only come from
# the PROXY header. A bounded load loop (LOAD requests, each on a new
# connection, at most LOAD_SECONDS) runs through HAProxy; a third of the
# way in, instance b is stopped gracefully (SIGQUIT). It passes when no
# request failed, b exited 0, and both instances logged loop requests
# from 127.0.0.1 via 127.0.0.2.
#
# Run by "make check" with TINE_BIN and TINE_SRCDIR. Needs haproxy and
# python3 (./autogen.sh --deps installs them); without haproxy it exits 77
# (SKIP), except in CI (CI=true), where that is a failure. TINE_KEEP=1
# keeps the temporary tree. Exit 0 pass, 1 fail, 77 skip, 99 misuse.

set -u
umask 022

LOAD=${LOAD:-300}
LOAD_SECONDS=${LOAD_SECONDS:-90}
# The path HAProxy's health check asks for: tine's health_path, which says
# 503 from a graceful stop on (shutdown_delay keeps b serving meanwhile).
HEALTH=/healthz

if [ -z "${TINE_BIN:-}" ] || [ -z "${TINE_SRCDIR:-}" ]; then
	echo "test_haproxy.sh: set TINE_BIN and TINE_SRCDIR (make check does)" >&2
	exit 99
fi
if ! command -v haproxy >/dev/null 2>&1; then
	echo "# haproxy missing: run ./autogen.sh --deps"
	[ "${CI:-}" = true ] && { echo "not ok - haproxy missing"; exit 1; }
	exit 77
fi
command -v python3 >/dev/null 2>&1 || { echo "not ok - python3 missing"; exit 1; }
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

# shellcheck source=tests/integration/tap.sh
. "$TINE_SRCDIR/tests/integration/tap.sh" || exit 99
# detail FILE: show a file's tail after a failure.
detail() {
	[ -s "$1" ] && { tail -c 3000 "$1"; echo; } | show -
	return 0
}

T=$(mktemp -d "${TMPDIR:-/tmp}/tine-haproxy.XXXXXX") || exit 99
pids=
# Stop what this script started, by pid: each tine master stops its own
# workers; haproxy runs in the foreground (-db), so its pid is its own.
cleanup() {
	local st=$? p
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $pids; do
		for _ in $(seq 100); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	finish "$T" "$st"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# conf_tine NAME PORT: an instance's directory, docroot and config.
conf_tine() {
	mkdir -p "$T/$1/www" || exit 99
	printf 'page of %s\n' "$1" >"$T/$1/www/page.txt"
	cat >"$T/$1/tine.conf" <<EOF
listen = {"127.0.0.1:$2 proxy_protocol"}
trusted_proxies = {"127.0.0.0/8"}
document_root = "$T/$1/www"
pid_file = "$T/$1/tine.pid"
error_log = "$T/$1/error.log"
access_log = "$T/$1/access.log"
access_log_format = "%h %{c}a %r %>s"
log_level = "info"
workers = 2
EOF
	printf 'health_path = "%s"\nshutdown_delay = 2\n' "$HEALTH" \
		>>"$T/$1/tine.conf"
}

# wait_for WHAT SECONDS COMMAND...: poll COMMAND until it succeeds; not
# ok WHAT and 1 at the bound.
wait_for() {
	local what=$1 secs=$2
	shift 2
	poll "$secs" "$@" && return 0
	notok "$what"
	return 1
}

PA=$(free_port) PB=$(free_port) PF=$(free_port) || exit 99
conf_tine a "$PA"
conf_tine b "$PB"
chmod -R a+rX "$T"
chmod 755 "$T"

"$TINE_BIN" -f -c "$T/a/tine.conf" >"$T/a/out" 2>&1 &
pid_a=$!
"$TINE_BIN" -f -c "$T/b/tine.conf" >"$T/b/out" 2>&1 &
pid_b=$!
pids="$pid_a $pid_b"
for n in a b; do
	wait_for "tine $n starts" 10 grep -qs "master ready" "$T/$n/error.log" ||
		{ detail "$T/$n/out"; detail "$T/$n/error.log"; exit 1; }
done

# The example of the README's "Behind a load balancer", on loopback.
cat >"$T/haproxy.cfg" <<EOF
global
	maxconn 512
	stats socket $T/haproxy.sock

defaults
	mode http
	timeout connect 2s
	timeout client 10s
	timeout server 10s
	timeout check 5s
	retries 3
	option redispatch
	retry-on conn-failure empty-response response-timeout

frontend www
	bind 127.0.0.1:$PF
	default_backend tines

backend tines
	balance roundrobin
	option httpchk
	http-check send meth GET uri $HEALTH ver HTTP/1.1 hdr Host tine
	http-check expect status 200
	default-server send-proxy-v2 check check-send-proxy inter 200ms fall 1 rise 1 source 127.0.0.2
	server a 127.0.0.1:$PA
	server b 127.0.0.1:$PB
EOF
haproxy -c -q -f "$T/haproxy.cfg" >"$T/haproxy.check" 2>&1 ||
	{ notok "haproxy accepts the config"; detail "$T/haproxy.check"; exit 1; }
haproxy -db -f "$T/haproxy.cfg" >"$T/haproxy.out" 2>&1 &
pid_h=$!
pids="$pids $pid_h"
# Both servers up: each answered a health check (unlogged by tine, so asked
# of HAProxy's stats socket: the row's check_status is L7OK).
hap_stat() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"show stat\n")
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
sys.stdout.write(out.decode())' "$T/haproxy.sock"
}
for n in a b; do
	wait_for "haproxy checks tine $n" 10 sh -c "$(declare -f hap_stat); T=$T; hap_stat | grep -q '^tines,$n,.*,L7OK,'" ||
		{ detail "$T/haproxy.out"; exit 1; }
done

# The load loop: LOAD requests, a new connection each, bounded in time;
# b gets SIGQUIT a third of the way in. Prints "ok N failed M".
python3 - "$PF" "$LOAD" "$LOAD_SECONDS" "$pid_b" >"$T/load.out" 2>&1 <<'EOF'
import http.client, os, signal, sys, time
port, n, limit, pid_b = (int(a) for a in sys.argv[1:5])
start = time.monotonic()
ok = failed = 0
for i in range(n):
    if i == n // 3:
        os.kill(pid_b, signal.SIGQUIT)
    if time.monotonic() - start > limit:
        print("time bound reached after", i, "requests")
        failed += n - i
        break
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", "/page.txt?%d" % i)
        r = c.getresponse()
        body = r.read()
        if r.status == 200 and body.startswith(b"page of "):
            ok += 1
        else:
            failed += 1
            print("request", i, "got", r.status, body[:80])
        c.close()
    except Exception as e:
        failed += 1
        print("request", i, "failed:", e)
print("ok", ok, "failed", failed)
EOF
if grep -qx "ok $LOAD failed 0" "$T/load.out"; then
	ok "$LOAD requests through haproxy, b stopped mid-run: 0 failed"
else
	notok "$LOAD requests through haproxy, b stopped mid-run: 0 failed"
	detail "$T/load.out"
fi

# HAProxy takes b out on its health path's 503 (b serves on meanwhile for
# shutdown_delay; the load may have ended before the next check).
if wait_for "haproxy took b down on the health path's 503" 10 grep -q \
	'Server tines/b is DOWN, reason: Layer7 wrong status, code: 503' \
	"$T/haproxy.out"; then
	ok "haproxy took b down on the health path's 503"
else
	detail "$T/haproxy.out"
fi

# b stops gracefully: the master exits 0 once its workers are done (a b
# still running is left to cleanup, not waited for without a bound).
if wait_for "tine b exits after SIGQUIT" 30 sh -c "! kill -0 $pid_b 2>/dev/null"
then
	wait "$pid_b"
	rc=$?
	pids="$pid_a $pid_h"
	if [ "$rc" = 0 ]; then
		ok "tine b exited 0 after SIGQUIT"
	else
		notok "tine b exited 0 after SIGQUIT (got $rc)"
	fi
fi

# The client is 127.0.0.1 (%h, from the PROXY header), the peer
# HAProxy's source 127.0.0.2 (%{c}a).
for n in a b; do
	k=$(grep -c '^127\.0\.0\.1 127\.0\.0\.2 GET /page\.txt?[0-9]* HTTP/1\.1 200$' \
		"$T/$n/access.log")
	if [ "$k" -gt 0 ]; then
		ok "tine $n logged $k loop requests as 127.0.0.1 via 127.0.0.2"
	else
		notok "tine $n logged loop requests as 127.0.0.1 via 127.0.0.2"
		detail "$T/$n/access.log"
	fi
	if grep -q '\[alert\]\|\[crit\]\|\[emerg\]' "$T/$n/error.log"; then
		notok "tine $n's error log has no alert or crit line"
		detail "$T/$n/error.log"
	fi
	if grep -q 'PROXY' "$T/$n/error.log"; then
		notok "tine $n refused no PROXY header from haproxy"
		detail "$T/$n/error.log"
	fi
done
# a, still running, writes its buffered lines within a moment.
logged() {
	grep -c 'GET /page' "$T/a/access.log" "$T/b/access.log" |
		awk -F: '{ s += $2 } END { print s }'
}
poll 5 sh -c "$(declare -f logged); T=$T; [ \$(logged) -ge $LOAD ]"
k=$(logged)
if [ "$k" -ge "$LOAD" ]; then
	ok "the instances logged $k loop requests"
else
	notok "the instances logged $k loop requests, fewer than $LOAD"
fi

[ "$nfailed" = 0 ] || exit 1
exit 0
