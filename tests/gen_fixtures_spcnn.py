#!/usr/bin/python3
"""gen_fixtures_spcnn.py - writes tests/fixtures/spcnn_cases.json: Ludwig 0.10.3's
StackedParallelCNN encoder (ludwig/encoders/sequence_encoders.py; ParallelConv1DStack of
ParallelConv1D) for a text input with a category output, built in torch 1.13 (Debian's
python3-torch) with Ludwig's module names, for tests/unit/test_spcnn.c: per stack, parallel
nn.Conv1d(padding "same") layers at parallel_conv1d_stack.stack.<i>.parallel_layers.<j>.layers.0,
each with relu, concatenated on the channels (the next stack's input), then the sum over the
steps, an FCStack layer, the classifier. Each case: the parameters by state_dict name, token ids,
labels, the loss and every gradient. Run once from the repository root."""
import json

import torch


class Holder(torch.nn.Module):
    pass


def case(V, E, L, stacks, fc, C, B, seed):
    torch.manual_seed(seed)
    root = Holder()
    root.input_features = Holder()
    root.input_features.module_dict = torch.nn.ModuleDict()
    feat, enc = Holder(), Holder()
    feat.encoder_obj = enc
    enc.embed_sequence = Holder()
    enc.embed_sequence.embeddings = torch.nn.Embedding(V, E)
    enc.parallel_conv1d_stack = Holder()
    enc.parallel_conv1d_stack.stack = torch.nn.ModuleList()
    cin = E
    for layers in stacks:
        pl = Holder()
        pl.parallel_layers = torch.nn.ModuleList()
        for k, F, *opt in layers:  # opt: pool_size, pool_strides, pool_padding same, avg, norm
            pool, stride, same, avg, norm = opt if opt else (0, 0, False, False, False)
            layer = Holder()
            mods = [torch.nn.Conv1d(cin, F, k, padding="same")]
            if norm:  # Conv1DLayer's batch norm, between the conv and the relu
                mods.append(torch.nn.BatchNorm1d(F))
            mods.append(torch.nn.ReLU())
            if pool:
                P = torch.nn.AvgPool1d if avg else torch.nn.MaxPool1d
                mods.append(P(kernel_size=pool, stride=stride or pool, padding=(pool - 1) // 2 if same else 0))
            layer.layers = torch.nn.ModuleList(mods)
            pl.parallel_layers.append(layer)
        enc.parallel_conv1d_stack.stack.append(pl)
        cin = sum(layer[1] for layer in layers)
    enc.fc_stack = Holder()
    enc.fc_stack.stack = torch.nn.ModuleList()
    fl = Holder()
    fl.layers = torch.nn.ModuleList([torch.nn.Linear(cin, fc)])
    enc.fc_stack.stack.append(fl)
    root.input_features.module_dict["text__ludwig"] = feat
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
    ids = torch.randint(0, V, (B, L))
    y = torch.randint(0, C, (B,))

    def forward():
        h = enc.embed_sequence.embeddings(ids).transpose(1, 2)
        for pl in enc.parallel_conv1d_stack.stack:
            outs = []
            for l in pl.parallel_layers:
                o = h
                for m in l.layers:
                    o = m(o)
                outs.append(o)
            h = torch.cat(outs, dim=1)
        h = h.transpose(1, 2).sum(1)
        return of.decoder_obj.dense.dense(torch.relu(fl.layers[0](h)))

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
    return {"after": after, "V": V, "E": E, "L": L, "stacks": stacks, "fc": fc, "C": C, "B": B, "names": names,
            "shapes": shapes, "init": init, "ids": ids.flatten().tolist(), "y": y.tolist(),
            "loss": loss.item(), "grads": grads}


def main():
    cases = [case(12, 4, 7, [[(2, 3), (3, 2), (5, 2)], [(3, 4), (2, 1)]], 5, 3, 4, 91),
             case(9, 3, 5, [[(1, 2)], [(3, 2), (4, 3)], [(2, 2)]], 4, 2, 3, 92),
             # (filter_size, num_filters, pool_size, pool_strides, pool_padding same, average,
             # batch norm): pooled stacks (lengths 11 -> 5 -> 2) and batch norms
             case(10, 3, 11, [[(2, 3, 2, 0, False, False, True), (3, 2, 3, 2, False, False, False)],
                              [(3, 2, 3, 0, True, True, True), (1, 2, 2, 2, True, False, True)]],
                  4, 2, 4, 93)]
    with open("tests/fixtures/spcnn_cases.json", "w") as f:
        json.dump({"cases": cases}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
