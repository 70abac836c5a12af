#!/usr/bin/python3
"""gen_fixtures_losses.py - writes tests/fixtures/losses_cases.json: the number, binary and
category losses and the embedding of Ludwig 0.10.3, run by torch 1.13 (Debian's python3-torch),
for tests/unit/test_losses.c.

Run once from the repository root; CI only reads the committed file. Ludwig and torchmetrics are
not installed, so each loss is written here in torch from its definition:
  mean_squared_error / mean_absolute_error / huber  torch.nn.MSELoss / L1Loss / HuberLoss(delta)
  root_mean_squared_error                           sqrt(MSELoss)              (loss_modules.py)
  mean_absolute_percentage_error                    torchmetrics: sum(|p - t| / clamp(|t|, min=1.17e-6)) / n
  root_mean_squared_percentage_error                loss_utils.rmspe_loss: sqrt(mean(((t - p) / (t + 1e-4 * (t == 0))) ** 2))
  binary_weighted_cross_entropy                     BWCEWLoss: BCEWithLogitsLoss(pos_weight), robust_lambda,
                                                    mean_confidence_penalty(sigmoid(logits), 2)
  softmax_cross_entropy                             CrossEntropyLoss(weight=class_weights)
  embedding                                         torch.nn.Embedding
Parameters are float32 values (the C structs hold floats; torch applies a Python scalar to a
float32 tensor rounded to float32 too). Every case is run twice: on float32 tensors (what Ludwig computes: "want32") and on float64
tensors of the same float32 inputs with the float32 values of the constants ("want64": the exact
definition, which the C code's double arithmetic must match closely). The inputs are float32
values, so json's shortest repr round-trips them exactly through strtod.
"""
import json
import struct
import sys

import torch


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


MAPE_EPS = f32(1.17e-6)
RMSPE_EPS = f32(1e-4)
CLAMP_MIN = f32(1e-10)


def num_loss(kind, delta, p, t):
    if kind == "mean_squared_error":
        return torch.nn.MSELoss()(p, t)
    if kind == "mean_absolute_error":
        return torch.nn.L1Loss()(p, t)
    if kind == "root_mean_squared_error":
        return torch.sqrt(torch.nn.MSELoss()(p, t))
    if kind == "mean_absolute_percentage_error":
        return torch.sum(torch.abs(p - t) / torch.clamp(torch.abs(t), min=MAPE_EPS)) / t.numel()
    if kind == "root_mean_squared_percentage_error":
        den = t + RMSPE_EPS * (t == 0).to(t.dtype)
        return torch.sqrt(torch.mean(((t - p) / den) ** 2))
    if kind == "huber":
        return torch.nn.HuberLoss(delta=delta)(p, t)
    raise ValueError(kind)


def bwce_loss(o, z, t):
    pw = o["pos_weight"]
    if pw:
        fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor([pw], dtype=z.dtype))
    else:
        fn = torch.nn.BCEWithLogitsLoss()
    loss = fn(z, t)
    rl = o["robust_lambda"]
    if rl > 0:
        loss = (1 - rl) * loss + rl / 2
    loss = torch.mean(loss)
    cp = o["confidence_penalty"]
    if cp > 0:
        probs = torch.sigmoid(z)
        max_entropy = torch.log(torch.tensor(2)).to(z.dtype)  # float32's log 2, as Ludwig
        ent, _ = torch.max(-probs * torch.log(torch.clamp(probs, CLAMP_MIN, 1)), dim=0)
        ent = torch.sum(ent, -1)
        loss = loss + cp * torch.mean((max_entropy - ent) / max_entropy)
    return loss


def run(fn, inputs, dtype):
    """fn(*tensors) -> scalar; the first input gets a gradient. Returns (loss, grad)."""
    ts = [torch.tensor(v, dtype=dtype) for v in inputs]
    ts[0].requires_grad_(True)
    loss = fn(*ts)
    loss.backward()
    return loss.item(), ts[0].grad.tolist()


