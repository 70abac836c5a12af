#!/bin/sh
# ludwig-c's models in PyTorch (issue 14): for the tutorial network and each encoder, combiner and
# decoder ludwig-c builds, a model trained here (one or two epochs on real data) is loaded with
# torch.load(weights_only=True) and run by tests/e2e/lib/ludwig_torch.py, Ludwig 0.10.3's forward
# pass written with PyTorch's own modules from the names Ludwig's modules register (listed there
# with their source files). Every tensor must be read by some module (none missing, none left over,
# each of the shape its module needs) and every probability (or number) that `ludwig-c predict`
# wrote must equal PyTorch's to 1e-5. Skipped, and said so, without python3-torch.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3
LUDWIG_C=${LUDWIG_C:-build/ludwig-c}
if ! $PY -c 'import torch' >/dev/null 2>&1; then
    echo "torch_forward: python3-torch is not installed: skipped"
    exit 0
fi
fails=0
fail() { echo "FAIL torch_forward: $*"; fails=$((fails + 1)); }

# real data, small slices: hourly temperatures, fortunes, penguins, breast cancer, Debian packages
head -301 test-data/temperature_seattle.csv >"$T/ts.csv"
$PY bench/text/make_fortunes.py "$T/fortunes_all.csv" >/dev/null
$PY - "$T/fortunes_all.csv" "$T/text.csv" <<'PYEOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
rows = [r for r in rows if all(ord(c) < 128 for c in r["text"])][::8][:300]
with open(sys.argv[2], "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
PYEOF

# the penguins' four measurements as one vector (z-scored)
$PY - test-data/tabular/penguins.csv "$T/pen.csv" <<'PYEOF'
import csv, statistics as st, sys
ks = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g")
rows = [r for r in csv.DictReader(open(sys.argv[1], newline="")) if all(r[k] not in ("", "NA") for k in ks + ("sex",))]
mu = {k: st.mean(float(r[k]) for r in rows) for k in ks}
sd = {k: st.pstdev(float(r[k]) for r in rows) for k in ks}
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["species", "island", "sex", "measurements"])
    for r in rows:
        w.writerow([r["species"], r["island"], r["sex"], " ".join("%.4f" % ((float(r[k]) - mu[k]) / sd[k]) for k in ks)])
PYEOF
head -401 test-data/debian_packages.csv >"$T/packages.csv"
# Seattle's daily weather 2012-2015 (python3-vega-datasets), every fourth day
$PY - /usr/lib/python3/dist-packages/vega_datasets/_data/seattle-weather.csv "$T/weather.csv" <<'PYEOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))[::4]
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["date", "temp_max", "weather"])
    for r in rows:
        w.writerow([r["date"].replace("/", "-"), r["temp_max"], r["weather"]])
PYEOF

# NAME DATASET [RAW_ZIP]; the config is $T/NAME.yaml
check() {
    name=$1 data=$2 raw=$3
    set -- --config "$T/$name.yaml" --dataset "$data" --output_directory "$T/$name" --random_seed 7 --threads 2
    [ -z "$raw" ] || set -- "$@" --raw_data "$raw"
    "$LUDWIG_C" experiment "$@" >"$T/$name.log" 2>&1 || { fail "$name: experiment"; cat "$T/$name.log"; return; }
    M="$T/$name/experiment_run/model"
    set -- --model_path "$M" --dataset "$data" --output_directory "$T/${name}_pr"
    [ -z "$raw" ] || set -- "$@" --raw_data "$raw"
    "$LUDWIG_C" predict "$@" >"$T/${name}_pr.log" 2>&1 || { fail "$name: predict"; cat "$T/${name}_pr.log"; return; }
    echo "$name $M $data $T/${name}_pr/predictions_parquet.csv 1e-5 $raw" >>"$T/cases"
}

# the tutorial's network (stacked_cnn on MNIST digits), a category output
cp test-data/config_small.yaml "$T/tutorial.yaml"
check tutorial test-data/mnist_dataset.csv test-data/mnist_images.zip

