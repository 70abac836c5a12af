#!/usr/bin/python3
"""Reference values for the statistics the report derives from rows (lib/report/rowstats.c):
sklearn 1.2 calibration_curve (uniform bins), accuracy / precision / recall / F1 / confusion
matrix at thresholds 0.1..0.9, and numpy.histogram. Writes tests/report/rowstats_cases.json
(floats as Python's repr, so the C test reads them exactly).

usage: /usr/bin/python3 tests/report/gen_fixtures_report.py
"""
import json
import os

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import (accuracy_score, confusion_matrix, f1_score, precision_score,
                             recall_score)


def binary_case(name, p, y):
    p = np.asarray(p, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    pd = p.astype(np.float64)  # the report compares the float32 values widened to double
    bins = np.linspace(0.0, 1.0, 11)
    ids = np.searchsorted(bins[1:-1], pd)
    counts = np.bincount(ids, minlength=10).tolist()
    prob_true, prob_pred = calibration_curve(y, pd, n_bins=10, strategy="uniform")
    th = []
    for k in range(1, 10):
        t = k / 10
        pred = (pd >= t).astype(int)
        yt = y.astype(int)
        tn, fp, fn, tp = confusion_matrix(yt, pred, labels=[0, 1]).ravel()
        th.append({"t": t, "tp": int(tp), "fp": int(fp), "fn": int(fn), "tn": int(tn),
                   "accuracy": accuracy_score(yt, pred),
                   "precision": precision_score(yt, pred, zero_division=0),
                   "recall": recall_score(yt, pred, zero_division=0),
                   "f1": f1_score(yt, pred, zero_division=0)})
    return {"name": name, "p": [float(x) for x in p], "y": [float(x) for x in y],
            "counts": counts, "prob_true": prob_true.tolist(), "prob_pred": prob_pred.tolist(),
            "thresholds": th}


def hist_case(name, v, nb):
    v = np.asarray(v, dtype=np.float64)
    counts, edges = np.histogram(v, bins=nb)
    return {"name": name, "v": v.tolist(), "bins": nb, "counts": counts.tolist(),
            "edges": edges.tolist()}


def main():
    rng = np.random.default_rng(20240611)
    n = 401
    y = (rng.random(n) < 0.4).astype(np.float32)
    p = np.clip(0.35 * y + 0.65 * rng.random(n), 0, 1)
    # values on the bin edges and the ends (float32 0.1 is above the double edge 0.1)
    p[:12] = [0.0, 1.0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.30000001, 0.6, 0.8, 0.4]
    cases = [binary_case("random", p, y),
             # all predicted one class: precision undefined at high thresholds
             binary_case("low", rng.random(50) * 0.3, (rng.random(50) < 0.5)),
             binary_case("one_class", rng.random(40), np.zeros(40))]
    r = rng.normal(3.0, 20.0, 301)
    r[:4] = [r.min() - 1, r.max() + 1, 0.0, 0.0]
    hists = [hist_case("normal", r, 30),
             hist_case("edges", [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 2.5, 0.5, 4.999999], 5),
             hist_case("tenths", [0.1 * k for k in range(0, 31)], 7),
             hist_case("constant", [7.25] * 9, 5)]
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rowstats_cases.json")
    with open(out, "w") as f:
        json.dump({"binary": cases, "histogram": hists}, f)
        f.write("\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
