#!/bin/sh
# The image `_vit_legacy` encoder (HuggingFace's ViTModel as Ludwig's ViTEncoder builds it) end to
# end on test-data's MNIST subset (120 digits), through the image feature's own preprocessing:
#  - a small ViTConfig from scratch (use_pretrained: false; 28x28 digits resized to 32x32 as
#    preprocessing says, patch 8, hidden 32, 2 layers, 4 heads, the default dropouts 0.1): trains;
#    model_weights holds the ViTModel's tensors under Ludwig's names
#    (encoder_obj.transformer.module.embeddings.cls_token (1, 1, 32), position_embeddings
#    (1, 17, 32), the patch projection (32, 1, 8, 8), query/key/value, the pooler);
#    model_hyperparameters.json says saved_weights_in_checkpoint: true with the image's size;
#    predict reloads it and reproduces the experiment's test predictions;
#  - preprocessing 32 x 40: squared to 32 x 32 (Ludwig's requires_equal_dimensions);
#  - trainable: false: the image made 224 x 224 (ViTConfig.set_fixed_preprocessing_params);
#  - use_pretrained: the default google/vit-base-patch16-224 missing from the hub cache named with
#    how to fill it; a small ViT in a hub cache (HF_HOME; model.safetensors of a
#    ViTForImageClassification, config.json's architecture), frozen: model_weights holds its
#    tensors bit for bit and an initialised pooler; 1-channel images refused for its 3;
#  - refused with the position of the key: hidden_size not a multiple of num_attention_heads,
#    encoder height and width that differ, an unknown hidden_act, a dropout above 1.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3
D=$(pwd)/test-data
. tests/e2e/lib/expect.sh
fail() { echo "FAIL vit_legacy: $*"; fails=$((fails + 1)); }
unset TRANSFORMERS_CACHE HF_HUB_CACHE HUGGINGFACE_HUB_CACHE

cfg() { # NAME EXTRA-ENCODER-LINES [PREPROCESSING-LINES]
    printf 'input_features:\n  - name: image_path\n    type: image\n    encoder:\n      type: _vit_legacy\n%s\n%b\noutput_features:\n  - name: label\n    type: category\ntrainer:\n  epochs: 2\n  batch_size: 16\n' "$2" "${3:-    preprocessing:\n      height: 32\n      width: 32}" > "$T/$1.yaml"
}
DATA="--dataset $D/mnist_subset.csv --raw_data $D/mnist_subset.zip"
SMALL="      use_pretrained: false
      patch_size: 8
      hidden_size: 32
      num_hidden_layers: 2
      num_attention_heads: 4
      intermediate_size: 64"

cfg scratch "$SMALL"
expect scratch 0 "input 1x32x32" -- --config "$T/scratch.yaml" $DATA
R="$T/out-scratch/experiment_run"
if $PY -c 'import torch' 2>/dev/null; then
    $PY - "$R/model/model_weights" <<'PYEOF' || fail "model_weights names"
import sys, torch
w = torch.load(sys.argv[1], weights_only=True)
p = "input_features.module_dict.image_path__ludwig.encoder_obj.transformer.module."
want = {"embeddings.cls_token": (1, 1, 32), "embeddings.position_embeddings": (1, 17, 32),
        "embeddings.patch_embeddings.projection.weight": (32, 1, 8, 8),
        "encoder.layer.0.attention.attention.query.weight": (32, 32),
        "encoder.layer.1.attention.attention.value.bias": (32,),
        "encoder.layer.1.attention.output.dense.weight": (32, 32),
        "encoder.layer.1.intermediate.dense.weight": (64, 32),
        "encoder.layer.1.output.dense.weight": (32, 64),
        "encoder.layer.1.layernorm_after.bias": (32,), "layernorm.weight": (32,),
        "pooler.dense.weight": (32, 32)}
bad = [k for k, s in want.items() if p + k not in w or tuple(w[p + k].shape) != s]
enc = [n for n in w if n.startswith(p)]
assert not bad and len(enc) == 4 + 2 * 16 + 4, (bad, len(enc))
print(f"vit_legacy: model_weights holds the ViTModel's {len(enc)} tensors under Ludwig's names")
PYEOF
fi
grep -q '"saved_weights_in_checkpoint": true' "$R/model/model_hyperparameters.json" ||
    fail "model_hyperparameters.json does not say saved_weights_in_checkpoint: true"
grep -q '"height": 32' "$R/model/model_hyperparameters.json" ||
    fail "model_hyperparameters.json does not give the encoder the image's height"
set +e
"$LUDWIG_C" predict --model_path "$R/model" --dataset "$D/mnist_subset.csv" --raw_data "$D/mnist_subset.zip" \
    --split test --output_directory "$T/pred" --threads 2 > "$T/pred.log" 2>&1 || { cat "$T/pred.log"; fail "predict"; }
set -e
cmp -s "$R/predictions_parquet.csv" "$T/pred/predictions_parquet.csv" ||
    fail "predict's test predictions differ from the experiment's"

