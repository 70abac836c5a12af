"""make_torchzip_seeds.py OUTDIR MODEL_WEIGHTS...: the seeds of fuzz_torchzip's corpus. Each
MODEL_WEIGHTS file (a state_dict zip: upstream's test-data/temp_model01/model_weights, ones ludwig-c
wrote) is copied as it is; and for fuzz_torchzip's pickle mode (an input that does not start with "PK":
the pickle, "#S#", the bytes of every storage), the data.pkl of small state_dicts that torch.save (Debian's python3-torch)
writes with storages of one size: floats, int64 counters, a 0-d tensor, an empty tensor, shared
storages and views. Seeds are named by their SHA-1, as libFuzzer names its corpus."""
import collections
import hashlib
import io
import os
import sys
import zipfile

import torch


def put(outdir, data):
    with open(os.path.join(outdir, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def pickle_seed(sd, storage_bytes):
    buf = io.BytesIO()
    torch.save(sd, buf)
    z = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    pkl = [n for n in z.namelist() if n.endswith("/data.pkl")][0]
    return z.read(pkl) + b"#S#" + storage_bytes


def main():
    outdir = sys.argv[1]
    for path in sys.argv[2:]:
        put(outdir, open(path, "rb").read())
    four = torch.arange(4, dtype=torch.float32)
    seeds = [
        collections.OrderedDict(a=four, b=torch.ones(2, 2), c=torch.tensor([7, 9], dtype=torch.int64)),
        collections.OrderedDict(w=torch.zeros(1, 4), bias=torch.full((4,), 0.5)),
        collections.OrderedDict(m=four.clone(), v=four.clone().reshape(2, 2).t().contiguous()),
    ]
    for sd in seeds:
        put(outdir, pickle_seed(sd, bytes(range(16))))
    bn = collections.OrderedDict(running_mean=torch.zeros(2), num_batches_tracked=torch.tensor(3, dtype=torch.int64))
    put(outdir, pickle_seed(bn, bytes(8)))
    base = torch.arange(8, dtype=torch.float32)
    shared = collections.OrderedDict(x=base, y=base[2:6], z=base.reshape(2, 4))
    put(outdir, pickle_seed(shared, bytes(range(32))))
    put(outdir, pickle_seed(collections.OrderedDict(e=torch.zeros(0, 3), s=torch.zeros(4)), bytes(16)))


if __name__ == "__main__":
    main()
