#!/usr/bin/python3
"""gen_fixtures_tabular.py - writes tests/fixtures/tabular_<variant>.bin: the network Ludwig 0.10.3
builds for number, binary and category features, run by torch 1.13 (Debian's python3-torch), for
tests/unit/test_tabular_net.c.

Run once from the repository root; CI only reads the committed files. Ludwig is not installed, so
its modules are written here from their definitions and nested as Ludwig nests them, so that
state_dict() gives Ludwig's tensor names (num_batches_tracked left out: ludwig-c does not keep it):
  PassthroughEncoder (number, binary)    the (B, 1) value              encoders/generic_encoders.py
  DenseEncoder                           encoder_obj.fc_stack (FCStack)
  CategoricalEmbedEncoder ("dense")      encoder_obj.embed.embeddings: nn.Embedding
                                         .from_pretrained (encoders/category_encoders.py,
                                         modules/embedding_modules.py)
  CategoricalOneHotEncoder               one_hot(idx, vocab).float()
  ConcatCombiner                         torch.cat(encoder outputs, 1) then combiner.fc_stack
  FCStack                                norm_layer (default_norm, on the stack input), dropout
                                         (default_dropout > 0 only), then stack.i.layers =
                                         [Linear, norm?, activation, Dropout?]; residual adds the
                                         layer's input when the sizes match
                                         (modules/fully_connected_modules.py)
  norm batch / layer                     BatchNorm1dOrIdentity (BatchNorm1d, the identity for a
                                         batch of one row) / LayerNorm
                                         (modules/normalization_modules.py)
  output feature                         fc_stack (FCStack), decoder_obj.dense.dense (Regressor:
                                         squeeze(Linear(., 1), -1); Classifier: Linear(., C))
  losses (modules/loss_modules.py)       number: MSELoss or HuberLoss(delta); binary:
                                         BCEWithLogitsLoss(pos_weight); category:
                                         CrossEntropyLoss(weight)
  total (models/base.py train_loss)      sum over outputs of loss.weight x loss

Variants (B = 8, dropout 0 everywhere, so no RNG is involved after the initial values):
  bn: combiner FCStack norm batch (BatchNorm1d on its 12 inputs and after each Linear), 2 layers of
      8 with residual (layer 0: 12 -> 8 has no residual, layer 1: 8 -> 8 adds its input); number
      loss MSE
  ln: combiner FCStack norm layer (LayerNorm on its inputs and after each Linear), 2 layers of 6,
      no residual; number loss huber, delta 0.5; num_b's dense encoder has 2 layers of 3, the
      second with its own batch norm (a `layers` entry; no stack norm)
Inputs in config order: num_a (number, passthrough), num_b (number, dense: bn 1 layer of 3, relu; ln
as above), bin_c (binary, passthrough), cat_d (category, dense embedding, vocab 5, size 3), cat_e
(category, onehot, vocab 4): concat width 1 + 3 + 1 + 3 + 4 = 12. Outputs: num_y (number: its
fc_stack has one layer of 4, relu; regressor, loss weight 1.5), bin_y (binary: regressor, pos_weight
1.7, loss weight 0.5), cat_y (category, 3 classes: classifier, class weights [1.0, 2.5, 0.5], loss
weight 2.0). Weights start from Ludwig's initializers (xavier_uniform, zero biases, U(-1, 1)
embeddings), then biases and norm parameters are perturbed so that none is trivial.

Runs: the first training-mode forward/backward (logits, each loss, the total, every gradient),
then 3 Adam steps (lr 0.01, betas 0.9/0.999, eps 1e-8) and, from the same start, 3 SGD steps
(lr 0.05, momentum 0.9), each step a training forward on the same batch (running stats update),
no gradient clipping; torch.optim with foreach=False. The gradients that are 0 in exact
arithmetic (ZERO_GRAD: a batch norm downstream cancels the parameter) are set to exactly 0 before
each step: left as rounding noise, Adam's normalisation turns noise of 1e-9 into steps of about
+-lr whose sign no two implementations share.

File layout, little-endian: int32 magic 0x4254434C ("LCTB"), int32 version 1, int32 R records;
each record: char name[128] (NUL padded), int32 kind (0 data, 1 parameter, 2 buffer), int32 dtype
(0 float32, 1 int32), int32 ndim, int32 shape[4], then the values. Records:
  cfg.<what>                constants the C test reads back (loss weights, class weights, ...)
  input.<feature>, target.<feature>   (B) float32 (category: int32 for targets, float32 indices
                            for inputs, as ludwig-c's input slots hold them)
  logits.<feature>, loss.<feature>, loss.total     first forward (loss float32, shape (1))
  init.<tensor>             kind 1 or 2: the state_dict, in its order
  grad.<parameter>          first backward
  zerograd.<parameter>      (1): the ZERO_GRAD tensors, with torch's largest |gradient|
  adam.<tensor>, sgd.<tensor>   after the 3 steps (buffers: running stats after 3 forwards)
  eval.<feature>            logits in evaluation mode after the Adam steps (running stats)
  eval1.<feature>           the same for row EVAL_ROW alone: a batch of one row, where Ludwig's
                            BatchNorm1dOrIdentity is the identity
"""
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

