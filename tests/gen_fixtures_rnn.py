#!/usr/bin/python3
"""gen_fixtures_rnn.py - writes tests/fixtures/rnn_cases.json: one direction of one layer of
torch.nn.RNN (tanh), torch.nn.GRU and torch.nn.LSTM (batch_first, zero initial state; what
Ludwig 0.10.3's RecurrentStack delegates to), run by torch 1.13 (Debian's python3-torch) in
float64, forward and backward, for tests/unit/test_rnn.c.

A reverse direction (the second half of a bidirectional layer) is the same module run on the
time-reversed input, its output reversed back. Each case: x (B, T, I), the module's weights
(torch's own initialisation), an upstream gradient dy, and y, dx and every weight and bias
gradient of sum(y * dy). The inputs are float32 values, so the C code sees the same numbers.
Run once from the repository root; CI only reads the committed file.
"""
import json

import torch


def f32list(t):
    return [float(v) for v in t.detach().to(torch.float32).flatten().tolist()]


def case(cell, reverse, B, T, I, H, seed):
    torch.manual_seed(seed)
    mod = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[cell](
        I, H, batch_first=True)
    x32 = torch.randn(B, T, I)
    dy32 = torch.randn(B, T, H)
    # float32 values, computed in float64
    mod = mod.double()
    with torch.no_grad():
        for p in mod.parameters():
            p.copy_(p.float().double())
    x = x32.double().requires_grad_(True)
    dy = dy32.double()
    xin = torch.flip(x, dims=(1,)) if reverse else x
    y, _ = mod(xin)
    if reverse:
        y = torch.flip(y, dims=(1,))
    (y * dy).sum().backward()
    p = dict(mod.named_parameters())
    return {
        "cell": cell, "reverse": reverse, "B": B, "T": T, "I": I, "H": H,
        "x": f32list(x32), "dy": f32list(dy32),
        "w_ih": f32list(p["weight_ih_l0"]), "w_hh": f32list(p["weight_hh_l0"]),
        "b_ih": f32list(p["bias_ih_l0"]), "b_hh": f32list(p["bias_hh_l0"]),
        "y": y.detach().flatten().tolist(), "dx": x.grad.flatten().tolist(),
        "dw_ih": p["weight_ih_l0"].grad.flatten().tolist(),
        "dw_hh": p["weight_hh_l0"].grad.flatten().tolist(),
        "db_ih": p["bias_ih_l0"].grad.flatten().tolist(),
        "db_hh": p["bias_hh_l0"].grad.flatten().tolist(),
    }


def main():
    cases = []
    seed = 1
    for cell in ["rnn", "gru", "lstm"]:
        for reverse in [0, 1]:
            cases.append(case(cell, reverse, 3, 5, 2, 4, seed))
            seed += 1
    cases.append(case("lstm", 0, 2, 7, 1, 6, seed))  # a scalar series, as a timeseries input
    with open("tests/fixtures/rnn_cases.json", "w") as f:
        json.dump({"cases": cases}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
