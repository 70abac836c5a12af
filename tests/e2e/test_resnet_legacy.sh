#!/bin/sh
# The image `_resnet_legacy` encoder (Ludwig's own ResNet) end to end on test-data's MNIST subset
# (120 grey 28x28 digits, 84 for training), through the image feature's own preprocessing (no
# torchvision transform: 1 channel, 28x28, pixels / 255):
#  - the legacy spelling `type: resnet` with resnet_size 8 is upgraded to _resnet_legacy (noted),
#    trains, and saves model_hyperparameters.json with ResNetConfig's keys and the image's
#    height, width and num_channels; model_weights holds Ludwig's names, and loads strictly
#    (every name and shape, num_batches_tracked included) into tests/gen_resnet_legacy.py's
#    PyTorch module (skipped without torch); predict reloads the model and reproduces the test
#    predictions;
#  - resnet_size 50 (bottlenecks) with a first max pooling and conv_stride 2 trains one epoch;
#  - refusals with file:line:col and nothing written: resnet_size 19, an even kernel_size at
#    conv_stride 1, first_pool_kernel_size without first_pool_stride, a list kernel_size.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3
D=$(pwd)/test-data
. tests/e2e/lib/expect.sh
fail() { echo "FAIL resnet_legacy: $*"; fails=$((fails + 1)); }

cfg() { # NAME ENCODER-LINES
    printf 'input_features:\n  - name: image_path\n    type: image\n    encoder:\n%s\noutput_features:\n  - name: label\n    type: category\ntrainer:\n  epochs: 1\n  batch_size: 16\n' "$2" > "$T/$1.yaml"
}
DATA="--dataset $D/mnist_subset.csv --raw_data $D/mnist_subset.zip"

cfg rl8 "      type: resnet
      resnet_size: 8
      out_channels: 4
      output_size: 16"
expect rl8 0 "type 'resnet' given the legacy parameter 'resnet_size' renamed to '_resnet_legacy'" -- --config "$T/rl8.yaml" $DATA
R="$T/out-rl8/experiment_run"
grep -q "input 1x28x28" "$T/rl8.err" || fail "the model's input is not the digits' 1x28x28"
$PY - "$R/model/model_hyperparameters.json" <<'PYEOF' || fail "model_hyperparameters.json"
import json, sys
e = json.load(open(sys.argv[1]))["input_features"][0]["encoder"]
want = {"type": "_resnet_legacy", "resnet_size": 8, "out_channels": 4, "output_size": 16,
        "height": 28, "width": 28, "num_channels": 1, "kernel_size": 3, "conv_stride": 1,
        "first_pool_kernel_size": None, "first_pool_stride": None, "batch_norm_momentum": 0.9,
        "batch_norm_epsilon": 0.001, "num_fc_layers": 1, "activation": "relu"}
bad = {k: e.get(k) for k in want if e.get(k) != want[k]}
assert not bad and "saved_weights_in_checkpoint" not in e, bad
PYEOF
if $PY -c 'import torch' 2>/dev/null; then
    $PY - "$R/model/model_weights" <<'PYEOF' || fail "model_weights against the PyTorch module"
import sys, torch
sys.path.insert(0, "tests")
import gen_resnet_legacy as G
sd = torch.load(sys.argv[1], weights_only=True)
p = "input_features.module_dict.image_path__ludwig.encoder_obj."
enc_sd = {k[len(p):]: v for k, v in sd.items() if k.startswith(p)}
enc = G.Encoder(1, 8, 4, 3, 1, 0, 0, 0.9, 0.001, 16)
enc.load_state_dict(enc_sd, strict=True)  # every name and shape, both ways
assert "resnet.layers.3.layers.0.projection_shortcut.layers.0.weight" in enc_sd
assert "resnet.layers.5.layers.1.norm2.num_batches_tracked" in enc_sd
print(f"resnet_legacy: model_weights' {len(enc_sd)} encoder tensors load strictly into Ludwig's module tree")
PYEOF
fi
grep -q '"type": "_resnet_legacy"' "$R/model/model_hyperparameters.json" || fail "hyperparameters lack the encoder"
set +e
"$LUDWIG_C" predict --model_path "$R/model" $DATA --split test --output_directory "$T/pred" \
    --threads 2 > "$T/pred.log" 2>&1 || { cat "$T/pred.log"; fail "predict"; }
set -e
cmp -s "$R/predictions_parquet.csv" "$T/pred/predictions_parquet.csv" ||
    fail "predict's test predictions differ from the experiment's"

# bottlenecks, the first max pooling, a strided first convolution
cfg rl50 "      type: _resnet_legacy
      resnet_size: 50
      out_channels: 2
      kernel_size: 5
      conv_stride: 2
      first_pool_kernel_size: 3
      first_pool_stride: 2
      output_size: 8"
expect rl50 0 "input 1x28x28" -- --config "$T/rl50.yaml" $DATA

# refusals
cfg size19 "      type: _resnet_legacy
      resnet_size: 19"
expect size19 1 "size19.yaml:6:20: input feature 'image_path': encoder.resnet_size 19 is not a size Ludwig builds (8, 14, 18, 34, 50, 101, 152 or 200)" -- --config "$T/size19.yaml" $DATA
cfg even "      type: _resnet_legacy
      resnet_size: 8
      kernel_size: 4"
expect even_kernel 1 "even.yaml:7:20: input feature 'image_path': encoder.kernel_size 4 with conv_stride 1" -- --config "$T/even.yaml" $DATA
cfg nostride "      type: _resnet_legacy
      resnet_size: 8
      first_pool_kernel_size: 3"
expect pool_no_stride 1 "nostride.yaml:7:31: input feature 'image_path': encoder.first_pool_kernel_size needs first_pool_stride too" -- --config "$T/nostride.yaml" $DATA
cfg klist "      type: _resnet_legacy
      kernel_size: [3, 3]"
expect kernel_list 1 "klist.yaml:6:20:" -- --config "$T/klist.yaml" $DATA
[ $fails -eq 0 ] || exit 1
echo "test_resnet_legacy: ok ($n cases)"
