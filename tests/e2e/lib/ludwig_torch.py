"""ludwig_torch.py - Ludwig 0.10.3's ECD forward pass written with PyTorch's own modules, built from a
saved model's three files (model_hyperparameters.json, training_set_metadata.json and the
model_weights state_dict, read with torch.load(weights_only=True)), for the e2e checks: a model that
ludwig-c trained, or one Ludwig trained, predicts here from the state_dict alone, and the test
compares the probabilities with ludwig-c's predictions.

Each piece follows the Ludwig module named beside it (ludwig-ai/ludwig, tag v0.10.3); the state_dict
names each module reads are the ones those modules register (NAMES below), so a name or shape that
differs from Ludwig's fails here as a missing or unused tensor.

Covered: number, binary and category inputs (passthrough, dense, sparse, onehot encoders), vector
(dense, passthrough), timeseries and text (rnn, parallel_cnn, stacked_cnn, embed, passthrough),
image (stacked_cnn); the concat combiner; the regressor, classifier and projector decoders with
their fc_stack. Anything else raises NotImplementedError naming it."""
import csv
import json
import math
import os
import re

import torch
import torch.nn.functional as F

# The state_dict names Ludwig 0.10.3 registers, relative to each module's prefix, with the file
# that defines them (the prefix is input_features.module_dict.<name>__ludwig.encoder_obj. for an
# encoder, combiner. for the combiner, output_features.module_dict.<name>__ludwig. for an output).
NAMES = {
    # ludwig/modules/fully_connected_modules.py: FCStack.norm_layer (a norm over the stack's input
    # when default_norm is set), FCStack.stack.<i> = FCLayer, FCLayer.layers = [Linear, norm?, act]
    "fc_stack": ["norm_layer.{weight,bias,running_mean,running_var,num_batches_tracked}",
                 "stack.<i>.layers.0.{weight,bias}", "stack.<i>.layers.1.{weight,bias,...}"],
    # ludwig/modules/embedding_modules.py: Embed.embeddings (torch.nn.Embedding)
    "category dense/sparse": ["embed.embeddings.weight"],
    # ludwig/encoders/generic_encoders.py: DenseEncoder.fc_stack
    "dense": ["fc_stack.stack.<i>.layers.0.{weight,bias}"],
    # ludwig/modules/recurrent_modules.py: RecurrentStack.layers = torch.nn.RNN/LSTM/GRU
    "rnn": ["recurrent_stack.layers.{weight_ih_l<k>,weight_hh_l<k>,bias_ih_l<k>,bias_hh_l<k>}[_reverse]"],
    # ludwig/modules/embedding_modules.py: EmbedSequence.embeddings (+ TokenAndPositionEmbedding)
    "embed_sequence": ["embed_sequence.embeddings.weight"],
    # ludwig/modules/convolutional_modules.py: ParallelConv1D.parallel_layers.<i> = Conv1DLayer,
    # Conv1DLayer.layers = [Conv1d, norm?, activation, pool?]
    "parallel_cnn": ["parallel_conv1d.parallel_layers.<i>.layers.0.{weight,bias}"],
    # Conv1DStack.stack.<i> = Conv1DLayer
    "stacked_cnn": ["conv1d_stack.stack.<i>.layers.0.{weight,bias}"],
    # ludwig/encoders/image/base.py Stacked2DCNN: conv_stack_2d.stack.<i>.layers.0 (Conv2d), fc_stack
    "image stacked_cnn": ["conv_stack_2d.stack.<i>.layers.0.{weight,bias}", "fc_stack..."],
    # ludwig/decoders/generic_decoders.py: Regressor, Classifier and Projector each hold .dense, a
    # Dense (ludwig/utils/torch_utils.py) whose .dense is the torch.nn.Linear
    "regressor/classifier/projector": ["decoder_obj.dense.dense.{weight,bias}"],
}


