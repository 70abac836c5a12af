#!/usr/bin/python3
"""Classical baselines for the tables in test-data/tabular/: the figures ludwig-c's tabular experiments must reach.

Usage: baselines.py [TABLE_DIR] [--json OUT.json]     (defaults: test-data/tabular, bench/tabular/baselines.json)

For each <name>.csv with its <name>_config.yaml, the feature names and types are taken from the config (the
pre-0.5 spelling `numerical` is read as number), so the baselines see exactly the columns Ludwig sees. Rows with a
missing output value are dropped (Ludwig's default for outputs); the models are fitted on split 0 and scored on
split 2 (validation rows, split 1, are not used). Inputs: numbers mean-imputed and standardised; binary and
category columns imputed with their most frequent value and one-hot encoded (categories unseen in training are
ignored). For each output feature, separately, two models (random_state 0):
  binary, category: LogisticRegression (lbfgs, max_iter 5000) and MLPClassifier (64, 64; max_iter 2000)
  number:           Ridge (alpha 1.0) and MLPRegressor (64, 64; max_iter 2000) on a standardised target
and the test metrics Ludwig reports for that output type, under Ludwig's names: binary accuracy (threshold 0.5)
and roc_auc; category accuracy_micro; number mean_squared_error, r2 and mean_absolute_error on the target's
own scale. The binary positive class is the config's fallback_true_label, else Ludwig's rule (yes/true/1... lists,
else the first distinct value in sorted order). Deterministic; needs python3-sklearn, python3-pandas, python3-yaml.
"""
import argparse
import json
import os
import sys

import numpy as np
import pandas as pd
import yaml
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, mean_absolute_error, mean_squared_error, r2_score, roc_auc_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

TABLES = ["breast_cancer", "wine", "diabetes", "penguins"]
BOOL_TRUE_STRS = {"yes", "y", "true", "t", "1", "1.0"}
BOOL_FALSE_STRS = {"no", "n", "false", "f", "0", "0.0", "-1", "-1.0"}


def feature_type(feature):
    return "number" if feature["type"] == "numerical" else feature["type"]


def binary_target(column, feature):
    """0/1 by Ludwig's rule for binary columns."""
    values = column.astype(str)
    distinct = sorted(values.unique())
    true_label = feature.get("preprocessing", {}).get("fallback_true_label") or distinct[0]

    def to_bool(v):
        s = v.lower()
        if s in BOOL_TRUE_STRS:
            return 1
        if s in BOOL_FALSE_STRS:
            return 0
        return int(v == true_label)
    return values.map(to_bool).to_numpy()


def input_transformer(features):
    numbers = [f["name"] for f in features if feature_type(f) == "number"]
    others = [f["name"] for f in features if feature_type(f) in ("binary", "category")]
    unknown = [f["name"] for f in features if feature_type(f) not in ("number", "binary", "category")]
    if unknown:
        sys.exit(f"baselines: input features {unknown} are not number, binary or category")
    parts = []
    if numbers:
        parts.append(("number", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), numbers))
    if others:
        parts.append(("onehot", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                              OneHotEncoder(handle_unknown="ignore")), others))
    return ColumnTransformer(parts)


def models_for(ftype):
    if ftype == "number":
        return {
            "Ridge": Ridge(alpha=1.0),
            "MLPRegressor": TransformedTargetRegressor(
                regressor=MLPRegressor(hidden_layer_sizes=(64, 64), max_iter=2000, random_state=0),
                transformer=StandardScaler()),
        }
    return {
        "LogisticRegression": LogisticRegression(max_iter=5000),
        "MLPClassifier": MLPClassifier(hidden_layer_sizes=(64, 64), max_iter=2000, random_state=0),
    }


def score(ftype, model, x, y):
    if ftype == "number":
        p = model.predict(x)
        return {"mean_squared_error": mean_squared_error(y, p), "r2": r2_score(y, p),
                "mean_absolute_error": mean_absolute_error(y, p)}
    if ftype == "binary":
        prob = model.predict_proba(x)[:, list(model.classes_).index(1)]
        return {"accuracy": accuracy_score(y, (prob >= 0.5).astype(int)), "roc_auc": roc_auc_score(y, prob)}
    return {"accuracy_micro": accuracy_score(y, model.predict(x))}


def run_table(table_dir, name):
    with open(os.path.join(table_dir, f"{name}_config.yaml")) as f:
        config = yaml.safe_load(f)
    df = pd.read_csv(os.path.join(table_dir, f"{name}.csv"))
    outputs = config["output_features"]
    keep = np.ones(len(df), dtype=bool)
    for o in outputs:
        keep &= df[o["name"]].notna().to_numpy()
    df = df[keep].reset_index(drop=True)
    for f in config["input_features"]:
        if feature_type(f) != "number":
            df[f["name"]] = df[f["name"]].map(lambda v: v if pd.isna(v) else str(v)).astype(object)
    train, test = df[df["split"] == 0], df[df["split"] == 2]
    result = {"rows": int(len(df)), "train_rows": int(len(train)), "test_rows": int(len(test)), "outputs": {}}
    for o in outputs:
        ftype = feature_type(o)
        if ftype == "binary":
            y_train, y_test = binary_target(train[o["name"]], o), binary_target(test[o["name"]], o)
        elif ftype == "category":
            y_train, y_test = train[o["name"]].astype(str).to_numpy(), test[o["name"]].astype(str).to_numpy()
        else:
            y_train, y_test = train[o["name"]].to_numpy(float), test[o["name"]].to_numpy(float)
        per_model = {}
        for model_name, estimator in models_for(ftype).items():
            model = make_pipeline(input_transformer(config["input_features"]), estimator)
            model.fit(train, y_train)
            per_model[model_name] = {k: float(v) for k, v in score(ftype, model, test, y_test).items()}
        result["outputs"][o["name"]] = {"type": ftype, "models": per_model}
    return result


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("table_dir", nargs="?", default=os.path.join(here, "..", "..", "test-data", "tabular"))
    ap.add_argument("--json", default=os.path.join(here, "baselines.json"))
    args = ap.parse_args()
    results = {}
    print(f"{'table':14s} {'output':14s} {'type':9s} {'model':19s} metrics (test split)")
    for name in TABLES:
        results[name] = run_table(args.table_dir, name)
        for out_name, out in results[name]["outputs"].items():
            for model_name, m in out["models"].items():
                shown = "  ".join(f"{k} {v:.4f}" for k, v in m.items())
                print(f"{name:14s} {out_name:14s} {out['type']:9s} {model_name:19s} {shown}")
    with open(args.json, "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
