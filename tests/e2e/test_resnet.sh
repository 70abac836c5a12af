#!/bin/sh
# The image `resnet` encoder end to end (issue 16) on test-data's MNIST subset (120 digits, 84 for
# training), through torchvision's preprocessing (ResizeChannels(3), resize to 256, 224 crop,
# ImageNet normalisation):
#  - from scratch (use_pretrained: false): trains, saves Ludwig's tensor names
#    (encoder_obj.model.conv1.weight, layer4.1.bn2.running_var, ...) and no fc; predict reloads it
#    and reproduces the experiment's test predictions;
#  - use_pretrained: true without the file in torchvision's cache: refused naming the file, the
#    directory and where to get it, nothing written; model_variant 19 refused with its line;
#  - pretrained and frozen (trainable: false), with augmentation (through uint8 and back to the
#    ImageNet-normalised floats) and AdamW's weight decay, the weights file made by Debian's torchvision (random weights,
#    TORCH_HOME): the backbone's parameters in model_weights are the file's, bit for bit, while
#    its batch norms' running statistics moved (torch keeps updating them in train mode; Ludwig
#    only sets requires_grad), and the head trained; resnet34's file under resnet18's name is
#    refused naming the tensor. Skipped without torchvision.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3
D=$(pwd)/test-data
. tests/e2e/lib/expect.sh
fail() { echo "FAIL resnet: $*"; fails=$((fails + 1)); }

cfg() { # NAME EXTRA-ENCODER-LINES
    printf 'input_features:\n  - name: image_path\n    type: image\n    encoder:\n      type: resnet\n      model_variant: 18\n%s\noutput_features:\n  - name: label\n    type: category\ntrainer:\n  epochs: 1\n  batch_size: 16\n' "$2" > "$T/$1.yaml"
}
DATA="--dataset $D/mnist_subset.csv --raw_data $D/mnist_subset.zip"

# from scratch
cfg scratch "      use_pretrained: false"
expect scratch 0 "input 3x224x224" -- --config "$T/scratch.yaml" $DATA
R="$T/out-scratch/experiment_run"
if $PY -c 'import torch' 2>/dev/null; then
    $PY - "$R/model/model_weights" <<'PYEOF' || fail "model_weights names"
import sys, torch
names = list(torch.load(sys.argv[1], weights_only=True).keys())
p = "input_features.module_dict.image_path__ludwig.encoder_obj.model."
want = [p + "conv1.weight", p + "bn1.running_mean", p + "layer4.1.bn2.running_var",
        p + "layer2.0.downsample.0.weight", p + "layer4.1.bn2.num_batches_tracked"]
miss = [w for w in want if w not in names]
fc = [n for n in names if n.startswith(p + "fc.")]
enc = [n for n in names if n.startswith(p)]
assert not miss and not fc and len(enc) == 120, (miss, fc, len(enc))
print("resnet: model_weights holds the backbone's 120 tensors (torchvision's 122 less fc) under Ludwig's names, no fc")
PYEOF
fi
grep -q '"type": "resnet"' "$R/model/model_hyperparameters.json" || fail "hyperparameters lack the resnet encoder"
# Ludwig's set_saved_weights_in_checkpoint_flag: the saved config says the weights are the model's
grep -q '"saved_weights_in_checkpoint": true' "$R/model/model_hyperparameters.json" ||
    fail "model_hyperparameters.json does not say saved_weights_in_checkpoint: true"
set +e
"$LUDWIG_C" predict --model_path "$R/model" --dataset "$D/mnist_subset.csv" --raw_data "$D/mnist_subset.zip" \
    --split test --output_directory "$T/pred" --threads 2 > "$T/pred.log" 2>&1 || { cat "$T/pred.log"; fail "predict"; }
set -e
cmp -s "$R/predictions_parquet.csv" "$T/pred/predictions_parquet.csv" ||
    fail "predict's test predictions differ from the experiment's"

