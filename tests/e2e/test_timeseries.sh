#!/bin/sh
# Timeseries inputs with the rnn, dense, parallel_cnn, stacked_cnn, cnnrnn and transformer encoders, on real hourly temperatures (python3-vega-datasets'
# Seattle 2010 series, windowed and standardised as upstream's temperature_la.csv by
# bench/timeseries/make_temperature.py):
#  - upstream Galaxy-Ludwig's own temperature_config.yml (old flat style, 2 epochs), unchanged, on
#    the whole year: test_statistics.json and training_statistics.json have exactly the keys of
#    upstream's temp_*_statistics.json, r2 >= 0.9 (upstream reached 0.964 on Los Angeles), the
#    metadata and the rendered encoder are upstream's temp_model01's, the weights are named as
#    its state_dict;
#  - the saved model travels: predict and evaluate reproduce the experiment's files;
#  - gru / lstm, two layers, bidirectional, left padding and a comma tokenizer train too, and
#    window_size over a column of single readings;
#  - a timeseries output (horizon 3 over the same column): Ludwig's metric keys, mse and r2
#    recomputed from the predictions and the time delay embedding's targets, the rendered horizon;
#  - bad input gets a message and no output: a token that is not a number (line and token
#    named), a column without values, an unsupported encoder.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3
. tests/e2e/lib/expect.sh
fail() { echo "FAIL timeseries: $*"; fails=$((fails + 1)); }

$PY bench/timeseries/make_temperature.py seattle "$T/seattle.csv"
"$LUDWIG_C" experiment --config test-data/temperature_config.yml --dataset "$T/seattle.csv" \
    --output_directory "$T/up" --random_seed 42 --threads 2 >"$T/up.log" 2>&1 ||
    { fail "upstream's temperature config"; cat "$T/up.log"; }
R="$T/up/experiment_run"
$PY - "$R" <<'PYEOF' || fails=$((fails + 1))
import json, struct, sys
run = sys.argv[1]
metrics = ["loss", "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
           "r2", "root_mean_squared_error", "root_mean_squared_percentage_error"]
def keys(d, p=""):
    out = set()
    for k, v in d.items():
        out.add(p + k)
        if isinstance(v, dict):
            out |= keys(v, p + k + ".")
    return out
split = {"combined", "combined.loss", "temperature"} | {"temperature." + m for m in metrics}
want_test = split
want_train = {"evaluation_frequency", "evaluation_frequency.frequency", "evaluation_frequency.period"}
for s in ("training", "validation", "test"):
    want_train |= {s} | {s + "." + k for k in split}
test = json.load(open(run + "/test_statistics.json"))
train = json.load(open(run + "/training_statistics.json"))
bad = []
if keys(test) != want_test:
    bad.append("test_statistics.json keys differ from upstream's: %s" % sorted(keys(test) ^ want_test))
if keys(train) != want_train:
    bad.append("training_statistics.json keys differ from upstream's: %s" % sorted(keys(train) ^ want_train))
if len(train["test"]["temperature"]["r2"]) != 2:
    bad.append("not 2 epochs")
r2 = test["temperature"]["r2"]
print("timeseries: upstream's temperature_config.yml on Seattle 2010 (8,739 rows): test r2 %.4f, mae %.4f (upstream on Los Angeles: r2 0.9641)"
      % (r2, test["temperature"]["mean_absolute_error"]))
if not r2 >= 0.9:
    bad.append("test r2 %.4f < 0.9" % r2)
# metadata and rendered encoder as upstream's temp_model01 writes them
meta = json.load(open(run + "/model/training_set_metadata.json"))["temperature_feature"]
want_meta = {"max_timeseries_length": 20, "preprocessing": {
    "cache_encoder_embeddings": False, "computed_fill_value": "", "fill_value": "",
    "missing_value_strategy": "fill_with_const", "padding": "right", "padding_value": 0.0,
    "timeseries_length_limit": 256, "tokenizer": "space", "window_size": 0}}
if meta != want_meta:
    bad.append("metadata %s" % meta)
enc = json.load(open(run + "/model/model_hyperparameters.json"))["input_features"][0]["encoder"]
want_enc = {"activation": "tanh", "bias_initializer": "zeros", "bidirectional": False,
            "cell_type": "rnn", "dropout": 0.0, "embedding_size": 1, "embeddings_on_cpu": False,
            "embeddings_trainable": True, "fc_activation": "relu", "fc_dropout": 0.0,
            "fc_layers": None, "input_size": 20, "max_sequence_length": 20, "norm": None,
            "norm_params": None, "num_fc_layers": 0, "num_layers": 1, "output_size": 256,
            "pretrained_embeddings": None, "recurrent_activation": "sigmoid",
            "recurrent_dropout": 0.0, "recurrent_initializer": "orthogonal",
            "reduce_output": "last", "representation": "dense",
            "saved_weights_in_checkpoint": True, "should_embed": False, "skip": False,
            "state_size": 32, "type": "rnn", "unit_forget_bias": True, "use_bias": True,
            "vocab": None, "weights_initializer": "xavier_uniform"}
