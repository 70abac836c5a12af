#!/usr/bin/python3
"""The network Ludwig 0.10.3 builds for a tabular config, in plain PyTorch: the reference ludwig-c's tabular
benchmark is compared against.

Usage: torch_tabular.py CONFIG.yaml DATASET.csv [--threads N] [--epochs N] [--seed S] [--json OUT.json]

It reads a Ludwig config (the new layout or the pre-0.5 flat one, upgraded the way Ludwig upgrades it) and
refuses any key it does not model, so a figure never comes from a silently different network. What it models:
- Preprocessing over the whole table before the split, as Ludwig's build_dataset does: missing values first
  (number: fill_with_const 0.0 by default, fill_with_mean, fill_with_mode; binary: fill_with_false by default,
  fill_with_true, fill_with_mode; category: `<UNK>`; outputs and drop_row: the row is dropped), then number
  zscore with float32 mean and sample std (inputs only: outputs default to no normalisation), binary strings via
  Ludwig's true/false lists or fallback_true_label (default: the first distinct value in sorted order), category
  vocabularies ordered by frequency. A number output is normalised only when its config asks (zscore); its test
  metrics are then reported back on the column's own scale, like the baselines'.
- Encoders: number and binary passthrough ([B, 1]); category `dense`: an embedding of min(embedding_size (50),
  vocab size) columns initialised uniform(-1, 1).
- Concat combiner: the encoder outputs concatenated in config order, then Ludwig's FCStack (num_fc_layers or
  fc_layers, output_size 256, relu, xavier_uniform weights, zero biases; a stack-level norm and dropout are also
  applied to the stack's input, as FCStack.forward does; batch norm is BatchNorm1d with PyTorch's defaults).
- Outputs: each output feature's own FCStack (decoder num_fc_layers / fc_layers, default none), then regressor
  Linear(h, 1) (number, binary) or classifier Linear(h, C) (category); losses mean squared error, binary cross
  entropy on the logit, softmax cross entropy, each weight 1.0, summed.
- Trainer: Adam (betas 0.9/0.999, eps 1e-8), gradients clipped to a global norm of 0.5 (Ludwig's default),
  batches of batch_size from a fresh shuffle of the training rows each epoch, after each epoch the validation
  split scored on trainer.validation_field / validation_metric (default: the first output feature and its type's
  default metric: binary roc_auc, category accuracy, number mean_squared_error; `combined` means the summed
  loss), early_stop (default 5) epochs without improvement end training, and the weights of the best epoch are
  restored before the test split is scored.
Not modelled (so refused): other encoders, combiners or losses, class weights, normalisations other than zscore,
clipping changes, learning rate schedules, regularisation.
Speed: the preprocessed columns are stacked in one float and one integer matrix (a batch is two gathers) and
consecutive passthrough inputs enter the concat as one slice; the arithmetic is the per-feature network's.
Debian's python3-torch is built against the generic libblas.so.3, which is netlib's reference BLAS unless an
optimised one is installed; for figures comparable with a pip PyTorch, run it on OpenBLAS (see README.md).

It prints, per epoch, the training loss, the training samples/s (forward, backward and step only) and the seconds
spent scoring the validation split; then the test metrics Ludwig reports under the names Ludwig uses
(binary: accuracy, roc_auc; category: accuracy_micro; number: mean_squared_error, r2, mean_absolute_error) and
the total time. The last line of stdout is a JSON object with all of it (also written to --json).
"""
import argparse
import copy
import json
import sys
import time

import numpy as np
import pandas as pd
import torch
import yaml
from sklearn.metrics import roc_auc_score
from torch import nn

BOOL_TRUE_STRS = {"yes", "y", "true", "t", "1", "1.0"}
BOOL_FALSE_STRS = {"no", "n", "false", "f", "0", "0.0", "-1", "-1.0"}
FC_KEYS = {"fc_layers", "num_fc_layers", "output_size", "norm", "norm_params", "dropout", "activation"}
FEATURE_KEYS = {"name", "type", "column", "preprocessing", "encoder", "decoder"}
DEFAULT_VALIDATION_METRIC = {"binary": "roc_auc", "category": "accuracy", "number": "mean_squared_error"}
HIGHER_IS_BETTER = {"roc_auc", "accuracy", "r2"}


