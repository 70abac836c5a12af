#!/usr/bin/python3
"""gen_fixtures_attn.py - writes tests/fixtures/attn_cases.json: Ludwig 0.10.3's attention
reduction (ludwig/modules/attention_modules.py FeedForwardAttentionReducer, reached through
SequenceReducer's _reduce_obj) after a text input's embed encoder (SequenceEmbedEncoder), with a
category output, built in torch 1.13 (Debian's python3-torch) with Ludwig's module names, for
tests/unit/test_attn.c: fc_layer1 (Linear(E, 256)) over every step, tanh, fc_layer2
(Linear(256, 1, bias=False)), softmax over the steps, the steps summed with those weights. Each
case: the parameters by state_dict name, token ids, labels, the loss and every gradient. Run
once from the repository root."""
import json

import torch


class Holder(torch.nn.Module):
    pass


def case(V, E, L, C, B, seed):
    torch.manual_seed(seed)
    root = Holder()
    root.input_features = Holder()
    root.input_features.module_dict = torch.nn.ModuleDict()
    feat, enc = Holder(), Holder()
    feat.encoder_obj = enc
    enc.embed_sequence = Holder()
    enc.embed_sequence.embeddings = torch.nn.Embedding(V, E)
    enc.reduce_sequence = Holder()
    red = Holder()
    red.fc_layer1 = torch.nn.Linear(E, 256)
    red.fc_layer2 = torch.nn.Linear(256, 1, bias=False)
    enc.reduce_sequence._reduce_obj = red
    root.input_features.module_dict["text__ludwig"] = feat
    root.output_features = Holder()
    root.output_features.module_dict = torch.nn.ModuleDict()
    of = Holder()
    of.decoder_obj = Holder()
    of.decoder_obj.dense = Holder()
    of.decoder_obj.dense.dense = torch.nn.Linear(E, C)
    root.output_features.module_dict["y__ludwig"] = of
    root = root.double()
    with torch.no_grad():
        for p in root.parameters():
            p.copy_(p.float().double())
    ids = torch.randint(0, V, (B, L))
    y = torch.randint(0, C, (B,))

    def forward():
        h = enc.embed_sequence.embeddings(ids)
        s = red.fc_layer2(torch.tanh(red.fc_layer1(h)))
        a = torch.softmax(s, dim=1)
        return of.decoder_obj.dense.dense(torch.sum(a * h, dim=1))

    names = list(root.state_dict().keys())
    init = {k: [float(v) for v in t.flatten().tolist()] for k, t in root.state_dict().items()}
    shapes = {k: list(t.shape) for k, t in root.state_dict().items()}
    loss = torch.nn.CrossEntropyLoss()(forward(), y)
    loss.backward()
    grads = {k: [float(v) for v in p.grad.flatten().tolist()] for k, p in root.named_parameters()}
    return {"V": V, "E": E, "L": L, "C": C, "B": B, "names": names, "shapes": shapes,
            "init": init, "ids": ids.flatten().tolist(), "y": y.tolist(), "loss": loss.item(),
            "grads": grads}


def main():
    cases = [case(11, 4, 6, 3, 5, 71), case(7, 3, 9, 2, 3, 72)]
    with open("tests/fixtures/attn_cases.json", "w") as f:
        json.dump({"cases": cases}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
