#!/bin/sh
# Vector inputs and outputs on real measurements: the Palmer penguins (test-data/tabular/
# penguins.csv), each bird's four measurements (bill length and depth, flipper length, body
# mass; standardised) as one vector column. Checked:
#  - a vector input (the dense encoder) predicts the species; the metadata entry is Ludwig's
#    ({preprocessing, vector_size}) and the rendered encoder has input_size;
#  - a vector output (the projector) from species, island and sex: test_statistics holds Ludwig's
#    keys (loss, mean_absolute_error, mean_absolute_percentage_error, mean_squared_error, r2), the
#    errors and r2 (each value's r2 averaged, torchmetrics' uniform_average) recomputed from
#    predictions_parquet.csv are the statistics'; vector_size and the decoder's output_size are
#    rendered; predict reproduces the experiment's predictions;
#  - a row with another number of values (its line named), a token that is not a number, a
#    preprocessing.vector_size the data does not have, and a projector activation are refused
#    with a message and no output.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3
. tests/e2e/lib/expect.sh
fail() { echo "FAIL vector: $*"; fails=$((fails + 1)); }

$PY - test-data/tabular/penguins.csv "$T/pen.csv" <<'PYEOF'
import csv, statistics as st, sys
ks = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g")
rows = [r for r in csv.DictReader(open(sys.argv[1], newline=""))
        if all(r[k] not in ("", "NA") for k in ks + ("sex",))]
mu = {k: st.mean(float(r[k]) for r in rows) for k in ks}
sd = {k: st.pstdev(float(r[k]) for r in rows) for k in ks}
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["species", "island", "sex", "measurements", "split"])
    for r in rows:
        w.writerow([r["species"], r["island"], r["sex"],
                    " ".join("%.4f" % ((float(r[k]) - mu[k]) / sd[k]) for k in ks), r["split"]])
PYEOF
cat >"$T/vi.yaml" <<'EOF'
input_features:
  - {name: measurements, type: vector}
output_features:
  - {name: species, type: category}
preprocessing:
  split: {type: fixed, column: split}
trainer: {epochs: 20}
EOF
cat >"$T/vo.yaml" <<'EOF'
input_features:
  - {name: species, type: category}
  - {name: island, type: category}
  - {name: sex, type: category}
output_features:
  - {name: measurements, type: vector}
preprocessing:
  split: {type: fixed, column: split}
trainer: {epochs: 100, learning_rate: 0.01}
EOF
for c in vi vo; do
    "$LUDWIG_C" experiment --config "$T/$c.yaml" --dataset "$T/pen.csv" --output_directory "$T/$c" \
        --random_seed 42 --threads 2 >"$T/$c.log" 2>&1 || { fail "$c experiment"; cat "$T/$c.log"; }
done
$PY - "$T/vi/experiment_run" "$T/vo/experiment_run" "$T/pen.csv" <<'PYEOF' || fails=$((fails + 1))
import ast, csv, json, sys
vi, vo, data = sys.argv[1:4]
bad = []
rows = [r for r in csv.DictReader(open(data, newline="")) if r["split"] == "2"]
acc = json.load(open(vi + "/test_statistics.json"))["species"]["accuracy_micro"]
meta = json.load(open(vi + "/model/training_set_metadata.json"))["measurements"]
if set(meta) != {"preprocessing", "vector_size"} or meta["vector_size"] != 4:
    bad.append("vector metadata %s" % meta)
enc = json.load(open(vi + "/model/model_hyperparameters.json"))["input_features"][0]["encoder"]
if enc["type"] != "dense" or enc["input_size"] != 4:
    bad.append("rendered vector encoder %s" % enc)
print("vector: the four measurements (a vector input) -> species: test accuracy %.4f" % acc)
if acc < 0.9:
    bad.append("species from the measurements: accuracy %.4f < 0.9" % acc)
stats = json.load(open(vo + "/test_statistics.json"))["measurements"]
want = {"loss", "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error", "r2"}
if set(stats) != want:
    bad.append("vector output statistics keys %s" % sorted(stats))
pred = [ast.literal_eval(p["measurements_predictions"])
        for p in csv.DictReader(open(vo + "/predictions_parquet.csv", newline=""))]
