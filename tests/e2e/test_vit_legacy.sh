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
#  - refused with the position of the key: use_pretrained: true (not built), hidden_size not a
#    multiple of num_attention_heads, encoder height and width that differ, an unknown
#    hidden_act, a dropout above 1.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3
D=$(pwd)/test-data
. tests/e2e/lib/expect.sh
fail() { echo "FAIL vit_legacy: $*"; fails=$((fails + 1)); }

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

cfg pre "      use_pretrained: true"
expect pretrained 1 "pre.yaml:6:23: input feature 'image_path': encoder _vit_legacy with use_pretrained: true (HuggingFace's google/vit-base-patch16-224) is not built by ludwig-c yet" -- --config "$T/pre.yaml" $DATA
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
[ $fails -eq 0 ] || exit 1
echo "test_vit_legacy: ok ($n cases)"