if enc != want_enc:
    bad.append("rendered encoder differs: %s" % {k: (enc.get(k), want_enc.get(k)) for k in set(enc) | set(want_enc) if enc.get(k) != want_enc.get(k)})
# tensor names and shapes of upstream's temp_model01 state_dict
sys.path.insert(0, "tests/e2e/lib")
import weights
got = [(k, list(shape)) for k, (shape, _) in weights.tensors(run + "/model/model_weights").items()]
p = "input_features.module_dict.temperature_feature__ludwig.encoder_obj.recurrent_stack.layers."
want_w = [(p + "weight_ih_l0", [32, 1]), (p + "weight_hh_l0", [32, 32]), (p + "bias_ih_l0", [32]),
          (p + "bias_hh_l0", [32]),
          ("output_features.module_dict.temperature__ludwig.decoder_obj.dense.dense.weight", [1, 32]),
          ("output_features.module_dict.temperature__ludwig.decoder_obj.dense.dense.bias", [1])]
if got != want_w:
    bad.append("tensors %s" % got)
for b in bad:
    print("FAIL timeseries:", b)
sys.exit(1 if bad else 0)
PYEOF

# the model travels
"$LUDWIG_C" evaluate --model_path "$R/model" --dataset "$T/seattle.csv" --split test \
    --output_directory "$T/ev" >"$T/ev.log" 2>&1 || { fail "evaluate"; cat "$T/ev.log"; }
cmp -s "$T/ev/test_statistics.json" "$R/test_statistics.json" ||
    fail "evaluate's test_statistics.json differs from the experiment's"
"$LUDWIG_C" predict --model_path "$R/model" --dataset "$T/seattle.csv" --split test \
    --output_directory "$T/pr" >"$T/pr.log" 2>&1 || { fail "predict"; cat "$T/pr.log"; }
cmp -s "$T/pr/predictions_parquet.csv" "$R/predictions_parquet.csv" ||
    fail "predict's predictions differ from the experiment's"
[ "$(head -1 "$R/predictions_parquet.csv")" = "temperature_predictions" ] ||
    fail "the predictions table is not one column named temperature_predictions"

# other cells, layers, directions, padding and tokenizer on the committed slice
$PY - test-data/temperature_seattle.csv "$T/comma.csv" <<'PYEOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))[:401]
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(rows[0])
    for r in rows[1:]:
        w.writerow([r[0].replace(" ", ","), r[1]])
PYEOF
cat >"$T/lstm.yaml" <<'EOF'
input_features:
  - name: temperature_feature
    type: timeseries
    preprocessing: {tokenizer: comma, padding: left, timeseries_length_limit: 12}
    encoder: {type: rnn, cell_type: lstm, num_layers: 2, bidirectional: true, state_size: 8,
              reduce_output: mean, recurrent_dropout: 0.1, num_fc_layers: 1, output_size: 16}
output_features:
  - name: temperature
    type: number
trainer: {epochs: 3, batch_size: 32}
EOF
"$LUDWIG_C" experiment --config "$T/lstm.yaml" --dataset "$T/comma.csv" --output_directory "$T/lstm" \
    --random_seed 1 --threads 2 >"$T/lstm.log" 2>&1 || { fail "lstm config"; cat "$T/lstm.log"; }
$PY - "$T/lstm/experiment_run" <<'PYEOF' || fails=$((fails + 1))
import json, sys
run = sys.argv[1]
meta = json.load(open(run + "/model/training_set_metadata.json"))["temperature_feature"]
assert meta["max_timeseries_length"] == 12, meta
loss = json.load(open(run + "/training_statistics.json"))["training"]["temperature"]["loss"]
assert loss[-1] < loss[0], loss
print("timeseries: 2-layer bidirectional lstm, comma tokenizer, left padding: training loss %s" % loss)
PYEOF
sed 's/cell_type: lstm/cell_type: gru/; s/bidirectional: true/bidirectional: false/; s/reduce_output: mean/reduce_output: max/' \
    "$T/lstm.yaml" >"$T/gru.yaml"
"$LUDWIG_C" experiment --config "$T/gru.yaml" --dataset "$T/comma.csv" --output_directory "$T/gru" \
    --random_seed 1 --threads 1 >"$T/gru.log" 2>&1 || { fail "gru config"; cat "$T/gru.log"; }

# the dense encoder over the series; its model is read back by predict
cat >"$T/dense.yaml" <<'EOF'
input_features:
  - {name: temperature_feature, type: timeseries, encoder: {type: dense, output_size: 32}}
