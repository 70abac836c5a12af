#!/usr/bin/python3
"""Writes the fixtures of tests/unit/test_jsonw.c with Python's own json module (run once, by
hand; CI only reads the committed files):
  tests/fixtures/json_float_repr.txt  "<16 hex digits of the IEEE bits> <repr(float)>" per line:
                                      edge cases plus seeded random bit patterns and decimals
  tests/fixtures/json_py_sample.json  json.dump(sort_keys=True, indent=4) of a tree with nested
                                      containers, escapes, non-ASCII, ints, floats, NaN/Infinity
"""
import json
import math
import random
import struct


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def main():
    rng = random.Random(20240517)
    vals = [0.0, -0.0, 0.1, 1.0, -1.0, 1e-05, 0.0001, 0.001, 1e16, 1e15, 9999999999999998.0,
            1.2345678901234568e+17, 123456789012345680.0, 5e-324, 2.2250738585072014e-308,
            1.7976931348623157e+308, 3.0000000000000004, 0.3, 2.0 ** 53, 2.0 ** 53 + 2,
            1e22, 1e23, 9.5367431640625e-07, 0.8999999761581421, 0.03626325726509094,
            123.456, 1 / 3, 2 / 3, 100.0, 1e-7, 4.35, 0.000123, 5e-5, 2.0 ** -1022, 2.0 ** -1074 * 3,
            float("nan"), float("inf"), float("-inf")]
    for e in range(-330, 310, 7):  # powers of two and ten: the asymmetric rounding intervals
        vals.append(10.0 ** e if e > -324 else 5e-324)
    for e in range(-1074, 1024, 11):
        vals.append(2.0 ** e)
    for _ in range(3000):  # random bit patterns (finite only)
        while True:
            b = rng.getrandbits(64)
            x = struct.unpack("<d", struct.pack("<Q", b))[0]
            if math.isfinite(x):
                break
        vals.append(x)
    for _ in range(2000):  # short decimals, the common case in metric files
        vals.append(round(rng.uniform(-1000, 1000), rng.randint(0, 8)) * 10.0 ** rng.randint(-12, 12))
    for _ in range(1000):  # float32 values seen as float64, as torch .item() produces
        vals.append(struct.unpack("<f", struct.pack("<f", rng.random()))[0])
    with open("tests/fixtures/json_float_repr.txt", "w") as f:
        for x in vals:
            f.write("%016x %s\n" % (bits(x), json.dumps(x)))

    sample = {
        "zeta": [1, 2.5, [], {}, [[]], {"a": {}}],
        "alpha": {"b": True, "a": False, "c": None, "B": 0, "_": -7, "~": 1e-05},
        "escapes": "quote\" backslash\\ slash/ nl\n cr\r tab\t bs\b ff\f ctl\x01\x1f del\x7f",
        "unicode": "caf\u00e9 \u20ac \U0001f600 \u4e2d",
        "\u00e9key": 1,
        "Zkey": 2,
        "10": "ten", "9": "nine", "": "empty key",
        "floats": [0.1, 1.0, -0.0, 3.0000000000000004, 1e16, 1e+22, 5e-324, 123456789.125,
                   float("nan"), float("inf"), float("-inf"), 0.8999999761581421],
        "ints": [0, -1, 2 ** 53, 2 ** 63 - 1, -(2 ** 63), 12345678901234567890],
        "deep": {"l1": {"l2": {"l3": [{"x": [1, {"y": []}]}]}}},
    }
    with open("tests/fixtures/json_py_sample.json", "w") as f:
        json.dump(sample, f, sort_keys=True, indent=4)


if __name__ == "__main__":
    main()
