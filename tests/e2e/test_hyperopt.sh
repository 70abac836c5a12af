#!/bin/sh
# hyperopt (issue 15). Upstream Galaxy-Ludwig's own temperature_hyperopt.yml (older style:
# training., type numerical, search_alg random, 2 samples of a uniform learning rate), unchanged,
# on the Seattle temperatures: its two trials draw exactly the learning rates upstream's
# temperature_hyperopt_statistics.json records (0.07741820925074075, 0.04394395613123003: Ray
# Tune's draws from numpy's default_rng(42)). A grid x log-uniform search (plus a choice over a
# feature's normalization and a quantized batch size) on a real table, the Wisconsin breast-cancer
# diagnoses, maximizing the binary output's roc_auc: 6 trials whose parameters equal
# tests/e2e/check_hyperopt.py's re-drawing with numpy, best first, each score its best epoch; the
# same hyperopt_statistics.json byte for byte whether the trials run one at a time on one thread or
# two at a time, and the same results one at a time on two threads (max_concurrent_trials 1). The report and its SVGs; the best run's model
# predicts. Mistakes (a search algorithm or scheduler ludwig-c does not run, an unknown space, a
# missing argument, no hyperopt section, an output feature that is not one, an existing trials
# directory) are refused with a message naming the file and key, and leave nothing behind.
# time_budget_s stops the search, listing only the trials that finished.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3
LUDWIG_C=${LUDWIG_C:-build/ludwig-c}
fails=0
fail() { echo "FAIL hyperopt: $*"; fails=$((fails + 1)); }

# --- upstream's own case
"$LUDWIG_C" hyperopt --config test-data/temperature_hyperopt.yml --dataset test-data/temperature_seattle.csv \
    --output_directory "$T/temp" >"$T/temp.out" 2>"$T/temp.log" || { fail "temperature_hyperopt.yml"; cat "$T/temp.log"; }
$PY - "$T/temp/hyperopt/hyperopt_statistics.json" <<'PYEOF' || fail "upstream's learning rates"
import json, sys
s = json.load(open(sys.argv[1]))
lrs = sorted(r["parameters"]["trainer.learning_rate"] for r in s["hyperopt_results"])
want = sorted([0.07741820925074075, 0.04394395613123003])  # upstream's temperature_hyperopt_statistics.json
if lrs != want:
    sys.exit("learning rates %r, upstream drew %r" % (lrs, want))
if s["hyperopt_config"]["parameters"] != {"trainer.learning_rate": {"lower": 0.0001, "space": "uniform", "upper": 0.1}}:
    sys.exit("hyperopt_config.parameters %r" % s["hyperopt_config"]["parameters"])
print("temperature_hyperopt.yml: learning rates %r as upstream's" % lrs)
PYEOF
$PY tests/e2e/check_hyperopt.py "$T/temp" test-data/temperature_hyperopt.yml >"$T/temp.check" || { fail "temperature trials"; cat "$T/temp.check"; }
grep -q "^Current best trial: [0-9a-f]\{5\}_0000[01] with metric_score=" "$T/temp.out" || fail "Ray's 'Current best trial' line on stdout"
best=$(grep "^Current best trial:" "$T/temp.out" | tail -1 | cut -d" " -f 4)
[ -f "$T/temp/hyperopt/trial_$best/hyperopt_run/model/model_weights" ] || fail "the best trial's model (upstream's wrapper copies it)"
[ -f "$T/temp/ludwig_hyperopt_report.html" ] || fail "no report"
[ -f "$T/temp/visualizations/hyperopt_trainer.learning_rate.svg" ] || fail "no hyperopt_trainer.learning_rate.svg"
grep -q "Current best trial" "$T/temp.log" && fail "progress and results mixed on stderr"

# --- grid x log-uniform on a real table, three ways
D=test-data/tabular/breast_cancer.csv
cat >"$T/g.yaml" <<'YAML'
input_features:
  - {name: mean_radius, type: number}
  - {name: mean_texture, type: number}
  - {name: mean_concave_points, type: number}
output_features:
  - {name: diagnosis, type: binary, preprocessing: {fallback_true_label: malignant}}
