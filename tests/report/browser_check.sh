#!/bin/sh
# Renders the report in headless Chromium (Debian's `chromium`): fails on console errors, failed
# or external loads, undecodable images, a per-class table that does not sort, or a page wider
# than a phone; writes a full-page screenshot.
#   tests/report/browser_check.sh [REPORT.html [SCREENSHOT.png]]
# Without REPORT, runs the tutorial experiment on test-data/ with build/ludwig-c first.
# Exit 0 ok, 1 a check failed, 2 no chromium.
set -e
cd "$(dirname "$0")/../.."
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ]; then
    echo "browser_check: chromium not found (apt-get install chromium)" >&2
    exit 2
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
REPORT=$1
SHOT=${2:-$T/report.png}
if [ -z "$REPORT" ]; then
    LUDWIG_C=${LUDWIG_C:-$(pwd)/${BUILD:-build}/ludwig-c}
    "$LUDWIG_C" experiment --config test-data/config.yaml --dataset test-data/mnist_dataset.csv \
        --raw_data test-data/mnist_images.zip --output_directory "$T/run" --threads 2 2>"$T/run.log"
    REPORT="$T/run/ludwig_experiment_report.html"
fi
TMPDIR="$T" /usr/bin/python3 tests/report/browser_check.py "$CHROMIUM" "$REPORT" "$SHOT"
