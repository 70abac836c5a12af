#!/usr/bin/python3
"""gen_fixtures_conv1d.py - writes tests/fixtures/conv1d_cases.json: torch.nn.Conv1d(E, F, k,
padding="same") as Ludwig 0.10.3's Conv1DLayer runs it (a time-major (B, L, E) input transposed
to channels-first and back), forward and backward in float64 from float32 values, by torch 1.13
(Debian's python3-torch), for tests/unit/test_conv1d.c. Kernels 1 to 5 (odd and even: PyTorch
puts an even kernel's extra zero on the right); dilated "same", "valid", strided "valid". Run once from the repository root.
"""
import json

import torch


def case(k, B, L, E, F, seed, stride=1, dilation=1, valid=False):
    torch.manual_seed(seed)
    conv = torch.nn.Conv1d(E, F, k, stride=stride, dilation=dilation,
                           padding="valid" if valid else "same").double()
    with torch.no_grad():
        for p in conv.parameters():
            p.copy_(p.float().double())
    x = torch.randn(B, L, E).float().double().requires_grad_(True)
    Lo = conv(x.transpose(1, 2)).shape[2]
    dy = torch.randn(B, Lo, F).float().double()
    y = conv(x.transpose(1, 2)).transpose(1, 2)
    (y * dy).sum().backward()
    f = lambda t: [float(v) for v in t.detach().flatten().tolist()]
    return {"k": k, "B": B, "L": L, "E": E, "F": F, "stride": stride, "dilation": dilation,
            "valid": valid, "Lo": Lo, "x": f(x), "dy": f(dy), "w": f(conv.weight),
            "b": f(conv.bias), "y": f(y), "dx": f(x.grad), "dw": f(conv.weight.grad),
            "db": f(conv.bias.grad)}


def main():
    cases = [case(k, 3, 7, 4, 5, 20 + k) for k in (1, 2, 3, 4, 5)]
    cases.append(case(3, 19, 6, 3, 4, 31))  # more samples than one gradient group
    # Conv1DLayer's strides, dilation_rate and padding: "same" dilated (odd and even spans),
    # "valid", "valid" strided and dilated
    cases.append(case(3, 3, 9, 2, 3, 32, dilation=2))
    cases.append(case(2, 3, 9, 2, 3, 33, dilation=3))
    cases.append(case(4, 3, 9, 2, 3, 34, valid=True))
    cases.append(case(3, 10, 11, 3, 2, 35, stride=2, dilation=2, valid=True))
    cases.append(case(2, 3, 8, 2, 3, 36, stride=3, valid=True))
    with open("tests/fixtures/conv1d_cases.json", "w") as f:
        json.dump({"cases": cases}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