# tables: every number and category encoder, binary passthrough (binary dense below, with the
# vector output), the concat combiner's fc stack with batch
# norm, a residual stack with layer norm, regressor, classifier and the decoders' own fc stacks,
# the loss weights Ludwig keeps (class_weights, positive_class_weight)
cat >"$T/tab.yaml" <<'YAML'
input_features:
  - {name: island, type: category, encoder: {type: dense, embedding_size: 4}}
  - {name: year, type: category, encoder: {type: sparse}}
  - {name: bill_length_mm, type: number, preprocessing: {missing_value_strategy: fill_with_mean}}
  - {name: bill_depth_mm, type: number, encoder: {type: dense, output_size: 6},
     preprocessing: {missing_value_strategy: fill_with_mean, normalization: minmax}}
  - {name: flipper_length_mm, type: number, preprocessing: {missing_value_strategy: fill_with_mean}}
  - {name: sex, type: binary, preprocessing: {missing_value_strategy: fill_with_mode}}
output_features:
  - {name: species, type: category, decoder: {num_fc_layers: 1, fc_output_size: 8},
     loss: {class_weights: {Adelie: 1.0, Gentoo: 2.0, Chinstrap: 0.5}}}
  - {name: body_mass_g, type: number, preprocessing: {normalization: zscore}}
combiner: {type: concat, num_fc_layers: 2, output_size: 16, norm: batch}
trainer: {epochs: 2, batch_size: 32}
YAML
check tab test-data/tabular/penguins.csv
cat >"$T/tab2.yaml" <<'YAML'
input_features:
  - {name: island, type: category, encoder: {type: onehot}}
  - {name: year, type: category, encoder: {type: passthrough}}
  - {name: bill_length_mm, type: number, preprocessing: {missing_value_strategy: fill_with_mean}}
output_features:
  - {name: sex, type: binary, preprocessing: {missing_value_strategy: drop_row},
     loss: {positive_class_weight: 1.5}}
combiner: {type: concat, fc_layers: [{output_size: 12}, {output_size: 12, norm: layer}], residual: true}
trainer: {epochs: 2, batch_size: 32}
YAML
check tab2 test-data/tabular/penguins.csv

# timeseries: rnn, lstm and gru cells (bidirectional, two layers), parallel_cnn, stacked_cnn,
# passthrough and dense encoders
ts() { # NAME ENCODER-YAML
    printf 'input_features:\n  - {name: temperature_feature, type: timeseries, encoder: %s}\noutput_features:\n  - {name: temperature, type: number}\ntrainer: {epochs: 1, batch_size: 32}\n' "$2" >"$T/$1.yaml"
    check "$1" "$T/ts.csv"
}
ts ts_rnn '{type: rnn, state_size: 8}'
ts ts_lstm '{type: rnn, cell_type: lstm, state_size: 6, num_layers: 2, bidirectional: true, reduce_output: mean}'
ts ts_gru '{type: rnn, cell_type: gru, state_size: 5, reduce_output: max, fc_layers: [{output_size: 4}]}'
ts ts_pcnn '{type: parallel_cnn, num_filters: 4, output_size: 8}'
ts ts_scnn '{type: stacked_cnn, num_filters: 4, output_size: 8, conv_layers: [{filter_size: 3}, {filter_size: 5, pool_size: 2}]}'
ts ts_pass '{type: passthrough, reduce_output: mean}'
ts ts_dense '{type: dense, output_size: 8}'
ts ts_cnnrnn '{type: cnnrnn, num_filters: 4, state_size: 6, cell_type: gru, conv_layers: [{filter_size: 3}, {filter_size: 3, pool_size: 2}]}'
ts ts_spcnn '{type: stacked_parallel_cnn, num_filters: 3, output_size: 8, stacked_layers: [[{filter_size: 2}, {filter_size: 3}], [{filter_size: 3}]], pool_size: 2}'
ts ts_tf '{type: transformer, hidden_size: 8, num_heads: 2, transformer_output_size: 12, num_layers: 2, reduce_output: mean}'
# a timeseries output: the projector, predicting the series itself from its last reading's row
cat >"$T/ts_out.yaml" <<'YAML'
input_features:
  - {name: temperature, type: number}
