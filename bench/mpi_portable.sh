#!/bin/sh
# Makes a folder that runs ludwig-c and Debian 12's Open MPI 4.1.4 on another x86-64 Linux that has
# neither (a lent benchmark machine, a container without MPI): build/ludwig-c, the shared libraries
# it and mpirun load, Open MPI's programs, plugins and help texts under a relocated prefix, and an
# env.sh that points Open MPI there (OPAL_PREFIX) and sets the transports for one node.
# Copies from this machine's installed packages (libopenmpi-dev, openmpi-bin); vendors nothing.
#
#   sh bench/mpi_portable.sh [DIR]        (default .dev, which .git/info/exclude should ignore)
#   then, on the other machine, from the repo root:   . DIR/env.sh; sh bench/ranks.sh
# env.sh: BTL=self,tcp before sourcing it uses TCP over loopback instead of shared memory.
set -e
cd "$(dirname "$0")/.."
DIR=${1:-.dev}
case $DIR in /*|../*) echo "mpi_portable.sh: DIR must be a folder inside the repo (env.sh finds it from the repo root)" >&2; exit 2 ;; esac
A=/usr/lib/x86_64-linux-gnu
[ -x /usr/bin/orterun ] && [ -d $A/openmpi/lib/openmpi3 ] && [ -d $A/pmix2 ] ||
    { echo "mpi_portable.sh: needs Debian 12's openmpi-bin and libopenmpi-dev" >&2; exit 2; }
make -s -j2 build/ludwig-c
build/ludwig-c version | grep -q 'mpi: yes' || { echo "mpi_portable.sh: build/ludwig-c has no MPI" >&2; exit 2; }
rm -rf "$DIR/root" "$DIR/lib"
R=$DIR/root/usr
mkdir -p "$R/bin" "$R/lib/x86_64-linux-gnu/openmpi/lib" "$R/share" "$DIR/lib"
cp /usr/bin/orterun /usr/bin/orted "$R/bin/"
ln -s orterun "$R/bin/mpirun"
cp -r $A/openmpi/lib/openmpi3 "$R/lib/x86_64-linux-gnu/openmpi/lib/"
cp -r $A/pmix2 "$R/lib/x86_64-linux-gnu/"
rm -rf "$R/lib/x86_64-linux-gnu/pmix2/include" "$R/lib/x86_64-linux-gnu/pmix2/lib/libpmix.a"
cp -r /usr/share/openmpi "$R/share/"
# the network fabrics' plugins (InfiniBand, UCX, libfabric, PSM) and their libraries stay behind:
# one node's ranks talk through shared memory (vader) or TCP
for p in ucx ofi psm psm2 openib usnic uct verbs portals4 ucc; do rm -f "$R"/lib/x86_64-linux-gnu/openmpi/lib/openmpi3/mca_*_"$p".so; done
# every library ludwig-c, mpirun and the plugins Open MPI loads here need, glibc aside
for f in $( { ldd build/ludwig-c; ldd /usr/bin/orterun; for p in "$R"/lib/x86_64-linux-gnu/openmpi/lib/openmpi3/mca_*.so; do ldd "$p"; done; } 2>/dev/null |
        awk '$3 ~ /^\// {print $3}' | sort -u); do
    case $(basename "$f") in libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|ld-linux*) continue ;; esac
    cp -L "$f" "$DIR/lib/"
done
# ICU's 30 MB data table (libxml2 loads ICU for legacy encodings, which no benchmark reads) becomes
# an empty one with the same name
if [ -f "$DIR/lib/libicudata.so.72" ]; then
    printf 'const char icudt72_dat[16];\n' > "$DIR/icudata.c"
    cc -shared -fPIC -Wl,-soname,libicudata.so.72 -o "$DIR/lib/libicudata.so.72" "$DIR/icudata.c"
    rm "$DIR/icudata.c"
fi
cp build/ludwig-c "$DIR/ludwig-c"
cat > "$DIR/env.sh" <<'ENV'
# . DIR/env.sh from the repo root: the relocated Open MPI and ludwig-c's libraries of bench/mpi_portable.sh
D=${LC_PORTABLE:-$PWD/.dev}
export OPAL_PREFIX=$D/root/usr PATH=$D/root/usr/bin:$PATH LD_LIBRARY_PATH=$D/lib
export PMIX_INSTALL_PREFIX=$D/root/usr/lib/x86_64-linux-gnu/pmix2
export PMIX_MCA_mca_base_component_path=$PMIX_INSTALL_PREFIX/lib/pmix
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=${BTL:-self,vader} OMPI_MCA_mtl=^ofi OMPI_MCA_osc=^ucx,pt2pt
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_mca_base_component_show_load_errors=0
export OMPI_MCA_btl_base_warn_component_unused=0 OMPI_MCA_rmaps_base_oversubscribe=1
export LUDWIG_C=$D/ludwig-c
ENV
sed -i "s|/.dev}|/$DIR}|" "$DIR/env.sh"
echo "mpi_portable.sh: $DIR ($(du -sh "$DIR" | cut -f1)); on the other machine: . $DIR/env.sh"