output_features:
  - {name: temperature, type: number}
trainer: {epochs: 2}
EOF
"$LUDWIG_C" experiment --config "$T/dense.yaml" --dataset test-data/temperature_seattle.csv --output_directory "$T/dense" \
    --random_seed 42 --threads 2 >"$T/dense.log" 2>&1 || { fail "dense encoder"; cat "$T/dense.log"; }
"$LUDWIG_C" predict --model_path "$T/dense/experiment_run/model" --dataset test-data/temperature_seattle.csv \
    --output_directory "$T/densep" >"$T/densep.log" 2>&1 || { fail "predict with the dense encoder"; cat "$T/densep.log"; }
grep -q "fc_stack.stack.0.layers.0.weight" "$T/dense/experiment_run/model/model_weights" ||
    fail "the dense encoder's weights are not named encoder_obj.fc_stack..."

# no encoder named: Ludwig's default parallel_cnn (no embedding: one channel per step, four
# Conv1D layers of kernels 2..5 and 256 filters, sum over the steps, FCStack 512, 256)
cat >"$T/pcnn.yaml" <<'EOF'
input_features:
  - {name: temperature_feature, type: timeseries}
output_features:
  - {name: temperature, type: number}
trainer: {epochs: 8}
EOF
"$LUDWIG_C" experiment --config "$T/pcnn.yaml" --dataset test-data/temperature_seattle.csv --output_directory "$T/pcnn" \
    --random_seed 42 --threads 2 >"$T/pcnn.log" 2>&1 || { fail "parallel_cnn (default) encoder"; cat "$T/pcnn.log"; }
"$LUDWIG_C" predict --model_path "$T/pcnn/experiment_run/model" --dataset test-data/temperature_seattle.csv --split test \
    --output_directory "$T/pcnnp" >"$T/pcnnp.log" 2>&1 || { fail "predict with the parallel_cnn encoder"; cat "$T/pcnnp.log"; }
cmp -s "$T/pcnnp/predictions_parquet.csv" "$T/pcnn/experiment_run/predictions_parquet.csv" ||
    fail "predict's parallel_cnn predictions differ from the experiment's"
$PY - "$T/pcnn/experiment_run" <<'PYEOF' || fails=$((fails + 1))
import json, sys
run = sys.argv[1]
hp = json.load(open(run + "/model/model_hyperparameters.json"))["input_features"][0]["encoder"]
assert hp["type"] == "parallel_cnn" and hp["embedding_size"] == 1 and hp["should_embed"] is False, hp
w = open(run + "/model/model_weights", "rb").read()
p = b"input_features.module_dict.temperature_feature__ludwig.encoder_obj.parallel_conv1d.parallel_layers."
assert all(p + b"%d.layers.0.weight" % i in w for i in range(4)), "conv weights not named as Ludwig's"
assert b"embed_sequence" not in w, "a timeseries has no embedding"
loss = json.load(open(run + "/training_statistics.json"))["validation"]["temperature"]["loss"]
assert loss[-1] < loss[0] / 10, loss
print("timeseries: default parallel_cnn encoder: validation loss %.4g -> %.4g" % (loss[0], loss[-1]))
PYEOF

# stacked_cnn: Ludwig's six default Conv1D layers (filter sizes 7, 7, 3, 3, 3, 3; max pooling of 3
# with "same" padding after the first, second and last: 20 steps -> 7 -> 3 -> 1)
cat >"$T/scnn.yaml" <<'EOF'
input_features:
  - {name: temperature_feature, type: timeseries, encoder: {type: stacked_cnn, num_filters: 32}}
output_features:
  - {name: temperature, type: number}
trainer: {epochs: 10}
EOF
"$LUDWIG_C" experiment --config "$T/scnn.yaml" --dataset test-data/temperature_seattle.csv --output_directory "$T/scnn" \
    --random_seed 42 --threads 2 >"$T/scnn.log" 2>&1 || { fail "stacked_cnn encoder"; cat "$T/scnn.log"; }
$PY - "$T/scnn/experiment_run" <<'PYEOF' || fails=$((fails + 1))
import json, sys
run = sys.argv[1]
w = open(run + "/model/model_weights", "rb").read()
p = b"input_features.module_dict.temperature_feature__ludwig.encoder_obj.conv1d_stack.stack."
assert all(p + b"%d.layers.0.weight" % i in w for i in range(6)), "conv weights not named as Ludwig's"
r2 = json.load(open(run + "/test_statistics.json"))["temperature"]["r2"]
print("timeseries: stacked_cnn encoder (Ludwig's six default layers): test r2 %.4f" % r2)
assert r2 > 0.9, r2
PYEOF