MAGIC = 0x4254434C
B, STEPS = 8, 3
NAME = 128
VOCAB_D, EMB_D, VOCAB_E, NCLS = 5, 3, 4, 3
LOSS_W = {"num_y": 1.5, "bin_y": 0.5, "cat_y": 2.0}
POS_WEIGHT = 1.7
CLASS_W = [1.0, 2.5, 0.5]
HUBER_DELTA = 0.5
EVAL_ROW = 3
# Parameters whose gradient is 0 in exact arithmetic, because a batch norm after them removes
# their effect (a bias, or the stack-input norm's shift, before a linear layer and batch norm):
# torch sees rounding noise there (< 1e-6). (Batch norm right after a linear layer of one input,
# e.g. a number's dense encoder with norm: batch, makes that layer's weight such a parameter too,
# so the variants avoid it.)
CB = "combiner.fc_stack."
NB = "input_features.module_dict.num_b__ludwig.encoder_obj.fc_stack."
ZERO_GRAD = {
    "bn": [CB + "norm_layer.bias", CB + "stack.0.layers.0.bias", CB + "stack.1.layers.0.bias"],
    "ln": [NB + "stack.1.layers.0.bias"],
}


class BatchNorm1dOrIdentity(nn.BatchNorm1d):
    """Ludwig's batch norm: the identity for a batch of one row, in training and in evaluation."""

    def forward(self, x):
        return x if x.shape[0] == 1 else super().forward(x)


def norm_layer(kind, n):
    return BatchNorm1dOrIdentity(n) if kind == "batch" else nn.LayerNorm(n)


class FCLayer(nn.Module):
    def __init__(self, fin, fout, norm, act):
        super().__init__()
        self.output_size = fout
        self.layers = nn.ModuleList([nn.Linear(fin, fout)])
        nn.init.xavier_uniform_(self.layers[0].weight)
        nn.init.zeros_(self.layers[0].bias)
        if norm:
            self.layers.append(norm_layer(norm, fout))
        self.layers.append(nn.ReLU() if act == "relu" else nn.Identity())

    def forward(self, x):
        for l in self.layers:
            x = l(x)
        return x


class FCStack(nn.Module):
    """norm: the stack's default_norm; layer_norms: a layer's own norm (its `layers` entry)."""

    def __init__(self, fin, sizes, norm=None, residual=False, layer_norms=None):
        super().__init__()
        self.input_size = fin
        self.norm_layer = norm_layer(norm, fin) if norm else None
        self.stack = nn.ModuleList()
        for i, s in enumerate(sizes):
            self.stack.append(FCLayer(fin, s, layer_norms[i] if layer_norms else norm, "relu"))
            fin = s
        self.residual = residual

    def forward(self, x):
        if self.norm_layer is not None:
            x = self.norm_layer(x)
        prev = self.input_size
        for layer in self.stack:
            out = layer(x)
            x = x + out if self.residual and layer.output_size == prev else out
            prev = layer.output_size
        return x


class Holder(nn.Module):
    def __init__(self, **mods):
        super().__init__()
        for k, v in mods.items():
            setattr(self, k, v)


class Passthrough(nn.Module):
    def forward(self, x):
        return x


class DenseEnc(nn.Module):
    def __init__(self, two):
        super().__init__()
        self.fc_stack = FCStack(1, [3, 3], layer_norms=[None, "batch"]) if two else FCStack(1, [3])

    def forward(self, x):
        return self.fc_stack(x)


class EmbedEnc(nn.Module):
    def __init__(self):
        super().__init__()
        w = torch.empty(VOCAB_D, EMB_D).uniform_(-1.0, 1.0)
        self.embed = Holder(embeddings=nn.Embedding.from_pretrained(w, freeze=False))

    def forward(self, x):
        return torch.squeeze(self.embed.embeddings(x.long()), dim=1)


