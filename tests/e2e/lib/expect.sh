# expect.sh - sourced by the e2e scripts (needs T, a scratch directory, and LUDWIG_C).
# Each call runs one `ludwig-c experiment` from an empty working directory and asserts its exit
# status, a substring of its stderr and what it left: a failure nothing in the output directory,
# a success the model and the report; and never a file in the working directory. Counts cases in
# n and failures in fails.
fails=0
n=0
mkdir -p "$T/cwd"

# expect NAME STATUS SUBSTRING -- ARGS...: ludwig-c experiment run from an empty directory
expect() {
    name=$1 want=$2 sub=$3
    shift 4
    n=$((n + 1))
    out="$T/out-$name"
    set +e
    (cd "$T/cwd" && "$LUDWIG_C" experiment --output_directory "$out" --threads 1 "$@") \
        >"$T/$name.stdout" 2>"$T/$name.err"
    rc=$?
    set -e
    if [ "$rc" != "$want" ]; then
        echo "FAIL $name: exit $rc, want $want"; cat "$T/$name.err"; fails=$((fails + 1)); return
    fi
    if ! grep -qF -- "$sub" "$T/$name.err"; then
        echo "FAIL $name: message lacks '$sub':"; cat "$T/$name.err"; fails=$((fails + 1)); return
    fi
    if [ "$want" = 0 ]; then
        [ -f "$out/experiment_run/model/model_weights" ] && [ -f "$out/ludwig_experiment_report.html" ] ||
            { echo "FAIL $name: no results"; ls -laR "$out"; fails=$((fails + 1)); }
    elif [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then
        echo "FAIL $name: left output behind:"; ls -laR "$out"; fails=$((fails + 1))
    fi
    if [ -n "$(ls -A "$T/cwd")" ]; then
        echo "FAIL $name: wrote into the working directory:"; ls -la "$T/cwd"; fails=$((fails + 1))
        rm -rf "$T/cwd" && mkdir "$T/cwd"
    fi
}