def fail(message):
    sys.exit(f"torch_tabular: {message}")


def check_keys(where, got, allowed):
    unknown = sorted(set(got) - set(allowed))
    if unknown:
        fail(f"{where}: {', '.join(unknown)} not modelled by this reference")


def upgrade_config(config):
    """The pre-0.5 spellings Ludwig's backward_compatibility.py rewrites: training, numerical, flat encoder and
    decoder keys on the feature, an encoder given as a bare string."""
    config = copy.deepcopy(config)
    if "training" in config:
        config["trainer"] = config.pop("training")
    for section, module in (("input_features", "encoder"), ("output_features", "decoder")):
        for feature in config.get(section, []):
            if feature.get("type") == "numerical":
                feature["type"] = "number"
            if isinstance(feature.get(module), str):
                feature[module] = {"type": feature[module]}
            for key in [k for k in feature if k not in FEATURE_KEYS]:
                value = feature.pop(key)
                feature.setdefault(module, {})[key] = value
                if module == "decoder" and key in FC_KEYS - {"num_fc_layers"}:
                    feature[module]["fc_" + key] = value
    return config


def fc_stack_spec(where, section, prefix):
    """(layers, defaults) of an FCStack from a combiner section (prefix "") or a decoder section (prefix "fc_")."""
    layers = section.get("fc_layers")
    num = section.get("num_fc_layers", 0)
    default = {
        "output_size": section.get(prefix + "output_size", 256),
        "norm": section.get(prefix + "norm"),
        "dropout": section.get(prefix + "dropout", 0.0),
        "activation": section.get(prefix + "activation", "relu"),
    }
    if default["activation"] != "relu":
        fail(f"{where}: activation {default['activation']} not modelled by this reference")
    if default["norm"] not in (None, "batch"):
        fail(f"{where}: norm {default['norm']} not modelled by this reference")
    if layers is None:
        layers = [{} for _ in range(num)]
    for i, layer in enumerate(layers):
        check_keys(f"{where}.fc_layers[{i}]", layer, {"output_size", "norm", "dropout"})
    return layers, default


class BatchNorm1dOrIdentity(nn.BatchNorm1d):
    """Ludwig's batch norm: the identity on a batch of one row."""

    def forward(self, x):  # (B, C)
        return x if x.shape[0] == 1 else super().forward(x)


class FCStack(nn.Module):
    """Ludwig's FCStack: optional input norm and dropout, then Linear -> (BatchNorm1d) -> ReLU -> (Dropout)."""

    def __init__(self, in_size, layers, default):
        super().__init__()
        self.input_norm = BatchNorm1dOrIdentity(in_size) if default["norm"] == "batch" else None
        self.input_dropout = nn.Dropout(default["dropout"]) if default["dropout"] > 0 else None
        blocks = []
        for layer in layers:
            spec = dict(default, **layer)
            linear = nn.Linear(in_size, spec["output_size"])
            nn.init.xavier_uniform_(linear.weight)
            nn.init.zeros_(linear.bias)
            parts = [linear]
            if spec["norm"] == "batch":
                parts.append(BatchNorm1dOrIdentity(spec["output_size"]))
            parts.append(nn.ReLU())
            if spec["dropout"] > 0:
                parts.append(nn.Dropout(spec["dropout"]))
            blocks.append(nn.Sequential(*parts))
            in_size = spec["output_size"]
        self.blocks = nn.Sequential(*blocks)
        self.out_size = in_size

    def forward(self, x):  # (B, in_size) -> (B, out_size)
        if self.input_norm is not None:
            x = self.input_norm(x)
        if self.input_dropout is not None:
            x = self.input_dropout(x)
        return self.blocks(x)