class Weights:
    """The state_dict, with a record of the tensors the forward pass read."""

    def __init__(self, path):
        self.sd = torch.load(path, weights_only=True)
        self.used = set()

    def has(self, name):
        return name in self.sd

    def __getitem__(self, name):
        if name not in self.sd:
            raise KeyError("the state_dict has no tensor '%s'" % name)
        self.used.add(name)
        return self.sd[name]

    def sub(self, prefix):
        """{suffix: tensor} of the names under prefix, marked used"""
        out = {}
        for k, v in self.sd.items():
            if k.startswith(prefix):
                out[k[len(prefix):]] = v
                self.used.add(k)
        return out

    def unused(self):
        return [k for k in self.sd if k not in self.used and not k.endswith("num_batches_tracked")]


ACT = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "elu": F.elu,
       "leakyRelu": lambda x: F.leaky_relu(x, 0.01), "leaky_relu": lambda x: F.leaky_relu(x, 0.01),
       "gelu": F.gelu, "silu": F.silu, "softplus": F.softplus, "linear": lambda x: x, None: lambda x: x}


def _norm(w, prefix, kind, params, x):
    """create_norm_layer (ludwig/modules/normalization_modules.py): batch norm with its running
    statistics (eval mode), or a layer norm over the last dim"""
    eps = (params or {}).get("eps", 1e-5)
    if kind == "batch":
        return F.batch_norm(x, w[prefix + "running_mean"], w[prefix + "running_var"],
                            w[prefix + "weight"], w[prefix + "bias"], False, 0.0, eps)
    if kind == "layer":
        return F.layer_norm(x, w[prefix + "weight"].shape, w[prefix + "weight"], w[prefix + "bias"], eps)
    raise NotImplementedError("norm %r" % kind)


def fc_stack(w, prefix, x, layers, num_layers, output_size, norm, norm_params, activation, residual=False):
    """FCStack.forward in eval mode (dropout off)"""
    if layers is None:
        layers = [{} for _ in range(num_layers)]
    if norm is not None and layers:
        x = _norm(w, prefix + "norm_layer.", norm, norm_params, x)
    prev = x.shape[-1]
    for i, spec in enumerate(layers):
        p = "%sstack.%d.layers." % (prefix, i)
        out = F.linear(x, w[p + "0.weight"], w[p + "0.bias"] if w.has(p + "0.bias") else None)
        lnorm = spec.get("norm", norm)
        if lnorm is not None:
            out = _norm(w, p + "1.", lnorm, spec.get("norm_params", norm_params), out)
        out = ACT[spec.get("activation", activation)](out)
        x = x + out if residual and out.shape[-1] == prev else out
        prev = out.shape[-1]
    return x


# ---- preprocessing, from training_set_metadata.json ------------------------------------------

def _rows(path):
    with open(path, newline="") as f:
        delim = "\t" if path.endswith((".tsv", ".tabular")) else ","
        return list(csv.DictReader(f, delimiter=delim))


def _number(col, meta, pre):
    vals = []
    for s in col:
        try:
            v = float(s)
            if math.isnan(v):
                raise ValueError
        except ValueError:
            v = float(meta["preprocessing"].get("computed_fill_value") or 0.0)
        vals.append(v)
    x = torch.tensor(vals, dtype=torch.float32)
    norm = meta["preprocessing"].get("normalization")
    if norm == "zscore":
        x = (x - meta["mean"]) / meta["std"]
    elif norm == "minmax":
        x = (x - meta["min"]) / (meta["max"] - meta["min"])
    elif norm == "iq":
        x = (x - meta["q2"]) / (meta["q3"] - meta["q1"])
    elif norm == "log1p":
        x = torch.log1p(x)
    elif norm is not None:
        raise NotImplementedError("normalization %r" % norm)
    return x


def _binary(col, meta):
    s2b = meta.get("str2bool")
    fill = meta["preprocessing"].get("computed_fill_value")
    out = []
    for s in col:
        s = s if s != "" else str(fill)
        if s2b is not None and s in s2b:
            out.append(1.0 if s2b[s] else 0.0)
        else:
            out.append(1.0 if s.strip().lower() in ("true", "1", "1.0", "yes", "y", "t") else 0.0)
    return torch.tensor(out)


def _category(col, meta):
    s2i = meta["str2idx"]
    unk = s2i.get("<UNK>", 0)
    fill = meta["preprocessing"].get("computed_fill_value")
    return torch.tensor([s2i.get(s if s != "" else fill, unk) for s in col], dtype=torch.long)


