#!/usr/bin/python3
"""Structural checks of ludwig_experiment_report.html against the files of the same run.

usage: check_report.py REPORT.html RUN_DIR [DATASET.csv]
  RUN_DIR holds test_statistics.json, training_statistics.json, predictions_parquet.csv and
  model/; DATASET (the experiment's CSV with a fixed split column) adds the checks that need the
  targets of the evaluated rows.

Checks: title and h1; the sections in order (run summary, combined loss, one per output feature
in config order titled "name (type)") and Ludwig's plot names as headings; every test metric and
overall_stats value (exact JSON value in the cell's title, the shown text rounded from it); the
combined loss; the per-epoch learning-curve tables equal training_statistics.json, per output.
Category outputs: the per-class table; the confusion matrix counts and its row-normalised view;
the confusion-matrix entropy ranking recomputed as Ludwig's visualize computes it; F1 vs
frequency order and values; the gallery holds only wrong predictions, most confident first,
matching predictions_parquet.csv. Binary outputs: the confusion matrix, the curve areas; the
calibration bins (rows and mean probability from predictions_parquet.csv, the observed share from
the dataset) and the threshold table (predicted-true counts from the predictions, every count
with the dataset, the feature threshold's row equal to the confusion matrix, the rates from the
counts). Number outputs: MAE / RMSE / R2; the residual histogram (rows from the predictions;
edges and counts recomputed as numpy.histogram with the dataset). No external reference (every
src/href is a data: URI or a #fragment); page weight under 1.5 MB. Standard library only.
Exits 1 with one line per failure.
"""
import csv
import json
import math
import os
import struct
import sys
from html.parser import HTMLParser

FAILS = []


def check(cond, msg):
    if not cond:
        FAILS.append(msg)
    return cond


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children = []

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self, tag=None):
        for c in self.children:
            if isinstance(c, Node):
                if tag is None or c.tag == tag:
                    yield c
                yield from c.iter(tag)


VOID = {"meta", "link", "img", "br", "hr", "input", "col", "area", "base", "source"}


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is not self.root:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(html):
    b = TreeBuilder()
    b.feed(html)
    b.close()
    return b.root


def rows(table):
    """Rows of a table as lists of cell nodes (th and td)."""
    out = []
    for tr in table.iter("tr"):
        out.append([c for c in tr.children if isinstance(c, Node) and c.tag in ("td", "th")])
    return out


def table_after(root, heading_text, cls=None):
    """The first table (of class cls) after the heading whose text is heading_text."""
    seen = False
    for n in root.iter():
        if n.tag in ("h2", "h3", "h4") and n.text().strip() == heading_text:
            seen = True
        elif seen and n.tag == "table" and (cls is None or cls in n.attrs.get("class", "").split()):
            return n
    return None


def shown(v, decimals=4):
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return f"{v:.{decimals}f}"
    return str(v)


def same_number(cell, v, what, decimals=4):
    """A cell shows v rounded (floats) with the exact value in title, or the integer itself."""
    t = cell.text().strip()
    if isinstance(v, bool):
        return check(t == ("yes" if v else "no"), f"{what}: shows {t!r}, JSON has {v!r}")
    if isinstance(v, int):
        return check(t == str(v), f"{what}: shows {t!r}, JSON has {v}")
    title = cell.attrs.get("title")
    ok = check(title is not None, f"{what}: no exact value in title")
    if ok:
        x = float(title)
        ok = check(x == v or (math.isnan(x) and math.isnan(v)),
                   f"{what}: title {title} != JSON {v!r}")
    return check(t == shown(v, decimals), f"{what}: shows {t!r}, expected {shown(v, decimals)!r}") and ok




def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def by_id(root, ident):
    for n in root.iter():
        if n.attrs.get("id") == ident:
            return n
    return None


def pyrepr_equal(cell, v, what, tol=0.0):
    """A derived number: its title is the double's repr (exact, or within tol relative)."""
    title = cell.attrs.get("title")
    if not check(title is not None, f"{what}: no exact value in title"):
        return False
    x = float(title)
    ok = x == v if tol == 0 else abs(x - v) <= tol * max(1.0, abs(v))
    return check(ok, f"{what}: title {title} != {v!r}")


