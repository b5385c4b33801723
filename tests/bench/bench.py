#!/usr/bin/env python3
"""Benchmark tine against nginx, lighttpd and h2o on this machine, in one run.

Each server found on PATH (or in /usr/sbin) is started with equivalent
settings: 2 workers (lighttpd server.max-worker, h2o num-threads), sendfile
where it has the choice, one ECDSA P-256 certificate and one cipher list for
TLS 1.2 and 1.3, access logs off (ACCESS_LOG=1: on in all), keep-alive
limits above what wrk sends, no per-address limit. A missing server is
skipped with a note. Then, on loopback:

  1. memory: the sum of PSS over each server's process tree, idle after
     start (and one request over TLS, which tells it is up); the peaks of
     the sums of RSS and of PSS over the tree while 1,000 idle keep-alive
     connections (one request each) are held; and, first of
     all, both again for each server on the same configuration without
     its TLS listener ("no TLS"). Both ways all the servers run at once,
     as on a machine that hosts them (PSS shares a library's pages among
     all processes that map it);
  2. the scenarios, interleaved across servers, ROUNDS rounds each: the
     median requests/s, the ratio to tine (for the access-log row: to the
     same server with its log off, run next to it in each round, the
     median of the rounds' ratios), the median p99 latency, the errors
     of all rounds (wrk socket errors + non-2xx) and the server's CPU time
     per request (utime + stime of its process tree, from /proc). wrk keeps
     its TLS session and resumes it on each new connection ("TLS 1 KiB
     resumed each"); "TLS 1 KiB full handshake" is tests/bench/hsload.c
     (built here with cc and OpenSSL's headers, else skipped), 64
     connections that each make a full handshake (no session, no ticket
     used), one GET of the 1 KiB page and a close, so its requests/s are
     full handshakes/s;
  3. system calls per request: strace -c on each server's workers over a
     fixed number of requests, on one keep-alive connection and with a new
     connection per request; then the same count again with perf stat
     (where perf can read the raw_syscalls tracepoint), which does not
     stop the workers at each call as strace does.

usage: tests/bench/bench.py [path/to/tine]    (or: make bench)
env:   ROUNDS (3), SECONDS_EACH (5), QUICK=1 (1 round of 2 s), ACCESS_LOG=1,
       SERVERS (e.g. "tine nginx": the ones to run), KEEP=1 (keep the files),
       SCENARIOS (e.g. "new conn,TLS": comma-separated, case-insensitive
       parts of scenario names; only the rows that contain one run, and
       the memory and system-call parts only if it names "memory" or
       "syscalls"), CC (cc: compiles hsload.c)
needs: Python 3, wrk, openssl; optional: strace, a C compiler with
       OpenSSL's headers and the other servers (Debian: apt-get install -y
       wrk strace gcc libssl-dev nginx-light lighttpd lighttpd-mod-openssl
       h2o)
"""
import importlib.util
import os
import re
import resource
import shlex
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

# tree() and field(): a process tree and a /proc value, as idle-conns.py
# reads them.
_spec = importlib.util.spec_from_file_location(
    "idle_conns", os.path.join(os.path.dirname(__file__), "idle-conns.py"))
_conns = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_conns)

QUICK = os.environ.get("QUICK") == "1"
ROUNDS = 1 if QUICK else int(os.environ.get("ROUNDS", "3"))
SECS = 2 if QUICK else int(os.environ.get("SECONDS_EACH", "5"))
ACCESS_LOG = os.environ.get("ACCESS_LOG") == "1"
WORKERS = 2
CIPHERS = ("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
           "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
           "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
           "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:"
           "DHE-RSA-CHACHA20-POLY1305")
NFILES = 10000
IDLE_CONNS = 1000
STRACE_KEEP = 2000      # requests on one keep-alive connection
STRACE_NEW = 1000       # requests, a new connection each
CLOSE = ["-H", "Connection: close"]
HSLOAD_SEEN = {}        # server: [(hsload's CPU us/handshake, cipher)]

