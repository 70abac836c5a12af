#!/bin/sh
# Issue 18's findings, each refused with exit 1, a message naming the file, key or tensor and what
# is wrong, and nothing left in the output directory: 2-D sizes that are not two integers,
# optimizer settings PyTorch refuses or that turn every weight NaN, and model directories whose
# weights are not finite or whose metadata contradicts itself or the weights.
set -e
[ -n "$DEBUG" ] && set -x
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
LUDWIG_C=${LUDWIG_C:-build/ludwig-c}
. "$(dirname "$0")/lib/expect.sh"
D=$(pwd)/test-data
DS="--dataset $D/mnist_dataset.csv --raw_data $D/mnist_images.zip"
cat > "$T/tiny.yaml" <<'YAML'
input_features:
  - name: image_path
    type: image
    encoder:
      type: stacked_cnn
      conv_layers:
        - num_filters: 4
          kernel_size: 3
          pool_kernel_size: 2
      fc_layers:
        - output_size: 8
preprocessing:
  split:
    type: fixed
    column: split
output_features:
  - name: label
    type: category
trainer:
  epochs: 1
  batch_size: 8
YAML
v() { sed "$2" "$T/tiny.yaml" > "$T/$1.yaml"; }
# runs a command under a 1.5 GB address-space limit (not under AddressSanitizer, whose shadow
# memory is terabytes of address space)
capped() {
    case "$LUDWIG_C" in
    *asan*) "$@" ;;
    *) (ulimit -v 1500000; "$@") ;;
    esac
}
v k_frac 's/kernel_size: 3/kernel_size: [2.5, 3]/'
expect kernel_fraction 1 "k_frac.yaml:8:25: input_features[0].encoder.conv_layers[0].kernel_size[0]: expected an integer, got 2.5" -- --config "$T/k_frac.yaml" $DS
v k_three 's/kernel_size: 3/kernel_size: [3, 3, 3]/'
expect kernel_three 1 "kernel_size: expected an integer or a list of two integers [height, width], got a list of 3" -- --config "$T/k_three.yaml" $DS
v k_empty 's/kernel_size: 3/kernel_size: []/'
expect kernel_empty 1 "kernel_size: expected an integer or a list of two integers [height, width], got a list of 0" -- --config "$T/k_empty.yaml" $DS
v p_three 's/pool_kernel_size: 2/pool_kernel_size: [2, 2, 2]/'
expect pool_three 1 "pool_kernel_size: expected an integer or a list of two integers" -- --config "$T/p_three.yaml" $DS
v k_pair 's/kernel_size: 3/kernel_size: [3, 2]/'
expect kernel_pair 0 "results in" -- --config "$T/k_pair.yaml" $DS
v betas 's/batch_size: 8/batch_size: 8\n  optimizer: {type: adam, betas: [1, 1]}/'
expect betas_one 1 "trainer.optimizer.betas[0]: 1 must be below 1" -- --config "$T/betas.yaml" $DS
v eps0 's/batch_size: 8/batch_size: 8\n  optimizer: {type: adam, eps: 0}/'
expect eps_zero 1 "trainer.optimizer.eps: 0 divides 0 by 0 for every weight whose gradient is 0" -- --config "$T/eps0.yaml" $DS

