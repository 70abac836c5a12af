#!/bin/sh
# bench/torch_run.sh CMD [ARGS...] - runs a PyTorch side of a benchmark with tcmalloc
# (Debian's libtcmalloc-minimal4, installed if missing) as its allocator, as PyTorch's CPU
# performance tuning guide recommends (jemalloc or tcmalloc:
# https://pytorch.org/tutorials/recipes/recipes/tuning_guide.html; Debian's jemalloc, at its
# default settings, made resnet18 3-5x slower here than glibc's malloc).
#
# Why: with glibc's malloc PyTorch's large activation buffers go back to the kernel when freed
# and are page-faulted in again on the next batch; how much depends on malloc's adaptive
# thresholds, so the same script ran resnet18's inference at 28 or at 76 samples/s from one run
# to the next on this project's machine. With tcmalloc (2026-12-05, resnet18, batch 16, 2
# threads) PyTorch trained from scratch at 23.6 samples/s instead of 12-16, with a frozen
# backbone at 60 instead of 25.5, and inferred at 75 instead of 28; the tutorial's small network
# did not change. Every figure of ludwig-c against PyTorch is meant against PyTorch at its best.
#
# TORCH_MALLOC=glibc runs CMD unchanged (glibc's malloc), to reproduce figures taken before.
set -eu
case ${TORCH_MALLOC:-tcmalloc} in
glibc) exec "$@" ;;
tcmalloc) ;;
*) echo "torch_run.sh: TORCH_MALLOC must be tcmalloc or glibc, not '$TORCH_MALLOC'" >&2; exit 2 ;;
esac
lib=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
if [ ! -e "$lib" ]; then
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO=sudo
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q libtcmalloc-minimal4 >/dev/null ||
        { echo "torch_run.sh: cannot install libtcmalloc-minimal4 (TORCH_MALLOC=glibc runs without it)" >&2; exit 1; }
fi
LD_PRELOAD="$lib${LD_PRELOAD:+ $LD_PRELOAD}" exec "$@"
