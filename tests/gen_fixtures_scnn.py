#!/usr/bin/python3
"""gen_fixtures_scnn.py - writes tests/fixtures/scnn_cases.json: Ludwig 0.10.3's StackedCNN
encoder (ludwig/encoders/sequence_encoders.py; its Conv1DStack of Conv1DLayer modules) for a text
input (and a timeseries input: no embedding, one channel; and StackedCNNRNN: a GRU over the
stack's steps) with a category output, built in torch
1.13 (Debian's python3-torch) with Ludwig's module names, for tests/unit/test_scnn.c: per layer
nn.Conv1d(padding "same") at conv1d_stack.stack.<i>.layers.0, relu, then MaxPool1d or AvgPool1d
(kernel, stride, padding (kernel - 1) // 2 for "same"), the sum over the steps, an FCStack
layer, the classifier. Each case: the parameters by state_dict name, the inputs, labels, the
loss and every gradient. Run once from the repository root."""
import json

import torch


class Holder(torch.nn.Module):
    pass


def case(V, E, L, layers, fc, C, B, seed, gru=0):
    torch.manual_seed(seed)
    root = Holder()
    root.input_features = Holder()
    root.input_features.module_dict = torch.nn.ModuleDict()
    feat, enc = Holder(), Holder()
    feat.encoder_obj = enc
    if V:
        enc.embed_sequence = Holder()
        enc.embed_sequence.embeddings = torch.nn.Embedding(V, E)
    enc.conv1d_stack = Holder()
    enc.conv1d_stack.stack = torch.nn.ModuleList()
    cin, mods, lin = E, [], L
    for k, F, pool, stride, same, avg, *more in layers:
        norm, cst, cdil, cvalid = (more + [False, 1, 1, False][len(more):])
        layer = Holder()
        conv = torch.nn.Conv1d(cin, F, k, stride=cst, dilation=cdil, padding="valid" if cvalid else "same")
        mlist = [conv]
        lout = conv(torch.zeros(1, cin, lin)).shape[-1]
        if norm == "layer":  # norm: layer -> LayerNorm([F, input steps]), its affine random here
            ln = torch.nn.LayerNorm([F, lin])
            with torch.no_grad():
                ln.weight.uniform_(0.5, 1.5)
                ln.bias.uniform_(-0.5, 0.5)
            mlist.append(ln)
        elif norm:  # norm: batch -> BatchNorm1d(F) between the conv and the relu
            mlist.append(torch.nn.BatchNorm1d(F))
        lin = lout
        if pool:
            lin = (lin + 2 * ((pool - 1) // 2 if same else 0) - pool) // (stride or pool) + 1
        mlist.append(torch.nn.ReLU())
        if pool:
            P = torch.nn.AvgPool1d if avg else torch.nn.MaxPool1d
            mlist.append(P(kernel_size=pool, stride=stride or pool, padding=(pool - 1) // 2 if same else 0))
        layer.layers = torch.nn.ModuleList(mlist)
        enc.conv1d_stack.stack.append(layer)
        mods.append(layer)
        cin = F
    if gru:  # cnnrnn: a GRU of gru units over the conv stack's steps
        enc.recurrent_stack = Holder()
        enc.recurrent_stack.layers = torch.nn.GRU(cin, gru, batch_first=True)
        cin = gru
    enc.fc_stack = Holder()
    enc.fc_stack.stack = torch.nn.ModuleList()
    fl = Holder()
    fl.layers = torch.nn.ModuleList([torch.nn.Linear(cin, fc)])
    enc.fc_stack.stack.append(fl)
    name = "text" if V else "ts"
    root.input_features.module_dict[name + "__ludwig"] = feat
    root.output_features = Holder()
    root.output_features.module_dict = torch.nn.ModuleDict()
    of = Holder()
    of.decoder_obj = Holder()
    of.decoder_obj.dense = Holder()
    of.decoder_obj.dense.dense = torch.nn.Linear(fc, C)
    root.output_features.module_dict["y__ludwig"] = of
    root = root.double()
    with torch.no_grad():
        for p in root.parameters():
            p.copy_(p.float().double())
    x = torch.randint(0, V, (B, L)) if V else torch.randn(B, L).float().double()
    y = torch.randint(0, C, (B,))

    def forward():
        h = enc.embed_sequence.embeddings(x) if V else x.unsqueeze(-1)
        h = h.transpose(1, 2)
        for layer in mods:
            for m in layer.layers:
                h = m(h)
        h = h.transpose(1, 2)
        if gru:
            h, _ = enc.recurrent_stack.layers(h)
        h = h.sum(1)
        h = torch.relu(fl.layers[0](h))
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
    return {"gru": gru, "after": after, "name": name, "V": V, "E": E, "L": L, "layers": layers, "fc": fc, "C": C, "B": B,
            "names": names, "shapes": shapes, "init": init,
            "x": [float(v) for v in x.flatten().tolist()], "y": y.tolist(), "loss": loss.item(),
            "grads": grads}


def main():
    # (filter_size, num_filters, pool_size, pool_strides, pool_padding same, average[, norm (True:
    # batch, "layer")[, strides, dilation_rate, padding valid]])
    cases = [case(13, 4, 11, [(3, 5, 3, 0, True, False), (2, 4, 0, 0, True, False),
                              (3, 3, 2, 1, False, True)], 6, 3, 4, 81),
             case(0, 1, 12, [(7, 3, 3, 0, True, False), (3, 2, 3, 0, True, False)], 4, 2, 3, 82),
             case(9, 3, 10, [(5, 4, 3, 0, True, False), (5, 3, 0, 0, True, False)], 4, 2, 3, 83, gru=5),
             case(0, 1, 12, [(5, 4, 3, 0, True, False, True), (3, 3, 0, 0, True, False),
                             (3, 2, 2, 0, True, True, True)], 4, 2, 4, 84),
             # strided, dilated, "valid": 16 steps -> 7 -> 5 -> (dilated "same") 5 -> pooled 2
             case(7, 3, 16, [(3, 4, 0, 0, True, False, False, 2, 1, True),
                             (2, 3, 0, 0, True, False, True, 1, 2, True),
                             (3, 2, 2, 0, False, False, False, 1, 2, False)], 4, 2, 3, 85),
             # layer norms (LayerNorm([num_filters, steps]) between the conv and the relu), the
             # second after a pooling: 11 steps -> pooled 6 -> 6
             case(8, 3, 11, [(3, 4, 2, 0, True, False, "layer"), (2, 3, 0, 0, True, False, "layer"),
                             (3, 2, 0, 0, True, False, True)], 4, 2, 3, 86)]
    with open("tests/fixtures/scnn_cases.json", "w") as f:
        json.dump({"cases": cases}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
