#!/usr/bin/python3
"""Writes tests/fixtures/metrics_cases.json for tests/unit/test_metrics.c (run once, by hand,
with Debian's python3-sklearn and python3-numpy; CI only reads the committed file).

Each case holds the inputs (labels, float32 probabilities, loss, top_k, class names) and the
expected values computed here independently of the C code:
  category  accuracy / accuracy_micro / hits_at_k / roc_auc / loss with torchmetrics semantics
            (macro weights: tp+fp+fn > 0 for accuracy, support > 0 for hits_at_k as in
            torchmetrics >= 1.4; top-k ties to the lower index; roc_auc per class from
            sklearn.metrics.roc_auc_score, 0 for a class without positives or negatives),
            rounded to float32 like torchmetrics results
  overall   confusion_matrix (sklearn), overall_stats (sklearn precision/recall/f1/accuracy/
            cohen_kappa on the present labels; avg_*_weighted for precision and recall are the
            micro values, as Ludwig passes average="micro"), per_class_stats written from the
            definitions in docs/ludwig-0.10.3-training-outputs.md §3.4 (int 0 for a zero
            denominator).
"""
import json
import math
import warnings

import numpy as np
import sklearn
from sklearn import metrics as skm

warnings.filterwarnings("ignore")


def f32(x):
    return float(np.float32(x))


def macro(scores, weights):
    w = np.asarray(weights, dtype=np.float64)
    if w.sum() == 0:
        return 0.0
    return float((np.asarray(scores) * w).sum() / w.sum())


def category_metrics(C, labels, probs, loss, top_k):
    N = len(labels)
    preds = np.argmax(probs, axis=1) if N else np.zeros(0, dtype=int)
    tp = np.array([np.sum((labels == c) & (preds == c)) for c in range(C)])
    fp = np.array([np.sum((labels != c) & (preds == c)) for c in range(C)])
    fn = np.array([np.sum((labels == c) & (preds != c)) for c in range(C)])
    rec = np.where(tp + fn > 0, tp / np.maximum(tp + fn, 1), 0.0)
    out = {
        "accuracy": f32(macro(rec, (tp + fp + fn) > 0)),
        "accuracy_micro": f32(float(np.sum(tp)) / N if N else 0.0),
        "loss": f32(loss),
    }
    if C > top_k:
        hit = np.zeros(C)
        support = np.zeros(C)
        for i in range(N):
            order = np.argsort(-probs[i], kind="stable")  # ties: lower index first
            support[labels[i]] += 1
            if labels[i] in order[:top_k]:
                hit[labels[i]] += 1
        score = np.where(support > 0, hit / np.maximum(support, 1), 0.0)
        out["hits_at_k"] = f32(macro(score, support > 0))
    aucs = []
    for c in range(C):
        y = (labels == c).astype(int)
        if y.sum() == 0 or y.sum() == N:
            aucs.append(0.0)
        else:
            aucs.append(skm.roc_auc_score(y, probs[:, c].astype(np.float64)))
    out["roc_auc"] = f32(np.mean(aucs))
    return out, preds


def ratio(nom, den):
    return 0 if den == 0 else nom / den


def per_class(cm, c):
    cm = [[int(v) for v in row] for row in cm]
    total = sum(sum(r) for r in cm)
    tp = cm[c][c]
    sum_pred = sum(r[c] for r in cm)
    sum_cond = sum(cm[c])
    tn = total - sum_pred - sum_cond + tp
    fp = sum_pred - tp
    fn = sum_cond - tp
    tpr = ratio(tp, sum_cond)
    tnr = ratio(tn, tn + fp)
    ppv = ratio(tp, sum_pred)
    npv = ratio(tn, tn + fn)
    f1 = 0 if ppv + tpr == 0 else (2 * ppv * tpr) / (ppv + tpr)
    den = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    mcc = 0 if den == 0 else (tp * tn - fp * fn) / den
    return {
        "true_positives": tp, "true_negatives": tn, "false_positives": fp, "false_negatives": fn,
        "true_positive_rate": tpr, "true_negative_rate": tnr,
        "positive_predictive_value": ppv, "negative_predictive_value": npv,
        "false_negative_rate": 1.0 - tpr, "false_positive_rate": 1.0 - tnr,
        "false_discovery_rate": 1.0 - ppv, "false_omission_rate": 1.0 - npv,
        "accuracy": ratio(tp + tn, total), "precision": ppv, "recall": tpr, "f1_score": f1,
        "sensitivity": tpr, "specificity": tnr, "hit_rate": tpr, "miss_rate": 1.0 - tpr,
        "fall_out": 1.0 - tnr, "matthews_correlation_coefficient": mcc,
        "informedness": tpr + tnr - 1, "markedness": ppv + npv - 1,
    }