def str2bool(value, true_label):
    s = str(value).lower()
    if s in BOOL_TRUE_STRS:
        return True
    if s in BOOL_FALSE_STRS:
        return False
    return value == true_label


def preprocess(df, feature, is_output):
    """One column -> (values or None, metadata, rows to drop). Values: float32 (number, binary) or int64 (category)."""
    name, ftype = feature["name"], feature["type"]
    where = f"{'output' if is_output else 'input'} feature {name}"
    prep = feature.get("preprocessing", {})
    allowed = {"missing_value_strategy", "fill_value", "normalization", "fallback_true_label"}
    check_keys(f"{where}.preprocessing", prep, allowed)
    col = df[feature.get("column", name)]
    default_strategy = "drop_row" if is_output else {"number": "fill_with_const", "binary": "fill_with_false",
                                                     "category": "fill_with_const"}[ftype]
    strategy = prep.get("missing_value_strategy", default_strategy)
    missing = col.isna().to_numpy()
    drop = np.zeros(len(col), dtype=bool)
    if missing.any():
        if strategy == "drop_row":
            drop = missing
            col = col.fillna(col.dropna().iloc[0])
        elif strategy == "fill_with_const":
            col = col.fillna(prep.get("fill_value", 0.0 if ftype == "number" else "<UNK>"))
        elif strategy == "fill_with_mean" and ftype == "number":
            col = col.fillna(col.astype(float).mean())
        elif strategy == "fill_with_mode":
            col = col.fillna(col.value_counts().index[0])
        elif strategy in ("fill_with_false", "fill_with_true") and ftype == "binary":
            want = strategy == "fill_with_true"
            label = prep.get("fallback_true_label") or "true"
            fill = [v for v in sorted(col.dropna().unique(), reverse=True) if str2bool(v, label) is want]
            if not fill:
                fail(f"{where}: no {want} value to fill missing cells with")
            col = col.fillna(fill[0])
        else:
            fail(f"{where}: missing_value_strategy {strategy} not modelled by this reference")
    meta = {}
    if ftype == "number":
        x = pd.to_numeric(col).to_numpy(dtype=np.float32)
        norm = prep.get("normalization", None if is_output else "zscore")  # outputs: only when asked
        if norm == "zscore":
            mean, std = np.float32(x.mean()), np.float32(pd.Series(x).std())
            x = (x - mean) / std
            meta = {"mean": float(mean), "std": float(std)}
        elif norm is not None:
            fail(f"{where}: normalization {norm} not modelled by this reference")
        return x.astype(np.float32), meta, drop
    if ftype == "binary":
        if col.dtype != object:
            x = col.astype(float).astype(bool).to_numpy()
        else:
            distinct = sorted(col.astype(str).unique())
            if len(distinct) > 2:
                fail(f"{where}: more than 2 distinct values")
            true_label = prep.get("fallback_true_label") or distinct[0]
            str2b = {v: str2bool(v, true_label) for v in distinct}
            x = col.astype(str).map(str2b).to_numpy(dtype=bool)
            meta = {"str2bool": str2b}
        return x.astype(np.float32), meta, drop
    if ftype == "category":
        s = col.astype(str).str.strip()
        vocab = s.value_counts(sort=True).index.tolist()
        index = {v: i for i, v in enumerate(vocab)}
        return s.map(index).to_numpy(dtype=np.int64), {"vocab": vocab}, drop
    fail(f"{where}: type {ftype} not modelled by this reference")


class Columns:
    """The preprocessed columns stacked in two matrices, float32 (N, F) and int64 (N, L), so that a batch is two
    gathers instead of one per feature; columns are read back by feature name as views."""

    def __init__(self, columns):  # {name: (N,) float32 or int64 numpy array}
        self.where = {}
        floats, longs = [], []
        for name, values in columns.items():
            group = longs if values.dtype == np.int64 else floats
            self.where[name] = (values.dtype == np.int64, len(group))
            group.append(values)
        n = len(next(iter(columns.values())))
        self.floats = torch.from_numpy(np.stack(floats, 1) if floats else np.zeros((n, 0), np.float32))
        self.longs = torch.from_numpy(np.stack(longs, 1) if longs else np.zeros((n, 0), np.int64))

    def take(self, idx):  # (B,) row indices -> ((B, F), (B, L))
        return self.floats[idx], self.longs[idx]

    def column(self, batch, name):  # a batch from take() -> (B,) view of one feature
        is_long, j = self.where[name]
        return batch[1 if is_long else 0][:, j]

    def __getitem__(self, name):  # -> (N,)
        is_long, j = self.where[name]
        return (self.longs if is_long else self.floats)[:, j]


