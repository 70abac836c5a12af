#!/bin/sh
# The Galaxy tools, checked offline (planemo and Galaxy cannot be installed here): every tool XML
# validated against Galaxy's schema ($GALAXY_XSD, skipped loudly when unset), linted with the
# planemo lint rules that matter, and every <test> run the way planemo runs it against ludwig-c as
# `make install` installs it. Self-tests show that each check fails when it must.
set -e
BUILD=${BUILD:-build}
PY=/usr/bin/python3
G=tests/galaxy
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
TOOLS="galaxy/ludwig_experiment.xml galaxy/ludwig_train.xml galaxy/ludwig_predict.xml galaxy/ludwig_evaluate.xml galaxy/ludwig_hyperopt.xml galaxy/ludwig_visualize.xml galaxy/ludwig_config_generator.xml galaxy/ludwig_render_config.xml galaxy/image_learner.xml"
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== galaxy: schema"
$PY $G/validate.py $TOOLS
if [ -n "$GALAXY_XSD" ] && [ -f "$GALAXY_XSD" ]; then
    mkdir "$T/xsdneg"
    cp galaxy/macros.xml "$T/xsdneg/"
    sed 's/type="integer"/type="int"/' galaxy/ludwig_experiment.xml > "$T/xsdneg/ludwig_experiment.xml"
    if $PY $G/validate.py "$T/xsdneg/ludwig_experiment.xml" > "$T/xsdneg.out" 2>&1; then
        cat "$T/xsdneg.out"; fail "an invalid param type passed schema validation"
    fi
    grep -q "is not an element of the set" "$T/xsdneg.out" || { cat "$T/xsdneg.out"; fail "schema self-test message"; }
    echo "ok   schema self-test: type=\"int\" is rejected"
fi

echo "== galaxy: lint"
$PY $G/lint.py $TOOLS
# each mutation (of ludwig_experiment.xml, or of the tool given fourth) must be reported with its
# message
lint_neg() {
    name=$1 want=$2 expr=$3 tool=${4:-galaxy/ludwig_experiment.xml}
    rm -rf "$T/lint-$name"; mkdir "$T/lint-$name"
    cp galaxy/macros.xml "$T/lint-$name/"
    $PY -c "import sys; s = open(sys.argv[1]).read(); exec(sys.argv[2]); open(sys.argv[3], 'w').write(s)" \
        "$tool" "$expr" "$T/lint-$name/$(basename "$tool")"
    if $PY $G/lint.py "$T/lint-$name/$(basename "$tool")" > "$T/lint-$name.out"; then
        cat "$T/lint-$name.out"; fail "lint self-test $name: not reported"
    fi
    grep -qF -- "$want" "$T/lint-$name.out" || { cat "$T/lint-$name.out"; fail "lint self-test $name: message lacks '$want'"; }
    echo "ok   lint self-test $name: $want"
}
lint_neg label "Param input [eval_split] has no label." \
    "s = s.replace('label=\"Select the split portion for evaluation\"', '')"
lint_neg citations "No citations found" "s = s.replace('<expand macro=\"citations\" />', '')"
lint_neg unused "Param input [random_seed] not found in command" "s = s.replace(\"--random_seed '\$random_seed'\", '')"
lint_neg tests "should specify 'expect_num_outputs'" "s = s.replace('<test expect_num_outputs=\"3\">', '<test>', 1)"
lint_neg order "Best practice violation [stdio] elements should come before [version_command]" \
    "s = s.replace('    <expand macro=\"stdio\" />\n', '').replace('<command>', '<expand macro=\"stdio\" />\n    <command>')"
lint_neg rst "Invalid reStructuredText found in help" "s = s.replace('**What it does**', '**What it does')"
lint_neg quoting "Data variable \$config is not single-quoted" "s = s.replace(\"--config '\$config'\", '--config \$config')"
lint_neg testparam "Test param eval_splits not found" "s = s.replace('name=\"eval_split\" value=\"full\"', 'name=\"eval_splits\" value=\"full\"')"
lint_neg testvalue "value 'tests' of eval_split is not one of its options" "s = s.replace('name=\"eval_split\" value=\"full\"', 'name=\"eval_split\" value=\"tests\"')"
lint_neg seedrange "value 1000000 of random_seed is outside [0, 999999]" "s = s.replace('name=\"random_seed\" value=\"7\"', 'name=\"random_seed\" value=\"1000000\"')"
lint_neg name "must keep upstream's name 'Ludwig Experiment'" "s = s.replace('name=\"Ludwig Experiment\"', 'name=\"Ludwig experiment\"')"
lint_neg multiselect "value 'random_flip' of augmentation is not one of its options" \
    "s = s.replace('random_horizontal_flip,random_vertical_flip,random_rotate\"', 'random_horizontal_flip,random_flip\"')" \
    galaxy/image_learner.xml

echo "== galaxy: shed, planemo and recipe files"
$PY $G/check_meta.py

echo "== galaxy: tool tests (ludwig-c from make install PREFIX=...)"
make --no-print-directory -s install PREFIX="$T/prefix" BUILD="$BUILD" >/dev/null
[ -x "$T/prefix/bin/ludwig-c" ] || fail "make install did not install bin/ludwig-c"
[ "$("$T/prefix/bin/ludwig-c" --version)" = "ludwig-c $(cat VERSION)" ] || fail "installed ludwig-c --version"
nice -n 10 $PY $G/harness.py --path-prefix "$T/prefix/bin" --workdir "$T" $TOOLS

# the admin's MPI destination (docs/distributed.md): the same tests pass with the run shared by
# two ranks, which say so in the job's stderr
if "$T/prefix/bin/ludwig-c" version | grep -q '^mpi: yes' && command -v mpirun >/dev/null; then
    echo "== galaxy: experiment, train and hyperopt tool tests with LUDWIG_C_MPI_RANKS=2"
    mkdir "$T/mpi"
    # (under make asan, leaks are not looked for in MPI ranks: see tests/e2e/test_mpi.sh)
    ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
    LUDWIG_C_MPI_RANKS=2 LUDWIG_C_MPIRUN_ARGS=--oversubscribe OMPI_ALLOW_RUN_AS_ROOT=1 \
        OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none \
        nice -n 10 $PY $G/harness.py --path-prefix "$T/prefix/bin" --workdir "$T/mpi" --keep \
        galaxy/ludwig_experiment.xml galaxy/ludwig_train.xml galaxy/ludwig_hyperopt.xml
    grep -rlq "backend horovod: 2 process(es)" "$T/mpi" || fail "LUDWIG_C_MPI_RANKS=2: no job ran on two ranks"
    grep -rlq "on each MPI rank (trial k on rank k mod ranks)" "$T/mpi" || fail "LUDWIG_C_MPI_RANKS=2: no hyperopt shared its trials"
else
    echo "== galaxy: MPI tool tests skipped: ludwig-c built without MPI or no mpirun"
fi

echo "== galaxy: workflows (experiment/train -> ludwig_model -> predict/evaluate/experiment)"
nice -n 10 $PY $G/workflow.py --path-prefix "$T/prefix/bin" --workdir "$T" $G/workflows.xml

echo "== galaxy: harness self-tests"
$PY $G/harness.py --workdir "$T" $G/selftest/good.xml
$PY $G/harness.py --workdir "$T" --expect-fail $G/selftest/broken.xml
$PY $G/workflow.py --path-prefix "$T/prefix/bin" --workdir "$T" --expect-fail $G/selftest/workflows_broken.xml
echo "galaxy: ok"
