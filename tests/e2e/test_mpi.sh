#!/bin/sh
# Data parallelism over MPI (issue 17): backend horovod under mpirun gives the files of one
# process, byte for byte, for 2, 3 and 4 ranks (oversubscribed on a small machine): model_weights,
# training and test statistics, predictions; and hyperopt's trials shared by the ranks give one
# process's hyperopt_statistics.json and trial weights. Three networks: the tutorial's (convolutions,
# dropout), a convolutional one with batch norms, augmentation and a batch the 16 groups do not
# divide, and a tabular one with two outputs and a batch-normed combiner. Only rank 0 writes; a
# rank killed mid-run ends the job within seconds with a message and nothing published; the
# mistakes (ray, a local backend under mpirun, other commands under mpirun, more ranks than
# groups) are refused with a message. Skipped, saying so, where the binary has no MPI or mpirun
# is missing (make test installs openmpi-bin and libopenmpi-dev).
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
LUDWIG_C=${LUDWIG_C:-build/ludwig-c}
fails=0
fail() { echo "FAIL mpi: $*"; fails=$((fails + 1)); }
if ! "$LUDWIG_C" version | grep -q '^mpi: yes'; then
    echo "test_mpi: skipped: $LUDWIG_C was built without MPI (install libopenmpi-dev and rebuild)"
    exit 0
fi
if ! command -v mpirun >/dev/null; then
    echo "test_mpi: skipped: no mpirun (install openmpi-bin)"
    exit 0
fi
# root in a container: Open MPI asks for these; no shared-memory single copy (ptrace may be off)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
TD=$(pwd)/test-data
# Under make asan the ranks look for memory errors but not leaks: Open MPI keeps allocations
# until exit in components it has unloaded by then, which LeakSanitizer cannot name to suppress.
# ludwig-c's own leaks are looked for in the one-process runs of the same code (backend horovod
# without mpirun: the groups, the tree, the exchanges as copies).
MPIRUN="env ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS} mpirun --oversubscribe"

