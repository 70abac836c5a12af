#!/bin/sh
# Trains the tutorial network with ludwig-c and with the PyTorch reference on the same data,
# epochs and threads, one after the other, and prints both figures.
# Usage: bench/compare_torch.sh DATA_DIR STEM [EPOCHS] [THREADS] [REF_TORCH_PY]
#   DATA_DIR/STEM_dataset.csv + DATA_DIR/STEM_images.zip, as bench/make_datasets.py writes them.
set -e
D=$1 S=$2 EP=${3:-5} TH=${4:-2}
REF=${5:-../shared/reference/ref_torch.py}
EXE=${EXE:-build/ludwig-c}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
sed "s/epochs: 5/epochs: $EP/" test-data/config.yaml > "$OUT/config.yaml"
/usr/bin/time -v "$EXE" experiment --config "$OUT/config.yaml" --dataset "$D/${S}_dataset.csv" \
    --raw_data "$D/${S}_images.zip" --output_directory "$OUT/lc" --threads "$TH" 2> "$OUT/lc.log"
grep -E "^epoch|done in" "$OUT/lc.log"
grep -E "Maximum resident|Elapsed" "$OUT/lc.log"
/usr/bin/python3 -c "import json,sys; t=json.load(open(sys.argv[1])); print('ludwig-c test accuracy_micro', t['label']['accuracy_micro'])" "$OUT/lc/experiment_run/test_statistics.json"
if [ -f "$REF" ]; then
    /usr/bin/time -v /usr/bin/python3 "$REF" "$D/${S}_images.zip" "$D/${S}_dataset.csv" "$EP" "$TH" 2> "$OUT/ref.log" | tail -1
    grep -E "Maximum resident|Elapsed" "$OUT/ref.log"
fi