class TabularModel(nn.Module):
    def __init__(self, config, metas):
        super().__init__()
        self.inputs = config["input_features"]
        self.outputs = config["output_features"]
        self.embeddings = nn.ModuleDict()
        width = 0
        for f in self.inputs:
            enc = f.get("encoder", {})
            etype = enc.get("type", "dense" if f["type"] == "category" else "passthrough")
            if f["type"] == "category":
                check_keys(f"input feature {f['name']}.encoder", enc, {"type", "embedding_size"})
                if etype != "dense":
                    fail(f"input feature {f['name']}: encoder {etype} not modelled by this reference")
                vocab = len(metas[f["name"]]["vocab"])
                size = min(enc.get("embedding_size", 50), vocab)
                emb = nn.Embedding(vocab, size)
                nn.init.uniform_(emb.weight, -1.0, 1.0)
                self.embeddings[f["name"]] = emb
                width += size
            else:
                check_keys(f"input feature {f['name']}.encoder", enc, {"type"})
                if etype != "passthrough":
                    fail(f"input feature {f['name']}: encoder {etype} not modelled by this reference")
                width += 1
        comb = config.get("combiner", {"type": "concat"})
        check_keys("combiner", comb, {"type"} | FC_KEYS - {"activation"})
        if comb.get("type", "concat") != "concat":
            fail(f"combiner {comb['type']} not modelled by this reference")
        self.combiner = FCStack(width, *fc_stack_spec("combiner", comb, ""))
        self.decoder_fc = nn.ModuleDict()
        self.heads = nn.ModuleDict()
        for f in self.outputs:
            dec = f.get("decoder", {})
            where = f"output feature {f['name']}.decoder"
            check_keys(where, dec, {"type", "fc_layers", "fc_fc_layers", "num_fc_layers", "fc_output_size",
                                    "output_size", "fc_norm", "norm", "fc_dropout", "dropout"})
            stack = FCStack(self.combiner.out_size, *fc_stack_spec(where, dec, "fc_"))
            n_out = len(metas[f["name"]]["vocab"]) if f["type"] == "category" else 1
            head = nn.Linear(stack.out_size, n_out)
            nn.init.xavier_uniform_(head.weight)
            nn.init.zeros_(head.bias)
            self.decoder_fc[f["name"]] = stack
            self.heads[f["name"]] = head

    def plan(self, columns):
        """Concat pieces in config order: runs of consecutive passthrough inputs become one slice of the float
        matrix (the same numbers as one [B, 1] column per feature, in fewer operations)."""
        self.pieces = []
        for f in self.inputs:
            is_long, j = columns.where[f["name"]]
            if is_long:
                self.pieces.append(("embed", f["name"], j))
            elif self.pieces and self.pieces[-1][0] == "slice" and self.pieces[-1][2] == j:
                self.pieces[-1] = ("slice", self.pieces[-1][1], j + 1)
            else:
                self.pieces.append(("slice", j, j + 1))

    def forward(self, batch):  # ((B, F) float32, (B, L) int64) -> {output name: (B,) or (B, C) logits}
        floats, longs = batch
        parts = [floats[:, a:b] if kind == "slice" else self.embeddings[a](longs[:, b])
                 for kind, a, b in self.pieces]
        hidden = self.combiner(torch.cat(parts, 1))
        out = {}
        for f in self.outputs:
            logits = self.heads[f["name"]](self.decoder_fc[f["name"]](hidden))
            out[f["name"]] = logits if f["type"] == "category" else logits.squeeze(1)
        return out


