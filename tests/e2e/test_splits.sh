#!/bin/sh
# Split types: random (probabilities cut at ceil(p0 n) and + int(p1 n)), stratify (the same cut
# within each class), and the missing-column error of a fixed split.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cfg() {
    cat > "$T/$1.yaml" <<EOC
input_features:
  - {name: image_path, type: image, encoder: {type: stacked_cnn, num_conv_layers: 1, num_fc_layers: 1, output_size: 16}}
output_features:
  - {name: label, type: category}
preprocessing:
  split: $2
trainer: {epochs: 1}
EOC
}
cfg random "{type: random, probabilities: [0.7, 0.1, 0.2]}"
"$LUDWIG_C" experiment --config "$T/random.yaml" --dataset test-data/mnist_dataset.csv \
    --raw_data test-data/mnist_images.zip --output_directory "$T/r" 2> "$T/r.log"
grep -q "training on 700 rows (validation 100, test 200)" "$T/r.log" || { cat "$T/r.log"; exit 1; }
cfg strat "{type: stratify, column: label, probabilities: [0.5, 0.25, 0.25]}"
"$LUDWIG_C" experiment --config "$T/strat.yaml" --dataset test-data/mnist_dataset.csv \
    --raw_data test-data/mnist_images.zip --output_directory "$T/s" 2> "$T/s.log"
# per class: ceil(n/2) train, int(n/4) validation, the rest test; the test class counts must be
# within one of a quarter of each class's rows
/usr/bin/python3 - "$T/s/experiment_run/test_statistics.json" <<'EOP'
import collections, csv, json, sys
counts = collections.Counter(r["label"] for r in csv.DictReader(open("test-data/mnist_dataset.csv")))
cm = json.load(open(sys.argv[1]))["label"]["confusion_matrix"]
idx2str = json.load(open(sys.argv[1].replace("test_statistics.json", "model/training_set_metadata.json")))["label"]["idx2str"]
for i, cls in enumerate(idx2str):
    n = counts[cls]
    want = n - (n + 1) // 2 - n // 4
    got = sum(cm[i])
    assert got == want, (cls, n, got, want)
print("stratify: test rows per class as expected")
EOP
cfg fixed "{type: fixed, column: fold}"
set +e
"$LUDWIG_C" experiment --config "$T/fixed.yaml" --dataset test-data/mnist_dataset.csv \
    --raw_data test-data/mnist_images.zip --output_directory "$T/f" 2> "$T/f.log"
rc=$?
set -e
[ $rc -eq 1 ] && grep -q "no column 'fold' (preprocessing.split.column)" "$T/f.log" || { cat "$T/f.log"; exit 1; }
echo "test_splits: ok"
