#!/usr/bin/python3
"""Writes tests/fixtures/prep_tab_cases.json: expected results of Ludwig 0.10.3's preprocessing
of number, binary and category columns, computed here with pandas / numpy / torch following
Ludwig's code paths (ludwig/data/preprocessing.py build_dataset, precompute_fill_value,
_handle_missing_values, handle_outliers; ludwig/features/{number,binary,category}_feature.py;
ludwig/utils/strings_utils.py). Run with Debian's /usr/bin/python3.

Version notes: Ludwig 0.10.3 pins pandas < 2.2 (so numpy 1.x). pandas 2.x's read_csv NA set
(which adds "None") is applied here explicitly; bottleneck and numexpr are switched off, as a
plain pip install of Ludwig has neither.
"""
import json
import os
import sys

import numpy as np
import pandas as pd
import torch

pd.set_option("compute.use_bottleneck", False)
pd.set_option("compute.use_numexpr", False)

STR_NA_VALUES = {"-1.#IND", "1.#QNAN", "1.#IND", "-1.#QNAN", "#N/A N/A", "#N/A", "N/A", "n/a", "NA", "<NA>",
                 "#NA", "NULL", "null", "NaN", "-NaN", "nan", "-nan", "", "None"}
BOOL_TRUE_STRS = {"yes", "y", "true", "t", "1", "1.0"}
BOOL_FALSE_STRS = {"no", "n", "false", "f", "0", "0.0", "-1", "-1.0"}


class LudwigError(Exception):
    pass


def raw_series(cells):
    """dtype=object read: NA strings become NaN."""
    return pd.Series([np.nan if (c is None or c in STR_NA_VALUES) else c for c in cells], dtype=object)


def str2bool(v, fallback_true_label=None):
    v_str = str(v).lower()
    if v_str in BOOL_TRUE_STRS:
        return True
    if v_str in BOOL_FALSE_STRS:
        return False
    if fallback_true_label is None:
        raise LudwigError(f"Cannot automatically map value '{v}' to a boolean")
    return v == fallback_true_label


def precompute_fill_value(col, ftype, strategy, pp):
    if strategy == "fill_with_const":
        return pp["fill_value"]
    if strategy == "fill_with_mode":
        vc = col.value_counts()
        if len(vc) == 0:
            raise LudwigError("fill_with_mode needs at least one non-missing value")
        return vc.index[0]
    if strategy == "fill_with_mean":
        if ftype != "number":
            raise LudwigError("Filling missing values with mean is supported only for number types")
        try:
            return col.astype(float).mean()
        except ValueError as e:
            raise LudwigError(str(e))
    if strategy in ("fill_with_false", "fill_with_true"):
        distinct = col.drop_duplicates().dropna().values.tolist()
        if len(distinct) > 2:
            raise LudwigError(f"Missing value strategy `{strategy}` expects 2 distinct values, found: {len(distinct)}")
        need = strategy == "fill_with_true"
        for v in sorted(distinct, reverse=True):
            fb = pp["fallback_true_label"] if pp["fallback_true_label"] else "true"
            if str2bool(v, fb) is need:
                return v
        raise LudwigError(f"Unable to determine {need} value")
    return None


def handle_missing(col, strategy, fill):
    if strategy in ("fill_with_const", "fill_with_mode", "fill_with_mean", "fill_with_false",
                    "fill_with_true") and fill is not None:
        return col.fillna(fill)
    if strategy in ("bfill", "ffill"):
        col = col.fillna(method=strategy)
        if col.isna().sum() > 0:
            col = col.fillna(method="bfill" if strategy == "ffill" else "ffill")
        return col
    if strategy == "drop_row":
        return col.dropna()
    raise LudwigError(strategy)


def build_params(col, ftype, pp):
    pp = dict(pp)
    fill = precompute_fill_value(col, ftype, pp["missing_value_strategy"], pp)
    if fill is not None:
        pp["computed_fill_value"] = fill
    if pp.get("outlier_strategy") is not None:
        if pp["outlier_strategy"] != pp["missing_value_strategy"]:
            ofill = precompute_fill_value(col, ftype, pp["outlier_strategy"], pp)
        else:
            ofill = fill
        if ofill is not None:
            pp["computed_outlier_fill_value"] = ofill
    return pp


