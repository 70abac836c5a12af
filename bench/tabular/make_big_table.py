#!/usr/bin/python3
"""Writes a large synthetic mixed-type table for the tabular benchmark (bench/tabular/big_config.yaml reads it).

Usage: make_big_table.py OUT.csv [--rows N] [--seed S]        (defaults: 1,000,000 rows, seed 42)

50 feature columns plus `split` (80 % train, 10 % validation, 10 % test, drawn per row):
  num_00..num_29  numbers: normal, log-normal (prices, incomes), uniform, Poisson counts and ages, written with 6
                  significant digits; num_00..num_04 have 2 % of cells missing (empty)
  bin_00..bin_07  binaries, spelled the ways tables spell them: 0/1 (bin_00..03), yes/no (bin_04, 05),
                  True/False (bin_06, 07); bin_07 has 1 % of cells missing
  cat_00..cat_08  categories with cardinalities 3, 4, 7, 12, 24, 50, 100, 500, 2000 and Zipf-like frequencies
                  (labels like `c5_17`); cat_08 has 1 % of cells missing
  y_number        number output: a sum of linear, interaction and per-category effects plus noise
  y_binary        binary output (yes/no): a logistic draw from another such sum
  y_category      category output with 5 classes (`class_0`..`class_4`): the argmax of five such sums plus
                  Gumbel noise
Everything comes from numpy's PCG64 generators seeded with (seed, chunk), in chunks of 100,000 rows, so the file
is the same on every run and machine; it is ~330 MB for 1,000,000 rows and is not committed.
"""
import argparse
import os
import sys
import time

import numpy as np

CHUNK = 100_000
N_NUM, N_BIN = 30, 8
CAT_CARD = [3, 4, 7, 12, 24, 50, 100, 500, 2000]
N_CLASSES = 5


def effects(seed):
    """The fixed coefficients of the three targets (independent of the chunking)."""
    rng = np.random.default_rng([seed, 10**6])
    return {
        "w_num": rng.normal(0, 1, (3 + N_CLASSES - 1, N_NUM)) * (rng.random((3 + N_CLASSES - 1, N_NUM)) < 0.4),
        "w_bin": rng.normal(0, 0.5, (3 + N_CLASSES - 1, N_BIN)),
        "w_cat": [rng.normal(0, 0.7, (3 + N_CLASSES - 1, c)) for c in CAT_CARD],
        "cat_p": [zipf_probs(c, rng) for c in CAT_CARD],
    }


def zipf_probs(card, rng):
    p = 1.0 / np.arange(1, card + 1) ** 1.1
    rng.shuffle(p)
    return p / p.sum()


def numbers(rng, n):
    """(n, 30) float64 raw numbers, and the same standardised with each distribution's own parameters (not the
    chunk's statistics), from which the targets are built."""
    raw, z = [], []
    for j in range(N_NUM):
        kind = j % 5
        if kind == 0:
            c = rng.normal(50 + j, 10 + j, n)
            zc = (c - (50 + j)) / (10 + j)
        elif kind == 1:
            c = np.exp(rng.normal(3 + j / 10, 0.8, n))
            zc = (np.log(c) - (3 + j / 10)) / 0.8
        elif kind == 2:
            c = rng.uniform(-1, 1, n) * (j + 1)
            zc = c / (j + 1) * np.sqrt(3)
        elif kind == 3:
            lam = 2 + j / 3
            c = rng.poisson(lam, n).astype(float)
            zc = (c - lam) / np.sqrt(lam)
        else:
            c = np.clip(np.round(rng.normal(42, 15, n)), 18, 95)
            zc = (c - 42) / 15
        raw.append(c)
        z.append(zc)
    return np.stack(raw, 1), np.stack(z, 1)


def chunk_rows(seed, chunk, n, eff):
    rng = np.random.default_rng([seed, chunk])
    raw, z = numbers(rng, n)
    bins = (rng.random((n, N_BIN)) < np.linspace(0.1, 0.6, N_BIN)).astype(int)
    cats = np.stack([rng.choice(c, n, p=p) for c, p in zip(CAT_CARD, eff["cat_p"])], 1)
    score = z @ eff["w_num"].T + (bins - 0.5) @ eff["w_bin"].T  # (n, 7)
    for k in range(len(CAT_CARD)):
        score += eff["w_cat"][k][:, cats[:, k]].T
    score[:, 0] += 0.8 * z[:, 0] * z[:, 3] + np.sin(2 * z[:, 2])
    score[:, 1] += 0.6 * np.abs(z[:, 5]) - 0.5 * z[:, 7] * bins[:, 0]
    y_number = 10 * score[:, 0] + 100 + rng.normal(0, 5, n)
    y_binary = rng.random(n) < 1 / (1 + np.exp(-score[:, 1]))
    logits = np.concatenate([np.zeros((n, 1)), score[:, 3:]], 1) + score[:, 2:3] * np.arange(N_CLASSES) / 4
    y_category = np.argmax(logits + rng.gumbel(0, 1, logits.shape), 1)
    u = rng.random(n)
    split = np.where(u < 0.8, 0, np.where(u < 0.9, 1, 2))
    miss_num = rng.random((n, 5)) < 0.02
    miss_bin = rng.random(n) < 0.01
    miss_cat = rng.random(n) < 0.01

    columns = []
    for j in range(N_NUM):
        c = np.char.mod("%.6g", raw[:, j])
        if j < 5:
            c = np.where(miss_num[:, j], "", c)
        columns.append(c)
    spellings = [("0", "1")] * 4 + [("no", "yes")] * 2 + [("False", "True")] * 2
    for j, (f, t) in enumerate(spellings):
        c = np.where(bins[:, j] == 1, t, f)
        if j == 7:
            c = np.where(miss_bin, "", c)
        columns.append(c)
    for k in range(len(CAT_CARD)):
        c = np.char.add(f"c{k}_", cats[:, k].astype(str))
        if k == 8:
            c = np.where(miss_cat, "", c)
        columns.append(c)
    columns.append(np.char.mod("%.6g", y_number))
    columns.append(np.where(y_binary, "yes", "no"))
    columns.append(np.char.add("class_", y_category.astype(str)))
    columns.append(split.astype(str))
    table = np.stack(columns, 1)
    return "\n".join(",".join(r) for r in table.tolist()) + "\n"


def header():
    names = [f"num_{j:02d}" for j in range(N_NUM)] + [f"bin_{j:02d}" for j in range(N_BIN)]
    names += [f"cat_{k:02d}" for k in range(len(CAT_CARD))] + ["y_number", "y_binary", "y_category", "split"]
    return ",".join(names) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    t0 = time.time()
    eff = effects(args.seed)
    tmp = args.out + ".part"
    with open(tmp, "w") as f:
        f.write(header())
        for chunk, start in enumerate(range(0, args.rows, CHUNK)):
            f.write(chunk_rows(args.seed, chunk, min(CHUNK, args.rows - start), eff))
    os.replace(tmp, args.out)
    print(f"{args.out}: {args.rows} rows, {os.path.getsize(args.out)} bytes, {time.time() - t0:.1f} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