def feature_loss(ftype, logits, y):
    if ftype == "number":
        return nn.functional.mse_loss(logits, y)
    if ftype == "binary":
        return nn.functional.binary_cross_entropy_with_logits(logits, y)
    return nn.functional.cross_entropy(logits, y)


def predict(model, xs, rows, batch=4096):
    model.eval()
    outs = {}
    with torch.no_grad():
        for start in range(0, len(rows), batch):
            idx = rows[start:start + batch]
            for k, v in model(xs.take(idx)).items():
                outs.setdefault(k, []).append(v)
    model.train()
    return {k: torch.cat(v) for k, v in outs.items()}


def metrics(ftype, logits, y):
    if ftype == "number":
        p, t = logits.double().numpy(), y.double().numpy()
        mse = float(np.mean((p - t) ** 2))
        return {"mean_squared_error": mse, "mean_absolute_error": float(np.mean(np.abs(p - t))),
                "r2": float(1.0 - np.sum((p - t) ** 2) / np.sum((t - t.mean()) ** 2))}
    if ftype == "binary":
        prob, t = torch.sigmoid(logits).numpy(), y.numpy()
        return {"accuracy": float(np.mean((prob >= 0.5) == (t >= 0.5))), "roc_auc": float(roc_auc_score(t, prob))}
    acc = float((logits.argmax(1) == y).double().mean())
    return {"accuracy": acc, "accuracy_micro": acc}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("config")
    ap.add_argument("dataset")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, help="overrides trainer.epochs")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--json")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    t_begin = time.time()

    with open(args.config) as f:
        config = upgrade_config(yaml.safe_load(f))
    check_keys("config", config, {"input_features", "output_features", "combiner", "preprocessing", "trainer"})
    split_cfg = config.get("preprocessing", {}).get("split", {})
    if split_cfg.get("type") != "fixed":
        fail("preprocessing.split must be type fixed (the shared split column)")
    trainer = config.get("trainer", {})
    check_keys("trainer", trainer, {"epochs", "batch_size", "learning_rate", "early_stop", "validation_field",
                                    "validation_metric"})
    epochs = args.epochs or trainer.get("epochs", 100)
    batch_size = trainer.get("batch_size", 128)
    lr = trainer.get("learning_rate", 0.001)
    early_stop = trainer.get("early_stop", 5)

    df = pd.read_csv(args.dataset)
    t_loaded = time.time()
    columns, metas, drop = {}, {}, np.zeros(len(df), dtype=bool)
    for is_output, section in ((False, "input_features"), (True, "output_features")):
        for feature in config[section]:
            check_keys(f"feature {feature['name']}", feature, FEATURE_KEYS)
            values, meta, dropped = preprocess(df, feature, is_output)
            columns[feature["name"]] = values
            metas[feature["name"]] = meta
            drop |= dropped
    xs = Columns(columns)
    split = df[split_cfg.get("column", "split")].to_numpy()
    rows = {s: torch.from_numpy(np.flatnonzero((split == s) & ~drop)) for s in (0, 1, 2)}
    t_prep = time.time()
    print(f"{args.dataset}: {len(df)} rows ({int(drop.sum())} dropped for missing outputs), "
          f"train/val/test {len(rows[0])}/{len(rows[1])}/{len(rows[2])}; load {t_loaded - t_begin:.1f} s, "
          f"preprocess {t_prep - t_loaded:.1f} s; {args.threads} threads")

    model = TabularModel(config, metas)
    model.plan(xs)
    print(f"parameters: {sum(p.numel() for p in model.parameters())}; combiner input "
          f"{model.combiner.blocks[0][0].in_features if len(model.combiner.blocks) else 'n/a'}")
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    outputs = {f["name"]: f for f in config["output_features"]}
    val_field = trainer.get("validation_field", config["output_features"][0]["name"])
    if val_field == "combined":
        val_metric = trainer.get("validation_metric", "loss")
    elif val_field in outputs:
        val_metric = trainer.get("validation_metric", DEFAULT_VALIDATION_METRIC[outputs[val_field]["type"]])
    else:
        fail(f"trainer.validation_field {val_field} is not an output feature")
    if val_metric != "loss" and (val_field == "combined" or val_metric not in
                                 ("accuracy", "roc_auc", "mean_squared_error", "mean_absolute_error", "r2")):
        fail(f"trainer.validation_metric {val_metric} not modelled by this reference")
    best, best_state, best_epoch, since_best = None, None, 0, 0
    gen = torch.Generator().manual_seed(args.seed)
    epoch_log = []
    for epoch in range(1, epochs + 1):
        t0 = time.time()
        order = rows[0][torch.randperm(len(rows[0]), generator=gen)]
        total, seen = 0.0, 0
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            batch = xs.take(idx)
            out = model(batch)
            loss = sum(feature_loss(f["type"], out[f["name"]], xs.column(batch, f["name"]))
                       for f in config["output_features"])
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            opt.step()
            total += float(loss) * len(idx)
            seen += len(idx)
        t_train = time.time() - t0
        t1 = time.time()
        val_out = predict(model, xs, rows[1])
        if val_metric == "loss":
            val = sum(float(feature_loss(f["type"], val_out[n], xs[n][rows[1]])) for n, f in outputs.items()
                      if val_field in ("combined", n))
        else:
            val = metrics(outputs[val_field]["type"], val_out[val_field], xs[val_field][rows[1]])[val_metric]
        t_val = time.time() - t1
        improved = best is None or (val > best if val_metric in HIGHER_IS_BETTER else val < best)
        if improved:
            best, best_epoch, since_best = val, epoch, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            since_best += 1
        epoch_log.append({"epoch": epoch, "train_loss": total / seen, "train_samples_per_s": seen / t_train,
                          "train_s": t_train, "validation_s": t_val, f"validation_{val_metric}": val})
        print(f"epoch {epoch:3d}  loss {total / seen:.5f}  {seen / t_train:10.0f} samples/s  "
              f"train {t_train:6.2f} s  validation {val_metric} {val:.5f} ({t_val:.2f} s)")
        if 0 < early_stop <= since_best:
            print(f"early stop: no improvement of validation {val_metric} for {early_stop} epochs")
            break
    model.load_state_dict(best_state)
    out = predict(model, xs, rows[2])
    test = {}
    for f in config["output_features"]:
        pred, target = out[f["name"]], xs[f["name"]][rows[2]]
        if f["type"] == "number" and "std" in metas[f["name"]]:
            # Reported on the column's own scale, as the classical baselines are; Ludwig's statistics for a
            # normalised number output are on the normalised scale (divide MSE by std^2, MAE by std).
            std, mean = metas[f["name"]]["std"], metas[f["name"]]["mean"]
            pred, target = pred * std + mean, target * std + mean
        m = metrics(f["type"], pred, target)
        keep = {"number": ("mean_squared_error", "r2", "mean_absolute_error"), "binary": ("accuracy", "roc_auc"),
                "category": ("accuracy_micro",)}[f["type"]]
        test[f["name"]] = {k: m[k] for k in keep}
        print(f"test {f['name']} ({f['type']}): " + ", ".join(f"{k} {v:.4f}" for k, v in test[f["name"]].items()))
    t_total = time.time() - t_begin
    train_s = sum(e["train_s"] for e in epoch_log)
    print(f"best epoch {best_epoch}; total {t_total:.1f} s; training {train_s:.1f} s "
          f"({sum(len(rows[0]) for _ in epoch_log) / train_s:.0f} samples/s over {len(epoch_log)} epochs)")
    result = {"dataset": args.dataset, "config": args.config, "threads": args.threads, "rows": len(df),
              "train_rows": len(rows[0]), "epochs_run": len(epoch_log), "best_epoch": best_epoch,
              "load_s": t_loaded - t_begin, "preprocess_s": t_prep - t_loaded, "train_s": train_s,
              "total_s": t_total, "epochs": epoch_log, "test": test}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
