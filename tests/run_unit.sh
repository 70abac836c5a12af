#!/bin/sh
# Runs each unit-test binary given as an argument; exits non-zero if any fails.
# test_tvresnet, the longest (about half of it torchvision building its fixtures in one Python
# thread), runs beside the others; its output follows theirs.
fail=0
bg=""
for t in "$@"; do
    case "$t" in */test_tvresnet) bg=$t ;; esac
done
if [ -n "$bg" ]; then
    log=$(mktemp) || exit 1
    "$bg" > "$log" 2>&1 &
    pid=$!
fi
for t in "$@"; do
    [ "$t" = "$bg" ] && continue
    if ! "$t"; then
        echo "FAIL: $t" >&2
        fail=1
    fi
done
if [ -n "$bg" ]; then
    wait "$pid"
    rc=$?
    cat "$log" >&2
    rm -f "$log"
    if [ "$rc" -ne 0 ]; then
        echo "FAIL: $bg" >&2
        fail=1
    fi
fi
[ $fail -eq 0 ] && echo "unit tests: all passed" >&2
exit $fail