# stacked_cnn with batch norm (Conv1DLayer's BatchNorm1d between the conv and its activation) on
# two of its three layers, one with its own momentum: the running stats are saved under Ludwig's
# names and used by predict and evaluate, which reproduce the experiment
cat >"$T/scnnbn.yaml" <<'EOF'
input_features:
  - name: temperature_feature
    type: timeseries
    encoder:
      type: stacked_cnn
      num_filters: 16
      fc_layers: [{output_size: 32}]
      conv_layers:
        - {filter_size: 5, pool_size: 3, norm: batch}
        - {filter_size: 3, norm: batch, norm_params: {momentum: 0.2}}
        - {filter_size: 3}
output_features:
  - {name: temperature, type: number}
trainer: {epochs: 10}
EOF
B="$T/scnnbn/experiment_run"
"$LUDWIG_C" experiment --config "$T/scnnbn.yaml" --dataset test-data/temperature_seattle.csv --output_directory "$T/scnnbn" \
    --random_seed 42 --threads 2 >"$T/scnnbn.log" 2>&1 || { fail "stacked_cnn with batch norm"; cat "$T/scnnbn.log"; }
"$LUDWIG_C" evaluate --model_path "$B/model" --dataset test-data/temperature_seattle.csv --split test \
    --output_directory "$T/scnnbn_ev" >"$T/scnnbn_ev.log" 2>&1 || { fail "evaluate (batch norm)"; cat "$T/scnnbn_ev.log"; }
cmp -s "$T/scnnbn_ev/test_statistics.json" "$B/test_statistics.json" ||
    fail "evaluate's test_statistics.json differs from the experiment's (stacked_cnn with batch norm)"
"$LUDWIG_C" predict --model_path "$B/model" --dataset test-data/temperature_seattle.csv --split test \
    --output_directory "$T/scnnbn_pr" >"$T/scnnbn_pr.log" 2>&1 || { fail "predict (batch norm)"; cat "$T/scnnbn_pr.log"; }
cmp -s "$T/scnnbn_pr/predictions_parquet.csv" "$B/predictions_parquet.csv" ||
    fail "predict's predictions differ from the experiment's (stacked_cnn with batch norm)"
$PY - "$B" <<'PYEOF' || fails=$((fails + 1))
import json, sys
sys.path.insert(0, "tests/e2e/lib")
import weights
run = sys.argv[1]
w = weights.tensors(run + "/model/model_weights")
p = "input_features.module_dict.temperature_feature__ludwig.encoder_obj.conv1d_stack.stack."
for i in (0, 1):
    for t in ("weight", "bias", "running_mean", "running_var"):
        assert (p + "%d.layers.1.%s" % (i, t)) in w, (i, t)
    shape, rv = w[p + "%d.layers.1.running_var" % i]
    assert shape == (16,), shape
    assert max(abs(v - 1.0) for v in rv) > 1e-3, "running_var never updated"
assert p + "2.layers.1.weight" not in w, "a batch norm on the layer that has none"
r2 = json.load(open(run + "/test_statistics.json"))["temperature"]["r2"]
print("timeseries: stacked_cnn with batch norms on two conv layers: test r2 %.4f" % r2)
assert r2 > 0.8, r2
PYEOF

# stacked_cnn with strided, dilated and "valid" conv layers: 20 steps -> (20 - 2) / 2 + 1 = 10
# (filter 2, stride 2) -> 10 - 2 * (3 - 1) = 6 (filter 3, dilation 2) -> 6 (filter 1, "same");
# predict reproduces the experiment
cat >"$T/scnnst.yaml" <<'EOF'
input_features:
  - name: temperature_feature
    type: timeseries
    encoder:
      type: stacked_cnn
      num_filters: 16
      padding: valid
      reduce_output: concat
      fc_layers: [{output_size: 32}]
      conv_layers:
        - {filter_size: 2, strides: 2}
        - {filter_size: 3, dilation_rate: 2}
        - {filter_size: 1, padding: same}
output_features:
  - {name: temperature, type: number}
trainer: {epochs: 10}
EOF
B="$T/scnnst/experiment_run"
"$LUDWIG_C" experiment --config "$T/scnnst.yaml" --dataset test-data/temperature_seattle.csv --output_directory "$T/scnnst" \
    --random_seed 42 --threads 2 >"$T/scnnst.log" 2>&1 || { fail "stacked_cnn with strides and dilation"; cat "$T/scnnst.log"; }
"$LUDWIG_C" predict --model_path "$B/model" --dataset test-data/temperature_seattle.csv --split test \
    --output_directory "$T/scnnst_pr" >"$T/scnnst_pr.log" 2>&1 || { fail "predict (strides)"; cat "$T/scnnst_pr.log"; }
cmp -s "$T/scnnst_pr/predictions_parquet.csv" "$B/predictions_parquet.csv" ||
    fail "predict's predictions differ from the experiment's (stacked_cnn with strides)"
