#!/bin/sh
# k-fold cross validation (issue 15) on a real table, the Wisconsin breast-cancer diagnoses
# (test-data/tabular/breast_cancer.csv, 569 rows): `experiment --k_fold 5` writes Ludwig's
# kfold_training_statistics.json (fold_1..fold_5, each its training statistics and
# fold_eval_stats; overall with <metric>_mean and <metric>_std, numpy's mean and population std
# over the folds, curves and matrices left out) and kfold_split_indices.json (the folds
# scikit-learn's KFold(5, shuffle=True, random_state=42) draws, checked where python3-sklearn is
# installed; every row tested once), and the report's table of each metric per fold with its mean and
# spread (the statistics file's numbers). The same on one thread as on two; the indices file is left out
# with --skip_save_k_fold_split_indices; a wrong fold count or --k_fold without --dataset is
# refused with a message and writes nothing.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3
LUDWIG_C=${LUDWIG_C:-build/ludwig-c}
D=test-data/tabular/breast_cancer.csv
fails=0
fail() { echo "FAIL kfold: $*"; fails=$((fails + 1)); }

cat >"$T/c.yaml" <<'YAML'
input_features:
  - {name: mean_radius, type: number}
  - {name: mean_texture, type: number}
  - {name: mean_concavity, type: number}
  - {name: mean_concave_points, type: number}
output_features:
  - {name: diagnosis, type: binary, preprocessing: {fallback_true_label: malignant}}
combiner: {type: concat, num_fc_layers: 1, output_size: 16}
trainer: {epochs: 8, batch_size: 32}
YAML
for th in 1 2; do
    "$LUDWIG_C" experiment --config "$T/c.yaml" --dataset "$D" --k_fold 5 --output_directory "$T/o$th" \
        --threads $th >"$T/o$th.log" 2>&1 || { fail "5-fold on $th thread(s)"; cat "$T/o$th.log"; }
done
cmp -s "$T/o1/kfold_training_statistics.json" "$T/o2/kfold_training_statistics.json" ||
    fail "one thread and two give different statistics"
grep -q "fold 5 of 5: training on 456 row(s), testing on 113" "$T/o2.log" || fail "the fold sizes in the log"
[ ! -e "$T/o2/experiment_run" ] || fail "a k-fold run left a run directory (Ludwig keeps no model)"
# the report: each metric per fold, its mean and spread, the numbers of the statistics file
$PY - "$T/o2" <<'PYEOF' || fail "the k-fold report"
import json, re, sys
html = open(sys.argv[1] + "/ludwig_experiment_report.html").read()
st = json.load(open(sys.argv[1] + "/kfold_training_statistics.json"))
assert "Cross-validation" in html and "fold 5" in html
row = re.search(r"<th>accuracy</th>(.*?)</tr>", html[html.index('id="kfold-diagnosis"'):], re.S).group(1)
cells = [float(v) for v in re.findall(r'title="([^"]+)"', row)]
want = [st["fold_%d" % i]["fold_eval_stats"]["diagnosis"]["accuracy"] for i in range(1, 6)]
want += [st["overall"]["diagnosis"]["accuracy_mean"], st["overall"]["diagnosis"]["accuracy_std"]]
assert len(cells) == 7 and all(abs(a - b) < 1e-12 for a, b in zip(cells, want)), (cells, want)
PYEOF
$PY - "$T/o2" "$D" <<'PYEOF' || fail "the k-fold files"
import csv, json, math, sys
od, data = sys.argv[1:]
st = json.load(open(od + "/kfold_training_statistics.json"))
assert list(st) == ["fold_%d" % i for i in range(1, 6)] + ["overall"], list(st)
for i in range(1, 6):
    f = st["fold_%d" % i]
    for k in ("training", "validation", "test", "fold_eval_stats"):
        assert k in f, (i, k)
    assert "accuracy" in f["fold_eval_stats"]["diagnosis"] and "loss" in f["fold_eval_stats"]["combined"]
ov = st["overall"]
skip = {"predictions", "probabilities", "confusion_matrix", "overall_stats", "per_class_stats",
        "roc_curve", "precision_recall_curve"}
for of in ("combined", "diagnosis"):
    metrics = st["fold_1"]["fold_eval_stats"][of]
    want = sorted([m + s for m in metrics if m not in skip for s in ("_mean", "_std")])
    assert sorted(ov[of]) == want, (of, sorted(ov[of]), want)
    for m in metrics:
        if m in skip:
            continue
        v = [st["fold_%d" % i]["fold_eval_stats"][of][m] for i in range(1, 6)]
        mean = sum(v) / 5
        std = math.sqrt(sum((x - mean) ** 2 for x in v) / 5)
        assert abs(ov[of][m + "_mean"] - mean) < 1e-12 and abs(ov[of][m + "_std"] - std) < 1e-12, (of, m)
acc = ov["diagnosis"]["accuracy_mean"]
assert acc > 0.85, acc
idx = json.load(open(od + "/kfold_split_indices.json"))
n = sum(1 for _ in csv.DictReader(open(data, newline="")))
tested = sorted(i for f in idx.values() for i in f["test_indices"])
assert tested == list(range(n)), "every row tested once"
for f in idx.values():
    assert sorted(f["training_indices"] + f["test_indices"]) == list(range(n))
    assert f["test_indices"] == sorted(f["test_indices"]) and f["training_indices"] == sorted(f["training_indices"])
try:
    from sklearn.model_selection import KFold
    for i, (tr, te) in enumerate(KFold(5, shuffle=True, random_state=42).split(range(n))):
        assert idx["fold_%d" % (i + 1)]["test_indices"] == te.tolist(), i
    how = "equal to scikit-learn's KFold"
except ImportError:
    how = "a partition (python3-sklearn is not installed to compare)"
print("kfold: 5 folds of %d rows, %s; accuracy %.4f (std %.4f)" % (n, how, acc, ov["diagnosis"]["accuracy_std"]))
PYEOF

"$LUDWIG_C" experiment --config "$T/c.yaml" --dataset "$D" --k_fold 3 --output_directory "$T/skip" \
    --skip_save_k_fold_split_indices >"$T/skip.log" 2>&1 || { fail "--skip_save_k_fold_split_indices"; cat "$T/skip.log"; }
[ -e "$T/skip/kfold_training_statistics.json" ] && [ ! -e "$T/skip/kfold_split_indices.json" ] ||
    fail "--skip_save_k_fold_split_indices: the files"

refused() { # WANT ARGS...
    want=$1
    shift
    set +e
    "$LUDWIG_C" experiment --config "$T/c.yaml" --output_directory "$T/bad" "$@" >"$T/bad.out" 2>"$T/bad.err"
    rc=$?
    set -e
    [ "$rc" != 0 ] && grep -qF -- "$want" "$T/bad.err" || { fail "refused: want '$want', exit $rc"; cat "$T/bad.err"; }
    [ ! -e "$T/bad/kfold_training_statistics.json" ] || fail "refused: '$want' left statistics behind"
}
refused "--k_fold expects an integer in [2, 100], got '1'" --dataset "$D" --k_fold 1
refused "--k_fold folds the rows of --dataset" --training_set "$D" --k_fold 3
head -4 "$D" >"$T/three.csv"
refused "needs 2 to 3 folds for 3 rows" --dataset "$T/three.csv" --k_fold 5
[ "$fails" = 0 ] && echo "kfold: ok"
exit "$fails"
