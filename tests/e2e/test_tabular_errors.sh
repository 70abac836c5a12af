#!/bin/sh
# Tabular inputs (number, binary and category features): each broken table must give exit status
# 1, a message naming the file, the line or column and what is wrong, and leave nothing behind: a
# number column holding text, a binary column with a third value, an output column with no value,
# a feature with no column, a constant number column under zscore. A good table with NA and blank
# cells must train, and its training_set_metadata.json must hold exactly Ludwig 0.10.3's keys for a
# number, a binary and a category feature, the float32 statistics numpy computes, the computed
# fill value, and must not count the row whose output is NA.
set -e
[ -n "$DEBUG" ] && set -x
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
F="$T/fx"
mkdir -p "$F"
cat > "$F/tab.yaml" <<'YAML'
input_features:
  - name: x
    type: number
  - name: b
    type: binary
  - name: c
    type: category
output_features:
  - name: y
    type: category
preprocessing:
  split:
    type: fixed
    column: split
trainer:
  epochs: 1
  batch_size: 8
YAML
C="$F/tab.yaml"
# 24 rows: x has an NA and a blank cell (filled with 0), y has one NA (the row is dropped)
awk 'BEGIN {
    print "x,b,c,y,split"
    split("red green blue", col, " ")
    for (i = 1; i <= 24; i++) {
        x = (i == 5) ? "NA" : (i == 9) ? "" : sprintf("%.2f", i * 0.37 + (i % 3))
        y = (i == 13) ? "NA" : (i % 2 ? "A" : "B")
        print x "," (i % 3 ? "yes" : "no") "," col[i % 3 + 1] "," y "," (i <= 16 ? 0 : i <= 20 ? 1 : 2)
    }
}' > "$F/good.csv"
edit() { # NAME AWK-PROGRAM: a table edited from good.csv
    awk -F, -v OFS=, "$2" "$F/good.csv" > "$F/$1.csv"
}
edit number_text 'NR == 7 { $1 = "twelve" } 1'
edit binary_third 'NR == 11 { $2 = "maybe" } 1'
edit empty_output 'NR > 1 { $4 = "" } 1'
edit constant 'NR > 1 { $1 = "3.5" } 1'
sed 's/name: x/name: weight/' "$C" > "$F/no_column.yaml"

. "$(dirname "$0")/lib/expect.sh"
expect number_text 1 "number_text.csv: line 7: column 'x' of number feature 'x' holds 'twelve', which is not a number" -- \
    --config "$C" --dataset "$F/number_text.csv"
expect binary_third 1 "binary_third.csv: line 11: binary feature 'b': missing value strategy \`fill_with_false\` expects 2 distinct values, found: 3 (ex: ['yes', 'no', 'maybe'])" -- \
    --config "$C" --dataset "$F/binary_third.csv"
expect empty_output 1 "empty_output.csv: column 'y' of the category output feature 'y' is empty: every cell is missing" -- \
    --config "$C" --dataset "$F/empty_output.csv"
expect no_column 1 "good.csv: no column 'weight' (the number input feature); the columns are 'x', 'b', 'c', 'y', 'split'" -- \
    --config "$F/no_column.yaml" --dataset "$F/good.csv"
expect constant_zscore 1 "constant.csv: number feature 'x': cannot apply zscore normalization since its standard deviation is 0 (every row holds 3.5)" -- \
    --config "$C" --dataset "$F/constant.csv"
expect good 0 "ludwig-c: note: dropped 1 row(s) with a missing 'y' (missing_value_strategy drop_row)" -- \
    --config "$C" --dataset "$F/good.csv"

M="$T/out-good/experiment_run/model/training_set_metadata.json"
if [ -f "$M" ]; then
    n=$((n + 1))
    /usr/bin/python3 - "$M" "$F/good.csv" <<'PY' || fails=$((fails + 1))
import json, sys
import numpy as np
import pandas as pd

pd.set_option("compute.use_bottleneck", False)
meta = json.load(open(sys.argv[1]))
df = pd.read_csv(sys.argv[2], dtype=str, keep_default_na=True)
bad = []

def keys(name, want, pre_want):
    got = set(meta[name])
    if got != want:
        bad.append(f"{name}: keys {sorted(got)}, want {sorted(want)}")
    pre = set(meta[name].get("preprocessing", {}))
    if pre != pre_want:
        bad.append(f"{name}.preprocessing: keys {sorted(pre)}, want {sorted(pre_want)}")

keys("x", {"mean", "std", "preprocessing"},
     {"computed_fill_value", "computed_outlier_fill_value", "fill_value", "missing_value_strategy",
      "normalization", "outlier_strategy", "outlier_threshold"})
keys("b", {"str2bool", "bool2str", "fallback_true_label", "preprocessing"},
     {"computed_fill_value", "fallback_true_label", "fill_value", "missing_value_strategy"})
keys("c", {"idx2str", "str2idx", "str2freq", "vocab_size", "preprocessing"},
     {"cache_encoder_embeddings", "computed_fill_value", "fill_value", "lowercase", "missing_value_strategy",
      "most_common"})
# Ludwig: the fill value is computed on the raw column, the statistics on the filled float32 column
x = pd.to_numeric(df["x"].fillna(0.0)).astype(np.float32)
for k, v in (("mean", x.mean()), ("std", x.std())):
    if meta["x"][k] != float(v):
        bad.append(f"x.{k} {meta['x'][k]!r}, want {float(v)!r}")
if meta["x"]["preprocessing"]["computed_fill_value"] != 0.0:
    bad.append("x.preprocessing.computed_fill_value")
if meta["b"]["str2bool"] != {"yes": True, "no": False} or meta["b"]["bool2str"] != ["no", "yes"]:
    bad.append(f"b: str2bool {meta['b']['str2bool']}, bool2str {meta['b']['bool2str']}")
if meta["c"]["str2freq"] != df["c"].value_counts().to_dict():
    bad.append(f"c.str2freq {meta['c']['str2freq']}")
if meta["y"]["str2freq"] != {"A": 11, "B": 12}:
    bad.append(f"y.str2freq {meta['y']['str2freq']} (the NA row is not a label)")
for b in bad:
    print("FAIL metadata:", b)
sys.exit(1 if bad else 0)
PY
fi
[ $fails -eq 0 ] && echo "test_tabular_errors: ok ($n cases)"
exit $fails
