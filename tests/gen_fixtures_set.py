#!/usr/bin/python3
"""gen_fixtures_set.py - writes tests/fixtures/set_cases.json: Ludwig 0.10.3's encoders of a set
input (SetSparseEncoder: EmbedSet) and a bag input (BagEmbedWeightedEncoder: EmbedWeighted), each
followed by an FCStack layer and a category classifier, built in torch 1.13 (Debian's
python3-torch) with Ludwig's module names, for tests/unit/test_set.c.

The embedding modules' forward passes are Ludwig's (ludwig/modules/embedding_modules.py) step for
step: EmbedSet turns the multi-hot row into indices (inputs.int() * arange(V)), looks them up and
multiplies by those same indices before summing over the vocabulary, so each present token's
embedding is scaled by its index; EmbedWeighted multiplies each looked-up row by the token's
count. Each case: the parameters by state_dict name, the multi-hot / count rows, labels, the
loss and every gradient (float64 from float32 values). Run once from the repository root.
"""
import json

import torch


class Holder(torch.nn.Module):
    pass


def case(kind, V, E, fc, C, B, seed):
    torch.manual_seed(seed)
    root = Holder()
    root.input_features = Holder()
    root.input_features.module_dict = torch.nn.ModuleDict()
    feat, enc = Holder(), Holder()
    feat.encoder_obj = enc
    emb = Holder()
    emb.embeddings = torch.nn.Embedding(V, E)
    if kind == "set":
        enc.embed = emb
    else:
        enc.embed_weighted = emb
    enc.fc_stack = Holder()
    enc.fc_stack.stack = torch.nn.ModuleList()
    layer = Holder()
    layer.layers = torch.nn.ModuleList([torch.nn.Linear(E, fc)])
    enc.fc_stack.stack.append(layer)
    root.input_features.module_dict["x__ludwig"] = feat
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
    if kind == "set":
        x = (torch.rand(B, V) < 0.3)
        x[0, 0] = True  # the first token: index 0, so it adds nothing
        x[1] = False    # an empty set
    else:
        x = torch.randint(0, 3, (B, V)) * (torch.rand(B, V) < 0.4)
        x = x.double()
    idx = torch.arange(V)

    def forward():
        if kind == "set":
            ii = x.int() * idx
            h = emb.embeddings(ii.long()) * torch.unsqueeze(ii, -1)
            h = torch.sum(h, dim=1)
        else:
            ii = (x != 0).type(torch.int32) * idx
            h = emb.embeddings(ii.long()) * torch.unsqueeze(x, -1)
            h = torch.sum(h, dim=1)
        h = torch.relu(layer.layers[0](h))
        return of.decoder_obj.dense.dense(h)

    y = torch.randint(0, C, (B,))
    names = list(root.state_dict().keys())
    init = {k: [float(v) for v in t.flatten().tolist()] for k, t in root.state_dict().items()}
    shapes = {k: list(t.shape) for k, t in root.state_dict().items()}
    loss = torch.nn.CrossEntropyLoss()(forward(), y)
    loss.backward()
    grads = {k: [float(v) for v in p.grad.flatten().tolist()] for k, p in root.named_parameters()}
    return {"kind": kind, "V": V, "E": E, "fc": fc, "C": C, "B": B, "names": names,
            "shapes": shapes, "init": init, "x": [float(v) for v in x.double().flatten().tolist()],
            "y": y.tolist(), "loss": loss.item(), "grads": grads}


def main():
    cases = [case("set", 9, 4, 5, 3, 6, 51), case("bag", 11, 3, 4, 2, 5, 52)]
    with open("tests/fixtures/set_cases.json", "w") as f:
        json.dump({"cases": cases}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