# ---- number (number_feature.py) ----

def number_meta(col, pp):
    norm = pp["normalization"]
    c32 = col.astype(np.float32)
    params = {}
    if norm == "zscore" or pp.get("outlier_strategy") is not None:
        params.update({"mean": c32.mean(), "std": c32.std()})
    if norm == "minmax":
        params = {"min": c32.min(), "max": c32.max(), **params}
    if norm == "iq":
        a = np.asarray(c32)
        params = {"q1": np.percentile(a, 25), "q2": np.percentile(a, 50), "q3": np.percentile(a, 75), **params}
    return params


def number_transform(x, meta, norm):
    if norm == "zscore":
        mu, sigma = float(meta["mean"]), float(meta["std"])
        if sigma == 0:
            raise LudwigError("standard deviation is 0")
        return (x - mu) / sigma
    if norm == "minmax":
        mn, mx = float(meta["min"]), float(meta["max"])
        return (x - mn) / (mx - mn)
    if norm == "iq":
        q1, q2, q3 = (float(meta[k]) for k in ("q1", "q2", "q3"))
        if q3 - q1 == 0:
            raise LudwigError("interquartile range is 0")
        return (x - q2) / (q3 - q1)
    if norm == "log1p":
        if np.any(x <= 0):
            raise LudwigError("log1p normalization is defined only for positive values")
        return np.log1p(x)
    return x


def number_inverse(x, meta, norm):
    t = torch.tensor(x, dtype=torch.float32)
    if norm == "zscore":
        t = t * float(meta["std"]) + float(meta["mean"])
    elif norm == "minmax":
        t = t * (float(meta["max"]) - float(meta["min"])) + float(meta["min"])
    elif norm == "iq":
        t = t * (float(meta["q3"]) - float(meta["q1"])) + float(meta["q2"])
    elif norm == "log1p":
        t = torch.expm1(t)
    return t.numpy()


def run_number(cells, pp):
    raw = raw_series(cells)
    pp = build_params(raw, "number", pp)
    col = raw.astype(object)
    col = handle_missing(col, pp["missing_value_strategy"], pp.get("computed_fill_value"))
    col = pd.to_numeric(col, errors="coerce").astype(np.float32)          # cast_column
    meta = number_meta(col, pp)                                            # get_feature_meta
    col = handle_missing(col, pp["missing_value_strategy"], pp.get("computed_fill_value"))
    if pp.get("outlier_strategy") is not None:                             # handle_outliers
        col = col.mask(col.sub(meta["mean"]).div(meta["std"]).abs().gt(pp["outlier_threshold"]))
        col = handle_missing(col, pp["outlier_strategy"], pp.get("computed_outlier_fill_value"))
    try:
        s = col.astype(np.float32)                                         # add_feature_data
    except ValueError as e:
        raise LudwigError(str(e))
    out = pd.Series(number_transform(s.values, meta, pp["normalization"]), index=s.index)
    out = out.dropna()                                                     # dataset.dropna()
    values = [None] * len(cells)
    for i, v in out.items():
        values[i] = float(np.float32(v))
    return values, meta, pp


# ---- binary (binary_feature.py) ----

def values_are_pandas_numbers(values):
    for v in values:
        try:
            float(v)
        except ValueError:
            return False
    return True


def run_binary(cells, pp):
    raw = raw_series(cells)
    pp = build_params(raw, "binary", pp)
    col = handle_missing(raw.astype(object), pp["missing_value_strategy"], pp.get("computed_fill_value"))
    values = col.drop_duplicates()
    if values_are_pandas_numbers(values):
        col = col.astype(float).astype(bool)
    elif {str(v).lower() for v in values}.issubset({"true", "false"}):
        col = col.map(lambda x: x.lower() in {"true"}).astype(bool)
    else:
        col = col.astype(object)
    meta = {}
    if col.dtype == object:
        distinct = col.drop_duplicates()
        if len(distinct) > 2:
            raise LudwigError(f"expects 2 distinct values, found {distinct.values.tolist()}")
        if pp["fallback_true_label"]:
            fb = pp["fallback_true_label"]
        else:
            fb = sorted(distinct)[0]
            pp["fallback_true_label"] = fb
        try:
            s2b = {v: str2bool(v) for v in distinct}
        except LudwigError:
            s2b = {v: str2bool(v, fb) for v in distinct}
        b2s = [k for k, v in sorted(s2b.items(), key=lambda item: item[1])]
        meta = {"str2bool": s2b, "bool2str": b2s, "fallback_true_label": fb}
        col = col.map(lambda x: s2b[str(x)])
    col = col.astype(np.bool_)
    values = [None] * len(cells)
    for i, v in col.items():
        values[i] = int(v)
    return values, meta, pp