$PY - "$B" <<'PYEOF' || fails=$((fails + 1))
import json, sys
sys.path.insert(0, "tests/e2e/lib")
import weights
run = sys.argv[1]
w = weights.tensors(run + "/model/model_weights")
p = "input_features.module_dict.temperature_feature__ludwig.encoder_obj."
# reduce_output concat: the flattened conv output (6 steps x 16 filters) feeds the fc layer
shape, _ = w[p + "fc_stack.stack.0.layers.0.weight"]
assert shape == (32, 96), shape
r2 = json.load(open(run + "/test_statistics.json"))["temperature"]["r2"]
print("timeseries: stacked_cnn with strides 2, dilation 2, padding valid: test r2 %.4f" % r2)
# it learns (the mean scores 0), less well than the "same" stacks: no zero padding tells the
# valid convs where the series ends (0.64 at seed 42)
assert r2 > 0.5, r2
PYEOF
sed 's/padding: valid/padding: same/' "$T/scnnst.yaml" >"$T/st_same.yaml"
expect stsame 1 "strides above 1 need padding 'valid'" -- \
    --config "$T/st_same.yaml" --dataset "$PWD/test-data/temperature_seattle.csv"

# cnnrnn: the conv stack (two layers of filter_size 5, pooling of 3 after the first), then a GRU
cat >"$T/cnnrnn.yaml" <<'EOF'
input_features:
  - {name: temperature_feature, type: timeseries, encoder: {type: cnnrnn, num_filters: 16, state_size: 16, cell_type: gru}}
output_features:
  - {name: temperature, type: number}
trainer: {epochs: 10}
EOF
"$LUDWIG_C" experiment --config "$T/cnnrnn.yaml" --dataset test-data/temperature_seattle.csv --output_directory "$T/cnnrnn" \
    --random_seed 42 --threads 2 >"$T/cnnrnn.log" 2>&1 || { fail "cnnrnn encoder"; cat "$T/cnnrnn.log"; }
$PY - "$T/cnnrnn/experiment_run" <<'PYEOF' || fails=$((fails + 1))
import json, sys
run = sys.argv[1]
w = open(run + "/model/model_weights", "rb").read()
p = b"input_features.module_dict.temperature_feature__ludwig.encoder_obj."
for t in (b"conv1d_stack.stack.1.layers.0.weight", b"recurrent_stack.layers.weight_hh_l0"):
    assert p + t in w, t
r2 = json.load(open(run + "/test_statistics.json"))["temperature"]["r2"]
print("timeseries: cnnrnn encoder (conv stack, then a GRU): test r2 %.4f" % r2)
assert r2 > 0.7, r2
PYEOF

# window_size: one temperature per row (the year in time order), a window of the last 12 as the
# input, the next hour as a number output
$PY - "$T/colmajor.csv" <<'PYEOF'
import csv, sys
rows = list(csv.DictReader(open("/usr/lib/python3/dist-packages/vega_datasets/_data/seattle-temps.csv")))
t = [r["temp"] for r in rows]
with open(sys.argv[1], "w") as f:
    f.write("temp,next_temp\n")
    for i in range(len(t) - 1):
        f.write("%s,%s\n" % (t[i], t[i + 1]))
PYEOF
cat >"$T/win.yaml" <<'EOF'
input_features:
  - {name: temp, type: timeseries, preprocessing: {window_size: 12}, encoder: {type: rnn, state_size: 16}}
output_features:
  - {name: next_temp, type: number, preprocessing: {normalization: zscore}}
trainer: {epochs: 5}
EOF
"$LUDWIG_C" experiment --config "$T/win.yaml" --dataset "$T/colmajor.csv" --output_directory "$T/win" \
    --random_seed 42 --threads 2 >"$T/win.log" 2>&1 || { fail "window_size config"; cat "$T/win.log"; }
$PY - "$T/win/experiment_run" <<'PYEOF' || fails=$((fails + 1))
import json, sys
run = sys.argv[1]
meta = json.load(open(run + "/model/training_set_metadata.json"))["temp"]
assert meta["max_timeseries_length"] == 12 and meta["preprocessing"]["window_size"] == 12, meta
r2 = json.load(open(run + "/test_statistics.json"))["next_temp"]["r2"]
print("timeseries: window_size 12 over one column, next hour: test r2 %.4f" % r2)
assert r2 > 0.9, r2
PYEOF

# bad input: a message, no output
{ head -5 test-data/temperature_seattle.csv; echo '"0.1 0.2 warm 0.4",0.5'; sed -n 6,40p test-data/temperature_seattle.csv; } >"$T/token.csv"
expect token 1 "line 6: timeseries column 'temperature_feature' holds the token 'warm' (value 3 of the row), which is not a number" -- \
    --config "$PWD/test-data/temperature_config.yml" --dataset "$T/token.csv"
{ echo "temperature_feature,temperature"; for i in 1 2 3 4 5 6 7 8 9 10; do echo ",0.$i"; done; } >"$T/empty.csv"
expect empty 1 "timeseries column 'temperature_feature' has no values in any row" -- \
    --config "$PWD/test-data/temperature_config.yml" --dataset "$T/empty.csv"
