#!/usr/bin/python3
"""gen_fixtures_calibration.py - writes tests/fixtures/calibration_cases.json: Ludwig 0.10.3's
temperature scaling (ludwig/utils/calibration.py TemperatureScaling.train_calibration, run by
ludwig/models/calibrator.py after training when an output sets `calibration: true`), fitted by
torch 1.13 (Debian's python3-torch), for tests/unit/test_calibration.c.

Ludwig is not installed, so the fit is written here in torch from its definition:
  objective    torch.nn.CrossEntropyLoss()(logits / T, one_hot(labels).float()); a binary
               output's logits a become the pairs (0, a)
  optimizer    torch.optim.LBFGS([T], lr=0.01, max_iter=50, line_search_fn="strong_wolfe"), one
               step from T = 1
  ECE          15 bins of torch.linspace(0, 1, 16), a row in (lower, upper] by its top softmax
               probability, sum over bins of |mean confidence - accuracy| * share of rows
  revert       T back to 1 when the ECE after the fit is higher than before
Each case is run on float32 tensors (what Ludwig computes: "want32") and on float64 tensors of
the same float32 logits ("want64": the definition in exact-ish arithmetic, which the C code's
double arithmetic must match closely).

The logits come from real data: logistic regressions (sklearn, almost unregularised, so
over-confident, and strongly regularised, so under-confident) fitted on the training half of the
UCI wine (3 classes) and breast cancer (binary) tables that Debian's python3-sklearn ships,
evaluated on the other half; plus small edge cases (a separable set whose optimum T is 0, a set
where the fit makes the ECE worse). Run once from the repository root; CI only reads the file.
"""
import json
import struct

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler


def f32(x):
    return struct.unpack("<f", struct.pack("<f", float(x)))[0]


def ece(z, labels):
    edges = torch.linspace(0, 1, 16)
    conf, pred = torch.max(torch.softmax(z, dim=1), 1)
    acc = pred.eq(labels)
    out = torch.zeros(1, dtype=z.dtype)
    for lo, hi in zip(edges[:-1], edges[1:]):
        inb = conf.gt(lo.item()) * conf.le(hi.item())
        if inb.float().mean().item() > 0:
            out += torch.abs(conf[inb].mean() - acc[inb].float().mean()) * inb.float().mean()
    return out.item()


def fit(logits, labels, binary, dtype):
    z = torch.tensor(logits, dtype=dtype)
    y = torch.tensor(labels, dtype=torch.int64)
    if binary:
        z = torch.stack([torch.zeros_like(z), z], dim=-1)
    onehot = torch.nn.functional.one_hot(y, z.shape[1]).to(dtype)
    ce = torch.nn.CrossEntropyLoss()
    temp = torch.nn.Parameter(torch.ones(1, dtype=dtype))
    nll_b, ece_b = ce(z, onehot).item(), ece(z, y)
    opt = torch.optim.LBFGS([temp], lr=0.01, max_iter=50, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = ce(z / temp, onehot)
        loss.backward()
        return loss

    opt.step(closure)
    st = opt.state[temp]
    t = temp.item()
    with torch.no_grad():
        nll_a, ece_a = ce(z / t, onehot).item(), ece(z / t, y)
    return {"fitted": t, "nll_before": nll_b, "ece_before": ece_b, "nll_after": nll_a,
            "ece_after": ece_a, "reverted": int(ece_a > ece_b),
            "temperature": 1.0 if ece_a > ece_b else t,
            "iterations": st["n_iter"], "evaluations": st["func_evals"]}


def lr_logits(X, y, C, binary):
    half = np.arange(len(y)) % 2 == 0
    sc = StandardScaler().fit(X[half])
    m = LogisticRegression(C=C, max_iter=5000).fit(sc.transform(X[half]), y[half])
    z = m.decision_function(sc.transform(X[~half]))
    return [f32(v) for v in np.ravel(z)], [int(v) for v in y[~half]]


def main():
    cases = []

    def add(name, logits, labels, K, binary):
        c = {"name": name, "K": K, "binary": binary, "logits": logits, "labels": labels}
        for dt, key in [(torch.float32, "want32"), (torch.float64, "want64")]:
            c[key] = fit(logits if binary else np.reshape(logits, (-1, K)).tolist(), labels,
                         binary, dt)
        cases.append(c)

    w = load_wine()
    for C, tag in [(1e4, "overconfident"), (0.01, "underconfident")]:
        z, y = lr_logits(w.data, w.target, C, False)
        add(f"wine_{tag}", z, y, 3, 0)
    b = load_breast_cancer()
    for C, tag in [(1e3, "overconfident"), (0.003, "underconfident")]:
        z, y = lr_logits(b.data, b.target, C, True)
        add(f"breast_cancer_{tag}", z, y, 1, 1)
    # separable: every row right with a margin, so the NLL falls as T -> 0
    add("separable", [f32(v) for v in [2.0, -1.5, 3.0, -2.5, 1.0, -0.5]], [1, 0, 1, 0, 1, 0], 1, 1)
    # small and noisy: search a seed whose fit makes the ECE worse (the revert path)
    g = torch.Generator().manual_seed(7)
    for seed in range(200):
        z = [f32(v) for v in (torch.randn(8 * 3, generator=g) * 2).tolist()]
        y = torch.randint(0, 3, (8,), generator=g).tolist()
        if fit(np.reshape(z, (-1, 3)).tolist(), y, 0, torch.float32)["reverted"]:
            add("revert", z, y, 3, 0)
            break
    with open("tests/fixtures/calibration_cases.json", "w") as f:
        json.dump({"cases": cases}, f, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