combiner: {type: concat, num_fc_layers: 1}
trainer: {epochs: 3}
hyperopt:
  goal: maximize
  output_feature: diagnosis
  metric: roc_auc
  split: validation
  parameters:
    trainer.learning_rate: {space: loguniform, lower: 0.0001, upper: 0.1}
    combiner.output_size: {space: grid_search, values: [8, 32]}
    mean_radius.preprocessing.normalization: {space: choice, categories: [zscore, minmax]}
    trainer.batch_size: {space: qrandint, lower: 16, upper: 64, q: 16}
  executor: {num_samples: 3, cpu_resources_per_trial: 1}
  search_alg: {type: variant_generator, random_state: 7}
YAML
sed 's/cpu_resources_per_trial: 1}/cpu_resources_per_trial: 1, max_concurrent_trials: 1}/' "$T/g.yaml" >"$T/g1.yaml"
"$LUDWIG_C" hyperopt --config "$T/g.yaml" --dataset "$D" --output_directory "$T/g_serial" --threads 1 >"$T/gs.out" 2>"$T/gs.log" ||
    { fail "grid search, one thread"; cat "$T/gs.log"; }
"$LUDWIG_C" hyperopt --config "$T/g.yaml" --dataset "$D" --output_directory "$T/g_conc" --threads 2 >"$T/gc.out" 2>"$T/gc.log" ||
    { fail "grid search, two at a time"; cat "$T/gc.log"; }
"$LUDWIG_C" hyperopt --config "$T/g1.yaml" --dataset "$D" --output_directory "$T/g_two" --threads 2 >"$T/g2.out" 2>"$T/g2.log" ||
    { fail "grid search, one at a time on two threads"; cat "$T/g2.log"; }
grep -q "6 trial(s) (variant_generator, random_state 7), 2 at a time with 1 thread(s) each" "$T/gc.log" || fail "the concurrency line"
grep -q "6 trial(s) (variant_generator, random_state 7), 1 at a time with 2 thread(s) each" "$T/g2.log" || fail "max_concurrent_trials 1"
$PY tests/e2e/check_hyperopt.py "$T/g_conc" "$T/g.yaml" || fail "grid trials"
cmp -s "$T/g_serial/hyperopt/hyperopt_statistics.json" "$T/g_conc/hyperopt/hyperopt_statistics.json" ||
    fail "trials run two at a time differ from one at a time"
$PY -c 'import json, sys; a, b = (json.load(open(f))["hyperopt_results"] for f in sys.argv[1:]); sys.exit(a != b)' \
    "$T/g_serial/hyperopt/hyperopt_statistics.json" "$T/g_two/hyperopt/hyperopt_statistics.json" ||
    fail "trials on two threads differ from one thread"
for f in hyperopt_trainer.learning_rate.svg hyperopt_combiner.output_size.svg hyperopt_pair_plot.svg \
    hyperopt_mean_radius.preprocessing.normalization.svg hyperopt_trainer.batch_size.svg; do
    $PY -c "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])" "$T/g_conc/visualizations/$f" 2>/dev/null ||
        fail "visualizations/$f is missing or not valid SVG"
done
# the report's table: the statistics' scores, best first
$PY - "$T/g_conc" <<'PYEOF' || fail "report trials table"
import json, re, sys
d = sys.argv[1]
s = json.load(open(d + "/hyperopt/hyperopt_statistics.json"))
html = open(d + "/ludwig_hyperopt_report.html").read()
want = [repr(r["metric_score"]) for r in s["hyperopt_results"]]
sec = html[html.index('id="trials"'):html.index('id="parameters"')]
got = re.findall(r'<td[^>]*title="([^"]*)"[^>]*>[^<]*</td>\s*</tr>', sec)
if got != want:
    sys.exit("report scores %r, statistics %r" % (got, want))
print("report: %d trials, best first, scores as the statistics" % len(got))
PYEOF
# the best trial's model predicts
best=$(grep "^Current best trial:" "$T/gc.out" | tail -1 | cut -d" " -f 4)
"$LUDWIG_C" predict --model_path "$T/g_conc/hyperopt/trial_$best/hyperopt_run/model" --dataset "$D" \
    --output_directory "$T/pred" >"$T/pred.log" 2>&1 || { fail "predict with the best model"; cat "$T/pred.log"; }
