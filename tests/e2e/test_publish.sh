#!/bin/sh
# Publishing into a shared output directory (issue 18): eight runs at once (experiment, train,
# predict and evaluate mixed) into one --output_directory each publish a whole result under their
# own name (Ludwig's experiment_run, experiment_run_0, ...) and delete nothing of another's; a run
# killed outright (SIGKILL) leaves a staging directory that the next run removes, keeping its
# last epoch's checkpoint to resume from; a stale staging directory of a recycled process id
# (containers) is no obstacle; predict publishes all its files or none.
set -e
[ -n "$DEBUG" ] && set -x
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
LC=${LUDWIG_C:-build/ludwig-c}
D=$(pwd)/test-data
DS="--dataset $D/mnist_dataset.csv --raw_data $D/mnist_images.zip"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
cat > "$T/tiny.yaml" <<'YAML'
input_features:
  - name: image_path
    type: image
    encoder: {type: stacked_cnn, conv_layers: [{num_filters: 4, kernel_size: 3, pool_kernel_size: 2}], fc_layers: [{output_size: 8}]}
preprocessing: {split: {type: fixed, column: split}}
output_features: [{name: label, type: category}]
trainer: {epochs: 2, batch_size: 8}
YAML
"$LC" train --config "$T/tiny.yaml" $DS --output_directory "$T/m" --threads 1 > /dev/null 2>&1 || fail "training the model"
M="$T/m/experiment_run/model"

# -- eight at once into one directory
O="$T/shared"
i=0
for cmd in experiment train predict experiment evaluate train experiment predict; do
    i=$((i + 1))
    case $cmd in
    experiment|train) "$LC" $cmd --config "$T/tiny.yaml" $DS --output_directory "$O" --threads 1 > "$T/r$i.log" 2>&1 & ;;
    *) "$LC" $cmd --model_path "$M" $DS --output_directory "$O" --threads 1 > "$T/r$i.log" 2>&1 & ;;
    esac
    eval "pid$i=\$!"
done
i=0
runs=""
for cmd in experiment train predict experiment evaluate train experiment predict; do
    i=$((i + 1))
    eval "wait \$pid$i" || { fail "run $i ($cmd) failed:"; cat "$T/r$i.log"; }
    case $cmd in
    experiment|train)
        r=$(sed -n 's/^ludwig-c: results in //p' "$T/r$i.log")
        [ -n "$r" ] || { fail "run $i ($cmd) printed no result directory"; continue; }
        runs="$runs $(basename "$r")"
        rep=ludwig_experiment_report.html; [ $cmd = train ] && rep=ludwig_train_report.html
        for f in model/model_weights model/model_hyperparameters.json model/training_set_metadata.json \
            training_statistics.json description.json $rep; do
            [ -s "$r/$f" ] || fail "run $i ($cmd): $r/$f is missing"
        done
        [ $cmd = experiment ] && { [ -s "$r/test_statistics.json" ] || fail "run $i: no test_statistics.json"; }
        grep -q "experiment_run" "$r/description.json" 2>/dev/null || true ;;
    esac
done
n=$(echo $runs | tr ' ' '\n' | sort -u | wc -l)
[ "$n" = 5 ] || fail "five experiment/train runs published under $n distinct names:$runs"
for f in predictions_parquet.csv predictions.shapes.json test_statistics.json ludwig_evaluate_report.html \
    ludwig_experiment_report.html ludwig_train_report.html; do
    [ -s "$O/$f" ] || fail "$O/$f is missing"
done
left=$(ls -A "$O" | grep '^\.' || true)
[ -z "$left" ] || fail "staging left in $O: $left"

# -- SIGKILL mid-training: the staging directory stays; the next run removes it and keeps the
#    last completed epoch's checkpoint, as an interrupted run's
K="$T/killed"
sed 's/epochs: 2/epochs: 40/' "$T/tiny.yaml" > "$T/long.yaml"
"$LC" experiment --config "$T/long.yaml" $DS --output_directory "$K" --threads 1 > "$T/k.log" 2>&1 &
kp=$!
for i in $(seq 1 200); do grep -q "^epoch  *3/" "$T/k.log" 2>/dev/null && break; sleep 0.05; done
kill -KILL $kp; wait $kp 2>/dev/null || true
st=$(ls -A "$K" | grep '^\.experiment_run\.partial-' || true)
[ -n "$st" ] || fail "no staging directory after SIGKILL: $(ls -A "$K")"
mkdir "$K/.experiment_run.partial-$$"  # a recycled process id's leftover (the old naming)
"$LC" experiment --config "$T/tiny.yaml" $DS --output_directory "$K" --threads 1 > "$T/k2.log" 2>&1 ||
    { fail "the run after SIGKILL failed:"; cat "$T/k2.log"; }
grep -q "left by a run that was killed" "$T/k2.log" || fail "no note on the removed staging directory"
[ -f "$K/experiment_run.interrupted/model/training_checkpoints/latest.ckpt" ] ||
    fail "the killed run's checkpoint was not kept: $(ls -A "$K")"
[ -f "$K/experiment_run/model/model_weights" ] || fail "the run after SIGKILL published nothing"
left=$(ls -A "$K" | grep '^\.' || true)
[ -z "$left" ] || fail "staging left in $K: $left"
"$LC" experiment --config "$T/long.yaml" $DS --output_directory "$K" --threads 1 \
    --model_resume_path "$K/experiment_run.interrupted" > "$T/k3.log" 2>&1 ||
    { fail "resuming the killed run failed:"; cat "$T/k3.log"; }
grep -q "resum" "$T/k3.log" || fail "no resume line: $(cat "$T/k3.log")"

# -- predict publishes all of its files or none: a directory in the way of the second file
P="$T/p"
mkdir -p "$P/predictions.shapes.json"
echo keep > "$P/predictions_parquet.csv"
set +e
"$LC" predict --model_path "$M" $DS --output_directory "$P" > "$T/p.log" 2>&1
rc=$?
set -e
[ $rc = 1 ] || fail "predict into a blocked directory: exit $rc"
grep -q "nothing was published" "$T/p.log" || fail "predict's message: $(cat "$T/p.log")"
[ "$(cat "$P/predictions_parquet.csv")" = keep ] || fail "predict replaced predictions_parquet.csv and failed"
left=$(ls -A "$P" | grep '^\.' || true)
[ -z "$left" ] || fail "staging left in $P: $left"

[ $fails -eq 0 ] && echo "test_publish: ok"
exit $fails
