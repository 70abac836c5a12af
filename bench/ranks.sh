#!/bin/sh
# Rank and thread scaling of the tutorial network (test-data/config.yaml, 3 epochs) on mnist10k on
# one many-core node, with the checks that make the figures mean something: every backend-horovod
# run, whatever its ranks x threads, must train the same model_weights (their md5 is printed), and
# each row gives the wall time, ludwig-c's training and evaluation speed, the test accuracy, and
# rank 0's bytes and time in collectives per training step. Ranks are bound one per core, or
# unbound where binding fails. Writes the markdown table to $OUT/scaling.md (OUT default .).
#
#   . .dev/env.sh; OUT=/tmp sh bench/ranks.sh          (after bench/mpi_portable.sh; any mpirun works)
# Environment: LUDWIG_C (default build/ludwig-c), DATA (bench/data), RANKS ("1 2 4 8 16"),
# THREADS ("1 16": one process), AVX2_THREADS ("1 2 4 8 16": LC_ISA=avx2 rows; empty skips them).
cd "$(dirname "$0")/.." || exit 1
LUDWIG_C=${LUDWIG_C:-build/ludwig-c}
DATA=${DATA:-bench/data}; RANKS=${RANKS-1 2 4 8 16}; THREADS=${THREADS-1 16}
AVX2_THREADS=${AVX2_THREADS-1 2 4 8 16}; OUT=${OUT:-.}
[ -f "$DATA/mnist_images.zip" ] || { echo "ranks.sh: $DATA/mnist_images.zip missing (run bench/run_bench.sh mnist10k)" >&2; exit 2; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
M=$OUT/scaling.md
{ lscpu | grep -E 'Model name|^CPU\(s\)|Core|Socket|L3'; mpirun --version | head -1; "$LUDWIG_C" version; } 2>&1
sed 's/epochs: 5/epochs: 3/' test-data/config.yaml > "$W/c.yaml"
A="--config $W/c.yaml --dataset $DATA/mnist_dataset.csv --raw_data $DATA/mnist_images.zip --output_directory $W/o"
run() { # label, command...
    lab=$1; shift; rm -rf "$W/o"; t0=$(date +%s.%N); "$@" > "$W/out.log" 2> "$W/log"; rc=$?; t1=$(date +%s.%N)
    tr=$(grep -o 'training [0-9.]*s, [0-9]* samples/s; evaluation [0-9.]*s, [0-9]* samples/s' "$W/log" | tail -1)
    acc=$(grep -o '"accuracy_micro": [0-9.]*' "$W/o/experiment_run/test_statistics.json" 2>/dev/null | head -1 | cut -d' ' -f2)
    mpi=$(grep -o 'rank 0 sent.*' "$W/log" | head -1)
    w=$(md5sum "$W/o/experiment_run/model/model_weights" 2>/dev/null | cut -c1-12)
    echo "| $lab | $rc | $(awk "BEGIN{printf \"%.2f\", $t1 - $t0}") | $tr | $acc | $w | $mpi |" | tee -a "$M"
    [ $rc = 0 ] || tail -8 "$W/log"
}
B="--bind-to core --map-by core"
mpirun -np 2 $B "$LUDWIG_C" version > "$W/p" 2>&1 || { echo "ranks.sh: binding to cores failed; ranks unbound"; B="--bind-to none"; }
echo "| run | exit | wall s | ludwig-c's timing line | test accuracy | model_weights md5 | MPI, rank 0 |" > "$M"
echo "|---|---|---|---|---|---|---|" >> "$M"
for t in $THREADS; do run "local-${t}t" "$LUDWIG_C" experiment $A --threads "$t"; done
for t in $THREADS; do run "horovod-1process-${t}t" "$LUDWIG_C" experiment $A --threads "$t" --backend horovod; done
for r in $RANKS; do
    run "horovod-${r}ranks-1t" mpirun -np "$r" $B "$LUDWIG_C" experiment $A --threads 1 --backend horovod
    [ $rc = 0 ] || run "horovod-${r}ranks-1t-unbound" mpirun -np "$r" --bind-to none "$LUDWIG_C" experiment $A --threads 1 --backend horovod
done
for rt in 2x8 4x4; do
    case " $RANKS " in *" ${rt%x*} "*) run "horovod-${rt%x*}ranks-${rt#*x}t" mpirun -np "${rt%x*}" --bind-to none "$LUDWIG_C" experiment $A --threads "${rt#*x}" --backend horovod ;; esac
done
for t in $AVX2_THREADS; do LC_ISA=avx2 run "local-avx2-${t}t" "$LUDWIG_C" experiment $A --threads "$t"; done
n=$(grep '^| horovod' "$M" | awk -F'|' '$3 == " 0 "' | wc -l); u=$(grep '^| horovod' "$M" | awk -F'|' '$3 == " 0 " {print $7}' | sort -u | wc -l)
echo "ranks.sh: $n horovod runs, $u distinct model_weights$( [ "$u" = 1 ] && echo ' (all the same bits)')" | tee -a "$M"
