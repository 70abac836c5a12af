#!/usr/bin/python3
"""The tutorial network in PyTorch, trained the way ludwig-c trains it, for bench/run_bench.sh.

Usage: torch_ref.py IMAGES.zip DATASET.csv EPOCHS THREADS
Network (Ludwig's stacked_cnn for the GTN tutorial config): conv 3x3x32, ReLU, max-pool 2 | conv 3x3x64, ReLU,
dropout 0.4, max-pool 2 | flatten, fc 128, ReLU, dropout 0.4 | linear to the classes. Adam (lr 0.001), batch 128,
gradients clipped to a global norm of 0.5 (Ludwig's default), pixels / 255. After each epoch the test split is
evaluated (as ludwig-c evaluates its validation and test splits), then once more at the end; evaluation runs in
batches of 256 under torch.no_grad() (of 64 to 2,000, the size PyTorch evaluates fastest on the 2-core
benchmark machine). The last line of stdout is a JSON object with the timings.
"""
import csv
import io
import json
import sys
import time
import zipfile

import numpy as np
import torch
from PIL import Image
from torch import nn


def main():
    zip_path, csv_path = sys.argv[1], sys.argv[2]
    epochs, threads = int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    t_begin = time.time()

    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    with zipfile.ZipFile(zip_path) as z:
        pixels = np.stack([np.asarray(Image.open(io.BytesIO(z.read(r["image_path"]))).convert("L"),
                                      dtype=np.float32) for r in rows]) / np.float32(255.0)
    classes = sorted({r["label"] for r in rows})
    label_of = {c: i for i, c in enumerate(classes)}
    labels = torch.tensor([label_of[r["label"]] for r in rows])
    split = np.array([int(r["split"]) for r in rows])
    images = torch.from_numpy(pixels).unsqueeze(1)
    x_train, y_train = images[split == 0], labels[split == 0]
    x_test, y_test = images[split == 2], labels[split == 2]
    t_decode = time.time() - t_begin

    side = pixels.shape[1]
    after = ((side - 2) // 2 - 2) // 2
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.Dropout(0.4), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * after * after, 128), nn.ReLU(), nn.Dropout(0.4),
        nn.Linear(128, len(classes)))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = nn.CrossEntropyLoss()

    eval_seconds, eval_samples = 0.0, 0

    def evaluate(x, y):
        nonlocal eval_seconds, eval_samples
        t0 = time.time()
        model.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, len(x), 256):
                correct += (model(x[i:i + 256]).argmax(1) == y[i:i + 256]).sum().item()
        eval_seconds += time.time() - t0
        eval_samples += len(x)
        return correct / len(x)

    train_seconds, train_samples = 0.0, 0
    for epoch in range(epochs):
        t0 = time.time()
        model.train()
        order = torch.randperm(len(x_train))
        for i in range(0, len(x_train), 128):
            idx = order[i:i + 128]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            optimizer.step()
        train_seconds += time.time() - t0
        train_samples += len(x_train)
        acc = evaluate(x_test, y_test)
        print("epoch %d/%d  test accuracy %.4f" % (epoch + 1, epochs, acc), flush=True)
    acc = evaluate(x_test, y_test)
    print(json.dumps({
        "threads": threads, "epochs": epochs, "train_rows": len(x_train), "test_rows": len(x_test),
        "decode_s": round(t_decode, 2), "train_s": round(train_seconds, 2),
        "train_samples_per_s": round(train_samples / train_seconds, 1),
        "eval_s": round(eval_seconds, 2), "eval_samples_per_s": round(eval_samples / eval_seconds, 1),
        "total_s": round(time.time() - t_begin, 2), "test_accuracy": round(acc, 4)}))


if __name__ == "__main__":
    main()
