#!/bin/sh
# Date inputs on real data: Seattle's daily weather 2012-2015 (python3-vega-datasets'
# seattle-weather.csv, 1,461 days), the day's highest temperature predicted from its date alone.
# Checked:
#  - the embed (Ludwig's default) and wave encoders learn the seasons (test r2 > 0.5); the
#    metadata entry is Ludwig's (only the preprocessing); the tensors are named as Ludwig's
#    (year_fc.stack.0.layers.0, embed_<component>.embeddings, cut to min(rows, embedding_size));
#  - the same dates written as 26.02.2013 with datetime_format %d.%m.%Y, or as 02/26/2013 without
#    a format (month first, as dateutil reads it), give byte-identical predictions;
#  - predict reproduces the experiment's predictions from the saved model;
#  - a cell that is not a date (its line named), a missing date without a fill, a date output
#    and an unknown encoder are refused with a message and no output.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3
. tests/e2e/lib/expect.sh
fail() { echo "FAIL date: $*"; fails=$((fails + 1)); }

SRC=/usr/lib/python3/dist-packages/vega_datasets/_data/seattle-weather.csv
$PY - "$SRC" "$T" <<'PYEOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
for name, fmt in (("iso", lambda y, m, d: "%s-%s-%s" % (y, m, d)),
                  ("dots", lambda y, m, d: "%s.%s.%s" % (d, m, y)),
                  ("us", lambda y, m, d: "%s/%s/%s" % (m, d, y))):
    with open("%s/%s.csv" % (sys.argv[2], name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["date", "temp_max", "split"])
        for i, r in enumerate(rows):
            y, m, d = r["date"].split("/")
            w.writerow([fmt(y, m, d), r["temp_max"], 0 if i % 10 < 8 else 1 if i % 10 == 8 else 2])
PYEOF
cat >"$T/embed.yaml" <<'EOF'
input_features:
  - {name: date, type: date}
output_features:
  - {name: temp_max, type: number}
preprocessing:
  split: {type: fixed, column: split}
trainer: {epochs: 30, learning_rate: 0.01}
EOF
sed 's/{name: date, type: date}/{name: date, type: date, encoder: {type: wave}}/' "$T/embed.yaml" >"$T/wave.yaml"
sed 's/{name: date, type: date}/{name: date, type: date, preprocessing: {datetime_format: "%d.%m.%Y"}}/' "$T/embed.yaml" >"$T/dots.yaml"
run() { # config data out
    "$LUDWIG_C" experiment --config "$T/$1.yaml" --dataset "$T/$2.csv" --output_directory "$T/$3" \
        --random_seed 42 --threads 2 >"$T/$3.log" 2>&1 || { fail "$3 experiment"; cat "$T/$3.log"; }
}
run embed iso embed
run wave iso wave
run dots dots dots
run embed us us
$PY - "$T" <<'PYEOF' || fails=$((fails + 1))
import json, sys
T = sys.argv[1]
bad = []
for enc in ("embed", "wave"):
    run = "%s/%s/experiment_run" % (T, enc)
    r2 = json.load(open(run + "/test_statistics.json"))["temp_max"]["r2"]
    print("date: the day's highest temperature from its date (%s encoder): test r2 %.4f" % (enc, r2))
    if r2 < 0.5:
        bad.append("%s encoder: r2 %.4f < 0.5" % (enc, r2))
    meta = json.load(open(run + "/model/training_set_metadata.json"))["date"]
    if set(meta) != {"preprocessing"} or meta["preprocessing"]["datetime_format"] is not None:
        bad.append("date metadata %s" % meta)
w = open(T + "/embed/experiment_run/model/model_weights", "rb").read()
p = b"input_features.module_dict.date__ludwig.encoder_obj."
for name in (b"year_fc.stack.0.layers.0.weight", b"embed_month.embeddings.weight",
             b"embed_weekday.embeddings.weight", b"embed_yearday.embeddings.weight",
             b"embed_second.embeddings.weight"):
    if p + name not in w:
        bad.append("no tensor %s" % name.decode())
hp = json.load(open(T + "/wave/experiment_run/model/model_hyperparameters.json"))["input_features"][0]["encoder"]
if hp["type"] != "wave" or hp["num_fc_layers"] != 1:
    bad.append("rendered wave encoder %s" % hp)
for b in bad:
    print("FAIL date:", b)
sys.exit(1 if bad else 0)
PYEOF
for other in dots us; do
    cmp -s "$T/$other/experiment_run/predictions_parquet.csv" "$T/embed/experiment_run/predictions_parquet.csv" ||
        fail "the dates written as $other give other predictions than ISO dates"
done
"$LUDWIG_C" predict --model_path "$T/embed/experiment_run/model" --dataset "$T/iso.csv" --split test \
    --output_directory "$T/pr" >"$T/pr.log" 2>&1 || { fail "predict"; cat "$T/pr.log"; }
cmp -s "$T/pr/predictions_parquet.csv" "$T/embed/experiment_run/predictions_parquet.csv" ||
    fail "predict's predictions differ from the experiment's"

# bad input
{ head -5 "$T/iso.csv"; echo "yesterday,10.0,0"; sed -n 6,60p "$T/iso.csv"; } >"$T/word.csv"
expect word 1 "line 6: date column 'date' holds 'yesterday', which is not a date ludwig-c can read" -- \
    --config "$T/embed.yaml" --dataset "$T/word.csv"
{ head -3 "$T/iso.csv"; echo ",10.0,0"; sed -n 4,60p "$T/iso.csv"; } >"$T/missing.csv"
expect missing 1 "set preprocessing.fill_value to a date, or missing_value_strategy to drop_row, bfill or ffill" -- \
    --config "$T/embed.yaml" --dataset "$T/missing.csv"
sed 's/missing_value_strategy: x//' "$T/embed.yaml" | sed 's/{name: date, type: date}/{name: date, type: date, preprocessing: {missing_value_strategy: ffill}}/' >"$T/ffill.yaml"
"$LUDWIG_C" experiment --config "$T/ffill.yaml" --dataset "$T/missing.csv" --output_directory "$T/ff" \
    --random_seed 42 --threads 1 >"$T/ff.log" 2>&1 || { fail "a missing date with ffill"; cat "$T/ff.log"; }
printf 'input_features:\n  - {name: temp_max, type: number}\noutput_features:\n  - {name: date, type: date}\n' >"$T/out.yaml"
expect output 1 "output feature type 'date' is not supported" -- --config "$T/out.yaml" --dataset "$T/iso.csv"
sed 's/{name: date, type: date}/{name: date, type: date, encoder: {type: dense}}/' "$T/embed.yaml" >"$T/enc.yaml"
expect encoder 1 "unknown encoder 'dense' for a date feature" -- --config "$T/enc.yaml" --dataset "$T/iso.csv"
[ "$fails" = 0 ] && echo "date: ok ($n refusals)"
exit "$fails"
