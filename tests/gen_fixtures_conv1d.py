#!/usr/bin/python3
"""gen_fixtures_conv1d.py - writes tests/fixtures/conv1d_cases.json: torch.nn.Conv1d(E, F, k,
padding="same") as Ludwig 0.10.3's Conv1DLayer runs it (a time-major (B, L, E) input transposed
to channels-first and back), forward and backward in float64 from float32 values, by torch 1.13
(Debian's python3-torch), for tests/unit/test_conv1d.c. Kernels 1 to 5 (odd and even: PyTorch
puts an even kernel's extra zero on the right). Run once from the repository root.
"""
import json

import torch


def case(k, B, L, E, F, seed):
    torch.manual_seed(seed)
    conv = torch.nn.Conv1d(E, F, k, padding="same").double()
    with torch.no_grad():
        for p in conv.parameters():
            p.copy_(p.float().double())
    x = torch.randn(B, L, E).float().double().requires_grad_(True)
    dy = torch.randn(B, L, F).float().double()
    y = conv(x.transpose(1, 2)).transpose(1, 2)
    (y * dy).sum().backward()
    f = lambda t: [float(v) for v in t.detach().flatten().tolist()]
    return {"k": k, "B": B, "L": L, "E": E, "F": F, "x": f(x), "dy": f(dy), "w": f(conv.weight),
            "b": f(conv.bias), "y": f(y), "dx": f(x.grad), "dw": f(conv.weight.grad),
            "db": f(conv.bias.grad)}


def main():
    cases = [case(k, 3, 7, 4, 5, 20 + k) for k in (1, 2, 3, 4, 5)]
    cases.append(case(3, 19, 6, 3, 4, 31))  # more samples than one gradient group
    with open("tests/fixtures/conv1d_cases.json", "w") as f:
        json.dump({"cases": cases}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