cfg rect "$SMALL" "    preprocessing:\n      height: 32\n      width: 40"
expect rect 0 "input 1x32x32" -- --config "$T/rect.yaml" $DATA

cfg frozen "$SMALL
      trainable: false
      num_hidden_layers: 1" "    preprocessing:\n      num_channels: 1"
sed -i '/num_hidden_layers: 2/d' "$T/frozen.yaml"
expect frozen 0 "input 1x224x224" -- --config "$T/frozen.yaml" $DATA

# use_pretrained: HuggingFace's hub cache (HF_HOME), never downloaded
cfg pre "      use_pretrained: true"
export HF_HOME="$T/empty"
expect pretrained_missing 2 "input feature 'image_path': encoder _vit_legacy with use_pretrained: true needs HuggingFace's google/vit-base-patch16-224 from the local cache, and $T/empty/hub/models--google--vit-base-patch16-224/refs/main is not there" -- --config "$T/pre.yaml" $DATA
grep -q "huggingface-cli download google/vit-base-patch16-224" "$T/pretrained_missing.err" || fail "the hint does not say how to fill the cache"
if $PY -c 'import torch, PIL' 2>/dev/null; then
    $PY - "$T/hf/hub" <<'PYEOF'
import sys
sys.path.insert(0, "tests")
import torch
from gen_vit_legacy import ViTModel, hf_cache
torch.manual_seed(3)
m = ViTModel(3, 224, 32, 32, 1, 4, 64, "gelu_new", 1e-6)
cfg = {"model_type": "vit", "hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 4,
       "intermediate_size": 64, "hidden_act": "gelu_new", "image_size": 224, "patch_size": 32,
       "num_channels": 3, "layer_norm_eps": 1e-6, "hidden_dropout_prob": 0.0,
       "attention_probs_dropout_prob": 0.0, "qkv_bias": True}
hf_cache(sys.argv[1], "test-org/tiny-vit", "r1", m, cfg, "safetensors")
PYEOF
    cfg hf "      pretrained_model: test-org/tiny-vit
      trainable: false" "    preprocessing:\n      num_channels: 3"
    export HF_HOME="$T/hf"
    expect pretrained 0 "_vit_legacy weights from $T/hf/hub/models--test-org--tiny-vit/snapshots/r1/model.safetensors (frozen" -- --config "$T/hf.yaml" $DATA
    grep -q "input 3x224x224" "$T/pretrained.err" || fail "pretrained: not 224x224 with 3 channels"
    $PY - "$T/hf/hub/models--test-org--tiny-vit/snapshots/r1/model.safetensors" "$T/out-pretrained/experiment_run/model/model_weights" <<'PYEOF' || fail "pretrained weights"
import json, struct, sys, torch
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
head, data = json.loads(raw[8:8 + n]), raw[8 + n:]
lw = torch.load(sys.argv[2], weights_only=True)
p = "input_features.module_dict.image_path__ludwig.encoder_obj.transformer.module."
same = 0
for k, v in head.items():
    if not k.startswith("vit."):
        continue
    a, b = v["data_offsets"]
    t = torch.frombuffer(bytearray(data[a:b]), dtype=torch.float32).view(v["shape"])
    assert torch.equal(t, lw[p + k[4:]]), k
    same += 1
enc = [k for k in lw if k.startswith(p)]
assert same == len(enc) - 2 and p + "pooler.dense.weight" in lw, (same, len(enc))
print(f"vit_legacy: pretrained and frozen: the {same} tensors of the hub cache's model.safetensors bit for bit in model_weights, the pooler initialised")
PYEOF
    cfg hf1 "      pretrained_model: test-org/tiny-vit"
    expect pretrained_channels 1 "the pretrained ViT takes 3-channel 224x224 images (its config.json), the images are 1-channel 224x224" -- --config "$T/hf1.yaml" $DATA
else
    echo "vit_legacy: note: Debian's python3-torch is not installed: the pretrained case is skipped"
fi
cfg heads "$SMALL
      num_attention_heads: 5"
sed -i '0,/num_attention_heads: 4/{/num_attention_heads: 4/d}' "$T/heads.yaml"
expect heads 1 "heads.yaml:8:20: input feature 'image_path': encoder.hidden_size 32 is not a multiple of num_attention_heads 5" -- --config "$T/heads.yaml" $DATA
cfg hw "$SMALL
      height: 32
      width: 48"
expect height_width 1 "hw.yaml:13:14: input feature 'image_path': encoder height 32 and width 48 differ" -- --config "$T/hw.yaml" $DATA
cfg act "$SMALL
      hidden_act: swish"
expect hidden_act 1 "act.yaml:12:19: input_features[0].encoder.hidden_act" -- --config "$T/act.yaml" $DATA
cfg drop "$SMALL
      hidden_dropout_prob: 1.5"
expect dropout 1 "drop.yaml:12:28: input_features[0].encoder.hidden_dropout_prob" -- --config "$T/drop.yaml" $DATA
unset HF_HOME
[ $fails -eq 0 ] || exit 1
echo "test_vit_legacy: ok ($n cases)"
