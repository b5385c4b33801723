#!/bin/sh
# Benchmark tine against nginx, lighttpd and h2o (those installed): see
# bench.py for what it measures and its knobs (ROUNDS, SECONDS_EACH,
# QUICK=1, ACCESS_LOG=1, SERVERS, SCENARIOS).
#   usage: tests/bench/run.sh [path/to/tine]
exec python3 "$(dirname "$0")/bench.py" "$@"
