#!/usr/bin/python3
"""check_calibration.py CAL_RUN BASE_RUN BASE_VALIDATION_PREDICTIONS DATASET FEATURE TYPE

Checks an experiment run whose output FEATURE (binary or category) sets `calibration: true`
against the same experiment without it (same data, seed and threads, so the same trained
network: Ludwig fits the temperature after training):

  - model_weights holds Ludwig's `output_features.module_dict.<f>__ludwig._calibration_module.
    temperature` (shape [1]) between the feature's fc_stack and its decoder, and otherwise the
    base run's tensors;
  - the temperature is what torch's LBFGS fit (tests/gen_fixtures_calibration.py, Ludwig's
    definition) finds on the base model's validation logits, recovered from the base model's
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

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from gen_fixtures_calibration import fit  # noqa: E402


def weights(path):
    """name -> (shape, values) of a ludwig-c model_weights file, in file order"""
    out = {}
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"LCWTS001", "not a ludwig-c model_weights file"
    (n,) = struct.unpack_from("<I", data, 8)
    at = 12
    for _ in range(n):
        (nl,) = struct.unpack_from("<H", data, at)
        name = data[at + 2:at + 2 + nl].decode()
        at += 2 + nl
        _dt, nd = struct.unpack_from("<BB", data, at)
        shape = struct.unpack_from("<%dq" % nd, data, at + 2)
        at += 2 + 8 * nd
        (nb,) = struct.unpack_from("<Q", data, at)
        vals = struct.unpack_from("<%df" % (nb // 4), data, at + 8)
        at += 8 + nb
        out[name] = (list(shape), vals)
    assert at == len(data), "trailing bytes"
    return out


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
    want = fit(z, labels, int(kind == "binary"), torch.float64)
    print(f"{feature}: ludwig-c T = {T:.6f}; torch float64 fit {want['fitted']:.6f}, "
          f"ECE {want['ece_before']:.4f} -> {want['ece_after']:.4f}, reverted {want['reverted']}")
    if want["reverted"]:
        check(T == 1.0, f"torch reverts (ECE worse) but the temperature is {T}")
    else:
        # the logits come back from float32 probabilities, so rows the model is sure of carry
        # only a few digits: the same optimum to 2%, and as good an objective
        check(abs(T - want["temperature"]) <= 0.02 * want["temperature"],
              f"temperature {T} vs torch's {want['temperature']}")
        zz = torch.tensor(z if kind != "binary" else [[0.0, v] for v in z], dtype=torch.float64)
        ce = torch.nn.CrossEntropyLoss()
        y = torch.tensor(labels)
        ours, theirs = ce(zz / T, y).item(), ce(zz / want["temperature"], y).item()
        check(ours <= theirs * (1 + 1e-3) + 1e-9, f"NLL at T {ours} vs at torch's T {theirs}")

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