sed 's/encoder: rnn/encoder: embed/' test-data/temperature_config.yml >"$T/emb.yaml"
expect encoder 1 "unknown encoder 'embed' for a timeseries feature (expected one of parallel_cnn,rnn,dense,stacked_cnn,cnnrnn,stacked_parallel_cnn,transformer,passthrough)" -- \
    --config "$T/emb.yaml" --dataset "$PWD/test-data/temperature_seattle.csv"

# passthrough (Ludwig's SequencePassthroughEncoder): the series as (steps, 1). Its default
# reduce_output null keeps the steps, which the concat combiner takes with flatten_inputs: true
# (the 20 readings, then the combiner's layer); with reduce_output last, the last reading
# (persistence scores r2 0.934 on this year)
cat >"$T/pt.yaml" <<'EOF'
input_features:
  - {name: temperature_feature, type: timeseries, encoder: {type: passthrough}}
output_features:
  - {name: temperature, type: number}
combiner: {type: concat, flatten_inputs: true, output_size: 32, num_fc_layers: 1}
trainer: {epochs: 10}
EOF
B="$T/pt/experiment_run"
"$LUDWIG_C" experiment --config "$T/pt.yaml" --dataset test-data/temperature_seattle.csv --output_directory "$T/pt" \
    --random_seed 42 --threads 2 >"$T/pt.log" 2>&1 || { fail "passthrough encoder"; cat "$T/pt.log"; }
"$LUDWIG_C" predict --model_path "$B/model" --dataset test-data/temperature_seattle.csv --split test \
    --output_directory "$T/pt_pr" >"$T/pt_pr.log" 2>&1 || { fail "predict (passthrough)"; cat "$T/pt_pr.log"; }
cmp -s "$T/pt_pr/predictions_parquet.csv" "$B/predictions_parquet.csv" ||
    fail "predict's predictions differ from the experiment's (passthrough)"
sed 's/encoder: {type: passthrough}/encoder: {type: passthrough, reduce_output: last}/; s/flatten_inputs: true, //; s/epochs: 10}/epochs: 60, learning_rate: 0.01}/' \
    "$T/pt.yaml" >"$T/ptlast.yaml"
"$LUDWIG_C" experiment --config "$T/ptlast.yaml" --dataset test-data/temperature_seattle.csv --output_directory "$T/ptlast" \
    --random_seed 42 --threads 2 >"$T/ptlast.log" 2>&1 || { fail "passthrough encoder, last"; cat "$T/ptlast.log"; }
$PY - "$B" "$T/ptlast/experiment_run" <<'PYEOF' || fails=$((fails + 1))
import json, sys
run, last = sys.argv[1:]
hp = json.load(open(run + "/model/model_hyperparameters.json"))
enc = hp["input_features"][0]["encoder"]
assert enc["type"] == "passthrough" and enc["reduce_output"] is None, enc
assert hp["combiner"]["flatten_inputs"] is True, hp["combiner"]
w = open(run + "/model/model_weights", "rb").read()
assert b"combiner.fc_stack.stack.0.layers.0.weight" in w
r2 = json.load(open(run + "/test_statistics.json"))["temperature"]["r2"]
r2l = json.load(open(last + "/test_statistics.json"))["temperature"]["r2"]
print("timeseries: passthrough, the 20 readings flattened: test r2 %.4f; the last reading: %.4f" % (r2, r2l))
assert r2 > 0.9 and 0.9 < r2l < 0.96, (r2, r2l)
PYEOF
# reduce_output null on the rnn: every step's state, flattened by the combiner (20 x 8 values)
sed 's/encoder: {type: passthrough}/encoder: {type: rnn, state_size: 8, reduce_output: null}/' "$T/pt.yaml" >"$T/rnnnone.yaml"
"$LUDWIG_C" experiment --config "$T/rnnnone.yaml" --dataset test-data/temperature_seattle.csv --output_directory "$T/rnnnone" \
    --random_seed 42 --threads 2 >"$T/rnnnone.log" 2>&1 || { fail "rnn, reduce_output null"; cat "$T/rnnnone.log"; }
