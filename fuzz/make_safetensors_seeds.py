#!/usr/bin/python3
"""Writes fuzz/corpus/safetensors/'s seeds: small .safetensors files in the format's layout (an
8-byte little-endian header length, the JSON header, the data), each named by its SHA-1. Covers
F32, I64 and I32 tensors, an empty and a 0-d tensor, __metadata__, a header padded with spaces
(as the format allows), an F16 tensor (refused) and ViT-like names."""
import hashlib
import json
import os
import struct


def st(tensors, meta=None, pad=0):
    hdr = {}
    if meta is not None:
        hdr["__metadata__"] = meta
    data = b""
    for name, (dt, shape, raw) in tensors.items():
        hdr[name] = {"dtype": dt, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(hdr).encode() + b" " * pad
    return struct.pack("<Q", len(h)) + h + data


SEEDS = [
    st({"w": ("F32", [2, 3], struct.pack("<6f", *range(6)))}),
    st({"a": ("F32", [1], struct.pack("<f", 1.5)), "b": ("I64", [2], struct.pack("<2q", 3, -4)),
        "c": ("I32", [2, 1], struct.pack("<2i", 7, 8))}, meta={"format": "pt"}),
    st({"e": ("F32", [0, 4], b"")}),
    st({"s": ("F32", [], struct.pack("<f", 2.0))}, pad=5),
    st({"h": ("F16", [2], b"\x00\x3c\x00\x40")}),
    st({"vit.embeddings.cls_token": ("F32", [1, 1, 4], struct.pack("<4f", 0.1, 0.2, 0.3, 0.4)),
        "vit.embeddings.patch_embeddings.projection.bias": ("F32", [4], struct.pack("<4f", 1, 2, 3, 4))},
       meta={"format": "pt"}),
]

if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "safetensors")
    os.makedirs(out, exist_ok=True)
    for s in SEEDS:
        with open(os.path.join(out, hashlib.sha1(s).hexdigest()), "wb") as f:
            f.write(s)
