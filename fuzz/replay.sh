#!/bin/sh
# Replays each fuzz target's committed corpus and past findings (fuzz/regress/NAME) through the
# replay binaries built by `make test` (BUILD=build or build-asan). Exits non-zero on any failure.
BUILD=${BUILD:-build}
fail=0
for t in csv config zipimage json torchzip safetensors; do
    set -- fuzz/corpus/$t
    [ -d fuzz/regress/$t ] && set -- "$@" fuzz/regress/$t
    if ! "$BUILD/tests/fuzz_replay_$t" "$@"; then
        echo "FAIL: fuzz replay $t" >&2
        fail=1
    fi
done
[ $fail -eq 0 ] && echo "fuzz replays: all passed" >&2
exit $fail
