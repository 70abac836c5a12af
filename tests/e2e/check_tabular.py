#!/usr/bin/python3
"""Checks one tabular `ludwig-c experiment` run against Ludwig 0.10.3: the output files and their
layout, the exact metric keys of training_statistics.json and test_statistics.json per output type,
the prediction columns, and the test metrics recomputed from predictions_parquet.csv and the
dataset's test rows (split == 2); then the test quality against bench/tabular/baselines.json.

Python standard library only (the CI machine installs no numpy); sklearn, when installed, cross-checks
the recomputed ROC AUC and average precision. Does not judge the loss (a mean over evaluation batches)
or root_mean_squared_percentage_error (also a mean of per-batch values): both depend on batching.

Usage: check_tabular.py OUTPUT_DIR DATASET_CSV TABLE BASELINES_JSON [--margin 0.05]
OUTPUT_DIR holds experiment_run/ and ludwig_experiment_report.html; TABLE names the entry of
BASELINES_JSON. Exit status 1 and one FAIL line per problem when anything is wrong.
"""
import argparse
import csv
import json
import math
import os
import struct
import sys

# pandas' default NA strings (pandas.read_csv na_values), which Ludwig's CSV reader inherits
NA_STRINGS = {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
              "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}

# ludwig/modules/metric_modules.py registrations, ludwig/features/base_feature.py _setup_metrics
TRAIN_KEYS = {
    "number": {"loss", "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error", "r2",
               "root_mean_squared_error", "root_mean_squared_percentage_error"},
    "binary": {"loss", "accuracy", "precision", "recall", "roc_auc", "specificity"},
    "category": {"loss", "accuracy", "accuracy_micro", "roc_auc"},
}
# calculate_overall_stats in ludwig/features/{binary,category}_feature.py
TEST_EXTRA = {
    "number": set(),
    "binary": {"confusion_matrix", "overall_stats", "per_class_stats", "roc_curve", "roc_auc_macro",
               "roc_auc_micro", "precision_recall_curve", "average_precision_macro",
               "average_precision_micro", "average_precision_samples"},
    "category": {"confusion_matrix", "overall_stats", "per_class_stats"},
}
# bench/tabular/baselines.json metric that must not be clearly worse, per output type
QUALITY = {"binary": ["accuracy", "roc_auc"], "category": ["accuracy_micro"], "number": ["r2"]}

fails = []
notes = []


def check(cond, msg):
    if not cond:
        fails.append(msg)
    return cond


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def close(got, want, rel, absol=1e-7):
    return abs(got - want) <= absol + rel * abs(want)


def compare(where, name, reported, recomputed, rel, absol=1e-7):
    check(close(reported, recomputed, rel, absol),
          "%s: %s is %r, recomputed from the predictions %r" % (where, name, reported, recomputed))


def load_json(path):
    with open(path) as fh:
        text = fh.read()
    obj = json.loads(text)
    check(json.dumps(obj, sort_keys=True, indent=4) == text,
          "%s is not formatted as Ludwig writes JSON (sort_keys, indent 4)" % path)
    return obj


def auc(scores, labels):
    """Area under the ROC curve (trapezoids, ties as mid-ranks): the Mann-Whitney statistic."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2.0 + 1.0
        i = j + 1
    pos = sum(1 for v in labels if v)
    neg = len(labels) - pos
    if pos == 0 or neg == 0:
        return float("nan")
    rank_sum = sum(r for r, v in zip(ranks, labels) if v)
    return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg)


def average_precision(scores, labels):
    """sklearn's average_precision_score: sum over distinct thresholds of (R_n - R_n-1) * P_n."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    pos = sum(1 for v in labels if v)
    tp = fp = 0
    ap = 0.0
    last_recall = 0.0
    i = 0
    while i < len(order):
        j = i
        while j < len(order) and scores[order[j]] == scores[order[i]]:
            if labels[order[j]]:
                tp += 1
            else:
                fp += 1
            j += 1
        recall = tp / pos
        ap += (recall - last_recall) * (tp / (tp + fp))
        last_recall = recall
        i = j
    return ap


def safe_div(a, b):
    return a / b if b else 0.0


def check_binary(o, name, meta, rows, preds, header, ts, hyper_o):
    bool2str = meta.get("bool2str", ["False", "True"])
    str2bool = meta.get("str2bool")
    true_words = {"true", "1", "1.0", "yes", "y", "t", "on"}
    threshold = hyper_o.get("threshold", 0.5)
    col = {h: i for i, h in enumerate(header)}
    t, p, pred = [], [], []
    for r, row in zip(rows, preds):
        cell = r[name]
        if str2bool is not None:
            if not check(cell in str2bool or cell.strip() in str2bool, "%s: target %r not in str2bool" % (o, cell)):
                return
            t.append(bool(str2bool.get(cell, str2bool.get(cell.strip()))))
        else:
            t.append(cell.strip().lower() in true_words)
        prob = float(row[col[name + "_probabilities_" + bool2str[1]]])
        p.append(prob)
        lst = json.loads(row[col[name + "_probabilities"]])
        check(len(lst) == 2 and close(lst[1], prob, 0, 0) and close(lst[0], 1 - prob, 0, 1e-7),
              "%s: %s_probabilities %r is not [1-p, p] for p %r" % (o, name, lst, prob))
        check(close(float(row[col[name + "_probabilities_" + bool2str[0]]]), 1 - prob, 0, 1e-7),
              "%s: %s_probabilities_%s is not 1 - p" % (o, name, bool2str[0]))
        check(close(float(row[col[name + "_probability"]]), max(prob, 1 - prob), 0, 1e-7),
              "%s: %s_probability is not max(p, 1 - p)" % (o, name))
        label = row[col[name + "_predictions"]]
        check(label in bool2str, "%s: prediction %r is not one of %r" % (o, label, bool2str))
        check(label == bool2str[1 if prob >= threshold else 0],
              "%s: prediction %r disagrees with p %r and threshold %r" % (o, label, prob, threshold))
        pred.append(label == bool2str[1])
    n = len(t)
    s = ts[name]
    # accuracy from the predictions (threshold); precision, recall, specificity from the
    # probabilities with torchmetrics' threshold 0.5 (p > 0.5)
    compare(o, "accuracy", s["accuracy"], sum(1 for a, b in zip(pred, t) if a == b) / n, 1e-6)
    hp = [v > 0.5 for v in p]
    tp = sum(1 for a, b in zip(hp, t) if a and b)
    fp = sum(1 for a, b in zip(hp, t) if a and not b)
    fn = sum(1 for a, b in zip(hp, t) if not a and b)
    tn = n - tp - fp - fn
    compare(o, "precision", s["precision"], safe_div(tp, tp + fp), 1e-6)
    compare(o, "recall", s["recall"], safe_div(tp, tp + fn), 1e-6)
    compare(o, "specificity", s["specificity"], safe_div(tn, tn + fp), 1e-6)
    a = auc(p, t)
    compare(o, "roc_auc", s["roc_auc"], a, 1e-6)
    # sklearn-computed (double) statistics of test_statistics.json
    compare(o, "roc_auc_macro", s["roc_auc_macro"], a, 1e-9, 1e-12)
    compare(o, "roc_auc_micro", s["roc_auc_micro"], a, 1e-9, 1e-12)
    ap = average_precision(p, t)
    for k in ("average_precision_macro", "average_precision_micro", "average_precision_samples"):
        compare(o, k, s[k], ap, 1e-9, 1e-12)
    ptp = sum(1 for a, b in zip(pred, t) if a and b)
    pfp = sum(1 for a, b in zip(pred, t) if a and not b)
    pfn = sum(1 for a, b in zip(pred, t) if not a and b)
    cm = [[n - ptp - pfp - pfn, pfp], [pfn, ptp]]
    check(s["confusion_matrix"] == cm, "%s: confusion_matrix %r, recomputed %r (rows true False/True, "
          "columns predicted)" % (o, s["confusion_matrix"], cm))
    check(sorted(s["per_class_stats"]) == ["False", "True"], "%s: per_class_stats keys %r, Ludwig's are "
          "['False', 'True']" % (o, sorted(s["per_class_stats"])))
    check(sorted(s["roc_curve"]) == ["false_positive_rate", "true_positive_rate"], "%s: roc_curve keys" % o)
    check(sorted(s["precision_recall_curve"]) == ["precisions", "recalls"], "%s: precision_recall_curve keys" % o)
    try:
        from sklearn.metrics import average_precision_score, roc_auc_score
        check(close(roc_auc_score(t, p), a, 1e-12), "%s: this script's roc_auc disagrees with sklearn" % o)
        check(close(average_precision_score(t, p), ap, 1e-12), "%s: this script's average precision "
              "disagrees with sklearn" % o)
    except ImportError:
        pass
    return {"accuracy": s["accuracy"], "roc_auc": s["roc_auc"]}


def check_category(o, name, meta, rows, preds, header, ts):
    idx2str = meta["idx2str"]
    str2idx = meta["str2idx"]
    C = len(idx2str)
    col = {h: i for i, h in enumerate(header)}
    t, pred, probs = [], [], []
    for r, row in zip(rows, preds):
        cell = r[name]
        if not check(cell in str2idx, "%s: target %r not in the vocabulary" % (o, cell)):
            return
        t.append(str2idx[cell])
        pr = [float(row[col[name + "_probabilities_" + c]]) for c in idx2str]
        probs.append(pr)
        lst = json.loads(row[col[name + "_probabilities"]])
        check(lst == pr, "%s: %s_probabilities %r differs from the per-class columns %r" % (o, name, lst, pr))
        check(abs(sum(pr) - 1.0) < 1e-5, "%s: probabilities sum to %r" % (o, sum(pr)))
        check(float(row[col[name + "_probability"]]) == max(pr), "%s: %s_probability is not the max" % (o, name))
        label = row[col[name + "_predictions"]]
        check(label == idx2str[pr.index(max(pr))], "%s: prediction %r is not the argmax" % (o, label))
        pred.append(str2idx.get(label, -1))
    n = len(t)
    s = ts[name]
    compare(o, "accuracy_micro", s["accuracy_micro"], sum(1 for a, b in zip(pred, t) if a == b) / n, 1e-6)
    # torchmetrics MulticlassAccuracy(average="macro"): per-class recall, averaged over the classes
    # that occur among targets or predictions
    recalls = []
    for c in range(C):
        tp = sum(1 for a, b in zip(pred, t) if a == c and b == c)
        fn = sum(1 for a, b in zip(pred, t) if a != c and b == c)
        fp = sum(1 for a, b in zip(pred, t) if a == c and b != c)
        if tp + fn + fp:
            recalls.append(safe_div(tp, tp + fn))
    compare(o, "accuracy (macro)", s["accuracy"], sum(recalls) / len(recalls), 1e-6)
    # MulticlassAUROC(average="macro"): one-vs-rest AUC per class, classes without positives left out
    aucs = [auc([pr[c] for pr in probs], [b == c for b in t]) for c in range(C)]
    aucs = [v for v in aucs if not math.isnan(v)]
    compare(o, "roc_auc", s["roc_auc"], sum(aucs) / len(aucs), 1e-6)
    cm = [[sum(1 for a, b in zip(pred, t) if b == i and a == j) for j in range(C)] for i in range(C)]
    check(s["confusion_matrix"] == cm, "%s: confusion_matrix %r, recomputed %r" % (o, s["confusion_matrix"], cm))
    check(sorted(s["per_class_stats"]) == sorted(idx2str), "%s: per_class_stats keys %r, vocabulary %r"
          % (o, sorted(s["per_class_stats"]), sorted(idx2str)))
    return {"accuracy_micro": s["accuracy_micro"]}


def check_number(o, name, meta, rows, preds, header, ts, hyper_o):
    norm = (hyper_o.get("preprocessing") or {}).get("normalization")
    if norm is None:
        scale = (0.0, 1.0)
    elif norm == "zscore":
        scale = (meta["mean"], meta["std"])
    elif norm == "minmax":
        scale = (meta["min"], meta["max"] - meta["min"])
    else:
        scale = None
    col = header.index(name + "_predictions")
    t = [f32(float(r[name])) for r in rows]
    p = [float(row[col]) for row in preds]
    s = ts[name]
    # r2 is unchanged by an affine rescaling: compare it whatever the normalization
    n = len(t)
    mean_t = sum(t) / n
    tss = sum((v - mean_t) ** 2 for v in t)
    rss = sum((a - b) ** 2 for a, b in zip(p, t))
    r2 = 1 - rss / tss
    # predictions are denormalised float32: on a normalised scale they carry that rounding
    rel = 1e-6 if norm is None else 1e-5
    compare(o, "r2", s["r2"], r2, rel, 1e-6)
    if scale is None:
        notes.append("%s: normalization %r: error metrics not recomputed (only r2, which is scale-free)" % (o, norm))
        return {"r2": s["r2"]}
    sub, div = scale
    tn = [(v - sub) / div for v in t]
    pn = [(v - sub) / div for v in p]
    mse = sum((a - b) ** 2 for a, b in zip(pn, tn)) / n
    mae = sum(abs(a - b) for a, b in zip(pn, tn)) / n
    # torchmetrics MeanAbsolutePercentageError: |p - t| / max(|t|, 1.17e-06)
    mape = sum(abs(a - b) / max(abs(b), 1.17e-06) for a, b in zip(pn, tn)) / n
    compare(o, "mean_squared_error", s["mean_squared_error"], mse, rel)
    compare(o, "root_mean_squared_error", s["root_mean_squared_error"], math.sqrt(mse), rel)
    compare(o, "mean_absolute_error", s["mean_absolute_error"], mae, rel)
    # a normalised target near 0 magnifies the float32 rounding of its prediction in the percentage
    compare(o, "mean_absolute_percentage_error", s["mean_absolute_percentage_error"], mape,
            rel if norm is None else 1e-4)
    if norm is not None:
        notes.append("%s: %s-normalised output: metrics compared on the normalised scale" % (o, norm))
    return {"r2": s["r2"], "mean_squared_error": s["mean_squared_error"] if norm is None else None}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("output_dir")
    ap.add_argument("dataset")
    ap.add_argument("table")
    ap.add_argument("baselines")
    ap.add_argument("--margin", type=float, default=0.05)
    args = ap.parse_args()
    run = os.path.join(args.output_dir, "experiment_run")

    names = ["description.json", "training_statistics.json", "test_statistics.json", "predictions_parquet.csv",
             "predictions.shapes.json", "model/model_hyperparameters.json", "model/training_set_metadata.json",
             "model/training_progress.json", "model/model_weights"]
    for f in names:
        check(os.path.isfile(os.path.join(run, f)), "missing experiment_run/" + f)
    report = os.path.join(args.output_dir, "ludwig_experiment_report.html")
    if check(os.path.isfile(report), "missing ludwig_experiment_report.html"):
        with open(report) as fh:
            check("Ludwig Experiment" in fh.read(), "the report lacks 'Ludwig Experiment'")
    if fails:
        return finish(args.table)
    check(os.path.getsize(os.path.join(run, "model/model_weights")) > 0, "model_weights is empty")

    tr = load_json(os.path.join(run, "training_statistics.json"))
    ts = load_json(os.path.join(run, "test_statistics.json"))
    hyper = load_json(os.path.join(run, "model/model_hyperparameters.json"))
    meta = load_json(os.path.join(run, "model/training_set_metadata.json"))
    prog = load_json(os.path.join(run, "model/training_progress.json"))
    load_json(os.path.join(run, "description.json"))
    check(load_json(os.path.join(run, "predictions.shapes.json")) == {}, "predictions.shapes.json is not {}")

    outs = hyper["output_features"]
    onames = [o["name"] for o in outs]
    # exact metric keys, per split and per output type
    check(set(tr) == {"evaluation_frequency", "training", "validation", "test"},
          "training_statistics.json top-level keys %r" % sorted(tr))
    epochs = prog["epoch"]
    want_keys = {}
    for o in outs:
        keys = set(TRAIN_KEYS[o["type"]])
        if o["type"] == "category" and o["num_classes"] > o["top_k"]:
            keys.add("hits_at_k")
        want_keys[o["name"]] = keys
    for split in ("training", "validation", "test"):
        st = tr.get(split, {})
        check(set(st) == set(onames) | {"combined"}, "training_statistics.json %s: keys %r" % (split, sorted(st)))
        check(set(st.get("combined", {})) == {"loss"}, "training_statistics.json %s.combined keys" % split)
        for o in onames:
            got = set(st.get(o, {}))
            check(got == want_keys[o], "training_statistics.json %s.%s keys %r, Ludwig 0.10.3 has %r"
                  % (split, o, sorted(got), sorted(want_keys[o])))
            for k, v in st.get(o, {}).items():
                check(len(v) == epochs, "training_statistics.json %s.%s.%s has %d values for %d epochs"
                      % (split, o, k, len(v), epochs))
                check(all(isinstance(x, float) and math.isfinite(x) for x in v),
                      "training_statistics.json %s.%s.%s: non-finite or non-float value" % (split, o, k))
    check(set(ts) == set(onames) | {"combined"}, "test_statistics.json top-level keys %r" % sorted(ts))
    check(set(ts.get("combined", {})) == {"loss"}, "test_statistics.json combined keys")
    for o in outs:
        want = want_keys[o["name"]] | TEST_EXTRA[o["type"]]
        got = set(ts.get(o["name"], {}))
        check(got == want, "test_statistics.json %s keys: missing %r, extra %r"
              % (o["name"], sorted(want - got), sorted(got - want)))
    if fails:
        return finish(args.table)
    # the kept model's test metrics are the test split's figures at the best epoch
    best = prog["best_eval_metric_epoch"]
    for o in onames:
        for k in want_keys[o]:
            if k != "loss":
                compare("test_statistics.json vs training_statistics.json test, epoch %d" % best, o + "." + k,
                        ts[o][k], tr["test"][o][k][best - 1], 1e-6)

    # prediction columns, in output order, as Ludwig's postprocess_predictions names them
    want_header = []
    for o in outs:
        n, m = o["name"], meta[o["name"]]
        if o["type"] == "number":
            want_header += [n + "_predictions"]
        elif o["type"] == "binary":
            b2s = m.get("bool2str", ["False", "True"])
            want_header += [n + "_predictions", n + "_probabilities", n + "_probabilities_" + b2s[0],
                            n + "_probabilities_" + b2s[1], n + "_probability"]
        else:
            want_header += [n + "_predictions", n + "_probabilities", n + "_probability"]
            want_header += [n + "_probabilities_" + c for c in m["idx2str"]]
    with open(os.path.join(run, "predictions_parquet.csv"), newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        preds = list(reader)
    if not check(header == want_header, "predictions_parquet.csv header %r, Ludwig's %r" % (header, want_header)):
        return finish(args.table)

    # test rows as Ludwig keeps them: rows missing an output value are dropped (drop_row)
    with open(args.dataset, newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["split"].strip() == "2"]
    cols = [o["column"] for o in outs]
    dropped = [r for r in rows if any(r[c] in NA_STRINGS for c in cols)]
    rows = [r for r in rows if not any(r[c] in NA_STRINGS for c in cols)]
    if dropped:
        notes.append("%d test row(s) miss an output value and are dropped, as Ludwig does" % len(dropped))
    if not check(len(preds) == len(rows), "predictions_parquet.csv has %d rows, the test split %d"
                 % (len(preds), len(rows))):
        return finish(args.table)

    achieved = {}
    for o in outs:
        where = "test_statistics.json " + o["name"]
        if o["type"] == "binary":
            achieved[o["name"]] = check_binary(where, o["name"], meta[o["name"]], rows, preds, header, ts, o)
        elif o["type"] == "category":
            achieved[o["name"]] = check_category(where, o["name"], meta[o["name"]], rows, preds, header, ts)
        else:
            achieved[o["name"]] = check_number(where, o["name"], meta[o["name"]], rows, preds, header, ts, o)

    # quality against the classical baselines on the same split
    with open(args.baselines) as fh:
        base = json.load(fh)[args.table]["outputs"]
    for o in outs:
        models = base[o["name"]]["models"]
        for k in QUALITY[o["type"]]:
            got = (achieved.get(o["name"]) or {}).get(k)
            if got is None:
                continue
            best_model = max(models, key=lambda m: models[m][k])
            best_v = models[best_model][k]
            check(got >= best_v - args.margin, "%s %s %.4f is more than %.2f below the best baseline (%s %.4f)"
                  % (o["name"], k, got, args.margin, best_model, best_v))
            print("%s %s %s %.4f (best baseline %s %.4f)" % (args.table, o["name"], k, got, best_model, best_v))
    return finish(args.table, len(rows))


def finish(table, nrows=None):
    for m in notes:
        print("note: " + m)
    if fails:
        print("\n".join("FAIL: %s: %s" % (table, m) for m in fails))
        return 1
    print("%s: outputs ok, %d test rows, metrics recomputed" % (table, nrows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
