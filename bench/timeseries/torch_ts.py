#!/usr/bin/python3
"""torch_ts.py DATASET.csv [--epochs N] [--batch B] [--threads N] [--cell rnn|gru|lstm]
[--state S] [--layers L] [--bidirectional] [--seed S]

The network Ludwig 0.10.3 builds for upstream Galaxy-Ludwig's temperature_config.yml (a timeseries
input with the rnn encoder, a number output), in plain PyTorch: the reference ludwig-c's timeseries
benchmark is compared against. The series column (space-separated numbers) becomes a (rows, T)
float32 matrix; the network is torch.nn.RNN/GRU/LSTM(1, state, layers, batch_first) over (B, T, 1),
Ludwig's ReduceLast (the step at the number of steps with a non-zero output, minus one), then the
regressor Linear(state * directions, 1); loss MSELoss; Adam (lr 0.001, Ludwig's defaults);
gradients clipped to a global norm of 0.5 (Ludwig's default gradient_clipping); a fresh shuffle
of the training rows each epoch; the split is Ludwig's default random 70/10/20 (seeded). After
training the test split is scored (r2, mean absolute error).

Prints per epoch the training loss and the training samples/s (forward, backward and optimizer
step only), then one JSON line with the figures.
"""
import argparse
import csv
import json
import time

import numpy as np
import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cell", default="rnn")
    ap.add_argument("--state", type=int, default=32)
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--bidirectional", action="store_true")
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rows = list(csv.DictReader(open(a.dataset, newline="")))
    x = np.array([[float(v) for v in r["temperature_feature"].split()] for r in rows], dtype=np.float32)
    y = np.array([float(r["temperature"]) for r in rows], dtype=np.float32)
    perm = np.random.default_rng(a.seed).permutation(len(rows))
    ntr, nva = int(0.7 * len(rows)), int(0.1 * len(rows))
    tr, te = perm[:ntr], perm[ntr + nva:]
    X, Y = torch.from_numpy(x), torch.from_numpy(y)
    rnn = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[a.cell](
        1, a.state, num_layers=a.layers, bidirectional=a.bidirectional, batch_first=True)
    head = torch.nn.Linear(a.state * (2 if a.bidirectional else 1), 1)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=0.001)

    def forward(xb):
        h, _ = rnn(xb.unsqueeze(-1))
        used = torch.sign(torch.amax(torch.abs(h), dim=2))
        idx = torch.sum(used, 1).long() - 1
        idx[idx < 0] = 0
        return head(h[torch.arange(h.shape[0]), idx]).squeeze(-1)

    seen, secs = 0, 0.0
    for ep in range(a.epochs):
        order = tr[np.random.default_rng(a.seed + ep).permutation(len(tr))]
        t0 = time.perf_counter()
        tot = 0.0
        for at in range(0, len(order), a.batch):
            idx = torch.from_numpy(order[at:at + a.batch])
            loss = torch.nn.functional.mse_loss(forward(X[idx]), Y[idx])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 0.5)
            opt.step()
            tot += loss.item() * len(idx)
        dt = time.perf_counter() - t0
        secs += dt
        seen += len(order)
        print("epoch %d: training loss %.4f, %.0f samples/s" % (ep + 1, tot / len(order), len(order) / dt))
    with torch.no_grad():
        p = forward(X[torch.from_numpy(te)]).numpy()
    t = y[te]
    r2 = 1.0 - float(((p - t) ** 2).sum() / ((t - t.mean()) ** 2).sum())
    print(json.dumps({"train_samples_per_s": seen / secs, "test_r2": r2,
                      "test_mae": float(np.abs(p - t).mean()), "epochs": a.epochs}))


if __name__ == "__main__":
    main()
