#!/bin/sh
# Image augmentation (issue 16), Ludwig's ImageAugmentation: per training batch, each operation
# applied to the whole batch with probability 0.5 and one value (angle, factor) for the batch,
# on the images as uint8 and back (lib/io/augment.c, checked against torchvision's functions by
# tests/unit/test_augment.c). On test-data's MNIST subset with the tutorial's stacked_cnn:
#  - the six operations trained on 1 and on 2 threads give byte-identical model_weights (the
#    batches are a function of the seed and the step alone), and other weights than the same run
#    without augmentation (the batches differ from the unaugmented ones);
#  - the same seed gives the same weights again; another seed other weights;
#  - `augmentation: true` is Ludwig's default list in model_hyperparameters.json (a horizontal
#    flip, a 15-degree rotation), and every operation's parameters are filled in;
#  - defaults.image.augmentation trains as the same list on the feature; the feature's own wins;
#  - evaluation and predict never augment: predict reproduces the experiment's test predictions;
#  - auto_augmentation (lib/io/autoaug.c, checked against torchvision by tests/unit/test_autoaug.c)
#    with each method trains to byte-identical weights on 1 and 2 threads, other weights than
#    without augmentation and than each other; `method` defaults to trivial_augment in
#    model_hyperparameters.json;
#  - an unknown operation or auto_augmentation method, an even blur kernel, min above max, a
#    brightness after auto_augmentation are refused with their line, a blur kernel too large for
#    the images before training; nothing written.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D=$(pwd)/test-data
. tests/e2e/lib/expect.sh
fail() { echo "FAIL augment: $*"; fails=$((fails + 1)); }
DATA="--dataset $D/mnist_subset.csv --raw_data $D/mnist_subset.zip"

cfg() { # NAME AUGMENTATION-LINES
    printf 'input_features:\n  - name: image_path\n    type: image\n    encoder:\n      type: stacked_cnn\n      conv_layers:\n        - {num_filters: 8, filter_size: 3, pool_size: 2}\n      fc_layers:\n        - {output_size: 32}\n%s\noutput_features:\n  - name: label\n    type: category\ntrainer:\n  epochs: 3\n  batch_size: 16\n' "$2" > "$T/$1.yaml"
}
run() { # NAME CONFIG THREADS [ARGS...]
    name=$1 c=$2 th=$3
    shift 3
    n=$((n + 1))
    "$LUDWIG_C" experiment --config "$T/$c.yaml" $DATA --output_directory "$T/o-$name" --threads "$th" "$@" \
        > "$T/$name.log" 2>&1 || { cat "$T/$name.log"; fail "$name did not train"; }
}
W=experiment_run/model/model_weights
cfg plain ""
cfg all "    augmentation:
      - type: random_horizontal_flip
      - type: random_vertical_flip
      - {type: random_rotate, degree: 30}
      - {type: random_blur, kernel_size: 3}
      - {type: random_brightness, min: 0.6, max: 1.4}
      - {type: random_contrast, min: 0.6, max: 1.4}"
run plain plain 1
run aug1 all 1
run aug2 all 2
run aug1b all 1
run aug_seed all 1 --random_seed 7
cmp -s "$T/o-aug1/$W" "$T/o-aug2/$W" || fail "augmented training differs between 1 and 2 threads"
cmp -s "$T/o-aug1/$W" "$T/o-aug1b/$W" || fail "augmented training is not reproducible"
cmp -s "$T/o-plain/$W" "$T/o-aug1/$W" && fail "augmentation changed nothing"
cmp -s "$T/o-aug1/$W" "$T/o-aug_seed/$W" && fail "another seed gave the same augmented weights"
set +e
"$LUDWIG_C" predict --model_path "$T/o-aug1/experiment_run/model" --dataset "$D/mnist_subset.csv" \
    --raw_data "$D/mnist_subset.zip" --split test --output_directory "$T/pred" --threads 2 > "$T/pred.log" 2>&1 ||
    { cat "$T/pred.log"; fail "predict"; }
set -e
cmp -s "$T/o-aug1/experiment_run/predictions_parquet.csv" "$T/pred/predictions_parquet.csv" ||
    fail "predict's test predictions differ from the experiment's (evaluation must not augment)"

cfg dflt "    augmentation: true"
run dflt dflt 2
/usr/bin/python3 - "$T/o-dflt/experiment_run/model/model_hyperparameters.json" "$T/o-aug1/experiment_run/model/model_hyperparameters.json" <<'PYEOF' || fail "model_hyperparameters' augmentation"
import json, sys
a = json.load(open(sys.argv[1]))["input_features"][0]["augmentation"]
assert a == [{"type": "random_horizontal_flip"}, {"type": "random_rotate", "degree": 15}], a
b = json.load(open(sys.argv[2]))["input_features"][0]["augmentation"]
assert [o["type"] for o in b] == ["random_horizontal_flip", "random_vertical_flip", "random_rotate",
                                  "random_blur", "random_brightness", "random_contrast"], b
assert b[2]["degree"] == 30 and b[3]["kernel_size"] == 3 and b[4] == {"type": "random_brightness", "min": 0.6, "max": 1.4}, b
print("augment: `augmentation: true` is Ludwig's default list; each operation's parameters are written")
PYEOF

