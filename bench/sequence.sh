#!/bin/bash
# bench/sequence.sh - issue 13's sequence benchmark in one run: the timeseries networks
# (bench/timeseries/run_bench.sh: upstream's rnn network and a 2-layer bi-LSTM on real hourly
# temperatures) and the text networks (bench/text/run_bench.sh: a bi-LSTM and Ludwig's default
# parallel_cnn on Debian's fortune cookies), ludwig-c against PyTorch on the same batch, epochs
# and threads, each side REPS times, alternating. Prints both tables, then one line per network
# with the ratio of the median training samples/s (the target is >= 4x on 2 threads).
# Environment: THREADS (2), REPS (3), LUDWIG_C, OPENBLAS_DIR as the two scripts take them.
# The machine should be idle (a build or a fuzzer beside it halves the figures).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "## timeseries ($(date -u +%F), THREADS=${THREADS:-2}, REPS=${REPS:-3})"
bash "$here/timeseries/run_bench.sh" | tee -a "$log"
echo
echo "## text"
bash "$here/text/run_bench.sh" | tee -a "$log"
echo
echo "## ratios of the medians (ludwig-c over PyTorch, training samples/s)"
awk -F'\\|' '/ratio of medians/ { gsub(/^ +| +$/, "", $2); gsub(/[ *]/, "", $4); print "  " $2 ": " $4 }' "$log"
