#!/usr/bin/python3
"""check_calibration.py CAL_RUN BASE_RUN BASE_VALIDATION_PREDICTIONS DATASET FEATURE TYPE

Checks an experiment run whose output FEATURE (binary or category) sets `calibration: true`
against the same experiment without it (same data, seed and threads, so the same trained
network: Ludwig fits the temperature after training):

  - model_weights holds Ludwig's `output_features.module_dict.<f>__ludwig._calibration_module.
    temperature` (shape [1]) between the feature's fc_stack and its decoder, and otherwise the
    base run's tensors;
  - the temperature is what torch's LBFGS fit (tests/gen_fixtures_calibration.py, Ludwig's
    definition; without python3-torch, the NLL's minimum by golden-section search) finds on the
    base model's validation logits, recovered from the base model's
    validation probabilities (log p differs from the logits by a per-row constant, which the
    softmax ignores) and the labels of the dataset's validation rows (split column 1), or
    exactly 1 when that fit makes the ECE worse;
  - the calibrated run's test probabilities are softmax(logits / T) (sigmoid for binary) of the
    base run's, and a binary output's predictions are probability >= threshold.
"""
import csv
import json
import math
import os
import struct
import sys

try:  # Debian's python3-torch, where installed: Ludwig's own fit redone
    import torch

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from gen_fixtures_calibration import fit  # noqa: E402
except ImportError:
    torch = None


def rows_logits(z, kind):
    return [[0.0, v] for v in z] if kind == "binary" else z


def nll(z, labels, T):
    """mean cross entropy of logits / T (plain Python)"""
    tot = 0.0
    for row, y in zip(z, labels):
        v = [a / T for a in row]
        m = max(v)
        tot += m + math.log(sum(math.exp(a - m) for a in v)) - v[y]
    return tot / len(z)


def ece(z, labels, T):
    """Ludwig's ECELoss: 15 equal bins of the top softmax probability, (lower, upper]"""
    edges = [k / 15 for k in range(16)]
    conf_sum, acc_sum, cnt = [0.0] * 15, [0.0] * 15, [0] * 15
    for row, y in zip(z, labels):
        v = [a / T for a in row]
        m = max(v)
        e = [math.exp(a - m) for a in v]
        best = v.index(m)
        c = 1.0 / sum(e)
        for b in range(15):
            if edges[b] < c <= edges[b + 1]:
                cnt[b] += 1
                conf_sum[b] += c
                acc_sum[b] += best == y
                break
    return sum(abs(conf_sum[b] / cnt[b] - acc_sum[b] / cnt[b]) * cnt[b] / len(z)
               for b in range(15) if cnt[b])


def argmin_nll(z, labels):
    """the temperature minimising the NLL: golden-section search on log T over [1e-3, 1e3]"""
    lo, hi = math.log(1e-3), math.log(1e3)
    g = (math.sqrt(5) - 1) / 2
    a, b = hi - g * (hi - lo), lo + g * (hi - lo)
    fa, fb = nll(z, labels, math.exp(a)), nll(z, labels, math.exp(b))
    for _ in range(80):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - g * (hi - lo)
            fa = nll(z, labels, math.exp(a))
        else:
            lo, a, fa = a, b, fb
            b = lo + g * (hi - lo)
            fb = nll(z, labels, math.exp(b))
    return math.exp((lo + hi) / 2)


def weights(path):
    """name -> (shape, values) of a model_weights file, in file order (tests/e2e/lib/weights.py)"""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
    import weights as w
    return {k: (list(shape), vals) for k, (shape, vals) in w.tensors(path).items()}


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def probs(r, feature, kind):
    """category: the class probabilities; binary: [P(true)] (_probability is the larger one)"""
    p = json.loads(r[feature + "_probabilities"])
    return p[1:] if kind == "binary" else p


def logits(p, kind):
    if kind == "binary":
        return math.log(p[0]) - math.log1p(-p[0])
    return [math.log(v) for v in p]


