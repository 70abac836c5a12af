#!/bin/bash
# bench/tabular/run_bench.sh - ludwig-c against the PyTorch reference (bench/tabular/torch_tabular.py) on the same
# config, batch size (the config's, 128) and thread count, in one go:
#   (a) test-data/tabular/breast_cancer.csv with bench_configs/breast_cancer_2x64.yaml (concat 2 x 64 with batch
#       norm, 300 epochs, early stopping off), REPS times each, alternating the two sides;
#   (b) the 1,000,000-row table of make_big_table.py with bench_configs/big_1epoch.yaml (big_config.yaml for one
#       epoch; see that file for the one data-handling change), once each.
# Per run it prints training samples/s (rows trained / seconds in forward, backward and optimizer steps), the whole
# command's wall time and peak RSS (/usr/bin/time -v), the parameter count and the test metrics, as one table.
# Both sides score the validation and the test split after every epoch: ludwig-c does, as Ludwig does; the PyTorch
# reference scores only validation, so it is run through a small wrapper (below) that also scores the test split
# whenever it scores validation. Nothing else about either side is changed.
#
# Usage: bench/tabular/run_bench.sh [a] [b]            (default: both)
# Environment:
#   SCRATCH      work directory for the big table, OpenBLAS and run outputs (default /tmp/ludwig-c-tab-bench)
#   THREADS      threads for both sides (default 2)
#   REPS         repetitions of run (a) (default 3)
#   TIMEOUT_S    limit per command in seconds (default 540); a run past it is reported as 'did not finish'
#                (timeout signals the benchmarked process itself: ludwig-c ignores SIGTERM while it preprocesses,
#                so it is killed 10 s later)
#   LUDWIG_C     the ludwig-c binary (default build/ludwig-c, built here with make -j2)
#   OPENBLAS_DIR a directory holding OpenBLAS's libblas.so.3 for torch; by default Debian's libopenblas0-openmp is
#                downloaded and unpacked into SCRATCH (apt-get download, no system change; see README.md)
# The machine should be idle: on a shared 2-core machine the figures move by 2x from run to run.
# Runs with Debian's /usr/bin/python3 (python3-torch, python3-pandas, python3-sklearn, python3-yaml).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
SCRATCH=${SCRATCH:-/tmp/ludwig-c-tab-bench}
THREADS=${THREADS:-2}
REPS=${REPS:-3}
TIMEOUT_S=${TIMEOUT_S:-540}
LUDWIG_C=${LUDWIG_C:-build/ludwig-c}
PY=/usr/bin/python3
runs=("$@")
[ ${#runs[@]} -eq 0 ] && runs=(a b)
mkdir -p "$SCRATCH"

if [ "$LUDWIG_C" = build/ludwig-c ]; then
    make -j2 build/ludwig-c >"$SCRATCH/make.log" 2>&1 || { tail -20 "$SCRATCH/make.log"; exit 1; }
fi

# OpenBLAS for torch (Debian's python3-torch otherwise calls netlib's reference BLAS)
. "$root/bench/openblas_env.sh"

big=$SCRATCH/big.csv
if [[ " ${runs[*]} " == *" b "* ]] && [ ! -s "$big" ]; then
    echo "run_bench: writing $big (about 45 s)"
    $PY bench/tabular/make_big_table.py "$big.tmp" && mv "$big.tmp" "$big"
fi

# The reference, scoring the test split each time it scores the validation split (as Ludwig does every epoch).
cat >"$SCRATCH/torch_same_splits.py" <<'EOF'
import sys
import numpy as np
import yaml
sys.path.insert(0, sys.argv.pop(1))
import torch
import torch_tabular as tt

state = {}
read_csv = tt.pd.read_csv


def read_csv_keep(*args, **kwargs):
    state["df"] = read_csv(*args, **kwargs)
    return state["df"]


def test_rows():
    if "test" not in state:
        with open(sys.argv[1]) as f:
            config = tt.upgrade_config(yaml.safe_load(f))
        df = state["df"]
        keep = df[config["preprocessing"]["split"].get("column", "split")].to_numpy() == 2
        for f in config["output_features"]:  # output rows with empty cells are dropped (drop_row)
            keep &= df[f.get("column", f["name"])].notna().to_numpy()
        state["test"] = torch.from_numpy(np.flatnonzero(keep))
    return state["test"]


predict = tt.predict


def predict_and_score_test(model, xs, rows, batch=4096):
    out = predict(model, xs, rows, batch)
    test = test_rows()
    if not (len(rows) == len(test) and torch.equal(rows, test)):
        predict(model, xs, test, batch)
    return out


tt.pd.read_csv = read_csv_keep
tt.predict = predict_and_score_test
tt.main()
EOF

results=$SCRATCH/results.jsonl
: >"$results"

# one_run SIDE LABEL CONFIG DATASET: runs one side under /usr/bin/time -v and appends a JSON line to $results
one_run() {
    local side=$1 label=$2 config=$3 data=$4 out=$SCRATCH/run_$1_$2 rc=0
    rm -rf "$out"
    mkdir -p "$out"
    echo "run_bench: $label: $side ..." >&2
    if [ "$side" = ludwig-c ]; then
        /usr/bin/time -v -o "$out/time.txt" timeout -k 10 "$TIMEOUT_S" "$LUDWIG_C" experiment \
            --threads "$THREADS" --config "$config" --dataset "$data" --output_directory "$out/od" \
            >"$out/log.txt" 2>&1 || rc=$?
    else
        "${torch_env[@]}" /usr/bin/time -v -o "$out/time.txt" timeout -k 10 "$TIMEOUT_S" $PY \
            "$SCRATCH/torch_same_splits.py" "$here" "$config" "$data" --threads "$THREADS" \
            --json "$out/torch.json" >"$out/log.txt" 2>&1 || rc=$?
    fi
    $PY - "$side" "$label" "$out" "$rc" "$TIMEOUT_S" >>"$results" <<'EOF'
import json, os, re, sys
side, label, out, rc, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
r = {"side": side, "run": label, "rc": rc}
t = open(os.path.join(out, "time.txt")).read() if os.path.exists(os.path.join(out, "time.txt")) else ""
m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t)
if m:
    secs = 0.0
    for part in m.group(1).split(":"):
        secs = secs * 60 + float(part)
    r["wall_s"] = secs
m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t)
if m:
    r["peak_rss_mb"] = int(m.group(1)) / 1024
log = open(os.path.join(out, "log.txt"), errors="replace").read()
if rc in (124, 137) or (rc != 0 and not t):
    r["error"] = f"did not finish in {limit} s"
    r.pop("peak_rss_mb", None)  # the killed process's own peak is not in time's figures
elif rc != 0:
    r["error"] = (log.strip().splitlines() or ["exit %d" % rc])[-1][:200]
if side == "ludwig-c":
    m = re.search(r"model: (\d+) parameters", log)
    r["parameters"] = int(m.group(1)) if m else None
    m = re.search(r"training on (\d+) rows.*batch size (\d+)", log)
    m2 = re.search(r"done in [\d.]+s \(training [\d.]+s, (\d+) samples/s", log)
    epochs = len(re.findall(r"^epoch +\d+/\d+", log, re.M))
    if m and m2 and epochs:
        rows, batch = int(m.group(1)), int(m.group(2))
        steps = epochs * -(-rows // batch)
        # ludwig-c prints steps * batch_size / seconds, which counts a last partial batch as full
        r["train_samples_per_s"] = int(m2.group(1)) * rows * epochs / (steps * batch)
        r["epochs"] = epochs
    stats = os.path.join(out, "od", "experiment_run", "test_statistics.json")
    if os.path.exists(stats):
        names = ("accuracy", "roc_auc", "accuracy_micro", "mean_squared_error", "r2", "mean_absolute_error")
        r["test"] = {k: {m: v[m] for m in names if m in v} for k, v in json.load(open(stats)).items()
                     if k != "combined"}
else:
    m = re.search(r"parameters: (\d+)", log)
    r["parameters"] = int(m.group(1)) if m else None
    p = os.path.join(out, "torch.json")
    if os.path.exists(p):
        j = json.load(open(p))
        r["train_samples_per_s"] = j["train_rows"] * j["epochs_run"] / j["train_s"]
        r["epochs"] = j["epochs_run"]
        r["test"] = j["test"]
print(json.dumps(r))
EOF
}

for run in "${runs[@]}"; do
    case $run in
    a)
        for i in $(seq 1 "$REPS"); do
            one_run ludwig-c "a$i" bench/tabular/bench_configs/breast_cancer_2x64.yaml test-data/tabular/breast_cancer.csv
            one_run torch "a$i" bench/tabular/bench_configs/breast_cancer_2x64.yaml test-data/tabular/breast_cancer.csv
        done
        ;;
    b)
        one_run ludwig-c b bench/tabular/bench_configs/big_1epoch.yaml "$big"
        one_run torch b bench/tabular/bench_configs/big_1epoch.yaml "$big"
        ;;
    *)
        echo "run_bench: unknown run '$run' (a or b)" >&2
        exit 2
        ;;
    esac
done

$PY - "$results" <<'EOF'
import json, sys
print("| run | side | params | epochs | training samples/s | wall s | peak RSS MB | test metrics |")
print("|---|---|---|---|---|---|---|---|")
for line in open(sys.argv[1]):
    r = json.loads(line)
    metrics = []
    for feat, m in (r.get("test") or {}).items():
        keys = ["accuracy_micro"] if "accuracy_micro" in m else \
            [k for k in ("accuracy", "roc_auc", "mean_squared_error", "r2", "mean_absolute_error") if k in m]
        metrics.append(feat + " " + ", ".join(f"{k} {m[k]:.4f}" for k in keys))
    sps = "" if r.get("train_samples_per_s") is None else f"{r['train_samples_per_s']:,.0f}"
    rss = "" if "peak_rss_mb" not in r else f"{r['peak_rss_mb']:.0f}"
    what = r["error"] if "error" in r else "; ".join(metrics)
    print(f"| {r['run']} | {r['side']} | {r.get('parameters') or ''} | {r.get('epochs', '')} | {sps} | "
          f"{r.get('wall_s', '')} | {rss} | {what} |")
EOF
