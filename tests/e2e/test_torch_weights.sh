#!/bin/sh
# model_weights in PyTorch's own format (issue 14): ludwig-c writes it (torch.load with
# weights_only=True reads it, batch norms with Ludwig's int64 num_batches_tracked); a model ludwig-c trained
# (upstream's temperature_config.yml and a text parallel_cnn with batch norms) has its
# model_weights rewritten by torch.save as a state_dict (Debian's python3-torch; with the batch
# norms' num_batches_tracked that Ludwig's modules keep); predict and evaluate read that file and
# reproduce the experiment's predictions and statistics byte for byte. A state_dict missing a
# tensor, holding one the model lacks, or with a tensor of another shape is refused with a message
# naming the tensor. The older LCWTS001 format still loads. The PyTorch checks are skipped (and
# said so) where python3-torch is not installed.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3
LUDWIG_C=${LUDWIG_C:-build/ludwig-c}
fails=0
fail() { echo "FAIL torch_weights: $*"; fails=$((fails + 1)); }

# the older LCWTS001 files (models ludwig-c wrote before) still load: a trained model's tensors
# written in that format give the experiment's predictions
"$LUDWIG_C" experiment --config test-data/temperature_config.yml --dataset test-data/temperature_seattle.csv \
    --output_directory "$T/legacy" --random_seed 42 --threads 2 >"$T/legacy.log" 2>&1 ||
    { fail "legacy: experiment"; cat "$T/legacy.log"; }
cp -r "$T/legacy/experiment_run/model" "$T/legacy_model"
$PY - "$T/legacy_model/model_weights" <<'PYEOF'
import sys
sys.path.insert(0, "tests/e2e/lib")
import weights
t = {k: v for k, v in weights.tensors(sys.argv[1]).items() if not k.endswith("num_batches_tracked")}
weights.write_lcwts(sys.argv[1], t)
PYEOF
head -c 8 "$T/legacy_model/model_weights" | grep -q LCWTS001 || fail "legacy: not written as LCWTS001"
"$LUDWIG_C" predict --model_path "$T/legacy_model" --dataset test-data/temperature_seattle.csv --split test \
    --output_directory "$T/legacy_pr" >"$T/legacy_pr.log" 2>&1 || { fail "legacy: predict"; cat "$T/legacy_pr.log"; }
cmp -s "$T/legacy_pr/predictions_parquet.csv" "$T/legacy/experiment_run/predictions_parquet.csv" &&
    echo "torch_weights: an LCWTS001 model_weights (ludwig-c's older format) still loads" ||
    fail "legacy: predictions from the LCWTS001 file differ"

# a category `sparse` encoder's frozen identity (embed.embeddings.weight, which Ludwig saves) was
# not written before: files without it, in either format, still load and predict the same
cat >"$T/sparse.yaml" <<'YAML'
input_features:
  - {name: island, type: category, encoder: {type: sparse}}
  - {name: bill_length_mm, type: number, preprocessing: {missing_value_strategy: fill_with_mean}}
output_features:
  - {name: species, type: category}
trainer: {epochs: 2}
YAML
"$LUDWIG_C" experiment --config "$T/sparse.yaml" --dataset test-data/tabular/penguins.csv \
    --output_directory "$T/sparse" --random_seed 42 --threads 2 >"$T/sparse.log" 2>&1 ||
    { fail "sparse: experiment"; cat "$T/sparse.log"; }
for fmt in torch lcwts; do
    cp -r "$T/sparse/experiment_run/model" "$T/sparse_$fmt"
    $PY - "$T/sparse_$fmt/model_weights" $fmt <<'PYEOF' || fail "sparse: $fmt: the identity is not saved"
import sys
sys.path.insert(0, "tests/e2e/lib")
import weights
t = weights.tensors(sys.argv[1])
name = "input_features.module_dict.island__ludwig.encoder_obj.embed.embeddings.weight"
shape, vals = t.pop(name)
assert shape == (3, 3) and list(vals) == [1, 0, 0, 0, 1, 0, 0, 0, 1], (shape, vals)
t = {k: v for k, v in t.items() if not k.endswith("num_batches_tracked")}
(weights.write if sys.argv[2] == "torch" else weights.write_lcwts)(sys.argv[1], t)
PYEOF
    "$LUDWIG_C" predict --model_path "$T/sparse_$fmt" --dataset test-data/tabular/penguins.csv \
        --output_directory "$T/sparse_${fmt}_pr" >"$T/sparse_pr.log" 2>&1 || { fail "sparse: $fmt: predict"; cat "$T/sparse_pr.log"; }
    "$LUDWIG_C" predict --model_path "$T/sparse/experiment_run/model" --dataset test-data/tabular/penguins.csv \
        --output_directory "$T/sparse_pr" >/dev/null 2>&1
    cmp -s "$T/sparse_${fmt}_pr/predictions_parquet.csv" "$T/sparse_pr/predictions_parquet.csv" &&
        echo "torch_weights: a $fmt file without the sparse encoder's identity still predicts the same" ||
        fail "sparse: $fmt: predictions differ"
done

if ! $PY -c 'import torch' >/dev/null 2>&1; then
    echo "torch_weights: python3-torch is not installed: the PyTorch checks skipped"
    [ "$fails" = 0 ] || exit "$fails"
    exit 0