def floats(g, n, lo, hi):
    return [f32(v) for v in (torch.rand(n, generator=g, dtype=torch.float64) * (hi - lo) + lo).tolist()]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/losses_cases.json"
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(20240517)
    cases = []

    # number losses: exact binary fractions, so the edge cases are exact in float32:
    # b0 pred == target (|x| subgradient), b1 target 0 (MAPE clamp, RMSPE epsilon),
    # b2 |pred - target| == 1 and b3 == 0.5 (huber delta), b4 target below the MAPE clamp
    pred = [2.5, 0.75, 1.5, 0.25, 0.5, -1.25, 3.0] + floats(g, 5, -3, 3)
    target = [2.5, 0.0, 0.5, -0.25, f32(5e-7), 0.5, -2.0] + floats(g, 5, -3, 3)
    for kind, delta in [("mean_squared_error", 1.0), ("mean_absolute_error", 1.0),
                        ("root_mean_squared_error", 1.0), ("mean_absolute_percentage_error", 1.0),
                        ("root_mean_squared_percentage_error", 1.0), ("huber", 1.0),
                        ("huber", 0.5), ("huber", f32(0.3))]:
        c = {"name": kind if kind != "huber" else "huber_delta_%g" % delta, "kind": "number",
             "loss": kind, "delta": delta, "pred": pred, "target": target}
        for dt, key in [(torch.float32, "want32"), (torch.float64, "want64")]:
            loss, grad = run(lambda p, t: num_loss(kind, delta, p, t), [pred, target], dt)
            c[key] = {"loss": loss, "grad": grad}
        cases.append(c)

    # binary: large logits of both signs (stability), 0, and a logit that makes p == 1 in float32
    logits = [0.0, 30.0, -30.0, 20.0, -0.5, 1.25, -2.0, 0.75] + floats(g, 6, -4, 4)
    tgt = [1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0]
    for name, o in [("bwce_plain", dict(pos_weight=0, robust_lambda=0, confidence_penalty=0)),
                    ("bwce_pos_weight", dict(pos_weight=2.5, robust_lambda=0, confidence_penalty=0)),
                    ("bwce_robust_1", dict(pos_weight=0, robust_lambda=1, confidence_penalty=0)),
                    ("bwce_robust_frac", dict(pos_weight=0, robust_lambda=0.25, confidence_penalty=0)),
                    ("bwce_penalty", dict(pos_weight=0, robust_lambda=0, confidence_penalty=f32(0.1))),
                    ("bwce_all", dict(pos_weight=f32(0.7), robust_lambda=f32(0.2), confidence_penalty=0.5))]:
        c = {"name": name, "kind": "bwce", "logits": logits, "target": tgt}
        c.update(o)
        for dt, key in [(torch.float32, "want32"), (torch.float64, "want64")]:
            loss, grad = run(lambda z, t: bwce_loss(o, z, t), [logits, tgt], dt)
            c[key] = {"loss": loss, "grad": grad,
                      "probs": torch.sigmoid(torch.tensor(logits, dtype=dt)).tolist()}
        cases.append(c)

    # category: class weights with a zero weight on a present class, repeated labels, big logits
    B, C = 7, 5
    z = floats(g, B * C, -3, 3)
    z[5:10] = [50.0, -50.0, 0.0, 49.0, -1.0]
    labels = [0, 3, 3, 1, 4, 2, 3]
    for name, w in [("xent_plain", None), ("xent_weights", [0.5, 1.0, 2.0, 0.0, 3.0]),
                    ("xent_weights_frac", [f32(0.1), f32(0.7), f32(1.3), f32(2.9), f32(0.45)])]:
        c = {"name": name, "kind": "xent", "B": B, "C": C, "logits": z, "labels": labels,
             "class_weights": w}
        for dt, key in [(torch.float32, "want32"), (torch.float64, "want64")]:
            fn = torch.nn.CrossEntropyLoss(weight=None if w is None else torch.tensor(w, dtype=dt))
            zt = torch.tensor(z, dtype=dt).reshape(B, C).requires_grad_(True)
            loss = fn(zt, torch.tensor(labels, dtype=torch.long))
            loss.backward()
            c[key] = {"loss": loss.item(), "grad": zt.grad.flatten().tolist(),
                      "probs": torch.softmax(zt.detach(), 1).flatten().tolist()}
        cases.append(c)

    # embedding: repeated indices (scatter-add), an unused row
    V, D = 7, 3
    idx = [3.0, 0.0, 6.0, 3.0, 1.0, 3.0, 6.0, 2.0, 5.0]
    W = floats(g, V * D, -1, 1)
    dy = floats(g, len(idx) * D, -1, 1)
    emb = torch.nn.Embedding(V, D)
    with torch.no_grad():
        emb.weight.copy_(torch.tensor(W).reshape(V, D))
    y = emb(torch.tensor(idx).long())
    y.backward(torch.tensor(dy).reshape(len(idx), D))
    cases.append({"name": "embedding", "kind": "embed", "V": V, "D": D, "idx": idx, "W": W,
                  "dy": dy, "want32": {"y": y.detach().flatten().tolist(),
                                       "dW": emb.weight.grad.flatten().tolist()}})

    # set: BCEWithLogitsLoss over (N, K) labels, mean over all elements, with and without
    # pos_weight; big logits of both signs
    N, K = 4, 3
    zs = floats(g, N * K, -4, 4)
    zs[0:3] = [25.0, -25.0, 0.0]
    ts = [1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0]
    for name, pw in [("sigmoid_xent_plain", None), ("sigmoid_xent_pos_weight", [2.0, f32(0.3), 1.0])]:
        c = {"name": name, "kind": "sigmoid_xent", "N": N, "K": K, "logits": zs, "target": ts,
             "pos_weight": pw}
        for dt, key in [(torch.float32, "want32"), (torch.float64, "want64")]:
            fn = torch.nn.BCEWithLogitsLoss(pos_weight=None if pw is None else torch.tensor(pw, dtype=dt))
            zt = torch.tensor(zs, dtype=dt).reshape(N, K).requires_grad_(True)
            loss = fn(zt, torch.tensor(ts, dtype=dt).reshape(N, K))
            loss.backward()
            c[key] = {"loss": loss.item(), "grad": zt.grad.flatten().tolist(),
                      "probs": torch.sigmoid(zt.detach()).flatten().tolist()}
        cases.append(c)

    with open(out, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, indent=0, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
