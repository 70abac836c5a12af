#!/usr/bin/python3
"""Writes the small real tables in test-data/tabular/ from datasets that Debian packages ship.

Usage: make_tabular_data.py OUTDIR [--penguins PATH]

  breast_cancer.csv  binary target     python3-sklearn  sklearn/datasets/data/breast_cancer.csv
  wine.csv           category target   python3-sklearn  sklearn/datasets/data/wine_data.csv
  diabetes.csv       number target     python3-sklearn  sklearn/datasets/data/diabetes_data_raw.csv.gz
                                                        + diabetes_target.csv.gz
  penguins.csv       missing values, number/binary/category inputs, two outputs (category + number)
                                       r-cran-palmerpenguins  palmerpenguins/extdata/penguins.csv

Every table gets a `split` column (0 train, 1 validation, 2 test): the row indices are shuffled with
Python's random.Random(seed) (one fixed seed per table, below) and the first 70 % of the shuffled
indices are train, the next 10 % validation, the rest test; rows stay in their source order.
Numbers are copied as the text the source file holds (never re-formatted), so nothing is rounded.
penguins.csv keeps the source's `NA` for missing cells (pandas, and so Ludwig, reads `NA` as missing).

The penguins file is found at --penguins, else at the path r-cran-palmerpenguins installs it to.
That package depends on R; to get the file without installing R:
  apt-get download r-cran-palmerpenguins && dpkg-deb -x r-cran-palmerpenguins_*.deb ROOT
and pass --penguins ROOT/usr/lib/R/site-library/palmerpenguins/extdata/penguins.csv.
Deterministic: running it twice writes identical bytes. Needs only the Python standard library.
"""
import argparse
import csv
import gzip
import os
import random
import sys

SKLEARN_DATA = "/usr/lib/python3/dist-packages/sklearn/datasets/data"
PENGUINS_DEFAULT = "/usr/lib/R/site-library/palmerpenguins/extdata/penguins.csv"

BREAST_CANCER_MEAN_COLUMNS = [
    "mean_radius", "mean_texture", "mean_perimeter", "mean_area", "mean_smoothness",
    "mean_compactness", "mean_concavity", "mean_concave_points", "mean_symmetry",
    "mean_fractal_dimension",
]
WINE_COLUMNS = [
    "alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols",
    "flavanoids", "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue",
    "od280_od315", "proline",
]
DIABETES_COLUMNS = ["age", "sex", "bmi", "bp", "tc", "ldl", "hdl", "tch", "ltg", "glu"]

SEEDS = {"breast_cancer": 101, "wine": 102, "diabetes": 103, "penguins": 104}


def split_column(n, seed):
    """0/1/2 per row: 70 % / 10 % / 20 % of a seeded shuffle of the row indices."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    n_train = round(0.7 * n)
    n_val = round(0.1 * n)
    split = [2] * n
    for rank, row in enumerate(order):
        if rank < n_train:
            split[row] = 0
        elif rank < n_train + n_val:
            split[row] = 1
    return split


def read_sklearn_csv(name):
    """sklearn's bundled CSVs: a first line `n_rows,n_features,class names...`, then rows ending in the class index."""
    with open(os.path.join(SKLEARN_DATA, name), newline="") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    n_rows, n_features = int(head[0]), int(head[1])
    class_names = head[2:]
    body = rows[1:]
    if len(body) != n_rows or any(len(r) != n_features + 1 for r in body):
        sys.exit(f"{name}: expected {n_rows} rows of {n_features + 1} fields")
    return body, class_names


def write_table(path, header, rows, seed):
    split = split_column(len(rows), seed)
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header + ["split"])
        for row, s in zip(rows, split):
            w.writerow(row + [str(s)])
    print(f"{path}: {len(rows)} rows, {len(header) + 1} columns, "
          f"train/val/test {split.count(0)}/{split.count(1)}/{split.count(2)}, {os.path.getsize(path)} bytes")


def breast_cancer(outdir):
    body, class_names = read_sklearn_csv("breast_cancer.csv")
    # The source's class index 0 is malignant, 1 benign (its header line names them in that order).
    rows = [r[:10] + [class_names[int(r[30])]] for r in body]
    write_table(os.path.join(outdir, "breast_cancer.csv"), BREAST_CANCER_MEAN_COLUMNS + ["diagnosis"],
                rows, SEEDS["breast_cancer"])


def wine(outdir):
    body, class_names = read_sklearn_csv("wine_data.csv")
    rows = [r[:13] + [class_names[int(r[13])]] for r in body]
    write_table(os.path.join(outdir, "wine.csv"), WINE_COLUMNS + ["cultivar"], rows, SEEDS["wine"])


def diabetes(outdir):
    with gzip.open(os.path.join(SKLEARN_DATA, "diabetes_data_raw.csv.gz"), "rt") as f:
        data = [line.split() for line in f if line.strip()]
    with gzip.open(os.path.join(SKLEARN_DATA, "diabetes_target.csv.gz"), "rt") as f:
        target = [line.strip() for line in f if line.strip()]
    if len(data) != len(target) or any(len(r) != 10 for r in data):
        sys.exit("diabetes: data and target disagree")
    # The target file writes integers as %.18e; every value is integral, so it is written as an integer.
    progression = []
    for t in target:
        v = float(t)
        if v != int(v):
            sys.exit(f"diabetes: non-integral target {t}")
        progression.append(str(int(v)))
    rows = [r + [p] for r, p in zip(data, progression)]
    write_table(os.path.join(outdir, "diabetes.csv"), DIABETES_COLUMNS + ["progression"], rows,
                SEEDS["diabetes"])


def penguins(outdir, path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    expected = ["species", "island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm",
                "body_mass_g", "sex", "year"]
    if header != expected or len(body) != 344:
        sys.exit(f"{path}: not palmerpenguins 0.1.1's penguins.csv (header {header}, {len(body)} rows)")
    write_table(os.path.join(outdir, "penguins.csv"), header, body, SEEDS["penguins"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--penguins", default=PENGUINS_DEFAULT)
    args = ap.parse_args()
    if not os.path.exists(args.penguins):
        sys.exit(f"{args.penguins} not found: see the top of this script for how to get r-cran-palmerpenguins")
    os.makedirs(args.outdir, exist_ok=True)
    breast_cancer(args.outdir)
    wine(args.outdir)
    diabetes(args.outdir)
    penguins(args.outdir, args.penguins)


if __name__ == "__main__":
    main()