def main():
    cal, base, base_val, dataset, feature, kind = sys.argv[1:7]
    fails = []

    def check(cond, msg):
        if not cond:
            fails.append(msg)

    wc = weights(os.path.join(cal, "model", "model_weights"))
    wb = weights(os.path.join(base, "model", "model_weights"))
    tname = f"output_features.module_dict.{feature}__ludwig._calibration_module.temperature"
    names = list(wc)
    check(tname in wc, f"no {tname} in model_weights")
    if tname in wc:
        i = names.index(tname)
        check(wc[tname][0] == [1], f"temperature shape {wc[tname][0]}")
        check(names[i + 1].startswith(f"output_features.module_dict.{feature}__ludwig.decoder_obj."),
              f"the temperature is followed by {names[i + 1]}, not the decoder")
        check(i == 0 or names[i - 1].startswith(f"output_features.module_dict.{feature}__ludwig.fc_stack")
              or not names[i - 1].startswith(f"output_features.module_dict.{feature}__"),
              f"the temperature follows {names[i - 1]}")
        check([n for n in names if n != tname] == list(wb), "other tensors differ from the base run's")
    T = wc[tname][1][0] if tname in wc else float("nan")

    # the fit, redone by torch on the base model's validation logits
    vr = rows(base_val)
    with open(os.path.join(cal, "model", "training_set_metadata.json")) as f:
        meta = json.load(f)[feature]
    val = [r for r in rows(dataset) if r["split"] == "1"]
    check(len(val) == len(vr), f"{len(vr)} validation predictions for {len(val)} validation rows")
    if kind == "binary":
        labels = [int(meta["str2bool"][r[feature]]) for r in val]
    else:
        labels = [meta["str2idx"][r[feature]] for r in val]
    z = [logits(probs(r, feature, kind), kind) for r in vr]
    zz = rows_logits(z, kind)
    if torch is not None:
        want = fit(z, labels, int(kind == "binary"), torch.float64)
        print(f"{feature}: ludwig-c T = {T:.6f}; torch float64 fit {want['fitted']:.6f}, "
              f"ECE {want['ece_before']:.4f} -> {want['ece_after']:.4f}, reverted {want['reverted']}")
        if want["reverted"]:
            check(T == 1.0, f"torch reverts (ECE worse) but the temperature is {T}")
        else:
            # the logits come back from float32 probabilities, so rows the model is sure of carry
            # only a few digits: the same optimum to 2%, and as good an objective
            tw = want["temperature"]
            check(abs(T - tw) <= 0.02 * tw, f"temperature {T} vs torch's {tw}")
            ours, theirs = nll(zz, labels, T), nll(zz, labels, tw)
            check(ours <= theirs * (1 + 1e-3) + 1e-9, f"NLL at T {ours} vs at torch's T {theirs}")
    else:
        # no torch here: the NLL's minimum by golden-section search stands in for Ludwig's LBFGS
        # step, which stops early on nearly separable rows (wine: 0.45 where the minimum is near
        # 0.15), so what is checked is what any such step must give: with Ludwig's revert rule,
        # T = 1 exactly when the fit would raise the ECE, else a T on the optimum's side of 1
        # that lowers the NLL and does not raise the ECE
        T_opt = argmin_nll(zz, labels)
        reverted = ece(zz, labels, T_opt) > ece(zz, labels, 1.0)
        print(f"{feature}: ludwig-c T = {T:.6f}; the NLL's minimum at {T_opt:.6f} (golden section), "
              f"ECE {ece(zz, labels, 1.0):.4f} -> {ece(zz, labels, T_opt):.4f}, reverted {int(reverted)}")
        if reverted:
            check(T == 1.0, f"the fit raises the ECE (Ludwig reverts) but the temperature is {T}")
        else:
            check((T - 1.0) * (T_opt - 1.0) > 0, f"temperature {T} is not on the side of the optimum {T_opt}")
            check(nll(zz, labels, T) < nll(zz, labels, 1.0), "the temperature does not lower the NLL")
            check(ece(zz, labels, T) <= ece(zz, labels, 1.0) + 1e-12, "the temperature raises the ECE")

    # test predictions: calibrated = softmax(logits / T) of the base run's
    tc = rows(os.path.join(cal, "predictions_parquet.csv"))
    tb = rows(os.path.join(base, "predictions_parquet.csv"))
    check(len(tc) == len(tb) and len(tc) > 0, "test prediction row counts differ")
    worst = 0.0
    with open(os.path.join(cal, "model", "model_hyperparameters.json")) as f:
        hp = json.load(f)
    of = [o for o in hp["output_features"] if o["name"] == feature][0]
    check(of.get("calibration") is True, "model_hyperparameters.json does not record calibration: true")
    for rc, rb in zip(tc, tb):
        zb = logits(probs(rb, feature, kind), kind)
        if kind == "binary":
            want = [1.0 / (1.0 + math.exp(-zb / T))]
        else:
            m = max(v / T for v in zb)
            e = [math.exp(v / T - m) for v in zb]
            want = [v / sum(e) for v in e]
        got = probs(rc, feature, kind)
        worst = max(worst, max(abs(a - b) for a, b in zip(got, want)))
        if kind == "binary":
            pred_true = rc[feature + "_predictions"] == meta["bool2str"][1]
            check(pred_true == (got[0] >= of["threshold"]),
                  f"prediction {rc[feature + '_predictions']} at probability {got[0]}")
    check(worst <= 2e-5, f"calibrated test probabilities differ from softmax(logits / T) by {worst}")
    print(f"{feature}: {len(tc)} test rows, calibrated probabilities within {worst:.2e} of softmax(logits / T)")
    for msg in fails:
        print("FAIL calibration:", msg)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
