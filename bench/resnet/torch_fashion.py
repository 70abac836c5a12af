#!/usr/bin/python3
"""resnet18 on a Fashion-MNIST slice in PyTorch + torchvision, trained as ludwig-c trains the config
bench/resnet/fashion.sh writes, for the image-encoder benchmark (issue 16).

Usage: torch_fashion.py IMAGES.zip DATASET.csv EPOCHS THREADS MODE WEIGHTS.pth AUG SEED
MODE: scratch (every weight trained) or frozen (WEIGHTS loaded, the backbone's parameters frozen but
its batch norms in train mode, as Ludwig's `trainable: false` leaves them; only the head trains).
Images as Ludwig 0.10.3 makes them for a torchvision encoder: 3 channels, the smaller edge resized to
256 (antialiased bilinear), a 224 center crop, ImageNet normalisation. Network: torchvision's
resnet18 with its fc a Linear(512, classes) (Ludwig: the encoder's 512 values, the concat combiner,
the category decoder). Adam (lr 0.001), batch 16, gradients clipped to a global norm of 0.5 (Ludwig's
defaults), augmentation as Ludwig's `augmentation: true` (per batch: a horizontal flip with probability
0.5, then a rotation uniform in (-15, 15) degrees with probability 0.5, on the uint8 images; AUG 0
turns it off). SEED seeds torch. The
test split is evaluated at the end in batches of 16 under torch.no_grad(). The last line of stdout is a
JSON object: training and inference samples/s (compute only; decoding and the transform excluded)
and the test accuracy.
"""
import csv
import io
import json
import sys
import time
import zipfile

import torch
import torchvision
from PIL import Image
from torchvision.transforms import functional as TF

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def main():
    zip_path, csv_path = sys.argv[1], sys.argv[2]
    epochs, threads, mode = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    torch.set_num_threads(threads)
    aug, seed = sys.argv[7] != "0", int(sys.argv[8])
    torch.manual_seed(seed)
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    imgs = []
    with zipfile.ZipFile(zip_path) as z:
        for r in rows:
            t = TF.pil_to_tensor(Image.open(io.BytesIO(z.read(r["image_path"]))).convert("L"))
            t = TF.resize(t.repeat(3, 1, 1), [256], antialias=True)
            imgs.append(TF.center_crop(t, [224]))
    u8 = torch.stack(imgs)  # uint8 (N, 3, 224, 224)
    classes = sorted({r["label"] for r in rows})
    label_of = {c: i for i, c in enumerate(classes)}
    labels = torch.tensor([label_of[r["label"]] for r in rows])
    split = torch.tensor([int(r["split"]) for r in rows])
    xtr, ytr = u8[split == 0], labels[split == 0]
    xte, yte = u8[split == 2], labels[split == 2]

    model = torchvision.models.resnet18(weights=None)
    if mode == "frozen":
        model.load_state_dict(torch.load(sys.argv[6]))
    model.fc = torch.nn.Linear(512, len(classes))
    if mode == "frozen":
        for n, p in model.named_parameters():
            p.requires_grad_(n.startswith("fc."))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=0.001)

    def prep(b):
        return (b.float() / 255.0 - MEAN) / STD

    train_s = 0.0
    trained = 0
    for epoch in range(epochs):
        perm = torch.randperm(len(xtr))
        model.train()
        loss_sum = 0.0
        for i in range(0, len(xtr), 16):
            idx = perm[i:i + 16]
            b = xtr[idx]
            t0 = time.time()
            if aug and torch.rand(1) < 0.5:
                b = TF.hflip(b)
            if aug and torch.rand(1) < 0.5:
                b = TF.rotate(b, float(torch.empty(1).uniform_(-15, 15)))
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(prep(b)), ytr[idx])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 0.5)
            opt.step()
            train_s += time.time() - t0
            trained += len(idx)
            loss_sum += float(loss) * len(idx)
        print("epoch %d/%d  train loss %.4f (the mean over the epoch's batches, in train mode)"
              % (epoch + 1, epochs, loss_sum / len(xtr)), file=sys.stderr)
    model.eval()
    correct = 0
    t0 = time.time()
    with torch.no_grad():
        for i in range(0, len(xte), 16):
            correct += int((model(prep(xte[i:i + 16])).argmax(1) == yte[i:i + 16]).sum())
    infer_s = time.time() - t0
    print(json.dumps({"train_samples_per_s": trained / train_s, "infer_samples_per_s": len(xte) / infer_s,
                      "test_accuracy": correct / len(xte)}))


if __name__ == "__main__":
    main()
