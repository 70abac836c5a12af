#!/bin/sh
# visualize (issue 15): Ludwig's figures from statistics files, with Ludwig's file names, as PDF
# (Ludwig's default) and SVG. Inputs: upstream Galaxy-Ludwig's own statistics (Ludwig 0.10's
# temp_training_statistics.json, temp_test_statistics.json, temperature_hyperopt_statistics.json)
# and ludwig-c experiments on real tables (the Palmer penguins' species, a category output with
# a number output beside it; the Wisconsin breast-cancer diagnoses, a binary output). Each figure
# is checked by tests/e2e/check_visualize.py: valid SVG or PDF, and the numbers drawn are the
# files' (bar values, confusion-matrix cells, one vertex per epoch or curve point, one dot per
# trial). The views drawn from rows (lib/report/viz_rows.c, checked number by number by
# tests/unit/test_viz_rows.c) run on the predictions of wine and breast-cancer experiments against
# the datasets' test rows: every view in both formats, and the accuracy they draw equals the
# experiment's own. Two models compare side by side; mistakes are refused with a message.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3
LUDWIG_C=${LUDWIG_C:-build/ludwig-c}
CHK=tests/e2e/check_visualize.py
fails=0
fail() { echo "FAIL visualize: $*"; fails=$((fails + 1)); }
viz() { # output dir, then visualize options
    d=$1
    shift
    "$LUDWIG_C" visualize --output_directory "$d" "$@" >"$T/viz.log" 2>&1 || { fail "visualize $*"; cat "$T/viz.log"; }
}
has() { [ -f "$1" ] || fail "missing $1"; }
refuse() { # message part, then options
    want=$1
    shift
    if "$LUDWIG_C" visualize --output_directory "$T/bad" "$@" >"$T/bad.log" 2>&1; then fail "accepted: $*"
    elif ! grep -q "$want" "$T/bad.log"; then fail "message for $*"; cat "$T/bad.log"; fi
}

# --- real experiments: penguins (category + number outputs), breast cancer (binary)
sed 's/epochs: 200/epochs: 6/' test-data/tabular/penguins_config.yaml >"$T/p.yaml"
"$LUDWIG_C" experiment --config "$T/p.yaml" --dataset test-data/tabular/penguins.csv --output_directory "$T/p" >"$T/p.log" 2>&1 ||
    { fail "penguins experiment"; cat "$T/p.log"; }
P=$T/p/experiment_run
cat >"$T/b.yaml" <<'YAML'
input_features:
  - {name: mean_radius, type: number}
  - {name: mean_texture, type: number}
  - {name: mean_concave_points, type: number}
output_features:
  - {name: diagnosis, type: binary, preprocessing: {fallback_true_label: malignant}}
trainer: {epochs: 4}
YAML
"$LUDWIG_C" experiment --config "$T/b.yaml" --dataset test-data/tabular/breast_cancer.csv --output_directory "$T/b" >"$T/b.log" 2>&1 ||
    { fail "breast cancer experiment"; cat "$T/b.log"; }
B=$T/b/experiment_run