class OneHotEnc(nn.Module):
    def forward(self, x):
        return F.one_hot(x.reshape(-1).long(), num_classes=VOCAB_E).float()


class Dense(nn.Module):
    """ludwig.utils.torch_utils.Dense: squeeze(Linear(x), -1)."""

    def __init__(self, fin, fout):
        super().__init__()
        self.dense = nn.Linear(fin, fout)
        nn.init.xavier_uniform_(self.dense.weight)
        nn.init.zeros_(self.dense.bias)

    def forward(self, x):
        return torch.squeeze(self.dense(x), dim=-1)


class OutFeature(nn.Module):
    def __init__(self, fin, sizes, K):
        super().__init__()
        self.fc_stack = FCStack(fin, sizes)
        width = sizes[-1] if sizes else fin
        self.decoder_obj = Holder(dense=Dense(width, K))

    def forward(self, x):
        return self.decoder_obj.dense(self.fc_stack(x))


class FeatureDict(nn.Module):
    """LudwigFeatureDict: an nn.ModuleDict under .module_dict, keys suffixed "__ludwig"."""

    def __init__(self, items):
        super().__init__()
        self.module_dict = nn.ModuleDict({k + "__ludwig": v for k, v in items})
        self.keys = [k for k, _ in items]

    def items(self):
        return [(k, self.module_dict[k + "__ludwig"]) for k in self.keys]


INPUTS = ["num_a", "num_b", "bin_c", "cat_d", "cat_e"]
OUTPUTS = ["num_y", "bin_y", "cat_y"]


class ECD(nn.Module):
    def __init__(self, v):
        super().__init__()
        bn = v == "bn"
        self.input_features = FeatureDict([
            ("num_a", Holder(encoder_obj=Passthrough())),
            ("num_b", Holder(encoder_obj=DenseEnc(not bn))),
            ("bin_c", Holder(encoder_obj=Passthrough())),
            ("cat_d", Holder(encoder_obj=EmbedEnc())),
            ("cat_e", Holder(encoder_obj=OneHotEnc())),
        ])
        width = 1 + 3 + 1 + EMB_D + VOCAB_E
        if bn:
            self.combiner = Holder(fc_stack=FCStack(width, [8, 8], "batch", residual=True))
            cw = 8
        else:
            self.combiner = Holder(fc_stack=FCStack(width, [6, 6], "layer"))
            cw = 6
        self.output_features = FeatureDict([
            ("num_y", OutFeature(cw, [4], 1)),
            ("bin_y", OutFeature(cw, [], 1)),
            ("cat_y", OutFeature(cw, [], NCLS)),
        ])

    def forward(self, inputs):
        enc = [m.encoder_obj(inputs[k][:, None]) for k, m in self.input_features.items()]
        h = self.combiner.fc_stack(torch.cat(enc, 1))
        return {k: m(h) for k, m in self.output_features.items()}


def losses(v, logits, targets):
    num_fn = nn.MSELoss() if v == "bn" else nn.HuberLoss(delta=HUBER_DELTA)
    num = num_fn(logits["num_y"], targets["num_y"])
    bce_fn = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([POS_WEIGHT]))
    bce = bce_fn(logits["bin_y"], targets["bin_y"])
    xent_fn = nn.CrossEntropyLoss(weight=torch.tensor(CLASS_W))
    xent = xent_fn(logits["cat_y"], targets["cat_y"].long())
    per = {"num_y": num, "bin_y": bce, "cat_y": xent}
    total = sum(LOSS_W[k] * per[k] for k in OUTPUTS)
    return per, total


def record(name, t, kind=0):
    t = t.detach().contiguous()
    dt = 1 if t.dtype in (torch.int32, torch.int64) else 0
    shape = list(t.shape) or [1]
    vals = t.view(-1).tolist()
    out = bytearray(name.encode().ljust(NAME, b"\0"))
    out += struct.pack("<7i", kind, dt, len(shape), *(shape + [0] * (4 - len(shape))))
    out += struct.pack("<%d%s" % (len(vals), "i" if dt else "f"), *vals)
    return out


def state(net):
    return [(n, t.clone()) for n, t in net.state_dict().items()
            if not n.endswith("num_batches_tracked")]


