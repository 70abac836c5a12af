#!/usr/bin/python3
"""gen_fixtures_model.py - writes tests/fixtures/model_<variant>.bin: a tiny copy of the tutorial
network (stacked_cnn encoder -> classifier) run by PyTorch 1.13, for tests/unit/test_model.c.

Run once from the repository root with Debian's python3-torch; CI only reads the committed files.
The modules are nested the way Ludwig 0.10 nests them (ECD.input_features.module_dict[
"image_path__ludwig"].encoder_obj.conv_stack_2d.stack[i].layers[j], ...fc_stack..., output_features...decoder_obj
.dense.dense), so state_dict() gives Ludwig's tensor names; num_batches_tracked is left out
(ludwig-c does not keep it).

Variants (input 1x14x14, batch 6, 5 classes, dropout 0 so no RNG is involved):
  plain: conv3x3(1->4)+ReLU+maxpool2, conv3x3(4->6)+ReLU+maxpool2, flatten(24), fc 8 + ReLU, 5
  bn:    conv3x3(1->4, no bias)+BatchNorm2d+ReLU+maxpool2, conv3x3(4->6)+ReLU+maxpool2,
         fc 8 (no bias) + ReLU, 5
Each step: forward in training mode, mean cross-entropy, backward,
clip_grad_norm_(params, 0.5), Adam(lr 1e-3, default betas, foreach=False).step(); the same batch
every step.

File layout, little-endian:
  int32 header[8] = magic 0x464D434C ("LCMF"), version 1, B, C, H, W, nclasses, steps
  int32 T (tensors: parameters and buffers, state_dict order)
  T x { char name[128] (NUL padded), int32 is_buffer, int32 ndim, int32 shape[4] }
  float32 input[B*C*H*W], int32 labels[B]
  float32 logits[B*nclasses] (first forward), float32 loss (first forward)
  for every tensor: float32 initial values
  for every parameter (not buffers): float32 gradient of the first backward (before clipping)
  float32 grad_norm (first step, before clipping)
  for every tensor: float32 values after `steps` steps (buffers: running stats after `steps`
  training forwards)
"""
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

MAGIC = 0x464D434C
B, C, H, W, K, STEPS = 6, 1, 14, 14, 5, 3
INPUT, OUTPUT = "image_path", "label"


class Conv2DLayer(nn.Module):
    def __init__(self, cin, cout, bias, norm):
        super().__init__()
        self.layers = nn.ModuleList([nn.Conv2d(cin, cout, 3, bias=bias)])
        if norm:
            self.layers.append(nn.BatchNorm2d(cout))
        self.layers.append(nn.ReLU())
        self.layers.append(nn.MaxPool2d(2, 2))

    def forward(self, x):
        for l in self.layers:
            x = l(x)
        return x


class FCLayer(nn.Module):
    def __init__(self, fin, fout, bias):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(fin, fout, bias=bias), nn.ReLU()])

    def forward(self, x):
        for l in self.layers:
            x = l(x)
        return x


class Stack(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.stack = nn.ModuleList(layers)

    def forward(self, x):
        for l in self.stack:
            x = l(x)
        return x


class Encoder(nn.Module):
    def __init__(self, bn):
        super().__init__()
        self.conv_stack_2d = Stack([Conv2DLayer(C, 4, not bn, bn), Conv2DLayer(4, 6, True, False)])
        self.fc_stack = Stack([FCLayer(24, 8, not bn)])

    def forward(self, x):
        return self.fc_stack(torch.flatten(self.conv_stack_2d(x), 1))


class Feature(nn.Module):
    def __init__(self, attr, mod):
        super().__init__()
        setattr(self, attr, mod)


class Dense(nn.Module):
    def __init__(self, fin, fout):
        super().__init__()
        self.dense = nn.Linear(fin, fout)


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = Dense(8, K)


class LudwigFeatureDict(nn.Module):
    """ludwig.utils.torch_utils.LudwigFeatureDict: an nn.ModuleDict under .module_dict, keys
    suffixed with "__ludwig"."""

    def __init__(self, key, mod):
        super().__init__()
        self.module_dict = nn.ModuleDict({key + "__ludwig": mod})

    def __getitem__(self, key):
        return self.module_dict[key + "__ludwig"]


class ECD(nn.Module):
    def __init__(self, bn):
        super().__init__()
        self.input_features = LudwigFeatureDict(INPUT, Feature("encoder_obj", Encoder(bn)))
        self.output_features = LudwigFeatureDict(OUTPUT, Feature("decoder_obj", Decoder()))

    def forward(self, x):
        h = self.input_features[INPUT].encoder_obj(x)
        return self.output_features[OUTPUT].decoder_obj.dense.dense(h)


def f32s(t):
    v = t.detach().contiguous().view(-1).tolist()
    return struct.pack("<%df" % len(v), *v)


def generate(variant, seed):
    bn = variant == "bn"
    torch.manual_seed(seed)
    net = ECD(bn)
    with torch.no_grad():
        for name, p in net.named_parameters():
            if bn and "layers.1." in name and "conv_stack_2d" in name:  # BN gamma/beta
                p.copy_(torch.rand_like(p) + 0.5 if name.endswith("weight") else 0.2 * torch.randn_like(p))
            else:
                p.mul_(1.5)  # larger than torch's default init so clipping engages
    x = torch.rand(B, C, H, W)
    y = torch.randint(0, K, (B,))
    sd = [(n, t) for n, t in net.state_dict().items() if not n.endswith("num_batches_tracked")]
    pnames = {n for n, _ in net.named_parameters()}
    init = [t.clone() for _, t in sd]

    params = [p for _, p in net.named_parameters()]
    opt = torch.optim.Adam(params, lr=1e-3, foreach=False)
    net.train()
    logits0 = loss0 = grads0 = norm0 = None
    for step in range(STEPS):
        opt.zero_grad()
        logits = net(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        if step == 0:
            logits0, loss0 = logits.detach().clone(), loss.detach().clone()
            grads0 = {n: p.grad.clone() for n, p in net.named_parameters()}
        norm = torch.nn.utils.clip_grad_norm_(params, 0.5)
        if step == 0:
            norm0 = norm.detach().clone()
        print("%s step %d: loss %.6f grad norm %.4f" % (variant, step + 1, loss.item(), norm.item()))
        opt.step()
    final = net.state_dict()

    out = bytearray()
    out += struct.pack("<8i", MAGIC, 1, B, C, H, W, K, STEPS)
    out += struct.pack("<i", len(sd))
    for n, t in sd:
        shape = list(t.shape) + [0] * (4 - t.dim())
        out += n.encode().ljust(128, b"\0")
        out += struct.pack("<6i", int(n not in pnames), t.dim(), *shape)
    out += f32s(x)
    out += struct.pack("<%di" % B, *y.tolist())
    out += f32s(logits0) + f32s(loss0.view(1))
    for t in init:
        out += f32s(t)
    for n, _ in sd:
        if n in pnames:
            out += f32s(grads0[n])
    out += f32s(norm0.view(1))
    for n, _ in sd:
        out += f32s(final[n])
    path = "tests/fixtures/model_%s.bin" % variant
    with open(path, "wb") as f:
        f.write(out)
    print("wrote %s (%d bytes, %d tensors)" % (path, len(out), len(sd)))


if __name__ == "__main__":
    torch.set_num_threads(1)
    generate("plain", 1234)
    generate("bn", 4321)
