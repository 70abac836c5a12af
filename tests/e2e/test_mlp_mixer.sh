#!/bin/sh
# The image `mlp_mixer` encoder (Ludwig 0.10.3's own MLPMixer, issue 16) end to end on
# test-data's MNIST subset (120 digits of 28x28, one channel, through the feature's own
# preprocessing as stacked_cnn's: no torchvision transform):
#  - refused with the fix named: the default patch_size 16 on the inferred 28x28 images (Ludwig
#    asserts that it divides both sides), a preprocessing width it does not divide (at its
#    line), patch_size 0, dropout 1.5, a misspelt key, avg_pool false without the concat
#    combiner's flatten_inputs; nothing written;
#  - patch_size 7 with dropout: trains, the saved config's encoder height, width and
#    num_channels from the metadata (as Ludwig's update_config_with_metadata), model_weights
#    under Ludwig's names (encoder_obj.mlp_mixer.patch_conv, mixer_blocks.<i>.mlp1.linear1, ...);
#    predict reproduces the experiment's test predictions, on 1 and 2 threads;
#  - with torch: the digits as PNG files (the same pixels for PIL and ludwig-c), avg_pool false
#    with flatten_inputs, a model trained by ludwig-c: its model_weights loaded into the PyTorch
#    module built as Ludwig's MLPMixer (tests/gen_mlp_mixer.py) and the decoder give predict's
#    probabilities for every row.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3
D=$(pwd)/test-data
. tests/e2e/lib/expect.sh
fail() { echo "FAIL mlp_mixer: $*"; fails=$((fails + 1)); }
DATA="--dataset $D/mnist_subset.csv --raw_data $D/mnist_subset.zip"

cfg() { # NAME ENCODER-LINES [LINES BEFORE output_features]
    printf 'input_features:\n  - name: image_path\n    type: image\n    encoder:\n      type: mlp_mixer\n%s\n%soutput_features:\n  - name: label\n    type: category\ntrainer:\n  epochs: 2\n  batch_size: 16\n' "$2" "$3" > "$T/$1.yaml"
}

# refusals
cfg default "      num_layers: 1"
expect default 1 "input feature 'image_path': the mlp_mixer encoder's patch_size 16 does not divide the 28x28 (height x width) images" -- --config "$T/default.yaml" $DATA
grep -q "set the image feature's preprocessing height and width to multiples of 16" "$T/default.err" ||
    fail "the default's message does not say how to fix it"
printf 'input_features:\n  - name: image_path\n    type: image\n    preprocessing:\n      height: 32\n      width: 30\n    encoder:\n      type: mlp_mixer\noutput_features:\n  - name: label\n    type: category\n' > "$T/width.yaml"
expect width 1 "width.yaml:6:14: input feature 'image_path': preprocessing width 30 is not a multiple of the mlp_mixer encoder's patch_size 16" -- --config "$T/width.yaml" $DATA
cfg zero "      patch_size: 0"
expect patch_zero 1 "zero.yaml:6:19: input_features[0].encoder.patch_size: must be >= 1, got 0" -- --config "$T/zero.yaml" $DATA
cfg drop "      dropout: 1.5"
expect dropout 1 "drop.yaml:6:16: input_features[0].encoder.dropout:" -- --config "$T/drop.yaml" $DATA
cfg typo "      patch_sise: 7"
expect typo 1 "typo.yaml:6:7: input_features[0].encoder.patch_sise: unknown key 'patch_sise'; did you mean 'patch_size'?" -- --config "$T/typo.yaml" $DATA
cfg tokens "      patch_size: 7
      avg_pool: false"
expect tokens 1 "tokens.yaml:7:17: input feature 'image_path': encoder.avg_pool false gives every patch's embedding" -- --config "$T/tokens.yaml" $DATA
grep -q "flatten_inputs: true" "$T/tokens.err" || fail "avg_pool false: the message does not name flatten_inputs"

# trains and predicts
cfg train "      patch_size: 7
      embed_size: 32
      token_size: 16
      channel_dim: 24
      num_layers: 2
      dropout: 0.1"
expect train 0 "input 1x28x28" -- --config "$T/train.yaml" $DATA
R="$T/out-train/experiment_run"
$PY - "$R/model/model_hyperparameters.json" <<'PYEOF' || fail "the saved config's encoder"
import json, sys
e = json.load(open(sys.argv[1]))["input_features"][0]["encoder"]
want = {"type": "mlp_mixer", "height": 28, "width": 28, "num_channels": 1, "patch_size": 7,
        "embed_size": 32, "token_size": 16, "channel_dim": 24, "num_layers": 2, "avg_pool": True,
        "dropout": 0.1, "skip": False}
bad = {k: e.get(k) for k in want if e.get(k) != want[k]}
assert not bad and set(e) == set(want), (bad, sorted(e))
print("mlp_mixer: the saved config's encoder holds MLPMixerConfig's keys, height, width and num_channels from the metadata")
PYEOF
for th in 1 2; do
    set +e
    "$LUDWIG_C" predict --model_path "$R/model" $DATA --split test --output_directory "$T/pred$th" \
        --threads $th > "$T/pred$th.log" 2>&1 || { cat "$T/pred$th.log"; fail "predict on $th thread(s)"; }
    set -e
    cmp -s "$R/predictions_parquet.csv" "$T/pred$th/predictions_parquet.csv" ||
        fail "predict's test predictions on $th thread(s) differ from the experiment's"
