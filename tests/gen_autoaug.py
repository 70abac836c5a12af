#!/usr/bin/python3
"""gen_autoaug.py - test_autoaug's reference: torchvision 0.14's auto augmentation (the
transforms Ludwig 0.10.3's AutoAugment builds: TrivialAugmentWide(), AutoAugment(),
RandAugment()) and its _apply_op, run by Debian's python3-torchvision / python3-torch 1.13 on one
thread.

usage:
  gen_autoaug.py tables OUT     the methods' defaults, augmentation spaces (operation order,
                                signed, every magnitude as float32 bits for a few image sizes)
                                and AutoAugment's ImageNet policy, as text lines
  gen_autoaug.py ops CASES OUT  CASES: records of five little-endian int32 (op, C, H, W,
                                batch_n) and one float64 magnitude, then C*H*W uint8 pixels
                                (C, H, W); op indexes OPS below. Each image is stacked batch_n
                                times (at least twice: Ludwig hands torchvision 4-D batches; 1:
                                the image alone in a batch of one) and _apply_op(batch, op,
                                magnitude, NEAREST, fill=None) runs; OUT receives the first
                                image of the result, C*H*W uint8.
Exits 2 without torchvision."""
import struct
import sys

try:
    import torch
    from torchvision.transforms import InterpolationMode, autoaugment as AA
except ImportError:
    sys.exit(2)

OPS = ["Identity", "ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness", "Color",
       "Contrast", "Sharpness", "Posterize", "Solarize", "AutoContrast", "Equalize", "Invert"]
SIZES = [(28, 28), (157, 203), (300, 451), (1, 1), (600, 512), (37, 53), (224, 224), (13, 200)]


def f32bits(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


def tables(out):
    t = AA.TrivialAugmentWide()
    a = AA.AutoAugment()
    r = AA.RandAugment()
    lines = []
    assert t.interpolation == a.interpolation == r.interpolation == InterpolationMode.NEAREST
    assert t.fill is None and a.fill is None and r.fill is None
    assert a.policy == AA.AutoAugmentPolicy.IMAGENET
    lines.append(f"D trivial_augment bins {t.num_magnitude_bins}")
    lines.append(f"D rand_augment num_ops {r.num_ops} magnitude {r.magnitude} bins {r.num_magnitude_bins}")
    for h, w in SIZES:
        spaces = {
            "trivial_augment": t._augmentation_space(t.num_magnitude_bins),
            "auto_augment": a._augmentation_space(10, (h, w)),
            "rand_augment": r._augmentation_space(r.num_magnitude_bins, (h, w)),
        }
        for method, space in spaces.items():
            for k, (name, (mags, signed)) in enumerate(space.items()):
                lines.append(f"S {method} {h} {w} {k} {OPS.index(name)} {int(signed)} {mags.ndim}")
                if mags.ndim > 0:
                    for b in range(len(mags)):
                        v = float(mags[b].item())
                        lines.append(f"M {method} {h} {w} {OPS.index(name)} {b} {f32bits(v)} {v!r}")
    for i, pol in enumerate(a.policies):
        for j, (name, p, mid) in enumerate(pol):
            lines.append(f"P {i} {j} {OPS.index(name)} {p!r} {-1 if mid is None else mid}")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


def ops(cases, out):
    with open(cases, "rb") as f:
        data = f.read()
    o = open(out, "wb")
    pos = 0
    while pos < len(data):
        op, c, h, w, bn = struct.unpack_from("<5i", data, pos)
        (mag,) = struct.unpack_from("<d", data, pos + 20)
        pos += 28
        n = c * h * w
        img = torch.frombuffer(bytearray(data[pos:pos + n]), dtype=torch.uint8).reshape(c, h, w)
        pos += n
        batch = img.unsqueeze(0).repeat(max(bn, 1), 1, 1, 1)
        res = AA._apply_op(batch, OPS[op], mag, interpolation=InterpolationMode.NEAREST, fill=None)
        assert res.dtype == torch.uint8 and tuple(res.shape) == (max(bn, 1), c, h, w)
        o.write(res[0].contiguous().numpy().tobytes())
    o.close()


def main():
    torch.set_num_threads(1)
    if sys.argv[1] == "tables":
        tables(sys.argv[2])
    else:
        ops(sys.argv[2], sys.argv[3])


if __name__ == "__main__":
    main()
