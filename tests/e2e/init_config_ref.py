#!/usr/bin/python3
"""init_config_ref.py - an independent Python model of Ludwig 0.10.3's `ludwig init_config` with its
defaults (no --suggested, no --hyperopt): the minimal config {input_features, output_features} of
name/type pairs, printed with yaml.safe_dump(sort_keys=False). tests/e2e/test_init_config.sh
compares ludwig-c's output with it.

Written from Ludwig's source (not copied, and without Ludwig, torch or ray installed), one rule per
function, each naming the upstream function it models:
  reading      ludwig/utils/data_utils.py read_xsv (csv.Sniffer over the first 100 KiB, then
               pandas read_csv with dtype=object), read_json / read_jsonl (pandas read_json)
  field info   ludwig/automl/base_config.py get_dataset_info_from_source, is_field_boolean;
               ludwig/utils/automl/data_source.py DataframeSourceMixin;
               ludwig/utils/automl/utils.py avg_num_tokens
  type         ludwig/utils/automl/type_inference.py infer_type, should_exclude;
               ludwig/utils/strings_utils.py (the bool, number, integer and datetime tests, the
               latter with dateutil's parser itself, as Ludwig calls it)
  config       ludwig/automl/base_config.py get_field_metadata, get_config_from_metadata,
               infer_mode; ludwig/automl/automl.py init_config
pandas: Ludwig 0.10.3 runs on pandas 2.x, whose default NA strings include "None"; the pandas 1.5
installed here lacks it, so it is added to na_values.

Usage: init_config_ref.py DATASET TARGET [TARGET...]   (YAML on standard output)
       init_config_ref.py --types DATASET               (one "column<TAB>type" line per column, no
                                                         target: the inferred type of every column)
       init_config_ref.py --batch CASES OUTDIR          (CASES: lines "NAME<TAB>DATASET<TAB>TARGET
                                                         ..."; writes OUTDIR/NAME.yaml for each)
"""
import csv
import sys
import warnings

import numpy as np
import pandas as pd
import yaml
from dateutil.parser import parse as parse_datetime

IMAGE_EXT = (".png", ".jpg", ".jpeg", ".tiff", ".tif", ".bmp", ".gif")
AUDIO_EXT = (".wav", ".amb", ".mp3", ".ogg", ".vorbis", ".flac", ".opus", ".sphere")
BOOL_STRS = {"yes", "y", "true", "t", "1", "1.0", "no", "n", "false", "f", "0", "0.0", "-1", "-1.0"}


def read_dataset(path):
    low = path.lower()
    if low.endswith(".json"):
        return pd.read_json(path)
    if low.endswith(".jsonl"):
        return pd.read_json(path, lines=True)
    sep = "\t" if low.endswith(".tsv") else ","
    with open(path, encoding="utf8") as f:
        head = f.read(100 * 1024)
    try:
        sep = csv.Sniffer().sniff(head, delimiters=[",", "\t", "|"]).delimiter
    except csv.Error:
        pass
    return pd.read_csv(path, sep=sep, dtype=object, na_values=["None"])


def number_like(v):
    if isinstance(v, str) and v.lower() == "nan":
        return True
    try:
        float(v)
    except ValueError:
        return False
    return True


def integer_like(v):
    try:
        x = float(v)
    except ValueError:
        return False
    return x.is_integer()


def datetime_like(v):
    if number_like(v):
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # dateutil's UnknownTimezoneWarning
            parse_datetime(v)
    except Exception:
        return False
    return True


def sequential(values):
    if not all(integer_like(v) for v in values):
        return False
    ints = [int(float(v)) for v in values]
    return max(ints) - min(ints) + 1 == len(ints)


def mean_words(series):
    """avg_num_tokens: the unique entries among the first 100 (NaN as the string 'nan', None kept
    as a missing value), their mean whitespace-token count, rounded half to even."""
    sample = series.head(100).apply(lambda x: None if x is None else
                                    (x.decode("utf-8") if isinstance(x, bytes) else str(x)))
    counts = pd.Series(sample.unique()).str.split().str.len()
    return round(np.nan_to_num(counts.mean()))