$PY - "$T/rnnnone/experiment_run" <<'PYEOF' || fails=$((fails + 1))
import json, sys
sys.path.insert(0, "tests/e2e/lib")
import weights
run = sys.argv[1]
shape, _ = weights.tensors(run + "/model/model_weights")["combiner.fc_stack.stack.0.layers.0.weight"]
assert shape == (32, 160), shape
r2 = json.load(open(run + "/test_statistics.json"))["temperature"]["r2"]
print("timeseries: rnn with reduce_output null, flattened by the combiner: test r2 %.4f" % r2)
assert r2 > 0.9, r2
PYEOF
sed 's/flatten_inputs: true, //' "$T/pt.yaml" >"$T/ptnone.yaml"
expect ptnone 1 "reduce_output null keeps every step, which Ludwig's concat combiner takes only with flatten_inputs: true" -- \
    --config "$T/ptnone.yaml" --dataset "$PWD/test-data/temperature_seattle.csv"
sed 's/encoder: {type: passthrough}/encoder: {type: passthrough, reduce_output: attention}/' "$T/pt.yaml" >"$T/ptattn.yaml"
expect ptattn 1 "passthrough with reduce_output 'attention' has no encoding_size" -- \
    --config "$T/ptattn.yaml" --dataset "$PWD/test-data/temperature_seattle.csv"
# a layer norm in a conv layer: Ludwig's LayerNorm([num_filters, steps]) over each row's map,
# saved in torch's (F, L) shape; predict reproduces the experiment
sed 's/pool_size: 3, norm: batch}/pool_size: 3, norm: layer}/' "$T/scnnbn.yaml" >"$T/ln.yaml"
"$LUDWIG_C" experiment --config "$T/ln.yaml" --dataset test-data/temperature_seattle.csv --output_directory "$T/ln" \
    --random_seed 42 --threads 2 >"$T/ln.log" 2>&1 || { fail "stacked_cnn with a layer norm"; cat "$T/ln.log"; }
"$LUDWIG_C" predict --model_path "$T/ln/experiment_run/model" --dataset test-data/temperature_seattle.csv --split test \
    --output_directory "$T/ln_pr" >"$T/ln_pr.log" 2>&1 || { fail "predict (layer norm)"; cat "$T/ln_pr.log"; }
cmp -s "$T/ln_pr/predictions_parquet.csv" "$T/ln/experiment_run/predictions_parquet.csv" ||
    fail "predict's predictions differ from the experiment's (layer norm)"
$PY - "$T/ln/experiment_run" <<'PYEOF' || fails=$((fails + 1))
import json, sys
sys.path.insert(0, "tests/e2e/lib")
import weights
run = sys.argv[1]
w = weights.tensors(run + "/model/model_weights")
p = "input_features.module_dict.temperature_feature__ludwig.encoder_obj.conv1d_stack.stack.0.layers.1."
for t in ("weight", "bias"):
    shape, v = w[p + t]
    assert shape == (16, 20), (t, shape)  # 16 filters x the 20 steps
assert max(abs(x - 1.0) for x in w[p + "weight"][1]) > 1e-3, "the layer norm's weight never trained"
r2 = json.load(open(run + "/test_statistics.json"))["temperature"]["r2"]
print("timeseries: stacked_cnn with a layer norm on its first conv layer: test r2 %.4f" % r2)
assert r2 > 0.8, r2
PYEOF
sed 's/norm: layer}/norm: layer, strides: 2, padding: valid}/' "$T/ln.yaml" >"$T/lnst.yaml"
expect lnstrided 1 "conv_layers[0]: norm 'layer' on a conv layer whose 8 output steps differ from its 20 input steps" -- \
    --config "$T/lnst.yaml" --dataset "$PWD/test-data/temperature_seattle.csv"

# the transformer over the series (no embeddings: each reading projected to hidden_size)
cat >"$T/tf.yaml" <<'EOF'
input_features:
  - {name: temperature_feature, type: timeseries, encoder: {type: transformer, hidden_size: 16, num_heads: 2, transformer_output_size: 16, reduce_output: mean, dropout: 0.0}}
output_features:
  - {name: temperature, type: number}
trainer: {epochs: 10, learning_rate: 0.005}
EOF
"$LUDWIG_C" experiment --config "$T/tf.yaml" --dataset test-data/temperature_seattle.csv --output_directory "$T/tf" \
    --random_seed 42 --threads 2 >"$T/tf.log" 2>&1 || { fail "transformer encoder"; cat "$T/tf.log"; }
$PY - "$T/tf/experiment_run" <<'PYEOF' || fails=$((fails + 1))
import json, sys
run = sys.argv[1]
w = open(run + "/model/model_weights", "rb").read()
p = b"input_features.module_dict.temperature_feature__ludwig.encoder_obj."
for t in (b"project_to_hidden_size.weight", b"transformer_stack.layers.0.self_attention.query_dense.weight"):
    assert p + t in w, t
assert b"position_embed" not in w, "a timeseries has no position embeddings"
r2 = json.load(open(run + "/test_statistics.json"))["temperature"]["r2"]
print("timeseries: transformer encoder: test r2 %.4f" % r2)
assert r2 > 0.5, r2
PYEOF