[ "$(wc -l <"$T/pred/predictions_parquet.csv")" -eq 570 ] || fail "the best model's predictions"

# --- the log spaces (base 2, quantized floats and integers), each draw as Ray's from numpy; four
# 1-epoch trials two at a time reach libxml2 (their reports) at the same moment in a fresh
# process: before rep_xml_init that could deadlock, so the run is bounded by a KILL timeout
cat >"$T/lq.yaml" <<'YAML'
input_features: [{name: mean_radius, type: number}]
output_features: [{name: diagnosis, type: binary, preprocessing: {fallback_true_label: malignant}}]
trainer: {epochs: 1}
hyperopt:
  parameters:
    trainer.learning_rate: {space: qloguniform, lower: 0.001, upper: 0.1, q: 0.001}
    combiner.output_size: {space: qlograndint, lower: 8, upper: 64, q: 8}
    trainer.batch_size: {space: lograndint, lower: 16, upper: 128}
    combiner.dropout: {space: loguniform, lower: 0.01, upper: 0.5, base: 2}
  executor: {num_samples: 4}
YAML
for k in 1 2 3; do
    rm -rf "$T/lq"
    timeout -s KILL 120 "$LUDWIG_C" hyperopt --config "$T/lq.yaml" --dataset "$D" --output_directory "$T/lq" --threads 2 \
        >"$T/lq.out" 2>"$T/lq.log" || { fail "log spaces, run $k (exit $?: 137 is a hang)"; tail -3 "$T/lq.log"; break; }
done
$PY tests/e2e/check_hyperopt.py "$T/lq" "$T/lq.yaml" >"$T/lq.check" || { fail "log-space trials"; cat "$T/lq.check"; }

# --- time_budget_s: the search stops when it runs out; unfinished trials are left out
cat >"$T/tb.yaml" <<'YAML'
input_features: [{name: mean_radius, type: number}, {name: mean_texture, type: number}]
output_features: [{name: diagnosis, type: binary, preprocessing: {fallback_true_label: malignant}}]
trainer: {epochs: 3000, early_stop: -1}
hyperopt:
  parameters: {trainer.learning_rate: {space: loguniform, lower: 0.0001, upper: 0.1}}
  executor: {num_samples: 50, time_budget_s: 2}
YAML
# how many trials finish depends on the machine (a sanitizer build may finish none): either some
# finish and are the only ones listed, or none does and the search says so and leaves nothing
if "$LUDWIG_C" hyperopt --config "$T/tb.yaml" --dataset "$D" --output_directory "$T/tb" --threads 2 >"$T/tb.out" 2>"$T/tb.log"; then
    grep -q "time_budget_s (2 s) reached: [0-9]* of 50 trials finished" "$T/tb.log" || fail "time budget warning"
    $PY -c 'import json, sys; r = json.load(open(sys.argv[1]))["hyperopt_results"]; sys.exit(not 0 < len(r) < 50)' \
        "$T/tb/hyperopt/hyperopt_statistics.json" || fail "time budget results"
else
    grep -q "time_budget_s (2 s) ran out before any trial finished" "$T/tb.log" || { fail "time_budget_s"; tail -3 "$T/tb.log"; }
    [ ! -e "$T/tb/hyperopt" ] || fail "a search out of time left its trials"
fi

# --- no parameters (Ludwig's default {}): num_samples trials of the config as it is
printf 'input_features: [{name: mean_radius, type: number}]\noutput_features: [{name: diagnosis, type: binary, preprocessing: {fallback_true_label: malignant}}]\ntrainer: {epochs: 2}\nhyperopt:\n  executor: {type: ray}\n' >"$T/np.yaml"
"$LUDWIG_C" hyperopt --config "$T/np.yaml" --dataset "$D" --output_directory "$T/np" >"$T/np.out" 2>"$T/np.log" || { fail "no parameters"; tail -3 "$T/np.log"; }
$PY -c 'import json, sys; r = json.load(open(sys.argv[1]))["hyperopt_results"]; sys.exit(not (len(r) == 1 and r[0]["parameters"] == {}))' \
    "$T/np/hyperopt/hyperopt_statistics.json" || fail "no parameters: one trial with parameters {}"

