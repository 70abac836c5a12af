#!/bin/sh
# Runs every end-to-end script in tests/e2e/ with LUDWIG_C pointing at the built CLI.
BUILD=${BUILD:-build}
LUDWIG_C=$(pwd)/$BUILD/ludwig-c
export LUDWIG_C BUILD
fail=0
n=0
for t in tests/e2e/*.sh; do
    [ -e "$t" ] || continue
    n=$((n + 1))
    echo "== $t" >&2
    if ! sh "$t"; then
        echo "FAIL: $t" >&2
        fail=1
    fi
done
[ $fail -eq 0 ] && echo "e2e tests: $n scripts passed" >&2
exit $fail