# a timeseries output: the next 3 hours (horizon 3) from the last 12 (window_size 12) of the same
# standardised column, a fixed split; the projector and Ludwig's default huber loss
$PY - "$T/colmajor.csv" "$T/fc.csv" <<'PYEOF'
import csv, statistics as st, sys
t = [float(r["temp"]) for r in csv.DictReader(open(sys.argv[1]))]
mu, sd = st.mean(t), st.pstdev(t)
with open(sys.argv[2], "w") as f:
    f.write("temp,split\n")
    for i, v in enumerate(t):
        f.write("%.4f,%d\n" % ((v - mu) / sd, 0 if i % 10 < 8 else 1 if i % 10 == 8 else 2))
PYEOF
cat >"$T/fc.yaml" <<'EOF'
input_features:
  - {name: past, column: temp, type: timeseries, preprocessing: {window_size: 12}, encoder: {type: rnn, state_size: 16}}
output_features:
  - {name: future, column: temp, type: timeseries, preprocessing: {horizon: 3}}
preprocessing:
  split: {type: fixed, column: split}
trainer: {epochs: 5}
EOF
"$LUDWIG_C" experiment --config "$T/fc.yaml" --dataset "$T/fc.csv" --output_directory "$T/fc" \
    --random_seed 42 --threads 2 >"$T/fc.log" 2>&1 || { fail "timeseries output"; cat "$T/fc.log"; }
$PY - "$T/fc/experiment_run" "$T/fc.csv" <<'PYEOF' || fails=$((fails + 1))
import ast, csv, json, sys
run, data = sys.argv[1:3]
rows = list(csv.DictReader(open(data)))
t = [float(r["temp"]) for r in rows]
test = [i for i, r in enumerate(rows) if r["split"] == "2"]
# Ludwig's time delay embedding: row i's target is x(i+1), x(i+2), x(i+3), 0 (padding) past the end
true = [[t[i + k] if i + k < len(t) else 0.0 for k in (1, 2, 3)] for i in test]
pred = [ast.literal_eval(p["future_predictions"]) for p in csv.DictReader(open(run + "/predictions_parquet.csv"))]
stats = json.load(open(run + "/test_statistics.json"))["future"]
assert set(stats) == {"loss", "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error", "r2"}, stats
assert len(pred) == len(true) and all(len(p) == 3 for p in pred), len(pred)
n = len(true)
mse = sum((p[k] - q[k]) ** 2 for p, q in zip(pred, true) for k in range(3)) / (3 * n)
r2 = 0
for k in range(3):
    m = sum(q[k] for q in true) / n
    r2 += 1 - sum((p[k] - q[k]) ** 2 for p, q in zip(pred, true)) / sum((q[k] - m) ** 2 for q in true)
r2 /= 3
assert abs(mse - stats["mean_squared_error"]) <= 1e-5 * max(1, mse), (mse, stats)
assert abs(r2 - stats["r2"]) <= 1e-5, (r2, stats)
hp = json.load(open(run + "/model/model_hyperparameters.json"))["output_features"][0]
assert hp["horizon"] == 3 and hp["decoder"]["output_size"] == 3 and hp["loss"]["type"] == "huber", hp
meta = json.load(open(run + "/model/training_set_metadata.json"))["future"]
assert meta["max_timeseries_length"] == 3 and meta["preprocessing"]["horizon"] == 3, meta
print("timeseries: the next 3 hours from the last 12 (a timeseries output, horizon 3): test r2 %.4f, mse %.4f" % (r2, mse))
assert r2 > 0.9, r2
# the report's error by step: each step's MAE as the predictions give it
import re
page = open(run + "/../ludwig_experiment_report.html").read()
i = page.index('class="positions"')
rows = re.findall(r'<tr>\s*<td align="right">(\d+)</td>\s*<td[^>]*>([0-9.]+)</td>', page[i:])[:3]
assert [int(r[0]) for r in rows] == [1, 2, 3], rows
for k, (_, mae) in enumerate(rows):
    want = sum(abs(p[k] - q[k]) for p, q in zip(pred, true)) / n
    assert abs(float(mae) - want) < 6e-5, (k, mae, want)
PYEOF
"$LUDWIG_C" predict --model_path "$T/fc/experiment_run/model" --dataset "$T/fc.csv" --split test \
    --output_directory "$T/fcp" >"$T/fcp.log" 2>&1 || { fail "predict with a timeseries output"; cat "$T/fcp.log"; }
cmp -s "$T/fcp/predictions_parquet.csv" "$T/fc/experiment_run/predictions_parquet.csv" ||
    fail "predict's timeseries predictions differ from the experiment's"

[ $fails -eq 0 ] && echo "timeseries: ok"
exit $fails