def _timeseries(col, meta, pre):
    n = meta["max_timeseries_length"]
    pad = pre.get("padding_value", 0.0) or 0.0
    rows = []
    for s in col:
        t = [float(v) for v in s.split()][:n] if s else []
        fill = [pad] * (n - len(t))
        rows.append(t + fill if pre.get("padding", "right") == "right" else fill + t)
    return torch.tensor(rows, dtype=torch.float32)


def _tokens(s, tokenizer, lowercase):
    if lowercase:
        s = s.lower()
    if tokenizer == "space":
        return s.split()
    if tokenizer == "space_punct":  # ludwig/utils/tokenizers.py SPACE_PUNCTUATION_REGEX
        return re.findall(r"\w+|[^\w\s]", s)
    raise NotImplementedError("tokenizer %r" % tokenizer)


def _text(col, meta, pre):
    s2i = meta["str2idx"]
    n = meta["max_sequence_length"]
    unk, pad, start, stop = s2i["<UNK>"], s2i["<PAD>"], s2i["<SOS>"], s2i["<EOS>"]
    rows = []
    for s in col:
        if s == "":  # missing: fill_with_const's value
            s = meta["preprocessing"].get("computed_fill_value") or ""
        toks = _tokens(s, pre.get("tokenizer", "space_punct"), pre.get("lowercase", True))
        ids = ([start] + [s2i.get(t, unk) for t in toks] + [stop])[:n]  # build_sequence_matrix
        rows.append(ids + [pad] * (n - len(ids)))
    return torch.tensor(rows, dtype=torch.long)


def _image(col, meta, raw):
    """ImageFeatureMixin: the image read (from the zip when given), its channels, scaled to
    [0, 1] as the encoder receives it"""
    import io
    import zipfile
    from PIL import Image
    pre = meta["preprocessing"]
    z = zipfile.ZipFile(raw) if raw else None
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[pre["num_channels"]]
    out = []
    for path in col:
        data = z.read(path) if z else open(path, "rb").read()
        im = Image.open(io.BytesIO(data)).convert(mode)
        if im.size != (pre["width"], pre["height"]):
            raise NotImplementedError("resizing %s" % path)
        t = torch.tensor(list(im.getdata()), dtype=torch.float32) / 255.0
        out.append(t.reshape(pre["height"], pre["width"], -1).permute(2, 0, 1))
    return torch.stack(out)


def _set_ids(s, meta, pre):
    """set_str_to_idx (ludwig/utils/strings_utils.py): the tokens' ids, <UNK> for the unknown"""
    s2i = meta["str2idx"]
    if s == "":  # missing: fill_with_const's value (<UNK>)
        s = meta["preprocessing"].get("computed_fill_value") or ""
    toks = _tokens(s, pre.get("tokenizer", "space"), pre.get("lowercase", False)) if s else []
    return [s2i.get(t, s2i["<UNK>"]) for t in toks]


def _set(col, meta, pre, counts):
    """SetFeatureMixin / BagFeatureMixin.feature_data: a multi-hot row (set) or the tokens'
    counts (bag) over the vocabulary"""
    v = len(meta["str2idx"])
    out = torch.zeros(len(col), v)
    for i, s in enumerate(col):
        for j in _set_ids(s, meta, pre):
            out[i, j] = out[i, j] + 1 if counts else 1
    return out


def _date(col, meta):
    """DateFeatureMixin.date_to_list: year, month, day, weekday (Monday 0), day of the year, hour,
    minute, second, second of the day, stored as int16 (so seconds of the day past 32767 wrap)"""
    import datetime
    fmt = meta["preprocessing"].get("datetime_format")
    rows = []
    for s in col:
        d = datetime.datetime.strptime(s, fmt) if fmt else datetime.datetime.fromisoformat(s)
        sod = d.hour * 3600 + d.minute * 60 + d.second
        rows.append([d.year, d.month, d.day, d.weekday(), d.timetuple().tm_yday, d.hour, d.minute,
                     d.second, sod - 65536 if sod > 32767 else sod])
    return torch.tensor(rows, dtype=torch.int64)


