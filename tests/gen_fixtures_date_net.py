#!/usr/bin/python3
"""gen_fixtures_date_net.py - writes tests/fixtures/date_net_cases.json: Ludwig 0.10.3's date
encoders (ludwig/encoders/date_encoders.py DateEmbed and DateWave) with a category output, built
in torch 1.13 (Debian's python3-torch) with Ludwig's module names, for tests/unit/test_date_net.c.

DateEmbed: year_fc (an FCStack: Linear(1, 1), no activation), embed_month / day / weekday /
yearday / hour / minute / second (nn.Embedding of 12, 31, 7, 366, 24, 60, 60 rows, min(rows,
embedding_size) wide; month, day and day of the year shifted down by one), the periodic second of
the day (torch_utils.periodic: cos(x * 2 pi / 86400)), concatenated, an FCStack layer (Linear +
relu). DateWave: year_fc, the 8 periodic components (periods 12, 31, 7, 366, 24, 60, 60, 86400),
the FCStack. Each case: the parameters by state_dict name, the date rows (9 numbers, int16 as
Ludwig stores them: seconds of the day past 32767 negative), labels, the loss and every
gradient. Run once from the repository root."""
import json
import math

import torch


class Holder(torch.nn.Module):
    pass


def periodic(x, period):
    return torch.cos(x * 2 * math.pi / period)


def case(kind, E, fc, C, B, seed):
    torch.manual_seed(seed)
    root = Holder()
    root.input_features = Holder()
    root.input_features.module_dict = torch.nn.ModuleDict()
    feat, enc = Holder(), Holder()
    feat.encoder_obj = enc
    enc.year_fc = Holder()
    enc.year_fc.stack = torch.nn.ModuleList()
    yl = Holder()
    yl.layers = torch.nn.ModuleList([torch.nn.Linear(1, 1)])
    enc.year_fc.stack.append(yl)
    parts = [("month", 12), ("day", 31), ("weekday", 7), ("yearday", 366), ("hour", 24),
             ("minute", 60), ("second", 60)]
    width = 1
    if kind == "embed":
        for name, V in parts:
            m = Holder()
            m.embeddings = torch.nn.Embedding(V, min(V, E))
            setattr(enc, "embed_" + name, m)
            width += min(V, E)
        width += 1
    else:
        width += 8
    enc.fc_stack = Holder()
    enc.fc_stack.stack = torch.nn.ModuleList()
    layer = Holder()
    layer.layers = torch.nn.ModuleList([torch.nn.Linear(width, fc)])
    enc.fc_stack.stack.append(layer)
    root.input_features.module_dict["d__ludwig"] = feat
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
    g = torch.Generator().manual_seed(seed)
    rows = []
    for _ in range(B):
        y = int(torch.randint(1990, 2030, (1,), generator=g))
        mo = int(torch.randint(1, 13, (1,), generator=g))
        d = int(torch.randint(1, 29, (1,), generator=g))
        wd = int(torch.randint(0, 7, (1,), generator=g))
        yd = int(torch.randint(1, 366, (1,), generator=g))
        h = int(torch.randint(0, 24, (1,), generator=g))
        mi = int(torch.randint(0, 60, (1,), generator=g))
        s = int(torch.randint(0, 60, (1,), generator=g))
        sod = h * 3600 + mi * 60 + s
        sod = sod - 65536 if sod > 32767 else sod
        rows.append([y, mo, d, wd, yd, h, mi, s, sod])
    x = torch.tensor(rows, dtype=torch.int32)

    def forward():
        xf = x.type(torch.double)
        hidden = [yl.layers[0](xf[:, 0:1])]
        if kind == "embed":
            off = {"month": 1, "day": 1, "yearday": 1}
            for j, (name, _) in enumerate(parts):
                ids = x[:, j + 1:j + 2] - off.get(name, 0)
                hidden.append(torch.squeeze(getattr(enc, "embed_" + name).embeddings(ids.long()), dim=1))
            hidden.append(periodic(xf[:, 8:9], 86400))
        else:
            for j, period in enumerate([12, 31, 7, 366, 24, 60, 60, 86400]):
                hidden.append(periodic(xf[:, j + 1:j + 2], period))
        h = torch.cat(hidden, dim=1)
        h = torch.relu(layer.layers[0](h))
        return of.decoder_obj.dense.dense(h)

    y = torch.randint(0, C, (B,))
    names = list(root.state_dict().keys())
    init = {k: [float(v) for v in t.flatten().tolist()] for k, t in root.state_dict().items()}
    shapes = {k: list(t.shape) for k, t in root.state_dict().items()}
    loss = torch.nn.CrossEntropyLoss()(forward(), y)
    loss.backward()
    grads = {k: [float(v) for v in p.grad.flatten().tolist()] for k, p in root.named_parameters()}
    return {"kind": kind, "E": E, "fc": fc, "C": C, "B": B, "names": names, "shapes": shapes,
            "init": init, "x": [float(v) for row in rows for v in row], "y": y.tolist(),
            "loss": loss.item(), "grads": grads}


def main():
    cases = [case("embed", 3, 6, 3, 5, 61), case("wave", 10, 5, 2, 4, 62)]
    with open("tests/fixtures/date_net_cases.json", "w") as f:
        json.dump({"cases": cases}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
