#!/usr/bin/python3
"""Writes the fixtures of test_bad_inputs.sh into the directory given as argv[1]: a small valid
dataset (real MNIST digits from test-data/mnist_images.zip) and many broken variants. Standard
library only (PNGs are written by hand with zlib), so it runs on a bare Debian python3."""
import os
import struct
import sys
import zipfile
import zlib

out = sys.argv[1]
src = zipfile.ZipFile("test-data/mnist_images.zip")
rows = [l.split(",") for l in open("test-data/mnist_dataset.csv").read().splitlines()[1:]]


def w(name, data, mode="w"):
    with open(os.path.join(out, name), mode) as f:
        f.write(data)


def png(width, height, channels=1, body=None, color_type=None):
    """A PNG with the given header; body is the raw scanlines (default: all zero)."""
    ct = color_type if color_type is not None else {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    if body is None:
        body = b"".join(b"\0" + b"\0" * (width * channels) for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, ct, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(body)) + chunk(b"IEND", b"")


# the valid dataset: 40 digits, splits 7:1:2, images in a zip and in a directory
good = rows[:40]
lines = ["image_path,label,split"]
os.makedirs(os.path.join(out, "img/training"), exist_ok=True)
with zipfile.ZipFile(os.path.join(out, "good.zip"), "w") as z:
    for i, (p, lab, _) in enumerate(good):
        data = src.read(p)
        z.writestr(p, data)
        os.makedirs(os.path.join(out, "img", os.path.dirname(p)), exist_ok=True)
        w(os.path.join("img", p), data, "wb")
        lines.append("%s,%s,%d" % (p, lab, 0 if i % 10 < 7 else 1 if i % 10 == 7 else 2))
csv = "\n".join(lines) + "\n"
w("good.csv", csv)
w("img/good.csv", csv)
w("bom_crlf.csv", "\ufeff" + csv.replace("\n", "\r\n"))
w("empty.csv", "")
w("header_only.csv", "image_path,label,split\n")
w("ragged.csv", "\n".join(lines[:5] + [lines[5] + ",extra"] + lines[6:]) + "\n")
w("short_row.csv", "\n".join(lines[:7] + ["training/9/99.png,9"] + lines[7:]) + "\n")
w("bad_quote.csv", "\n".join(lines[:3] + ['"training/1/2.png,1,0'] + lines[3:]) + "\n")
w("no_train.csv", "\n".join([lines[0]] + [l[:-1] + "2" for l in lines[1:]]) + "\n")
w("one_class.csv", "\n".join([lines[0]] + [",".join(l.split(",")[:1] + ["7"] + l.split(",")[2:]) for l in lines[1:]]) + "\n")
w("bad_split.csv", "\n".join(lines[:4] + [lines[4].rsplit(",", 1)[0] + ",train"] + lines[5:]) + "\n")
w("dotdot.csv", "\n".join(lines[:6] + ["../evil.png,1,0"] + lines[6:]) + "\n")
w("absolute.csv", "\n".join(lines[:6] + ["/etc/passwd,1,0"] + lines[6:]) + "\n")
w("nul.csv", csv[:40] + "\0" + csv[40:])
w("records.json", '[{"image_path": "training/7/0.png", "label": 7, "split": 0},\n {"image_path": ')
w("metadata_bad.json", '{"label": {"idx2str": ["7", "7"]}}')
w("metadata_size.json", '{"label": {"idx2str": ["7", "1"]}, "image_path": {"preprocessing": {"height": 1e9, "width": 28, "num_channels": 1}}}')

# one bad image per case, each in its own zip with the 39 good ones
def zip_with(name, entry, data, csv_path=None):
    with zipfile.ZipFile(os.path.join(out, name + ".zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for p, _, _ in good[1:]:
            z.writestr(p, src.read(p))
        if data is not None:
            z.writestr(entry, data)
    first = csv_path or entry
    w(name + ".csv", "\n".join([lines[0], "%s,%s,0" % (first, good[0][1])] + lines[2:]) + "\n")

digit = src.read(good[0][0])
zip_with("zero_byte", "x/zero.png", b"")
zip_with("truncated", "x/trunc.png", digit[: len(digit) // 2])
zip_with("not_image", "x/notes.png", b"these are my lab notes, not a picture\n" * 4)
zip_with("corrupt", "x/corrupt.png", digit[:40] + bytes(b ^ 0x5A for b in digit[40:]))
zip_with("giant", "x/giant.png", png(9000, 9000, body=b"\0"))  # header says 81 Mpx; never decoded
zip_with("wide", "x/wide.png", png(9000, 1))
zip_with("bomb", "x/bomb.png", b"\0" * (65 << 20))  # 65 MiB of zeros deflate to ~64 KiB
zip_with("missing_entry", None, None, csv_path="training/0/nothere.png")
zip_with("rgb", "x/rgb.png", png(20, 30, 3, body=b"".join(b"\0" + bytes(range(60)) for _ in range(30))))
zip_with("rgba", "x/rgba.png", png(28, 28, 4, body=b"".join(b"\0" + b"\x80" * 112 for _ in range(28))))
# an archive whose own entries escape (never extracted, so nothing can be written)
with zipfile.ZipFile(os.path.join(out, "evil.zip"), "w") as z:
    for p, _, _ in good:
        z.writestr(p, src.read(p))
    z.writestr("../../escaped.png", digit)
    z.writestr("/tmp/escaped_abs.png", digit)
# every entry under "../": the single top folder is not used to resolve paths
with zipfile.ZipFile(os.path.join(out, "dotdot_folder.zip"), "w") as z:
    for p, _, _ in good:
        z.writestr("../" + p, src.read(p))
w("evil.csv", "\n".join(lines[:2] + ["../../escaped.png,1,0"] + lines[2:]) + "\n")
w("not_a_zip.zip", "PK but not really a zip archive")