# ---- category (category_feature.py, strings_utils.create_vocabulary_single_token) ----

def run_category(cells, pp, is_input, unknown=()):
    raw = raw_series(cells)
    pp = build_params(raw, "category", pp)
    col = handle_missing(raw.astype(object), pp["missing_value_strategy"], pp.get("computed_fill_value"))
    col = col.astype(str)
    counts = col.str.strip().value_counts(sort=True)
    full = counts.index.tolist()
    vocab = ["<UNK>"] + full[:pp["most_common"]] if pp["most_common"] < len(full) else full
    str2idx = {u: i for i, u in enumerate(vocab)}
    f = counts.to_dict()
    str2freq = {k: f.get(k, 0) for k in vocab}
    vocab_size = len(str2idx)
    if not is_input and vocab_size <= 1:
        raise LudwigError("At least 2 distinct values are required for category output features")
    meta = {"idx2str": vocab, "str2idx": str2idx, "str2freq": str2freq, "vocab_size": vocab_size}
    if "<UNK>" in str2idx:
        fallback = str2idx["<UNK>"]
    else:
        fallback = str2idx[max(str2freq, key=str2freq.get)]

    def index(x):
        return str2idx.get(x.strip(), fallback)

    values = [None] * len(cells)
    for i, v in col.items():
        values[i] = index(v)
    return values, meta, pp, [index(u) for u in unknown]


# ---- output ----

class NumpyEncoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, np.floating):
            return float(o)
        if isinstance(o, np.integer):
            return int(o)
        if isinstance(o, np.bool_):
            return bool(o)
        return super().default(o)


def dump(o):
    return json.dumps(o, cls=NumpyEncoder, sort_keys=True, indent=4)


def lcg_cells(n, seed):
    """Deterministic column shared with the C test: integers scaled by 1e-3, as text."""
    x, out = seed, []
    for _ in range(n):
        x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        out.append(f"{(x >> 33) % 2000001 - 1000000}e-3")
    return out


NUMBER_IN = {"missing_value_strategy": "fill_with_const", "fill_value": 0.0, "computed_fill_value": 0.0,
             "normalization": "zscore", "outlier_strategy": None, "outlier_threshold": 3.0,
             "computed_outlier_fill_value": 0.0}
NUMBER_OUT = dict(NUMBER_IN, missing_value_strategy="drop_row", normalization=None)
BINARY_IN = {"missing_value_strategy": "fill_with_false", "fallback_true_label": None, "fill_value": None,
             "computed_fill_value": None}
BINARY_OUT = dict(BINARY_IN, missing_value_strategy="drop_row")
CATEGORY_IN = {"missing_value_strategy": "fill_with_const", "fill_value": "<UNK>", "computed_fill_value": "<UNK>",
               "lowercase": False, "most_common": 10000, "cache_encoder_embeddings": False}
CATEGORY_OUT = dict(CATEGORY_IN, missing_value_strategy="drop_row")

AWKWARD = ["1.5", " 2 ", "", "3e2", "abc", "-4.25", "nan", "None", "1E-3", "7", "NULL", ".5", "+8.", "1_000"]