# augmentation (issue 16, test_augment.sh): its list entries' keys never crash the loader (they
# segfaulted it): as true, as a list, a key an operation does not take; in defaults it is refused
v aug_true 's/type: image/type: image\n    augmentation: true/'
expect augmentation_true 0 "results in" -- --config "$T/aug_true.yaml" $DS
v aug_keys 's/type: image/type: image\n    augmentation:\n      - type: random_blur\n        kernel_size: 3\n      - {type: random_rotate, degree: 10}/'
expect augmentation_keys 0 "results in" -- --config "$T/aug_keys.yaml" $DS
v aug_bad 's/type: image/type: image\n    augmentation:\n      - {type: random_rotate, kernel_size: 10}/'
expect augmentation_bad_key 1 "input_features[0].augmentation[0]: 'kernel_size' is not a parameter of this operation" -- --config "$T/aug_bad.yaml" $DS
v aug_notype 's/type: image/type: image\n    augmentation:\n      - {degree: 10}/'
expect augmentation_no_type 1 "input_features[0].augmentation[0]: an operation needs its 'type', one of random_horizontal_flip" -- --config "$T/aug_notype.yaml" $DS
printf 'defaults:\n  image:\n    augmentation:\n      - type: random_brightness\n        min: 0.9\n' | cat "$T/tiny.yaml" - > "$T/aug_defaults.yaml"
expect augmentation_defaults 0 "results in" -- --config "$T/aug_defaults.yaml" $DS

# a top_k far above the classes costs nothing (it reported "out of memory" after training)
v topk 's/type: category/type: category\n    top_k: 2000000000/'
n=$((n + 1))
capped "$LUDWIG_C" experiment --config "$T/topk.yaml" $DS --output_directory "$T/topk" --threads 1 > "$T/topk.log" 2>&1 ||
    { echo "FAIL top_k 2000000000:"; cat "$T/topk.log"; fails=$((fails + 1)); }

# model directories: predict refuses them and writes nothing
"$LUDWIG_C" train --config "$T/tiny.yaml" $DS --output_directory "$T/m" --threads 1 > /dev/null 2>&1
M="$T/m/experiment_run/model"
pexpect() { # NAME MODEL_DIR MESSAGE
    n=$((n + 1))
    set +e
    "$LUDWIG_C" predict --model_path "$2" $DS --output_directory "$T/p-$1" > "$T/p-$1.log" 2>&1
    rc=$?
    set -e
    if [ $rc != 1 ] || ! grep -qF -- "$3" "$T/p-$1.log"; then
        echo "FAIL $1: exit $rc, want 1 and '$3':"; cat "$T/p-$1.log"; fails=$((fails + 1))
    elif [ -e "$T/p-$1" ] && [ -n "$(ls -A "$T/p-$1")" ]; then
        echo "FAIL $1: left output:"; ls -A "$T/p-$1"; fails=$((fails + 1))
    fi
}
cp -r "$M" "$T/inf"
/usr/bin/python3 - "$T/inf/model_weights" <<'PY'
import sys, torch
d = torch.load(sys.argv[1])
k = [k for k in d if k.endswith("fc_stack.stack.0.layers.0.weight")][0]
d[k].view(-1)[7] = float("inf")
torch.save(d, sys.argv[1])
PY
pexpect inf_weight "$T/inf" "fc_stack.stack.0.layers.0.weight' holds an infinite value at element 7: the weights are damaged"
cp -r "$M" "$T/nan"
/usr/bin/python3 - "$T/nan/model_weights" <<'PY'
import sys, torch
d = torch.load(sys.argv[1])
k = [k for k in d if k.endswith("conv_stack_2d.stack.0.layers.0.bias")][0]
d[k][1] = float("nan")
torch.save(d, sys.argv[1])
PY
pexpect nan_weight "$T/nan" "conv_stack_2d.stack.0.layers.0.bias' holds NaN at element 1"
cp -r "$M" "$T/h29"
/usr/bin/python3 - "$T/h29/training_set_metadata.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["image_path"]["preprocessing"]["height"] = 29
json.dump(m, open(sys.argv[1], "w"))
PY
pexpect meta_height "$T/h29" "training_set_metadata.json: image_path: preprocessing says 1 channel(s) of 29x28 (height x width) but reshape says otherwise (it must be [1, 29, 28])"
cp -r "$M" "$T/h40"
/usr/bin/python3 - "$T/h40/training_set_metadata.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["image_path"]["preprocessing"]["height"] = 40
m["image_path"]["reshape"] = [1, 40, 28]
json.dump(m, open(sys.argv[1], "w"))
PY
pexpect meta_vs_weights "$T/h40" "fc_stack.stack.0.layers.0.weight' is float32 (8, 676) but the config's model needs float32 (8, 988)"
# batch sizes far above the rows cost nothing: the model is planned for the largest batch the run
# can make (predict --batch_size 262144 on 1,000 rows took 15 GB; batch_size 3e8 was refused)
n=$((n + 1))
if ! capped "$LUDWIG_C" predict --model_path "$M" $DS --batch_size 262144 --output_directory "$T/pbig" > "$T/pbig.log" 2>&1; then
    echo "FAIL predict --batch_size 262144 under a 1.5 GB address-space limit:"; cat "$T/pbig.log"; fails=$((fails + 1))
