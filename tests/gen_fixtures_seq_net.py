#!/usr/bin/python3
"""gen_fixtures_seq_net.py - writes tests/fixtures/seq_net_cases.json: Ludwig 0.10.3's ECD network
for a timeseries input with the `rnn` encoder and a number output, built in torch 1.13 (Debian's
python3-torch) with Ludwig's module names, for tests/unit/test_seq_net.c.

The modules mirror Ludwig's (ludwig/encoders/sequence_encoders.py StackedRNN,
modules/recurrent_modules.py RecurrentStack, modules/reduction_modules.py, the concat combiner
with no fc layers, the regressor decoder): the series (B, T) is unsqueezed to (B, T, 1), run
through torch's RNN/GRU/LSTM (num_layers, bidirectional), reduced (ReduceLast: the step at
(number of steps whose largest |output| is not 0) - 1; sum; mean; max = torch.amax; concat), and
projected to one value. Loss: MSELoss against the targets. Each case stores every parameter
under its state_dict name (in state_dict order), the batch, the loss, every gradient, and the
parameters after 3 Adam steps (lr 0.01). Float32 values computed in float64.
Run once from the repository root; CI only reads the committed file.
"""
import json

import torch


class Holder(torch.nn.Module):
    pass


def reduce(h, mode):
    if mode == "last":
        used = torch.sign(torch.amax(torch.abs(h), dim=2))
        idx = torch.sum(used, 1).long() - 1
        idx[idx < 0] = 0
        return h[torch.arange(h.shape[0]), idx]
    if mode == "sum":
        return h.sum(1)
    if mode == "mean":
        return h.mean(1)
    if mode == "max":
        return torch.amax(h, dim=1)
    return h.reshape(h.shape[0], -1)


def case(cell, layers, bidir, mode, B, T, H, seed):
    torch.manual_seed(seed)
    root = Holder()
    root.input_features = Holder()
    root.input_features.module_dict = torch.nn.ModuleDict()
    enc = Holder()
    feat = Holder()
    feat.encoder_obj = enc
    enc.recurrent_stack = Holder()
    rnn = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[cell](
        1, H, num_layers=layers, bidirectional=bidir, batch_first=True)
    enc.recurrent_stack.layers = rnn
    root.input_features.module_dict["series__ludwig"] = feat
    D = 2 if bidir else 1
    F = D * H * (T if mode == "concat" else 1)
    root.output_features = Holder()
    root.output_features.module_dict = torch.nn.ModuleDict()
    of = Holder()
    of.decoder_obj = Holder()
    of.decoder_obj.dense = Holder()
    of.decoder_obj.dense.dense = torch.nn.Linear(F, 1)
    root.output_features.module_dict["y__ludwig"] = of
    root = root.double()
    with torch.no_grad():
        for p in root.parameters():
            p.copy_(p.float().double())
    x = torch.randn(B, T).float().double()
    x[0, T - 2:] = 0.0  # a right-padded row
    y = torch.randn(B).float().double()

    def forward():
        h, _ = rnn(x.unsqueeze(-1))
        return of.decoder_obj.dense.dense(reduce(h, mode)).squeeze(-1)

    names = list(root.state_dict().keys())
    init = {k: [float(v) for v in t.flatten().tolist()] for k, t in root.state_dict().items()}
    shapes = {k: list(t.shape) for k, t in root.state_dict().items()}
    loss = torch.nn.MSELoss()(forward(), y)
    loss.backward()
    grads = {k: [float(v) for v in p.grad.flatten().tolist()] for k, p in root.named_parameters()}
    opt = torch.optim.Adam(root.parameters(), lr=0.01)
    opt.zero_grad()
    for _ in range(3):
        opt.zero_grad()
        torch.nn.MSELoss()(forward(), y).backward()
        opt.step()
    final = {k: [float(v) for v in t.flatten().tolist()] for k, t in root.state_dict().items()}
    return {"cell": cell, "layers": layers, "bidirectional": int(bidir), "reduce": mode, "B": B,
            "T": T, "H": H, "names": names, "shapes": shapes, "init": init,
            "x": [float(v) for v in x.flatten().tolist()], "y": [float(v) for v in y.tolist()],
            "loss": loss.item(), "grads": grads, "final": final}


def main():
    cases = [
        case("rnn", 1, False, "last", 4, 6, 5, 11),
        case("lstm", 2, True, "last", 4, 6, 5, 12),
        case("gru", 2, False, "mean", 3, 5, 4, 13),
        case("lstm", 1, True, "max", 3, 5, 3, 14),
        case("gru", 1, True, "sum", 3, 4, 3, 15),
        case("rnn", 1, False, "concat", 3, 4, 3, 16),
    ]
    with open("tests/fixtures/seq_net_cases.json", "w") as f:
        json.dump({"cases": cases}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
