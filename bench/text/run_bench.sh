#!/bin/bash
# bench/text/run_bench.sh - ludwig-c against the PyTorch reference (bench/text/torch_text.py, on
# OpenBLAS) on Debian's fortune cookies (bench/text/make_fortunes.py: 2,606 rows of real text, 4
# categories, a fixed split), a text input and a category output, batch 128, 3 epochs, the same
# threads, REPS runs of each side alternating, for two encoders:
#  - bilstm: the rnn encoder as a bidirectional LSTM (embedding 64, state 64, reduce last);
#  - pcnn: Ludwig's default parallel_cnn (embedding 256, four Conv1D of 256 filters, kernels 2..5,
#    sum over the steps, FCStack 512, 256);
# rows cut to 64 tokens. Per run the training samples/s (rows trained / seconds in forward,
# backward and optimizer steps) and the test accuracy; then the ratio of the medians.
# Environment: NETS ("bilstm pcnn"), THREADS (2), REPS (3), SCRATCH (/tmp/ludwig-c-text-bench),
# LUDWIG_C (build/ludwig-c), OPENBLAS_DIR (see bench/openblas_env.sh). The machine should be idle.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
THREADS=${THREADS:-2}
REPS=${REPS:-3}
NETS=${NETS:-bilstm pcnn}
SCRATCH=${SCRATCH:-/tmp/ludwig-c-text-bench}
LUDWIG_C=${LUDWIG_C:-build/ludwig-c}
PY=/usr/bin/python3
mkdir -p "$SCRATCH"
dpkg -s fortunes >/dev/null 2>&1 || apt-get install -y -q fortunes >/dev/null
[ "$LUDWIG_C" != build/ludwig-c ] || make -s -j2 all >/dev/null
. "$root/bench/openblas_env.sh"
data=$SCRATCH/fortunes.csv
$PY "$here/make_fortunes.py" "$data"
cat >"$SCRATCH/bilstm.yaml" <<'YAML'
input_features:
  - name: text
    type: text
    preprocessing: {max_sequence_length: 64}
    encoder: {type: rnn, cell_type: lstm, bidirectional: true, embedding_size: 64, state_size: 64}
output_features:
  - {name: category, type: category}
preprocessing:
  split: {type: fixed, column: split}
trainer: {epochs: 3, batch_size: 128, early_stop: -1}
YAML
cat >"$SCRATCH/pcnn.yaml" <<'YAML'
input_features:
  - name: text
    type: text
    preprocessing: {max_sequence_length: 64}
output_features:
  - {name: category, type: category}
preprocessing:
  split: {type: fixed, column: split}
trainer: {epochs: 3, batch_size: 128, early_stop: -1}
YAML
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
printf '| network | run | training samples/s | test accuracy |\n|---|---|---|---|\n'
for net in $NETS; do
    case $net in
    bilstm) label="bi-LSTM 64"; targs=(--embed 64 --state 64 --bidirectional) ;;
    pcnn) label="parallel_cnn"; targs=(--encoder parallel_cnn --embed 256 --filters 256) ;;
    *) echo "run_bench: unknown network $net (bilstm, pcnn)" >&2; exit 2 ;;
    esac
    : >"$SCRATCH/lc"
    : >"$SCRATCH/pt"
    for r in $(seq "$REPS"); do
        out=$SCRATCH/out_${net}_$r
        rm -rf "$out"
        "$LUDWIG_C" experiment --config "$SCRATCH/$net.yaml" --dataset "$data" --output_directory "$out" \
            --random_seed 42 --threads "$THREADS" >"$out.log" 2>&1
        sps=$(sed -n 's/^ludwig-c: done in .*(training [0-9.]*s, \([0-9]*\) samples\/s.*/\1/p' "$out.log")
        acc=$($PY -c "import json,sys; print('%.4f' % json.load(open(sys.argv[1]))['category']['accuracy_micro'])" "$out/experiment_run/test_statistics.json")
        echo "$sps" >>"$SCRATCH/lc"
        printf '| %s | ludwig-c | %s | %s |\n' "$label" "$sps" "$acc"
        js=$("${torch_env[@]}" $PY "$here/torch_text.py" "$data" --epochs 3 --batch 128 --threads "$THREADS" \
            "${targs[@]}" --width 64 2>/dev/null | tail -1)
        tsps=$($PY -c "import json,sys; print('%.0f' % json.loads(sys.argv[1])['train_samples_per_s'])" "$js")
        tacc=$($PY -c "import json,sys; print('%.4f' % json.loads(sys.argv[1])['test_accuracy'])" "$js")
        echo "$tsps" >>"$SCRATCH/pt"
        printf '| %s | PyTorch | %s | %s |\n' "$label" "$tsps" "$tacc"
    done
    a=$(median <"$SCRATCH/lc")
    b=$(median <"$SCRATCH/pt")
    printf '| %s | **ratio of medians** | **%.2fx** | |\n' "$label" "$($PY -c "print($a / $b)")"
done
