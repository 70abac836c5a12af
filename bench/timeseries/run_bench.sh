#!/bin/bash
# bench/timeseries/run_bench.sh - ludwig-c against the PyTorch reference (bench/timeseries/torch_ts.py,
# on OpenBLAS) on a year of real hourly temperatures (python3-vega-datasets' Seattle 2010, windowed by
# make_temperature.py: 8,739 rows, 20 steps), same network, batch (128), epochs and threads:
#   rnn     upstream's temperature_config.yml network (rnn cell, state 32, reduce last), 5 epochs
#   bilstm  a 2-layer bidirectional LSTM, state 64, 5 epochs
# REPS runs of each side, alternating. Per run: training samples/s (rows trained / seconds in forward,
# backward and optimizer steps) and the test r2; then the ratio of the medians.
# Environment: THREADS (2), REPS (3), SCRATCH (/tmp/ludwig-c-ts-bench), LUDWIG_C (build/ludwig-c),
# OPENBLAS_DIR (see bench/openblas_env.sh). The machine should be idle.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
THREADS=${THREADS:-2}
REPS=${REPS:-3}
SCRATCH=${SCRATCH:-/tmp/ludwig-c-ts-bench}
LUDWIG_C=${LUDWIG_C:-build/ludwig-c}
PY=/usr/bin/python3
mkdir -p "$SCRATCH"
dpkg -s python3-vega-datasets >/dev/null 2>&1 || apt-get install -y -q python3-vega-datasets >/dev/null
[ "$LUDWIG_C" != build/ludwig-c ] || make -s -j2 all >/dev/null
. "$root/bench/openblas_env.sh"
data=$SCRATCH/seattle.csv
$PY "$here/make_temperature.py" seattle "$data"

cat >"$SCRATCH/rnn.yaml" <<'YAML'
input_features:
  - {name: temperature_feature, type: timeseries, encoder: {type: rnn, state_size: 32}}
output_features:
  - {name: temperature, type: number}
trainer: {epochs: 5, batch_size: 128}
YAML
cat >"$SCRATCH/bilstm.yaml" <<'YAML'
input_features:
  - {name: temperature_feature, type: timeseries,
     encoder: {type: rnn, cell_type: lstm, num_layers: 2, bidirectional: true, state_size: 64}}
output_features:
  - {name: temperature, type: number}
trainer: {epochs: 5, batch_size: 128}
YAML

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
printf '| network | run | training samples/s | test r2 |\n|---|---|---|---|\n'
for net in rnn bilstm; do
    targs=(--epochs 5 --batch 128 --threads "$THREADS" --state 32)
    [ $net = bilstm ] && targs=(--epochs 5 --batch 128 --threads "$THREADS" --cell lstm --layers 2 --bidirectional --state 64)
    : >"$SCRATCH/$net.lc"
    : >"$SCRATCH/$net.pt"
    for r in $(seq "$REPS"); do
        out=$SCRATCH/out_${net}_$r
        rm -rf "$out"
        "$LUDWIG_C" experiment --config "$SCRATCH/$net.yaml" --dataset "$data" --output_directory "$out" \
            --random_seed 42 --threads "$THREADS" >"$out.log" 2>&1
        sps=$(sed -n 's/^ludwig-c: done in .*(training [0-9.]*s, \([0-9]*\) samples\/s.*/\1/p' "$out.log")
        r2=$($PY -c "import json,sys; print('%.4f' % json.load(open(sys.argv[1]))['temperature']['r2'])" "$out/experiment_run/test_statistics.json")
        echo "$sps" >>"$SCRATCH/$net.lc"
        printf '| %s | ludwig-c | %s | %s |\n' "$net" "$sps" "$r2"
        js=$("${torch_env[@]}" $PY "$here/torch_ts.py" "$data" "${targs[@]}" | tail -1)
        tsps=$($PY -c "import json,sys; print('%.0f' % json.loads(sys.argv[1])['train_samples_per_s'])" "$js")
        tr2=$($PY -c "import json,sys; print('%.4f' % json.loads(sys.argv[1])['test_r2'])" "$js")
        echo "$tsps" >>"$SCRATCH/$net.pt"
        printf '| %s | PyTorch | %s | %s |\n' "$net" "$tsps" "$tr2"
    done
    a=$(median <"$SCRATCH/$net.lc")
    b=$(median <"$SCRATCH/$net.pt")
    printf '| %s | **ratio of medians** | **%.2fx** | |\n' "$net" "$($PY -c "print($a / $b)")"
done