def overall(C, labels, preds, names):
    cm = skm.confusion_matrix(labels, preds, labels=list(range(C)))
    stats = {
        "token_accuracy": skm.accuracy_score(labels, preds),
        "avg_precision_macro": skm.precision_score(labels, preds, average="macro"),
        "avg_recall_macro": skm.recall_score(labels, preds, average="macro"),
        "avg_f1_score_macro": skm.f1_score(labels, preds, average="macro"),
        "avg_precision_micro": skm.precision_score(labels, preds, average="micro"),
        "avg_recall_micro": skm.recall_score(labels, preds, average="micro"),
        "avg_f1_score_micro": skm.f1_score(labels, preds, average="micro"),
        "avg_precision_weighted": skm.precision_score(labels, preds, average="micro"),
        "avg_recall_weighted": skm.recall_score(labels, preds, average="micro"),
        "avg_f1_score_weighted": skm.f1_score(labels, preds, average="weighted"),
        "kappa_score": skm.cohen_kappa_score(labels, preds),
    }
    return {
        "confusion_matrix": cm.tolist(),
        "overall_stats": {k: float(v) for k, v in stats.items()},
        "per_class_stats": {names[c]: per_class(cm, c) for c in range(C)},
    }


def make_case(name, C, labels, probs, loss, top_k, names, note):
    labels = np.asarray(labels, dtype=np.int64)
    probs = np.asarray(probs, dtype=np.float32).reshape(len(labels), C)
    cat, preds = category_metrics(C, labels, probs, loss, top_k)
    return {
        "name": name, "note": note, "C": C, "top_k": top_k, "idx2str": names,
        "labels": labels.tolist(), "probs": [float(v) for v in probs.reshape(-1)],
        "loss": loss, "preds": [int(p) for p in preds],
        "category": cat, "overall": overall(C, labels, preds, names),
    }


def softmax_rows(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def main():
    rng = np.random.default_rng(7)
    cases = []
    # 4 classes: "<UNK>" is never a target nor a prediction, "bird" is predicted but never a target
    names4 = ["<UNK>", "cat", "dog", "bird"]
    labels = [1, 1, 1, 2, 2, 2, 2, 1, 2, 1, 1, 2]
    probs = []
    for y in labels:
        p = rng.random(4) * [0.0, 1, 1, 1]
        p[y] += 0.3
        probs.append(p / p.sum())
    probs = np.array(probs)
    probs[2] = [0.0, 0.2, 0.3, 0.5]  # a "bird" prediction for a cat
    probs[5] = [0.0, 0.1, 0.2, 0.7]
    cases.append(make_case("absent_class", 4, labels, probs, 0.6931471805599453, 3, names4,
                           "class 0 absent everywhere, class 3 predicted but never a target"))
    # scores quantised to tenths: many tied scores; class 2 has no positives
    labels = [0, 1, 0, 1, 3, 3, 0, 1, 3, 0, 1, 3, 0, 0]
    q = np.round(rng.random((len(labels), 4)) * 4) / 10.0
    q[:, 2] = 0.1
    q[3] = [0.3, 0.3, 0.1, 0.3]  # argmax tie -> first; top-2 tie -> lower indices
    cases.append(make_case("ties", 4, labels, q, 1.25, 2, ["a", "b", "c", "d"],
                           "tied scores, class c without positives, top_k 2"))
    # 10 classes, 300 rows: numpy pairwise sums over more than 8 terms (kappa: 100)
    labels = rng.integers(0, 10, 300)
    z = rng.normal(size=(300, 10)) * 1.5
    z[np.arange(300), labels] += 1.2
    cases.append(make_case("random10", 10, labels, softmax_rows(z), 0.123456789, 3,
                           [str(i) for i in range(10)], "MNIST-like, 10 classes"))
    # 12 present classes of 20, 400 rows: kappa sum over 144 terms (pairwise split)
    labels = rng.integers(0, 12, 400)
    z = rng.normal(size=(400, 20))
    z[:, 12:] -= 4.0
    z[np.arange(400), labels] += 0.8
    cases.append(make_case("wide20", 20, labels, softmax_rows(z), 2.5, 5,
                           ["k%02d" % i for i in range(20)], "20 classes, 8 never seen"))
    # one class only: kappa NaN, roc_auc without negatives, top_k >= C (no hits_at_k)
    labels = [1, 1, 1]
    cases.append(make_case("single_class", 2, labels, [[0.4, 0.6], [0.1, 0.9], [0.5, 0.5]],
                           0.5, 3, ["no", "yes"], "every row class 1, one predicted 0"))
    # everything class 0 and predicted 0: kappa 0/0 = NaN; other classes all-zero stats
    cases.append(make_case("perfect_one", 3, [0, 0], [[0.9, 0.05, 0.05], [0.8, 0.1, 0.1]],
                           0.1, 1, ["x", "y", "z"], "kappa NaN, top_k 1"))
    with open("tests/fixtures/metrics_cases.json", "w") as f:
        json.dump({"generator": "tests/gen_fixtures_metrics.py", "sklearn": sklearn.__version__,
                   "numpy": np.__version__, "cases": cases}, f, sort_keys=True)


if __name__ == "__main__":
    main()
