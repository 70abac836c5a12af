#!/usr/bin/python3
"""Writes what tests/unit/test_vit_legacy.c compares ludwig-c's `_vit_legacy` encoder with: a
PyTorch module written here after HuggingFace transformers' ViTModel (modeling_vit.py: Debian has
no python3-transformers), with its parameter names, on real photographs of test-data.

The module: embeddings (cls_token (1, 1, E), position_embeddings (1, 1 + N, E),
patch_embeddings.projection Conv2d(C, E, P, stride P); the class token before the patches, the
positions added, dropout), encoder.layer.<i> (layernorm_before; attention.attention.query, key,
value; softmax(q k^T / sqrt(d)) with dropout, per head; attention.output.dense and dropout; the
residual; layernorm_after; intermediate.dense and hidden_act; output.dense and dropout; the
residual), layernorm, pooler.dense and tanh on the class token: pooler_output. Every LayerNorm
has eps layer_norm_eps. Its weights here are random and larger than HF's initialisation so that
every part matters.

Usage: gen_vit_legacy.py DIR. Per case DIR/<case>.txt: "B S C K F", then "P E L NH M ACT EPS",
then one line per parameter tensor (Ludwig's state_dict name and shape, in the module's order);
DIR/<case>.bin, little-endian float32 arrays in order:
  x (B,C,S,S)   photographs scaled to [0, 1] (Ludwig's image preprocessing without standardize)
  the parameters, in the .txt's order
  hw (K,F), hb (K) a linear head on the encoder output; loss = sum(G * (enc @ hw.T + hb))
  g (B,K)
  eval (B,F)    pooler_output in eval mode
  train (B,F)   in train mode with every dropout 0
  the loss's gradient of each parameter, in the .txt's order
DIR/hub/models--test-org--vit-small/ and vit-small-bin/: "small"'s weights (less the pooler, with a
classifier, under vit.) in a HuggingFace hub cache, as model.safetensors and pytorch_model.bin.
DIR/default_224.txt: the default ViTConfig (hidden 768, 12 layers, 12 heads, 3072, patch 16) at
224x224, 3 channels: the header and the names and shapes alone.
"""
import math
import os
import sys

import torch
from PIL import Image
from torch import nn

PREFIX = "input_features.module_dict.image_path__ludwig.encoder_obj.transformer.module."
ACTS = {"gelu": nn.GELU(), "relu": nn.ReLU(), "selu": nn.SELU(),
        "gelu_new": lambda x: 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))}


class PatchEmbeddings(nn.Module):
    def __init__(s, C, P, E):
        super().__init__()
        s.projection = nn.Conv2d(C, E, kernel_size=P, stride=P)

    def forward(s, x):
        return s.projection(x).flatten(2).transpose(1, 2)