# refusals
cfg missing "      use_pretrained: true
      model_cache_dir: $T/nocache"
expect missing 2 "resnet18-f37072fd.pth" -- --config "$T/missing.yaml" $DATA
grep -q "$T/nocache/hub/checkpoints/" "$T/missing.err" || fail "the message does not name the cache directory"
grep -q "download.pytorch.org/models/resnet18-f37072fd.pth" "$T/missing.err" || fail "the hint does not say where to get the file"
sed 's/model_variant: 18/model_variant: 19/' "$T/scratch.yaml" > "$T/v19.yaml"
expect variant19 1 "v19.yaml:6:22: input feature 'image_path': encoder.model_variant 19 is not a resnet" -- --config "$T/v19.yaml" $DATA

# pretrained, frozen
if $PY -c 'import torchvision' 2>/dev/null; then
    $PY - "$T/cache/hub/checkpoints/resnet18-f37072fd.pth" <<'PYEOF'
import os, sys, torch, torchvision
torch.manual_seed(3)
m = torchvision.models.resnet18(weights=None)
os.makedirs(os.path.dirname(sys.argv[1]), exist_ok=True)
torch.save(m.state_dict(), sys.argv[1])
PYEOF
    cfg frozen "      use_pretrained: true
      trainable: false
    augmentation: true"
    # with weight decay, which torch.optim applies only to parameters that have a gradient
    printf '  optimizer:\n    type: adamw\n    weight_decay: 0.1\n' >> "$T/frozen.yaml"
    n=$((n + 1))
    TORCH_HOME="$T/cache" "$LUDWIG_C" experiment --config "$T/frozen.yaml" $DATA --output_directory "$T/out-frozen" \
        --threads 2 > "$T/frozen.log" 2>&1 || { cat "$T/frozen.log"; fail "frozen run"; }
    grep -q "resnet 18 weights from $T/cache/hub/checkpoints/resnet18-f37072fd.pth (frozen" "$T/frozen.log" ||
        fail "frozen: the weights' source is not reported"
    $PY - "$T/cache/hub/checkpoints/resnet18-f37072fd.pth" "$T/out-frozen/experiment_run/model/model_weights" <<'PYEOF' || fail "frozen backbone"
import sys, torch
tv = torch.load(sys.argv[1])
lw = torch.load(sys.argv[2], weights_only=True)
p = "input_features.module_dict.image_path__ludwig.encoder_obj.model."
params = [k for k in tv if not k.startswith("fc.") and "running" not in k and "num_batches" not in k]
same = all(torch.equal(tv[k], lw[p + k]) for k in params)
moved = sum(not torch.equal(tv[k], lw[p + k]) for k in tv if "running_mean" in k)
nbn = sum("running_mean" in k for k in tv)
assert same and moved == nbn, (same, moved, nbn)
print(f"resnet: frozen backbone: its {len(params)} parameter tensors are the pretrained file's bit for bit; "
      f"all {nbn} batch norms' running statistics moved (train mode)")
PYEOF
    # another variant's file under resnet18's name: refused naming a tensor, nothing written
    $PY - "$T/cache34/hub/checkpoints/resnet18-f37072fd.pth" <<'PYEOF'
import os, sys, torch, torchvision
os.makedirs(os.path.dirname(sys.argv[1]), exist_ok=True)
torch.save(torchvision.models.resnet34(weights=None).state_dict(), sys.argv[1])
PYEOF
    cfg wrongfile "      use_pretrained: true
      model_cache_dir: $T/cache34"
    expect wrong_variant_file 1 "holds a tensor 'layer1.2.conv1.weight' that the encoder does not have: is it the file of another model or variant?" -- --config "$T/wrongfile.yaml" $DATA
else
    echo "resnet: note: Debian's python3-torchvision is not installed: the pretrained and frozen case is skipped"
fi
[ $fails -eq 0 ] || exit 1
echo "test_resnet: ok ($n cases)"