fi

# model_weights -> a torch.save'd state_dict; MODE: same, drop (the first tensor), extra, shape
to_torch() {
    $PY - "$1" "$2" "$3" <<'PYEOF'
import collections, sys
import torch
sys.path.insert(0, "tests/e2e/lib")
from weights import tensors
src, dst, mode = sys.argv[1:]
sd = collections.OrderedDict()
for name, (shape, vals) in tensors(src).items():
    if name.endswith("num_batches_tracked"):  # written again below, as Ludwig's int64 counter
        continue
    sd[name] = torch.tensor(vals, dtype=torch.float32).reshape(shape)
    if name.endswith("running_var"):  # Ludwig's BatchNorm1d also keeps this counter
        sd[name[:-len("running_var")] + "num_batches_tracked"] = torch.tensor(12, dtype=torch.int64)
if mode == "drop":
    sd.pop(next(iter(sd)))
elif mode == "extra":
    sd["input_features.module_dict.extra.weight"] = torch.zeros(2)
elif mode == "shape":
    k = next(iter(sd))
    sd[k] = torch.zeros(sd[k].numel() + 1)
torch.save(sd, dst)
PYEOF
}

check() { # NAME CONFIG DATASET
    name=$1 before=$fails
    "$LUDWIG_C" experiment --config "$2" --dataset "$3" --output_directory "$T/$name" --random_seed 42 \
        --threads 2 >"$T/$name.log" 2>&1 || { fail "$name: experiment"; cat "$T/$name.log"; return; }
    R="$T/$name/experiment_run"
    # ludwig-c's own model_weights is PyTorch's format: torch.load(weights_only=True) reads it
    $PY - "$R/model/model_weights" <<'PYEOF' || fail "$name: torch.load does not read ludwig-c's model_weights"
import sys
import torch
sd = torch.load(sys.argv[1], weights_only=True)
bn = [k for k in sd if k.endswith("running_var")]
assert all(sd[k[:-len("running_var")] + "num_batches_tracked"].dtype == torch.int64 for k in bn), "num_batches_tracked"
assert all(v.dtype in (torch.float32, torch.int64) for v in sd.values())
print("torch_weights: torch.load(weights_only=True) reads ludwig-c's model_weights: %d tensors (%d batch norms)" % (len(sd), len(bn)))
PYEOF
    cp -r "$R/model" "$T/${name}_pt"
    to_torch "$R/model/model_weights" "$T/${name}_pt/model_weights" same
    head -c 2 "$T/${name}_pt/model_weights" | grep -q PK || fail "$name: torch.save did not write a zip"
    "$LUDWIG_C" predict --model_path "$T/${name}_pt" --dataset "$3" --split test --output_directory "$T/${name}_pr" \
        >"$T/${name}_pr.log" 2>&1 || { fail "$name: predict with PyTorch weights"; cat "$T/${name}_pr.log"; return; }
    cmp -s "$T/${name}_pr/predictions_parquet.csv" "$R/predictions_parquet.csv" ||
        fail "$name: predictions from the PyTorch file differ from the experiment's"
    "$LUDWIG_C" evaluate --model_path "$T/${name}_pt" --dataset "$3" --split test --output_directory "$T/${name}_ev" \
        >"$T/${name}_ev.log" 2>&1 || { fail "$name: evaluate with PyTorch weights"; cat "$T/${name}_ev.log"; return; }
    cmp -s "$T/${name}_ev/test_statistics.json" "$R/test_statistics.json" ||
        fail "$name: test statistics from the PyTorch file differ from the experiment's"
    [ "$fails" != "$before" ] ||
        echo "torch_weights: $name: predict and evaluate read torch.save's state_dict and reproduce the experiment"
    for mode in drop extra shape; do
        cp -r "$T/${name}_pt" "$T/${name}_$mode"
        to_torch "$R/model/model_weights" "$T/${name}_$mode/model_weights" $mode
        set +e
        "$LUDWIG_C" predict --model_path "$T/${name}_$mode" --dataset "$3" --output_directory "$T/${name}_${mode}_out" \
            >"$T/$mode.out" 2>"$T/$mode.err"
        rc=$?
        set -e
        case $mode in
        drop) want="has no tensor 'input_features.module_dict." ;;
        extra) want="holds a tensor 'input_features.module_dict.extra.weight' that the config's model does not have" ;;
        shape) want="but the config's model needs float32" ;;
        esac
        [ "$rc" = 1 ] && grep -qF "$want" "$T/$mode.err" || { fail "$name: $mode: exit $rc"; cat "$T/$mode.err"; }
        [ ! -e "$T/${name}_${mode}_out/predictions_parquet.csv" ] || fail "$name: $mode left predictions behind"
    done
}

check temperature test-data/temperature_config.yml test-data/temperature_seattle.csv
cat >"$T/pcnn.yaml" <<'YAML'
input_features:
  - name: temperature_feature
    type: timeseries
    encoder: {type: parallel_cnn, num_filters: 8, norm: batch, fc_layers: [{output_size: 16}]}
output_features:
  - {name: temperature, type: number}
trainer: {epochs: 2}
YAML
check pcnn_bn "$T/pcnn.yaml" test-data/temperature_seattle.csv
[ "$fails" = 0 ] && echo "torch_weights: ok"
exit "$fails"