for fmt in svg pdf; do
    O=$T/$fmt
    viz "$O" -v learning_curves --training_statistics "$P/training_statistics.json" --file_format $fmt
    for f in combined_loss species_loss species_accuracy body_mass_g_loss; do has "$O/learning_curves_$f.$fmt"; done
    viz "$O" -v compare_performance --test_statistics "$P/test_statistics.json" --file_format $fmt
    has "$O/compare_performance_species.$fmt"
    has "$O/compare_performance_body_mass_g.$fmt"
    viz "$O" -v confusion_matrix --test_statistics "$P/test_statistics.json" --ground_truth_metadata "$P/model/training_set_metadata.json" \
        --top_n_classes 2 0 --file_format $fmt
    for f in confusion_matrix__species_top2 confusion_matrix__species_top3 confusion_matrix_entropy__species_top3; do has "$O/$f.$fmt"; done
    viz "$O" -v frequency_vs_f1 --test_statistics "$P/test_statistics.json" --ground_truth_metadata "$P/model/training_set_metadata.json" --file_format $fmt
    has "$O/frequency_vs_f1__species.$fmt"
    viz "$O" -v compare_classifiers_multiclass_multimetric --test_statistics "$P/test_statistics.json" \
        --ground_truth_metadata "$P/model/training_set_metadata.json" --top_n_classes 2 --file_format $fmt
    for f in top2 best2 worst2 sorted; do has "$O/compare_classifiers_multiclass_multimetric__species_$f.$fmt"; done
    viz "$O" -v roc_curves_from_test_statistics --test_statistics "$B/test_statistics.json" --file_format $fmt
    has "$O/roc_curves_from_prediction_statistics.$fmt"
    viz "$O" -v precision_recall_curves_from_test_statistics --test_statistics "$B/test_statistics.json" --file_format $fmt
    has "$O/precision_recall_curves_from_prediction_statistics.$fmt"
    viz "$O" -v hyperopt_report --hyperopt_stats_path test-data/temperature_hyperopt_statistics.json --file_format $fmt
    has "$O/hyperopt_trainer.learning_rate.$fmt"
    # upstream's own Ludwig statistics
    viz "$O" -v learning_curves --training_statistics test-data/temp_training_statistics.json --file_format $fmt
    has "$O/learning_curves_temperature_loss.$fmt"
    viz "$O" -v compare_performance --test_statistics test-data/temp_test_statistics.json --file_format $fmt
    has "$O/compare_performance_temperature.$fmt"
done
n_svg=$(ls "$T/svg" | wc -l)
n_pdf=$(ls "$T/pdf" | wc -l)
[ "$n_svg" -eq "$n_pdf" ] || fail "$n_svg SVG figures but $n_pdf PDF figures"
for f in "$T"/pdf/*.pdf; do $PY $CHK pdf "$f" >/dev/null || fail "$f is not a valid PDF"; done
S=$T/svg
$PY $CHK compare_performance "$S/compare_performance_species.svg" "$P/test_statistics.json" species || fail "compare_performance species"
$PY $CHK compare_performance "$S/compare_performance_temperature.svg" test-data/temp_test_statistics.json temperature || fail "compare_performance temperature"
$PY $CHK confusion_matrix "$S/confusion_matrix__species_top3.svg" "$P/test_statistics.json" species 3 || fail "confusion matrix"
$PY $CHK confusion_matrix "$S/confusion_matrix__species_top2.svg" "$P/test_statistics.json" species 2 || fail "confusion matrix top 2"
$PY $CHK learning_curves "$S/learning_curves_species_accuracy.svg" "$P/training_statistics.json" species accuracy || fail "learning curves"
$PY $CHK learning_curves "$S/learning_curves_temperature_loss.svg" test-data/temp_training_statistics.json temperature loss || fail "upstream learning curves"
$PY $CHK curve "$S/roc_curves_from_prediction_statistics.svg" "$B/test_statistics.json" diagnosis roc_curve false_positive_rate || fail "roc"
$PY $CHK curve "$S/precision_recall_curves_from_prediction_statistics.svg" "$B/test_statistics.json" diagnosis precision_recall_curve recalls || fail "pr"
$PY $CHK hyperopt "$S/hyperopt_trainer.learning_rate.svg" test-data/temperature_hyperopt_statistics.json trainer.learning_rate || fail "hyperopt"
grep -q "(Hyperopt Report: trainer.learning_rate) Tj" "$T/pdf/hyperopt_trainer.learning_rate.pdf" || fail "the PDF's title text"

# --- the views drawn from rows: each model's predictions_parquet.csv against the dataset's
# output column (the test rows, split 2), on the wine cultivars (a category output, 3 classes)
# and the breast-cancer diagnoses (binary)
sed 's/epochs: [0-9]*/epochs: 15/' test-data/tabular/wine_config.yaml >"$T/w.yaml"
"$LUDWIG_C" experiment --config "$T/w.yaml" --dataset test-data/tabular/wine.csv --output_directory "$T/w" >"$T/w.log" 2>&1 ||
    { fail "wine experiment"; cat "$T/w.log"; }
