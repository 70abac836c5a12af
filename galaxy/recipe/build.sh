#!/bin/bash
# conda-build: the Makefile's install target with conda's compiler and the host prefix's headers
# and libraries (the Makefile adds Debian's include directories; these come first).
set -euo pipefail
export CFLAGS="${CFLAGS:-} -I${PREFIX}/include/libxml2 -I${PREFIX}/include/cjson -I${PREFIX}/include/stb -I${PREFIX}/include"
# MPI=1: conda-forge's openmpi (host) for backend horovod; its mpi.h is in ${PREFIX}/include
make -j"${CPU_COUNT:-1}" install PREFIX="${PREFIX}" CC="${CC}" MPI=1 \
    LDLIBS="${LDFLAGS:-} -L${PREFIX}/lib -lyaml -lzip -lxml2 -lcjson -lcsv -lmpi -lm -pthread"