output_features:
  - {name: temperature_feature, type: timeseries, decoder: {num_fc_layers: 1, fc_output_size: 8}}
trainer: {epochs: 1, batch_size: 32}
YAML
check ts_out "$T/ts.csv"

# vectors: dense and passthrough encoders, the projector decoder; sets and bags: the embed
# encoders (with Ludwig's vocab_indices buffers) and the set classifier
cat >"$T/vec.yaml" <<'YAML'
input_features:
  - {name: measurements, type: vector, encoder: {type: dense, output_size: 6}}
  - {name: island, type: category}
output_features:
  - {name: species, type: category}
trainer: {epochs: 2, batch_size: 32}
YAML
check vec "$T/pen.csv"
cat >"$T/vec_out.yaml" <<'YAML'
input_features:
  - {name: species, type: category}
  - {name: sex, type: binary, encoder: {type: dense, output_size: 3}}
output_features:
  - {name: measurements, type: vector}
trainer: {epochs: 2, batch_size: 32}
YAML
check vec_out "$T/pen.csv"
cat >"$T/set.yaml" <<'YAML'
input_features:
  - {name: depends, type: set, encoder: {embedding_size: 6, output_size: 8}}
  - {name: description, type: bag, encoder: {embedding_size: 5, output_size: 8}}
output_features:
  - {name: tags, type: set, preprocessing: {most_common: 20}}
  - {name: section, type: category}
trainer: {epochs: 1, batch_size: 32}
YAML
check set "$T/packages.csv"
# dates: the embed and wave encoders (a number output: the raw year makes a classifier's
# probabilities all 0 or 1)
dt() { # NAME ENCODER-YAML
    printf 'input_features:\n  - {name: date, type: date, encoder: %s}\noutput_features:\n  - {name: temp_max, type: number}\ntrainer: {epochs: 1, batch_size: 32}\n' "$2" >"$T/$1.yaml"
    check "$1" "$T/weather.csv"
}
dt date_embed '{type: embed, embedding_size: 4, num_fc_layers: 1, output_size: 6}'
dt date_wave '{type: wave}'

# text: embed, parallel_cnn, rnn on fortunes (category output)
tx() { # NAME ENCODER-YAML
    printf 'input_features:\n  - {name: text, type: text, encoder: %s}\noutput_features:\n  - {name: category, type: category}\ntrainer: {epochs: 1, batch_size: 32}\n' "$2" >"$T/$1.yaml"
    check "$1" "$T/text.csv"
}
tx tx_embed '{type: embed, embedding_size: 8}'
tx tx_pcnn '{type: parallel_cnn, embedding_size: 8, num_filters: 4, output_size: 8}'
tx tx_rnn '{type: rnn, embedding_size: 8, state_size: 6, cell_type: lstm}'
tx tx_scnn '{type: stacked_cnn, embedding_size: 8, num_filters: 4, output_size: 8, conv_layers: [{filter_size: 3, norm: batch}, {filter_size: 2, pool_size: 2}]}'
tx tx_cnnrnn '{type: cnnrnn, embedding_size: 8, num_filters: 4, state_size: 6}'
tx tx_spcnn '{type: stacked_parallel_cnn, embedding_size: 8, num_filters: 3, output_size: 8, num_fc_layers: 1}'
tx tx_tf '{type: transformer, embedding_size: 6, hidden_size: 8, num_heads: 2, transformer_output_size: 10}'
tx tx_sparse '{type: parallel_cnn, representation: sparse, num_filters: 3, output_size: 8, num_fc_layers: 1}'

# every case in one PyTorch process
$PY tests/e2e/lib/torch_forward.py --cases "$T/cases" || fails=$((fails + 1))
[ "$(grep -c . "$T/cases")" = 27 ] || fail "only $(grep -c . "$T/cases") cases ran"
[ "$fails" = 0 ] && echo "torch_forward: ok"
exit "$fails"
