#!/usr/bin/env python3
"""Where a server's idle memory goes, mapping by mapping.

Reads /proc/PID/smaps of PID and each of its descendants (a master and
its workers) and prints, in KiB, per process and for the whole tree, each
group of mappings (a library by name, [heap], [stack], anonymous memory,
shared memory such as the scoreboard) with its Pss, Rss, Private_Dirty
and Shared_Clean + Shared_Dirty, then the tree's total Pss (the sum of
/proc/PID/smaps_rollup Pss, as tests/bench/bench.py counts it):

    PID  GROUP          pss   rss  priv_dirty  shared
    ...
    tree pss=...

Pss divides each shared page among the processes that map it: a library's
text read by all three counts a third in each; a page a worker wrote
after fork (copy on write) is its own, in Private_Dirty.

Usage: idle-pss.py --pid MASTER [--all]   (--all: every group, not only
those of 4 KiB Pss or more)
"""
import argparse
import importlib.util
import os
import re
import sys

# tree(): a process and its descendants, as idle-conns.py finds them.
_spec = importlib.util.spec_from_file_location(
    "idle_conns", os.path.join(os.path.dirname(__file__), "idle-conns.py"))
_conns = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_conns)
tree = _conns.tree

HEADER = re.compile(r"[0-9a-f]+-[0-9a-f]+ ")
FIELDS = ("Pss", "Rss", "Private_Dirty", "Shared_Clean", "Shared_Dirty")


def group(header):
    """The group a mapping's header line belongs to."""
    parts = header.split(None, 5)
    name = parts[5].strip() if len(parts) > 5 else ""
    if name == "":
        return "[anon]" if "s" not in parts[1] else "[anon shared]"
    if name.startswith("/"):
        base = os.path.basename(name)
        return base.split(".so")[0] if ".so" in base else base
    return name


def smaps(pid):
    """{group: {field: KiB}} of one process."""
    out, cur = {}, None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            key = line.split(":", 1)[0]
            if HEADER.match(line):
                cur = out.setdefault(group(line), dict.fromkeys(FIELDS, 0))
            elif key in FIELDS:
                cur[key] += int(line.split()[1])
    return out


def show(label, groups, every):
    """Print one process's (or the tree's) groups, largest Pss first."""
    total = dict.fromkeys(FIELDS, 0)
    for name, v in sorted(groups.items(), key=lambda kv: -kv[1]["Pss"]):
        for k in FIELDS:
            total[k] += v[k]
        if every or v["Pss"] >= 4:
            print(f"{label:<6} {name:<24} {v['Pss']:>6} {v['Rss']:>6} "
                  f"{v['Private_Dirty']:>6} "
                  f"{v['Shared_Clean'] + v['Shared_Dirty']:>6}")
    print(f"{label:<6} {'TOTAL':<24} {total['Pss']:>6} {total['Rss']:>6} "
          f"{total['Private_Dirty']:>6} "
          f"{total['Shared_Clean'] + total['Shared_Dirty']:>6}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--all", action="store_true")
    a = ap.parse_args()
    print(f"{'pid':<6} {'group':<24} {'pss':>6} {'rss':>6} "
          f"{'privd':>6} {'shared':>6}")
    whole = {}
    for p in tree(a.pid):
        g = smaps(p)
        show(str(p), g, a.all)
        for name, v in g.items():
            w = whole.setdefault(name, dict.fromkeys(FIELDS, 0))
            for k in FIELDS:
                w[k] += v[k]
    show("tree", whole, a.all)
    return 0


if __name__ == "__main__":
    sys.exit(main())