done
if $PY -c 'import torch, PIL' 2>/dev/null; then
    $PY - "$R/model/model_weights" <<'PYEOF' || fail "model_weights names"
import sys, torch
w = torch.load(sys.argv[1], weights_only=True)
p = "input_features.module_dict.image_path__ludwig.encoder_obj.mlp_mixer."
want = {"patch_conv.weight": (32, 1, 7, 7), "patch_conv.bias": (32,),
        "mixer_blocks.0.mlp1.linear1.weight": (16, 16), "mixer_blocks.0.mlp1.linear2.bias": (16,),
        "mixer_blocks.1.mlp2.linear1.weight": (24, 32), "mixer_blocks.1.mlp2.linear2.weight": (32, 24),
        "mixer_blocks.1.layernorm2.bias": (32,), "layer_norm.weight": (32,)}
bad = [k for k, s in want.items() if p + k not in w or tuple(w[p + k].shape) != s]
enc = [n for n in w if n.startswith(p)]
assert not bad and len(enc) == 28, (bad, len(enc))
print(f"mlp_mixer: model_weights holds the encoder's {len(enc)} tensors under Ludwig's names")
PYEOF

    # the digits as PNG files: ludwig-c's model against the PyTorch reference on the same pixels
    mkdir "$T/png"
    $PY - "$D/mnist_subset.csv" "$D/mnist_subset.zip" "$T/png" <<'PYEOF'
import csv, io, os, sys, zipfile
from PIL import Image
rows = list(csv.DictReader(open(sys.argv[1])))
z = zipfile.ZipFile(sys.argv[2])
with open(os.path.join(sys.argv[3], "digits.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["image_path", "label", "split"])
    for i, r in enumerate(rows):
        name = f"d{i:03d}.png"
        Image.open(io.BytesIO(z.read(r["image_path"]))).convert("L").save(os.path.join(sys.argv[3], name))
        w.writerow([name, r["label"], r["split"]])
PYEOF
    cfg ref "      patch_size: 14
      embed_size: 16
      token_size: 12
      channel_dim: 8
      num_layers: 2
      avg_pool: false" "combiner:
  type: concat
  flatten_inputs: true
"
    expect ref 0 "input 1x28x28" -- --config "$T/ref.yaml" --dataset "$T/png/digits.csv"
    R="$T/out-ref/experiment_run"
    set +e
    "$LUDWIG_C" predict --model_path "$R/model" --dataset "$T/png/digits.csv" --output_directory "$T/predref" \
        --threads 2 > "$T/predref.log" 2>&1 || { cat "$T/predref.log"; fail "predict (png)"; }
    set -e
    $PY - "$R/model" "$T/png" "$T/predref/predictions_parquet.csv" "$(pwd)/tests" <<'PYEOF' || fail "predict's probabilities differ from the PyTorch reference's"
import csv, json, os, sys
import numpy as np, torch
from PIL import Image
sys.path.insert(0, sys.argv[4])
from gen_mlp_mixer import Mixer
mdir, pdir, preds = sys.argv[1:4]
e = json.load(open(os.path.join(mdir, "model_hyperparameters.json")))["input_features"][0]["encoder"]
w = torch.load(os.path.join(mdir, "model_weights"), weights_only=True)
p = "input_features.module_dict.image_path__ludwig.encoder_obj.mlp_mixer."
m = Mixer(e["num_channels"], e["height"], e["width"], e["patch_size"], e["embed_size"],
          e["token_size"], e["channel_dim"], e["num_layers"], e["dropout"], e["avg_pool"])
m.load_state_dict({k[len(p):]: v for k, v in w.items() if k.startswith(p)}, strict=True)
m.eval()
dec = "output_features.module_dict.label__ludwig.decoder_obj.dense.dense."
extra = [k for k in w if not k.startswith(p) and not k.startswith(dec)]
assert not extra, extra  # concat with no fc layers: the flattened tokens go to the decoder
rows = list(csv.DictReader(open(os.path.join(pdir, "digits.csv"))))
x = torch.stack([torch.tensor(np.asarray(Image.open(os.path.join(pdir, r["image_path"]))),
                              dtype=torch.float32)[None] / 255.0 for r in rows])
with torch.no_grad():
    enc = m(x).reshape(len(rows), -1)
    prob = torch.softmax(enc @ w[dec + "weight"].T + w[dec + "bias"], dim=1)
idx2str = json.load(open(os.path.join(mdir, "training_set_metadata.json")))["label"]["idx2str"]
got = list(csv.DictReader(open(preds)))
assert len(got) == len(rows), (len(got), len(rows))
gp = torch.tensor([[float(r["label_probabilities_" + c]) for c in idx2str] for r in got])
d = (gp - prob).abs().max().item()
agree = sum(r["label_predictions"] == idx2str[int(k)] for r, k in zip(got, prob.argmax(1)))
assert d <= 1e-5 and agree == len(rows), (d, agree)
print(f"mlp_mixer: predict's probabilities on {len(rows)} digits within {d:.2g} of the PyTorch reference's (avg_pool false, {enc.shape[1]} values per digit), every prediction the same")
PYEOF
else
    echo "note: torch or PIL missing: the model_weights names and the reference comparison are skipped"
fi

[ "$fails" = 0 ] || { echo "mlp_mixer: $fails of $n failed"; exit 1; }
echo "mlp_mixer: $n cases passed"