def metrics_table(sec, heading, groups, what):
    """The metrics table after heading: each group row names an object of groups; every scalar of
    those objects appears once with its exact value."""
    t = table_after(sec, heading, "metrics")
    if not check(t is not None, f"{what}: no metrics table after {heading!r}"):
        return
    group, seen = None, 0
    for r in rows(t):
        if len(r) == 1:
            group = r[0].text().strip()
            continue
        if group is None or len(r) != 3 or r[0].tag != "th":
            continue
        name = r[0].text().strip()
        if not check(group in groups and name in groups[group], f"{what}: unexpected {group}.{name}"):
            continue
        same_number(r[1], groups[group][name], f"test metric {group}.{name}")
        seen += 1
    expect = sum(1 for g in groups.values() for v in g.values() if not isinstance(v, (dict, list)))
    check(seen == expect, f"{what}: metrics table has {seen} values, JSON has {expect}")


def learning_table(sec, tr, f, splits):
    t = table_after(sec, f"{f} per epoch", "epochs")
    if not check(t is not None, f"no per-epoch table for {f}"):
        return
    body = rows(t)[2:]
    metrics = list(tr["training"][f].keys())
    n_ep = len(tr["training"][f][metrics[0]])
    check(len(body) == n_ep, f"{f} per epoch: {len(body)} rows for {n_ep} epochs")
    h4 = [n.text().strip() for n in sec.iter("h4")]
    for m in metrics:
        check(f"learning_curves_{f}_{m}" in h4, f"heading learning_curves_{f}_{m} missing")
    for ep, r in enumerate(body):
        cells = r[1:]
        j = 0
        for m in metrics:
            for s in splits:
                if m in tr[s].get(f, {}):
                    same_number(cells[j], tr[s][f][m][ep], f"{s}.{f}.{m}[{ep}]")
                    j += 1


