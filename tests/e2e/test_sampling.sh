#!/bin/sh
# preprocessing.sample_ratio / sample_size (rows sampled before anything is computed, Python's
# round(frac * n)) and oversample_minority / undersample_majority (the training split of the
# binary output balanced), with Ludwig's refusals.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
LUDWIG_C=${LUDWIG_C:-build/ludwig-c}
D=$(pwd)/test-data/tabular
fails=0
IN='input_features: [{name: mean_radius, type: number}, {name: mean_texture, type: number}]
output_features: [{name: diagnosis, type: binary}]
trainer: {epochs: 1}'
check() { # check NAME PATTERN LOG
    grep -qF -- "$2" "$3" || { echo "FAIL $1: no '$2' in:"; cat "$3"; fails=$((fails + 1)); }
}
printf '%s\npreprocessing: {sample_ratio: 0.5, split: {type: fixed, column: split}}\n' "$IN" > "$T/ratio.yaml"
"$LUDWIG_C" experiment --config "$T/ratio.yaml" --dataset "$D/breast_cancer.csv" --output_directory "$T/r" > "$T/r.log" 2>&1
check sample_ratio "sampled 284 of 569 rows" "$T/r.log"
printf '%s\npreprocessing: {sample_ratio: 0.8, sample_size: 100}\n' "$IN" > "$T/size.yaml"
"$LUDWIG_C" experiment --config "$T/size.yaml" --dataset "$D/breast_cancer.csv" --output_directory "$T/s" > "$T/s.log" 2>&1
check sample_size "sampled 80 of 569 rows" "$T/s.log"
printf '%s\npreprocessing: {sample_size: 5000}\n' "$IN" > "$T/big.yaml"
"$LUDWIG_C" experiment --config "$T/big.yaml" --dataset "$D/breast_cancer.csv" --output_directory "$T/b" > "$T/b.log" 2>&1
check sample_size_ignored "sample_size 5000 is not below the 569 rows: it is ignored" "$T/b.log"
printf '%s\npreprocessing: {oversample_minority: 1.0, split: {type: fixed, column: split}}\n' "$IN" > "$T/over.yaml"
"$LUDWIG_C" experiment --config "$T/over.yaml" --dataset "$D/breast_cancer.csv" --output_directory "$T/o" > "$T/o.log" 2>&1
check oversample "balanced the training split of 'diagnosis': 245 minority + 245 majority rows (was 153 + 245)" "$T/o.log"
check oversample_rows "training on 490 rows" "$T/o.log"
printf '%s\npreprocessing: {undersample_majority: 1.0, split: {type: fixed, column: split}}\n' "$IN" > "$T/under.yaml"
"$LUDWIG_C" experiment --config "$T/under.yaml" --dataset "$D/breast_cancer.csv" --output_directory "$T/u" > "$T/u.log" 2>&1
check undersample "balanced the training split of 'diagnosis': 153 minority + 153 majority rows (was 153 + 245)" "$T/u.log"
# refusals (pandas cannot take more rows than there are without replacement: Ludwig fails too)
printf '%s\npreprocessing: {undersample_majority: 0.5, split: {type: fixed, column: split}}\n' "$IN" > "$T/under2.yaml"
if "$LUDWIG_C" experiment --config "$T/under2.yaml" --dataset "$D/breast_cancer.csv" --output_directory "$T/u2" > "$T/u2.log" 2>&1; then
    echo "FAIL undersample_majority 0.5 accepted"; fails=$((fails + 1))
fi
check undersample_too_few "undersample_majority 0.5 would keep 306 of the 245 majority rows" "$T/u2.log"
printf '%s\npreprocessing: {sample_ratio: 0.001}\n' "$IN" > "$T/tiny.yaml"
if "$LUDWIG_C" experiment --config "$T/tiny.yaml" --dataset "$D/breast_cancer.csv" --output_directory "$T/t" > "$T/t.log" 2>&1; then
    echo "FAIL tiny sample_ratio accepted"; fails=$((fails + 1))
fi
check tiny_ratio "preprocessing.sample_ratio 0.001 is too small for a dataset of 569 rows" "$T/t.log"
[ ! -e "$T/t/experiment_run" ] || { echo "FAIL tiny sample_ratio left outputs"; fails=$((fails + 1)); }
printf 'input_features: [{name: mean_radius, type: number}]\noutput_features: [{name: mean_area, type: number}]\npreprocessing: {oversample_minority: 0.5}\n' > "$T/num.yaml"
if "$LUDWIG_C" experiment --config "$T/num.yaml" --dataset "$D/breast_cancer.csv" --output_directory "$T/n" > "$T/n.log" 2>&1; then
    echo "FAIL balancing a number output accepted"; fails=$((fails + 1))
fi
check balance_type "preprocessing.oversample_minority: balancing needs exactly one output feature, of type binary" "$T/n.log"
printf '%s\npreprocessing: {oversample_minority: 0.5, undersample_majority: 0.5}\n' "$IN" > "$T/both.yaml"
if "$LUDWIG_C" experiment --config "$T/both.yaml" --dataset "$D/breast_cancer.csv" --output_directory "$T/bo" > "$T/bo.log" 2>&1; then
    echo "FAIL both balancing keys accepted"; fails=$((fails + 1))
fi
check balance_both "oversample_minority and undersample_majority cannot be combined" "$T/bo.log"
[ $fails -eq 0 ] && echo "test_sampling: ok"
exit $fails
