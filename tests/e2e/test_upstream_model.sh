#!/bin/sh
# A model Ludwig trained, served by ludwig-c (issue 14): upstream Galaxy-Ludwig's own temp_model01
# (test-data/temp_model01: Ludwig 0.10's model_hyperparameters.json with every type's defaults, its
# training_set_metadata.json and its PyTorch model_weights) predicts and evaluates on a real
# temperature series; with Debian's python3-torch the predictions equal a PyTorch forward pass of
# that state_dict to 1e-5 (tests/e2e/lib/ludwig_torch.py, Ludwig's modules), and the test
# statistics are those of the PyTorch predictions. An experiment started from it
# (--model_load_path) saves the same tensor names and shapes as Ludwig's file. The `defaults`
# section takes every Ludwig feature type (a saved model holds them all) and an encoder other than
# the type's default; a name that is not a feature type is refused with a suggestion.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3
LUDWIG_C=${LUDWIG_C:-build/ludwig-c}
M=test-data/temp_model01
D=test-data/temperature_seattle.csv
fails=0
fail() { echo "FAIL upstream_model: $*"; fails=$((fails + 1)); }

"$LUDWIG_C" predict --model_path "$M" --dataset "$D" --output_directory "$T/pr" >"$T/pr.log" 2>&1 ||
    { fail "predict on temp_model01"; cat "$T/pr.log"; }
"$LUDWIG_C" evaluate --model_path "$M" --dataset "$D" --output_directory "$T/ev" >"$T/ev.log" 2>&1 ||
    { fail "evaluate on temp_model01"; cat "$T/ev.log"; }
[ "$(wc -l <"$T/pr/predictions_parquet.csv")" = 2001 ] || fail "predict: not 2,000 predictions"
cmp -s "$T/pr/predictions_parquet.csv" "$T/ev/predictions_parquet.csv" || fail "predict and evaluate predict differently"
# the statistics are those of the predictions (mean squared error, r2 from the CSV's own columns)
$PY - "$T/ev/test_statistics.json" "$T/ev/predictions_parquet.csv" "$D" <<'PYEOF' || fail "evaluate: statistics"
import csv, json, sys
st = json.load(open(sys.argv[1]))["temperature"]
p = [float(r["temperature_predictions"]) for r in csv.DictReader(open(sys.argv[2]))]
y = [float(r["temperature"]) for r in csv.DictReader(open(sys.argv[3]))]
mse = sum((a - b) ** 2 for a, b in zip(p, y)) / len(y)
m = sum(y) / len(y)
r2 = 1 - mse * len(y) / sum((b - m) ** 2 for b in y)
assert abs(st["mean_squared_error"] - mse) <= 1e-5 * mse, (st["mean_squared_error"], mse)
assert abs(st["r2"] - r2) <= 1e-5, (st["r2"], r2)
print("upstream_model: temp_model01 on Seattle 2010: mse %.5f, r2 %.4f" % (mse, r2))
PYEOF

if $PY -c 'import torch' >/dev/null 2>&1; then
    $PY tests/e2e/lib/torch_forward.py "$M" "$D" "$T/pr/predictions_parquet.csv" >"$T/fw.out" 2>&1 &&
        echo "upstream_model: temp_model01 against PyTorch: $(cat "$T/fw.out")" ||
        { fail "temp_model01: predictions differ from PyTorch's forward pass"; cat "$T/fw.out"; }
else
    echo "upstream_model: python3-torch is not installed: the PyTorch forward pass skipped"
fi

# an experiment from Ludwig's weights: the model it saves has Ludwig's tensor names and shapes
"$LUDWIG_C" experiment --config test-data/temperature_config.yml --dataset "$D" --model_load_path "$M" \
    --output_directory "$T/x" --random_seed 42 --threads 2 >"$T/x.log" 2>&1 ||
    { fail "experiment --model_load_path temp_model01"; cat "$T/x.log"; }
$PY - "$M/model_weights" "$T/x/experiment_run/model/model_weights" <<'PYEOF' || fail "model_load_path: names or shapes differ from Ludwig's"
import sys
sys.path.insert(0, "tests/e2e/lib")
from weights import tensors
a = {k: v[0] for k, v in tensors(sys.argv[1]).items()}
b = {k: v[0] for k, v in tensors(sys.argv[2]).items()}
assert a == b, (a, b)
print("upstream_model: an experiment from temp_model01 saves Ludwig's %d tensors, same names and shapes" % len(a))
PYEOF

# defaults: every Ludwig type (audio, h3 and sequence too), a non-default encoder for timeseries
cat >"$T/defaults.yaml" <<'YAML'
input_features:
  - {name: temperature_feature, type: timeseries}
output_features:
  - {name: temperature, type: number}
defaults:
  timeseries: {encoder: {type: rnn, cell_type: gru, state_size: 8}}
  text: {preprocessing: {most_common: 100}, encoder: {type: rnn}, decoder: {type: generator}}
  audio: {preprocessing: {type: fbank}}
  h3: {encoder: {type: embed}}
  sequence: {encoder: {type: embed}}
  image: {encoder: {type: resnet}}
trainer: {epochs: 1}
YAML
"$LUDWIG_C" experiment --config "$T/defaults.yaml" --dataset "$D" --output_directory "$T/d" \
    --threads 2 >"$T/d.log" 2>&1 || { fail "defaults: all types"; cat "$T/d.log"; }
$PY - "$T/d/experiment_run/model/model_hyperparameters.json" <<'PYEOF' || fail "defaults: saved config"
import json, sys
c = json.load(open(sys.argv[1]))
e = c["input_features"][0]["encoder"]
assert (e["type"], e["cell_type"], e["state_size"]) == ("rnn", "gru", 8), e
d = c["defaults"]
assert d["timeseries"]["encoder"]["type"] == "rnn" and d["text"]["preprocessing"]["most_common"] == 100
assert d["audio"] == {"preprocessing": {"type": "fbank"}} and d["image"]["encoder"] == {"type": "resnet"}
assert list(d) == sorted(d), list(d)
PYEOF
refused() { # YAML-DEFAULTS MESSAGE
    printf 'input_features:\n  - {name: temperature_feature, type: timeseries}\noutput_features:\n  - {name: temperature, type: number}\ndefaults:\n%s\n' "$1" >"$T/bad.yaml"
    set +e
    "$LUDWIG_C" experiment --config "$T/bad.yaml" --dataset "$D" --output_directory "$T/bad" >"$T/bad.out" 2>"$T/bad.err"
    rc=$?
    set -e
    [ "$rc" = 1 ] && grep -qF "$2" "$T/bad.err" || { fail "defaults refused: want '$2', exit $rc"; cat "$T/bad.err"; }
}
refused "  txt: {encoder: {type: rnn}}" "bad.yaml:6:3: defaults.txt: 'txt' is not a Ludwig feature type; did you mean 'text'?"
refused "  bag: {decoder: {type: classifier}}" "defaults.bag: unknown key 'decoder' (a bag feature's defaults take preprocessing, encoder)"
refused "  text: {preprocessing: {most_comon: 5}}" "unknown key 'most_comon'"
refused "  timeseries: {encoder: {type: rnn, cell_typ: gru}}" "unknown key 'cell_typ'"
refused "  timeseries: {encoder: {type: bert}}" "bad.yaml: input_features[0].encoder: encoder 'bert' (from defaults.timeseries.encoder) is not supported by ludwig-c for timeseries features yet (supported: parallel_cnn,rnn,dense"

[ "$fails" = 0 ] && echo "upstream_model: ok"
exit "$fails"