def check_category(sec, feat, fs, meta, tr, preds):
    names = meta[feat]["idx2str"]
    freq = [meta[feat]["str2freq"][c] for c in names]
    k = min(10, len(names))
    h4 = [n.text().strip() for n in sec.iter("h4")]
    for u in (f"confusion_matrix__{feat}_top{k}", f"confusion_matrix_entropy__{feat}_top{k}",
              f"frequency_vs_f1__{feat}"):
        check(u in h4, f"heading {u} missing")
    h3 = [n.text().strip() for n in sec.iter("h3")]
    order = ["Test metrics", "Per-class statistics", "Confusion matrix",
             "Confusion-matrix entropy per class", "F1 vs frequency", "Learning curves",
             "Most confidently wrong predictions"]
    check([h for h in h3 if h in order] == order, f"{feat}: subsections {h3}")
    metrics_table(sec, "Test metrics", {feat: fs, f"{feat} overall_stats": fs["overall_stats"]},
                  feat)

    t = table_after(sec, "Per-class statistics", "sortable")
    body = rows(t)[1:]
    check(len(body) == len(names), f"per-class table has {len(body)} rows for {len(names)} classes")
    for r, c in zip(body, names):
        st = fs["per_class_stats"][c]
        check(r[0].text() == c, f"per-class row {r[0].text()!r} != class {c!r}")
        check(r[1].text() == str(st["true_positives"] + st["false_negatives"]), f"support of {c}")
        for cell, key in zip(r[2:9], ("precision", "recall", "f1_score", "specificity",
                                      "true_positives", "false_positives", "false_negatives")):
            same_number(cell, st[key], f"per_class_stats[{c}].{key}")
        check(r[9].text() == str(meta[feat]["str2freq"][c]), f"frequency of {c}")

    cm = fs["confusion_matrix"]
    t = table_after(sec, f"confusion_matrix__{feat}_top{k}", "cm")
    body = rows(t)
    check([c.text() for c in body[0][1:]] == names[:k], "confusion matrix column labels")
    for i in range(k):
        check(body[i + 1][0].text() == names[i], f"confusion matrix row label {i}")
        got = [c.text() for c in body[i + 1][1:]]
        check(got == [str(x) for x in cm[i][:k]], f"confusion matrix row {names[i]}: {got} != {cm[i][:k]}")
    t = table_after(sec, f"confusion_matrix__{feat}_top{k} (row-normalised)", "cm")
    for i in range(k):
        s = sum(cm[i][:k])
        want = []
        for x in cm[i][:k]:
            z = x / s if s else 0.0
            want.append(f"{z:.0f}" if float(z).is_integer() else f"{z:.3f}")
        got = [c.text() for c in rows(t)[i + 1][1:]]
        check(got == want, f"normalised row {names[i]}: {got} != {want}")

    # entropy of each row of the top-k matrix (scipy.stats.entropy, natural log), ranked as
    # numpy's argsort(...)[::-1] ranks them
    ent = []
    for i in range(k):
        s = sum(cm[i][:k])
        ent.append(0.0 - sum((x / s) * math.log(x / s) for x in cm[i][:k] if x > 0) if s else 0.0)
    order = sorted(range(k), key=lambda i: (ent[i], i))[::-1]
    t = table_after(sec, f"confusion_matrix_entropy__{feat}_top{k}", "entropy")
    body = rows(t)[1:]
    check([r[1].text() for r in body] == [names[i] for i in order],
          f"entropy ranking {[r[1].text() for r in body]} != {[names[i] for i in order]}")
    for r, i in zip(body, order):
        check(abs(float(r[2].attrs["title"]) - ent[i]) <= 1e-12, f"entropy of {names[i]}")
        check(r[2].text() == f"{ent[i]:.4f}", f"entropy of {names[i]} shown {r[2].text()}")

    # F1 vs frequency: classes sorted by float32 F1, descending as argsort()[::-1]
    f1 = [f32(fs["per_class_stats"][c]["f1_score"]) for c in names]
    f1 = [0.0 if math.isnan(x) else x for x in f1]
    order = sorted(range(len(names)), key=lambda i: (f1[i], i))[::-1]
    t = table_after(sec, f"frequency_vs_f1__{feat}", "f1freq")
    body = rows(t)[1:]
    check([r[0].text() for r in body] == [names[i] for i in order], "F1 vs frequency order")
    for r, i in zip(body, order):
        same_number(r[1], fs["per_class_stats"][names[i]]["f1_score"], f"F1 of {names[i]}")
        check(r[2].text() == str(freq[i]), f"frequency of {names[i]}")

    # gallery: wrong predictions only, most confident first, as predictions_parquet.csv says
    cards = [n for n in sec.iter("div") if n.attrs.get("class") == "card"]
    if preds is not None:
        n_wrong = sum(map(sum, cm)) - sum(cm[i][i] for i in range(len(cm)))
        check(len(cards) == min(24, n_wrong), f"gallery has {len(cards)} cards, {n_wrong} rows are wrong")
        probs = []
        for c in cards:
            b = [x.text() for x in c.iter("b")]
            check(len(b) == 2 and b[0] != b[1], f"gallery card is not a wrong prediction: {b}")
            p = [x for x in c.iter("div") if x.text().startswith("p = ")]
            if check(len(p) == 1, "gallery card without probability"):
                probs.append(float(p[0].attrs["title"]))
            img = list(c.iter("img"))
            if IMAGES:
                check(len(img) == 1 and img[0].attrs.get("src", "").startswith("data:image/png;base64,"),
                      "gallery card without an inline PNG")
        check(probs == sorted(probs, reverse=True), "gallery not sorted by confidence")
        pmax = sorted((float(p[f"{feat}_probability"]) for p in preds), reverse=True)
        for pr in probs:
            check(any(abs(pr - x) < 1e-7 for x in pmax), f"gallery probability {pr} not in predictions")
    return len(cards)