NUMBER_CASES = [
    ("zscore_awkward", AWKWARD, NUMBER_IN, {}),
    ("minmax_mean", [c for c in AWKWARD if c != "abc"], NUMBER_IN, {"normalization": "minmax", "missing_value_strategy": "fill_with_mean"}),
    ("iq_mode_tie", ["4", "2.5", "", "2.5", "4", "10", "x", "3.25", "-1"], NUMBER_IN,
     {"normalization": "iq", "missing_value_strategy": "fill_with_mode"}),
    ("err_mode_text", ["a", "a", "", "2", "5", "9", "3"], NUMBER_IN,
     {"normalization": "iq", "missing_value_strategy": "fill_with_mode"}),
    ("log1p_bfill", ["", "3.5", "", "0.25", "x", "12", ""], NUMBER_IN,
     {"normalization": "log1p", "missing_value_strategy": "bfill"}),
    ("ffill_null_lead", ["", "", "5", "abc", "", "-2.5e1", "inf"], NUMBER_IN,
     {"normalization": None, "missing_value_strategy": "ffill"}),
    ("output_drop", ["10", "", "x", "20.5", "-inf", "3.14159265358979323846", " 7 ", "1e400", "-0"], NUMBER_OUT, {}),
    ("outlier_mean", ["1", "2", "3", "2", "1", "100", "2", "3", "", "-50"], NUMBER_IN,
     {"outlier_strategy": "fill_with_mean", "outlier_threshold": 1.5}),
    ("outlier_drop_minmax", ["1", "2", "3", "2", "1", "100", "2", "3", "", "2.5"], NUMBER_IN,
     {"normalization": "minmax", "outlier_strategy": "drop_row", "outlier_threshold": 2.0}),
    ("outlier_same_const", ["1", "2", "3", "2", "1", "100", "2", "3", "", "2.5"], NUMBER_IN,
     {"normalization": None, "outlier_strategy": "fill_with_const", "fill_value": -1.0, "outlier_threshold": 2.0}),
    ("single_value", ["4.5", ""], NUMBER_OUT, {"normalization": "zscore"}),
    ("random300", lcg_cells(300, 7), NUMBER_IN, {}),
    ("iq_upper_lerp", ["1e-8", "1e8", "2e8", "3e8"], NUMBER_IN, {"normalization": "iq"}),
    ("random300_iq", lcg_cells(300, 11), NUMBER_IN, {"normalization": "iq"}),
    ("err_constant", ["2", "2", "", "2.0"], NUMBER_OUT, {"normalization": "zscore"}),
    ("err_log1p", ["1", "0", "3"], NUMBER_IN, {"normalization": "log1p"}),
    ("err_mean_text", ["1", "two", ""], NUMBER_IN, {"missing_value_strategy": "fill_with_mean"}),
    ("err_iq_const", ["5", "5", "5", "5", "6"], NUMBER_IN, {"normalization": "iq"}),
]

ERRORS = {
    "err_constant": "standard deviation is 0",
    "err_log1p": "log1p normalization is defined only for positive values",
    "err_mean_text": "could not convert string to float: 'two'",
    "err_iq_const": "interquartile range is 0",
    "err_mode_text": "could not convert string to float: 'a'",
}

BINARY_CASES = [
    ("conventional", ["yes", "No", "", "yes", "None"], BINARY_IN, {}),
    ("numbers", ["1", "0", "", "1"], BINARY_IN, {}),
    ("true_false", ["True", "false", "", "True"], BINARY_IN, {}),
    ("human_bot", ["human", "bot", "", "bot"], BINARY_IN, {}),
    ("human_bot_label", ["human", "bot", "", "bot"], BINARY_IN, {"fallback_true_label": "human"}),
    ("mode_tie", ["a", "b", "b", "", "a"], BINARY_IN, {"missing_value_strategy": "fill_with_mode"}),
    ("bfill", ["", "Yes", "", "no", ""], BINARY_IN, {"missing_value_strategy": "bfill"}),
    ("minus_one_drop", ["-1", "1", "", "-1"], BINARY_OUT, {}),
    ("space_yes", [" yes", "no", "no"], BINARY_OUT, {}),
    ("fill_true", ["Y", "n", "", "Y"], BINARY_IN, {"missing_value_strategy": "fill_with_true"}),
    ("two_true", ["yes", "Y", "", "yes"], BINARY_OUT, {}),
    ("err_fill_three", ["yes", "no", "", "Y"], BINARY_IN, {}),
    ("err_out_three", ["cat", "dog", "", "cat", "bird"], BINARY_OUT, {}),
    ("err_fill_true", ["human", "bot", ""], BINARY_IN, {"missing_value_strategy": "fill_with_true"}),
]
ERRORS.update({
    "err_fill_three": "expects 2 distinct values, found: 3 (ex: ['yes', 'no', 'Y'])",
    "err_out_three": "expects 2 distinct values, found ['cat', 'dog', 'bird']",
    "err_fill_true": "unable to determine the True value",
})