fi
"$LUDWIG_C" predict --model_path "$M" $DS --output_directory "$T/psmall" > /dev/null 2>&1
cmp -s "$T/pbig/predictions_parquet.csv" "$T/psmall/predictions_parquet.csv" ||
    { echo "FAIL predictions differ between batch sizes 262144 and 128"; fails=$((fails + 1)); }
v bigbatch 's/batch_size: 8/batch_size: 300000000/'
n=$((n + 1))
if ! capped "$LUDWIG_C" experiment --config "$T/bigbatch.yaml" $DS --output_directory "$T/bb" --threads 1 > "$T/bb.log" 2>&1; then
    echo "FAIL batch_size 300000000 under a 1.5 GB address-space limit:"; cat "$T/bb.log"; fails=$((fails + 1))
fi

# a message longer than the error buffer keeps its end, which says what is wrong (a 3,000-byte
# output path used to cut it off at 2 KB, reason and all)
L=$(printf 'x%.0s' $(seq 1 3000))
expect long_path 1 ": cannot create directory: File name too long" -- --config "$T/tiny.yaml" $DS --output_directory "$T/$L"
grep -qF -- "x ... x" "$T/long_path.err" || { echo "FAIL long_path: no ' ... ' where the path was shortened"; fails=$((fails + 1)); }

# many classes: the confusion matrix is left out above LC_CONFUSION_MATRIX_MAX (1,000) classes,
# so test_statistics.json stays linear in the classes (3,000 labels in a 68 KB CSV wrote 166 MB)
/usr/bin/python3 -c "
print('x,y')
for i in range(2400): print(f'{(i % 1200) / 1200},L{i % 1200}')" > "$T/c1200.csv"
printf 'input_features: [{name: x, type: number}]\noutput_features: [{name: y, type: category}]\ntrainer: {epochs: 1}\n' > "$T/c1200.yaml"
n=$((n + 1))
"$LUDWIG_C" experiment --config "$T/c1200.yaml" --dataset "$T/c1200.csv" --output_directory "$T/c1200" --threads 1 > "$T/c1200.log" 2>&1 ||
    { echo "FAIL 1200 classes:"; cat "$T/c1200.log"; fails=$((fails + 1)); }
/usr/bin/python3 - "$T/c1200" <<'PY' || fails=$((fails + 1))
import json, os, sys
d = sys.argv[1]
st = json.load(open(f"{d}/experiment_run/test_statistics.json"))["y"]
size = os.path.getsize(f"{d}/experiment_run/test_statistics.json")
assert "confusion_matrix" not in st, "a 1200 x 1200 confusion matrix was written"
assert len(st["per_class_stats"]) == 1200, len(st["per_class_stats"])
assert "kappa_score" in st["overall_stats"]
assert size < 3_000_000, size
html = open(f"{d}/ludwig_experiment_report.html").read()
assert "Not computed: y has 1200 classes" in html, "no note on the confusion matrix in the report"
PY
set +e
"$LUDWIG_C" visualize --visualization confusion_matrix --test_statistics "$T/c1200/experiment_run/test_statistics.json" \
    --ground_truth_metadata "$T/c1200/experiment_run/model/training_set_metadata.json" --output_directory "$T/vz" > "$T/vz.log" 2>&1