# --- the same files for any number of ranks ---
same() { # $1 = case, $2 $3 = run directories
    for f in model/model_weights training_statistics.json test_statistics.json predictions_parquet.csv; do
        cmp -s "$2/experiment_run/$f" "$3/experiment_run/$f" || fail "$1: $f differs between $(basename "$2") and $(basename "$3")"
    done
}
ranks_case() { # $1 = name, rest = experiment arguments (config first)
    name=$1
    shift
    "$LUDWIG_C" experiment "$@" --output_directory "$T/$name-1" --threads 2 --backend horovod \
        >/dev/null 2>"$T/$name-1.log" || { fail "$name: one process"; cat "$T/$name-1.log"; return; }
    grep -q "backend horovod: 1 process(es) x 2 thread(s)" "$T/$name-1.log" || fail "$name: no backend line"
    for r in 2 3 4; do
        $MPIRUN -np $r "$LUDWIG_C" experiment "$@" --output_directory "$T/$name-$r" --threads 1 \
            --backend horovod >/dev/null 2>"$T/$name-$r.log" || { fail "$name: $r ranks"; cat "$T/$name-$r.log"; continue; }
        same "$name" "$T/$name-1" "$T/$name-$r"
        # rank 0 alone speaks and writes: one results line, one run directory
        [ "$(grep -c '^ludwig-c: results in' "$T/$name-$r.log")" = 1 ] || fail "$name: $r ranks printed the results line $(grep -c '^ludwig-c: results in' "$T/$name-$r.log") times"
        [ "$(ls "$T/$name-$r")" = "experiment_run
ludwig_experiment_report.html" ] || { fail "$name: $r ranks left:"; ls -la "$T/$name-$r"; }
    done
}

sed 's/epochs: 5/epochs: 2/' "$TD/config.yaml" >"$T/tutorial.yaml"
ranks_case tutorial --config "$T/tutorial.yaml" --dataset "$TD/mnist_dataset.csv" --raw_data "$TD/mnist_images.zip"

cat >"$T/bn.yaml" <<'EOF'
input_features:
  - name: image_path
    type: image
    augmentation:
      - type: random_horizontal_flip
      - type: random_brightness
    encoder:
      type: stacked_cnn
      conv_layers:
        - {num_filters: 8, filter_size: 3, norm: batch, pool_size: 2}
        - {num_filters: 16, filter_size: 3, dropout: 0.3, norm: batch}
      fc_layers:
        - {output_size: 32, dropout: 0.2, norm: batch}
output_features:
  - name: label
    type: category
preprocessing:
  split: {type: fixed, column: split}
trainer:
  epochs: 2
  batch_size: 50
backend: horovod
EOF
ranks_case batchnorm --config "$T/bn.yaml" --dataset "$TD/mnist_dataset.csv" --raw_data "$TD/mnist_images.zip"

sed 's/epochs: 200/epochs: 8/' "$TD/tabular/penguins_config.yaml" >"$T/penguins.yaml"
ranks_case tabular --config "$T/penguins.yaml" --dataset "$TD/tabular/penguins.csv"

# a batch of 8 in 16 groups (rank 1 of 2 has only empty groups), evaluate_training_set,
# train_steps, early stopping
sed -e 's/epochs: 200/epochs: 30/' -e 's/batch_size: 32/batch_size: 8/' -e 's/early_stop: 10/early_stop: 3/' \
    "$TD/tabular/penguins_config.yaml" >"$T/small.yaml"
printf '  evaluate_training_set: true\n  train_steps: 150\n' >>"$T/small.yaml"
ranks_case small_batch --config "$T/small.yaml" --dataset "$TD/tabular/penguins.csv"
grep -q "early stopping" "$T/small_batch-1.log" || fail "small_batch: did not stop early (the case tests it)"

# a run of 2 ranks stopped after 3 epochs and resumed by 2 ranks to 6: the weights and
# statistics of one process trained 6 epochs straight
sed 's/epochs: 5/epochs: 3\n  early_stop: -1/' "$TD/config.yaml" >"$T/e3.yaml"
sed 's/epochs: 5/epochs: 6\n  early_stop: -1/' "$TD/config.yaml" >"$T/e6.yaml"
RA="--dataset $TD/mnist_dataset.csv --raw_data $TD/mnist_images.zip --backend horovod --threads 1"
"$LUDWIG_C" experiment --config "$T/e6.yaml" $RA --output_directory "$T/straight" >/dev/null 2>&1 || fail "resume: the straight run"
$MPIRUN -np 2 "$LUDWIG_C" experiment --config "$T/e3.yaml" $RA --output_directory "$T/first" >/dev/null 2>&1 || fail "resume: the first 3 epochs"
$MPIRUN -np 2 "$LUDWIG_C" experiment --config "$T/e6.yaml" $RA --output_directory "$T/resumed" \
    --model_resume_path "$T/first/experiment_run" >/dev/null 2>"$T/resumed.log" || { fail "resume: the resumed run"; cat "$T/resumed.log"; }
grep -q "resuming from .* after epoch 3" "$T/resumed.log" || fail "resume: did not resume"
same resume "$T/straight" "$T/resumed"

# the local backend's own numbers are untouched by the new path: a horovod run differs from it
cmp -s "$T/tutorial-1/experiment_run/model/model_weights" "$T/tutorial-2/experiment_run/model/model_weights" || true
"$LUDWIG_C" experiment --config "$T/tutorial.yaml" --dataset "$TD/mnist_dataset.csv" --raw_data "$TD/mnist_images.zip" \
    --output_directory "$T/local" --threads 2 >/dev/null 2>&1 || fail "the local run"
cmp -s "$T/local/experiment_run/model/model_weights" "$T/tutorial-1/experiment_run/model/model_weights" &&
    fail "backend horovod trained the local backend's bits: the groups were not used"

# --- each rank decodes the images of its own rows; an image only rank 1 reads fails the job ---
n0=$(sed -n 's/^ludwig-c: MPI: rank 0 decoded \([0-9]*\) of the 1000 images.*/\1/p' "$T/tutorial-2.log")
[ -n "$n0" ] && [ "$n0" -gt 0 ] && [ "$n0" -lt 1000 ] || fail "sharded decoding: rank 0 of 2 decoded '${n0:-?}' of the 1000 images"
# the last test row is in the last evaluation batch, which rank 1 of 2 evaluates (200 test rows in
# batches of 128) and no rank trains on
/usr/bin/python3 - "$TD/mnist_dataset.csv" "$TD/mnist_images.zip" "$T/bad.zip" >"$T/bad.line" <<'PY'
import csv, sys, zipfile
rows = list(csv.DictReader(open(sys.argv[1])))
last = max(i for i, r in enumerate(rows) if r["split"] == "2")
with zipfile.ZipFile(sys.argv[2]) as zi, zipfile.ZipFile(sys.argv[3], "w") as zo:
    for it in zi.infolist():
        data = zi.read(it)
        zo.writestr(it, b"not an image" if it.filename == rows[last]["image_path"] else data)
print(last + 2)  # the CSV line (after the header)
PY
set +e
timeout 120 $MPIRUN -np 2 "$LUDWIG_C" experiment --config "$T/tutorial.yaml" --dataset "$TD/mnist_dataset.csv" \
    --raw_data "$T/bad.zip" --output_directory "$T/bad" --threads 1 --backend horovod >/dev/null 2>"$T/bad.log"
rc=$?
set -e
[ "$rc" != 0 ] && [ "$rc" != 124 ] || fail "an image only rank 1 decodes: exit $rc (124: the job hung)"
grep -q "MPI rank 1: .*line $(cat "$T/bad.line")" "$T/bad.log" || { fail "an image only rank 1 decodes: no message naming rank 1 and line $(cat "$T/bad.line")"; cat "$T/bad.log"; }
[ -z "$(ls -A "$T/bad" 2>/dev/null)" ] || fail "an image only rank 1 decodes: left output"

# --- hyperopt: trial k on rank k mod ranks; every rank's outcomes to rank 0, which writes ---
sed 's/num_samples: 2/num_samples: 5/' "$TD/temperature_hyperopt.yml" >"$T/ho.yaml"
"$LUDWIG_C" hyperopt --config "$T/ho.yaml" --dataset "$TD/temperature_seattle.csv" \
    --output_directory "$T/ho-1" --threads 2 >"$T/ho-1.out" 2>"$T/ho-1.log" || { fail "hyperopt: one process"; cat "$T/ho-1.log"; }
for r in 2 3; do
    $MPIRUN -np $r "$LUDWIG_C" hyperopt --config "$T/ho.yaml" --dataset "$TD/temperature_seattle.csv" \
        --output_directory "$T/ho-$r" --threads 1 >"$T/ho-$r.out" 2>"$T/ho-$r.log" || { fail "hyperopt: $r ranks"; cat "$T/ho-$r.log"; continue; }
    cmp -s "$T/ho-1/hyperopt/hyperopt_statistics.json" "$T/ho-$r/hyperopt/hyperopt_statistics.json" ||
        fail "hyperopt: hyperopt_statistics.json differs between one process and $r ranks"
    for w in "$T"/ho-1/hyperopt/trial_*/hyperopt_run/model/model_weights; do
        cmp -s "$w" "$(echo "$w" | sed "s|/ho-1/|/ho-$r/|")" || fail "hyperopt: $r ranks: $w differs"
    done
    # rank 0 prints the best trial once all are in (the Galaxy tool reads that line)
    [ "$(grep -c '^Current best trial: ' "$T/ho-$r.out")" = 1 ] || fail "hyperopt: $r ranks: not one 'Current best trial' line"
    [ "$(grep '^Current best trial: ' "$T/ho-$r.out")" = "$(grep '^Current best trial: ' "$T/ho-1.out" | tail -1)" ] ||
        fail "hyperopt: $r ranks: another best trial than one process's"
    [ "$(grep -c "trial .* started" "$T/ho-$r.log")" = 5 ] || fail "hyperopt: $r ranks did not run the 5 trials once each"
    [ -f "$T/ho-$r/ludwig_hyperopt_report.html" ] || fail "hyperopt: $r ranks: no report"
done

# --- mistakes ---
refused() { # $1 = name, $2 = wanted message, rest = command
    name=$1 want=$2
    shift 2
    set +e
    "$@" >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
    set -e
    [ "$rc" != 0 ] || fail "$name: exit 0"
    grep -qF -- "$want" "$T/$name.err" || { fail "$name: message lacks '$want'"; cat "$T/$name.err"; }
}
printf 'backend: {type: ray}\n' | cat "$T/tutorial.yaml" - >"$T/ray.yaml"
refused ray "backend: type 'ray' is not supported by ludwig-c; to train across processes or nodes use type: horovod and start ludwig-c with mpirun" \
    "$LUDWIG_C" experiment --config "$T/ray.yaml" --dataset "$TD/mnist_dataset.csv" --raw_data "$TD/mnist_images.zip" --output_directory "$T/ray"
refused ray_flag "--backend 'ray' is not supported" \
    "$LUDWIG_C" train --config "$T/tutorial.yaml" --dataset "$TD/mnist_dataset.csv" --backend ray
refused local_under_mpi "2 MPI ranks, but the backend is local (--backend local): each rank would train the whole run alone" \
    $MPIRUN -np 2 "$LUDWIG_C" experiment --config "$T/tutorial.yaml" --dataset "$TD/mnist_dataset.csv" \
    --raw_data "$TD/mnist_images.zip" --output_directory "$T/lm" --backend local
[ ! -e "$T/lm" ] || fail "local_under_mpi: left $T/lm"
refused predict_under_mpi "'predict' was started by an MPI launcher as 2 processes, but it runs in one process" \
    $MPIRUN -np 2 "$LUDWIG_C" predict --model_path "$T/tutorial-1/experiment_run/model" --dataset "$TD/mnist_dataset.csv" \
    --raw_data "$TD/mnist_images.zip" --output_directory "$T/pm"
refused too_many_ranks "3 MPI ranks, but a step's batch is split into 2 groups: at most 2 ranks can share it" \
    env LUDWIG_C_DP_GROUPS=2 $MPIRUN -np 3 "$LUDWIG_C" experiment --config "$T/tutorial.yaml" \
    --dataset "$TD/mnist_dataset.csv" --raw_data "$TD/mnist_images.zip" --output_directory "$T/tm" --backend horovod
refused bad_groups "LUDWIG_C_DP_GROUPS=12: the groups of a data-parallel step must be a power of two" \
    env LUDWIG_C_DP_GROUPS=12 "$LUDWIG_C" experiment --config "$T/tutorial.yaml" \
    --dataset "$TD/mnist_dataset.csv" --raw_data "$TD/mnist_images.zip" --output_directory "$T/bg" --backend horovod
# under mpirun and with no backend in the config, horovod is chosen (as Ludwig under horovodrun)
$MPIRUN -np 2 "$LUDWIG_C" experiment --config "$T/tutorial.yaml" --dataset "$TD/mnist_dataset.csv" \
    --raw_data "$TD/mnist_images.zip" --output_directory "$T/auto" --threads 1 >/dev/null 2>"$T/auto.log" ||
    { fail "no backend under mpirun"; cat "$T/auto.log"; }
grep -q "backend horovod: 2 process(es)" "$T/auto.log" || fail "no backend under mpirun: horovod was not chosen"
same auto "$T/tutorial-1" "$T/auto"

# --- a rank killed mid-run: the job ends within seconds, with a message, and publishes nothing ---
sed 's/epochs: 5/epochs: 400\n  early_stop: -1/' "$TD/config.yaml" >"$T/long.yaml"
$MPIRUN -np 2 "$LUDWIG_C" experiment --config "$T/long.yaml" --dataset "$TD/mnist_dataset.csv" \
    --raw_data "$TD/mnist_images.zip" --output_directory "$T/killed" --threads 1 >/dev/null 2>"$T/killed.log" &
job=$!
victim=""
for _ in $(seq 1 300); do # up to 30 s for rank 1 to be training
    if grep -q '^epoch *1/400' "$T/killed.log" 2>/dev/null; then
        for p in $(pgrep -f "output_directory $T/killed" || true); do
            if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1'; then victim=$p; fi
        done
        [ -n "$victim" ] && break
    fi
    sleep 0.1
done
if [ -z "$victim" ]; then
    fail "killed: rank 1 never started training"; kill "$job" 2>/dev/null || true; wait "$job" || true
else
    t0=$(date +%s)
    kill -9 "$victim"
    set +e
    wait "$job"
    rc=$?
    set -e
    dt=$(($(date +%s) - t0))
    [ "$rc" != 0 ] || fail "killed: mpirun exited 0 after rank 1 was killed"
    [ "$dt" -le 10 ] || fail "killed: the job took $dt s to end after rank 1 was killed"
    grep -qi "rank 1" "$T/killed.log" || { fail "killed: no message naming rank 1"; cat "$T/killed.log"; }
    # rank 0 is sent SIGTERM and removes what it staged before mpirun's SIGKILL a second later
    [ -z "$(ls -A "$T/killed" 2>/dev/null)" ] || { fail "killed: left in the output directory:"; ls -la "$T/killed"; }
    grep -q "nothing was published" "$T/killed.log" || fail "killed: rank 0 did not say that nothing was published"
fi
[ $fails -eq 0 ] && echo "test_mpi: ok"
exit $fails
