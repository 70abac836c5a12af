#!/usr/bin/python3
"""Checks an experiment_run directory against Ludwig 0.10.3's file formats and recomputes the test
accuracy from predictions_parquet.csv. Usage: check_outputs.py RUN_DIR DATASET_CSV FEATURE [MIN_ACC]"""
import csv
import json
import math
import os
import sys

run, dataset, feat = sys.argv[1], sys.argv[2], sys.argv[3]
min_acc = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
fail = []


def check(cond, msg):
    if not cond:
        fail.append(msg)


for name in ["description.json", "training_statistics.json", "test_statistics.json",
             "predictions_parquet.csv", "predictions.shapes.json", "model/model_hyperparameters.json",
             "model/training_set_metadata.json", "model/training_progress.json", "model/model_weights"]:
    check(os.path.isfile(os.path.join(run, name)), "missing " + name)
if fail:
    print("\n".join(fail))
    sys.exit(1)


def load(name):
    with open(os.path.join(run, name)) as f:
        text = f.read()
    obj = json.loads(text)
    # byte-exact Python formatting: json.dump(sort_keys=True, indent=4)
    check(json.dumps(obj, sort_keys=True, indent=4) == text, name + " is not formatted as Ludwig writes JSON")
    return obj


ts = load("test_statistics.json")
tr = load("training_statistics.json")
meta = load("model/training_set_metadata.json")
hyper = load("model/model_hyperparameters.json")
load("description.json")
prog = load("model/training_progress.json")

f = ts[feat]
for k in ["accuracy", "accuracy_micro", "hits_at_k", "loss", "roc_auc", "confusion_matrix", "overall_stats", "per_class_stats"]:
    check(k in f, "test_statistics.json: %s.%s missing" % (feat, k))
check(set(ts) == {"combined", feat}, "test_statistics.json top-level keys")
check(set(tr) == {"evaluation_frequency", "training", "validation", "test"}, "training_statistics.json keys")
check(set(tr["training"][feat]) >= {"accuracy", "accuracy_micro", "loss", "roc_auc"}, "training metrics")
idx2str = meta[feat]["idx2str"]
C = len(idx2str)
check(meta[feat]["vocab_size"] == C, "vocab_size")
check(hyper["output_features"][0]["num_classes"] == C, "num_classes in model_hyperparameters.json")

# predictions vs dataset rows of the test split, in file order
with open(dataset, newline="") as fh:
    rows = [r for r in csv.DictReader(fh) if r["split"].strip() == "2"]
with open(os.path.join(run, "predictions_parquet.csv"), newline="") as fh:
    reader = csv.reader(fh)
    header = next(reader)
    preds = list(reader)
want = [feat + "_predictions", feat + "_probabilities", feat + "_probability"] + [feat + "_probabilities_" + c for c in idx2str]
check(header == want, "predictions header %r != %r" % (header, want))
check(len(preds) == len(rows), "predictions rows %d != test rows %d" % (len(preds), len(rows)))
correct = 0
per_true = {}
for p, r in zip(preds, rows):
    truth = r[feat].strip()
    probs = json.loads(p[1])
    check(abs(sum(probs) - 1.0) < 1e-4, "probabilities do not sum to 1")
    check(abs(max(probs) - float(p[2])) < 1e-12, "probability is not the max")
    check(idx2str[probs.index(max(probs))] == p[0], "prediction is not the argmax")
    per_true.setdefault(truth, [0, 0])
    per_true[truth][1] += 1
    if p[0] == truth:
        correct += 1
        per_true[truth][0] += 1
acc_micro = correct / len(rows)
acc_macro = sum(c / n for c, n in per_true.values()) / len(per_true)
check(abs(acc_micro - f["accuracy_micro"]) < 1e-6, "accuracy_micro %r != recomputed %r" % (f["accuracy_micro"], acc_micro))
check(abs(acc_macro - f["accuracy"]) < 1e-5, "accuracy (macro) %r != recomputed %r" % (f["accuracy"], acc_macro))
check(abs(f["overall_stats"]["token_accuracy"] - acc_micro) < 1e-9, "token_accuracy")
cm = f["confusion_matrix"]
check(sum(map(sum, cm)) == len(rows), "confusion matrix total")
check(sum(cm[i][i] for i in range(C)) == correct, "confusion matrix diagonal")
check(acc_micro >= min_acc, "test accuracy %.4f below %.4f" % (acc_micro, min_acc))
check(prog["epoch"] == len(tr["training"][feat]["loss"]), "training_progress epoch count")
if fail:
    print("\n".join("FAIL: " + m for m in fail))
    sys.exit(1)
print("outputs ok: test accuracy %.4f (macro %.4f), %d test rows, %d classes" % (acc_micro, acc_macro, len(rows), C))