def boolean_object(series):
    uniq = series.unique()
    if len(uniq) > 3:
        return False
    for v in uniq:
        if isinstance(v, float) and np.isnan(v):
            continue
        if isinstance(v, bool):
            continue
        return False
    return True


def field_info(df, name):
    col = df[name]
    dtype = col.dtype.name
    distinct = col.dropna().unique()
    info = {
        "name": name,
        "num_distinct": len(distinct),
        "distinct": list(distinct[:10]),
        "image": sum(isinstance(x, str) and x.lower().endswith(IMAGE_EXT) for x in col.head(10)),
        "audio": sum(isinstance(x, str) and x.lower().endswith(AUDIO_EXT) for x in col.head(10)),
        # Ludwig 0.10.3 counts len(notnull()), the row count, as the non-null values
        "nonnull": len(col),
        "avg_words": None,
    }
    if dtype == "object" and boolean_object(col):
        dtype = "bool"
    if dtype in ("str", "string", "object"):
        info["avg_words"] = mean_words(col)
    info["dtype"] = dtype
    return info


def column_type(info, missing, rows):
    if info["dtype"] == "date" or info["dtype"].startswith("datetime"):
        return "date"
    n, values = info["num_distinct"], info["distinct"]
    if n <= 1:
        return "category"
    if n == 2 and missing == 0 and all(str(v).lower() in BOOL_STRS for v in values):
        return "binary"
    if info["image"] >= 3:
        return "image"
    if info["audio"] >= 3:
        return "audio"
    if all(datetime_like(v) for v in values):
        return "date"
    numbers = all(number_like(v) for v in values)
    if n < rows * (1.0 - missing) * 0.5 and (not numbers or sequential(values)):
        return "category"
    return "number" if numbers else "text"


def excluded(idx, info, ftype, ncols, rows, targets):
    if info["name"] in targets:
        return False
    if info["num_distinct"] <= 1:
        return True
    upper = info["name"].upper()
    if info["num_distinct"] / rows == 1.0 and (
            (idx == 0 and "INDEX" in upper and ftype == "number") or upper.startswith("ID") or upper.endswith("ID")):
        return True
    return ncols > 3 and ftype == "text" and (info["avg_words"] or 0) < 5


def init_config(df, targets):
    rows = len(df)
    fields = [field_info(df, c) for c in df.columns]
    config = {"input_features": [], "output_features": []}
    types = []
    for idx, info in enumerate(fields):
        missing = 1 - float(info["nonnull"]) / rows
        ftype = column_type(info, missing, rows)
        types.append((info["name"], ftype))
        feature = {"name": info["name"], "type": ftype}
        if info["name"] in targets:
            config["output_features"].append(feature)
        elif not excluded(idx, info, ftype, len(fields), rows, targets) and info["name"].lower() != "split":
            config["input_features"].append(feature)
    return config, types


def main():
    if sys.argv[1] == "--batch":
        tables = {}
        with open(sys.argv[2], encoding="utf-8") as cases:
            for line in cases:
                name, path, *targets = line.rstrip("\n").split("\t")
                if path not in tables:
                    tables[path] = read_dataset(path)
                config, _ = init_config(tables[path], set(targets))
                with open("%s/%s.yaml" % (sys.argv[3], name), "w", encoding="utf-8") as out:
                    out.write(yaml.safe_dump(config, sort_keys=False))
        return
    if sys.argv[1] == "--types":
        _, types = init_config(read_dataset(sys.argv[2]), set())
        for name, ftype in types:
            print("%s\t%s" % (name, ftype))
        return
    config, _ = init_config(read_dataset(sys.argv[1]), set(sys.argv[2:]))
    sys.stdout.write(yaml.safe_dump(config, sort_keys=False))


if __name__ == "__main__":
    main()