# defaults.image.augmentation: each image input without its own takes it (Ludwig's
# merge_with_defaults), so the list given there trains as given on the feature; a feature's own
# augmentation (false here) wins
ALL_OPS=$(sed -n '/^    augmentation:$/,/^output_features:/p' "$T/all.yaml" | sed '1d;$d' | sed 's/^    /      /')
cfg dall ""
printf 'defaults:\n  image:\n    augmentation:\n%s\n' "$ALL_OPS" >> "$T/dall.yaml"
cfg doff "    augmentation: false"
printf 'defaults:\n  image:\n    augmentation:\n%s\n' "$ALL_OPS" >> "$T/doff.yaml"
run dall dall 1
run doff doff 1
cmp -s "$T/o-aug1/$W" "$T/o-dall/$W" || fail "defaults.image.augmentation did not train as the feature's own"
cmp -s "$T/o-plain/$W" "$T/o-doff/$W" || fail "augmentation: false on the feature did not override the defaults"
/usr/bin/python3 - "$T/o-dall/experiment_run/model/model_hyperparameters.json" <<'PYEOF' || fail "defaults' augmentation in model_hyperparameters"
import json, sys
h = json.load(open(sys.argv[1]))
assert h["input_features"][0]["augmentation"] == h["defaults"]["image"]["augmentation"], h
assert len(h["defaults"]["image"]["augmentation"]) == 6, h["defaults"]["image"]
print("augment: defaults.image.augmentation reaches the feature and is saved filled in")
PYEOF
printf 'defaults:\n  image:\n    augmentation:\n      - {type: random_rotate, degrees: 3}\n' | cat "$T/plain.yaml" - > "$T/dbad.yaml"
expect defaults_bad_key 1 "dbad.yaml:20:40: defaults.image.augmentation[0]: 'degrees' is not a parameter of this operation" -- --config "$T/dbad.yaml" $DATA

# auto_augmentation: Ludwig's AutoAugment on every training batch, one draw per batch
cfg auto_t "    augmentation:
      - type: auto_augmentation"
cfg auto_a "    augmentation:
      - {type: random_horizontal_flip}
      - {type: auto_augmentation, method: auto_augment}"
cfg auto_r "    augmentation:
      - {type: auto_augmentation, method: rand_augment}
      - {type: random_rotate, degree: 10}"
for m in t a r; do
    run "auto_${m}1" "auto_$m" 1
    run "auto_${m}2" "auto_$m" 2
    cmp -s "$T/o-auto_${m}1/$W" "$T/o-auto_${m}2/$W" || fail "auto_augmentation ($m) differs between 1 and 2 threads"
    cmp -s "$T/o-plain/$W" "$T/o-auto_${m}1/$W" && fail "auto_augmentation ($m) changed nothing"
done
cmp -s "$T/o-auto_t1/$W" "$T/o-auto_r1/$W" && fail "trivial_augment and rand_augment trained the same weights"
/usr/bin/python3 - "$T/o-auto_t1/experiment_run/model/model_hyperparameters.json" "$T/o-auto_r1/experiment_run/model/model_hyperparameters.json" <<'PYEOF' || fail "auto_augmentation in model_hyperparameters"
import json, sys
a = json.load(open(sys.argv[1]))["input_features"][0]["augmentation"]
assert a == [{"type": "auto_augmentation", "method": "trivial_augment"}], a
b = json.load(open(sys.argv[2]))["input_features"][0]["augmentation"]
assert b == [{"type": "auto_augmentation", "method": "rand_augment"}, {"type": "random_rotate", "degree": 10}], b
print("augment: auto_augmentation's method (default trivial_augment) is written")
PYEOF
cfg automethod "    augmentation:
      - type: auto_augmentation
        method: trivial"
expect auto_method 1 "automethod.yaml:12:17: auto_augmentation: method 'trivial' is not one of trivial_augment, auto_augment, rand_augment" -- --config "$T/automethod.yaml" $DATA
cfg autonum "    augmentation:
      - {type: auto_augmentation, method: 3}"
expect auto_method_number 1 "autonum.yaml:11:43: input_features[0].augmentation[0].method: expected one of trivial_augment" -- --config "$T/autonum.yaml" $DATA
cfg autobright "    augmentation:
      - {type: auto_augmentation}
      - {type: random_brightness}"
expect auto_then_brightness 1 "autobright.yaml:12:9: random_brightness after auto_augmentation" -- --config "$T/autobright.yaml" $DATA

cfg unknown "    augmentation:
      - type: random_zoom"
expect unknown 1 "unknown.yaml:11:9: input_features[0].augmentation[0]: augmentation type 'random_zoom' is not one of random_horizontal_flip" -- --config "$T/unknown.yaml" $DATA
cfg even "    augmentation:
      - {type: random_blur, kernel_size: 4}"
expect even_kernel 1 "random_blur: kernel_size 4 must be an odd whole number" -- --config "$T/even.yaml" $DATA
cfg minmax "    augmentation:
      - {type: random_contrast, min: 1.5, max: 1.2}"
expect min_above_max 1 "random_contrast: min 1.5, max 1.2: factors must be 0 <= min <= max" -- --config "$T/minmax.yaml" $DATA
printf 'input_features:\n  - name: image_path\n    type: image\n    preprocessing: {height: 12, width: 12}\n    encoder: {conv_layers: [{num_filters: 4, filter_size: 3}]}\n    augmentation:\n      - {type: random_blur, kernel_size: 25}\noutput_features:\n  - name: label\n    type: category\n' > "$T/bigblur.yaml"
expect blur_too_large 1 "random_blur kernel_size 25 is too large for 12x12 images" -- --config "$T/bigblur.yaml" $DATA
[ $fails -eq 0 ] || exit 1
echo "test_augment: ok ($n cases)"
