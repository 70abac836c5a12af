#!/usr/bin/python3
"""Structural checks of ludwig_experiment_report.html against the JSON files of the same run.

usage: check_report.py REPORT.html RUN_DIR   (RUN_DIR holds test_statistics.json, ...)

Checks: title and h1; the sections and Ludwig's plot names as headings; every test metric and
overall_stats value (exact JSON value in the cell's title, the shown text rounded from it); the
per-class table; the confusion matrix counts and its row-normalised view; the confusion-matrix
entropy ranking recomputed as Ludwig's visualize computes it; F1 vs frequency order and values;
the per-epoch learning-curve tables equal training_statistics.json; the gallery holds only wrong
predictions, most confident first, matching predictions_parquet.csv; no external reference
(every src/href is a data: URI or a #fragment); page weight under 1.5 MB. Standard library only.
Exits 1 with one line per failure.
"""
import csv
import json
import math
import os
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
        if n.tag in ("h2", "h3") and n.text().strip() == heading_text:
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


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    path, run = sys.argv[1], sys.argv[2]
    html = open(path, encoding="utf-8").read()
    size = os.path.getsize(path)
    check(size < 1.5e6, f"page weight {size} bytes >= 1.5 MB")
    root = parse(html)
    ts = json.load(open(os.path.join(run, "test_statistics.json")))
    tr = json.load(open(os.path.join(run, "training_statistics.json")))
    meta = json.load(open(os.path.join(run, "model", "training_set_metadata.json")))
    feat = [k for k in ts if k != "combined"][0]
    fs = ts[feat]
    names = meta[feat]["idx2str"]
    freq = [meta[feat]["str2freq"][c] for c in names]

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
    for s in ("Run summary", "Test metrics", "Per-class statistics", "Confusion matrix",
              "Confusion-matrix entropy per class", "F1 vs frequency", "Learning curves",
              "Most confidently wrong predictions"):
        check(s in h2, f"section {s!r} missing (h2: {h2})")
    check(h2.index("Run summary") < h2.index("Test metrics") < h2.index("Per-class statistics")
          < h2.index("Confusion matrix") < h2.index("Learning curves")
          < h2.index("Most confidently wrong predictions"), f"sections out of order: {h2}")
    k = min(10, len(names))
    h3 = [n.text().strip() for n in root.iter("h3")]
    upstream = [f"confusion_matrix__{feat}_top{k}", f"confusion_matrix_entropy__{feat}_top{k}",
                f"frequency_vs_f1__{feat}", "learning_curves_combined_loss"]
    upstream += [f"learning_curves_{feat}_{m}" for m in ("loss", "accuracy", "hits_at_k")
                 if m in tr["training"][feat]]
    for u in upstream:
        check(u in h3, f"heading {u} missing")

    # run summary
    summ = {r[0].text().strip(): r[1].text().strip()
            for r in rows(table_after(root, "Run summary")) if len(r) == 2}
    for key in ("training rows", "validation rows", "test rows", "classes", "epochs run",
                "best epoch", "early stopped", "random seed", "threads", "wall time (s)",
                "ludwig-c version"):
        check(key in summ, f"run summary lacks {key!r}")
    check(summ.get("classes") == str(len(names)), f"run summary classes {summ.get('classes')}")
    check(summ.get("epochs run") == str(len(tr["training"]["combined"]["loss"])),
          "run summary epochs run differs from training_statistics.json")

    # test metrics
    t = table_after(root, "Test metrics", "metrics")
    group, seen = None, 0
    for r in rows(t):
        if len(r) == 1:
            group = r[0].text().strip()
            continue
        if group is None or len(r) != 3 or r[0].tag != "th":
            continue
        name = r[0].text().strip()
        if group == "combined":
            v = ts["combined"][name]
        elif group == f"{feat} overall_stats":
            v = fs["overall_stats"][name]
        elif group == feat:
            v = fs[name]
        else:
            check(False, f"test metrics: unexpected group {group!r}")
            continue
        same_number(r[1], v, f"test metric {group}.{name}")
        seen += 1
    expect = (len(ts["combined"]) + sum(1 for v in fs.values() if not isinstance(v, (dict, list)))
              + len(fs["overall_stats"]))
    check(seen == expect, f"test metrics table has {seen} values, JSON has {expect}")

    # per-class table
    t = table_after(root, "Per-class statistics", "sortable")
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

    # confusion matrix, counts and row-normalised
    cm = fs["confusion_matrix"]
    t = table_after(root, f"confusion_matrix__{feat}_top{k}", "cm")
    body = rows(t)
    check([c.text() for c in body[0][1:]] == names[:k], "confusion matrix column labels")
    for i in range(k):
        check(body[i + 1][0].text() == names[i], f"confusion matrix row label {i}")
        got = [c.text() for c in body[i + 1][1:]]
        check(got == [str(x) for x in cm[i][:k]], f"confusion matrix row {names[i]}: {got} != {cm[i][:k]}")
    t = table_after(root, f"confusion_matrix__{feat}_top{k} (row-normalised)", "cm")
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
    t = table_after(root, f"confusion_matrix_entropy__{feat}_top{k}", "entropy")
    body = rows(t)[1:]
    check([r[1].text() for r in body] == [names[i] for i in order],
          f"entropy ranking {[r[1].text() for r in body]} != {[names[i] for i in order]}")
    for r, i in zip(body, order):
        check(abs(float(r[2].attrs["title"]) - ent[i]) <= 1e-12, f"entropy of {names[i]}")
        check(r[2].text() == f"{ent[i]:.4f}", f"entropy of {names[i]} shown {r[2].text()}")

    # F1 vs frequency: classes sorted by float32 F1, descending as argsort()[::-1]
    import struct
    f32 = [struct.unpack("f", struct.pack("f", fs["per_class_stats"][c]["f1_score"]))[0]
           for c in names]
    f32 = [0.0 if math.isnan(x) else x for x in f32]
    order = sorted(range(len(names)), key=lambda i: (f32[i], i))[::-1]
    t = table_after(root, f"frequency_vs_f1__{feat}", "f1freq")
    body = rows(t)[1:]
    check([r[0].text() for r in body] == [names[i] for i in order], "F1 vs frequency order")
    for r, i in zip(body, order):
        same_number(r[1], fs["per_class_stats"][names[i]]["f1_score"], f"F1 of {names[i]}")
        check(r[2].text() == str(freq[i]), f"frequency of {names[i]}")

    # learning curves: per-epoch tables equal training_statistics.json
    splits = [s for s in ("training", "validation", "test") if s in tr]
    n_img = sum(1 for n in root.iter("img") if "chart" in n.attrs.get("class", ""))
    n_metrics = sum(len(v) for v in tr["training"].values())
    check(n_img >= n_metrics + 3, f"{n_img} charts for {n_metrics} learning curves + 3 others")
    for f in tr["training"]:
        t = table_after(root, f"{f} per epoch", "epochs")
        if not check(t is not None, f"no per-epoch table for {f}"):
            continue
        body = rows(t)[2:]
        metrics = list(tr["training"][f].keys())
        n_ep = len(tr["training"][f][metrics[0]])
        check(len(body) == n_ep, f"{f} per epoch: {len(body)} rows for {n_ep} epochs")
        for ep, r in enumerate(body):
            cells = r[1:]
            j = 0
            for m in metrics:
                for s in splits:
                    if m in tr[s].get(f, {}):
                        same_number(cells[j], tr[s][f][m][ep], f"{s}.{f}.{m}[{ep}]")
                        j += 1

    # gallery: wrong predictions only, most confident first, as predictions_parquet.csv says
    pred_path = os.path.join(run, "predictions_parquet.csv")
    cards = [n for n in root.iter("div") if n.attrs.get("class") == "card"]
    if os.path.exists(pred_path):
        with open(pred_path, newline="") as fh:
            preds = list(csv.DictReader(fh))
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
            check(len(img) == 1 and img[0].attrs.get("src", "").startswith("data:image/png;base64,"),
                  "gallery card without an inline PNG")
        check(probs == sorted(probs, reverse=True), "gallery not sorted by confidence")
        pmax = sorted((float(p[f"{feat}_probability"]) for p in preds), reverse=True)
        for pr in probs:
            check(any(abs(pr - x) < 1e-7 for x in pmax), f"gallery probability {pr} not in predictions")

    if FAILS:
        for f in FAILS:
            print(f"check_report: {f}", file=sys.stderr)
        sys.exit(1)
    print(f"check_report: ok ({size} bytes, {len(h3)} chart/table headings, {len(cards)} gallery cards)")


if __name__ == "__main__":
    main()
