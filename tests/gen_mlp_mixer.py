#!/usr/bin/python3
"""Writes what tests/unit/test_mlp_mixer.c compares ludwig-c's `mlp_mixer` image encoder with: a
PyTorch module built as Ludwig 0.10.3's MLPMixer (ludwig/modules/mlp_mixer_modules.py: its
layer order, shapes, torch's default initialisation and its parameter names under
MLPMixerEncoder's `mlp_mixer` attribute), with random weights, on real photographs of test-data.

Usage: gen_mlp_mixer.py DIR. Per case DIR/<case>.txt holds
  B C H W K F patch_size embed_size token_size channel_dim num_layers avg_pool
then one line per parameter tensor in the module's state_dict order: Ludwig's name and shape.
DIR/<case>.bin holds little-endian float32 arrays, in order:
  x (B,C,H,W)     B photographs resized to H x W, pixels scaled to [0, 1] (as Ludwig's image
                  preprocessing leaves them for a non-torchvision encoder)
  hw (K,F), hb (K) a linear head on the encoder output; loss = sum(G * (enc @ hw.T + hb))
  g (B,K)
  eval (B,F)      the encoder in eval mode
  train (B,F)     in train mode (dropout 0, as the encoder's default)
  then each parameter tensor (the weights used), in names order
  then each parameter's gradient of the loss in train mode, in names order
The layer norms' affines are drawn at random too (around 1 and 0), so that a swapped weight or
bias shows.
"""
import os
import sys

import torch
from torch import nn
from PIL import Image

PREFIX = "input_features.module_dict.image_path__ludwig.encoder_obj.mlp_mixer."
PHOTOS = ["test-data/tv_grace_hopper.jpg", "test-data/tv_chelsea.jpg",
          "test-data/tv_coffee_rgba.png", "test-data/tv_camera_gray.png"]


class Mlp(nn.Module):
    """Ludwig's MLP: linear1, GELU, dropout1, linear2, dropout2."""

    def __init__(self, n_in, hidden, dropout):
        super().__init__()
        self.linear1 = nn.Linear(n_in, hidden)
        self.linear2 = nn.Linear(hidden, n_in)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)

    def forward(self, x):
        return self.dropout2(self.linear2(self.dropout1(nn.functional.gelu(self.linear1(x)))))


class Block(nn.Module):
    """Ludwig's MixerBlock: token mixing over the transposed rows, then channel mixing."""

    def __init__(self, embed, n_patches, token, channel, dropout):
        super().__init__()
        self.mlp1 = Mlp(n_patches, token, dropout)
        self.mlp2 = Mlp(embed, channel, dropout)
        self.layernorm1 = nn.LayerNorm(embed)
        self.layernorm2 = nn.LayerNorm(embed)

    def forward(self, x):
        mid = self.mlp1(self.layernorm1(x).transpose(1, 2)).transpose(1, 2) + x
        return self.mlp2(self.layernorm2(mid)) + mid


class Mixer(nn.Module):
    """Ludwig's MLPMixer."""

    def __init__(self, C, H, W, patch, embed, token, channel, layers, dropout, avg_pool):
        super().__init__()
        assert H % patch == 0 and W % patch == 0
        n = H * W // (patch * patch)
        self.patch_conv = nn.Conv2d(C, embed, kernel_size=patch, stride=patch)
        self.mixer_blocks = nn.ModuleList(
            [Block(embed, n, token, channel, dropout) for _ in range(layers)])
        self.layer_norm = nn.LayerNorm(embed)
        self.avg_pool = avg_pool

    def forward(self, x):
        h = self.patch_conv(x).flatten(2).transpose(1, 2)
        for b in self.mixer_blocks:
            h = b(h)
        h = self.layer_norm(h)
        return h.mean(dim=1) if self.avg_pool else h


def photos(n, C, H, W):
    out = []
    for nm in PHOTOS[:n]:
        im = Image.open(nm).convert("L" if C == 1 else "RGB").resize((W, H), Image.BILINEAR)
        t = torch.tensor(list(im.getdata()), dtype=torch.float32) / 255.0
        out.append(t.reshape(H, W, C).permute(2, 0, 1))
    return torch.stack(out)


def case(d, name, B, C, H, W, patch, embed, token, channel, layers, avg_pool, K, seed):
    torch.manual_seed(seed)
    m = Mixer(C, H, W, patch, embed, token, channel, layers, 0.0, avg_pool)
    with torch.no_grad():
        for k, v in m.named_parameters():
            if "norm" in k:
                v.copy_((1.0 if k.endswith("weight") else 0.0) + 0.2 * torch.randn_like(v))
    x = photos(B, C, H, W)
    F = embed if avg_pool else H * W // (patch * patch) * embed
    hw = torch.randn(K, F) / F ** 0.5
    hb = torch.randn(K)
    g = torch.randn(B, K)
    m.eval()
    with torch.no_grad():
        ev = m(x).reshape(B, F)
    m.train()
    tr = m(x).reshape(B, F)
    loss = (g * (tr @ hw.T + hb)).sum()
    loss.backward()
    names = [(k, tuple(v.shape)) for k, v in m.state_dict().items()]
    with open(os.path.join(d, name + ".txt"), "w") as f:
        f.write(f"{B} {C} {H} {W} {K} {F} {patch} {embed} {token} {channel} {layers} {int(avg_pool)}\n")
        for k, s in names:
            f.write(PREFIX + k + " " + " ".join(str(v) for v in s) + "\n")
    params = dict(m.named_parameters())
    with open(os.path.join(d, name + ".bin"), "wb") as f:
        for t in [x, hw, hb, g, ev, tr.detach()]:
            f.write(t.contiguous().numpy().astype("<f4").tobytes())
        for k, _ in names:
            f.write(params[k].detach().contiguous().numpy().astype("<f4").tobytes())
        for k, _ in names:
            f.write(params[k].grad.contiguous().numpy().astype("<f4").tobytes())


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    torch.set_num_threads(1)
    # three photographs at 32x32, 16 patches of 8x8, two blocks, the mean over the patches
    case(d, "square", 3, 3, 32, 32, 8, 24, 20, 12, 2, True, 5, 1)
    # 32x48, 6 patches of 16x16, three blocks, every patch's embedding (avg_pool false)
    case(d, "rect_tokens", 2, 3, 32, 48, 16, 16, 10, 8, 3, False, 4, 2)
    # one channel (as MNIST's digits), 28x28 in 7x7 patches, one block
    case(d, "gray", 4, 1, 28, 28, 7, 12, 9, 10, 1, True, 3, 3)
    # one patch covering the whole image (no transposes to do)
    case(d, "one_patch", 2, 3, 16, 16, 16, 8, 6, 5, 2, True, 3, 4)


if __name__ == "__main__":
    main()
