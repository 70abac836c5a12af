#!/bin/sh
# `calibration: true` (Ludwig's temperature scaling after training) on real tables: a binary
# output (breast cancer; seed 1 fits a temperature, seed 42 is a run whose fit would raise the
# ECE, so the temperature stays 1) and a category output (wine). Each calibrated run is checked
# against the same run without calibration by check_calibration.py (the temperature tensor in
# model_weights, the fit redone by torch, the test probabilities rescaled); the calibrated model
# travels (predict writes the experiment's test predictions, evaluate its test statistics, so
# the temperature is read back); the report says what the calibration did; the checker fails
# on a run without calibration; a model_weights whose temperature is not positive is refused.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3
D=test-data/tabular
fails=0
fail() { echo "FAIL calibration: $*"; fails=$((fails + 1)); }

# calibrated config: the original with `calibration: true` on its output feature
calibrated() { # calibrated TABLE FEATURE
    $PY - "$D/$1_config.yaml" "$2" >"$T/$1_cal.yaml" <<'PYEOF'
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
for o in c["output_features"]:
    if o["name"] == sys.argv[2]:
        o["calibration"] = True
yaml.safe_dump(c, sys.stdout, sort_keys=False)
PYEOF
}

case_run() { # case_run TABLE FEATURE TYPE SEED
    t=$1 f=$2 k=$3 s=$4 o="$T/$1_$4"
    calibrated "$t" "$f"
    "$LUDWIG_C" experiment --config "$T/${t}_cal.yaml" --dataset "$D/$t.csv" --output_directory "$o/cal" \
        --random_seed "$s" --threads 2 >"$o.cal.log" 2>&1 || { fail "$t seed $s: experiment"; cat "$o.cal.log"; return; }
    "$LUDWIG_C" experiment --config "$D/${t}_config.yaml" --dataset "$D/$t.csv" --output_directory "$o/base" \
        --random_seed "$s" --threads 2 >"$o.base.log" 2>&1 || { fail "$t seed $s: base experiment"; return; }
    "$LUDWIG_C" predict --model_path "$o/base/experiment_run/model" --dataset "$D/$t.csv" --split validation \
        --output_directory "$o/bval" >"$o.bval.log" 2>&1 || { fail "$t seed $s: predict validation"; return; }
    grep -q "output '$f': Probabilities calibrated by temperature scaling on the validation split" "$o.cal.log" ||
        fail "$t seed $s: no calibration line in the log"
    $PY tests/e2e/check_calibration.py "$o/cal/experiment_run" "$o/base/experiment_run" \
        "$o/bval/predictions_parquet.csv" "$D/$t.csv" "$f" "$k" || fail "$t seed $s: check_calibration.py"
    # the calibrated model travels: predict and evaluate read the temperature back
    "$LUDWIG_C" predict --model_path "$o/cal/experiment_run/model" --dataset "$D/$t.csv" --split test \
        --output_directory "$o/cp" >"$o.cp.log" 2>&1 || { fail "$t seed $s: predict"; cat "$o.cp.log"; return; }
    cmp -s "$o/cp/predictions_parquet.csv" "$o/cal/experiment_run/predictions_parquet.csv" ||
        fail "$t seed $s: predict with the calibrated model differs from the experiment's predictions"
    "$LUDWIG_C" evaluate --model_path "$o/cal/experiment_run/model" --dataset "$D/$t.csv" --split test \
        --output_directory "$o/ce" >"$o.ce.log" 2>&1 || { fail "$t seed $s: evaluate"; return; }
    cmp -s "$o/ce/test_statistics.json" "$o/cal/experiment_run/test_statistics.json" ||
        fail "$t seed $s: evaluate with the calibrated model differs from the experiment's test statistics"
    grep -q "calibrated by temperature scaling" "$o/cal/ludwig_experiment_report.html" ||
        fail "$t seed $s: the report does not say how the probabilities were calibrated"
    grep -q "calibrated by temperature scaling when the model was trained" "$o/ce/ludwig_evaluate_report.html" ||
        fail "$t seed $s: the evaluate report does not give the model's temperature"
}

case_run breast_cancer diagnosis binary 1
case_run wine cultivar category 42
case_run breast_cancer diagnosis binary 42
grep -q "raised the expected calibration error" "$T/breast_cancer_42.cal.log" ||
    fail "breast_cancer seed 42: expected the reverted fit (the ECE got worse)"

# the checker fails on a run without calibration (no temperature tensor)
o="$T/wine_42"
if $PY tests/e2e/check_calibration.py "$o/base/experiment_run" "$o/base/experiment_run" \
    "$o/bval/predictions_parquet.csv" "$D/wine.csv" cultivar category >"$T/neg.log" 2>&1; then
    fail "check_calibration.py passed a run without calibration"
fi

# a temperature that is not a positive number is refused, naming the feature
cp -r "$o/cal/experiment_run/model" "$T/badT"
$PY - "$T/badT/model_weights" <<'PYEOF'
import sys
sys.path.insert(0, "tests/e2e/lib")
import weights
p = sys.argv[1]
t = weights.tensors(p)
t = {k: v for k, v in t.items() if not k.endswith("num_batches_tracked")}
t["output_features.module_dict.cultivar__ludwig._calibration_module.temperature"] = ((1,), (-0.5,))
weights.write(p, t)
PYEOF
if "$LUDWIG_C" predict --model_path "$T/badT" --dataset "$D/wine.csv" --output_directory "$T/badp" >"$T/badp.log" 2>&1; then
    fail "a negative temperature was accepted"
else
    grep -q "output feature 'cultivar': calibration temperature -0.5 is not a positive number" "$T/badp.log" ||
        { fail "negative temperature: unexpected message"; cat "$T/badp.log"; }
    [ ! -e "$T/badp/predictions_parquet.csv" ] || fail "negative temperature: predictions were written"
fi

[ $fails -eq 0 ] && echo "calibration: binary and category outputs calibrated as Ludwig does"
exit $fails
