#!/bin/sh
# train -> predict / evaluate: `ludwig-c train` writes experiment's model and no test evaluation;
# a saved model predicts and evaluates the same numbers the experiment reported; bad uses fail
# with a message and leave nothing behind.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D=$(pwd)/test-data
fail() { echo "FAIL: $*"; exit 1; }
sed 's/epochs: 5/epochs: 1/' $D/config.yaml > "$T/c.yaml"
common="--config $T/c.yaml --dataset $D/mnist_dataset.csv --raw_data $D/mnist_images.zip --threads 2"
"$LUDWIG_C" experiment $common --output_directory "$T/exp" 2>"$T/exp.err" || { cat "$T/exp.err"; fail experiment; }
"$LUDWIG_C" train $common --output_directory "$T/tr" 2>"$T/tr.err" || { cat "$T/tr.err"; fail train; }
R="$T/tr/experiment_run"
for f in description.json training_statistics.json model/model_hyperparameters.json \
         model/training_set_metadata.json model/training_progress.json model/model_weights; do
    [ -s "$R/$f" ] || fail "train did not write $f"
done
[ -s "$T/tr/ludwig_train_report.html" ] || fail "train did not write ludwig_train_report.html"
grep -q "Ludwig Train" "$T/tr/ludwig_train_report.html" || fail "train report title"
for f in test_statistics.json predictions_parquet.csv; do
    [ ! -e "$R/$f" ] || fail "train wrote $f (ludwig train evaluates no eval split)"
done
cmp -s "$R/model/model_weights" "$T/exp/experiment_run/model/model_weights" ||
    fail "train and experiment with the same seed trained different weights"
M="$T/exp/experiment_run/model"
# evaluate the test split with the experiment's eval batch size: the experiment's test statistics
ebs=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['trainer']['eval_batch_size'])" "$M/model_hyperparameters.json")
"$LUDWIG_C" evaluate --model_path "$M" --dataset $D/mnist_dataset.csv --raw_data $D/mnist_images.zip \
    --split test --batch_size "$ebs" --output_directory "$T/ev" 2>"$T/ev.err" || { cat "$T/ev.err"; fail evaluate; }
cmp "$T/ev/test_statistics.json" "$T/exp/experiment_run/test_statistics.json" ||
    fail "evaluate's test_statistics.json differs from the experiment's"
cmp "$T/ev/predictions_parquet.csv" "$T/exp/experiment_run/predictions_parquet.csv" ||
    fail "evaluate's predictions differ from the experiment's"
grep -q "Ludwig Evaluate" "$T/ev/ludwig_evaluate_report.html" || fail "evaluate report"
[ "$(ls -A "$T/ev" | sort | tr '\n' ' ')" = "ludwig_evaluate_report.html predictions.shapes.json predictions_parquet.csv test_statistics.json " ] ||
    fail "evaluate's output directory: $(ls -A "$T/ev")"
# upstream's skip options
"$LUDWIG_C" evaluate --model_path "$M" --dataset $D/mnist_dataset.csv --raw_data $D/mnist_images.zip \
    --skip_collect_predictions --skip_collect_overall_stats --output_directory "$T/ev2" 2>"$T/ev2.err" || { cat "$T/ev2.err"; fail "evaluate with skips"; }
[ ! -e "$T/ev2/predictions_parquet.csv" ] || fail "--skip_collect_predictions wrote predictions"
grep -q '"accuracy"' "$T/ev2/test_statistics.json" || fail "evaluate with skips: no accuracy"
! grep -q '"confusion_matrix"' "$T/ev2/test_statistics.json" || fail "--skip_collect_overall_stats kept the confusion matrix"
"$LUDWIG_C" evaluate --model_path "$M" --dataset $D/mnist_dataset.csv --raw_data $D/mnist_images.zip \
    --skip_save_eval_stats --output_directory "$T/ev3" 2>"$T/ev3.err" || { cat "$T/ev3.err"; fail "evaluate --skip_save_eval_stats"; }
[ ! -e "$T/ev3/test_statistics.json" ] && [ -s "$T/ev3/predictions_parquet.csv" ] || fail "--skip_save_eval_stats"
[ "$(wc -l < "$T/ev3/predictions_parquet.csv")" = 1001 ] || fail "split full: every row predicted"
# predict on the test rows with no label column (and no split column: split full)
awk -F, 'NR == 1 { print "image_path" } NR > 1 && $3 == 2 { print $1 }' $D/mnist_dataset.csv > "$T/nolabel.csv"
"$LUDWIG_C" predict --model_path "$M" --dataset "$T/nolabel.csv" --raw_data $D/mnist_images.zip \
    --output_directory "$T/pr" 2>"$T/pr.err" || { cat "$T/pr.err"; fail predict; }
cmp "$T/pr/predictions_parquet.csv" "$T/exp/experiment_run/predictions_parquet.csv" ||
    fail "predict's predictions differ from the experiment's"
[ "$(cat "$T/pr/predictions.shapes.json")" = "{}" ] || fail "predictions.shapes.json"
[ ! -e "$T/pr/test_statistics.json" ] || fail "predict wrote test statistics"
# errors: exit status, message, nothing written
expect() {
    name=$1 want=$2 sub=$3
    shift 3
    set +e
    "$LUDWIG_C" "$@" --output_directory "$T/bad-$name" >/dev/null 2>"$T/$name.err"
    rc=$?
    set -e
    [ "$rc" = "$want" ] || { cat "$T/$name.err"; fail "$name: exit $rc, want $want"; }
    grep -qF -- "$sub" "$T/$name.err" || { cat "$T/$name.err"; fail "$name: message lacks '$sub'"; }
    [ ! -e "$T/bad-$name" ] || fail "$name: left $T/bad-$name behind"
}
expect no_model 2 "--model_path and --dataset are required" predict --dataset "$T/nolabel.csv"
expect not_a_model 1 "model_hyperparameters.json is missing" predict --model_path "$T/exp/experiment_run" --dataset "$T/nolabel.csv"
expect eval_needs_label 1 "nolabel.csv: no column 'label' (the category output feature)" \
    evaluate --model_path "$M" --dataset "$T/nolabel.csv" --raw_data $D/mnist_images.zip
expect split_needs_column 1 "no column 'split'" \
    predict --model_path "$M" --dataset "$T/nolabel.csv" --raw_data $D/mnist_images.zip --split test
expect bad_split 2 "--split must be training, validation, test or full (got 'tests')" \
    predict --model_path "$M" --dataset "$T/nolabel.csv" --raw_data $D/mnist_images.zip --split tests
expect predict_no_eval_opts 2 "unknown option '--skip_save_eval_stats' for 'predict'" \
    predict --model_path "$M" --dataset "$T/nolabel.csv" --skip_save_eval_stats
expect train_no_eval_split 2 "unknown option '--eval_split' for 'train'" \
    train --config "$T/c.yaml" --dataset $D/mnist_dataset.csv --eval_split test
echo "train/predict/evaluate: ok"
