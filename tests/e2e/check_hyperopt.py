#!/usr/bin/python3
"""check_hyperopt.py OUT_DIR CONFIG [SEED] - test_hyperopt's checks of a `ludwig-c hyperopt` run.

The trials' parameters against Ray Tune's BasicVariantGenerator as Ludwig 0.10.3 drives it
(ray/tune/search/basic_variant.py, variant_generator.py, sample.py), drawn here with numpy's own
np.random.default_rng(random_state): num_samples rounds; in each, the grid_search parameters'
combinations (sorted by name, the first varying fastest), each with fresh draws of the other
parameters in config order. Trial i is trial_<prefix>_<i:05d>/params.json. Values equal; a
log-space value within 1e-13 (numpy computes log with its own SIMD code, ludwig-c with libm, so
the exponent may differ in its last bit).

hyperopt_statistics.json: Ludwig's keys; trials best first by metric_score (goal); each
metric_score the best epoch's value of the metric on the split in that trial's training_stats
(lowest for losses, highest for accuracy/roc_auc/r2...); eval_stats holding the output features.
Prints one line per trial; exits 1 on the first mismatch."""
import glob
import json
import math
import os
import sys

import numpy as np
import yaml

out, cfg_path = sys.argv[1], sys.argv[2]
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 42
cfg = yaml.safe_load(open(cfg_path))
h = cfg["hyperopt"]
params = {("trainer." + k[9:] if k.startswith("training.") else k): v for k, v in h["parameters"].items()}
sa = h.get("search_alg") or {}
rs = sa.get("random_state", seed)
num_samples = (h.get("executor") or {}).get("num_samples") or 1
rng = np.random.default_rng(rs)


def draw(p):
    s = p["space"].lower()
    lo, hi = p.get("lower"), p.get("upper")
    q = p.get("q", 1)
    base = p.get("base", 10)
    if s == "choice":
        return p["categories"][int(rng.choice(np.arange(0, len(p["categories"])), size=1)[0])]
    if s == "uniform":
        return float(rng.uniform(lo, hi, size=1)[0])
    if s == "quniform":
        if q == 1:
            return float(rng.uniform(lo, hi, size=1)[0])
        v = rng.uniform(np.ceil(lo / q) * q, np.floor(hi / q) * q, size=1)[0]
        return float(np.round(v / q) * q)
    if s in ("loguniform", "qloguniform"):
        if s == "qloguniform" and q != 1:
            lo, hi = np.ceil(lo / q) * q, np.floor(hi / q) * q
        v = float(base ** rng.uniform(np.log(lo) / np.log(base), np.log(hi) / np.log(base), size=1)[0])
        return float(np.round(v / q) * q) if s == "qloguniform" and q != 1 else v
    if s == "randint":
        return int(rng.integers(lo, hi, size=1)[0])
    if s == "qrandint":
        if q == 1:
            return int(rng.integers(lo, hi, size=1)[0])
        v = rng.integers(np.ceil(lo / q) * q, np.floor(hi / q) * q, size=1)[0]
        return int(np.round(v / q) * q)
    if s in ("lograndint", "qlograndint"):
        if s == "qlograndint" and q != 1:
            lo, hi = np.ceil(lo / q) * q, np.floor(hi / q) * q
        v = np.floor(base ** rng.uniform(np.log(lo) / np.log(base), np.log(hi) / np.log(base), size=1)[0])
        return int(np.round(v / q) * q) if s == "qlograndint" and q != 1 else int(v)
    raise SystemExit("check_hyperopt: space %s not drawn here" % s)


grid = sorted(k for k, p in params.items() if p["space"] == "grid_search")
expected = []
for _ in range(num_samples):
    idx = [0] * len(grid)
    while True:
        t = {}
        for k, v in zip(grid, idx):
            t[k] = params[k]["values"][v]
        for k, p in params.items():
            if k not in t:
                t[k] = draw(p)
        expected.append({k: t[k] for k in params})
        i = 0
        while i < len(grid):
            idx[i] += 1
            if idx[i] < len(params[grid[i]]["values"]):
                break
            idx[i] = 0
            i += 1
        if i == len(grid):
            break

en = "hyperopt"
tdirs = sorted(glob.glob(os.path.join(out, en, "trial_*")))
if len(tdirs) != len(expected):
    sys.exit("check_hyperopt: %d trial directories, Ray's generator makes %d trials" % (len(tdirs), len(expected)))
for i, (d, want) in enumerate(zip(tdirs, expected)):
    if not d.endswith("_%05d" % i):
        sys.exit("check_hyperopt: trial directory %s is not trial %d" % (d, i))
    got = json.load(open(os.path.join(d, "params.json")))
    # log spaces: numpy's own log (SIMD) and libm's may differ in the last bit of the exponent
    close = sorted(got) == sorted(want) and all(
        got[k] == want[k] or (isinstance(want[k], float) and math.isclose(got[k], want[k], rel_tol=1e-13))
        for k in want)
    if not close:
        sys.exit("check_hyperopt: trial %d has parameters %r, Ray's generator draws %r" % (i, got, want))
    print("trial %d: %r" % (i, got))

stats = json.load(open(os.path.join(out, en, "hyperopt_statistics.json")))
if sorted(stats) != ["hyperopt_config", "hyperopt_results"]:
    sys.exit("check_hyperopt: keys %r" % sorted(stats))
hc = stats["hyperopt_config"]
for k in ["executor", "goal", "metric", "output_feature", "parameters", "search_alg", "split"]:
    if k not in hc:
        sys.exit("check_hyperopt: hyperopt_config lacks %s" % k)
res = stats["hyperopt_results"]
goal, metric, of, split = hc["goal"], hc["metric"], hc["output_feature"], hc["split"]
higher = metric in ("accuracy", "accuracy_micro", "roc_auc", "precision", "recall", "specificity",
                    "r2", "hits_at_k", "jaccard", "token_accuracy")
scores = []
for r in res:
    if sorted(r) != ["eval_stats", "metric_score", "parameters", "training_stats"]:
        sys.exit("check_hyperopt: a result has keys %r" % sorted(r))
    curve = r["training_stats"][split][of][metric]
    best = max(curve) if higher else min(curve)
    if r["metric_score"] != best:
        sys.exit("check_hyperopt: metric_score %r is not the best epoch's %s %r" % (r["metric_score"], metric, best))
    if of not in r["eval_stats"] or "combined" not in r["eval_stats"]:
        sys.exit("check_hyperopt: eval_stats lacks %s or combined" % of)
    if not any(sorted(r["parameters"]) == sorted(e) and all(
            r["parameters"][k] == e[k] or (isinstance(e[k], float) and math.isclose(r["parameters"][k], e[k], rel_tol=1e-13))
            for k in e) for e in expected):
        sys.exit("check_hyperopt: result parameters %r are no trial's" % r["parameters"])
    scores.append(r["metric_score"])
if len(res) != len(expected):
    sys.exit("check_hyperopt: %d results for %d trials" % (len(res), len(expected)))
if scores != sorted(scores, reverse=(goal == "maximize")):
    sys.exit("check_hyperopt: results are not best first for goal %s: %r" % (goal, scores))
print("check_hyperopt: %d trials as Ray draws them, best first (%s %s of %s on %s): %s" % (
    len(res), goal, metric, of, split, " ".join("%.6g" % s for s in scores)))