W=$T/w/experiment_run
WROWS="--ground_truth test-data/tabular/wine.csv --ground_truth_metadata $W/model/training_set_metadata.json --output_feature_name cultivar"
TWO="--probabilities $W/predictions_parquet.csv $W/predictions_parquet.csv --model_names a b"
BROWS="--probabilities $B/predictions_parquet.csv --ground_truth test-data/tabular/breast_cancer.csv --ground_truth_metadata $B/model/training_set_metadata.json --output_feature_name diagnosis"
for fmt in svg pdf; do
    R=$T/rows_$fmt
    for v in compare_classifiers_performance_from_prob compare_classifiers_performance_from_pred \
        compare_classifiers_performance_changing_k compare_classifiers_predictions \
        compare_classifiers_predictions_distribution confidence_thresholding \
        confidence_thresholding_data_vs_acc calibration_1_vs_all calibration_multiclass roc_curves \
        precision_recall_curves; do
        viz "$R" -v $v $TWO $WROWS --file_format $fmt
    done
    for v in compare_classifiers_performance_subset confidence_thresholding_data_vs_acc_subset \
        confidence_thresholding_data_vs_acc_subset_per_class; do
        viz "$R" -v $v $TWO $WROWS --top_n_classes 2 --file_format $fmt
    done
    for v in confidence_thresholding_2thresholds_2d confidence_thresholding_2thresholds_3d; do
        viz "$R" -v $v --probabilities "$W/predictions_parquet.csv" --ground_truth test-data/tabular/wine.csv \
            --ground_truth_metadata "$W/model/training_set_metadata.json" --threshold_output_feature_names cultivar cultivar --file_format $fmt
    done
    viz "$R/binary" -v binary_threshold_vs_metric $BROWS --metrics f1 accuracy --file_format $fmt
    viz "$R/binary" -v roc_curves $BROWS --file_format $fmt
    for f in compare_classifiers_performance_from_prob compare_classifiers_performance_from_pred \
        compare_classifiers_performance_changing_k compare_classifiers_predictions_a_b \
        compare_classifiers_predictions_distribution confidence_thresholding confidence_thresholding_data_vs_acc \
        calibration_1_vs_all_0 calibration_1_vs_all_brier calibration_multiclass calibration_multiclass_brier \
        roc_curves precision_recall_curve compare_classifiers_performance_subset \
        confidence_thresholding_data_vs_acc_subset confidence_thresholding_2thresholds_2d_multiline \
        confidence_thresholding_2thresholds_3d binary/binary_threshold_vs_metric_f1 \
        binary/binary_threshold_vs_metric_accuracy binary/roc_curves; do
        has "$R/$f.$fmt"
    done