class Embeddings(nn.Module):
    def __init__(s, C, S, P, E, drop):
        super().__init__()
        n = (S // P) * (S // P)
        s.cls_token = nn.Parameter(torch.randn(1, 1, E) * 0.5)
        s.patch_embeddings = PatchEmbeddings(C, P, E)
        s.position_embeddings = nn.Parameter(torch.randn(1, n + 1, E) * 0.5)
        s.dropout = nn.Dropout(drop)

    def forward(s, x):
        e = s.patch_embeddings(x)
        e = torch.cat((s.cls_token.expand(x.shape[0], -1, -1), e), dim=1)
        return s.dropout(e + s.position_embeddings)


class SelfAttention(nn.Module):
    def __init__(s, E, NH, drop):
        super().__init__()
        s.NH, s.d = NH, E // NH
        s.query = nn.Linear(E, E)
        s.key = nn.Linear(E, E)
        s.value = nn.Linear(E, E)
        s.dropout = nn.Dropout(drop)

    def split(s, t):
        B, T, _ = t.shape
        return t.view(B, T, s.NH, s.d).permute(0, 2, 1, 3)

    def forward(s, h):
        q, k, v = s.split(s.query(h)), s.split(s.key(h)), s.split(s.value(h))
        a = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(s.d)
        a = s.dropout(nn.functional.softmax(a, dim=-1))
        c = torch.matmul(a, v).permute(0, 2, 1, 3).contiguous()
        return c.view(c.shape[0], c.shape[1], -1)


class SelfOutput(nn.Module):
    def __init__(s, E, drop):
        super().__init__()
        s.dense = nn.Linear(E, E)
        s.dropout = nn.Dropout(drop)

    def forward(s, h):
        return s.dropout(s.dense(h))


class Attention(nn.Module):
    def __init__(s, E, NH, hd, ad):
        super().__init__()
        s.attention = SelfAttention(E, NH, ad)
        s.output = SelfOutput(E, hd)

    def forward(s, h):
        return s.output(s.attention(h))


class Intermediate(nn.Module):
    def __init__(s, E, M, act):
        super().__init__()
        s.dense = nn.Linear(E, M)
        s.act = ACTS[act]

    def forward(s, h):
        return s.act(s.dense(h))


class Output(nn.Module):
    def __init__(s, M, E, drop):
        super().__init__()
        s.dense = nn.Linear(M, E)
        s.dropout = nn.Dropout(drop)

    def forward(s, h, res):
        return s.dropout(s.dense(h)) + res


class Layer(nn.Module):
    def __init__(s, E, NH, M, act, eps, hd, ad):
        super().__init__()
        s.attention = Attention(E, NH, hd, ad)
        s.intermediate = Intermediate(E, M, act)
        s.output = Output(M, E, hd)
        s.layernorm_before = nn.LayerNorm(E, eps=eps)
        s.layernorm_after = nn.LayerNorm(E, eps=eps)

    def forward(s, h):
        h = s.attention(s.layernorm_before(h)) + h
        return s.output(s.intermediate(s.layernorm_after(h)), h)


class Encoder(nn.Module):
    def __init__(s, L, *a):
        super().__init__()
        s.layer = nn.ModuleList([Layer(*a) for _ in range(L)])

    def forward(s, h):
        for l in s.layer:
            h = l(h)
        return h


class Pooler(nn.Module):
    def __init__(s, E):
        super().__init__()
        s.dense = nn.Linear(E, E)
        s.activation = nn.Tanh()

    def forward(s, h):
        return s.activation(s.dense(h[:, 0]))


class ViTModel(nn.Module):
    def __init__(s, C, S, P, E, L, NH, M, act, eps, hd=0.0, ad=0.0):
        super().__init__()
        s.embeddings = Embeddings(C, S, P, E, hd)
        s.encoder = Encoder(L, E, NH, M, act, eps, hd, ad)
        s.layernorm = nn.LayerNorm(E, eps=eps)
        s.pooler = Pooler(E)

    def forward(s, x):
        return s.pooler(s.layernorm(s.encoder(s.embeddings(x))))


def images(n, size, C):
    out = []
    for nm in ["test-data/tv_grace_hopper.jpg", "test-data/tv_chelsea.jpg",
               "test-data/tv_coffee_rgba.png", "test-data/tv_camera_gray.png"][:n]:
        im = Image.open(nm).convert("RGB" if C == 3 else "L").resize((size, size), Image.BILINEAR)
        t = torch.tensor(list(im.getdata()), dtype=torch.float32).view(size, size, -1)
        out.append(t.permute(2, 0, 1) / 255.0)
    return torch.stack(out)


def write_txt(path, head, cfg, m):
    with open(path, "w") as f:
        f.write(head + "\n" + cfg + "\n")
        for n, p in m.named_parameters():
            f.write(PREFIX + n + " " + " ".join(str(v) for v in p.shape) + "\n")


def case(d, name, B, S, C, P, E, L, NH, M, act, eps, K, seed):
    torch.manual_seed(seed)
    m = ViTModel(C, S, P, E, L, NH, M, act, eps)
    with torch.no_grad():
        for n, p in m.named_parameters():
            if n.endswith("layernorm_before.weight") or n.endswith("layernorm_after.weight") or n == "layernorm.weight":
                p.uniform_(0.5, 1.5)
            elif "layernorm" in n:
                p.uniform_(-0.2, 0.2)
            elif n.endswith(".bias"):
                p.uniform_(-0.1, 0.1)
    x = images(B, S, C)
    hw = torch.randn(K, E) * 0.3
    hb = torch.randn(K) * 0.1
    g = torch.randn(B, K)
    m.eval()
    with torch.no_grad():
        ev = m(x)
    m.train()
    tr = m(x)
    (g * (tr @ hw.T + hb)).sum().backward()
    params = list(m.named_parameters())
    with open(os.path.join(d, name + ".bin"), "wb") as f:
        for a in [x] + [p for _, p in params] + [hw, hb, g, ev, tr] + [p.grad for _, p in params]:
            f.write(a.detach().contiguous().numpy().astype("<f4").tobytes())
    write_txt(os.path.join(d, name + ".txt"), f"{B} {S} {C} {K} {E}",
              f"{P} {E} {L} {NH} {M} {act} {eps!r}", m)


def save_safetensors(path, sd):
    """A .safetensors file written by hand (Debian has no python3-safetensors): the 8-byte
    header length, the JSON header, the float32 data."""
    import json
    import struct
    head, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for k, v in sd.items():
        b = v.detach().contiguous().numpy().astype("<f4").tobytes()
        head[k] = {"dtype": "F32", "shape": list(v.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(head).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def hf_cache(root, repo, rev, m, cfg, fmt):
    """A HuggingFace hub cache entry as from_pretrained leaves it: refs/main, snapshots/<rev>/
    config.json and the weights of a ViTForImageClassification (vit.*, no pooler, classifier.*)."""
    import json
    d = os.path.join(root, "models--" + repo.replace("/", "--"))
    os.makedirs(os.path.join(d, "refs"), exist_ok=True)
    os.makedirs(os.path.join(d, "snapshots", rev), exist_ok=True)
    with open(os.path.join(d, "refs", "main"), "w") as f:
        f.write(rev)
    with open(os.path.join(d, "snapshots", rev, "config.json"), "w") as f:
        json.dump(cfg, f)
    sd = {"vit." + k: v for k, v in m.state_dict().items() if not k.startswith("pooler.")}
    sd["classifier.weight"] = torch.randn(3, cfg["hidden_size"])
    sd["classifier.bias"] = torch.randn(3)
    if fmt == "safetensors":
        save_safetensors(os.path.join(d, "snapshots", rev, "model.safetensors"), sd)
    else:
        torch.save(sd, os.path.join(d, "snapshots", rev, "pytorch_model.bin"))


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    torch.set_num_threads(1)
    case(d, "small", 2, 32, 3, 8, 64, 2, 4, 128, "gelu", 1e-12, 5, 1)
    # the same weights in a hub cache, as safetensors (gen's "small" module rebuilt from its seed)
    torch.manual_seed(1)
    m = ViTModel(3, 32, 8, 64, 2, 4, 128, "gelu", 1e-12)
    with torch.no_grad():
        for n, p in m.named_parameters():
            if n.endswith("layernorm_before.weight") or n.endswith("layernorm_after.weight") or n == "layernorm.weight":
                p.uniform_(0.5, 1.5)
            elif "layernorm" in n:
                p.uniform_(-0.2, 0.2)
            elif n.endswith(".bias"):
                p.uniform_(-0.1, 0.1)
    cfg = {"model_type": "vit", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
           "intermediate_size": 128, "hidden_act": "gelu", "image_size": 32, "patch_size": 8,
           "num_channels": 3, "layer_norm_eps": 1e-12, "qkv_bias": True}
    hf_cache(os.path.join(d, "hub"), "test-org/vit-small", "0123abc", m, cfg, "safetensors")
    hf_cache(os.path.join(d, "hub"), "test-org/vit-small-bin", "4567def", m, cfg, "bin")
    # a patch size that does not divide the image (the conv drops the last 6 rows and columns),
    # one channel, gelu_new
    case(d, "gray_gelu_new", 2, 30, 1, 8, 48, 1, 3, 96, "gelu_new", 1e-5, 4, 2)
    case(d, "selu", 3, 16, 3, 4, 32, 1, 2, 64, "selu", 1e-6, 3, 3)
    case(d, "relu", 2, 16, 3, 4, 32, 1, 4, 48, "relu", 1e-12, 3, 4)
    big = ViTModel(3, 224, 16, 768, 12, 12, 3072, "gelu", 1e-12)
    write_txt(os.path.join(d, "default_224.txt"), "1 224 3 1 768", "16 768 12 12 3072 gelu 1e-12", big)


if __name__ == "__main__":
    main()
