#!/usr/bin/python3
"""tvtransform_check.py - test_tvtransform's reference: Ludwig 0.10.3's torchvision image
preprocessing, ResizeChannels(num_channels=3) then the ImageClassification preset, run by Debian's
python3-torchvision (0.14) and python3-torch (1.13).

usage: tvtransform_check.py CASES OUT
CASES holds records of six little-endian int32 (C, H, W, resize_size, crop_size, interpolation:
0 bilinear, 1 bicubic) followed by C*H*W uint8 pixels (C, H, W). For each record OUT receives the
uint8 crop (3, crop, crop) and then the float32 output of the whole preset (3, crop, crop).

The preset is the one torchvision's weights give (ImageClassification), called with
antialias=True as torchvision >= 0.17 does by default for tensors (what Ludwig 0.10.3 runs on);
0.14's preset would pass antialias=None, i.e. False for tensors. Exits 2 without torchvision."""
import struct
import sys

try:
    import torch
    from torchvision.transforms import InterpolationMode
    from torchvision.transforms import functional as F
except ImportError:
    sys.exit(2)


def resize_channels(img, num_channels=3):
    """Ludwig's ResizeChannels on one (C, H, W) tensor: extra channels dropped, missing ones
    filled by repeating the stored ones."""
    c = img.shape[0]
    if c > num_channels:
        return img[:num_channels]
    if c < num_channels:
        return img.repeat(num_channels // c + 1, 1, 1)[:num_channels]
    return img


def preset(img, resize_size, crop_size, interp):
    mode = InterpolationMode.BICUBIC if interp == 1 else InterpolationMode.BILINEAR
    img = resize_channels(img)
    img = F.resize(img, [resize_size], interpolation=mode, antialias=True)
    u8 = F.center_crop(img, [crop_size])
    x = F.convert_image_dtype(u8, torch.float)
    x = F.normalize(x, mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
    return u8, x


def main():
    torch.set_num_threads(1)
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    out = open(sys.argv[2], "wb")
    pos = 0
    while pos < len(data):
        c, h, w, rs, cs, interp = struct.unpack_from("<6i", data, pos)
        pos += 24
        n = c * h * w
        img = torch.frombuffer(bytearray(data[pos:pos + n]), dtype=torch.uint8).reshape(c, h, w)
        pos += n
        u8, x = preset(img, rs, cs, interp)
        out.write(u8.contiguous().numpy().tobytes())
        out.write(x.contiguous().numpy().astype("<f4").tobytes())
    out.close()


if __name__ == "__main__":
    main()