true = [[float(v) for v in r["measurements"].split()] for r in rows]
n, K = len(true), 4
if len(pred) != n or any(len(p) != K for p in pred):
    bad.append("%d predictions for %d test rows" % (len(pred), n))
else:
    err = [p[k] - t[k] for p, t in zip(pred, true) for k in range(K)]
    mse = sum(e * e for e in err) / (n * K)
    mae = sum(abs(e) for e in err) / (n * K)
    r2 = 0
    for k in range(K):
        m = sum(t[k] for t in true) / n
        r2 += 1 - sum((p[k] - t[k]) ** 2 for p, t in zip(pred, true)) / sum((t[k] - m) ** 2 for t in true)
    r2 /= K
    mape = sum(abs(p[k] - t[k]) / max(abs(t[k]), 1.17e-6) for p, t in zip(pred, true) for k in range(K)) / (n * K)
    for name, got in (("mean_squared_error", mse), ("mean_absolute_error", mae), ("r2", r2),
                      ("mean_absolute_percentage_error", mape)):
        if abs(got - stats[name]) > 1e-5 * max(1, abs(got)):
            bad.append("%s from the predictions %.7f, statistics %.7f" % (name, got, stats[name]))
    print("vector: species, island, sex -> the four measurements (a vector output): test r2 %.4f, mse %.4f" % (r2, mse))
    if r2 < 0.6:
        bad.append("vector output r2 %.4f < 0.6" % r2)
hp = json.load(open(vo + "/model/model_hyperparameters.json"))["output_features"][0]
if hp["vector_size"] != 4 or hp["decoder"]["output_size"] != 4 or hp["decoder"]["type"] != "projector":
    bad.append("rendered vector output %s" % {k: hp[k] for k in ("vector_size", "decoder")})
for b in bad:
    print("FAIL vector:", b)
sys.exit(1 if bad else 0)
PYEOF
"$LUDWIG_C" predict --model_path "$T/vo/experiment_run/model" --dataset "$T/pen.csv" --split test \
    --output_directory "$T/vop" >"$T/vop.log" 2>&1 || { fail "predict with a vector output"; cat "$T/vop.log"; }
cmp -s "$T/vop/predictions_parquet.csv" "$T/vo/experiment_run/predictions_parquet.csv" ||
    fail "predict's vector predictions differ from the experiment's"

# bad input
$PY - "$T/pen.csv" "$T/short.csv" "$T/word.csv" <<'PYEOF'
import sys
lines = open(sys.argv[1]).read().splitlines()
short = list(lines)
parts = short[5].split(",")
parts[3] = " ".join(parts[3].split()[:3])
short[5] = ",".join(parts)
open(sys.argv[2], "w").write("\n".join(short) + "\n")
word = list(lines)
parts = word[7].split(",")
parts[3] = parts[3].replace(parts[3].split()[1], "tall", 1)
word[7] = ",".join(parts)
open(sys.argv[3], "w").write("\n".join(word) + "\n")
PYEOF
expect short 1 "line 6: vector column 'measurements' has 3 values in this row, but 4" -- \
    --config "$T/vi.yaml" --dataset "$T/short.csv"
expect word 1 "line 8: vector column 'measurements' holds the token 'tall' (value 2 of the row), which is not a number" -- \
    --config "$T/vi.yaml" --dataset "$T/word.csv"
sed 's/{name: measurements, type: vector}/{name: measurements, type: vector, preprocessing: {vector_size: 5}}/' "$T/vi.yaml" >"$T/vs.yaml"
expect size 1 "preprocessing.vector_size is 5 but its longest row has 4 values" -- \
    --config "$T/vs.yaml" --dataset "$T/pen.csv"
sed 's/{name: measurements, type: vector}/{name: measurements, type: vector, decoder: {activation: tanh}}/' "$T/vo.yaml" >"$T/act.yaml"
expect activation 1 "the projector's activation, multiplier and clip are not supported by ludwig-c yet" -- \
    --config "$T/act.yaml" --dataset "$T/pen.csv"
[ "$fails" = 0 ] && echo "vector: ok ($n refusals)"
exit "$fails"
