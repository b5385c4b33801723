#!/bin/bash
# shellcheck disable=SC2016,SC2317  # eval '...' checks; trap-called functions
# test_clients.sh: real HTTP clients against a running tine (issue 3, "Done
# when"): curl, wget, Python's http.client/urllib and a headless Chromium
# fetch pages, byte ranges (single, suffix, multipart/byteranges, resumed
# downloads) and conditional requests (If-None-Match, If-Modified-Since,
# If-Range), and every byte they get is compared with the file served.
#
# Starts "$TINE_BIN -f" on a free 127.0.0.1 port with a docroot in a
# temporary directory, stops it at the end and checks its error log has no
# [alert] or [crit] line. Also checks the access log records the browser's
# 200, 206 and 304 responses.
#
# Run by "make check" with TINE_BIN (the built binary) and TINE_SRCDIR (the
# sources); the current directory (the build directory) is not written to.
# Needs curl, wget, python3 and chromium (./autogen.sh --deps installs them);
# a missing one is a failure, except chromium outside CI: then the browser
# part is left out and, if all else passed, the test exits 77 (SKIP), so a
# developer without a browser can run make check. In CI (CI=true) a missing
# chromium is a failure. Set CHROMIUM to use another Chromium binary,
# TINE_KEEP=1 to keep the temporary tree.
# Exit 0 pass, 1 fail, 77 browser skipped, 99 misuse.

set -u
umask 022

if [ -z "${TINE_BIN:-}" ] || [ -z "${TINE_SRCDIR:-}" ]; then
	echo "test_clients.sh: set TINE_BIN and TINE_SRCDIR (make check does)" >&2
	exit 99
fi
if [ ! -x "$TINE_BIN" ]; then
	echo "test_clients.sh: $TINE_BIN is not an executable" >&2
	exit 99
fi

CHROMIUM=${CHROMIUM:-chromium}
missing=
for tool in curl wget python3 sha256sum timeout; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
browser=yes
if ! command -v "$CHROMIUM" >/dev/null 2>&1; then
	if [ "${CI:-}" = true ]; then
		missing="$missing $CHROMIUM"
	else
		browser=no
		echo "# $CHROMIUM missing: the browser checks are skipped"
	fi
fi
if [ -n "$missing" ]; then
	for tool in $missing; do
		echo "not ok - $tool missing: run ./autogen.sh --deps"
	done
	exit 1
fi

# The clients must talk to tine directly, whatever the environment says.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost

# ---- reporting ----

nchecks=0
nfailed=0
ok() {
	nchecks=$((nchecks + 1))
	echo "ok - $*"
}
not_ok() {
	nchecks=$((nchecks + 1))
	nfailed=$((nfailed + 1))
	echo "not ok - $*"
}
# check DESCRIPTION COMMAND...: ok when COMMAND succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
# detail FILE: show a file's head after a failure (indented).
detail() {
	[ -s "$1" ] && { head -c 3000 "$1"; echo; } | sed 's/^/    # /'
	return 0
}

# ---- the temporary tree and the server ----

