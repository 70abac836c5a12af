#!/usr/bin/python3
"""gen_fixtures_tf.py - writes tests/fixtures/tf_cases.json: Ludwig 0.10.3's transformer encoder
for a text input (ludwig/encoders/sequence_encoders.py StackedTransformer,
ludwig/modules/embedding_modules.py TokenAndPositionEmbedding, ludwig/modules/attention_modules.py
MultiHeadSelfAttention / TransformerBlock / TransformerStack) with a category output, built in
torch 1.13 (Debian's python3-torch) with Ludwig's module names and forward passes (dropout 0), for
tests/unit/test_tf.c: token embeddings plus position embeddings, project_to_hidden_size when the
embedding size differs, per block query/key/value Linear, scaled dot-product attention per head,
combine_heads, layernorm1(x + attention) (eps 1e-6), Linear-relu-Linear, layernorm2, then the sum
over the steps, an FCStack layer, the classifier; and a timeseries input (no embeddings: each
step's one value projected to hidden_size). The state_dict's `positions` buffer (an int64
arange) is left out. Each case: the parameters by state_dict name, token ids, labels, the loss and
every gradient. Run once from the repository root."""
import json
import math

import torch
from torch import nn


class Holder(nn.Module):
    pass


class MHSA(nn.Module):
    def __init__(self, input_size, hidden_size, num_heads):
        super().__init__()
        self.num_heads, self.d, self.h = num_heads, hidden_size // num_heads, hidden_size
        self.query_dense = nn.Linear(input_size, hidden_size)
        self.key_dense = nn.Linear(input_size, hidden_size)
        self.value_dense = nn.Linear(input_size, hidden_size)
        self.combine_heads = nn.Linear(hidden_size, hidden_size)

    def sep(self, x, b):
        return torch.permute(torch.reshape(x, (b, -1, self.num_heads, self.d)), (0, 2, 1, 3))

    def forward(self, x):
        b = x.shape[0]
        q, k, v = self.sep(self.query_dense(x), b), self.sep(self.key_dense(x), b), self.sep(self.value_dense(x), b)
        score = torch.matmul(q, k.permute(0, 1, 3, 2)) / math.sqrt(k.shape[-1])
        out = torch.matmul(torch.softmax(score, dim=-1), v)
        out = torch.reshape(torch.permute(out, (0, 2, 1, 3)), (b, -1, self.h))
        return self.combine_heads(out)


class Block(nn.Module):
    def __init__(self, H, heads, O):
        super().__init__()
        self.self_attention = MHSA(H, H, heads)
        self.layernorm1 = nn.LayerNorm(H, eps=1e-6)
        self.fully_connected = nn.Sequential(nn.Linear(H, O), nn.ReLU(), nn.Linear(O, H))
        self.layernorm2 = nn.LayerNorm(H, eps=1e-6)

    def forward(self, x):
        ln1 = self.layernorm1(x + self.self_attention(x))
        return self.layernorm2(ln1 + self.fully_connected(ln1))


def case(V, E, L, H, heads, O, nlayers, fc, C, B, seed):
    torch.manual_seed(seed)
    root = Holder()
    root.input_features = Holder()
    root.input_features.module_dict = nn.ModuleDict()
    feat, enc = Holder(), Holder()
    feat.encoder_obj = enc
    if V:
        enc.embed_sequence = Holder()
        enc.embed_sequence.token_embed = Holder()
        enc.embed_sequence.token_embed.embeddings = nn.Embedding(V, E)
        enc.embed_sequence.position_embed = nn.Embedding(L, E)
    if E != H:
        enc.project_to_hidden_size = nn.Linear(E, H)
    enc.transformer_stack = Holder()
    enc.transformer_stack.layers = nn.ModuleList([Block(H, heads, O) for _ in range(nlayers)])
    enc.fc_stack = Holder()
    enc.fc_stack.stack = nn.ModuleList()
    fl = Holder()
    fl.layers = nn.ModuleList([nn.Linear(H, fc)])
    enc.fc_stack.stack.append(fl)
    name = "text" if V else "ts"
    root.input_features.module_dict[name + "__ludwig"] = feat
    root.output_features = Holder()
    root.output_features.module_dict = nn.ModuleDict()
    of = Holder()
    of.decoder_obj = Holder()
    of.decoder_obj.dense = Holder()
    of.decoder_obj.dense.dense = nn.Linear(fc, C)
    root.output_features.module_dict["y__ludwig"] = of
    root = root.double()
    with torch.no_grad():
        for p in root.parameters():
            p.copy_(p.float().double())
    ids = torch.randint(0, V, (B, L)) if V else torch.randn(B, L).float().double()
    y = torch.randint(0, C, (B,))

    def forward():
        if V:
            h = enc.embed_sequence.token_embed.embeddings(ids) + enc.embed_sequence.position_embed(torch.arange(L))
        else:  # a timeseries: (B, L, 1), no position embeddings
            h = ids.unsqueeze(-1)
        if E != H:
            h = enc.project_to_hidden_size(h)
        for blk in enc.transformer_stack.layers:
            h = blk(h)
        return of.decoder_obj.dense.dense(torch.relu(fl.layers[0](h.sum(1))))

    names = list(root.state_dict().keys())
    init = {k: [float(v) for v in t.flatten().tolist()] for k, t in root.state_dict().items()}
    shapes = {k: list(t.shape) for k, t in root.state_dict().items()}
    loss = nn.CrossEntropyLoss()(forward(), y)
    loss.backward()
    grads = {k: [float(v) for v in p.grad.flatten().tolist()] for k, p in root.named_parameters()}
    return {"name": name, "V": V, "E": E, "L": L, "H": H, "heads": heads, "O": O, "layers": nlayers, "fc": fc,
            "C": C, "B": B, "names": names, "shapes": shapes, "init": init,
            "ids": [float(v) for v in ids.flatten().tolist()], "y": y.tolist(), "loss": loss.item(), "grads": grads}


def main():
    cases = [case(11, 6, 5, 8, 2, 7, 1, 4, 3, 3, 101), case(9, 4, 4, 4, 1, 5, 2, 3, 2, 2, 102),
             case(0, 1, 6, 4, 2, 6, 1, 3, 2, 3, 103)]
    with open("tests/fixtures/tf_cases.json", "w") as f:
        json.dump({"cases": cases}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