def inputs(hp, meta, dataset, raw=None):
    rows = _rows(dataset)
    out = {}
    for f in hp["input_features"]:
        col = [r[f["column"]] for r in rows]
        m, pre, t = meta[f["name"]], f.get("preprocessing", {}), f["type"]
        if t == "number":
            out[f["name"]] = _number(col, m, pre)
        elif t == "binary":
            out[f["name"]] = _binary(col, m)
        elif t == "category":
            out[f["name"]] = _category(col, m)
        elif t == "timeseries":
            out[f["name"]] = _timeseries(col, m, pre)
        elif t == "text":
            out[f["name"]] = _text(col, m, pre)
        elif t == "vector":
            out[f["name"]] = torch.tensor([[float(v) for v in s.split()] for s in col])
        elif t == "image":
            out[f["name"]] = _image(col, m, raw)
        elif t in ("set", "bag"):
            out[f["name"]] = _set(col, m, pre, t == "bag")
        elif t == "date":
            out[f["name"]] = _date(col, m)
        else:
            raise NotImplementedError("input feature type %r" % t)
    return rows, out


# ---- encoders --------------------------------------------------------------------------------

def _reduce(x, how):
    """SequenceReducer (ludwig/modules/reduction_modules.py), x (B, L, H)"""
    if how == "sum":
        return x.sum(1)
    if how == "mean" or how == "avg":
        return x.mean(1)
    if how == "max":
        return x.amax(1)
    if how == "last":  # ReduceLast: the last step whose vector is not all zeros
        n = torch.sign(x.abs().amax(2)).sum(1).long() - 1
        return x[torch.arange(x.shape[0]), n.clamp(min=0)]
    if how == "concat":
        return x.reshape(x.shape[0], -1)
    if how is None or how == "none":
        return x
    raise NotImplementedError("reduce_output %r" % how)


def _rnn(w, p, e, x):
    """RecurrentStack: torch.nn.RNN/LSTM/GRU, batch_first"""
    cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[e["cell_type"]]
    kw = {"nonlinearity": e.get("activation", "tanh")} if e["cell_type"] == "rnn" else {}
    m = cls(x.shape[-1], e["state_size"], num_layers=e.get("num_layers", e.get("num_rec_layers")), batch_first=True,
            bidirectional=e["bidirectional"], bias=e.get("use_bias", True), **kw)
    m.load_state_dict(w.sub(p + "recurrent_stack.layers."))
    m.eval()
    return m(x)[0]


def _embed_seq(w, p, e, ids):
    """EmbedSequence (+ positional in TokenAndPositionEmbedding for the transformer)"""
    emb = w[p + "embed_sequence.embeddings.weight"]
    return F.embedding(ids, emb)