# The scenarios: name, scheme, path, connections, extra wrk arguments.
# "log" marks the access-log row, compared with each server's own first row;
# "full" a row that hsload.c runs instead of wrk.
SCENARIOS = [
    ("1 KiB keep-alive c64", "http", "/small.html", 64, []),
    ("1 KiB access log on c64", "http", "/logged/small.html", 64, ["log"]),
    ("1 KiB new conn each c64", "http", "/small.html", 64, CLOSE),
    ("1 MiB keep-alive c16", "http", "/1m.bin", 16, []),
    ("10,000 files random c64", "http", "/", 64, ["lua"]),
    ("1 KiB keep-alive c1000", "http", "/small.html", 1000, []),
    ("64 MiB c4", "http", "/64m.bin", 4, []),
    ("TLS 1 KiB keep-alive c64", "https", "/small.html", 64, []),
    ("TLS 1 KiB resumed each c64", "https", "/small.html", 64, CLOSE),
    ("TLS 1 KiB full handshake c64", "https", "/small.html", 64, ["full"]),
    ("TLS 1 MiB keep-alive c64", "https", "/1m.bin", 64, []),
]

LUA = """-- a random one of the %d small files per request
local n = 0
function setup(thread)
	n = n + 1
	thread:set("seed", n)
end
function init(args)
	math.randomseed(os.time() * 1000 + seed)
end
function request()
	return wrk.format(nil, "/many/" .. math.random(0, %d) .. ".html")
end
""" % (NFILES, NFILES - 1)


