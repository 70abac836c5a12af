#!/bin/sh
# SIGTERM and SIGINT mid-training: exit 143/130, a message, and no result left behind: only the
# last completed epoch's checkpoint (<name>.interrupted/, see test_resume.sh), or nothing at all
# with --skip_save_progress.
set -e
[ -n "$DEBUG" ] && set -x
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for sig in TERM INT; do
    skip=""; [ $sig = INT ] && skip=--skip_save_progress
    "$LUDWIG_C" experiment $skip --config test-data/config_15epochs.yaml --dataset test-data/mnist_dataset.csv \
        --raw_data test-data/mnist_images.zip --output_directory "$T/$sig" --threads 1 2> "$T/$sig.log" &
    pid=$!
    # wait until training has started
    for i in $(seq 1 100); do grep -q "^epoch  *1/" "$T/$sig.log" 2>/dev/null && break; sleep 0.1; done
    kill -$sig $pid
    set +e
    wait $pid
    rc=$?
    set -e
    want=143; [ $sig = INT ] && want=130
    [ $rc -eq $want ] || { echo "SIG$sig: exit $rc, want $want"; cat "$T/$sig.log"; exit 1; }
    grep -q "interrupted during epoch" "$T/$sig.log" || { cat "$T/$sig.log"; exit 1; }
    if [ -n "$skip" ]; then
        [ -z "$(ls -A "$T/$sig")" ] || { echo "SIG$sig left output:"; ls -laR "$T/$sig"; exit 1; }
    else
        left=$(cd "$T/$sig" && find . -type f)
        [ "$left" = "./experiment_run.interrupted/model/training_checkpoints/latest.ckpt" ] ||
            { echo "SIG$sig left more than the checkpoint:"; ls -laR "$T/$sig"; exit 1; }
    fi
done
echo "test_signal: ok"
