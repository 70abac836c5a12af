#!/usr/bin/python3
"""make_fortunes.py OUT.csv [CATEGORY ...] - a text classification table from real text Debian
ships: the fortune cookies of the `fortunes` package (/usr/share/games/fortunes/<category>, one
cookie per block, blocks separated by a line holding '%'), labelled by the file they come from.

Default categories: computers, politics, science, startrek. Each cookie becomes one row: `text`
(the cookie with its whitespace runs folded to one space), `category` (the file name) and `split`
(0 train, 1 validation, 2 test: the row indices shuffled with random.Random(7), the first 70 %
train, the next 10 % validation, the rest test; rows stay in file order). Cookies that are
empty after folding are skipped. Standard library only; two runs write identical bytes.
"""
import csv
import random
import sys

DEFAULT = ["computers", "politics", "science", "startrek"]


def cookies(path):
    block = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.rstrip("\n") == "%":
                yield " ".join(" ".join(block).split())
                block = []
            else:
                block.append(line)
    if block:
        yield " ".join(" ".join(block).split())


def main():
    out = sys.argv[1]
    cats = sys.argv[2:] or DEFAULT
    rows = []
    for c in cats:
        for t in cookies("/usr/share/games/fortunes/%s" % c):
            if t:
                rows.append((t, c))
    idx = list(range(len(rows)))
    random.Random(7).shuffle(idx)
    split = [0] * len(rows)
    ntr, nva = int(0.7 * len(rows)), int(0.1 * len(rows))
    for k, i in enumerate(idx):
        split[i] = 0 if k < ntr else 1 if k < ntr + nva else 2
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["text", "category", "split"])
        for (t, c), s in zip(rows, split):
            w.writerow([t, c, s])


if __name__ == "__main__":
    main()
