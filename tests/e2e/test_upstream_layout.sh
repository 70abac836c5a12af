#!/bin/sh
# Upstream's own test data in upstream's job layout: the CSV in the job directory and the zip
# extracted beside it (as the Galaxy wrapper's `unzip -o -q`), images found relative to the CSV.
# CRLF CSV, JPEG images, no validation split.
set -e
J=$(mktemp -d)
trap 'rm -rf "$J"' EXIT
cp test-data/mnist_subset.csv "$J/"
(cd "$J" && unzip -o -q "$OLDPWD/test-data/mnist_subset.zip" -d ./)
(cd "$J" && "$LUDWIG_C" experiment --config "$OLDPWD/test-data/config.yaml" --dataset mnist_subset.csv \
    --output_directory "$J" --backend local --skip_save_unprocessed_output \
    --skip_save_k_fold_split_indices --threads 2 --random_seed 42 2>"$J/log")
tr -d '\r' < test-data/mnist_subset.csv > "$J/lf.csv"
/usr/bin/python3 tests/e2e/check_outputs.py "$J/experiment_run" "$J/lf.csv" label 0.0
grep -q '"validation": {}' "$J/experiment_run/training_statistics.json"
echo "test_upstream_layout: ok"
