#!/bin/sh
# resnet18 on real images (issue 16): a slice of Fashion-MNIST (Debian's dataset-fashion-mnist,
# NTRAIN training and NTEST test images, bench/make_datasets.py fashionslice) upscaled by
# torchvision's transform to 224x224, trained with `augmentation: true` from scratch and with a
# frozen "pretrained" backbone (trainable: false; the weights file is torchvision's resnet18 with
# random weights, written into a temporary model cache), EPOCHS epochs, batch 16, THREADS threads;
# then the test split predicted. The same with PyTorch + torchvision (bench/resnet/torch_fashion.py).
# Per run: training samples/s (the last epoch's line for ludwig-c: its training time, without the
# evaluation of the splits after it), inference samples/s (ludwig-c:
# the test evaluation's line), test accuracy (micro: correct / rows; Ludwig's `accuracy` is the macro
# average of the per-class recalls), wall seconds. The machine should be idle.
# Usage: bench/resnet/fashion.sh   (NTRAIN=1024 NTEST=256 EPOCHS=2 THREADS=2 MODES="scratch frozen"
#                                  AUG=1 (0: augmentation off) SEED=42
#                                  TORCH_MALLOC=tcmalloc (glibc: PyTorch on glibc's malloc,
#                                  bench/torch_run.sh))
set -eu
cd "$(dirname "$0")/../.."
NTRAIN=${NTRAIN:-1024}
NTEST=${NTEST:-256}
EPOCHS=${EPOCHS:-2}
THREADS=${THREADS:-2}
MODES=${MODES:-scratch frozen}
AUG=${AUG:-1}
SEED=${SEED:-42}
PY=/usr/bin/python3
LUDWIG_C=${LUDWIG_C:-build/ludwig-c}
dpkg -s dataset-fashion-mnist >/dev/null 2>&1 || apt-get install -y -q dataset-fashion-mnist >/dev/null
[ "$LUDWIG_C" != build/ludwig-c ] || make -s build/ludwig-c
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
$PY bench/make_datasets.py fashionslice "$T" "$NTRAIN" "$NTEST" >/dev/null
W=$T/cache/hub/checkpoints/resnet18-f37072fd.pth
$PY - "$W" <<'PYEOF'
import os, sys, torch, torchvision
torch.manual_seed(0)
os.makedirs(os.path.dirname(sys.argv[1]), exist_ok=True)
torch.save(torchvision.models.resnet18(weights=None).state_dict(), sys.argv[1])
PYEOF
echo "resnet18, Fashion-MNIST $NTRAIN train / $NTEST test at 224x224, augmentation $([ "$AUG" = 0 ] && echo off || echo on), $EPOCHS epochs, seed $SEED, batch 16, $THREADS threads, PyTorch's allocator ${TORCH_MALLOC:-tcmalloc} ($(date -u +%F))"
echo "| run | side | training samples/s | inference samples/s | test accuracy | wall (s) |"
echo "|---|---|---|---|---|---|"
for mode in $MODES; do
    case $mode in
    scratch) enc="      use_pretrained: false" ;;
    frozen) enc="      use_pretrained: true
      trainable: false" ;;
    *) echo "fashion.sh: unknown mode $mode (scratch, frozen)" >&2; exit 2 ;;
    esac
    cat >"$T/$mode.yaml" <<YAML
input_features:
  - name: image_path
    type: image
    encoder:
      type: resnet
      model_variant: 18
$enc
    augmentation: $([ "$AUG" = 0 ] && echo false || echo true)
output_features:
  - name: label
    type: category
preprocessing:
  split: {type: fixed, column: split}
trainer:
  epochs: $EPOCHS
  batch_size: 16
  eval_batch_size: 16
  early_stop: -1
YAML
    t0=$(date +%s.%N)
    TORCH_HOME="$T/cache" "$LUDWIG_C" experiment --config "$T/$mode.yaml" --dataset "$T/fashionslice_dataset.csv" \
        --raw_data "$T/fashionslice_images.zip" --output_directory "$T/o-$mode" --random_seed "$SEED" \
        --threads "$THREADS" >"$T/$mode.log" 2>&1 || { cat "$T/$mode.log" >&2; exit 1; }
    wall=$($PY -c "import sys,time; print('%.0f' % (time.time() - float(sys.argv[1])))" "$t0")
    tr=$(sed -n "s/^epoch $EPOCHS\/$EPOCHS .*(training [0-9.]*s, \([0-9.]*\) samples\/s).*/\1/p" "$T/$mode.log" | tail -1)
    ev=$(sed -n 's/.*test.*evaluation [0-9.]*s, \([0-9.]*\) samples\/s).*/\1/p' "$T/$mode.log" | tail -1)
    [ -n "$ev" ] || ev=$(sed -n 's/.*evaluation [0-9.]*s, \([0-9.]*\) samples\/s).*/\1/p' "$T/$mode.log" | tail -1)
    acc=$($PY -c "import json,sys; print('%.4f' % json.load(open(sys.argv[1]))['label']['accuracy_micro'])" \
        "$T/o-$mode/experiment_run/test_statistics.json")
    echo "| $mode | ludwig-c | $tr | $ev | $acc | $wall |"
    t0=$(date +%s.%N)
    js=$(bench/torch_run.sh $PY bench/resnet/torch_fashion.py "$T/fashionslice_images.zip" "$T/fashionslice_dataset.csv" \
        "$EPOCHS" "$THREADS" "$mode" "$W" "$AUG" "$SEED" | tail -1)
    wall=$($PY -c "import sys,time; print('%.0f' % (time.time() - float(sys.argv[1])))" "$t0")
    $PY -c "import json,sys; j=json.loads(sys.argv[1]); print('| %s | PyTorch | %.1f | %.1f | %.4f | %s |' % (sys.argv[2], j['train_samples_per_s'], j['infer_samples_per_s'], j['test_accuracy'], sys.argv[3]))" "$js" "$mode" "$wall"
done