T=$(mktemp -d "${TMPDIR:-/tmp}/tine-clients.XXXXXX") || exit 99
tine_pid=
stop_tine() {
	# Only the master this script started; it stops its own workers.
	[ -n "$tine_pid" ] || return 0
	kill -TERM "$tine_pid" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$tine_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$tine_pid" 2>/dev/null; then
		not_ok "tine (pid $tine_pid) stops within 10 s of SIGTERM"
		kill -KILL "$tine_pid" 2>/dev/null
	fi
	wait "$tine_pid" 2>/dev/null
	tine_pid=
}
cleanup() {
	stop_tine
	if [ "${TINE_KEEP:-0}" = 1 ]; then
		echo "# kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

W=$T/www
mkdir -p "$W/sub" "$T/curl" "$T/wget" "$T/wgetn" "$T/wgetc" "$T/chrome" \
	"$T/home" || exit 99

cat >"$W/index.html" <<'EOF'
<!doctype html>
<html><head><meta charset="utf-8"><title>tine</title></head>
<body><h1>It works</h1><p>tine test page.</p></body></html>
EOF
printf 'page for the browser revalidation test\n' >"$W/page.txt"
printf 'sub index\n' >"$W/sub/index.html"

# data.bin: 100000 bytes of a fixed pattern, byte i = (7i + i/251) mod 256
# (the browser page computes the same pattern in JavaScript).
python3 -c '
import sys
sys.stdout.buffer.write(bytes((i * 7 + i // 251) & 255 for i in range(100000)))
' >"$W/data.bin" || exit 99
SIZE=100000
SHA=$(sha256sum "$W/data.bin" | cut -d' ' -f1)

# pixel.png: a valid 2x2 RGB PNG, for <img>.
python3 -c '
import struct, sys, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
raw = b"".join(b"\0" + bytes([255, 0, 0, 0, 255, 0]) for _ in range(2))
sys.stdout.buffer.write(b"\x89PNG\r\n\x1a\n"
    + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
    + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
' >"$W/pixel.png" || exit 99

cat >"$W/browser.html" <<'EOF'
<!doctype html>
<html><head><meta charset="utf-8"><title>tine browser test</title></head>
<body>
<div id="result">PENDING</div>
<img id="img" alt="pixel">
<script>
(async () => {
  const out = [];
  let bad = 0;
  const check = (c, m) => { out.push((c ? 'ok ' : 'FAIL ') + m); if (!c) bad++; };
  const N = 100000;
  const want = new Uint8Array(N);
  for (let i = 0; i < N; i++) want[i] = (i * 7 + Math.floor(i / 251)) & 255;
  const same = (got, off) => {
    for (let i = 0; i < got.length; i++) if (got[i] !== want[off + i]) return false;
    return off + got.length <= N;
  };
  const find = (hay, off, len) => {
    outer: for (let i = 0; i + len <= hay.length; i++) {
      for (let j = 0; j < len; j++) if (hay[i + j] !== want[off + j]) continue outer;
      return true;
    }
    return false;
  };
  const bytes = async (r) => new Uint8Array(await r.arrayBuffer());
  const nc = { cache: 'no-store' };
  try {
    let r = await fetch('data.bin', nc);
    let b = await bytes(r);
    check(r.status === 200 && b.length === N && same(b, 0),
          'GET data.bin status ' + r.status + ' length ' + b.length);
    const etag = r.headers.get('ETag'), lm = r.headers.get('Last-Modified');
    check(!!etag && !!lm && r.headers.get('Accept-Ranges') === 'bytes',
          'validators ETag ' + etag + ' Last-Modified ' + lm);

    r = await fetch('data.bin', { cache: 'no-store', method: 'HEAD' });
    b = await bytes(r);
    check(r.status === 200 && b.length === 0 &&
          r.headers.get('Content-Length') === String(N) && r.headers.get('ETag') === etag,
          'HEAD status ' + r.status + ' Content-Length ' + r.headers.get('Content-Length'));

    r = await fetch('data.bin', { cache: 'no-store', headers: { Range: 'bytes=100-199' } });
    b = await bytes(r);
    check(r.status === 206 && b.length === 100 && same(b, 100) &&
          r.headers.get('Content-Range') === 'bytes 100-199/' + N,
          'Range 100-199 status ' + r.status + ' Content-Range ' + r.headers.get('Content-Range'));

    r = await fetch('data.bin', { cache: 'no-store', headers: { Range: 'bytes=-300' } });
    b = await bytes(r);
    check(r.status === 206 && b.length === 300 && same(b, N - 300),
          'Range suffix -300 status ' + r.status + ' length ' + b.length);

    r = await fetch('data.bin', { cache: 'no-store', headers: { Range: 'bytes=0-9,5000-5099' } });
    b = await bytes(r);
    const ct = r.headers.get('Content-Type') || '';
    check(r.status === 206 && ct.startsWith('multipart/byteranges; boundary=') &&
          find(b, 0, 10) && find(b, 5000, 100),
          'multi-range status ' + r.status + ' type ' + ct.split(';')[0]);

    r = await fetch('data.bin', { cache: 'no-store', headers: { 'If-None-Match': etag } });
    b = await bytes(r);
    check(r.status === 304 && b.length === 0 && r.headers.get('ETag') === etag,
          'If-None-Match status ' + r.status + ' body ' + b.length);

    r = await fetch('data.bin', { cache: 'no-store', headers: { 'If-Modified-Since': lm } });
    b = await bytes(r);
    check(r.status === 304 && b.length === 0, 'If-Modified-Since status ' + r.status);

    r = await fetch('data.bin', { cache: 'no-store', headers: { Range: 'bytes=10-19', 'If-Range': etag } });
    b = await bytes(r);
    check(r.status === 206 && b.length === 10 && same(b, 10), 'If-Range match status ' + r.status);

    r = await fetch('data.bin', { cache: 'no-store', headers: { Range: 'bytes=10-19', 'If-Range': '"stale"' } });
    b = await bytes(r);
    check(r.status === 200 && b.length === N && same(b, 0), 'If-Range stale status ' + r.status);

    r = await fetch('data.bin', { cache: 'no-store', headers: { Range: 'bytes=200000-' } });
    check(r.status === 416 && r.headers.get('Content-Range') === 'bytes */' + N,
          'unsatisfiable range status ' + r.status);

    /* the browser's own revalidation: the second no-cache fetch sends the
       cached validators, tine answers 304 (see the access log), the page
       sees the cached 200 */
    const want_txt = 'page for the browser revalidation test\n';
    r = await fetch('page.txt', { cache: 'no-cache' });
    let t = await r.text();
    check(r.status === 200 && t === want_txt, 'page.txt first fetch status ' + r.status);
    r = await fetch('page.txt', { cache: 'no-cache' });
    t = await r.text();
    check(r.status === 200 && t === want_txt, 'page.txt revalidated status ' + r.status);

    r = await fetch('sub/', nc);
    t = await r.text();
    check(r.status === 200 && t === 'sub index\n', 'directory index status ' + r.status);
    r = await fetch('missing.html', nc);
    check(r.status === 404, 'missing file status ' + r.status);

    const img = document.getElementById('img');
    const loaded = await new Promise((res) => {
      img.onload = () => res(true);
      img.onerror = () => res(false);
      img.src = 'pixel.png';
    });
    check(loaded && img.naturalWidth === 2 && img.naturalHeight === 2,
          'img onload ' + loaded + ' size ' + img.naturalWidth + 'x' + img.naturalHeight);
  } catch (e) {
    check(false, 'exception ' + e);
  }
  document.getElementById('result').textContent =
    (bad ? 'FAIL' : 'PASS') + ' | ' + out.join(' | ');
})();
</script>
</body></html>
EOF
# A fixed past mtime: Last-Modified is then a strong validator (If-Range
# with a date) whatever the clock, and wget -N has a date to copy.
find "$W" -exec touch -d '2024-01-02 03:04:05 UTC' {} +
chmod -R a+rX "$T"
chmod 755 "$T"

PORT=$(python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
') || exit 99
BASE=http://127.0.0.1:$PORT

cat >"$T/tine.conf" <<EOF
listen = { "127.0.0.1:$PORT" }
document_root = "$W"
pid_file = "$T/tine.pid"
error_log = "$T/error.log"
access_log = "$T/access.log"
workers = 2
EOF

"$TINE_BIN" -f -c "$T/tine.conf" >"$T/tine.out" 2>&1 &
tine_pid=$!
ready=0
for _ in $(seq 100); do
	if ! kill -0 "$tine_pid" 2>/dev/null; then
		break
	fi
	if curl -q -s -o /dev/null --max-time 1 "$BASE/"; then
		ready=1
		break
	fi
	sleep 0.1
done
if [ $ready = 0 ]; then
	not_ok "tine starts and answers on $BASE within 10 s"
	detail "$T/tine.out"
	detail "$T/error.log"
	exit 1
fi
ok "tine starts and answers on $BASE"

# byte slices of data.bin: slice OFFSET COUNT
slice() { tail -c +$(($1 + 1)) "$W/data.bin" | head -c "$2"; }
# header NAME FILE: the value of a response header (last response in FILE)
header() {
	tr -d '\r' <"$2" | awk -v n="$1" 'BEGIN { n = tolower(n) }
		/^HTTP\// { v = "" }
		{ i = index($0, ":"); if (i && tolower(substr($0, 1, i - 1)) == n) {
			v = substr($0, i + 1); sub(/^[ \t]+/, "", v) } }
		END { print v }'
}
sha() { sha256sum "$1" | cut -d' ' -f1; }

CURL="curl -q -s --max-time 10"
C=$T/curl

# ---- curl ----

code=$($CURL -D "$C/h.get" -o "$C/b.get" -w '%{http_code}' "$BASE/data.bin")
check "curl: GET /data.bin is 200 with the file's bytes (got $code)" \
	eval '[ "$code" = 200 ] && cmp -s "$C/b.get" "$W/data.bin"'
ETAG=$(header ETag "$C/h.get")
LASTMOD=$(header Last-Modified "$C/h.get")
check "curl: GET has ETag ($ETAG), Last-Modified, Accept-Ranges: bytes, Content-Length: $SIZE" \
	eval '[ -n "$ETAG" ] && [ -n "$LASTMOD" ] &&
	[ "$(header Accept-Ranges "$C/h.get")" = bytes ] &&
	[ "$(header Content-Length "$C/h.get")" = $SIZE ]'

code=$($CURL -D "$C/h.idx" -o "$C/b.idx" -w '%{http_code}' "$BASE/")
check "curl: GET / is 200 with index.html as text/html (got $code)" \
	eval '[ "$code" = 200 ] && cmp -s "$C/b.idx" "$W/index.html" &&
	header Content-Type "$C/h.idx" | grep -q "^text/html"'

code=$($CURL -I -D "$C/h.head" -o "$C/b.head" -w '%{http_code}' "$BASE/data.bin")
hs=
for h in Content-Length Content-Type ETag Last-Modified Accept-Ranges; do
	[ "$(header $h "$C/h.head")" = "$(header $h "$C/h.get")" ] || hs="$hs $h"
done
check "curl: HEAD is 200 with the headers of GET (got $code${hs:+, differ:$hs})" \
	eval '[ "$code" = 200 ] && [ -z "$hs" ]'

code=$($CURL -r 100-199 -D "$C/h.r1" -o "$C/b.r1" -w '%{http_code}' "$BASE/data.bin")
slice 100 100 >"$C/want.r1"
check "curl: -r 100-199 is 206, Content-Range bytes 100-199/$SIZE, the bytes of the slice (got $code)" \
	eval '[ "$code" = 206 ] && cmp -s "$C/b.r1" "$C/want.r1" &&
	[ "$(header Content-Range "$C/h.r1")" = "bytes 100-199/$SIZE" ]'

code=$($CURL -r -500 -o "$C/b.r2" -w '%{http_code}' "$BASE/data.bin")
slice $((SIZE - 500)) 500 >"$C/want.r2"
check "curl: -r -500 (suffix) is 206 with the last 500 bytes (got $code)" \
	eval '[ "$code" = 206 ] && cmp -s "$C/b.r2" "$C/want.r2"'

code=$($CURL -r 99000- -o "$C/b.r3" -w '%{http_code}' "$BASE/data.bin")
slice 99000 1000 >"$C/want.r3"
check "curl: -r 99000- (open) is 206 with the last 1000 bytes (got $code)" \
	eval '[ "$code" = 206 ] && cmp -s "$C/b.r3" "$C/want.r3"'

code=$($CURL -r 200000- -D "$C/h.r4" -o /dev/null -w '%{http_code}' "$BASE/data.bin")
check "curl: -r 200000- is 416 with Content-Range bytes */$SIZE (got $code)" \
	eval '[ "$code" = 416 ] && [ "$(header Content-Range "$C/h.r4")" = "bytes */$SIZE" ]'

code=$($CURL -r 100-199,300-399 -D "$C/h.mr" -o "$C/b.mr" -w '%{http_code}' "$BASE/data.bin")
if [ "$code" = 206 ] && python3 - "$C/h.mr" "$C/b.mr" "$W/data.bin" 100-199 300-399 <<'EOF'
# check a multipart/byteranges body part by part
import re, sys
head = open(sys.argv[1], "rb").read().decode("latin-1")
body = open(sys.argv[2], "rb").read()
data = open(sys.argv[3], "rb").read()
m = re.search(r"(?im)^content-type:\s*multipart/byteranges;\s*boundary=\"?([^\"\r\n;]+)", head)
if not m:
    sys.exit("no multipart/byteranges Content-Type")
cl = re.search(r"(?im)^content-length:\s*(\d+)", head)
if cl and int(cl.group(1)) != len(body):
    sys.exit("Content-Length %s, body %d bytes" % (cl.group(1), len(body)))
delim = b"--" + m.group(1).encode()
parts = body.split(b"\r\n" + delim)
if not parts[0].lstrip(b"\r\n").startswith(delim) and parts[0] != b"":
    sys.exit("body does not start with the boundary")
parts = body.split(delim)
if not parts[-1].startswith(b"--"):
    sys.exit("no closing boundary")
got = []
for p in parts[1:-1]:
    h, sep, b = p.partition(b"\r\n\r\n")
    if not sep or not b.endswith(b"\r\n"):
        sys.exit("malformed part")
    b = b[:-2]
    cr = re.search(rb"(?im)^content-range:\s*bytes (\d+)-(\d+)/(\d+)", h)
    if not cr:
        sys.exit("part without Content-Range")
    a, z, n = map(int, cr.groups())
    if n != len(data) or b != data[a:z + 1]:
        sys.exit("part %d-%d: wrong bytes" % (a, z))
    got.append("%d-%d" % (a, z))
if got != sys.argv[4:]:
    sys.exit("parts %s, wanted %s" % (got, sys.argv[4:]))
EOF
then
	ok "curl: -r 100-199,300-399 is 206 multipart/byteranges with both parts' bytes"
else
	not_ok "curl: -r 100-199,300-399 is 206 multipart/byteranges with both parts' bytes (got $code)"
	detail "$C/h.mr"
fi

code=$($CURL -z "$W/data.bin" -D "$C/h.ims" -o "$C/b.ims" -w '%{http_code}' "$BASE/data.bin")
check "curl: -z data.bin (If-Modified-Since its mtime) is 304 with no body (got $code)" \
	eval '[ "$code" = 304 ] && [ ! -s "$C/b.ims" ]'
code=$($CURL -z "2000-01-01 00:00:00 GMT" -o "$C/b.ims2" -w '%{http_code}' "$BASE/data.bin")
check "curl: -z 2000-01-01 is 200 with the file (got $code)" \
	eval '[ "$code" = 200 ] && cmp -s "$C/b.ims2" "$W/data.bin"'

code=$($CURL -H "If-None-Match: $ETAG" -D "$C/h.inm" -o "$C/b.inm" -w '%{http_code}' "$BASE/data.bin")
check "curl: If-None-Match: <etag> is 304 with the ETag and no body (got $code)" \
	eval '[ "$code" = 304 ] && [ ! -s "$C/b.inm" ] &&
	[ "$(header ETag "$C/h.inm")" = "$ETAG" ]'
code=$($CURL -H 'If-None-Match: "x", '"$ETAG" -o /dev/null -w '%{http_code}' "$BASE/data.bin")
check "curl: If-None-Match with a list holding the etag is 304 (got $code)" \
	[ "$code" = 304 ]
code=$($CURL -H 'If-None-Match: "other"' -o "$C/b.inm2" -w '%{http_code}' "$BASE/data.bin")
check "curl: If-None-Match: \"other\" is 200 with the file (got $code)" \
	eval '[ "$code" = 200 ] && cmp -s "$C/b.inm2" "$W/data.bin"'

code=$($CURL -r 0-99 -H "If-Range: $ETAG" -o "$C/b.ir" -w '%{http_code}' "$BASE/data.bin")
slice 0 100 >"$C/want.ir"
check "curl: -r 0-99 with If-Range: <etag> is 206 (got $code)" \
	eval '[ "$code" = 206 ] && cmp -s "$C/b.ir" "$C/want.ir"'
code=$($CURL -r 0-99 -H 'If-Range: "stale"' -o "$C/b.ir2" -w '%{http_code}' "$BASE/data.bin")
check "curl: -r 0-99 with a stale If-Range is 200 with the whole file (got $code)" \
	eval '[ "$code" = 200 ] && cmp -s "$C/b.ir2" "$W/data.bin"'

out=$($CURL --http1.0 -o "$C/b.10" -w '%{http_code} %{num_connects} ' "$BASE/" \
	--next -s --max-time 10 --http1.0 -r 0-99 -o "$C/b.10r" \
	-w '%{http_code} %{num_connects}' "$BASE/data.bin")
read -r c1 n1 c2 n2 <<<"$out"
check "curl: --http1.0 GET / is 200 with index.html (got $c1)" \
	eval '[ "$c1" = 200 ] && cmp -s "$C/b.10" "$W/index.html"'
check "curl: --http1.0 -r 0-99 is 206 with the slice, on a new connection as HTTP/1.0 closes (got $c2, $n2 connects)" \
	eval '[ "$c2" = 206 ] && [ "$n2" = 1 ] && cmp -s "$C/b.10r" "$C/want.ir"'

$CURL -v -o "$C/b.ka1" -o "$C/b.ka2" -w '%{http_code} %{num_connects}\n' \
	"$BASE/index.html" "$BASE/data.bin" >"$C/ka.out" 2>"$C/ka.err"
read -r c1 n1 c2 n2 <<<"$(tr '\n' ' ' <"$C/ka.out")"
if [ "$c1" = 200 ] && [ "$n1" = 1 ] && [ "$c2" = 200 ] && [ "$n2" = 0 ] &&
	grep -q 'Re-using existing' "$C/ka.err" &&
	cmp -s "$C/b.ka1" "$W/index.html" && cmp -s "$C/b.ka2" "$W/data.bin"; then
	ok "curl: two URLs in one run share one keep-alive connection"
else
	not_ok "curl: two URLs in one run share one keep-alive connection ($(tr '\n' ' ' <"$C/ka.out"))"
	detail "$C/ka.err"
fi

head -c 30000 "$W/data.bin" >"$C/resume.bin"
code=$($CURL -C - -o "$C/resume.bin" -w '%{http_code}' "$BASE/data.bin")
check "curl: -C - resumes a 30000-byte partial download (got $code, sha256 matches)" \
	eval '[ "$code" = 206 ] && [ "$(sha "$C/resume.bin")" = "$SHA" ]'

# ---- wget ----

WGET="wget --no-config -T 10 -t 1"
cd "$T/wget" || exit 99
if $WGET -q -O page.html "$BASE/" && cmp -s page.html "$W/index.html"; then
	ok "wget: GET / saves index.html"
else
	not_ok "wget: GET / saves index.html"
fi

if $WGET -S "$BASE/data.bin" >wget.out 2>&1 && [ "$(sha data.bin)" = "$SHA" ]; then
	ok "wget: downloads data.bin, sha256 matches"
else
	not_ok "wget: downloads data.bin, sha256 matches"
	detail wget.out
fi
hs=
for h in "HTTP/1.1 200" "Content-Length: $SIZE" "ETag: $ETAG" "Last-Modified: $LASTMOD" \
	"Accept-Ranges: bytes" "Content-Type: application/octet-stream" "Date: " "Server: tine"; do
	grep -qF "  $h" wget.out || hs="$hs [$h]"
done
check "wget: -S shows the server's headers${hs:+ (missing:$hs)}" [ -z "$hs" ]

cd "$T/wgetc" || exit 99
head -c 40000 "$W/data.bin" >data.bin
if $WGET -c -S "$BASE/data.bin" >wget.out 2>&1 && grep -q '  HTTP/1.1 206' wget.out &&
	[ "$(sha data.bin)" = "$SHA" ]; then
	ok "wget: -c continues a 40000-byte truncated copy with a 206, sha256 matches"
else
	not_ok "wget: -c continues a 40000-byte truncated copy with a 206, sha256 matches"
	detail wget.out
fi
# an already complete copy: wget -c asks for bytes=100000- (416) and keeps it
if $WGET -c "$BASE/data.bin" >wget2.out 2>&1 && [ "$(sha data.bin)" = "$SHA" ] &&
	grep -qi 'already fully retrieved' wget2.out; then
	ok "wget: -c on a complete copy leaves it alone"
else
	not_ok "wget: -c on a complete copy leaves it alone"
	detail wget2.out
fi

cd "$T/wgetn" || exit 99
if $WGET -N "$BASE/data.bin" >wget1.out 2>&1 && [ "$(sha data.bin)" = "$SHA" ] &&
	[ "$(stat -c %Y data.bin)" = "$(stat -c %Y "$W/data.bin")" ]; then
	ok "wget: -N downloads and sets the file's mtime from Last-Modified"
else
	not_ok "wget: -N downloads and sets the file's mtime from Last-Modified"
	detail wget1.out
fi
before=$(stat -c '%i %Y' data.bin)
if $WGET -N "$BASE/data.bin" >wget2.out 2>&1 &&
	grep -Eqi 'not modified on server|no newer than local file' wget2.out &&
	! grep -q 'saved \[' wget2.out && [ "$(stat -c '%i %Y' data.bin)" = "$before" ]; then
	ok "wget: -N a second time does not download again"
else
	not_ok "wget: -N a second time does not download again"
	detail wget2.out
fi
touch -d '2001-01-01 00:00:00' data.bin
if $WGET -N "$BASE/data.bin" >wget3.out 2>&1 && grep -q 'saved \[' wget3.out &&
	[ "$(sha data.bin)" = "$SHA" ] &&
	[ "$(stat -c %Y data.bin)" = "$(stat -c %Y "$W/data.bin")" ]; then
	ok "wget: -N downloads again over an older local copy"
else
	not_ok "wget: -N downloads again over an older local copy"
	detail wget3.out
fi
cd "$T" || exit 99

# ---- Python http.client and urllib ----

timeout 30 python3 - "$PORT" "$W/data.bin" "$W/index.html" >"$T/py.out" 2>&1 <<'EOF'
import http.client, hashlib, sys, urllib.error, urllib.request

port = int(sys.argv[1])
data = open(sys.argv[2], "rb").read()
index = open(sys.argv[3], "rb").read()
N = len(data)
results = []

def check(cond, msg):
    results.append(bool(cond))
    print(("ok - " if cond else "not ok - ") + "python: " + msg, flush=True)

def run(what, fn):
    try:
        fn()
    except Exception as e:
        check(False, "%s: the client raised %s: %s" % (what, type(e).__name__, e))

conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
sock = None
etag = '"missing-etag"'
lm = "Thu, 01 Jan 1970 00:00:00 GMT"

def req(method, path, headers={}):
    conn.request(method, path, headers=headers)
    r = conn.getresponse()
    body = r.read()
    return r, body

def same_conn():
    return conn.sock is sock

def connection_tests():
    global sock, etag, lm
    conn.connect()
    sock = conn.sock
    r, b = req("GET", "/")
    check(r.status == 200 and b == index, "http.client GET / is 200 with index.html (got %d)" % r.status)

    r, b = req("GET", "/data.bin")
    etag = r.getheader("ETag") or etag
    lm = r.getheader("Last-Modified") or lm
    check(r.status == 200 and b == data and r.getheader("Content-Length") == str(N)
          and r.getheader("ETag") and r.getheader("Last-Modified")
        and r.getheader("Accept-Ranges") == "bytes" and same_conn(),
          "GET /data.bin on the same connection: 200, the file, validators (got %d, %d bytes)"
          % (r.status, len(b)))

    r, b = req("HEAD", "/data.bin")
    check(r.status == 200 and b == b"" and r.getheader("Content-Length") == str(N)
          and r.getheader("ETag") == etag and r.getheader("Last-Modified") == lm and same_conn(),
          "HEAD /data.bin: 200, Content-Length %d, same validators, no body (got %d)" % (N, r.status))

    r, b = req("GET", "/data.bin", {"Range": "bytes=100-199"})
    check(r.status == 206 and b == data[100:200]
          and r.getheader("Content-Range") == "bytes 100-199/%d" % N
          and r.getheader("Content-Length") == "100" and same_conn(),
          "Range bytes=100-199: 206, Content-Range, the slice (got %d)" % r.status)

    r, b = req("GET", "/data.bin", {"Range": "bytes=-777"})
    check(r.status == 206 and b == data[-777:] and same_conn(),
          "Range bytes=-777: 206, the last 777 bytes (got %d)" % r.status)

    r, b = req("GET", "/data.bin", {"Range": "bytes=99990-"})
    check(r.status == 206 and b == data[99990:] and same_conn(),
          "Range bytes=99990-: 206, the tail (got %d)" % r.status)

    r, b = req("GET", "/data.bin", {"If-None-Match": etag})
    check(r.status == 304 and b == b"" and r.getheader("ETag") == etag and same_conn(),
          "If-None-Match: <etag>: 304 with the ETag and no body (got %d, %d bytes)"
          % (r.status, len(b)))

    r, b = req("GET", "/data.bin", {"If-Modified-Since": lm})
    check(r.status == 304 and b == b"" and same_conn(),
          "If-Modified-Since: <Last-Modified>: 304, no body (got %d)" % r.status)

    r, b = req("GET", "/data.bin", {"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})
    check(r.status == 200 and b == data and same_conn(),
          "If-Modified-Since 2000: 200 with the file (got %d)" % r.status)

    r, b = req("GET", "/data.bin", {"If-None-Match": '"nope"', "If-Modified-Since": lm})
    check(r.status == 200 and b == data and same_conn(),
          "If-None-Match mismatch wins over If-Modified-Since: 200 (got %d)" % r.status)

    r, b = req("GET", "/data.bin", {"Range": "bytes=0-9", "If-Range": etag})
    check(r.status == 206 and b == data[:10] and same_conn(),
          "If-Range: <etag> with Range: 206 (got %d)" % r.status)

    r, b = req("GET", "/data.bin", {"Range": "bytes=0-9", "If-Range": lm})
    check(r.status == 206 and b == data[:10] and same_conn(),
          "If-Range: <Last-Modified> with Range: 206 (got %d)" % r.status)

    r, b = req("GET", "/data.bin", {"Range": "bytes=0-9", "If-Range": '"old"'})
    check(r.status == 200 and b == data and same_conn(),
          "If-Range: stale etag: 200 with the whole file (got %d)" % r.status)

    r, b = req("HEAD", "/data.bin", {"If-None-Match": etag})
    check(r.status == 304 and b == b"" and same_conn(),
          "HEAD with If-None-Match: 304 (got %d)" % r.status)

    r, b = req("GET", "/index.html")
    check(r.status == 200 and b == index and same_conn(),
          "GET after the 304s still parses on the same connection (got %d)" % r.status)

    # error responses last: tine may close after them
    r, b = req("GET", "/data.bin", {"Range": "bytes=%d-" % (N * 2)})
    check(r.status == 416 and r.getheader("Content-Range") == "bytes */%d" % N,
          "unsatisfiable Range: 416 with Content-Range bytes */%d (got %d)" % (N, r.status))
    r, b = req("GET", "/no-such-file")
    check(r.status == 404, "GET /no-such-file: 404 (got %d)" % r.status)
    conn.close()

run("http.client", connection_tests)

def urllib_tests():
    base = "http://127.0.0.1:%d" % port
    with urllib.request.urlopen(base + "/data.bin", timeout=10) as f:
        body = f.read()
        check(f.status == 200 and hashlib.sha256(body).digest() == hashlib.sha256(data).digest(),
              "urllib GET /data.bin: 200, sha256 matches (got %d)" % f.status)
    rq = urllib.request.Request(base + "/data.bin", headers={"Range": "bytes=5000-5999"})
    with urllib.request.urlopen(rq, timeout=10) as f:
        body = f.read()
        check(f.status == 206 and body == data[5000:6000],
              "urllib Range bytes=5000-5999: 206, the slice (got %d)" % f.status)
    rq = urllib.request.Request(base + "/data.bin", headers={"If-None-Match": etag})
    try:
        urllib.request.urlopen(rq, timeout=10)
        check(False, "urllib If-None-Match: 304 (got a 2xx)")
    except urllib.error.HTTPError as e:
        check(e.code == 304 and e.read() == b"", "urllib If-None-Match: 304 (got %d)" % e.code)
    with urllib.request.urlopen(base + "/", timeout=10) as f:
        check(f.status == 200 and f.read() == index, "urllib GET /: 200 with index.html")

run("urllib", urllib_tests)

sys.exit(0 if all(results) else 1)
EOF
py_rc=$?
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) not_ok "${line#not ok - }" ;;
	*) echo "    # $line" ;;
	esac
done <"$T/py.out"
if [ $py_rc != 0 ] && ! grep -q '^not ok - ' "$T/py.out"; then
	not_ok "python: the client script ran to the end (exit $py_rc)"
fi

# ---- headless Chromium ----

browser_part() {

# --virtual-time-budget lets the page's fetches finish before --dump-dom.
env HOME="$T/home" XDG_CONFIG_HOME="$T/home/.config" XDG_CACHE_HOME="$T/home/.cache" \
	timeout -k 5 45 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu \
	--disable-dev-shm-usage --no-first-run --no-default-browser-check \
	--disable-extensions --disable-sync --disable-background-networking \
	--disable-component-update --no-proxy-server --user-data-dir="$T/chrome" \
	--virtual-time-budget=10000 --dump-dom "$BASE/browser.html" \
	>"$T/chrome.dom" 2>"$T/chrome.err"
chrome_rc=$?
result=$(python3 - "$T/chrome.dom" <<'EOF'
import html, re, sys
m = re.search(r'<div id="result">(.*?)</div>', open(sys.argv[1], errors="replace").read(), re.S)
print(html.unescape(m.group(1)) if m else "")
EOF
)
case $result in
PASS*) ok "chromium: browser.html reports PASS" ;;
*)
	not_ok "chromium: browser.html reports PASS (exit $chrome_rc, result: ${result:0:40}${result:+...})"
	[ -n "$result" ] || detail "$T/chrome.dom"
	grep -v -e dbus -e '/usr/bin/chromium:' "$T/chrome.err" | tail -n 20 >"$T/chrome.err2"
	detail "$T/chrome.err2"
	;;
esac
set -f
IFS='|'
for item in $result; do
	item=${item# }
	item=${item% }
	case $item in
	"ok "*) ok "chromium: ${item#ok }" ;;
	"FAIL "*) not_ok "chromium: ${item#FAIL }" ;;
	esac
done
unset IFS
set +f
}
[ $browser = no ] || browser_part

# ---- stop tine, then its logs ----

stop_tine
A=$T/access.log
# access_log_format combined: ... "GET /path HTTP/1.1" status bytes "ref" "agent"
browser_has() { # PATH STATUS: a HeadlessChrome request with that status
	grep 'HeadlessChrome' "$A" 2>/dev/null | grep -q "\"GET $1 HTTP/1.1\" $2 "
}
for want in "/browser.html 200" "/data.bin 200" "/data.bin 206" "/data.bin 304" \
	"/data.bin 416" "/page.txt 304" "/pixel.png 200" "/missing.html 404"; do
	[ $browser = yes ] || break
	read -r path status <<<"$want"
	check "access log: the browser's GET $path with status $status" \
		browser_has "$path" "$status"
done
check "access log: curl, wget and python requests are logged" \
	eval '[ -f "$A" ] && grep -q "\"curl/" "$A" && grep -q "\"Wget/" "$A" && grep -q "\"Python-urllib/" "$A" &&
	grep -q "\"HEAD /data.bin HTTP/1.1\" 200 " "$A"'

if grep -E '\[(alert|crit|emerg)\]' "$T/error.log" >"$T/bad.log"; then
	not_ok "error log has no [alert]/[crit]/[emerg] line"
	detail "$T/bad.log"
else
	ok "error log has no [alert]/[crit]/[emerg] line"
fi

echo "# $nchecks checks, $nfailed failed"
[ $nfailed = 0 ] || exit 1
[ $browser = yes ] || exit 77
exit 0
