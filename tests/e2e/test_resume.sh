#!/bin/sh
# Checkpoints and --model_resume_path: a run killed (SIGTERM) during epoch 3 leaves only its last
# checkpoint (<name>.interrupted/model/training_checkpoints/latest.ckpt, no result files); resumed,
# it ends with model_weights and statistics bitwise equal to a run that was never interrupted,
# and the .interrupted directory is consumed. A finished run resumed with more epochs equals a
# longer run. Mismatched inputs, damaged and absent checkpoints are refused with a message.
set -e
[ -n "$DEBUG" ] && set -x
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D=test-data
cp $D/config.yaml "$T/c5.yaml"
sed 's/epochs: 5/epochs: 3/' $D/config.yaml > "$T/c3.yaml"
run() { # OUT CONFIG [ARGS...]
    out=$1 cfg=$2
    shift 2
    "$LUDWIG_C" experiment --config "$cfg" --dataset $D/mnist_dataset.csv --raw_data $D/mnist_images.zip \
        --output_directory "$out" --threads 1 "$@"
}
same() { # A B: the model and the statistics are bitwise equal
    for f in model/model_weights model/training_progress.json training_statistics.json \
             test_statistics.json predictions_parquet.csv; do
        cmp -s "$1/$f" "$2/$f" || { echo "resume: $f differs between $1 and $2"; exit 1; }
    done
}

# 1. the uninterrupted reference
run "$T/ref" "$T/c5.yaml" 2> "$T/ref.log" || { cat "$T/ref.log"; exit 1; }
[ -f "$T/ref/experiment_run/model/training_checkpoints/latest.ckpt" ] || { echo "no latest.ckpt in a finished run"; exit 1; }

# 2. killed during epoch 3
"$LUDWIG_C" experiment --config "$T/c5.yaml" --dataset $D/mnist_dataset.csv --raw_data $D/mnist_images.zip \
    --output_directory "$T/b" --threads 1 2> "$T/b.log" &
pid=$!
for i in $(seq 1 600); do grep -q "^epoch 2/" "$T/b.log" 2>/dev/null && break; sleep 0.05; done
kill -TERM $pid
set +e
wait $pid
rc=$?
set -e
[ $rc -eq 143 ] || { echo "SIGTERM: exit $rc, want 143"; cat "$T/b.log"; exit 1; }
grep -q "interrupted during epoch 3" "$T/b.log" || { echo "not interrupted in epoch 3:"; cat "$T/b.log"; exit 1; }
grep -q -- "--model_resume_path $T/b/experiment_run.interrupted" "$T/b.log" || { echo "no resume hint:"; cat "$T/b.log"; exit 1; }
left=$(cd "$T/b" && find . -mindepth 1 | sort | tr '\n' ' ')
want="./experiment_run.interrupted ./experiment_run.interrupted/model ./experiment_run.interrupted/model/training_checkpoints ./experiment_run.interrupted/model/training_checkpoints/latest.ckpt "
[ "$left" = "$want" ] || { echo "an interrupted run left: $left"; exit 1; }

# 3. refused resumes leave the checkpoint alone and write nothing
expect_refused() { # NAME SUBSTRING CONFIG RESUME_DIR [ARGS...]
    name=$1 sub=$2 cfg=$3 dir=$4
    shift 4
    set +e
    run "$T/x-$name" "$cfg" --model_resume_path "$dir" "$@" 2> "$T/$name.log"
    rc=$?
    set -e
    [ $rc -ne 0 ] || { echo "$name: resume accepted"; exit 1; }
    grep -qF -- "$sub" "$T/$name.log" || { echo "$name: message lacks '$sub':"; cat "$T/$name.log"; exit 1; }
    [ -z "$(ls -A "$T/x-$name" 2>/dev/null)" ] || { echo "$name: left output"; ls -laR "$T/x-$name"; exit 1; }
}
sed 's/epochs: 5/epochs: 5\n  learning_rate: 0.01/' $D/config.yaml > "$T/lr.yaml"
expect_refused other_config "was made with a different config" "$T/lr.yaml" "$T/b/experiment_run.interrupted"
expect_refused other_seed "was made with a different config" "$T/c5.yaml" "$T/b/experiment_run.interrupted" --random_seed 7
expect_refused absent "no training checkpoint to resume from" "$T/c5.yaml" "$T/nowhere"
mkdir -p "$T/dmg/model/training_checkpoints"
head -c 100000 "$T/b/experiment_run.interrupted/model/training_checkpoints/latest.ckpt" > "$T/dmg/model/training_checkpoints/latest.ckpt"
expect_refused truncated "damaged or truncated" "$T/c5.yaml" "$T/dmg"
printf 'not a checkpoint' > "$T/dmg/model/training_checkpoints/latest.ckpt"
expect_refused garbage "not a ludwig-c training checkpoint" "$T/c5.yaml" "$T/dmg"

# 4. resumed: bitwise equal to the reference, and the .interrupted directory is gone
run "$T/b" "$T/c5.yaml" --model_resume_path "$T/b/experiment_run.interrupted" 2> "$T/resume.log" ||
    { cat "$T/resume.log"; exit 1; }
# after epoch 2, or after epoch 1 where epoch 2's checkpoint was skipped: one that would cost more
# than a fifth of the training since the last is (train.c), as on a disk busy with fsyncs
k=$(sed -n 's/.*resuming from .* after epoch \([12]\) .*/\1/p' "$T/resume.log")
[ -n "$k" ] || { cat "$T/resume.log"; exit 1; }
[ "$(grep -c '^epoch ' "$T/resume.log")" -eq $((5 - k)) ] || { echo "resume did not train epochs $((k + 1))-5:"; cat "$T/resume.log"; exit 1; }
same "$T/ref/experiment_run" "$T/b/experiment_run"
[ ! -e "$T/b/experiment_run.interrupted" ] || { echo "the consumed .interrupted directory is still there"; exit 1; }

# 5. a finished 3-epoch run continued to 5 epochs equals the 5-epoch run
run "$T/c" "$T/c3.yaml" 2> "$T/c3.log" || { cat "$T/c3.log"; exit 1; }
run "$T/c" "$T/c5.yaml" --model_resume_path "$T/c/experiment_run" 2> "$T/c5.log" || { cat "$T/c5.log"; exit 1; }
same "$T/ref/experiment_run" "$T/c/experiment_run_0"
[ -d "$T/c/experiment_run/model" ] || { echo "resuming a finished run must not consume it"; exit 1; }

# 6. --skip_save_progress: no checkpoint, and an interrupted run leaves nothing
run "$T/s" "$T/c3.yaml" --skip_save_progress 2> "$T/s.log" || { cat "$T/s.log"; exit 1; }
[ ! -e "$T/s/experiment_run/model/training_checkpoints" ] || { echo "--skip_save_progress wrote checkpoints"; exit 1; }
echo "test_resume: ok"
