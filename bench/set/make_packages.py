#!/usr/bin/python3
"""make_packages.py OUT.csv [--rows N] [--seed S] [--packages FILE]

Debian's package index (bookworm main amd64, apt's Packages file from /var/lib/apt/lists, lz4 or
plain) as a table of real set, bag and category columns: one row per package that has debtags,
in the sections with at least 300 such packages:
  depends      the names it Depends on (versions and alternatives' '|' dropped), space separated
  tags         its debtags (facet::tag), space separated
  description  the short description (one line)
  section      its archive section (without a 'contrib/' or 'non-free/' area)
With --rows N, a random N of them (seeded). Nothing here is written by this project.
"""
import argparse
import collections
import csv
import glob
import random
import re
import subprocess
import sys


def stanzas(text):
    cur, key = {}, None
    for line in text.splitlines():
        if not line.strip():
            if cur:
                yield cur
            cur, key = {}, None
        elif line[0] in " \t" and key:
            cur[key] += " " + line.strip()
        else:
            key, _, v = line.partition(":")
            cur[key] = v.strip()
    if cur:
        yield cur


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--rows", type=int, default=0)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--packages", default="")
    a = ap.parse_args()
    path = a.packages or (glob.glob("/var/lib/apt/lists/*debian_dists_bookworm_main_binary-amd64_Packages*") or [""])[0]
    if not path:
        sys.exit("make_packages: no bookworm main amd64 Packages index under /var/lib/apt/lists (run apt-get update)")
    raw = subprocess.run(["lz4cat", path], capture_output=True, check=True).stdout if path.endswith(".lz4") \
        else open(path, "rb").read()
    rows = []
    for s in stanzas(raw.decode("utf-8", "replace")):
        if "Tag" not in s or "Section" not in s:
            continue
        deps = []
        for d in s.get("Depends", "").split(","):
            name = re.split(r"[\s(|:]", d.strip(), maxsplit=1)[0]
            if name and name not in deps:
                deps.append(name)
        tags = [t.strip() for t in s["Tag"].split(",") if t.strip()]
        rows.append({"depends": " ".join(deps), "tags": " ".join(tags),
                     "description": s.get("Description", "").split("  ")[0],
                     "section": s["Section"].split("/")[-1]})
    per = collections.Counter(r["section"] for r in rows)
    rows = [r for r in rows if per[r["section"]] >= 300]
    if a.rows:
        random.Random(a.seed).shuffle(rows)
        rows = rows[:a.rows]
    with open(a.out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["depends", "tags", "description", "section"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print("make_packages: %d rows, %d sections -> %s" % (len(rows), len({r["section"] for r in rows}), a.out))


if __name__ == "__main__":
    main()
