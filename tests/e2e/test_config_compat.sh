#!/bin/sh
# Older config styles Ludwig 0.10.3 upgrades (and keys it drops) run here too: each change is one
# note on stderr, and model_hyperparameters.json holds the upgraded config as Ludwig writes it.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
LUDWIG_C=${LUDWIG_C:-build/ludwig-c}
TB=$(pwd)/test-data/tabular
fails=0
cat > "$T/legacy.yaml" <<'YAML'
input_features:
  - name: mean_radius
    type: numerical
  - name: mean_texture
    type: number
    encoder: dense
    num_layers: 2
    output_size: 8
output_features:
  - name: diagnosis
    type: binary
    fc_layers: [{output_size: 16}]
combiner: {type: concat, fc_size: 32}
training:
  epochs: 2
  learning_rate: auto
  decay: true
preprocessing:
  force_split: false
  split_probabilities: [0.7, 0.1, 0.2]
  num_processes: 2
YAML
if ! "$LUDWIG_C" experiment --config "$T/legacy.yaml" --dataset "$TB/breast_cancer.csv" \
        --output_directory "$T/out" --threads 1 > "$T/log" 2>&1; then
    echo "FAIL legacy config: did not run"; cat "$T/log"; fails=$((fails + 1))
fi
for note in \
    "legacy.yaml:14:1: 'training' renamed to 'trainer' (as Ludwig 0.10.3 does)" \
    "input_features[0]: feature type 'numerical' renamed to 'number'" \
    "'input_features[1].encoder: dense' written as 'encoder: {type: dense}'" \
    "'input_features[1].num_layers' moved to 'input_features[1].encoder.num_layers'" \
    "'output_features[0].fc_layers' moved to 'output_features[0].decoder.fc_layers'" \
    "'trainer.decay' moved to 'trainer.learning_rate_scheduler.decay', its value true written as exponential" \
    "'combiner.fc_size' removed" \
    "preprocessing.num_processes: not a setting in Ludwig 0.10.3, which drops it with a warning" \
    "trainer.learning_rate: auto is 0.001"; do
    if ! grep -qF -- "$note" "$T/log"; then
        echo "FAIL legacy config: no note '$note'"; fails=$((fails + 1))
    fi
done
H="$T/out/experiment_run/model/model_hyperparameters.json"
/usr/bin/python3 - "$H" <<'PY' || fails=$((fails + 1))
import json, sys
h = json.load(open(sys.argv[1]))
enc = h["input_features"][1]["encoder"]
assert h["input_features"][0]["type"] == "number", h["input_features"][0]["type"]
assert enc["type"] == "dense" and enc["num_layers"] == 2 and enc["output_size"] == 8, enc
assert h["output_features"][0]["decoder"]["fc_layers"] == [{"output_size": 16}], h["output_features"][0]["decoder"]
assert h["trainer"]["learning_rate_scheduler"]["decay"] == "exponential", h["trainer"]["learning_rate_scheduler"]
assert h["trainer"]["learning_rate"] == "auto"
assert h["preprocessing"]["split"] == {"type": "random", "probabilities": [0.7, 0.1, 0.2]}, h["preprocessing"]["split"]
assert "num_processes" not in h["preprocessing"] and "fc_size" not in h["combiner"]
assert h["model_type"] == "ecd" and h["backend"] is None
PY
[ $fails -eq 0 ] && echo "test_config_compat: ok"
exit $fails
