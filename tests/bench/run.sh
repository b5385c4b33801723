#!/usr/bin/env bash
# Benchmark tine against nginx on this machine, in one run: the same files,
# the same number of workers, access logs off in both, wrk on loopback.
# Prints the median requests/s of each over ROUNDS alternating rounds, the
# ratio, and the workers' resident memory after the load.
#   usage: tests/bench/run.sh [path/to/tine]
#   env:   ROUNDS (5), SECONDS_EACH (5), CONNS (64), WORKERS (2)
set -euo pipefail

tine=$(realpath "${1:-./tine}")
rounds=${ROUNDS:-5}
secs=${SECONDS_EACH:-5}
conns=${CONNS:-64}
workers=${WORKERS:-2}

for bin in wrk nginx; do
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

cat > "$dir/tine.conf" <<CONF
listen = { "127.0.0.1:$tport" }
document_root = "$dir/www"
workers = $workers
pid_file = "$dir/tine.pid"
error_log = "$dir/tine-error.log"
access_log = "off"
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
}
CONF

"$tine" -f -c "$dir/tine.conf" & pids+=($!)
nginx -c "$dir/nginx.conf" -e "$dir/nginx-error.log" & pids+=($!)

# Wait until both answer (bounded).
for port in $tport $nport; do
	for i in $(seq 100); do
		curl -fs -o /dev/null "http://127.0.0.1:$port/small.html" && break
		[ "$i" = 100 ] && { echo "bench: server on $port never answered"; exit 1; }
		sleep 0.1
	done
done

rps() {
	wrk -t2 -c"$conns" -d"${secs}s" "http://127.0.0.1:$1/$2" |
		awk '/Requests\/sec/ { print int($2) }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# Resident memory of a master's children, in KiB.
rss() {
	local total=0 c
	for c in $(cat /proc/"$1"/task/"$1"/children); do
		total=$((total + $(awk '/VmRSS/ { print $2 }' /proc/"$c"/status)))
	done
	echo "$total"
}

printf '%-12s %12s %12s %8s\n' file tine_rps nginx_rps ratio
for file in small.html asset.bin big.bin; do
	t=(); n=()
	for _ in $(seq "$rounds"); do
		t+=("$(rps "$tport" "$file")")
		n+=("$(rps "$nport" "$file")")
	done
	tm=$(printf '%s\n' "${t[@]}" | median)
	nm=$(printf '%s\n' "${n[@]}" | median)
	printf '%-12s %12s %12s %8s\n' "$file" "$tm" "$nm" \
		"$(awk -v a="$tm" -v b="$nm" 'BEGIN { printf "%.2f", a / b }')"
done
tmaster=$(cat "$dir/tine.pid")
nmaster=$(cat "$dir/nginx.pid")
echo "worker RSS after load: tine $(rss "$tmaster") KiB, nginx $(rss "$nmaster") KiB ($workers workers each)"
