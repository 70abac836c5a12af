#!/bin/sh
# Runs each unit-test binary given as an argument; exits non-zero if any fails.
fail=0
for t in "$@"; do
    if ! "$t"; then
        echo "FAIL: $t" >&2
        fail=1
    fi
done
[ $fail -eq 0 ] && echo "unit tests: all passed" >&2
exit $fail