def check_binary(sec, feat, fs, meta, hyper, preds, targets):
    h3 = [n.text().strip() for n in sec.iter("h3")]
    order = ["Test metrics", "Confusion matrix", "ROC and precision-recall curves",
             "Calibration (reliability)", "Threshold table", "Learning curves"]
    want = [h for h in order if h not in ("Calibration (reliability)", "Threshold table") or preds]
    check([h for h in h3 if h in order] == want, f"{feat}: subsections {h3}")
    h4 = [n.text().strip() for n in sec.iter("h4")]
    for u in (f"confusion_matrix__{feat}_top2", "roc_curves_from_prediction_statistics",
              "precision_recall_curves_from_prediction_statistics"):
        check(u in h4, f"{feat}: heading {u} missing")
    metrics_table(sec, "Test metrics", {feat: fs, f"{feat} overall_stats": fs["overall_stats"]},
                  feat)
    cm = fs["confusion_matrix"]
    labels = meta[feat].get("bool2str", ["False", "True"])
    t = table_after(sec, f"confusion_matrix__{feat}_top2", "cm")
    body = rows(t)
    check([c.text() for c in body[0][1:]] == labels, f"{feat}: confusion matrix labels")
    for i in range(2):
        check([c.text() for c in body[i + 1][1:]] == [str(x) for x in cm[i]],
              f"{feat}: confusion matrix row {i}")
    t = table_after(sec, "ROC and precision-recall curves", "curves")
    got = {r[0].text().strip(): r[1] for r in rows(t)}
    for key in ("roc_auc_macro", "roc_auc", "average_precision_macro"):
        if check(key in got, f"{feat}: curve table lacks {key}"):
            same_number(got[key], fs[key], f"{feat}.{key}")
    if not preds:
        return
    p = [float(r[f"{feat}_probabilities_{labels[1]}"]) for r in preds]
    n = len(p)
    # calibration: sklearn's uniform bins over the probabilities as written in the CSV
    edges = [k * 0.1 for k in range(11)]
    bins = [sum(1 for e in edges[1:-1] if e < x) for x in p]
    t = table_after(sec, "Calibration (reliability)", "calibration")
    body = rows(t)[1:]
    check(len(body) == 10, f"{feat}: calibration has {len(body)} bins")
    for b, r in enumerate(body):
        members = [i for i in range(n) if bins[i] == b]
        check(r[2].text() == str(len(members)), f"{feat}: calibration bin {b + 1} rows {r[2].text()} != {len(members)}")
        if members:
            mean = 0.0
            for i in members:
                mean += p[i]
            pyrepr_equal(r[3], mean / len(members), f"{feat}: calibration bin {b + 1} mean", 1e-12)
            if targets is not None:
                pos = sum(targets[i] for i in members)
                pyrepr_equal(r[4], pos / len(members), f"{feat}: calibration bin {b + 1} share")
    # threshold table
    t = table_after(sec, "Threshold table", "thresholds")
    body = rows(t)[1:]
    check(len(body) == 9, f"{feat}: threshold table has {len(body)} rows")
    thr = hyper.get("threshold", 0.5)
    for k, r in enumerate(body, 1):
        tt = k / 10
        label = r[0].text().strip()
        check(label.startswith(f"{tt:.1f}"), f"{feat}: threshold row {label}")
        tp, fp, fn, tn = (int(c.text()) for c in r[1:5])
        check(tp + fp == sum(1 for x in p if x >= tt), f"{feat}: predicted true at {tt}")
        check(tp + fp + fn + tn == n, f"{feat}: threshold {tt} counts {tp + fp + fn + tn} rows of {n}")
        if targets is not None:
            want = (sum(1 for x, y in zip(p, targets) if x >= tt and y),
                    sum(1 for x, y in zip(p, targets) if x >= tt and not y),
                    sum(1 for x, y in zip(p, targets) if x < tt and y),
                    sum(1 for x, y in zip(p, targets) if x < tt and not y))
            check((tp, fp, fn, tn) == want, f"{feat}: counts at {tt} {(tp, fp, fn, tn)} != {want}")
        if abs(tt - thr) < 1e-12:
            check("feature threshold" in label, f"{feat}: row {tt} not marked as the threshold")
            check((tp, fp, fn, tn) == (cm[1][1], cm[0][1], cm[1][0], cm[0][0]),
                  f"{feat}: counts at the threshold differ from the confusion matrix")
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        for cell, v, nm in zip(r[5:9], ((tp + tn) / n, prec, rec, f1),
                               ("accuracy", "precision", "recall", "F1")):
            pyrepr_equal(cell, v, f"{feat}: {nm} at {tt}")
            check(cell.text() == f"{v:.4f}", f"{feat}: {nm} at {tt} shows {cell.text()}")


