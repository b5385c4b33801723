#!/usr/bin/env python3
"""Count the instructions a tine worker spends per request, with callgrind.

Instruction counts repeat exactly for the same binary and load, whatever
else the machine does, so they settle an A/B that requests/s on a noisy
machine cannot. A one-worker tine (sandbox off: valgrind's own system
calls would break the filter) runs under valgrind --tool=callgrind while
one client loads it for SECS seconds:

  page [PATH]  wrk -t1 -c1, keep-alive GETs of PATH (default /small.html,
               1 KiB; /logged/small.html is the same page in a location
               with an access log, as bench.py's access-log row)
  handshake    tests/bench/hsload.c, one connection at a time: full TLS
               1.3 handshakes, one GET each

It prints the worker's instructions per request and its TOP functions by
inclusive count per request. valgrind 3.19 lacks openat2: the worker runs
with tests/bench/openat2-shim.c preloaded (openat2 as openat), so files
are served; never run tine so outside a profiler.

usage: tests/bench/profile.py [path/to/tine] page|handshake [PATH]
env:   SECS (8), TOP (25), KEEP=1 (keep the files and the callgrind
       output, e.g. for callgrind_annotate --auto=yes)
needs: valgrind, wrk, cc; for handshake, openssl and OpenSSL's headers
"""
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench import free_port, make_cert  # noqa: E402 (after the path)
SECS = int(os.environ.get("SECS", "8"))
TOP = int(os.environ.get("TOP", "25"))


def prepare(d, tls):
    """Docroot, certificate (TLS), shim, config; the config's path."""
    os.makedirs(d + "/www/logged")
    page = (b"x" * 63 + b"\n") * 16
    for p in ("/www/small.html", "/www/logged/small.html"):
        with open(d + p, "wb") as f:
            f.write(page)
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", d + "/shim.so",
                    HERE + "/openat2-shim.c", "-ldl"], check=True)
    listen = '"127.0.0.1:%d"' % PORT
    extra = ""
    if tls:
        make_cert(d)
        listen += ', "127.0.0.1:%d tls"' % SPORT
        extra = 'tls_certificate = "%s/cert.pem"\ntls_key = "%s/key.pem"\n' \
            % (d, d)
    # The worker's user writes its callgrind file here.
    os.chmod(d, 0o777)
    with open(d + "/tine.conf", "w") as f:
        f.write(f"""listen = {{ {listen} }}
{extra}document_root = "{d}/www"
workers = 1
sandbox = off
pid_file = "{d}/tine.pid"
error_log = "{d}/error.log"
access_log = "off"
max_connections_per_ip = 0
keepalive_requests = 0
location "/logged/" {{ access_log = "{d}/access.log" }}
""")
    return d + "/tine.conf"


def wait_up(url, proc):
    """Until url answers (valgrind starts slowly), bounded to 120 s."""
    ctx = ssl._create_unverified_context()
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        try:
            urllib.request.urlopen(url, timeout=5, context=ctx).read()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("profile: tine under valgrind never answered %s" % url)


def load(d, mode, path):
    """Run the client; the number of requests it completed."""
    if mode == "page":
        out = subprocess.run(["wrk", "-t1", "-c1", "-d%ds" % SECS,
                              "http://127.0.0.1:%d%s" % (PORT, path)],
                             capture_output=True, text=True,
                             timeout=SECS + 60).stdout
        return int(re.search(r"(\d+) requests in", out).group(1))
    subprocess.run(["cc", "-O2", "-o", d + "/hsload", HERE + "/hsload.c",
                    "-lssl", "-lcrypto", "-lpthread"], check=True)
    out = subprocess.run([d + "/hsload", str(SPORT), path, "1", str(SECS),
                          "1"], capture_output=True, text=True,
                         timeout=SECS + 60).stdout
    kv = dict(line.split(None, 1) for line in out.splitlines() if line)
    if kv.get("errors", "0").strip() != "0":
        print("profile: hsload counted %s errors" % kv["errors"].strip())
    return int(kv["requests"])


def worker_file(d, master):
    """The worker's callgrind output: the largest not the master's."""
    files = [f for f in os.listdir(d) if f.startswith("cg.") and
             f != "cg.%d" % master]
    if not files:
        sys.exit("profile: no worker wrote a callgrind file in %s (can "
                 "the worker's user write there?)" % d)
    return max((d + "/" + f for f in files), key=os.path.getsize)


def report(path, n):
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes", path],
                         capture_output=True, text=True).stdout
    total = re.search(r"([\d,]+) \(100.0%\)\s+PROGRAM TOTALS", out)
    if total is None or n == 0:
        sys.exit("profile: %d requests; callgrind_annotate read nothing "
                 "from %s" % (n, path))
    print("requests %d; worker instructions per request %.0f (startup "
          "included)" % (n, int(total.group(1).replace(",", "")) / n))
    rows = re.findall(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+(\S+) \[", out, re.M)
    for ir, fn in rows[:TOP]:
        print("%10.0f  %s" % (int(ir.replace(",", "")) / n, fn))


def main():
    args = sys.argv[1:]
    tine = os.path.realpath(args.pop(0)) if args and "/" in args[0] \
        else os.path.realpath("./tine")
    mode = args.pop(0) if args else "page"
    if mode not in ("page", "handshake"):
        sys.exit(__doc__)
    path = args.pop(0) if args else "/small.html"
    d = tempfile.mkdtemp(prefix="tine-profile.")
    proc = None
    try:
        conf = prepare(d, mode == "handshake")
        env = dict(os.environ, LD_PRELOAD=d + "/shim.so")
        proc = subprocess.Popen(["valgrind", "--tool=callgrind",
                                 "--callgrind-out-file=%s/cg.%%p" % d,
                                 tine, "-f", "-c", conf], env=env,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL,
                                start_new_session=True)
        wait_up("%s://127.0.0.1:%d/small.html" % (
            ("https", SPORT) if mode == "handshake" else ("http", PORT)),
            proc)
        n = load(d, mode, path)
        proc.send_signal(signal.SIGTERM)
        proc.wait(120)
        report(worker_file(d, proc.pid), n)
    finally:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if os.environ.get("KEEP") == "1":
            print("profile: files kept in " + d)
        else:
            shutil.rmtree(d, ignore_errors=True)


PORT, SPORT = free_port(), free_port()

if __name__ == "__main__":
    main()
