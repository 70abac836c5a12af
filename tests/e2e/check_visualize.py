#!/usr/bin/python3
"""check_visualize.py KIND FIGURE [STATS...] - test_visualize's checks of one figure of
`ludwig-c visualize`: a .svg must be well-formed SVG, a .pdf a PDF whose cross-reference table
points at its objects; and the numbers drawn must be the statistics' own:
  compare_performance FIG TEST_STATS FEATURE   each scalar metric but loss written at its bar
                                                (4 decimals), and nothing else
  confusion_matrix FIG TEST_STATS FEATURE K    the first K x K counts written in the cells
  learning_curves FIG TRAIN_STATS FEATURE METRIC   one line per split with one vertex per epoch
  curve FIG TEST_STATS FEATURE KEY X Y          one line with one vertex per curve point
  hyperopt FIG HYPEROPT_STATS PARAM             one dot per trial
  pdf FIG                                       structure only
Exits 1 with a message on the first mismatch."""
import json
import re
import sys
import xml.dom.minidom

kind, fig = sys.argv[1], sys.argv[2]
args = sys.argv[3:]


def fail(msg):
    sys.exit("check_visualize: %s: %s" % (fig, msg))


def check_pdf(path):
    data = open(path, "rb").read()
    if not data.startswith(b"%PDF-1."):
        fail("not a PDF")
    m = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data)
    if not m:
        fail("no startxref / %%EOF")
    x = int(m.group(1))
    if data[x:x + 4] != b"xref":
        fail("startxref does not point at the xref table")
    head = re.match(rb"xref\s+0 (\d+)\s+", data[x:])
    n = int(head.group(1))
    rows = data[x + head.end():].split(b"\n")[:n]
    for i, row in enumerate(rows[1:], 1):
        off = int(row[:10])
        if not data[off:].startswith(b"%d 0 obj" % i):
            fail("xref entry %d does not point at object %d" % (i, i))
    lm = re.search(rb"/Length (\d+) >>\nstream\n", data)
    if not lm or data[lm.end() + int(lm.group(1)):lm.end() + int(lm.group(1)) + 10] != b"\nendstream":
        fail("the content stream's /Length is wrong")
    return data


if kind == "pdf":
    check_pdf(fig)
    print("check_visualize: %s: a valid PDF" % fig)
    sys.exit(0)

doc = xml.dom.minidom.parse(fig)
texts = [t.firstChild.data for t in doc.getElementsByTagName("text") if t.firstChild]
polylines = [p.getAttribute("points").split() for p in doc.getElementsByTagName("polyline")]

if kind == "compare_performance":
    stats, feat = json.load(open(args[0])), args[1]
    ign = {"overall_stats", "confusion_matrix", "per_class_stats", "predictions", "probabilities",
           "roc_curve", "precision_recall_curve", "loss"}
    want = {k: v for k, v in stats[feat].items() if k not in ign and isinstance(v, (int, float))}
    for k, v in want.items():
        if k not in texts or "%.4f" % v not in texts:
            fail("metric %s = %.4f is not drawn" % (k, v))
    labels = [t for t in texts if t in stats[feat]]
    if sorted(labels) != sorted(want):
        fail("bars %r, statistics %r" % (sorted(labels), sorted(want)))
elif kind == "confusion_matrix":
    stats, feat, k = json.load(open(args[0])), args[1], int(args[2])
    cm = stats[feat]["confusion_matrix"]
    cells = [t for t in texts if re.fullmatch(r"-?[0-9.e+-]+", t)]
    want = ["%.4g" % cm[r][c] for r in range(k) for c in range(k)]
    if cells[:k * k] != want:
        fail("cells %r, statistics %r" % (cells[:k * k], want))
elif kind == "learning_curves":
    stats, feat, metric = json.load(open(args[0])), args[1], args[2]
    lens = sorted(len(p) for p in polylines)
    want = sorted(len(stats[s][feat][metric]) for s in ("training", "validation") if feat in stats.get(s, {}))
    if lens != want:
        fail("lines of %r vertices, statistics have %r epochs" % (lens, want))
elif kind == "curve":
    stats, feat, key, xk = json.load(open(args[0])), args[1], args[2], args[3]
    n = len(stats[feat][key][xk])
    if not any(len(p) == n for p in polylines):
        fail("no line of %d vertices (the %s)" % (n, key))
elif kind == "hyperopt":
    stats, param = json.load(open(args[0])), args[1]
    d = " ".join(p.getAttribute("d") for p in doc.getElementsByTagName("path"))
    n = d.count("M")
    if n != len(stats["hyperopt_results"]):
        fail("%d dots, %d trials" % (n, len(stats["hyperopt_results"])))
else:
    fail("unknown check " + kind)
print("check_visualize: %s: %s as the statistics" % (fig.split("/")[-1], kind))