def _conv1d_layers(w, prefix, x, specs, e, stacked, act_key="activation"):
    """Conv1DLayer (ludwig/modules/convolutional_modules.py) on x (B, L, C): Conv1d 'same', norm,
    activation, pool"""
    outs = []
    for i, c in enumerate(specs):
        p = "%s%d.layers." % (prefix, i)
        h = x.transpose(1, 2)
        if w[p + "0.weight"].shape[-1] != c.get("filter_size", e.get("filter_size", 3)):
            raise ValueError("%s0.weight: filter size %d, the config's %r" % (p, w[p + "0.weight"].shape[-1], c))
        h = F.conv1d(h, w[p + "0.weight"], w[p + "0.bias"] if w.has(p + "0.bias") else None,
                     padding="same")
        norm = c.get("norm", e.get("norm"))
        li = 1
        if norm is not None:
            h = _norm(w, "%s%d." % (p, li), norm, c.get("norm_params", e.get("norm_params")), h)
            li += 1
        h = ACT[c.get("activation", e.get(act_key, "relu"))](h)
        ps = c.get("pool_size", e.get("pool_size"))
        if ps is not None:
            fn = F.max_pool1d if c.get("pool_function", e.get("pool_function", "max")) == "max" else F.avg_pool1d
            same = c.get("pool_padding", e.get("pool_padding", "valid")) == "same"
            h = fn(h, ps, c.get("pool_strides") or e.get("pool_strides") or ps,
                   padding=(ps - 1) // 2 if same else 0)  # Conv1DLayer's "same": (k - 1) // 2
        h = h.transpose(1, 2)
        if stacked:
            x = h
        else:
            outs.append(h)
    return x if stacked else torch.cat(outs, 2)


def _conv_layers(e, stacked):
    """the conv layer list ParallelCNN / StackedCNN build (ludwig/encoders/sequence_encoders.py):
    conv_layers, or num_conv_layers of the encoder's defaults, or Ludwig's default list"""
    if e.get("conv_layers") is not None:
        return e["conv_layers"]
    if e.get("num_conv_layers") is not None:
        return [{} for _ in range(e["num_conv_layers"])]
    if stacked:
        return [{"filter_size": 7, "pool_size": 3}, {"filter_size": 7, "pool_size": 3},
                {"filter_size": 3, "pool_size": None}, {"filter_size": 3, "pool_size": None},
                {"filter_size": 3, "pool_size": None}, {"filter_size": 3, "pool_size": 3}]
    return [{"filter_size": k} for k in (2, 3, 4, 5)]


def _seq_fc(w, p, e, h):
    """the encoder's FCStack: fc_layers, or num_fc_layers of output_size, or (both unset) Ludwig's
    default [512, 256] of ParallelCNN and StackedCNN"""
    layers, n = e.get("fc_layers"), e.get("num_fc_layers")
    if layers is None and n is None:
        layers = [{"output_size": 512}, {"output_size": 256}]
    return fc_stack(w, p + "fc_stack.", h, layers, n or 0, e.get("output_size", 256), e.get("norm"),
                    e.get("norm_params"), e.get("fc_activation", e.get("activation", "relu")))


def _spcnn(w, p, e, h):
    """StackedParallelCNN's ParallelConv1DStack: stacked_layers (or three stacks of filter sizes 2-5),
    each a ParallelConv1D whose outputs are concatenated; pool_size defaults to the encoder's on
    the last stack only"""
    stacks = e.get("stacked_layers")
    if stacks is None:
        stacks = [[{"filter_size": k} for k in (2, 3, 4, 5)] for _ in range(e.get("num_stacked_layers") or 3)]
    for i, layers in enumerate(stacks):
        last = i == len(stacks) - 1
        specs = [dict(c, pool_size=c.get("pool_size", e.get("pool_size") if last else None)) for c in layers]
        h = _conv1d_layers(w, "%sparallel_conv1d_stack.stack.%d.parallel_layers." % (p, i), h, specs, e, False)
    return h


def _transformer(w, p, e, h, ids):
    """StackedTransformer: TokenAndPositionEmbedding (text) or the (L, 1) readings, the projection
    to hidden_size, TransformerStack of TransformerBlock (ludwig/modules/attention_modules.py)"""
    if ids is not None:
        q = p + "embed_sequence."
        L = ids.shape[1]
        pos = w[q + "positions"]
        if pos.dtype != torch.int64 or not torch.equal(pos, torch.arange(pos.shape[0])):
            raise ValueError("%spositions: not Ludwig's int64 arange" % q)
        h = F.embedding(ids, w[q + "token_embed.embeddings.weight"]) + \
            F.embedding(pos[:L], w[q + "position_embed.weight"])
    if w.has(p + "project_to_hidden_size.weight"):
        h = F.linear(h, w[p + "project_to_hidden_size.weight"], w[p + "project_to_hidden_size.bias"])
    heads = e.get("num_heads", 8)
    for i in range(e.get("num_layers", 1)):
        q = "%stransformer_stack.layers.%d." % (p, i)
        b, L, H = h.shape
        d = H // heads

        def split(t):
            return t.reshape(b, L, heads, d).permute(0, 2, 1, 3)
        a = q + "self_attention."
        qq, kk, vv = (split(F.linear(h, w[a + n + ".weight"], w[a + n + ".bias"]))
                      for n in ("query_dense", "key_dense", "value_dense"))
        att = torch.softmax(qq @ kk.transpose(-1, -2) / math.sqrt(d), -1) @ vv
        att = att.permute(0, 2, 1, 3).reshape(b, L, H)
        att = F.linear(att, w[a + "combine_heads.weight"], w[a + "combine_heads.bias"])
        ln1 = F.layer_norm(h + att, (H,), w[q + "layernorm1.weight"], w[q + "layernorm1.bias"], 1e-6)
        f = F.linear(ln1, w[q + "fully_connected.0.weight"], w[q + "fully_connected.0.bias"])
        f = F.linear(torch.relu(f), w[q + "fully_connected.2.weight"], w[q + "fully_connected.2.bias"])
        h = F.layer_norm(ln1 + f, (H,), w[q + "layernorm2.weight"], w[q + "layernorm2.bias"], 1e-6)
    return h


def _image_scnn(w, p, e, x):
    """Stacked2DCNN (ludwig/encoders/image/base.py): Conv2DStack of Conv2DLayer = [Conv2d, norm?,
    activation, pool], flattened, then its fc_stack"""
    for i, c in enumerate(e["conv_layers"]):
        q = "%sconv_stack_2d.stack.%d.layers." % (p, i)
        get = lambda k: c.get(k, e.get(k))  # noqa: E731
        x = F.conv2d(x, w[q + "0.weight"], w[q + "0.bias"] if w.has(q + "0.bias") else None,
                     stride=get("stride"), padding=get("padding"), dilation=get("dilation"),
                     groups=get("groups"))
        li = 1
        norm = c.get("norm", e.get("conv_norm"))
        if norm is not None:
            x = _norm(w, "%s%d." % (q, li), norm, c.get("norm_params", e.get("conv_norm_params")), x)
        x = ACT[c.get("activation", e.get("conv_activation"))](x)
        k = get("pool_kernel_size")
        if k is not None:
            fn = F.max_pool2d if get("pool_function") == "max" else F.avg_pool2d
            x = fn(x, k, get("pool_stride") or k, padding=get("pool_padding"))
    x = x.flatten(1)
    return fc_stack(w, p + "fc_stack.", x, e.get("fc_layers"), e.get("num_fc_layers"),
                    e.get("output_size"), e.get("fc_norm"), e.get("fc_norm_params"),
                    e.get("fc_activation"))


def _dense(w, p, e, x):
    """DenseEncoder (ludwig/encoders/generic_encoders.py): an FCStack of num_layers"""
    return fc_stack(w, p + "fc_stack.", x, e.get("fc_layers"), e.get("num_layers", 1),
                    e.get("output_size", 256), e.get("norm"), e.get("norm_params"),
                    e.get("activation", "relu"))


def encode(w, f, x):
    e = f["encoder"]
    p = "input_features.module_dict.%s__ludwig.encoder_obj." % f["name"]
    t, kind = e["type"], f["type"]
    if kind in ("number", "binary"):
        x = x.unsqueeze(-1)
        if t == "passthrough":
            return x
        if t == "dense":
            return _dense(w, p, e, x)
    if kind == "category":
        if t in ("dense", "sparse"):
            return F.embedding(x, w[p + "embed.embeddings.weight"])
        if t == "onehot":
            return F.one_hot(x, len(e["vocab"])).float()
        if t == "passthrough":
            return x.float().unsqueeze(-1)
    if kind == "vector":
        if t == "passthrough":
            return x
        if t == "dense":
            return _dense(w, p, e, x)
    if kind in ("set", "bag") and t == "embed":
        # SetSparseEncoder: EmbedSet (multi-hot -> ids * vocab_indices, each looked-up row scaled by
        # its id, summed); BagEmbedWeightedEncoder: EmbedWeighted (rows scaled by the counts)
        q = p + ("embed." if kind == "set" else "embed_weighted.")
        idx = w[q + "vocab_indices"]
        want = torch.int64 if kind == "set" else torch.int32
        if idx.dtype != want or not torch.equal(idx.long(), torch.arange(x.shape[1])):
            raise ValueError("%svocab_indices: %s %s, not Ludwig's arange" % (q, idx.dtype, tuple(idx.shape)))
        emb = w[q + "embeddings.weight"]
        if kind == "set":
            ids = x.int() * idx
            h = (F.embedding(ids.long(), emb) * ids.unsqueeze(-1)).sum(1)
        else:
            ids = (x != 0).int() * idx
            h = (F.embedding(ids.long(), emb) * x.unsqueeze(-1)).sum(1)
        return fc_stack(w, p + "fc_stack.", h, e.get("fc_layers"), e.get("num_fc_layers", 0),
                        e.get("output_size", 10), e.get("norm"), e.get("norm_params"),
                        e.get("activation", "relu"))
    if kind == "date":
        # DateEmbed / DateWave (ludwig/encoders/date_encoders.py): year_fc (an FCStack Linear(1, 1)),
        # then the month, day, weekday, day of the year, hour, minute and second embedded (month,
        # day and day of the year shifted to start at 0) or as periodic cos(2 pi x / period), the
        # periodic second of the day, concatenated, then the encoder's FCStack
        xf = x.float()
        hs = [fc_stack(w, p + "year_fc.", xf[:, 0:1], None, 1, 1, None, None, "linear")]
        parts = [("month", 12, 1), ("day", 31, 1), ("weekday", 7, 0), ("yearday", 366, 1),
                 ("hour", 24, 0), ("minute", 60, 0), ("second", 60, 0)]
        for j, (name, period, shift) in enumerate(parts):
            if t == "embed":
                hs.append(F.embedding(x[:, j + 1] - shift, w[p + "embed_%s.embeddings.weight" % name]))
            else:
                hs.append(torch.cos(xf[:, j + 1:j + 2] * 2 * math.pi / period))
        hs.append(torch.cos(xf[:, 8:9] * 2 * math.pi / 86400))
        return fc_stack(w, p + "fc_stack.", torch.cat(hs, 1), e.get("fc_layers"), e.get("num_fc_layers", 0),
                        e.get("output_size", 10), e.get("norm"), e.get("norm_params"),
                        e.get("activation", "relu"))
    if kind == "timeseries" and t == "dense":
        return _dense(w, p, e, x)
    if kind == "image" and t == "stacked_cnn":
        return _image_scnn(w, p, e, x)
    if kind in ("timeseries", "text"):
        if t == "transformer":
            h = _transformer(w, p, e, x.unsqueeze(-1) if kind == "timeseries" else None,
                             x if kind == "text" else None)
            h = _reduce(h, e.get("reduce_output", "last"))
            return fc_stack(w, p + "fc_stack.", h, e.get("fc_layers"), e.get("num_fc_layers") or 0,
                            e.get("output_size", 256), e.get("norm"), e.get("norm_params"),
                            e.get("fc_activation", "relu"))
        if kind == "timeseries" or not e.get("should_embed", True):
            h = x.unsqueeze(-1)
        else:
            h = _embed_seq(w, p, e, x)
        if t == "passthrough":
            return _reduce(h, e.get("reduce_output"))
        if t == "embed":
            return _reduce(h, e.get("reduce_output", "sum"))
        if t == "rnn":
            h = _rnn(w, p, e, h)
        elif t == "cnnrnn":  # StackedCNNRNN: Conv1DStack (default [pool 3, none]), RecurrentStack
            layers = e.get("conv_layers")
            if layers is None:
                layers = [{} for _ in range(e["num_conv_layers"])] if e.get("num_conv_layers") is not None \
                    else [{"pool_size": 3}, {"pool_size": None}]
            h = _conv1d_layers(w, p + "conv1d_stack.stack.", h, layers, e, True, "conv_activation")
            h = _rnn(w, p, e, h)
        elif t == "stacked_parallel_cnn":
            h = _spcnn(w, p, e, h)
        elif t == "parallel_cnn":
            h = _conv1d_layers(w, p + "parallel_conv1d.parallel_layers.", h, _conv_layers(e, False), e, False)
        elif t == "stacked_cnn":
            h = _conv1d_layers(w, p + "conv1d_stack.stack.", h, _conv_layers(e, True), e, True)
        else:
            raise NotImplementedError("%s encoder %r" % (kind, t))
        h = _reduce(h, e.get("reduce_output", "sum"))
        if t in ("rnn", "cnnrnn"):
            return fc_stack(w, p + "fc_stack.", h, e.get("fc_layers"), e.get("num_fc_layers") or 0,
                            e.get("output_size", 256), e.get("norm"), e.get("norm_params"),
                            e.get("fc_activation", "relu"))
        return _seq_fc(w, p, e, h)
    raise NotImplementedError("%s encoder %r" % (kind, t))


# ---- combiner, decoders ----------------------------------------------------------------------

def combine(w, hp, enc):
    c = hp["combiner"]
    if c["type"] != "concat":
        raise NotImplementedError("combiner %r" % c["type"])
    hs = [enc[f["name"]] for f in hp["input_features"]]
    if c.get("flatten_inputs"):
        hs = [h.reshape(h.shape[0], -1) for h in hs]
    h = torch.cat(hs, -1) if len(hs) > 1 else hs[0]
    return fc_stack(w, "combiner.fc_stack.", h, c.get("fc_layers"), c.get("num_fc_layers", 0),
                    c.get("output_size", 256), c.get("norm"), c.get("norm_params"),
                    c.get("activation", "relu"), c.get("residual", False))


def decode(w, f, h, meta):
    d = f["decoder"]
    p = "output_features.module_dict.%s__ludwig." % f["name"]
    h = fc_stack(w, p + "fc_stack.", h, d.get("fc_layers"), d.get("num_fc_layers", 0),
                 d.get("fc_output_size", 256), d.get("fc_norm"), d.get("fc_norm_params"),
                 d.get("fc_activation", "relu"))
    out = {}
    logits = F.linear(h, w[p + "decoder_obj.dense.dense.weight"], w[p + "decoder_obj.dense.dense.bias"])
    # the loss module's weights Ludwig registers (ludwig/modules/loss_modules.py): the config's
    # class_weights (category: CrossEntropyLoss.weight; set: BCEWithLogitsLoss.pos_weight) or a
    # binary positive_class_weight, in vocabulary order
    loss = f.get("loss") or {}
    want = None
    if f["type"] in ("category", "set") and loss.get("class_weights") is not None:
        cw = loss["class_weights"]
        want = [cw[k] for k in meta[f["name"]]["idx2str"]] if isinstance(cw, dict) else cw
    elif f["type"] == "binary" and loss.get("positive_class_weight"):
        want = [loss["positive_class_weight"]]
    name = p + "train_loss_function.loss_fn." + ("weight" if f["type"] == "category" else "pos_weight")
    if want is not None and not torch.allclose(w[name], torch.tensor(want, dtype=torch.float32)):
        raise ValueError("%s: %s, the config's %s" % (name, w[name].tolist(), want))
    if want is None and w.has(name):
        raise ValueError("%s: the config has no such weights" % name)
    if d["type"] == "regressor":
        logits = logits.squeeze(-1)
    t = f["type"]
    if t == "number":
        m = meta[f["name"]]
        norm = m["preprocessing"].get("normalization")
        y = logits
        if norm == "zscore":
            y = y * m["std"] + m["mean"]
        elif norm == "minmax":
            y = y * (m["max"] - m["min"]) + m["min"]
        elif norm == "iq":
            y = y * (m["q3"] - m["q1"]) + m["q2"]
        elif norm == "log1p":
            y = torch.expm1(y)
        if f.get("clip"):
            y = y.clamp(f["clip"][0], f["clip"][1])
        out["predictions"] = y
    elif t == "binary":
        out["probability"] = torch.sigmoid(logits)
    elif t == "category":
        out["probabilities"] = torch.softmax(logits, -1)
    elif t == "set":
        out["probabilities"] = torch.sigmoid(logits)
    elif t in ("vector", "timeseries"):  # Projector: activation(dense(x)) * multiplier, clipped
        y = ACT[d.get("activation")](logits) * d.get("multiplier", 1.0)
        if d.get("clip"):
            y = y.clamp(d["clip"][0], d["clip"][1])
        out["predictions"] = y
    else:
        raise NotImplementedError("output feature type %r" % t)
    return out


def predict(model_dir, dataset, raw=None):
    """rows of the dataset, {output name: {predictions|probability|probabilities: tensor}}, the
    Weights (its .unused() names the state_dict's tensors no module read), the model's
    hyperparameters and training-set metadata"""
    hp = json.load(open(os.path.join(model_dir, "model_hyperparameters.json")))
    meta = json.load(open(os.path.join(model_dir, "training_set_metadata.json")))
    w = Weights(os.path.join(model_dir, "model_weights"))
    rows, xs = inputs(hp, meta, dataset, raw)
    with torch.no_grad():
        enc = {f["name"]: encode(w, f, xs[f["name"]]) for f in hp["input_features"]}
        h = combine(w, hp, enc)
        outs = {f["name"]: decode(w, f, h, meta) for f in hp["output_features"]}
    return rows, outs, w, hp, meta
