#!/usr/bin/python3
"""Writes tests/fixtures/metrics_tab_cases.json for tests/unit/test_metrics_tab.c (run once, by
hand, from the repo root with Debian's python3-numpy, python3-sklearn and python3-torch; CI only
reads the committed file).

torchmetrics is not packaged in Debian, so the torchmetrics formulas (v1.4 source:
functional/regression/{mae,mse,mape,r2}.py, functional/classification/{stat_scores,
precision_recall,specificity,accuracy,roc,auroc}.py) and Ludwig's own (metric_modules.py
R2Score and RMSPEMetric, loss_utils.py rmspe_loss) are written out here.

number cases:  "expected" holds the values ludwig-c promises: float32 differences and clamps as
               torch forms them, float64 arithmetic after that, one rounding to float32 (numpy).
               "torch_f32" holds the same formulas run in float32 torch tensors batch by batch,
               as torchmetrics updates its states: what Ludwig itself would print. The C test
               checks it to a float32 tolerance (sums in a different order).
binary cases:  "metrics" as above (integer counts; BinaryAUROC from sklearn's roc_auc_score,
               which is the same exact trapezoid; 0 for one class); "overall" is what
               binary_feature.py's calculate_overall_stats builds, computed by calling
               sklearn 1.2 (roc_curve, roc_auc_score, precision_recall_curve,
               average_precision_score, confusion_matrix, precision/recall/f1/kappa) on bool
               targets and float32 probabilities exactly as Ludwig calls them, with Ludwig's
               ConfusionMatrix per-class statistics written out.
"""
import json
import math
import warnings

import numpy as np
import sklearn
import torch
from sklearn import metrics as skm

# Ludwig's ConfusionMatrix per-class statistics, shared with the category fixtures
from gen_fixtures_metrics import per_class, ratio

warnings.filterwarnings("ignore")

F32 = np.float32


def f32(x):
    return float(F32(x))


# ----------------------------------------------------------------------------------------------
# number


def number_expected(pred, target, batch_size):
    p = np.asarray(pred, dtype=F32)
    t = np.asarray(target, dtype=F32)
    n = len(t)
    d = (p - t).astype(np.float64)  # float32 difference, then float64
    den = np.maximum(np.abs(t), F32(1.17e-06)).astype(np.float64)
    with np.errstate(all="ignore"):
        mae = np.abs(d).sum() / n if n else math.nan
        mape = (np.abs(d) / den).sum() / n if n else math.nan
        mse = F32((d * d).sum() / n) if n else F32(math.nan)
        rmse = np.sqrt(mse)  # float32 sqrt of the float32 mean
        if n < 2:
            r2 = math.nan
        else:
            t64 = t.astype(np.float64)
            rss = (d * d).sum()
            tss = (t64 * t64).sum() - t64.sum() * (t64.sum() / n)
            lim = float(F32(1e-4))
            r2 = 1.0 if rss <= lim else (0.0 if abs(tss) <= lim else 1.0 - rss / tss)
        bs = batch_size if 0 < batch_size <= n else max(n, 1)
        vals = []
        for b0 in range(0, n, bs):
            tb, pb = t[b0:b0 + bs], p[b0:b0 + bs]
            pden = np.where(tb == 0, F32(1e-4), tb).astype(np.float64)
            q = (tb - pb).astype(np.float64) / pden
            vals.append(math.sqrt((q * q).mean()))
        rmspe = sum(vals) / len(vals) if vals else math.nan
    return {
        "mean_absolute_error": f32(mae),
        "mean_absolute_percentage_error": f32(mape),
        "mean_squared_error": float(mse),
        "r2": f32(r2),
        "root_mean_squared_error": float(rmse),
        "root_mean_squared_percentage_error": f32(rmspe),
    }


