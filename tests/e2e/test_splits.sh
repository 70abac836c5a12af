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
# hash split: a row's split depends on its value only, as Ludwig's HashSplitter computes it
# (crc32 of the base64 md5 of json.dumps({"value": v})); the counts are recomputed here
TB=test-data/tabular
printf 'input_features: [{name: mean_radius, type: number}]\noutput_features: [{name: diagnosis, type: binary}]\npreprocessing: {split: {type: hash, column: mean_texture}}\ntrainer: {epochs: 1}\n' > "$T/hash.yaml"
"$LUDWIG_C" experiment --config "$T/hash.yaml" --dataset $TB/breast_cancer.csv --output_directory "$T/h" 2> "$T/h.log"
want=$(/usr/bin/python3 - $TB/breast_cancer.csv <<'EOF'
import base64, csv, hashlib, json, sys, zlib
n = [0, 0, 0]
for r in csv.DictReader(open(sys.argv[1], newline="")):
    s = json.dumps({"value": r["mean_texture"]}, sort_keys=True, ensure_ascii=True)
    h = zlib.crc32(base64.b64encode(hashlib.md5(s.encode()).digest(), altchars=b"__"))
    n[0 if h < 0.7 * 2**32 else 1 if h < 0.8 * 2**32 else 2] += 1
print(f"training on {n[0]} rows (validation {n[1]}, test {n[2]})")
EOF
)
grep -qF "$want" "$T/h.log" || { echo "hash split: want '$want'"; cat "$T/h.log"; exit 1; }
echo "hash split: $want"
# datetime split: rows sorted by time, the first int(0.7 n) train, next int(0.1 n) validation,
# next int(0.2 n) test, the rest left out; an unreadable date names its line
/usr/bin/python3 - $TB/breast_cancer.csv "$T/dated.csv" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
w = csv.writer(open(sys.argv[2], "w", newline=""))
w.writerow(rows[0] + ["seen"])
for i, r in enumerate(rows[1:]):  # dates out of file order, some with a time of day
    day = (i * 37) % 400
    w.writerow(r + [f"{2020 + day // 365}-{(day % 365) // 31 + 1:02d}-{day % 28 + 1:02d}" + (" 12:30" if i % 3 else "")])
EOF
printf 'input_features: [{name: mean_radius, type: number}]\noutput_features: [{name: diagnosis, type: binary}]\npreprocessing: {split: {type: datetime, column: seen}}\ntrainer: {epochs: 1}\n' > "$T/dt.yaml"
"$LUDWIG_C" experiment --config "$T/dt.yaml" --dataset "$T/dated.csv" --output_directory "$T/d" 2> "$T/d.log"
grep -qF "training on 398 rows (validation 56, test 113)" "$T/d.log" || { cat "$T/d.log"; exit 1; }
grep -qF "the datetime split leaves out the 2 latest row(s)" "$T/d.log" || { cat "$T/d.log"; exit 1; }
/usr/bin/python3 -c 'import sys; L = open(sys.argv[1]).read().split("\n"); L[4] = L[4].rsplit(",", 1)[0] + ",not a date"; open(sys.argv[2], "w").write("\n".join(L))' "$T/dated.csv" "$T/baddate.csv"
set +e
"$LUDWIG_C" experiment --config "$T/dt.yaml" --dataset "$T/baddate.csv" --output_directory "$T/bd" 2> "$T/bd.log"
rc=$?
set -e
[ $rc -eq 1 ] && grep -q "baddate.csv: line 5: split column 'seen' holds 'not a date'" "$T/bd.log" || { cat "$T/bd.log"; exit 1; }
echo "test_splits: ok"
