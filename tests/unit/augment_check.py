#!/usr/bin/python3
"""augment_check.py - test_augment's reference: the torchvision.transforms.functional calls
Ludwig 0.10.3's image augmentation operations make (ludwig/features/image_feature.py), run by
Debian's python3-torchvision (0.14) and python3-torch (1.13) on one thread.

usage: augment_check.py CASES OUT
CASES holds records of five little-endian int32 (op, C, H, W, iparam) and one little-endian
float64 (fparam), followed by C*H*W uint8 pixels (C, H, W). op: 0 hflip, 1 vflip, 2 rotate by
fparam degrees, 3 adjust_brightness by fparam, 4 adjust_contrast by fparam, 5 gaussian_blur with
kernel iparam % 1000 in a batch of iparam // 1000 copies of the image (0 or 1: the image alone,
unbatched). For each record OUT receives the result, C*H*W uint8. Exits 2 without torchvision."""
import struct
import sys

try:
    import torch
    from torchvision.transforms import functional as F
except ImportError:
    sys.exit(2)


def apply(op, img, iparam, fparam):
    if op == 0:
        return F.hflip(img)
    if op == 1:
        return F.vflip(img)
    if op == 2:
        return F.rotate(img, fparam)
    if op == 3:
        return F.adjust_brightness(img, fparam)
    if op == 4:
        return F.adjust_contrast(img, fparam)
    if op == 5:
        k, n = iparam % 1000, iparam // 1000
        if n <= 1:
            return F.gaussian_blur(img, [k, k])
        return F.gaussian_blur(img.unsqueeze(0).repeat(n, 1, 1, 1), [k, k])[0]
    raise ValueError(f"unknown op {op}")


def main():
    torch.set_num_threads(1)
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    out = open(sys.argv[2], "wb")
    pos = 0
    while pos < len(data):
        op, c, h, w, iparam = struct.unpack_from("<5i", data, pos)
        (fparam,) = struct.unpack_from("<d", data, pos + 20)
        pos += 28
        n = c * h * w
        img = torch.frombuffer(bytearray(data[pos:pos + n]), dtype=torch.uint8).reshape(c, h, w)
        pos += n
        res = apply(op, img, iparam, fparam)
        assert res.dtype == torch.uint8 and tuple(res.shape) == (c, h, w)
        out.write(res.contiguous().numpy().tobytes())
    out.close()


if __name__ == "__main__":
    main()
