#!/usr/bin/python3
"""torchzip_check.py FILE - test_torchzip's check with Debian's python3-torch: torch.load(FILE,
weights_only=True) reads the state_dict lc_torch_save wrote, with the names, dtypes, shapes and
values test_torchzip.c gave it (the same formulas). Exit status 0 when all match."""
import sys

import torch

sd = torch.load(sys.argv[1], weights_only=True)
want = [
    ("encoder.weight", torch.float32, (3, 4)),
    ("encoder.bias", torch.float32, (3,)),
    ("bn.num_batches_tracked", torch.int64, ()),
    ("conv.weight", torch.float32, (2, 3, 1, 2)),
    ("big.ids", torch.int64, (5,)),
    ("long.vector", torch.float32, (70000,)),
    ("bag.vocab_indices", torch.int32, (4,)),
]
assert list(sd.keys()) == [w[0] for w in want], list(sd.keys())
for name, dtype, shape in want:
    t = sd[name]
    assert t.dtype == dtype and tuple(t.shape) == shape, (name, t.dtype, tuple(t.shape))
    n = t.numel()
    if dtype == torch.float32:
        ref = torch.tensor([i * 0.5 - 2.25 for i in range(n)], dtype=torch.float32).reshape(shape)
    elif dtype == torch.int32:
        ref = torch.arange(4, dtype=torch.int32)
    elif name == "big.ids":
        ref = torch.tensor([(1 << 40) + i for i in range(n)], dtype=torch.int64)
    else:
        ref = torch.tensor(7, dtype=torch.int64)
    assert torch.equal(t, ref), name
print("torchzip_check: torch %s read %d tensors, names, dtypes, shapes and values as written" % (torch.__version__, len(sd)))
