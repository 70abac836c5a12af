"""torch_forward.py MODEL_DIR DATASET PREDICTIONS_CSV [TOL [RAW_ZIP]], or torch_forward.py --cases
FILE with one "NAME MODEL_DIR DATASET PREDICTIONS_CSV TOL [RAW_ZIP]" per line (one process, torch
imported once): the forward pass of ludwig_torch.py (PyTorch's
modules from the model's state_dict) on every row of DATASET, compared with the predictions ludwig-c
wrote for the same rows (`predict --split full`): every probability (or number prediction) within TOL
(default 1e-5, relative to max(1, |value|)), and every tensor of the state_dict read by some module.
Prints the largest deviation; exits 1 on a mismatch."""
import csv
import json
import warnings
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ludwig_torch  # noqa: E402


class Mismatch(Exception):
    pass


def compare(model_dir, dataset, pred_csv, tol, raw):
    """the comparison; returns the summary line, raises Mismatch"""
    rows, outs, w, hp, meta = ludwig_torch.predict(model_dir, dataset, raw)
    with open(pred_csv, newline="") as f:
        got = list(csv.DictReader(f))
    if len(got) != len(rows):
        fail("%d predictions for %d rows" % (len(got), len(rows)))
    worst, checked = 0.0, 0
    feats = {f["name"]: f["type"] for f in hp["output_features"]}
    thresholds = {f["name"]: f.get("threshold", 0.5) for f in hp["output_features"]}
    for name, o in outs.items():
        cols = []
        if "predictions" in o:  # a number, or a vector's values written as a list
            cols.append(("%s_predictions" % name, o["predictions"]))
        if "probability" in o:  # binary: the probability of bool2str[1] (and of bool2str[0])
            names = meta[name].get("bool2str") or ["False", "True"]
            cols.append(("%s_probabilities_%s" % (name, names[1]), o["probability"]))
            cols.append(("%s_probabilities_%s" % (name, names[0]), 1 - o["probability"]))
        if "probabilities" in o and feats[name] == "set":
            # SetFeature: the classes at or above the threshold, and their probabilities
            labels, thr = meta[name]["idx2str"], thresholds[name]
            for i, r in enumerate(got):
                p = o["probabilities"][i]
                keep = [j for j in range(len(labels)) if float(p[j]) >= thr]
                names = json.loads(r["%s_predictions" % name].replace("'", '"'))
                probs = [float(v) for v in r["%s_probabilities" % name].strip("[]").split(",") if v.strip()]
                if names != [labels[j] for j in keep] or len(probs) != len(keep):
                    fail("row %d %s: ludwig-c predicts %s, PyTorch %s" %
                         (i, name, names, [labels[j] for j in keep]))
                for a, j in zip(probs, keep):
                    d = abs(a - float(p[j]))
                    worst, checked = max(worst, d), checked + 1
                    if d > tol:
                        fail("row %d %s %s: ludwig-c %r, PyTorch %r" % (i, name, labels[j], a, float(p[j])))
            continue
        if "probabilities" in o:
            m = meta[name]
            labels = m.get("idx2str")
            for j, lab in enumerate(labels):
                cols.append(("%s_probabilities_%s" % (name, lab), o["probabilities"][:, j]))
        for col, t in cols:
            if col not in got[0]:
                fail("ludwig-c's predictions have no column %s" % col)
            for i, r in enumerate(got):
                if t.dim() == 1:
                    a, b = float(r[col]), float(t[i])
                    pairs = [(a, b)]
                else:
                    vals = [float(v) for v in r[col].strip("[]").replace(",", " ").split()]
                    if len(vals) != t.shape[1]:
                        fail("row %d %s: ludwig-c wrote %d values, PyTorch has %d" % (i, col, len(vals), t.shape[1]))
                    pairs = list(zip(vals, t[i].tolist()))
                for a, b in pairs:
                    d = abs(a - b) / max(1.0, abs(b))
                    worst = max(worst, d)
                    checked += 1
                    if d > tol:
                        fail("row %d %s: ludwig-c %r, PyTorch %r (deviation %.3g > %g)"
                             % (i, col, a, b, d, tol))
    unused = w.unused()
    if unused:
        fail("tensors no Ludwig module reads: %s" % ", ".join(unused))
    return "%d values, largest deviation %.3g (tolerance %g), all %d tensors read" % (
        checked, worst, tol, len(w.sd))


def fail(msg):
    raise Mismatch(msg)


def main():
    warnings.filterwarnings("ignore", category=UserWarning)  # torch on even kernels with padding="same"
    if sys.argv[1] == "--cases":
        bad = 0
        for line in open(sys.argv[2]):
            f = line.split()
            if not f:
                continue
            try:
                print("torch_forward: %s: %s" % (f[0], compare(f[1], f[2], f[3], float(f[4]), f[5] if len(f) > 5 else None)))
            except Exception as ex:  # a mismatch, a missing or misshapen tensor: named, the next case runs
                print("FAIL torch_forward: %s: %s: %s" % (f[0], type(ex).__name__, ex))
                bad += 1
        sys.exit(1 if bad else 0)
    try:
        print(compare(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]) if len(sys.argv) > 4 else 1e-5,
                      sys.argv[5] if len(sys.argv) > 5 else None))
    except Mismatch as ex:
        sys.exit("torch_forward: %s" % ex)


if __name__ == "__main__":
    main()
