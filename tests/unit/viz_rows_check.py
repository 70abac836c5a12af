#!/usr/bin/python3
"""viz_rows_check.py - expected numbers of lib/report/viz_rows.c's views, computed with numpy and
scikit-learn (Debian's python3-sklearn) from the rows tests/unit/test_viz_rows.c writes.

Usage: viz_rows_check.py ROWS_FILE. The file holds, as whitespace-separated numbers:
n C M C2, the truth (n), each model's probabilities (n * C, float32 values) and predictions (n),
then a second feature's truth (n) and one model's probabilities (n * C2).

Each output line is "<key> <values...>" (nan for NaN). The computations follow the facts listed in
docs/visualize_rows.md (Ludwig 0.10.3's visualize.py); numpy and sklearn decide everything that
is theirs: float32 comparisons, argsort and argmax, np.interp, np.histogram, the metrics and the
curves.
"""
import sys
import warnings

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import (accuracy_score, brier_score_loss, f1_score, precision_recall_curve,
                             precision_score, recall_score, roc_curve)

warnings.simplefilter("ignore")
np.seterr(all="ignore")

THRESHOLDS = [t / 100 for t in range(0, 101, 5)]


def emit(key, values):
    print(key, " ".join("nan" if np.isnan(v) else repr(float(v)) for v in np.asarray(values, dtype=float).ravel()))


def read(path):
    tok = open(path).read().split()
    pos = [0]

    def take(k, dtype):
        out = np.array([float(x) for x in tok[pos[0]:pos[0] + k]]).astype(dtype)
        pos[0] += k
        return out

    n, C, M, C2 = (int(v) for v in take(4, np.int64))
    truth = take(n, np.int64)
    probs, preds = [], []
    for _ in range(M):
        probs.append(take(n * C, np.float32).reshape(n, C))
        preds.append(take(n, np.int64))
    truth2 = take(n, np.int64)
    probs2 = take(n * C2, np.float32).reshape(n, C2)
    return truth, probs, preds, truth2, probs2


def limit_truth(gt, L):
    gt = gt.copy()
    if L > 0:
        gt[gt > L] = L
    return gt


def limit_probs(p, L):
    if L > 0 and p.shape[1] > L + 1:
        q = p[:, :L + 1].copy()
        q[:, L] = p[:, L:].sum(1)
        return q
    return p


def ranked(p):
    return np.argsort(p, axis=1, kind="stable")


def from_prob(truth, probs, k, L):
    gt = limit_truth(truth, L)
    vals = []
    for p in probs:
        q = limit_probs(p, L)
        order = ranked(q)
        top = order[:, -k:]
        acc = np.mean(gt == order[:, -1])
        hits = np.mean([gt[j] in top[j] for j in range(len(gt))])
        mrr = 0.0
        for j in range(len(gt)):
            where = np.flatnonzero(order[j] == gt[j])
            if len(where):
                mrr += 1 / (q.shape[1] - where[0])
        vals += [acc, hits, mrr / len(gt)]
    return vals


def from_pred(truth, preds, L):
    gt = limit_truth(truth, L)
    vals = []
    for pr in preds:
        vals += [accuracy_score(gt, pr), precision_score(gt, pr, average="macro"),
                 recall_score(gt, pr, average="macro"), f1_score(gt, pr, average="macro")]
    return vals


def subset(truth, probs, k, by_pred):
    vals = []
    for m, p in enumerate(probs):
        sel = np.argmax(p, axis=1) < k if by_pred else truth < k
        gts, order = truth[sel], ranked(p[sel])
        acc = np.sum(gts == order[:, -1]) / len(gts)
        top3_of_row_m = order[m, -3:]  # Ludwig tests every row against row m's top 3
        hits = sum(g in top3_of_row_m for g in gts) / len(gts)
        vals += [acc, hits, len(gts) / len(truth) * 100]
    return vals


def changing_k(truth, probs, k):
    vals = []
    for p in probs:
        order = ranked(p)
        vals += [np.mean([truth[g] in order[g, -j:] for g in range(len(truth))]) for j in range(1, k + 1)]
    return vals


def agreement(truth, preds):
    a, b = preds[0], preds[1]
    both = np.sum((a == truth) & (b == truth))
    wrong = (a != truth) & (b != truth)
    same, diff = np.sum(wrong & (a == b)), np.sum(wrong & (a != b))
    c1, c2 = np.sum((a == truth) & (b != truth)), np.sum((a != truth) & (b == truth))
    return [both, c1 + c2, c1, c2, same + diff, same, diff]


def distribution(truth, preds):
    top = max(truth.max(), max(p.max() for p in preds)) + 1
    gt = np.bincount(truth, minlength=top) / len(truth)
    models = [np.bincount(p, minlength=top) / len(p) for p in preds]
    gt, models = gt[:10], [s[:10] for s in models]
    order = np.argsort(-gt, kind="stable")
    return list(order) + list(gt[order]) + [v for s in models for v in s[order]]


def thresholded(gt, p, sel, empty):
    top, arg = np.max(p, axis=1), np.argmax(p, axis=1)
    acc, cov = [], []
    for t in THRESHOLDS:
        t = t if t < 1 else 0.999
        keep = (top >= t) & sel
        kept = keep.sum()
        acc.append((gt[keep] == arg[keep]).sum() / kept if kept else empty)
        cov.append(kept / len(gt))
    return acc, cov