# --- mistakes
err() { # name, expected message part, config (on stdin)
    cat >"$T/e.yaml"
    rm -rf "$T/e"
    if "$LUDWIG_C" hyperopt --config "$T/e.yaml" --dataset "$D" --output_directory "$T/e" >"$T/e.out" 2>"$T/e.log"; then
        fail "$1: accepted"
    elif ! grep -q "$2" "$T/e.log"; then
        fail "$1: message"; cat "$T/e.log"
    elif [ -e "$T/e/hyperopt" ]; then
        fail "$1: left $T/e/hyperopt"
    fi
}
BASE='input_features: [{name: mean_radius, type: number}]
output_features: [{name: diagnosis, type: binary, preprocessing: {fallback_true_label: malignant}}]
trainer: {epochs: 1}'
printf '%s\nhyperopt:\n  search_alg: {type: hyperopt}\n  parameters: {trainer.learning_rate: {space: uniform, lower: 0.001, upper: 0.1}}\n' "$BASE" |
    err "search_alg hyperopt" "e.yaml:5:[0-9]*: hyperopt.search_alg.type: 'hyperopt' .* not supported by ludwig-c"
printf '%s\nhyperopt:\n  executor: {scheduler: {type: async_hyperband}}\n  parameters: {trainer.learning_rate: {space: uniform, lower: 0.001, upper: 0.1}}\n' "$BASE" |
    err "scheduler asha" "hyperopt.executor.scheduler.type: 'async_hyperband' .* use fifo"
printf '%s\nhyperopt:\n  parameters: {trainer.learning_rate: {space: gaussian, lower: 0.001, upper: 0.1}}\n' "$BASE" |
    err "unknown space" "hyperopt.parameters.trainer.learning_rate.space: 'gaussian' is not a search space"
printf '%s\nhyperopt:\n  parameters: {trainer.learning_rate: {space: loguniform, lower: 0.001}}\n' "$BASE" |
    err "missing upper" "hyperopt.parameters.trainer.learning_rate: space loguniform needs upper"
printf '%s\nhyperopt:\n  parameters: {trainer.learning_rate: {space: loguniform, lower: 0.001, uper: 0.1}}\n' "$BASE" |
    err "misspelt key" "hyperopt.parameters.trainer.learning_rate.uper: not a key"
printf '%s\n' "$BASE" | err "no hyperopt section" "the config has no hyperopt section"
printf '%s\nhyperopt:\n  output_feature: mean_radius\n  metric: loss\n  parameters: {trainer.learning_rate: {space: uniform, lower: 0.001, upper: 0.1}}\n' "$BASE" |
    err "input as output_feature" "hyperopt.output_feature: 'mean_radius' is not an output feature"
printf '%s\nhyperopt:\n  metric: accuracy\n  parameters: {trainer.learning_rate: {space: uniform, lower: 0.001, upper: 0.1}}\n' "$BASE" |
    err "combined accuracy" "the only metric of output_feature combined is loss"
printf '%s\nhyperopt:\n  parameters: {combiner.num_fc_layers: {space: choice, categories: [1, -3]}}\n  executor: {num_samples: 4}\n' "$BASE" |
    err "a value the config refuses" "hyperopt trial [0-9a-f]*_0000[0-3] with parameters {\"combiner.num_fc_layers\": -3}: .*e.yaml:[0-9]*:[0-9]*: combiner.num_fc_layers"
mkdir -p "$T/x/hyperopt"
if "$LUDWIG_C" hyperopt --config test-data/temperature_hyperopt.yml --dataset test-data/temperature_seattle.csv \
    --output_directory "$T/x" >/dev/null 2>"$T/x.log"; then fail "an existing trials directory was reused"
else grep -q "already exists" "$T/x.log" || fail "existing directory message"; fi

[ $fails -eq 0 ] && echo "test_hyperopt: ok"
exit $fails