def np_histogram(v, nb):
    """numpy.histogram(v, bins=nb) for finite v, as lib/report/rowstats.c documents it."""
    lo, hi = (min(v), max(v)) if v else (0.0, 1.0)
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    step = (hi - lo) / nb
    edges = [k * step + lo for k in range(nb)] + [hi]
    norm = nb / (hi - lo)
    counts = [0] * nb
    for x in v:
        b = int((x - lo) * norm)
        if b == nb:
            b -= 1
        if x < edges[b]:
            b -= 1
        if b != nb - 1 and x >= edges[b + 1]:
            b += 1
        counts[b] += 1
    return edges, counts


def check_number(sec, feat, fs, hyper, preds, targets):
    h3 = [n.text().strip() for n in sec.iter("h3")]
    order = ["Test metrics", "Predictions and residuals", "Learning curves"]
    want = [h for h in order if h != "Predictions and residuals" or preds]
    check([h for h in h3 if h in order] == want, f"{feat}: subsections {h3}")
    t = next((x for x in sec.iter("table") if "headline" in x.attrs.get("class", "")), None)
    if check(t is not None, f"{feat}: no MAE / RMSE / R2 table"):
        got = {r[0].text().strip(): r[1] for r in rows(t)}
        for label, key in (("MAE", "mean_absolute_error"), ("RMSE", "root_mean_squared_error"),
                           ("R2", "r2")):
            if check(f"{label} ({key})" in got, f"{feat}: headline lacks {label}"):
                same_number(got[f"{label} ({key})"], fs[key], f"{feat}.{key}")
    metrics_table(sec, "Test metrics", {feat: fs}, feat)
    if not preds:
        return
    h4 = [n.text().strip() for n in sec.iter("h4")]
    for u in (f"predicted_vs_true__{feat}", f"residuals__{feat}", f"residual_histogram__{feat}"):
        check(u in h4, f"{feat}: heading {u} missing")
    pv = [float(r[f"{feat}_predictions"]) for r in preds]
    t = table_after(sec, f"residual_histogram__{feat}", "histogram")
    body = rows(t)[1:]
    counts = [int(r[2].text()) for r in body]
    check(sum(counts) == len(pv), f"{feat}: histogram counts {sum(counts)} rows of {len(pv)}")
    nb = min(30, max(5, math.ceil(math.sqrt(len(pv)))))
    check(len(body) == nb, f"{feat}: {len(body)} histogram bins, expected {nb}")
    if targets is not None and len(body) == nb:
        # exact when the column is not normalised (targets are float32 of the CSV values)
        exact = hyper.get("preprocessing", {}).get("normalization") is None
        res = [f32(y) - x for y, x in zip(targets, pv)]
        edges, want = np_histogram(res, nb)
        for b, r in enumerate(body):
            pyrepr_equal(r[0], edges[b], f"{feat}: histogram edge {b}", 0 if exact else 1e-6)
            pyrepr_equal(r[1], edges[b + 1], f"{feat}: histogram edge {b + 1}", 0 if exact else 1e-6)
        if exact:
            check(counts == want, f"{feat}: histogram counts {counts} != {want}")


def read_targets(dataset, hyper, meta, n_pred):
    """Targets of the test split (split column == 2) for every output, in row order."""
    split = hyper.get("preprocessing", {}).get("split", {})
    col = split.get("column", "split")
    with open(dataset, newline="") as fh:
        data = [r for r in csv.DictReader(fh) if r.get(col) == "2"]
    if not check(len(data) == n_pred, f"dataset has {len(data)} test rows, predictions {n_pred}"):
        return {}
    out = {}
    for f in hyper["output_features"]:
        c = f.get("column", f["name"])
        if f["type"] == "binary":
            s2b = meta[f["name"]].get("str2bool")
            out[f["name"]] = [bool(s2b[r[c]]) if s2b else r[c].lower() in ("1", "true", "yes")
                              for r in data]
        elif f["type"] == "number":
            out[f["name"]] = [float(r[c]) for r in data]
    return out


IMAGES = False