def number_torch(pred, target, batch_size):
    """torchmetrics' states and computes in float32, updated batch by batch."""
    p_all = torch.tensor(np.asarray(pred, dtype=F32))
    t_all = torch.tensor(np.asarray(target, dtype=F32))
    n = len(t_all)
    bs = batch_size if 0 < batch_size <= n else max(n, 1)
    sae = torch.zeros(()); sape = torch.zeros(()); sse = torch.zeros(())
    r2_sum_sq = torch.zeros(1); r2_sum = torch.zeros(1); r2_rss = torch.zeros(1)
    mean_value = torch.zeros(()); weight = torch.zeros(())
    for b0 in range(0, n, bs):
        p, t = p_all[b0:b0 + bs], t_all[b0:b0 + bs]
        sae += torch.sum(torch.abs(p - t))
        sape += torch.sum(torch.abs(p - t) / torch.clamp(torch.abs(t), min=1.17e-06))
        diff = p - t
        sse += torch.sum(diff * diff)
        r2_sum_sq += torch.sum(t * t, dim=0)
        r2_sum += torch.sum(t, dim=0)
        res = t - p
        r2_rss += torch.sum(res * res, dim=0)
        denom = t + 1e-4 * (t == 0).float()
        mean_value += torch.sqrt(torch.mean(((t - p).float() / denom) ** 2))
        weight += 1.0
    if n >= 2:
        mean_obs = r2_sum / n
        tss = r2_sum_sq - r2_sum * mean_obs
        cond_rss = ~torch.isclose(r2_rss, torch.zeros_like(r2_rss), atol=1e-4)
        cond_tss = ~torch.isclose(tss, torch.zeros_like(tss), atol=1e-4)
        raw = torch.ones_like(r2_rss)
        cond = cond_rss & cond_tss
        raw[cond] = 1 - (r2_rss[cond] / tss[cond])
        raw[cond_rss & ~cond_tss] = 0.0
        r2 = torch.mean(raw).item()
    else:
        r2 = math.nan
    return {
        "mean_absolute_error": (sae / n).item(),
        "mean_absolute_percentage_error": (sape / n).item(),
        "mean_squared_error": (sse / n).item(),
        "r2": r2,
        "root_mean_squared_error": torch.sqrt(sse / n).item(),
        "root_mean_squared_percentage_error": (mean_value / weight).item(),
    }


def number_case(name, note, pred, target, loss, batch_size, torch_rtol=2e-5):
    pred = [float(F32(v)) for v in pred]
    target = [float(F32(v)) for v in target]
    exp = number_expected(pred, target, batch_size)
    exp["loss"] = f32(loss)
    return {"name": name, "note": note, "pred": pred, "target": target, "loss": loss,
            "batch_size": batch_size, "expected": exp, "torch_rtol": torch_rtol,
            "torch_f32": number_torch(pred, target, batch_size)}


# ----------------------------------------------------------------------------------------------
# binary


def roc_auc_or_none(y, s, average):
    try:  # Ludwig's eval_utils.roc_auc_score logs the ValueError and returns None
        return float(skm.roc_auc_score(y, s, average=average))
    except ValueError:
        return None


def binary_case(name, note, prob, target, threshold, loss):
    prob = np.asarray(prob, dtype=F32)
    y = np.asarray(target, dtype=bool)
    n = len(y)
    pred = prob >= F32(threshold)
    # torchmetrics: accuracy on Ludwig's predictions, the rest on probabilities > 0.5
    correct = int(np.sum(pred == y))
    p5 = prob > F32(0.5)
    tp = int(np.sum(p5 & y)); fp = int(np.sum(p5 & ~y))
    tn = int(np.sum(~p5 & ~y)); fn = int(np.sum(~p5 & y))
    if y.all() or (~y).all():
        auroc = 0.0
    else:
        auroc = skm.roc_auc_score(y, prob.astype(np.float64))
    metrics = {
        "accuracy": f32(ratio(correct, n)), "loss": f32(loss),
        "precision": f32(ratio(tp, tp + fp)), "recall": f32(ratio(tp, tp + fn)),
        "roc_auc": f32(auroc), "specificity": f32(ratio(tn, tn + fp)),
    }
    # binary_feature.py calculate_overall_stats, on the same arrays Ludwig passes
    cm = skm.confusion_matrix(y, pred, labels=[0, 1])
    stats = {
        "token_accuracy": skm.accuracy_score(y, pred),
        "avg_precision_macro": skm.precision_score(y, pred, average="macro"),
        "avg_recall_macro": skm.recall_score(y, pred, average="macro"),
        "avg_f1_score_macro": skm.f1_score(y, pred, average="macro"),
        "avg_precision_micro": skm.precision_score(y, pred, average="micro"),
        "avg_recall_micro": skm.recall_score(y, pred, average="micro"),
        "avg_f1_score_micro": skm.f1_score(y, pred, average="micro"),
        "avg_precision_weighted": skm.precision_score(y, pred, average="micro"),
        "avg_recall_weighted": skm.recall_score(y, pred, average="micro"),
        "avg_f1_score_weighted": skm.f1_score(y, pred, average="weighted"),
        "kappa_score": skm.cohen_kappa_score(y, pred),
    }
    fpr, tpr, _ = skm.roc_curve(y, prob)
    ps, rs, _ = skm.precision_recall_curve(y, prob)
    overall = {
        "confusion_matrix": cm.tolist(),
        "overall_stats": {k: float(v) for k, v in stats.items()},
        "per_class_stats": {"False": per_class(cm, 0), "True": per_class(cm, 1)},
        "roc_curve": {"false_positive_rate": fpr.tolist(), "true_positive_rate": tpr.tolist()},
        "roc_auc_macro": roc_auc_or_none(y, prob, "macro"),
        "roc_auc_micro": roc_auc_or_none(y, prob, "micro"),
        "precision_recall_curve": {"precisions": ps.tolist(), "recalls": rs.tolist()},
        "average_precision_macro": float(skm.average_precision_score(y, prob, average="macro")),
        "average_precision_micro": float(skm.average_precision_score(y, prob, average="micro")),
        "average_precision_samples": float(
            skm.average_precision_score(y, prob, average="samples")),
    }
    return {"name": name, "note": note, "prob": [float(v) for v in prob],
            "target": [int(v) for v in y], "threshold": threshold, "loss": loss,
            "metrics": metrics, "overall": overall}