def train(net, inputs, targets, v, opt, zero):
    for _ in range(STEPS):
        opt.zero_grad()
        _, total = losses(v, net(inputs), targets)
        total.backward()
        for n, p in net.named_parameters():
            if n in zero:
                p.grad.zero_()
        opt.step()
    return state(net)


def generate(v, seed):
    torch.manual_seed(seed)
    net = ECD(v)
    with torch.no_grad():
        for n, p in net.named_parameters():
            if "norm_layer" in n or ".layers.1." in n:  # norm gamma / beta
                if n.endswith("weight"):
                    p.copy_(1.0 + 0.3 * torch.randn_like(p))
                else:
                    p.copy_(0.2 * torch.randn_like(p))
            elif n.endswith("bias"):
                p.copy_(0.1 * torch.randn_like(p))
    inputs = {
        "num_a": torch.randn(B),
        "num_b": torch.randn(B),
        "bin_c": torch.tensor([0, 1, 1, 0, 1, 0, 0, 1], dtype=torch.float32),
        "cat_d": torch.tensor([0, 3, 1, 4, 2, 3, 1, 0], dtype=torch.float32),
        "cat_e": torch.tensor([2, 0, 3, 1, 2, 2, 0, 3], dtype=torch.float32),
    }
    targets = {
        "num_y": torch.randn(B),
        "bin_y": torch.tensor([1, 0, 1, 1, 0, 0, 1, 0], dtype=torch.float32),
        "cat_y": torch.tensor([0, 2, 1, 1, 0, 2, 1, 0], dtype=torch.int32),
    }
    init = state(net)
    pnames = {n for n, _ in net.named_parameters()}

    net.train()
    logits = net(inputs)
    per, total = losses(v, logits, targets)
    total.backward()
    grads = {n: p.grad.clone() for n, p in net.named_parameters()}
    print("%s: losses %s total %.6f"
          % (v, {k: round(x.item(), 6) for k, x in per.items()}, total.item()))

    zero = {n: g.abs().max().item() for n, g in grads.items() if g.abs().max().item() < 1e-6}
    assert sorted(zero) == sorted(ZERO_GRAD[v]), sorted(zero)
    net.load_state_dict(dict(init), strict=False)
    adam = train(net, inputs, targets, v,
                 torch.optim.Adam(net.parameters(), lr=0.01, foreach=False), zero)
    net.eval()
    with torch.no_grad():
        ev = net(inputs)
        ev1 = net({k: t[EVAL_ROW:EVAL_ROW + 1] for k, t in inputs.items()})
    net.train()
    net.load_state_dict(dict(init), strict=False)
    sgd = train(net, inputs, targets, v,
                torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, foreach=False), zero)

    recs = [record("cfg.loss_weight", torch.tensor([LOSS_W[k] for k in OUTPUTS])),
            record("cfg.pos_weight", torch.tensor([POS_WEIGHT])),
            record("cfg.class_weights", torch.tensor(CLASS_W)),
            record("cfg.huber_delta", torch.tensor([HUBER_DELTA if v == "ln" else 0.0]))]
    for k in INPUTS:
        recs.append(record("input." + k, inputs[k]))
    for k in OUTPUTS:
        recs.append(record("target." + k, targets[k]))
    for k in OUTPUTS:
        recs.append(record("logits." + k, logits[k]))
        recs.append(record("loss." + k, per[k].view(1)))
    recs.append(record("loss.total", total.view(1)))
    for n, t in init:
        recs.append(record("init." + n, t, 1 if n in pnames else 2))
    for n, _ in init:
        if n in pnames:
            recs.append(record("grad." + n, grads[n]))
    for n in ZERO_GRAD[v]:
        recs.append(record("zerograd." + n, torch.tensor([zero[n]])))
    for k in OUTPUTS:
        recs.append(record("eval." + k, ev[k]))
        recs.append(record("eval1." + k, ev1[k]))
    for tag, st in (("adam", adam), ("sgd", sgd)):
        for n, t in st:
            recs.append(record(tag + "." + n, t, 1 if n in pnames else 2))
    out = struct.pack("<3i", MAGIC, 1, len(recs)) + b"".join(recs)
    path = "tests/fixtures/tabular_%s.bin" % v
    with open(path, "wb") as f:
        f.write(out)
    print("wrote %s (%d bytes, %d records, %d tensors)" % (path, len(out), len(recs), len(init)))


if __name__ == "__main__":
    torch.set_num_threads(1)
    generate("bn", 20240)
    generate("ln", 20241)
