# bench/openblas_env.sh - sourced by the benchmark scripts (bash): sets the array torch_env to run
# Debian's python3-torch on OpenBLAS (it otherwise calls netlib's reference BLAS), and checks that
# torch loads it. Needs SCRATCH (a work directory) and PY; OPENBLAS_DIR may point at a directory
# holding OpenBLAS's libblas.so.3, else Debian's libopenblas0-openmp is downloaded and unpacked into
# SCRATCH (apt-get download, no system change). torch_env also runs torch with tcmalloc
# (bench/torch_run.sh; TORCH_MALLOC=glibc without).
if [ -z "${OPENBLAS_DIR:-}" ]; then
    OPENBLAS_DIR=$SCRATCH/openblas/usr/lib/x86_64-linux-gnu/openblas-openmp
    if [ ! -e "$OPENBLAS_DIR/libblas.so.3" ]; then
        (cd "$SCRATCH" && apt-get download libopenblas0-openmp >/dev/null 2>&1 &&
            dpkg-deb -x libopenblas0-openmp_*.deb "$SCRATCH/openblas") ||
            { echo "run_bench: cannot get libopenblas0-openmp; set OPENBLAS_DIR" >&2; exit 1; }
    fi
fi
torch_env=("$(dirname "${BASH_SOURCE[0]}")/torch_run.sh" env LD_LIBRARY_PATH="$OPENBLAS_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
"${torch_env[@]}" $PY -c "import torch
blas = {l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l}
assert any('openblas' in p for p in blas), 'torch did not load OpenBLAS: %s' % sorted(blas)
import os
assert os.environ.get('TORCH_MALLOC') == 'glibc' or any('tcmalloc' in l for l in open('/proc/self/maps')), 'no tcmalloc'" ||
    { echo "run_bench: torch does not load OpenBLAS from $OPENBLAS_DIR (or tcmalloc)" >&2; exit 1; }
