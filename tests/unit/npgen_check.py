#!/usr/bin/python3
"""npgen_check.py - test_npgen's reference: numpy's np.random.default_rng(seed) drawing a fixed
script of calls (the Generator methods Ray Tune's samplers use). One line per draw:
seed op a b value, where op is random, uniform, integers or normal."""
import numpy as np

script = [("random", 0, 0), ("uniform", 0.0001, 0.1), ("integers", 5, 10), ("integers", 0, 3),
          ("random", 0, 0), ("integers", 0, 1 << 40), ("normal", 0.0, 1.0), ("integers", -7, 1000003),
          ("uniform", -3.5, 2.25), ("normal", 10.0, 0.5), ("integers", 0, 2), ("random", 0, 0)]
for seed in [42, 0, 1, 7, 2 ** 32 - 1, 2 ** 32, 123456789012, 2 ** 63 - 1]:
    g = np.random.default_rng(seed)
    for rep in range(40):
        for op, a, b in script:
            if op == "random":
                v = repr(g.random())
            elif op == "uniform":
                v = repr(g.uniform(a, b))
            elif op == "integers":
                v = str(g.integers(a, b))
            else:
                v = repr(g.normal(a, b))
            print(seed, op, a, b, v)
