#!/bin/sh
# The report of tabular runs: a binary output (breast_cancer), a number output (diabetes) and
# three outputs of the three types (wine with a derived binary column,
# tests/report/multi_output_config.yaml), each checked against its JSON files, predictions and
# dataset targets (check_report.py) and after Galaxy's sanitizer (galaxy_sanitize.py); the
# checker must catch a wrong threshold count and a wrong histogram edge. With BROWSER=1 also
# renders each page in headless Chromium (browser_check.sh) and keeps the screenshots in
# $SHOTS (default: a temporary directory that is removed).
#   LUDWIG_C=build/ludwig-c tests/report/check_tabular.sh
set -e
cd "$(dirname "$0")/../.."
LUDWIG_C=${LUDWIG_C:-$(pwd)/build/ludwig-c}
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
SHOTS=${SHOTS:-$T}

$PY - test-data/tabular/wine.csv "$T/wine3.csv" <<'PYEOF'
import csv, sys
with open(sys.argv[1], newline="") as f, open(sys.argv[2], "w", newline="") as g:
    r = csv.DictReader(f)
    w = csv.DictWriter(g, r.fieldnames + ["strong"])
    w.writeheader()
    for row in r:
        row["strong"] = "yes" if float(row["alcohol"]) > 13 else "no"
        w.writerow(row)
PYEOF

run() { # name config dataset
    "$LUDWIG_C" experiment --config "$2" --dataset "$3" --output_directory "$T/$1" --threads 2 \
        2>"$T/$1.log" || { cat "$T/$1.log"; exit 1; }
    R="$T/$1/ludwig_experiment_report.html"
    $PY tests/report/check_report.py "$R" "$T/$1/experiment_run" "$3"
    $PY tests/report/galaxy_sanitize.py "$R"
    if [ "${BROWSER:-0}" = 1 ]; then
        sh tests/report/browser_check.sh "$R" "$SHOTS/$1.png"
    fi
}
run binary test-data/tabular/breast_cancer_config.yaml test-data/tabular/breast_cancer.csv
run number test-data/tabular/diabetes_config.yaml test-data/tabular/diabetes.csv
run multi tests/report/multi_output_config.yaml "$T/wine3.csv"

# the checker fails on a wrong count in the threshold table and on a wrong histogram edge
mutate() { # run pattern replacement
    $PY - "$T/$1/ludwig_experiment_report.html" "$T/bad.html" "$2" "$3" <<'PYEOF'
import re, sys
html = open(sys.argv[1]).read()
new, n = re.subn(sys.argv[3], sys.argv[4], html, count=1)
assert n == 1, sys.argv[3]
open(sys.argv[2], "w").write(new)
PYEOF
}
mutate binary '(<th>0\.3</th>\s*<td align="right">)(\d+)' '\g<1>9999'
if $PY tests/report/check_report.py "$T/bad.html" "$T/binary/experiment_run" \
    test-data/tabular/breast_cancer.csv 2>"$T/bad.log"; then
    echo "check_tabular: check_report accepted a wrong threshold count"; exit 1
fi
grep -q "predicted true at 0.3" "$T/bad.log"
$PY - "$T/number/ludwig_experiment_report.html" "$T/bad.html" <<'PYEOF'
import re, sys
html = open(sys.argv[1]).read()
i = html.index('class="histogram"')
j = html.index('title="', i) + len('title="')
k = html.index('"', j)
open(sys.argv[2], "w").write(html[:j] + repr(float(html[j:k]) + 0.5) + html[k:])
PYEOF
if $PY tests/report/check_report.py "$T/bad.html" "$T/number/experiment_run" \
    test-data/tabular/diabetes.csv 2>"$T/bad.log"; then
    echo "check_tabular: check_report accepted a wrong histogram edge"; exit 1
fi
grep -q "histogram edge 0" "$T/bad.log"
echo "check_tabular: ok"
