#!/bin/sh
# bench/parse_scaling.sh - parsing scales linearly (issue 18, hostile inputs): configs and datasets
# at 10x steps (1,000, 10,000, 100,000: YAML keys in one mapping, CSV columns, CSV rows, distinct
# category labels of an output and of an input, JSON Lines keys), each timed up to the end of
# parsing and preprocessing (the "model:" line, or the exit for a refused config). Linear growth
# shows as about 10x per step (less while start-up dominates); a quadratic step as 100x.
# The figures are in README.md ("Parsing scales linearly").
#
# Usage: bench/parse_scaling.sh [CASE ...]     (cases: see bench/parse_scaling.py; default all)
# Environment:
#   LUDWIG_C  the binary (default build/ludwig-c, built here with make -j2)
#   SIZES     the sizes (default "1000 10000 100000")
#   TIMEOUT_S a run still parsing after this many seconds is stopped and reported so (default 600)
#   SCRATCH   work directory for the generated files (default a temporary directory, removed)
set -e
cd "$(dirname "$0")/.."
LUDWIG_C=${LUDWIG_C:-build/ludwig-c}
[ "$LUDWIG_C" != build/ludwig-c ] || make -s -j2 build/ludwig-c >/dev/null
if [ -z "$SCRATCH" ]; then
    SCRATCH=$(mktemp -d)
    trap 'rm -rf "$SCRATCH"' EXIT
fi
mkdir -p "$SCRATCH"
echo "ludwig-c: $LUDWIG_C ($(nproc) cores), 1 thread"
/usr/bin/python3 bench/parse_scaling.py "$LUDWIG_C" "$SCRATCH" "$@"