def main():
    global IMAGES
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    path, run = sys.argv[1], sys.argv[2]
    html = open(path, encoding="utf-8").read()
    size = os.path.getsize(path)
    check(size < 1.5e6, f"page weight {size} bytes >= 1.5 MB")
    root = parse(html)
    ts = json.load(open(os.path.join(run, "test_statistics.json")))
    tr = json.load(open(os.path.join(run, "training_statistics.json")))
    meta = json.load(open(os.path.join(run, "model", "training_set_metadata.json")))
    hyper = json.load(open(os.path.join(run, "model", "model_hyperparameters.json")))
    outs = [(f["name"], f["type"]) for f in hyper["output_features"]]
    IMAGES = any(f["type"] == "image" for f in hyper["input_features"][:1])
    pred_path = os.path.join(run, "predictions_parquet.csv")
    preds = None
    if os.path.exists(pred_path):
        with open(pred_path, newline="") as fh:
            preds = list(csv.DictReader(fh))
    targets = read_targets(sys.argv[3], hyper, meta, len(preds)) if len(sys.argv) == 4 and preds else {}

    titles = [n.text().strip() for n in root.iter("title")]
    check(titles == ["Ludwig Experiment"], f"<title> is {titles}")
    h1 = [n.text().strip() for n in root.iter("h1")]
    check(h1 == ["Ludwig Experiment"], f"<h1> is {h1}")

    # self-contained: nothing fetched from anywhere
    for n in root.iter():
        for a in ("src", "href"):
            v = n.attrs.get(a)
            if v is not None:
                check(v.startswith("data:") or v.startswith("#"),
                      f"<{n.tag} {a}={v[:60]!r}> refers outside the page")

    h2 = [n.text().strip() for n in root.iter("h2")]
    want = ["Run summary", "Combined loss"] + [f"{f} ({t})" for f, t in outs]
    check(h2 == want, f"sections {h2} != {want}")

    # run summary
    summ = {r[0].text().strip(): r[1].text().strip()
            for r in rows(table_after(root, "Run summary")) if len(r) == 2}
    for key in ("training rows", "validation rows", "test rows", "epochs run",
                "best epoch", "early stopped", "random seed", "threads", "wall time (s)",
                "ludwig-c version"):
        check(key in summ, f"run summary lacks {key!r}")
    if len(outs) == 1 and outs[0][1] == "category":
        names = meta[outs[0][0]]["idx2str"]
        check(summ.get("classes") == str(len(names)), f"run summary classes {summ.get('classes')}")
    check(summ.get("epochs run") == str(len(tr["training"]["combined"]["loss"])),
          "run summary epochs run differs from training_statistics.json")

    splits = [s for s in ("training", "validation", "test") if s in tr]
    comb = by_id(root, "combined")
    if check(comb is not None, "no combined section"):
        metrics_table(comb, "Combined loss", {"combined": ts["combined"]}, "combined")
        check("learning_curves_combined_loss" in [n.text().strip() for n in comb.iter("h4")],
              "heading learning_curves_combined_loss missing")
        learning_table(comb, tr, "combined", splits)
    n_img = sum(1 for n in root.iter("img") if "chart" in n.attrs.get("class", ""))
    n_metrics = sum(len(v) for v in tr["training"].values())
    check(n_img >= n_metrics, f"{n_img} charts for {n_metrics} learning curves")

    cards = 0
    for k, (feat, typ) in enumerate(outs):
        sec = by_id(root, f"o{k}")
        if not check(sec is not None, f"no section o{k} for {feat}"):
            continue
        fs = ts[feat]
        fh = hyper["output_features"][k]
        if typ == "category":
            cards += check_category(sec, feat, fs, meta, tr, preds)
        elif typ == "binary":
            check_binary(sec, feat, fs, meta, fh, preds, targets.get(feat))
        elif typ == "number":
            check_number(sec, feat, fs, fh, preds, targets.get(feat))
        learning_table(sec, tr, feat, splits)

    if FAILS:
        for f in FAILS:
            print(f"check_report: {f}", file=sys.stderr)
        sys.exit(1)
    print(f"check_report: ok ({size} bytes, {len(outs)} output(s), {len(h2)} sections, "
          f"{cards} gallery cards{', targets checked' if targets else ''})")


if __name__ == "__main__":
    main()