def note(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def which(name):
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def make_docroot(d):
    """The files every server serves, and wrk's script for the 10,000."""
    www = os.path.join(d, "www")
    os.makedirs(os.path.join(www, "many"))
    os.makedirs(os.path.join(www, "logged"))
    page = (b"<p>" + b"tine bench " * 200)[:1020] + b"</p>"
    for p in ("small.html", "logged/small.html"):
        with open(os.path.join(www, p), "wb") as f:
            f.write(page[:1024])
    with open(os.path.join(www, "1m.bin"), "wb") as f:
        f.write(os.urandom(1 << 20))
    with open(os.path.join(www, "64m.bin"), "wb") as f:
        chunk = os.urandom(1 << 20)
        for _ in range(64):
            f.write(chunk)
    for i in range(NFILES):
        with open(os.path.join(www, "many", "%d.html" % i), "wb") as f:
            f.write(page[: 200 + i % 800])
    with open(os.path.join(d, "random.lua"), "w") as f:
        f.write(LUA)
    for root, dirs, files in os.walk(d):
        for x in dirs:
            os.chmod(os.path.join(root, x), 0o755)
        for x in files:
            os.chmod(os.path.join(root, x), 0o644)
    os.chmod(d, 0o755)


def make_cert(d):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                    d + "/key.pem", "-out", d + "/cert.pem", "-days", "2",
                    "-subj", "/CN=localhost"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.chmod(d + "/key.pem", 0o644)


def without_tls(name, text):
    """A server's configuration with its TLS listener and settings taken
    out, for the idle memory of a plain-HTTP server."""
    if name == "tine":
        text = re.sub(r', "127\.0\.0\.1:\d+ tls"', "", text)
        return re.sub(r"(?m)^tls_.*\n", "", text)
    if name == "nginx":
        return re.sub(r"(?m)^.*ssl.*\n", "", text)
    if name == "lighttpd":
        text = text.replace('"mod_openssl", ', "")
        return re.sub(r'(?s)\$SERVER\["socket"\].*?\n}\n', "", text)
    return re.sub(r"(?s)listen:\n  host: 127\.0\.0\.1\n  port: \d+\n"
                  r"  ssl:.*?ocsp-update-interval: 0\n", "", text)


class Server:
    """One server under test: its configuration, its process, its ports."""

    def __init__(self, name, binary, d, plain=False):
        self.name, self.binary, self.d = name, binary, d
        self.plain = plain      # plain HTTP only: no TLS listener
        self.port, self.sport = free_port(), free_port()
        self.log = "%s/logs/%s-access.log" % (d, name)
        self.err = "%s/logs/%s-error.log" % (d, name)
        self.conf = "%s/%s.conf" % (d, name)
        self.proc = None
        if plain:
            self.conf = "%s/%s-plain.conf" % (d, name)
        text = getattr(self, "conf_" + name)()
        with open(self.conf, "w") as f:
            f.write(without_tls(name, text) if plain else text)

    def url(self, scheme, path):
        port = self.sport if scheme == "https" else self.port
        return "%s://127.0.0.1:%d%s" % (scheme, port, path)

    def conf_tine(self):
        d = self.d
        log = '"%s"' % self.log if ACCESS_LOG else '"off"'
        return f"""listen = {{ "127.0.0.1:{self.port}", "127.0.0.1:{self.sport} tls" }}
tls_certificate = "{d}/cert.pem"
tls_key = "{d}/key.pem"
tls_ciphers = "{CIPHERS}"
document_root = "{d}/www"
workers = {WORKERS}
pid_file = "{d}/tine.pid"
error_log = "{self.err}"
access_log = {log}
# wrk's clients all come from 127.0.0.1: no per-address limit (the others
# have none); room for the 1,000-connection rows; keep-alive unlimited.
max_connections_per_ip = 0
max_connections = 4096
keepalive_requests = 0
location "/logged/" {{ access_log = "{self.log}" }}
"""

    def conf_nginx(self):
        d = self.d
        log = self.log if ACCESS_LOG else "off"
        return f"""worker_processes {WORKERS};
worker_rlimit_nofile 16384;
pid {d}/nginx.pid;
error_log {self.err};
daemon off;
events {{ worker_connections 4096; }}
http {{
	access_log {log};
	sendfile on;
	tcp_nopush on;
	keepalive_requests 10000000;
	open_file_cache max=1000 inactive=20s;
	types {{ text/html html; application/octet-stream bin; }}
	server {{
		listen 127.0.0.1:{self.port};
		listen 127.0.0.1:{self.sport} ssl;
		root {d}/www;
		ssl_certificate {d}/cert.pem;
		ssl_certificate_key {d}/key.pem;
		ssl_protocols TLSv1.2 TLSv1.3;
		ssl_ciphers {CIPHERS};
		ssl_prefer_server_ciphers off;
		ssl_session_tickets on;
		location /logged/ {{ access_log {self.log}; }}
	}}
}}
"""

    def conf_lighttpd(self):
        d = self.d
        log = f'accesslog.filename = "{self.log}"' if ACCESS_LOG else ""
        return f"""server.modules = ("mod_openssl", "mod_accesslog")
server.document-root = "{d}/www"
server.bind = "127.0.0.1"
server.port = {self.port}
server.pid-file = "{d}/lighttpd.pid"
server.errorlog = "{self.err}"
server.max-worker = {WORKERS}
server.max-fds = 16384
server.max-connections = 8192
server.max-keep-alive-requests = 1000000
server.max-keep-alive-idle = 60
server.network-backend = "sendfile"
mimetype.assign = (".html" => "text/html", ".bin" => "application/octet-stream")
{log}
$SERVER["socket"] == "127.0.0.1:{self.sport}" {{
	ssl.engine = "enable"
	ssl.pemfile = "{d}/cert.pem"
	ssl.privkey = "{d}/key.pem"
	ssl.openssl.ssl-conf-cmd = ("MinProtocol" => "TLSv1.2",
	                            "CipherString" => "{CIPHERS}")
}}
$HTTP["url"] =~ "^/logged/" {{
	accesslog.filename = "{self.log}"
}}
"""

    def conf_h2o(self):
        d = self.d
        log = f"access-log: {self.log}\n" if ACCESS_LOG else ""
        return f"""num-threads: {WORKERS}
error-log: {self.err}
max-connections: 8192
user: nobody
{log}listen:
  host: 127.0.0.1
  port: {self.port}
listen:
  host: 127.0.0.1
  port: {self.sport}
  ssl:
    certificate-file: {d}/cert.pem
    key-file: {d}/key.pem
    minimum-version: TLSv1.2
    cipher-suite: {CIPHERS}
    cipher-preference: client
    ocsp-update-interval: 0
file.mime.addtypes:
  application/octet-stream: .bin
hosts:
  default:
    paths:
      /logged:
        file.dir: {d}/www/logged
        access-log: {self.log}
      /:
        file.dir: {d}/www
"""

    def argv(self):
        return {"tine": [self.binary, "-f", "-c", self.conf],
                "nginx": [self.binary, "-c", self.conf, "-e", self.err],
                "lighttpd": [self.binary, "-D", "-f", self.conf],
                "h2o": [self.binary, "-c", self.conf]}[self.name]

    def start(self):
        out = open("%s/logs/%s.out" % (self.d, self.name), "w")
        # A session of its own: h2o's stop signals its process group,
        # which would otherwise be this script's.
        # (tine loads the TLS module built beside it, not an installed one.)
        self.proc = subprocess.Popen(self.argv(), stdout=out, stderr=out,
                                     stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        ctx = ssl._create_unverified_context()
        deadline = time.time() + 15
        for url in (self.url("http", "/small.html"),
                    self.url("https", "/small.html"))[:1 if self.plain
                                                     else 2]:
            while True:
                try:
                    urllib.request.urlopen(url, timeout=2,
                                           context=ctx).read()
                    break
                except Exception as e:
                    if self.proc.poll() is not None or \
                            time.time() > deadline:
                        self.stop()
                        raise RuntimeError("%s: %s never answered (%s)" %
                                           (self.name, url, e))
                    time.sleep(0.1)
        # Wait until the process tree has its workers (bounded).
        while len(self.tree()) < self.want_procs() and time.time() < deadline:
            time.sleep(0.1)

    def want_procs(self):
        return 1 if self.name == "h2o" else WORKERS + 1

    def stop(self):
        """SIGTERM to its master; SIGKILL to its process group (its own
        session's) if the master is not gone 10 s later."""
        if not self.proc or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
            self.proc.wait()

    def tree(self):
        """The pids of the server's process tree, its master first."""
        return _conns.tree(self.proc.pid)

    def workers(self):
        """The processes that serve: h2o's threads are all in its first
        (its children are neverbleed, which holds the key, and a crash
        handler), the others' in the children of their master."""
        t = self.tree()
        return t[:1] if self.name == "h2o" else t[1:]

    def ticks(self):
        """The CPU time (clock ticks) its process tree has used."""
        n = 0
        for p in self.tree():
            try:
                with open("/proc/%d/stat" % p) as f:
                    st = f.read()
            except OSError:
                continue
            fields = st[st.rindex(")") + 2:].split()
            n += int(fields[11]) + int(fields[12])
        return n

    def mem(self, key, fname):
        """The sum over its tree of field KEY (kB) of /proc/PID/FNAME."""
        return sum(_conns.field("/proc/%d/%s" % (p, fname), key)
                   for p in self.tree())


def latency_ms(s):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", s)
    if not m:
        return 0.0
    scale = {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[m.group(2)]
    return float(m.group(1)) * scale


def bounded(args):
    """Runs a load client, killed if it outlives its duration by far."""
    try:
        return subprocess.run(args, capture_output=True, text=True,
                              timeout=SECS + 60)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, -1, "", "timed out")


def wrk(srv, scen, d):
    """One wrk run: requests/s, p99 ms, errors, CPU us per request."""
    name, scheme, path, conns, extra = scen
    if "full" in extra:
        return hsload(srv, scen, d)
    args = ["wrk", "-t2", "-c%d" % conns, "-d%ds" % SECS, "--latency",
            "--timeout", "10s"]
    args += [a for a in extra if a not in ("log", "lua")]
    if "lua" in extra:
        args += ["-s", d + "/random.lua"]
    t0 = srv.ticks()
    r = bounded(args + [srv.url(scheme, path)])
    t1 = srv.ticks()
    out = r.stdout
    n = re.search(r"(\d+) requests in", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    errs = sum(int(x) for x in re.findall(
        r"(?:connect|read|write|timeout) (\d+)", out))
    non2 = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errs += int(non2.group(1)) if non2 else 0
    if not n or not rps:
        note("%s %s: wrk failed: %s" % (srv.name, name,
                                        (r.stderr or out).strip()[:200]))
        return (0.0, 0.0, 1, 0.0)
    reqs = int(n.group(1))
    hz = os.sysconf("SC_CLK_TCK")
    cpu = (t1 - t0) * 1e6 / hz / reqs if reqs else 0.0
    if "log" in extra and not ACCESS_LOG and \
            not (os.path.exists(srv.log) and os.path.getsize(srv.log)):
        note("%s: %s: nothing in %s" % (srv.name, name, srv.log))
    if os.path.exists(srv.log):
        os.truncate(srv.log, 0)     # O_APPEND writers: keeps the disk free
    return (float(rps.group(1)), latency_ms(p99.group(1)) if p99 else 0.0,
            errs, cpu)


def build_hsload(d):
    """Compiles hsload.c into D; its path, or None (with a note)."""
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "hsload.c")
    cc = os.environ.get("CC") or "cc"
    try:
        r = subprocess.run(shlex.split(cc) + ["-O2", "-o", d + "/hsload", src, "-lssl",
                            "-lcrypto", "-lpthread"], capture_output=True,
                           text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        r = subprocess.CompletedProcess([], 1, "", str(e))
    if r.returncode != 0:
        note("no full-handshake row: %s could not build hsload.c "
             "(apt-get install -y gcc libssl-dev): %s" %
             (cc, r.stderr.strip()[:300]))
        return None
    return d + "/hsload"


def hsload(srv, scen, d):
    """One hsload run (full handshakes): as wrk()."""
    name, scheme, path, conns, extra = scen
    t0 = srv.ticks()
    r = bounded([d + "/hsload", str(srv.sport), path, str(conns), str(SECS),
                 "2"])
    t1 = srv.ticks()
    kv = dict(line.split(" ", 1) for line in r.stdout.splitlines()
              if " " in line)
    if r.returncode != 0 or "requests" not in kv:
        note("%s %s: hsload failed: %s" % (srv.name, name,
                                           (r.stderr or r.stdout)[:200]))
        return (0.0, 0.0, 1, 0.0)
    reqs = int(kv["requests"])
    # Every handshake full, TLS 1.3 over X25519 (wrk's choice): else say so.
    hs = int(kv["tls13"])
    if int(kv["reused"]) or hs < reqs or int(kv["x25519"]) < hs:
        note("%s %s: %s of %d handshakes resumed, %s TLS 1.3, %s X25519" %
             (srv.name, name, kv["reused"], reqs, kv["tls13"],
              kv["x25519"]))
    HSLOAD_SEEN.setdefault(srv.name, []).append(
        (float(kv["client_cpu_us"]), kv["cipher"]))
    hz = os.sysconf("SC_CLK_TCK")
    cpu = (t1 - t0) * 1e6 / hz / reqs if reqs else 0.0
    return (float(kv["rps"]), float(kv["p99_ms"]), int(kv["errors"]), cpu)


def hsload_note(servers):
    """What the full-handshake rows negotiated and cost their client."""
    seen = [(s.name, HSLOAD_SEEN[s.name]) for s in servers
            if s.name in HSLOAD_SEEN]
    if seen:
        print("  (hsload's own CPU per handshake: " + ", ".join(
            "%s %.0f us (%s)" % (n, statistics.median(x[0] for x in v),
                                 v[0][1]) for n, v in seen) + ")")


def log_pair(res, srv, scen, d, r):
    """The access-log row's run for round R and, next to it, the same page
    without the log (odd rounds first, even rounds second): a change in
    the machine's load, which moves requests/s by a third over minutes,
    then moves both alike. The off runs go under the row's name + " off"."""
    off = (scen[0], scen[1], "/small.html", scen[3], [])
    runs = [(scen[0] + " off", off), (scen[0], scen)]
    if r % 2 == 0:
        runs.reverse()
    for key, sc in runs:
        res.setdefault((key, srv.name), []).append(wrk(srv, sc, d))


def run_scenarios(servers, scens, d):
    """Every scenario, ROUNDS rounds, servers in a rotating order."""
    res = {}
    for scen in scens:
        for r in range(ROUNDS):
            order = servers[r % len(servers):] + servers[:r % len(servers)]
            for srv in order:
                if "log" in scen[4]:
                    log_pair(res, srv, scen, d, r)
                    continue
                res.setdefault((scen[0], srv.name), []).append(
                    wrk(srv, scen, d))
        print_rows(scen, servers, res)
        if "full" in scen[4]:
            hsload_note(servers)
        if "log" in scen[4]:
            log_note(servers, res, scen[0])
    return res


def header():
    print("%-30s %-8s %9s %6s %8s %6s %8s" % (
        "scenario", "server", "req/s", "ratio", "p99 ms", "errors",
        "CPU us/req"), flush=True)


def print_rows(scen, servers, res):
    def med(name, i):
        return statistics.median(x[i] for x in res[(scen[0], name)])
    base = med("tine", 0) if ("tine" in [s.name for s in servers]) else 0
    for srv in servers:
        rps = med(srv.name, 0)
        if "log" in scen[4]:
            r, mark = log_ratio(res, scen[0], srv.name), "*"
        else:
            r, mark = (rps / base if base else 0), ""
        ratio = "%.2f%s" % (r, mark) if r else "-"
        errs = sum(x[2] for x in res[(scen[0], srv.name)])
        print("%-30s %-8s %9.0f %6s %8.2f %6d %8.1f" % (
            scen[0], srv.name, rps, ratio, med(srv.name, 1), errs,
            med(srv.name, 3)), flush=True)


def log_ratio(res, scen, name, i=0):
    """The median over rounds of each round's requests/s (i 0) or CPU per
    request (i 3) with the access log over those without it (log_pair);
    0 when a run failed."""
    on, off = res[(scen, name)], res.get((scen + " off", name), [])
    pairs = [a[i] / b[i] for a, b in zip(on, off) if a[i] and b[i]]
    return statistics.median(pairs) if pairs else 0


def log_note(servers, res, scen):
    """What the access log costs in CPU per request, steadier than the
    requests/s of a shared machine."""
    print("  (CPU per request with the access log over without it: " +
          ", ".join("%s %.2f" % (s.name, log_ratio(res, scen, s.name, 3))
                    for s in servers) + ")")


def read_response(s):
    """Reads one response with a Content-Length off socket S."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            return False
        buf += chunk
    head, body = buf.split(b"\r\n\r\n", 1)
    m = re.search(rb"(?i)content-length:\s*(\d+)", head)
    left = int(m.group(1)) - len(body) if m else 0
    while left > 0:
        chunk = s.recv(min(left, 65536))
        if not chunk:
            return False
        left -= len(chunk)
    return True


REQ = b"GET /small.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
REQ_CLOSE = (b"GET /small.html HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             b"Connection: close\r\n\r\n")


def memory(srv):
    """Idle PSS (KiB), then the peaks of RSS and of PSS (KiB) with 1,000
    idle connections: RSS counts a shared library's pages once in every
    process that touched them, PSS divides them among those processes."""
    pss = srv.mem("Pss", "smaps_rollup")
    socks, peak, ppeak = [], srv.mem("VmRSS", "status"), pss
    try:
        for _ in range(IDLE_CONNS):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            s.sendall(REQ)
            socks.append(s)
        ok = sum(1 for s in socks if read_response(s))
        if ok < IDLE_CONNS:
            note("%s: %d of %d idle connections answered" %
                 (srv.name, ok, IDLE_CONNS))
        for _ in range(20):
            peak = max(peak, srv.mem("VmRSS", "status"))
            ppeak = max(ppeak, srv.mem("Pss", "smaps_rollup"))
            time.sleep(0.1)
    except OSError as e:
        note("%s: idle connections: %s" % (srv.name, e))
    for s in socks:
        s.close()
    return pss, peak, ppeak


def keepalive_client(port, n):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    for _ in range(n):
        s.sendall(REQ)
        read_response(s)
    s.close()


def close_client(port, n):
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(REQ_CLOSE)
        while s.recv(65536):
            pass
        s.close()


def worker_tids(srv):
    """The threads of the server's workers."""
    tids = []
    for p in srv.workers():
        try:
            tids += [int(t) for t in os.listdir("/proc/%d/task" % p)]
        except OSError:
            pass
    return tids


def traced(tracer, srv, client, n):
    """CLIENT sends N requests while TRACER (strace or perf, attached)
    counts; then TRACER is stopped with SIGINT, or killed if it stays."""
    try:
        client(srv.port, n)
        time.sleep(0.2)     # the last close reaches the server
        tracer.send_signal(signal.SIGINT)
        tracer.wait(10)
    finally:
        if tracer.poll() is None:
            tracer.kill()
            tracer.wait()


def syscalls(srv, d, client, n):
    """strace -c over the workers' threads while CLIENT sends N requests:
    system calls per request and the most frequent ones."""
    tids = worker_tids(srv)
    out, err = d + "/logs/strace.out", d + "/logs/strace.err"
    args = ["strace", "-c", "-f", "-o", out]
    for t in tids:
        args += ["-p", str(t)]
    with open(err, "w") as ef:
        st = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=ef)
    deadline = time.time() + 10
    while time.time() < deadline and st.poll() is None:
        with open(err) as ef:
            if ef.read().count("attached") >= len(tids):
                break
        time.sleep(0.05)
    if st.poll() is not None:
        note("%s: strace failed: %s" % (srv.name, open(err).read()[:200]))
        return None
    traced(st, srv, client, n)
    total, top = 0, []
    with open(out) as f:
        for line in f:
            fl = line.split()
            if len(fl) >= 5 and fl[-1] == "total":
                total = int(fl[3])
            elif len(fl) >= 5 and re.match(r"[\d.]+$", fl[0]) and \
                    fl[3].isdigit():
                top.append((int(fl[3]), fl[-1]))
    top.sort(reverse=True)
    return total / n, ", ".join("%s %.2g" % (name, c / n)
                                for c, name in top[:6])


def perf_syscalls(srv, d, client, n):
    """perf stat's count of system calls (the raw_syscalls:sys_enter
    tracepoint) over the workers' threads while CLIENT sends N requests,
    per request; None where perf cannot count them. Unlike strace, perf
    does not stop a worker at each call, which delays it and makes two
    workers race for a connection more often than they do untraced."""
    tids = worker_tids(srv)
    out = d + "/logs/perf.out"
    args = ["perf", "stat", "-x", ",", "-o", out, "-e",
            "raw_syscalls:sys_enter", "-t", ",".join(map(str, tids))]
    try:
        pf = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    except OSError:
        return None
    # Counting starts once perf holds an event per thread (bounded wait).
    deadline = time.time() + 10
    while time.time() < deadline and pf.poll() is None and \
            perf_events(pf.pid) < len(tids):
        time.sleep(0.02)
    if pf.poll() is not None:
        return None
    traced(pf, srv, client, n)
    with open(out) as f:
        for line in f:
            fl = line.split(",")
            if len(fl) > 2 and fl[2] == "raw_syscalls:sys_enter" and \
                    fl[0].isdigit():
                return int(fl[0]) / n
    return None


def perf_events(pid):
    """How many perf event descriptors process pid holds."""
    n = 0
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                if "perf_event" in os.readlink("/proc/%d/fd/%s" % (pid, fd)):
                    n += 1
            except OSError:
                pass
    except OSError:
        pass
    return n


def version(argv):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    m = re.search(r"[\d]+\.[\d.]+\S*", r.stdout + r.stderr)
    return m.group(0) if m else "?"


def machine(servers):
    """What the figures were measured on."""
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    vers = {"tine": ["-V"], "nginx": ["-v"], "lighttpd": ["-v"],
            "h2o": ["-v"]}
    print("machine: %s, %d cores, Linux %s; load average %s" % (
        cpu, os.cpu_count(), os.uname().release,
        " ".join(open("/proc/loadavg").read().split()[:3])))
    print("versions: " + ", ".join(
        "%s %s" % (s.name, version([s.binary] + vers[s.name]))
        for s in servers if s.name != "tine") +
        ", wrk %s, OpenSSL %s" % (version(["wrk", "-v"]),
                                  version(["openssl", "version"])),
        flush=True)


def expected_seconds(n, scens, extras):
    runs = len(scens) + sum(1 for x in scens if "log" in x[4])  # log_pair
    return (runs * n * ROUNDS * (SECS + 0.5) + 20 * n * extras + 30)


def selected():
    """The scenarios SCENARIOS names (all when unset), and whether it asks
    for the memory and the system-call parts."""
    want = [w.strip().lower() for w in
            os.environ.get("SCENARIOS", "").split(",") if w.strip()]
    if not want:
        return SCENARIOS, True, True
    scens = [x for x in SCENARIOS if any(w in x[0].lower() for w in want)]
    mem, sysc = "memory" in want, "syscalls" in want
    if not scens and not mem and not sysc:
        sys.exit("bench: SCENARIOS=%r names none of: %s, memory, syscalls"
                 % (os.environ["SCENARIOS"],
                    ", ".join(x[0] for x in SCENARIOS)))
    return scens, mem, sysc


def stop_on_signal(sig, frame):
    """SIGTERM and SIGHUP end the run as Ctrl-C does: through the cleanup
    that stops the servers, which run in sessions of their own."""
    raise KeyboardInterrupt("signal %d" % sig)


def plain_memory(bins, d):
    """Idle PSS and peak RSS at 1,000 idle connections (KiB) of each server
    on a plain-HTTP configuration (no TLS listener), measured as the TLS
    columns are: with all the servers of the run started (PSS divides a
    library's pages among all that map them, so it depends on what else
    runs; RSS counts a library's pages once in every process that touched
    them)."""
    started, pss = [], {}
    try:
        for name, b in bins.items():
            srv = Server(name, b, d, plain=True)
            started.append(srv)
            try:
                srv.start()
            except RuntimeError as e:
                started.remove(srv)
                srv.stop()
                note("%s: plain configuration: %s" % (name, e))
        for srv in started:
            pss[srv.name] = memory(srv)
    finally:
        for srv in started:
            srv.stop()
    return pss


def print_memory(servers, mem, plain):
    """The memory table: with the TLS listener, then without it."""
    print("memory, KiB: idle PSS; with 1,000 idle connections, the peak "
          "RSS and the peak PSS")
    print("%-8s %28s %28s" % ("", "TLS listener (one TLS request)",
                              "no TLS"))
    print("%-8s %8s %9s %9s  %8s %9s %9s" % ("server", "idle PSS",
                                             "RSS 1000", "PSS 1000",
                                             "idle PSS", "RSS 1000",
                                             "PSS 1000"))
    for s in servers:
        p = plain.get(s.name, ("-", "-", "-"))
        print("%-8s %8d %9d %9d  %8s %9s %9s" % ((s.name,) + mem[s.name] +
                                                 tuple(p)))
    print()


def print_syscalls(servers, d):
    if not which("strace"):
        note("strace missing: no system calls per request")
        return
    print("system calls per request on the workers, %d keep-alive, %d new "
          "connections: strace -c -f, then perf stat (raw_syscalls, no "
          "stops), then strace's most frequent" % (STRACE_KEEP, STRACE_NEW))
    for s in servers:
        for label, client, n in (("keep-alive", keepalive_client,
                                  STRACE_KEEP),
                                 ("new conn", close_client, STRACE_NEW)):
            r = syscalls(s, d, client, n)
            p = perf_syscalls(s, d, client, n) if which("perf") else None
            if r:
                print("%-8s %-10s %6.2f %6s   %s" % (
                    s.name, label, r[0], "-" if p is None else
                    "%.2f" % p, r[1]), flush=True)


def find_servers(tine):
    """The binaries to run: tine and those of SERVERS installed."""
    bins = {"tine": tine}
    only = os.environ.get("SERVERS", "tine nginx lighttpd h2o").split()
    for name in ("nginx", "lighttpd", "h2o"):
        b = which(name)
        if name not in only:
            continue
        if b:
            bins[name] = b
        else:
            note("%s not installed: skipped (apt-get install -y %s)" %
                 (name, {"nginx": "nginx-light", "lighttpd":
                         "lighttpd lighttpd-mod-openssl"}.get(name, name)))
    return bins


def start_servers(bins, d, servers):
    """Starts each server, listed in SERVERS before it starts (so that an
    interruption stops it too); one that fails is skipped."""
    for name, b in bins.items():
        srv = Server(name, b, d)
        servers.append(srv)
        try:
            srv.start()
        except RuntimeError as e:
            servers.remove(srv)
            note("%s: skipped: %s (see %s/logs)" % (name, e, d))
    if not servers or servers[0].name != "tine":
        sys.exit("bench: tine did not start")


def main():
    tine = os.path.realpath(sys.argv[1] if len(sys.argv) > 1 else "./tine")
    for b in ("wrk", "openssl"):
        if not which(b):
            sys.exit("bench: %s missing (apt-get install -y wrk openssl)" % b)
    scens, want_mem, want_sys = selected()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    want = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    if want < 4096:
        note("open-file limit %d: the 1,000-connection rows will fail" % want)
    bins = find_servers(tine)
    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGHUP, stop_on_signal)
    d = tempfile.mkdtemp(prefix="tine-bench.")
    os.makedirs(d + "/logs")
    servers = []
    try:
        make_docroot(d)
        make_cert(d)
        if any("full" in x[4] for x in scens) and not build_hsload(d):
            scens = [x for x in scens if "full" not in x[4]]
        plain = plain_memory(bins, d) if want_mem else {}
        start_servers(bins, d, servers)
        est = expected_seconds(len(servers), scens, want_mem or want_sys)
        print("bench: %s; %d round(s) of %d s; access logs %s; about %d min"
              % (" ".join(s.name for s in servers), ROUNDS, SECS,
                 "on" if ACCESS_LOG else "off", est // 60 + 1), flush=True)
        machine(servers)
        mem = {s.name: memory(s) for s in servers} if want_mem else None
        if scens:
            header()
            run_scenarios(servers, scens, d)
            if any("log" in x[4] for x in scens):
                print("* access log on against the same server with it off, "
                      "run next to it in each round (median of the rounds' "
                      "ratios)")
            print()
        if mem:
            print_memory(servers, mem, plain)
        print("load average at the end: " +
              " ".join(open("/proc/loadavg").read().split()[:3]))
        if want_sys:
            print_syscalls(servers, d)
    finally:
        for s in servers:
            s.stop()
        if os.environ.get("KEEP") == "1":
            note("files kept in " + d)
        else:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        note("interrupted; the servers are stopped")
        sys.exit(130)