rc=$?
set -e
n=$((n + 1))
[ $rc = 1 ] && grep -qF "output feature 'y' has 1200 classes: ludwig-c leaves the confusion matrix out above 1000" "$T/vz.log" ||
    { echo "FAIL visualize confusion_matrix over 1200 classes: exit $rc"; cat "$T/vz.log"; fails=$((fails + 1)); }

# a metadata file listing more classes than most_common + 1 was not made for the config (50,000
# labels in a 490 KB file drove the process to the OOM killer)
/usr/bin/python3 - "$T/c1200/experiment_run/model/training_set_metadata.json" "$T/meta50k.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
labels = [f"L{i}" for i in range(50000)]
m["y"].update(idx2str=labels, str2idx={l: i for i, l in enumerate(labels)},
              str2freq={l: 1 for l in labels}, vocab_size=len(labels))
json.dump(m, open(sys.argv[2], "w"))
PY
expect meta_50k_classes 1 "category feature 'y' lists 50000 classes, more than preprocessing.most_common (10000) + 1 allows" -- \
    --config "$T/c1200.yaml" --dataset "$T/c1200.csv" --training_set_metadata "$T/meta50k.json"

# a literal <UNK> label with a small most_common is one class, not two of one name, and predict
# takes the model it made
/usr/bin/python3 -c "
print('x,y')
for i in range(300): print(f'{i % 4},{[\"<UNK>\", \"a\", \"b\", \"c\"][i % 4]}')" > "$T/unk.csv"
printf 'input_features: [{name: x, type: number}]\noutput_features: [{name: y, type: category, preprocessing: {most_common: 2}}]\ntrainer: {epochs: 1}\n' > "$T/unk.yaml"
n=$((n + 1))
if "$LUDWIG_C" experiment --config "$T/unk.yaml" --dataset "$T/unk.csv" --output_directory "$T/unk" > "$T/unk.log" 2>&1; then
    /usr/bin/python3 - "$T/unk/experiment_run/model/training_set_metadata.json" <<'PY' || fails=$((fails + 1))
import json, sys
i2s = json.load(open(sys.argv[1]))["y"]["idx2str"]
assert len(i2s) == len(set(i2s)) and "<UNK>" in i2s, i2s
PY
    "$LUDWIG_C" predict --model_path "$T/unk/experiment_run/model" --dataset "$T/unk.csv" --output_directory "$T/unkp" > "$T/unkp.log" 2>&1 ||
        { echo "FAIL predict on the <UNK> model:"; cat "$T/unkp.log"; fails=$((fails + 1)); }
else
    echo "FAIL <UNK> label:"; cat "$T/unk.log"; fails=$((fails + 1))
fi

# keys that used to be accepted and ignored change the training now: regularization (l1, l2)
TB=$(pwd)/test-data/tabular
for r in none l1 l2; do
    extra=""; [ $r != none ] && extra=", regularization_type: $r, regularization_lambda: 0.1"
    printf 'input_features: [{name: mean_radius, type: number}, {name: mean_texture, type: number}]\noutput_features: [{name: diagnosis, type: binary}]\ntrainer: {epochs: 2%s}\n' "$extra" > "$T/reg_$r.yaml"
    "$LUDWIG_C" experiment --config "$T/reg_$r.yaml" --dataset "$TB/breast_cancer.csv" --output_directory "$T/reg_$r" --threads 1 > "$T/reg_$r.log" 2>&1 ||
        { echo "FAIL regularization $r:"; cat "$T/reg_$r.log"; fails=$((fails + 1)); }