def grid2(truth, p1, truth2, p2):
    top1, arg1 = np.max(p1, axis=1), np.argmax(p1, axis=1)
    top2, arg2 = np.max(p2, axis=1), np.argmax(p2, axis=1)
    acc = np.zeros((21, 21))
    cov = np.zeros((21, 21))
    for a, t1 in enumerate(THRESHOLDS):
        for b, t2 in enumerate(THRESHOLDS):
            keep = (top1 >= (t1 if t1 < 1 else 0.999)) & (top2 >= (t2 if t2 < 1 else 0.999))
            right = ((truth == arg1) & (truth2 == arg2))[keep].sum()
            cov[a, b] = keep.sum() / len(truth)
            acc[a, b] = right / keep.sum()
    return acc, cov


def maxlines(acc, cov):
    curves = [np.interp(THRESHOLDS, cov[a][::-1], acc[a][::-1], left=1, right=0) for a in range(21)]
    best = np.amax(np.array(curves), 0)
    t1, t2 = [1], [1]
    for i in range(20):
        masked = np.where((cov >= THRESHOLDS[i]) & (cov < THRESHOLDS[i + 1]), acc, -1)
        r, c = np.unravel_index(np.argmax(masked), masked.shape)
        t1.append(THRESHOLDS[r])
        t2.append(THRESHOLDS[c])
    return best, t1, t2


def main():
    truth, probs, preds, truth2, probs2 = read(sys.argv[1])
    emit("from_prob_k2", from_prob(truth, probs, 2, 0))
    emit("from_prob_k0_L1", from_prob(truth, probs, 0, 1))
    emit("from_pred", from_pred(truth, preds, 0))
    emit("from_pred_L1", from_pred(truth, preds, 1))
    emit("subset_gt_k2", subset(truth, probs, 2, False))
    emit("subset_pred_k2", subset(truth, probs, 2, True))
    emit("changing_k3", changing_k(truth, probs, 3))
    emit("predictions", agreement(truth, preds))
    emit("distribution", distribution(truth, preds))
    everyone = np.ones(len(truth), bool)
    for m, p in enumerate(probs):
        acc, cov = thresholded(truth, p, everyone, np.nan)
        emit(f"conf_acc_{m}", acc)
        emit(f"conf_cov_{m}", cov)
        acc, cov = thresholded(limit_truth(truth, 1), limit_probs(p, 1), everyone, np.nan)
        emit(f"conf_L1_acc_{m}", acc)
        emit(f"conf_L1_cov_{m}", cov)
        for name, sel in (("gt", truth < 2), ("pred", np.argmax(p, axis=1) < 2)):
            acc, cov = thresholded(truth, p, sel, np.nan)
            emit(f"subset_{name}_acc_{m}", acc)
            emit(f"subset_{name}_cov_{m}", cov)
        for c in range(2):
            acc, cov = thresholded(truth, p, truth == c, 0)
            emit(f"class{c}_acc_{m}", acc)
            emit(f"class{c}_cov_{m}", cov)
    acc, cov = grid2(truth, probs[0], truth2, probs2)
    emit("grid_acc", acc)
    emit("grid_cov", cov)
    best, t1, t2 = maxlines(acc, cov)
    emit("maxline", best)
    emit("t1max", t1)
    emit("t2max", t2)
    y = (truth == 1).astype(int)
    for m, p in enumerate(probs):
        s = p[:, 1]
        for metric, fn in (("f1", f1_score), ("precision", precision_score), ("recall", recall_score),
                           ("accuracy", accuracy_score)):
            emit(f"thr_{metric}_{m}", [fn(y, s >= (t if t < 1 else 0.99)) for t in THRESHOLDS])
        fpr, tpr, _ = roc_curve(y, s, pos_label=1)
        emit(f"roc_fpr_{m}", fpr)
        emit(f"roc_tpr_{m}", tpr)
        prec, rec, _ = precision_recall_curve(y, s, pos_label=1)
        emit(f"pr_p_{m}", prec)
        emit(f"pr_r_{m}", rec)
        for c in range(p.shape[1]):
            yc = (truth == c).astype(int)
            frac, mean = calibration_curve(yc, p[:, c], n_bins=21)
            if len(frac) < 2:
                frac, mean = np.concatenate(([0.0], frac)), np.concatenate(([0.0], mean))
            emit(f"cal_frac_{c}_{m}", frac)
            emit(f"cal_mean_{c}_{m}", mean)
            emit(f"brier_{c}_{m}", [brier_score_loss(yc, p[:, c], pos_label=1)])
            emit(f"hist_{c}_{m}", np.histogram(p[:, c], bins=41, range=(0, 1))[0])
        onehot = np.zeros(p.shape)
        onehot[np.arange(len(truth)), truth] = 1
        frac, mean = calibration_curve(onehot.flatten(), p.flatten(), n_bins=21)
        emit(f"calmc_frac_{m}", frac)
        emit(f"calmc_mean_{m}", mean)
        emit(f"calmc_brier_{m}", [brier_score_loss(onehot.flatten(), p.flatten(), pos_label=1)])
        # category positive_label 0: Ludwig's 0/1 truth is given to sklearn with pos_label=0
        fpr, tpr, _ = roc_curve((truth == 0).astype(int), p[:, 0], pos_label=0)
        emit(f"roc0_fpr_{m}", fpr)
        emit(f"roc0_tpr_{m}", tpr)
    fpr, tpr, _ = roc_curve(truth2, probs2[:, 1], pos_label=1)
    emit("roc_binary_fpr", fpr)
    emit("roc_binary_tpr", tpr)


if __name__ == "__main__":
    main()
