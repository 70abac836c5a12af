#!/bin/sh
# End to end: the tutorial config on test-data/ (real MNIST digits, images read from the zip),
# every output file checked against Ludwig's formats; same seed twice gives identical weights;
# 1, 2, 3 and 16 threads give bitwise-identical weights and statistics.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
run() {
    "$LUDWIG_C" experiment --config test-data/config.yaml --dataset test-data/mnist_dataset.csv \
        --raw_data test-data/mnist_images.zip --output_directory "$T/$1" --threads "$2" \
        --random_seed 42 2>"$T/$1.log"
}
run a 2
/usr/bin/python3 tests/e2e/check_outputs.py "$T/a/experiment_run" test-data/mnist_dataset.csv label 0.80
test -f "$T/a/ludwig_experiment_report.html"
grep -q "Ludwig Experiment" "$T/a/ludwig_experiment_report.html"
grep -q "^epoch 5/5" "$T/a.log"
# each epoch line: the epoch's time, then its training time (no evaluation in it) and the
# training samples/s that bench/resnet/*.sh read, then the ETA
/usr/bin/python3 - "$T/a.log" <<'EOF'
import re, sys
lines = [l for l in open(sys.argv[1]) if l.startswith("epoch ")]
assert len(lines) == 5, lines
for l in lines:
    m = re.search(r"  ([\d.]+)s \(training ([\d.]+)s, (\d+) samples/s\)  ETA ", l)
    assert m, "epoch line without its training time and samples/s: " + l
    assert float(m.group(2)) <= float(m.group(1)), "training time past the epoch's: " + l
    assert int(m.group(3)) > 0, l
EOF
run b 2
cmp "$T/a/experiment_run/model/model_weights" "$T/b/experiment_run/model/model_weights"
run c 3
cmp "$T/a/experiment_run/model/model_weights" "$T/c/experiment_run/model/model_weights"
run d 1
cmp "$T/a/experiment_run/model/model_weights" "$T/d/experiment_run/model/model_weights"
run e 16
cmp "$T/a/experiment_run/model/model_weights" "$T/e/experiment_run/model/model_weights"
cmp "$T/a/experiment_run/test_statistics.json" "$T/e/experiment_run/test_statistics.json"
ls -a "$T/a" | grep -q partial && { echo "staging directory left behind"; exit 1; }
echo "test_experiment: ok"
