#!/usr/bin/env python3
"""Memory of a web server holding many idle keep-alive connections.

Opens COUNT connections to 127.0.0.1:PORT (from source addresses spread
over 127.0.0.2.., so that a per-address connection limit does not refuse
them), makes one keep-alive GET of PATH on each, holds them all idle for
HOLD seconds, then closes them. Meanwhile it samples the sum of RSS
(/proc/PID/status VmRSS) and PSS (/proc/PID/smaps_rollup) over the process
tree of PID (a master and its workers). Prints, in KiB:

    before rss=... pss=...       the tree before the first connection
    held   rss=... pss=...       with all COUNT connections idle
    peak   rss=... pss=...       the highest seen, connecting included
    after  rss=... pss=...       once they are closed again
    per_conn_rss_bytes=...       (held - before) / COUNT
    conns=... failed=...

Usage: idle-conns.py --port 8080 --pid MASTER [--count 1000] [--hold 3]
       [--path /small.html] [--spread 250]
Reading another user's smaps_rollup needs the same user (or root).
Standard library only, so any machine with python3 runs it.
"""
import argparse
import os
import resource
import selectors
import socket
import sys
import time


def tree(pid):
    """pid and all its descendants (from /proc/*/stat parent ids), pid
    first, then its children by pid, then theirs."""
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st[st.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop(0)
        out.append(p)
        todo += sorted(kids.get(p, []))
    return out


def field(path, name):
    """The KiB value of the line `name: N kB` in path; 0 if absent."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def sample(pid):
    """(sum of RSS, sum of PSS) over pid's tree, in KiB."""
    rss = pss = 0
    for p in tree(pid):
        rss += field(f"/proc/{p}/status", "VmRSS")
        pss += field(f"/proc/{p}/smaps_rollup", "Pss")
    return rss, pss


class Peak:
    """The highest RSS and PSS sums seen so far."""

    def __init__(self, pid):
        self.pid, self.rss, self.pss = pid, 0, 0

    def take(self):
        rss, pss = sample(self.pid)
        self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)
        return rss, pss


def connect_all(a, peak):
    """COUNT connections, each with one answered keep-alive request;
    bounded by a deadline. Returns (open sockets, failures)."""
    req = (f"GET {a.path} HTTP/1.1\r\nHost: localhost\r\n\r\n").encode()
    sel = selectors.DefaultSelector()
    socks, failed, got = [], 0, {}
    deadline = time.monotonic() + a.timeout
    last = 0.0
    for i in range(a.count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind((f"127.0.{2 + (i % a.spread) // 250}."
                    f"{2 + (i % a.spread) % 250}", 0))
            s.settimeout(a.timeout)
            s.connect(("127.0.0.1", a.port))
            s.sendall(req)
        except OSError:
            s.close()
            failed += 1
            continue
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        socks.append(s)
        got[s] = b""
        if time.monotonic() - last > 0.05:
            peak.take()
            last = time.monotonic()
    # Read each answer: a head, then Content-Length bytes.
    waiting = set(socks)
    while waiting and time.monotonic() < deadline:
        for key, _ in sel.select(0.05):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                sel.unregister(s)
                waiting.discard(s)
                socks.remove(s)
                s.close()
                failed += 1
                continue
            got[s] += data
            if answered(got[s]):
                sel.unregister(s)
                waiting.discard(s)
        peak.take()
    failed += len(waiting)
    return socks, failed


def answered(buf):
    """Whether buf holds a whole response (head and its body)."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return False
    n = 0
    for line in buf[:end].split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            n = int(v)
    return len(buf) >= end + 4 + n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True,
                    help="the server's master (its tree is summed)")
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--hold", type=float, default=3.0, help="seconds")
    ap.add_argument("--path", default="/")
    ap.add_argument("--spread", type=int, default=250,
                    help="source addresses the connections come from")
    ap.add_argument("--timeout", type=float, default=30.0,
                    help="seconds for connecting and answers, at most")
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < a.count + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE,
                           (min(hard, a.count + 64), hard))
    before = sample(a.pid)
    peak = Peak(a.pid)
    peak.take()
    socks, failed = connect_all(a, peak)
    end = time.monotonic() + a.hold
    held = peak.take()
    while time.monotonic() < end:
        time.sleep(0.1)
        held = peak.take()
    for s in socks:
        s.close()
    time.sleep(0.5)
    after = sample(a.pid)
    for name, (rss, pss) in (("before", before), ("held", held),
                             ("peak", (peak.rss, peak.pss)),
                             ("after", after)):
        print(f"{name:<6} rss={rss} pss={pss}")
    n = max(len(socks), 1)
    print(f"per_conn_rss_bytes={(held[0] - before[0]) * 1024 // n}")
    print(f"conns={len(socks)} failed={failed}")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
