#!/usr/bin/python3
"""gen_fixtures_pcnn.py - writes tests/fixtures/pcnn_cases.json: Ludwig 0.10.3's ECD network for a
text input (and a timeseries input: no embedding, one channel; and with max or average pooling
after each conv layer; with batch norm after each conv) with the parallel_cnn encoder and a category output, built in torch 1.13 (Debian's
python3-torch) with Ludwig's module names, for tests/unit/test_pcnn.c.

Modules as Ludwig's (ludwig/encoders/sequence_encoders.py ParallelCNN; facts in
docs/ludwig-0.10.3-text.md): embed_sequence.embeddings (nn.Embedding), parallel_conv1d.
parallel_layers.<i>.layers.0 (nn.Conv1d, padding "same", over the (B, L, E) embeddings transposed),
relu, the layers concatenated on the channel axis, reduced over the steps (sum, max, last or
concat), the fc_stack (Linear + relu per layer), then the classifier decoder; softmax cross entropy. Each case:
the parameters by state_dict name (in state_dict order), the token ids, labels, the loss and every
gradient. Float32 values computed in float64. Run once from the repository root.
"""
import json

import torch


class Holder(torch.nn.Module):
    pass


def case(V, E, L, ks, F, fc, C, B, reduce, seed, pool=0, avg=False, norm=False):
    torch.manual_seed(seed)
    root = Holder()
    root.input_features = Holder()
    root.input_features.module_dict = torch.nn.ModuleDict()
    feat, enc = Holder(), Holder()
    feat.encoder_obj = enc
    if V:
        enc.embed_sequence = Holder()
        enc.embed_sequence.embeddings = torch.nn.Embedding(V, E)
    enc.parallel_conv1d = Holder()
    enc.parallel_conv1d.parallel_layers = torch.nn.ModuleList()
    for k in ks:
        layer = Holder()
        mods = [torch.nn.Conv1d(E, F, k, padding="same")]
        if norm:  # Conv1DLayer's norm: batch -> BatchNorm1d(F) over (B, F, L), training mode
            mods.append(torch.nn.BatchNorm1d(F))
        layer.layers = torch.nn.ModuleList(mods)
        enc.parallel_conv1d.parallel_layers.append(layer)
    enc.fc_stack = Holder()
    enc.fc_stack.stack = torch.nn.ModuleList()
    n_in = F * len(ks)
    if reduce == "concat":  # every step's channels flattened: (steps after the pooling) x F x layers
        n_in *= (L + 2 * ((pool - 1) // 2) - pool) // pool + 1 if pool else L
    for n in fc:
        layer = Holder()
        layer.layers = torch.nn.ModuleList([torch.nn.Linear(n_in, n)])
        enc.fc_stack.stack.append(layer)
        n_in = n
    name = "text" if V else "ts"
    root.input_features.module_dict[name + "__ludwig"] = feat
    root.output_features = Holder()
    root.output_features.module_dict = torch.nn.ModuleDict()
    of = Holder()
    of.decoder_obj = Holder()
    of.decoder_obj.dense = Holder()
    of.decoder_obj.dense.dense = torch.nn.Linear(n_in, C)
    root.output_features.module_dict["y__ludwig"] = of
    root = root.double()
    with torch.no_grad():
        for p in root.parameters():
            p.copy_(p.float().double())
    if V:
        ids = torch.randint(0, V, (B, L))
        ids[0, L - 2:] = 2  # padding ids on a row
    else:  # a timeseries: one value per step, no embedding (embedding_size 1)
        ids = torch.randn(B, L).float().double()
    y = torch.randint(0, C, (B,))

    def forward():
        h = enc.embed_sequence.embeddings(ids) if V else ids.unsqueeze(-1)
        outs = []
        for l in enc.parallel_conv1d.parallel_layers:
            o = l.layers[0](h.transpose(1, 2))
            if norm:
                o = l.layers[1](o)
            outs.append(torch.relu(o))
        if pool:  # ParallelConv1D's pooling: kernel and stride pool, "same" padding (pool - 1) // 2
            P = torch.nn.AvgPool1d if avg else torch.nn.MaxPool1d
            outs = [P(kernel_size=pool, stride=pool, padding=(pool - 1) // 2)(o) for o in outs]
        outs = [o.transpose(1, 2) for o in outs]
        h = torch.cat(outs, dim=2)
        if reduce == "last":  # Ludwig's ReduceLast: the last step with a non-zero channel
            used = torch.sign(torch.amax(torch.abs(h), dim=2))
            n = used.sum(1).long() - 1
            n[n < 0] = 0
            h = h[torch.arange(h.shape[0]), n]
        elif reduce == "concat":
            h = h.reshape(h.shape[0], -1)
        else:
            h = h.sum(1) if reduce == "sum" else torch.amax(h, dim=1)
        for l in enc.fc_stack.stack:
            h = torch.relu(l.layers[0](h))
        return of.decoder_obj.dense.dense(h)

    sd = {k: t for k, t in root.state_dict().items() if not k.endswith("num_batches_tracked")}
    names = list(sd.keys())
    init = {k: [float(v) for v in t.flatten().tolist()] for k, t in sd.items()}
    shapes = {k: list(t.shape) for k, t in sd.items()}
    root.train()
    loss = torch.nn.CrossEntropyLoss()(forward(), y)
    # buffers (the batch norms' running stats) after the training forward
    after = {k: [float(v) for v in t.flatten().tolist()] for k, t in root.state_dict().items()
             if k.endswith("running_mean") or k.endswith("running_var")}
    loss.backward()
    grads = {k: [float(v) for v in p.grad.flatten().tolist()] for k, p in root.named_parameters()}
    return {"pool": pool, "avg": avg, "norm": norm, "after": after, "name": name, "V": V, "E": E, "L": L, "ks": ks, "F": F, "fc": fc, "C": C, "B": B, "reduce": reduce,
            "names": names, "shapes": shapes, "init": init, "ids": ids.flatten().tolist(),
            "y": y.tolist(), "loss": loss.item(), "grads": grads}


def main():
    cases = [case(12, 5, 6, [2, 3, 4, 5], 4, [8, 6], 3, 4, "sum", 41),
             case(9, 3, 5, [1, 3], 2, [4], 2, 3, "max", 42),
             case(0, 1, 7, [2, 3, 4, 5], 3, [5], 2, 4, "sum", 43),
             case(10, 3, 9, [2, 3], 3, [4], 2, 3, "max", 44, pool=3),
             case(10, 3, 8, [3, 4], 2, [4], 2, 3, "sum", 45, pool=2, avg=True),
             case(11, 4, 6, [2, 3, 5], 3, [5], 3, 4, "sum", 46, norm=True),
             case(0, 1, 9, [3, 4], 3, [4], 2, 3, "max", 47, pool=2, norm=True),
             # last and concat reduce the layers' outputs concatenated per step
             case(12, 4, 7, [2, 3, 5], 3, [5], 3, 4, "last", 48),
             case(10, 3, 8, [2, 4], 2, [4], 2, 3, "concat", 49, pool=2)]
    with open("tests/fixtures/pcnn_cases.json", "w") as f:
        json.dump({"cases": cases}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
