#!/bin/sh
# bench/text/accuracy.sh - text classification accuracy on Debian's fortune cookies
# (bench/text/make_fortunes.py: 4 categories, a fixed split) with Ludwig's default text encoder
# (parallel_cnn, every key at its default, 10 epochs) and with an LSTM (the rnn encoder: a
# bidirectional LSTM, embedding 64, state 64, reduce_output attention, 30 epochs), early stopping
# on the validation split as Ludwig's defaults do; beside TF-IDF + logistic regression on the same
# split (bench/text/baselines.json, from baseline.py). Prints the test accuracy (micro: correct /
# rows) of each, and checks that it is the one recomputed from predictions_parquet.csv.
# Environment: THREADS (2), SEED (42), LUDWIG_C (build/ludwig-c).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
THREADS=${THREADS:-2}
SEED=${SEED:-42}
LUDWIG_C=${LUDWIG_C:-build/ludwig-c}
PY=/usr/bin/python3
dpkg -s fortunes >/dev/null 2>&1 || apt-get install -y -q fortunes >/dev/null
[ "$LUDWIG_C" != build/ludwig-c ] || make -s -j2 build/ludwig-c >/dev/null
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
$PY "$here/make_fortunes.py" "$T/fortunes.csv" >/dev/null
cat >"$T/parallel_cnn.yaml" <<'YAML'
input_features:
  - {name: text, type: text}
output_features:
  - {name: category, type: category}
preprocessing:
  split: {type: fixed, column: split}
trainer: {epochs: 10}
YAML
cat >"$T/bilstm.yaml" <<'YAML'
input_features:
  - name: text
    type: text
    encoder: {type: rnn, cell_type: lstm, bidirectional: true, embedding_size: 64, state_size: 64, reduce_output: attention}
output_features:
  - {name: category, type: category}
preprocessing:
  split: {type: fixed, column: split}
trainer: {epochs: 30}
YAML
echo "| encoder | test accuracy | epochs trained (best) |"
echo "|---|---|---|"
for net in parallel_cnn bilstm; do
    "$LUDWIG_C" experiment --config "$T/$net.yaml" --dataset "$T/fortunes.csv" --output_directory "$T/$net" \
        --random_seed "$SEED" --threads "$THREADS" >"$T/$net.log" 2>&1 || { cat "$T/$net.log" >&2; exit 1; }
    ep=$(grep -c '^epoch' "$T/$net.log")
    best=$(sed -n 's/.*best epoch \([0-9]*\).*/\1/p' "$T/$net.log")
    $PY - "$T/$net/experiment_run" "$net" "$ep" "${best:-$ep}" <<'PYEOF'
import csv, json, sys
run, net, ep, best = sys.argv[1:]
stats = json.load(open(run + "/test_statistics.json"))["category"]
rows = list(csv.DictReader(open(run + "/predictions_parquet.csv", newline="")))
data = [r for r in csv.DictReader(open(run + "/../../fortunes.csv", newline="")) if r["split"] == "2"]
ok = sum(p["category_predictions"] == d["category"] for p, d in zip(rows, data)) / len(data)
assert len(rows) == len(data) and abs(ok - stats["accuracy_micro"]) < 1e-6, (ok, stats["accuracy_micro"])
print("| %s | %.4f | %s (%s) |" % (net, stats["accuracy_micro"], ep, best))
PYEOF
done
echo "| TF-IDF + logistic regression | $($PY -c "import json; print(json.load(open('$here/baselines.json'))['tfidf_logreg_test_accuracy'])") | |"
