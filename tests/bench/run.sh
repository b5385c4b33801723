#!/usr/bin/env bash
# Benchmark tine against nginx on this machine, in one run: the same files,
# the same number of workers, access logs off in both, wrk on loopback;
# over HTTP, then over HTTPS with the same certificate (ECDSA P-256), the
# same versions and ciphers: keep-alive, a full handshake per request
# (Connection: close: wrk resumes no session), and a large file.
# Prints the median requests/s of each over ROUNDS alternating rounds and
# the median worker CPU time per request (steadier on a shared machine),
# each with tine's over nginx's, and the workers' resident memory after the
# load.
#   usage: tests/bench/run.sh [path/to/tine]
#   env:   ROUNDS (5), SECONDS_EACH (5), CONNS (64), WORKERS (2)
set -euo pipefail

tine=$(realpath "${1:-./tine}")
rounds=${ROUNDS:-5}
secs=${SECONDS_EACH:-5}
conns=${CONNS:-64}
workers=${WORKERS:-2}

for bin in wrk nginx openssl; do
	command -v "$bin" >/dev/null || PATH=$PATH:/usr/sbin
	command -v "$bin" >/dev/null || {
		echo "bench: $bin missing (apt-get install wrk nginx-light)"; exit 1; }
done

dir=$(mktemp -d /tmp/tine-bench.XXXXXX)
chmod 755 "$dir"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	done
	rm -rf "$dir"
}
trap cleanup EXIT

# The files: a small page, a 64 KiB asset, a 1 MiB download.
mkdir -p "$dir/www"
head -c 1024 /dev/urandom | base64 -w 76 | head -c 1024 > "$dir/www/small.html"
head -c 65536 /dev/urandom > "$dir/www/asset.bin"
head -c 1048576 /dev/urandom > "$dir/www/big.bin"
chmod -R a+rX "$dir/www"

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
tport=$(free_port)
nport=$(free_port)
tsport=$(free_port)
nsport=$(free_port)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$dir/key.pem" -out "$dir/cert.pem" -days 2 \
	-subj /CN=localhost 2>/dev/null
ciphers="ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"

cat > "$dir/tine.conf" <<CONF
listen = { "127.0.0.1:$tport", "127.0.0.1:$tsport tls" }
tls_certificate = "$dir/cert.pem"
tls_key = "$dir/key.pem"
document_root = "$dir/www"
workers = $workers
pid_file = "$dir/tine.pid"
error_log = "$dir/tine-error.log"
access_log = "off"
# nginx has no per-address limit; tine's 64 would refuse wrk's 64 clients
# while their last connections still close ("Connection: close" rows).
max_connections_per_ip = 0
CONF
cat > "$dir/nginx.conf" <<CONF
worker_processes $workers;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
daemon off;
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 100000;
	open_file_cache max=1000 inactive=20s;
	types { text/html html; application/octet-stream bin; }
	server { listen 127.0.0.1:$nport; root $dir/www; }
	server {
		listen 127.0.0.1:$nsport ssl;
		root $dir/www;
		ssl_certificate $dir/cert.pem;
		ssl_certificate_key $dir/key.pem;
		ssl_protocols TLSv1.2 TLSv1.3;
		ssl_ciphers $ciphers;
		ssl_prefer_server_ciphers off;
		ssl_session_tickets on;
	}
}
CONF

"$tine" -f -c "$dir/tine.conf" & pids+=($!)
nginx -c "$dir/nginx.conf" -e "$dir/nginx-error.log" & pids+=($!)

# Wait until both answer (bounded).
for url in http://127.0.0.1:$tport http://127.0.0.1:$nport \
    https://127.0.0.1:$tsport https://127.0.0.1:$nsport; do
	for i in $(seq 100); do
		curl -kfs -o /dev/null "$url/small.html" && break
		[ "$i" = 100 ] && { echo "bench: $url never answered"; exit 1; }
		sleep 0.1
	done
done

# The sum over the children of master $1 of what awk program $3 prints
# from their /proc file $2.
sum_children() {
	tr ' ' '\n' </proc/"$1"/task/"$1"/children | while read -r c; do
		[ -n "$c" ] && awk "$3" /proc/"$c"/"$2"
	done | awk '{ s += $1 } END { print s + 0 }'
}
# The CPU time (clock ticks) the children of master $1 have used.
# shellcheck disable=SC2016 # awk programs, not shell
ticks() { sum_children "$1" stat '{ print $14 + $15 }'; }

# Requests/s of wrk against URL $1 served by master $2 (extra wrk arguments
# after them), and the microseconds of worker CPU each request cost: on a
# shared machine the second varies less than the first. wrk's socket
# errors, which would make the figures meaningless, on stderr.
rps() {
	local url=$1 master=$2 before out who=tine
	shift 2
	[ "$master" = "$tmaster" ] || who=nginx
	before=$(ticks "$master")
	out=$(wrk -t2 -c"$conns" -d"${secs}s" "$@" "$url")
	awk -v url="$who $url" -v t0="$before" -v t1="$(ticks "$master")" \
	    -v hz="$(getconf CLK_TCK)" '
	    / requests in / { n = $1 }
	    /Socket errors/ { print "bench: " url ": " $0 >"/dev/stderr" }
	    /Requests\/sec/ { r = int($2) }
	    END { printf "%d %.0f\n", r, n ? (t1 - t0) * 1e6 / hz / n : 0 }' \
	    <<<"$out"
}
# The median of column $1 of the lines on stdin.
median() { awk -v k="$1" '{ print $k }' | sort -n |
	awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }

# Resident memory of a master's children, in KiB.
# shellcheck disable=SC2016
rss() { sum_children "$1" status '/VmRSS/ { print $2 }'; }

# One row: scenario name $1, path $2, then tine's and nginx's scheme and
# port, then wrk's extra arguments: the medians of requests/s and of CPU
# microseconds per request, and tine's over nginx's.
row() {
	local name=$1 path=$2 ts=$3 tp=$4 ns=$5 np=$6 t=() n=() tm nm tc nc
	shift 6
	for _ in $(seq "$rounds"); do
		t+=("$(rps "$ts://127.0.0.1:$tp/$path" "$tmaster" "$@")")
		n+=("$(rps "$ns://127.0.0.1:$np/$path" "$nmaster" "$@")")
	done
	tm=$(printf '%s\n' "${t[@]}" | median 1)
	nm=$(printf '%s\n' "${n[@]}" | median 1)
	tc=$(printf '%s\n' "${t[@]}" | median 2)
	nc=$(printf '%s\n' "${n[@]}" | median 2)
	printf '%-22s %9s %9s %6s %9s %9s %6s\n' "$name" "$tm" "$nm" \
	    "$(ratio "$tm" "$nm")" "$tc" "$nc" "$(ratio "$tc" "$nc")"
}

tmaster=$(cat "$dir/tine.pid")
nmaster=$(cat "$dir/nginx.pid")
printf '%-22s %9s %9s %6s %9s %9s %6s\n' scenario tine_rps nginx_rps ratio \
    tine_us nginx_us ratio
for file in small.html asset.bin big.bin; do
	row "$file" "$file" http "$tport" http "$nport"
done
row "https small.html" small.html https "$tsport" https "$nsport"
row "https handshake each" small.html https "$tsport" https "$nsport" \
	-H "Connection: close"
row "https big.bin" big.bin https "$tsport" https "$nsport"
echo "worker RSS after load: tine $(rss "$tmaster") KiB, nginx $(rss "$nmaster") KiB ($workers workers each)"
