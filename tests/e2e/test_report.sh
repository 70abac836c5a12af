#!/bin/sh
# End to end: ludwig_experiment_report.html of the tutorial run on test-data/ - every section, every
# number equal to test_statistics.json / training_statistics.json (tests/report/check_report.py),
# and readable after Galaxy's sanitizer (tests/report/galaxy_sanitize.py). The checker must catch
# a wrong number; class names with markup are escaped; a run without a test split still reports.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3

"$LUDWIG_C" experiment --config test-data/config.yaml --dataset test-data/mnist_dataset.csv \
    --raw_data test-data/mnist_images.zip --output_directory "$T/a" --threads 2 2>"$T/a.log"
R="$T/a/ludwig_experiment_report.html"
$PY tests/report/check_report.py "$R" "$T/a/experiment_run"
$PY tests/report/galaxy_sanitize.py "$R" "$T/sanitized.html"

# the checker fails on a wrong number (kappa_score's exact value altered in the page)
$PY - "$R" "$T/a/experiment_run/test_statistics.json" "$T/wrong.html" <<'EOF'
import json, sys
html = open(sys.argv[1]).read()
ts = json.load(open(sys.argv[2]))
feat = [k for k in ts if k != "combined"][0]
v = repr(ts[feat]["overall_stats"]["kappa_score"])
assert f'title="{v}"' in html, v
open(sys.argv[3], "w").write(html.replace(f'title="{v}"', f'title="{float(v) + 1e-6!r}"', 1))
EOF
if $PY tests/report/check_report.py "$T/wrong.html" "$T/a/experiment_run" 2>"$T/wrong.log"; then
    echo "check_report accepted a wrong number"; exit 1
fi
grep -q "kappa_score" "$T/wrong.log"
# ... and the sanitizer check fails when a stylesheet would leak as text
sed 's#<body>#<body><style>td{color:red}</style>#' "$R" >"$T/leak.html"
if $PY tests/report/galaxy_sanitize.py "$T/leak.html" 2>"$T/leak.log"; then
    echo "galaxy_sanitize accepted a leaking <style>"; exit 1
fi

# class names with markup, quotes and commas: escaped in every table, chart and caption
$PY - test-data/mnist_dataset.csv "$T/hostile.csv" <<'EOF'
import csv, sys
names = {"1": "<script>alert(1)</script>", "2": 'a&b, "c"', "3": "\u00fcn\u00ef"}
with open(sys.argv[1], newline="") as f, open(sys.argv[2], "w", newline="") as g:
    r, w = csv.reader(f), csv.writer(g)
    w.writerow(next(r))
    for row in r:
        row[1] = names.get(row[1], row[1])
        w.writerow(row)
EOF
sed 's/epochs: 5/epochs: 1/' test-data/config.yaml >"$T/config1.yaml"
grep -q "epochs: 1" "$T/config1.yaml"
"$LUDWIG_C" experiment --config "$T/config1.yaml" --dataset "$T/hostile.csv" \
    --raw_data test-data/mnist_images.zip --output_directory "$T/h" --threads 2 2>"$T/h.log"
H="$T/h/ludwig_experiment_report.html"
$PY tests/report/check_report.py "$H" "$T/h/experiment_run"
$PY tests/report/galaxy_sanitize.py "$H"
if grep -q "<script>alert" "$H"; then echo "class name written as markup"; exit 1; fi
grep -q "&lt;script&gt;alert(1)&lt;/script&gt;" "$H"

# no test split: the report says so and still shows the learning curves
$PY - test-data/mnist_dataset.csv "$T/notest.csv" <<'EOF'
import sys
lines = open(sys.argv[1]).read().splitlines()
open(sys.argv[2], "w").write("\n".join([lines[0]] + [l for l in lines[1:] if not l.endswith(",2")]) + "\n")
EOF
"$LUDWIG_C" experiment --config "$T/config1.yaml" --dataset "$T/notest.csv" \
    --raw_data test-data/mnist_images.zip --output_directory "$T/n" --threads 2 2>"$T/n.log"
N="$T/n/ludwig_experiment_report.html"
grep -q "No test statistics" "$N"
grep -q "learning_curves_combined_loss" "$N"
echo "test_report: ok"