CATEGORY_CASES = [
    ("input_missing", [" a", "b", "a ", "", "c", "b", "a", "NA", "None"], CATEGORY_IN, {}, True),
    ("most_common_tie", ["x", "y", "z", "y", "x", "w", "z"], CATEGORY_IN, {"most_common": 2}, True),
    ("output_unicode_strip", ["\u00a0cat", "dog\t", "cat", "", "dog", "cat", "\u3000bird\u2003"], CATEGORY_OUT, {},
     False),
    ("unk_in_data_cut", ["", "", "a", "b", "a", "", "c"], CATEGORY_IN, {"most_common": 1}, True),
    ("mode", ["p", "q", "", "q", " p", "p "], CATEGORY_IN, {"missing_value_strategy": "fill_with_mode"}, True),
    ("bfill_all_missing", ["", "", ""], CATEGORY_IN, {"missing_value_strategy": "bfill"}, True),
    ("numbers_as_labels", ["1", "1.0", "2", "", "1"], CATEGORY_OUT, {}, False),
    ("err_output_single", ["only", "", " only "], CATEGORY_OUT, {}, False),
]
ERRORS.update({"err_output_single": "at least 2 distinct values are required for category output features"})


def main():
    out = {"number": [], "binary": [], "category": []}
    for name, cells, base, over in NUMBER_CASES:
        pp = dict(base, **over)
        case = {"name": name, "cells": cells, "preproc_in": pp}
        if name in ERRORS:
            try:
                run_number(cells, pp)
            except LudwigError:
                case["error"] = ERRORS[name]
            else:
                sys.exit(f"{name}: expected an error")
        else:
            values, meta, pp2 = run_number(cells, pp)
            case.update(values=values, meta_json=dump(meta), preproc_json=dump(pp2))
            kept = [v for v in values if v is not None]
            if kept:
                inv = number_inverse(np.array(kept, dtype=np.float32), meta, pp["normalization"])
                case["inverse"] = [float(v) for v in inv]
        out["number"].append(case)
    for name, cells, base, over in BINARY_CASES:
        pp = dict(base, **over)
        case = {"name": name, "cells": cells, "preproc_in": pp}
        if name in ERRORS:
            try:
                run_binary(cells, pp)
            except LudwigError:
                case["error"] = ERRORS[name]
            else:
                sys.exit(f"{name}: expected an error")
        else:
            values, meta, pp2 = run_binary(cells, pp)
            case.update(values=values, meta_json=dump(meta), preproc_json=dump(pp2))
        out["binary"].append(case)
    for name, cells, base, over, is_input in CATEGORY_CASES:
        pp = dict(base, **over)
        unknown = ["zzz", " b ", "<UNK>"]
        case = {"name": name, "cells": cells, "preproc_in": pp, "is_input": is_input, "unknown": unknown}
        if name in ERRORS:
            try:
                run_category(cells, pp, is_input)
            except LudwigError:
                case["error"] = ERRORS[name]
            else:
                sys.exit(f"{name}: expected an error")
        else:
            values, meta, pp2, unk = run_category(cells, pp, is_input, unknown)
            case.update(values=values, meta_json=dump(meta), preproc_json=dump(pp2), unknown_idx=unk)
        out["category"].append(case)

    # a long column: numpy's 8192-element reduction blocks and pairwise sums
    cells = lcg_cells(20000, 42)
    for norm in ("zscore", "iq"):
        values, meta, _ = run_number(cells, dict(NUMBER_IN, normalization=norm))
        out["number_long_" + norm] = {"n": 20000, "seed": 42, "meta_json": dump(meta),
                                      "samples": {str(i): values[i] for i in range(0, 20000, 997)}}

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "prep_tab_cases.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