done
n=$((n + 1))
if cmp -s "$T/reg_none/experiment_run/model/model_weights" "$T/reg_l1/experiment_run/model/model_weights" ||
   cmp -s "$T/reg_none/experiment_run/model/model_weights" "$T/reg_l2/experiment_run/model/model_weights" ||
   cmp -s "$T/reg_l1/experiment_run/model/model_weights" "$T/reg_l2/experiment_run/model/model_weights"; then
    echo "FAIL regularization: l1, l2 and none trained the same weights"; fails=$((fails + 1))
fi

# a crafted checkpoint (valid layout, checksum recomputed) saying epoch 3,000,000: refused before
# anything is trained or written (it used to resume and write a 288 MB training_progress.json)
cp -r "$T/m/experiment_run" "$T/ck"
/usr/bin/python3 - "$T/ck/model/training_checkpoints/latest.ckpt" <<'PY'
import struct, sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
assert b[:8] == b"LCCKPT01"
struct.pack_into("<i", b, 16, 3000000)     # epoch (after the magic and the fingerprint)
h = 0xcbf29ce484222325                     # FNV-1a 64 of all but the last 8 bytes
for x in bytes(b[:-8]):
    h = ((h ^ x) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
b[-8:] = struct.pack("<Q", h)
open(p, "wb").write(b)
PY
sed 's/epochs: 1/epochs: 3000005/' "$T/tiny.yaml" > "$T/many.yaml"
expect crafted_epoch 1 "latest.ckpt: the training checkpoint says epoch 3000000, step" -- --config "$T/many.yaml" $DS --model_resume_path "$T/ck"

# an archive holding one name twice is read as extracting it leaves it (Python's zipfile, the
# last entry wins): garbage first and the image last trains; the image first and garbage last is
# refused naming the image
/usr/bin/python3 - "$D/mnist_images.zip" "$D/mnist_dataset.csv" "$T" <<'PY'
import csv, sys, warnings, zipfile
src, table, out = sys.argv[1:]
rows = list(csv.reader(open(table)))
head, body = rows[0], rows[1:41]
dup = body[0][0]
with zipfile.ZipFile(src) as z:
    data = {r[0]: z.read(r[0]) for r in body}
warnings.simplefilter("ignore")  # "Duplicate name"
for name, order in (("last_good", ("junk", "image")), ("last_junk", ("image", "junk"))):
    with zipfile.ZipFile(f"{out}/{name}.zip", "w") as z:
        for r in body:
            if r[0] == dup:
                for what in order:
                    z.writestr(dup, data[dup] if what == "image" else b"this is not an image")
            else:
                z.writestr(r[0], data[r[0]])
with open(f"{out}/dup.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(head)
    w.writerows(body)
print(dup, file=open(f"{out}/dup.name", "w"))
PY
expect zip_dup_last_good 0 "results in" -- --config "$T/tiny.yaml" --dataset "$T/dup.csv" --raw_data "$T/last_good.zip"
expect zip_dup_last_junk 1 "$(cat "$T/dup.name")" -- --config "$T/tiny.yaml" --dataset "$T/dup.csv" --raw_data "$T/last_junk.zip"

# a saved model whose config carries augmentation (Ludwig applies it in training only) predicts
# as the same model without it
cp -r "$M" "$T/aug"
/usr/bin/python3 - "$T/aug/model_hyperparameters.json" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
h["input_features"][0]["augmentation"] = [{"type": "random_blur", "kernel_size": 3}, {"type": "random_horizontal_flip"}]
json.dump(h, open(sys.argv[1], "w"))
PY
n=$((n + 1))
"$LUDWIG_C" predict --model_path "$T/aug" $DS --output_directory "$T/paug" > "$T/paug.log" 2>&1 &&
    cmp -s "$T/paug/predictions_parquet.csv" "$T/psmall/predictions_parquet.csv" ||
    { echo "FAIL predict with augmentation in the saved config:"; cat "$T/paug.log"; fails=$((fails + 1)); }

[ $fails -eq 0 ] && echo "test_hostile: ok ($n cases)"
exit $fails