def sigmoid32(z):
    return (1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))).astype(F32)


def main():
    rng = np.random.default_rng(11)
    num = []
    t = rng.normal(0.0, 1.0, 200)
    p = t + rng.normal(0.0, 0.3, 200)
    num.append(number_case("random", "normalized targets, 200 rows, batches of 64 (last 8)",
                           p, t, 0.0912345678, 64))
    t = rng.normal(20.0, 3.0, 150)
    t[[3, 40, 77]] = 0.0
    t[5] = 1e-7  # below MAPE's epsilon
    p = t + rng.normal(0.0, 1.0, 150)
    num.append(number_case("zeros_in_target", "zeros and a 1e-7 target: MAPE clamp, RMSPE 1e-4",
                           p, t, 1.5, 32))
    num.append(number_case("one_row", "N = 1: r2 NaN", [0.25], [0.5], 0.0625, 0))
    num.append(number_case("constant_target", "tss 0, rss > 1e-4: r2 0.0",
                           [1.0, 1.5, 2.5, 2.0], [2.0, 2.0, 2.0, 2.0], 0.375, 0))
    num.append(number_case("near_perfect", "rss <= 1e-4: r2 1.0 although tss > 0",
                           [1.0, 2.0, 3.005, 4.0], [1.0, 2.0, 3.0, 4.0], 1e-6, 2))
    t = rng.uniform(1000.0, 1001.0, 64)
    p = t + rng.normal(0.0, 0.05, 64)
    num.append(number_case("large_mean",
                           "targets near 1000: torch's float32 tss cancels, its r2 is ~1% off",
                           p, t, 0.0025, 0, torch_rtol=0.02))
    num.append(number_case("empty", "N = 0: NaN everywhere but loss", [], [], 0.0, 0))

    binc = []
    y = rng.random(300) < 0.4
    z = rng.normal(0.0, 1.5, 300) + 1.8 * y
    binc.append(binary_case("random", "300 rows, threshold 0.5", sigmoid32(z), y, 0.5, 0.45))
    y_r = y
    y = rng.random(40) < 0.5
    q = (np.round(rng.random(40) * 4) / 4.0 + 0.25 * y).clip(0, 1)
    q[:4] = 0.5  # probability exactly 0.5: predicted True by accuracy (>=), not by precision (>)
    binc.append(binary_case("ties", "scores in steps of 0.25: tied thresholds, collinear points",
                            q, y, 0.5, 0.7))
    binc.append(binary_case("threshold_07", "feature threshold 0.7 for accuracy and stats",
                            sigmoid32(z[:120]), y_r[:120], 0.7, 0.8))
    binc.append(binary_case("all_true", "one class: roc_auc 0, roc_auc_* null, fpr NaN",
                            [0.9, 0.2, 0.6, 0.6], [1, 1, 1, 1], 0.5, 0.3))
    binc.append(binary_case("all_false", "no positives: recall 1, AP -0.0, tpr NaN",
                            [0.2, 0.7, 0.7], [0, 0, 0], 0.5, 0.9))
    binc.append(binary_case("one_row", "N = 1", [0.8], [1], 0.5, 0.2))
    binc.append(binary_case("two_distinct", "K <= 2: nothing dropped", [0.3, 0.3, 0.9, 0.9],
                            [0, 1, 0, 1], 0.5, 0.69))

    with open("tests/fixtures/metrics_tab_cases.json", "w") as f:
        json.dump({"generator": "tests/gen_fixtures_metrics_tab.py",
                   "sklearn": sklearn.__version__, "numpy": np.__version__,
                   "torch": torch.__version__, "number": num, "binary": binc},
                  f, sort_keys=True)


if __name__ == "__main__":
    main()
