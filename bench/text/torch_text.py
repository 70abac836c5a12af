#!/usr/bin/python3
"""torch_text.py FORTUNES.csv [--encoder rnn|parallel_cnn] [--epochs N] [--batch B] [--threads N]
[--embed E] [--state S] [--layers L] [--bidirectional] [--filters F] [--width W] [--seed S]

The network Ludwig 0.10.3 builds for a text input with the rnn encoder (cell_type lstm) or the
parallel_cnn encoder and a category output, in plain PyTorch: the reference ludwig-c's text
benchmark is compared against.
Preprocessing as Ludwig's (docs/ludwig-0.10.3-text.md): space_punct tokens (runs of letters,
digits and '_', every other non-space character), the vocabulary over all rows with <EOS> <SOS>
<PAD> <UNK> first, rows [<SOS>, ids, <EOS>] padded with <PAD> to W (default: the longest row + 2,
capped at 256). Network: nn.Embedding(V, E) (xavier_uniform), nn.LSTM(E, S, L, bidirectional,
batch_first), Ludwig's ReduceLast, Linear to the classes; or parallel_cnn: nn.Embedding, four
nn.Conv1d(E, F, k, padding "same") for k = 2..5 each with relu, concatenated, summed over the
steps, Linear 512 + relu, Linear 256 + relu (Ludwig's default FCStack), Linear to the classes; softmax cross entropy; Adam (lr 0.001),
global-norm clipping 0.5; the `split` column's train rows shuffled each epoch. Prints per epoch
the training samples/s (forward, backward, step only), then one JSON line with the figures and
the test accuracy.
"""
import argparse
import collections
import csv
import json
import time

import numpy as np
import torch


def tokens(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c.isspace():
            i += 1
            continue
        j = i + 1
        if c.isalnum() or c == "_":
            while j < len(s) and (s[j].isalnum() or s[j] == "_"):
                j += 1
        out.append(s[i:j])
        i = j
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset")
    ap.add_argument("--encoder", default="rnn", choices=["rnn", "parallel_cnn"])
    ap.add_argument("--filters", type=int, default=256)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--embed", type=int, default=64)
    ap.add_argument("--state", type=int, default=64)
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--bidirectional", action="store_true")
    ap.add_argument("--width", type=int, default=0)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rows = list(csv.DictReader(open(a.dataset, newline="")))
    toks = [tokens(r["text"]) for r in rows]
    cnt = collections.Counter()
    for t in toks:
        cnt.update(t)
    vocab = ["<EOS>", "<SOS>", "<PAD>", "<UNK>"] + [w for w, _ in cnt.most_common(20000) if w not in
                                                    ("<EOS>", "<SOS>", "<PAD>", "<UNK>")]
    idx = {w: i for i, w in enumerate(vocab)}
    W = a.width or min(max(len(t) for t in toks) + 2, 256)
    X = np.full((len(rows), W), 2, dtype=np.int64)
    for i, t in enumerate(toks):
        ids = [1] + [idx.get(w, 3) for w in t] + [0]
        ids = ids[:W]
        X[i, :len(ids)] = ids
    classes = sorted({r["category"] for r in rows})
    Y = np.array([classes.index(r["category"]) for r in rows])
    split = np.array([int(r["split"]) for r in rows])
    tr, te = np.where(split == 0)[0], np.where(split == 2)[0]
    X, Y = torch.from_numpy(X), torch.from_numpy(Y)
    E = min(a.embed, len(vocab))
    emb = torch.nn.Embedding(len(vocab), E)
    torch.nn.init.xavier_uniform_(emb.weight)
    if a.encoder == "parallel_cnn":
        convs = torch.nn.ModuleList([torch.nn.Conv1d(E, a.filters, k, padding="same") for k in (2, 3, 4, 5)])
        fc = torch.nn.Sequential(torch.nn.Linear(4 * a.filters, 512), torch.nn.ReLU(),
                                 torch.nn.Linear(512, 256), torch.nn.ReLU())
        for m in fc:
            if isinstance(m, torch.nn.Linear):
                torch.nn.init.xavier_uniform_(m.weight)
                torch.nn.init.zeros_(m.bias)
        head = torch.nn.Linear(256, len(classes))
        params = list(emb.parameters()) + list(convs.parameters()) + list(fc.parameters()) + list(head.parameters())
    else:
        rnn = torch.nn.LSTM(E, a.state, num_layers=a.layers, bidirectional=a.bidirectional, batch_first=True)
        head = torch.nn.Linear(a.state * (2 if a.bidirectional else 1), len(classes))
        params = list(emb.parameters()) + list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=0.001)

    def forward(xb):
        if a.encoder == "parallel_cnn":
            h = emb(xb).transpose(1, 2)
            h = torch.cat([torch.relu(c(h)) for c in convs], dim=1).sum(2)
            return head(fc(h))
        h, _ = rnn(emb(xb))
        used = torch.sign(torch.amax(torch.abs(h), dim=2))
        last = torch.sum(used, 1).long() - 1
        last[last < 0] = 0
        return head(h[torch.arange(h.shape[0]), last])

    seen, secs = 0, 0.0
    for ep in range(a.epochs):
        order = tr[np.random.default_rng(a.seed + ep).permutation(len(tr))]
        t0 = time.perf_counter()
        for at in range(0, len(order), a.batch):
            b = torch.from_numpy(order[at:at + a.batch])
            loss = torch.nn.functional.cross_entropy(forward(X[b]), Y[b])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 0.5)
            opt.step()
        dt = time.perf_counter() - t0
        secs += dt
        seen += len(order)
        print("epoch %d: %.0f samples/s" % (ep + 1, len(order) / dt))
    with torch.no_grad():
        acc = float((forward(X[torch.from_numpy(te)]).argmax(1) == Y[torch.from_numpy(te)]).float().mean())
    print(json.dumps({"train_samples_per_s": seen / secs, "test_accuracy": acc, "width": W,
                      "vocab": len(vocab)}))


if __name__ == "__main__":
    main()
