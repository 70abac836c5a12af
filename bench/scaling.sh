#!/bin/sh
# Thread and rank scaling of the tutorial network (test-data/config.yaml) on mnist10k: ludwig-c
# with 1..N threads in one process, the PyTorch reference (bench/torch_ref.py) with the same
# threads, and, when ludwig-c was built with MPI and mpirun is on the PATH, 1..N ranks of one
# thread each (backend horovod), with the bytes rank 0 exchanges and its time in collectives per
# training step. Prints one markdown table. Builds nothing and installs nothing,
# so it runs on any machine that has a ludwig-c binary and the data (run bench/run_bench.sh
# mnist10k once to make bench/data).
#
#   LUDWIG_C=build/ludwig-c PYTHON=/usr/bin/python3 THREADS="1 2" RANKS="1 2" EPOCHS=3 \
#   DATA=bench/data MPIRUN_FLAGS="--oversubscribe" sh bench/scaling.sh
# PyTorch runs on glibc's malloc here (bench/torch_run.sh would install tcmalloc): the tutorial
# network's PyTorch figures do not depend on it (mnist10k, 2 epochs: 2,108 samples/s with glibc,
# 2,058 with tcmalloc, 2026-12-05).
# PYTHON= (empty) skips PyTorch; RANKS= (empty) skips MPI; LC_ISA=avx2 holds ludwig-c to AVX2.
set -e
cd "$(dirname "$0")/.."
LUDWIG_C=${LUDWIG_C:-build/ludwig-c}
PYTHON=${PYTHON-/usr/bin/python3}
THREADS=${THREADS:-1 2}
RANKS=${RANKS-1 2}
EPOCHS=${EPOCHS:-3}
DATA=${DATA:-bench/data}
CSV=$DATA/mnist_dataset.csv
ZIP=$DATA/mnist_images.zip
[ -f "$CSV" ] && [ -f "$ZIP" ] || { echo "scaling.sh: $CSV or $ZIP missing (run bench/run_bench.sh mnist10k)" >&2; exit 2; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
sed "s/epochs: 5/epochs: $EPOCHS/" test-data/config.yaml > "$W/config.yaml"

lc_row() { # $1 = label, $2 = threads or ranks, rest = launcher prefix; reads $W/log
    sed -n 's/.*training \([0-9.]*\)s, \([0-9]*\) samples\/s; evaluation \([0-9.]*\)s, \([0-9]*\) samples\/s.*/\2 \4/p' "$W/log" |
        tail -1 | { read -r tr ev || { echo "scaling.sh: no timing line in the log:" >&2; cat "$W/log" >&2; exit 1; }
                    acc=$(grep -o '"accuracy_micro": [0-9.]*' "$W/out/experiment_run/test_statistics.json" | head -1 | cut -d' ' -f2)
                    mpi=$(sed -n 's/.*rank 0 sent \([0-9.]*\) MB and received \([0-9.]*\) MB per training step.*, \([0-9.]*\) ms per step in collectives.*/\1 MB sent, \2 MB received, \3 ms/p' "$W/log")
                    printf '| %s | %s | %s | %s | %.4f | %s |\n' "$1" "$2" "$tr" "$ev" "$acc" "$mpi"; }
}

printf '| run | threads / ranks | training samples/s | evaluation samples/s | test accuracy | MPI per step (rank 0) |\n|---|---|---|---|---|---|\n'
for t in $THREADS; do
    rm -rf "$W/out"
    "$LUDWIG_C" experiment --config "$W/config.yaml" --dataset "$CSV" --raw_data "$ZIP" \
        --output_directory "$W/out" --threads "$t" > /dev/null 2> "$W/log"
    lc_row "ludwig-c${LC_ISA:+ ($LC_ISA)} threads" "$t"
done
if [ -n "$PYTHON" ]; then
    for t in $THREADS; do
        "$PYTHON" bench/torch_ref.py "$ZIP" "$CSV" "$EPOCHS" "$t" > "$W/ref" 2> "$W/log" ||
            { cat "$W/log" >&2; exit 1; }
        tail -1 "$W/ref" | "$PYTHON" -c 'import json,sys; r=json.loads(sys.stdin.read()); print("| PyTorch threads | %s | %.0f | %.0f | %.4f | |" % (sys.argv[1], r["train_samples_per_s"], r["eval_samples_per_s"], r["test_accuracy"]))' "$t"
    done
fi
if [ -n "$RANKS" ] && command -v mpirun > /dev/null && "$LUDWIG_C" version | grep -q 'mpi: yes'; then
    for r in $RANKS; do
        rm -rf "$W/out"
        mpirun -np "$r" $MPIRUN_FLAGS "$LUDWIG_C" experiment --config "$W/config.yaml" --dataset "$CSV" \
            --raw_data "$ZIP" --output_directory "$W/out" --threads 1 --backend horovod > /dev/null 2> "$W/log"
        lc_row "ludwig-c${LC_ISA:+ ($LC_ISA)} MPI ranks" "$r"
    done
fi
