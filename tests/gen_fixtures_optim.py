#!/usr/bin/python3
"""gen_fixtures_optim.py - writes tests/fixtures/optim_<case>.bin: torch.optim 1.13 reference
trajectories (single-tensor path, foreach=False) for tests/unit/test_optim.c.

Run once from the repository root with Debian's python3-torch; CI only reads the committed files.
Each file is little-endian float32:
  header[17] = n, steps, type, lr, beta1, beta2, eps, weight_decay, amsgrad, momentum, dampening,
               nesterov, alpha, centered, initial_accumulator_value, lr_decay, momentum_decay
  params0[n], then for each step: grad[n], params_after_step[n]
Every hyperparameter is rounded to float32 first, so torch and the C float struct see one value.
"""
import struct
import sys

import torch

N, STEPS = 50, 6
TYPES = {"sgd": 0, "adam": 1, "adamw": 2, "adagrad": 3, "rmsprop": 4, "adamax": 5, "nadam": 6}


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


# name, type, hyperparameters (lc_optim field names; unspecified ones take torch's defaults)
CASES = [
    ("sgd_plain_wd", "sgd", dict(lr=0.1, weight_decay=0.05)),
    ("sgd_nesterov", "sgd", dict(lr=0.05, momentum=0.9, nesterov=1, weight_decay=0.01)),
    ("sgd_dampening", "sgd", dict(lr=0.1, momentum=0.8, dampening=0.3)),
    ("adam", "adam", dict(lr=0.003)),
    ("adam_wd_amsgrad", "adam", dict(lr=0.01, beta1=0.8, beta2=0.95, eps=1e-6, weight_decay=0.02, amsgrad=1)),
    ("adamw", "adamw", dict(lr=0.02, beta1=0.85, beta2=0.99, weight_decay=0.05)),
    ("adamw_amsgrad", "adamw", dict(lr=0.01, weight_decay=0.1, amsgrad=1)),
    ("adagrad", "adagrad", dict(lr=0.05, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1)),
    ("rmsprop", "rmsprop", dict(lr=0.01)),
    ("rmsprop_centered_momentum", "rmsprop",
     dict(lr=0.01, alpha=0.9, eps=1e-7, weight_decay=0.01, momentum=0.5, centered=1)),
    ("adamax", "adamax", dict(lr=0.01, beta1=0.85, beta2=0.98, eps=1e-7, weight_decay=0.01)),
    ("nadam", "nadam", dict(lr=0.01, beta1=0.85, beta2=0.995, weight_decay=0.01, momentum_decay=5e-3)),
]

DEFAULTS = {
    "sgd": dict(lr=0.1, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=0),
    "adam": dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, amsgrad=0),
    "adamw": dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2, amsgrad=0),
    "adagrad": dict(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10),
    "rmsprop": dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=0),
    "adamax": dict(lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0),
    "nadam": dict(lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, momentum_decay=4e-3),
}

FIELDS = ["type", "lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad", "momentum", "dampening",
          "nesterov", "alpha", "centered", "initial_accumulator_value", "lr_decay", "momentum_decay"]


def make_opt(kind, p, h):
    if kind == "sgd":
        return torch.optim.SGD([p], lr=h["lr"], momentum=h["momentum"], dampening=h["dampening"],
                               weight_decay=h["weight_decay"], nesterov=bool(h["nesterov"]), foreach=False)
    if kind in ("adam", "adamw"):
        cls = torch.optim.Adam if kind == "adam" else torch.optim.AdamW
        return cls([p], lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"],
                   weight_decay=h["weight_decay"], amsgrad=bool(h["amsgrad"]), foreach=False)
    if kind == "adagrad":
        return torch.optim.Adagrad([p], lr=h["lr"], lr_decay=h["lr_decay"], weight_decay=h["weight_decay"],
                                   initial_accumulator_value=h["initial_accumulator_value"], eps=h["eps"],
                                   foreach=False)
    if kind == "rmsprop":
        return torch.optim.RMSprop([p], lr=h["lr"], alpha=h["alpha"], eps=h["eps"], weight_decay=h["weight_decay"],
                                   momentum=h["momentum"], centered=bool(h["centered"]), foreach=False)
    if kind == "adamax":
        return torch.optim.Adamax([p], lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"],
                                  weight_decay=h["weight_decay"], foreach=False)
    if kind == "nadam":
        return torch.optim.NAdam([p], lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"],
                                 weight_decay=h["weight_decay"], momentum_decay=h["momentum_decay"],
                                 foreach=False)
    raise ValueError(kind)


def pack(t):
    return struct.pack("<%df" % t.numel(), *t.flatten().tolist())


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures"
    for ci, (name, kind, over) in enumerate(CASES):
        h = dict(DEFAULTS[kind])
        h.update(over)
        h = {k: (f32(v) if isinstance(v, float) else v) for k, v in h.items()}
        g = torch.Generator().manual_seed(1000 + ci)
        p0 = torch.randn(N, generator=g) * 0.5
        p = torch.nn.Parameter(p0.clone())
        opt = make_opt(kind, p, h)
        head = [float(N), float(STEPS)] + [float(TYPES[kind] if f == "type" else h.get(f, 0.0)) for f in FIELDS]
        out = [struct.pack("<%df" % len(head), *head), pack(p0)]
        for s in range(STEPS):
            grad = torch.randn(N, generator=g) * (0.1 + s * 0.3)
            grad[(s * 7) % N] = 0.0  # an exact zero gradient each step
            p.grad = grad.clone()
            opt.step()
            out += [pack(grad), pack(p.detach())]
        with open("%s/optim_%s.bin" % (outdir, name), "wb") as f:
            f.write(b"".join(out))


if __name__ == "__main__":
    main()
