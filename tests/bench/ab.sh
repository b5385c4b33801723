#!/usr/bin/env bash
# A/B two tine binaries on this machine in one run: the same 1 KiB file, 2
# workers each, access logs off, wrk -t2 -c64 rounds alternating between
# them; prints each round, the medians and B/A. For "did this change cost
# speed": build the old commit elsewhere, then
#   tests/bench/ab.sh /path/to/old/tine ./tine       (env: ROUNDS, SECS)
# LOG_A=on / LOG_B=on give that side an access log (a file in the temp
# dir), e.g. what the log costs: LOG_B=on tests/bench/ab.sh ./tine ./tine
set -euo pipefail
A=$1; B=$2; rounds=${ROUNDS:-5}; secs=${SECS:-5}
dir=$(mktemp -d /tmp/ab.XXXXXX); chmod 755 $dir; mkdir $dir/www
head -c 1024 /dev/urandom | base64 -w 76 | head -c 1024 > $dir/www/small.html
chmod -R a+rX $dir/www
pa=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pb=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
LOG_a=${LOG_A:-off}; LOG_b=${LOG_B:-off}
for x in a b; do p=pa; [ $x = b ] && p=pb
l=LOG_$x; al=off; [ "${!l}" = on ] && al=$dir/$x-access.log
cat > $dir/$x.conf <<C
listen = { "127.0.0.1:${!p}" }
document_root = "$dir/www"
workers = 2
pid_file = "$dir/$x.pid"
error_log = "$dir/$x-error.log"
access_log = "$al"
C
done
$A -f -c $dir/a.conf & ia=$!
$B -f -c $dir/b.conf & ib=$!
# Wait (bounded) until both answer.
for p in $pa $pb; do
  for _ in $(seq 100); do
    curl -sf -o /dev/null http://127.0.0.1:$p/small.html && break
    sleep 0.1
  done
done
ra=(); rb=()
for i in $(seq $rounds); do
  ra+=($(wrk -t2 -c64 -d${secs}s http://127.0.0.1:$pa/small.html | awk '/Requests\/sec/{print $2}'))
  rb+=($(wrk -t2 -c64 -d${secs}s http://127.0.0.1:$pb/small.html | awk '/Requests\/sec/{print $2}'))
done
kill -TERM $ia $ib; wait $ia $ib 2>/dev/null || true
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
echo "A rounds: ${ra[*]}"; echo "B rounds: ${rb[*]}"
ma=$(med "${ra[@]}"); mb=$(med "${rb[@]}")
echo "median A $ma  B $mb  B/A $(python3 -c "print(round($mb/$ma,3))")"
rm -rf $dir