done
for f in "$T"/rows_pdf/*.pdf "$T"/rows_pdf/binary/*.pdf; do $PY $CHK pdf "$f" >/dev/null || fail "$f is not a valid PDF"; done
for f in "$T"/rows_svg/*.svg "$T"/rows_svg/binary/*.svg; do
    $PY -c "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])" "$f" 2>/dev/null || fail "$f is not valid SVG"
done
# the accuracy drawn from the predictions file is the experiment's own accuracy_micro on those rows
$PY - "$T/rows_svg/compare_classifiers_performance_from_prob.svg" "$W/test_statistics.json" <<'PYEOF' || fail "from_prob accuracy"
import json, re, sys, xml.dom.minidom
d = xml.dom.minidom.parse(sys.argv[1])
t = [x.firstChild.data for x in d.getElementsByTagName("text") if x.firstChild]
want = "%.4f" % json.load(open(sys.argv[2]))["cultivar"]["accuracy_micro"]
got = t[t.index("a accuracy") + 1]
if got != want:
    sys.exit("from_prob draws accuracy %s, the test statistics say %s" % (got, want))
print("visualize: compare_classifiers_performance_from_prob accuracy %s = test accuracy_micro" % got)
PYEOF
n_rows=$(ls "$T/rows_svg" "$T/rows_svg/binary" | grep -c svg)
refuse "needs --ground_truth" -v roc_curves --probabilities "$W/predictions_parquet.csv" --output_feature_name cultivar
refuse "Parquet files are not read" -v roc_curves --probabilities x.parquet --ground_truth test-data/tabular/wine.csv \
    --ground_truth_metadata "$W/model/training_set_metadata.json" --output_feature_name cultivar
refuse "predictions for .* ground-truth rows" -v roc_curves --probabilities "$W/predictions_parquet.csv" --ground_truth test-data/tabular/wine.csv \
    --ground_truth_metadata "$W/model/training_set_metadata.json" --output_feature_name cultivar --ground_truth_split 0

# --- PNG (Ludwig's other format): twice the chart's size, the same drawing
viz "$T/png" -v confusion_matrix --test_statistics "$P/test_statistics.json" --ground_truth_metadata "$P/model/training_set_metadata.json" --file_format png
viz "$T/png" -v hyperopt_report --hyperopt_stats_path test-data/temperature_hyperopt_statistics.json --file_format png
viz "$T/png" -v confidence_thresholding $TWO $WROWS --file_format png
for f in confusion_matrix__species_top3 confusion_matrix_entropy__species_top3 hyperopt_trainer.learning_rate confidence_thresholding; do
    has "$T/png/$f.png"
    $PY - "$T/png/$f.png" "$T/svg/$f.svg" "$T/rows_svg/$f.svg" <<'PYEOF' || fail "$f.png"
import os, re, struct, sys
data = open(sys.argv[1], "rb").read()
svg = next(p for p in sys.argv[2:] if os.path.exists(p))
w, h = (int(re.search(r'%s="(\d+)"' % k, open(svg).read()).group(1)) for k in ("width", "height"))
if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
    sys.exit("%s: not a PNG" % sys.argv[1])
pw, ph = struct.unpack(">II", data[16:24])
if (pw, ph) != (2 * w, 2 * h) or len(data) < 10000:
    sys.exit("%s: %dx%d, %d bytes; the SVG is %dx%d" % (sys.argv[1], pw, ph, len(data), w, h))
PYEOF
done

# two models side by side
viz "$T/two" -v compare_performance --test_statistics "$P/test_statistics.json" "$P/test_statistics.json" --model_names first second --file_format svg
grep -q "accuracy (first)" "$T/two/compare_performance_species.svg" && grep -q "accuracy (second)" "$T/two/compare_performance_species.svg" ||
    fail "two models' bars"
viz "$T/two" -v confusion_matrix --test_statistics "$P/test_statistics.json" --model_names first --file_format svg
has "$T/two/confusion_matrix_first_species_top3.svg"

# mistakes
refuse "'no_such_view' is not one of Ludwig's visualizations" -v no_such_view --test_statistics "$P/test_statistics.json"
refuse "calibration_1_vs_all needs --probabilities" -v calibration_1_vs_all --test_statistics "$P/test_statistics.json"
refuse "hyperopt_hiplot is not drawn by ludwig-c" -v hyperopt_hiplot --hyperopt_stats_path test-data/temperature_hyperopt_statistics.json
refuse "frequency_vs_f1 needs --ground_truth_metadata" -v frequency_vs_f1 --test_statistics "$P/test_statistics.json"
refuse "learning_curves\|needs --training_statistics" -v learning_curves --test_statistics "$P/test_statistics.json"
refuse "nothing to draw: the statistics hold no a confusion_matrix\|nothing to draw" -v confusion_matrix --test_statistics test-data/temp_test_statistics.json
refuse "no output feature has a roc_curve" -v roc_curves_from_test_statistics --test_statistics "$P/test_statistics.json"
refuse "'jpg': ludwig-c writes pdf" -v compare_performance --test_statistics "$P/test_statistics.json" --file_format jpg
refuse "no output feature 'nope'" -v compare_performance --test_statistics "$P/test_statistics.json" --output_feature_name nope
[ ! -e "$T/bad" ] || fail "a refused visualization wrote $T/bad"

[ $fails -eq 0 ] && echo "test_visualize: ok ($n_svg statistics figures and $n_rows row figures in each format)"
exit $fails
