#!/bin/sh
# `ludwig-c init_config` (Ludwig 0.10.3's `ludwig init_config` with its defaults): the minimal config
# {input_features, output_features} of each column's inferred type, compared byte for byte with an
# independent Python model of Ludwig's rules (init_config_ref.py: pandas reads the file as Ludwig
# does, dateutil judges the dates) on every real table in test-data/ with several targets, on
# tables made to hit each rule (binary, sequential integers, ID and index columns, short text,
# the split column, images, audio, dates, names YAML must quote), on a JSON copy of the penguins
# and on some 3500 strings dateutil does or does not read as dates. Also: PyYAML dumps the parsed
# file back to the same bytes; standard output carries print()'s extra line; --target_column and
# --data_format; --render_config equals render_config of the minimal config; errors exit non-zero
# with a message and write nothing; experiment trains one epoch on a generated config.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3
LUDWIG_C=${LUDWIG_C:-build/ludwig-c}
REF=tests/e2e/init_config_ref.py
fails=0
fail() { echo "FAIL init_config: $*"; fails=$((fails + 1)); }

# ---- tables made for the rules, a JSON copy of the penguins, the date strings
$PY - "$T" <<'PYEOF' || fail "could not write the generated tables"
import csv, json, random, sys
t = sys.argv[1]
n = 12
cols = {
    "Index": [str(i) for i in range(n)],                          # idx 0, INDEX, number, unique
    "yn": ["yes", "no", "", "yes", "no", "NA"] * 2,                # binary despite the gaps
    "tf": ["True", "False"] * 6,
    "onezero": ["1", "0", "0"] * 4,
    "ab": ["a", "b"] * 6,                                          # two values, not bools
    "seq": [str(i % 5) for i in range(n)],                         # 5 < 6 values, 0..4: category
    "nonseq": [str(2 * (i % 5)) for i in range(n)],                # 0, 2, ... 8: number
    "under": ["%d_000" % i for i in range(n)],                     # float() reads 1_000
    "nanstr": ["NAN", "1.5", "2.5"] * 4,                           # "NAN" is a number
    "user_id": ["u%d" % i for i in range(n)],                      # unique, ends with ID
    "IDX": [str(100 + i) for i in range(n)],                       # unique, starts with ID
    "u\u0131d": ["v%d" % i for i in range(n)],                     # dotless i: upper() is UID
    "const": ["k"] * n,
    "allna": [""] * n,
    "Split": ["0", "1", "2"] * 4,
    "short": ["two words%d" % i for i in range(n)],                 # text, 2 words: left out
    "long": ["one two three four five six%d" % i for i in range(n)],
    "half": ["a b c d%d" % i if i % 2 else "a b c d e%d" % i for i in range(n)],   # 4.5 -> 4
    "half55": ["a b c d e%d" % i if i % 2 else "a b c d e f%d" % i for i in range(n)],  # 5.5 -> 6
    "img": ["a.PNG", "b.jpg", "c.gif"] + ["x%d" % i for i in range(n - 3)],
    "img2": ["a.png", "b.jpg"] + ["x%d" % i for i in range(n - 2)],
    "aud": ["a.wav", "b.flac", "c.Mp3", "d.ogg"] * 3,
    "when": ["2020-01-%02d" % (1 + i % 4) for i in range(n)],
    "yes": ["p", "q", "r"] * 4,
    "null": ["1", "2", "3", "4"] * 3,
    "temp\u00e9rature": ["%d.5" % i for i in range(n)],
    "a column name with many words that is longer than eighty characters when it is written": ["x", "y", "z"] * 4,
}
with open(t + "/rules_a.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(cols)
    w.writerows(zip(*cols.values()))
# an empty header name (pandas: "Unnamed: 0"), an index that is not the first column, and only
# three columns (so short text stays)
with open(t + "/rules_b.csv", "w", encoding="utf-8") as f:
    f.write(",index,words\n")
    for i in range(n):
        f.write("%d,%d,w%d\n" % (i, i, i))
with open(t + "/penguins.json", "w") as f:
    rows = list(csv.DictReader(open("test-data/tabular/penguins.csv")))
    num = {"bill_length_mm": float, "bill_depth_mm": float, "flipper_length_mm": int, "body_mass_g": int, "year": int}
    json.dump([{k: (None if v == "NA" else num.get(k, str)(v)) for k, v in r.items()} for r in rows], f)
# one column per candidate: [s, D, D, D, D] is a date column exactly when dateutil reads s (and s
# is not a number), a category column otherwise
curated = """2020-01-01|01/02/2020|2020-01-01 12:00:00|Jan 5 2020|5 Jan 2020|Monday|Mon|May|1st|31st|
Feb 29|Feb 30|10-20|20-30|1.2.3|192.168.1.1|v1.2|Adelie|male|FEMALE|a|m|t|12:30|12:30:45.123456|
10:00 UTC+3|10:00 GMT-5|10:00 -0300 (BRST)|10:00 +05:30|3 pm|3pm|13 pm|12 am|2003-09-25T10:49:41|
20030925T104941|20030925|030925|104941.5|Sep.20.2009|4:30:21.447|Jan of 01|Jan of xyz|10h|10h30|
1.5h|0.99999999999999999999999999999999h|5.5 m|12,5|10:20::|Thu Sep 25 10:36:28 BRST 2003|
Sep-25-2003|25-Sep-2003|99-01-01|12/31/1999 11:59 PM|inf|infinity|T|Z|10 Z|at|on and|yes|1e5|
2020-01-01\u00a012:00|2020-13-01|2020-12-31 24:00|9999-12-31|10000-01-01|0000-01-01|Fri 9999-12|
12.5 Jan|Jan 31.5|3h 4m 5s|5 s 6|2 am 3|Jan-Feb|Jan/5/2020|10:00 ABCDEF|10 +99999999999:00|
10 +9999999999:00|2020-01-01T00:00:00Z|1/2/3/4|a.b|1.a|1.ab|Sept 5|jAN|tues|12 12 12|32 12|
4/31|31 Apr|Feb 29 2021|00000000|12:61|10:00:00.1.2|10 -300|Jan of  2001|10:00 z|d\u00e9c 5"""
cands = [s.strip("\n") for s in curated.replace("\n", "").split("|")]
rnd = random.Random(20240601)
parts = ["2020", "20", "1", "12", "31", "0", "99", "5", "-", "/", ".", ",", ":", " ", "T", "Z",
         "am", "pm", "a", "p", "Jan", "march", "Sep", "Mon", "st", "of", "at", "h", "m", "s",
         "hours", "+", "(", ")", "UTC", "GMT", "BRST", "x", "\u00e9", "1.5", "30.25", "'", ";",
         "9999", "000", "123456", "20200101", "202001011230", "45.5", "0.5"]
cands += ["".join(rnd.choice(parts) for _ in range(rnd.randint(1, 7))) for _ in range(4000)]
cands = list(dict.fromkeys(c for c in cands if c != "2021-06-15"))
with open(t + "/dates.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["d%d" % i for i in range(len(cands))] + ["target"])
    w.writerow(cands + ["1"])
    for k in range(2, 6):
        w.writerow(["2021-06-15"] * len(cands) + [str(k)])
PYEOF

# ---- cases: name, dataset, targets; ours against the reference, byte for byte
mkdir "$T/ours" "$T/ref"
printf '%s\n' \
    "pen1	test-data/tabular/penguins.csv	species" \
    "pen2	test-data/tabular/penguins.csv	species	body_mass_g" \
    "pen3	test-data/tabular/penguins.csv	split	sex	year	island" \
    "pen4	test-data/tabular/penguins.csv	bill_length_mm	flipper_length_mm" \
    "bc1	test-data/tabular/breast_cancer.csv	diagnosis" \
    "bc2	test-data/tabular/breast_cancer.csv	mean_radius	diagnosis" \
    "dia1	test-data/tabular/diabetes.csv	progression" \
    "dia2	test-data/tabular/diabetes.csv	sex	age" \
    "wine1	test-data/tabular/wine.csv	cultivar" \
    "wine2	test-data/tabular/wine.csv	proline	hue	cultivar" \
    "temp1	test-data/temperature_seattle.csv	temperature" \
    "temp2	test-data/temperature_seattle.csv	temperature_feature" \
    "mnist1	test-data/mnist_dataset.csv	label" \
    "mnist2	test-data/mnist_dataset.csv	image_path	split" \
    "mnist3	test-data/mnist_subset.csv	label" \
    "mnist4	test-data/mnist_train.tabular	label" \
    "deb1	test-data/debian_packages.csv	section" \
    "deb2	test-data/debian_packages.csv	tags	description" \
    "deb3	test-data/debian_packages.csv	depends" \
    "ra1	$T/rules_a.csv	ab" \
    "ra2	$T/rules_a.csv	const	Split	allna	Index" \
    "ra3	$T/rules_a.csv	when	yes	null	short" \
    "rb1	$T/rules_b.csv	words" \
    "rb2	$T/rules_b.csv	Unnamed: 0" \
    "json1	$T/penguins.json	species	sex" \
    "dates	$T/dates.csv	target" >"$T/cases"
while IFS='	' read -r name data targets; do
    set -f
    IFS='	'
    set -- $targets
    unset IFS
    set +f
    args=""
    for t in "$@"; do args="$args --target \"$t\""; done
    eval "\"\$LUDWIG_C\" init_config --dataset \"\$data\" $args --output \"\$T/ours/\$name.yaml\"" 2>"$T/$name.log" ||
        { fail "$name: exit status $?"; cat "$T/$name.log"; }
done <"$T/cases"
$PY "$REF" --batch "$T/cases" "$T/ref" || fail "the reference failed"
n=0
while IFS='	' read -r name rest; do
    n=$((n + 1))
    cmp -s "$T/ours/$name.yaml" "$T/ref/$name.yaml" ||
        { fail "$name: differs from Ludwig's rules"; diff "$T/ours/$name.yaml" "$T/ref/$name.yaml" | head -20; }
done <"$T/cases"
# PyYAML reads each file and dumps it back to the same bytes
$PY - "$T"/ours/*.yaml <<'PYEOF' || fail "not PyYAML's safe_dump layout"
import sys, yaml
for p in sys.argv[1:]:
    text = open(p, encoding="utf-8").read()
    assert yaml.safe_dump(yaml.safe_load(text), sort_keys=False) == text, p
PYEOF
# what the generated tables must give (so that the reference cannot drift with them)
$PY - "$T/ours" <<'PYEOF' || fail "the rules tables"
import sys, yaml
d = sys.argv[1]
c = yaml.safe_load(open(d + "/ra2.yaml", encoding="utf-8"))
ty = {f["name"]: f["type"] for f in c["input_features"]}
assert ty["yn"] == ty["tf"] == ty["onezero"] == "binary", ty
assert ty["ab"] == ty["seq"] == "category" and ty["nonseq"] == ty["under"] == ty["nanstr"] == "number", ty
assert (ty["img"], ty["aud"], ty["when"]) == ("image", "audio", "date") and "img2" not in ty, ty
assert ty["long"] == ty["half55"] == "text", ty
for gone in ("user_id", "IDX", "u\u0131d", "short", "half", "Split", "const", "allna"):
    assert gone not in ty, gone
assert [(f["name"], f["type"]) for f in c["output_features"]] == [
    ("Index", "number"), ("const", "category"), ("allna", "category"), ("Split", "category")], c["output_features"]
b = yaml.safe_load(open(d + "/rb1.yaml"))
assert [f["name"] for f in b["input_features"]] == ["Unnamed: 0", "index"], b
dates = yaml.safe_load(open(d + "/dates.yaml"))["input_features"]
nd = sum(f["type"] == "date" for f in dates)
assert 100 < nd < len(dates) - 100, nd
print("init_config: %d of %d date candidates are dates" % (nd, len(dates)))
PYEOF

# ---- standard output (print() adds an empty line), --target_column, --data_format
D=test-data/tabular/penguins.csv
"$LUDWIG_C" init_config -d "$D" -t species >"$T/stdout.yaml" 2>/dev/null || fail "standard output: exit status"
{ cat "$T/ours/pen1.yaml"; echo; } | cmp -s - "$T/stdout.yaml" || fail "standard output is not the file plus an empty line"
"$LUDWIG_C" init_config --dataset "$D" --target_column 1 --target_column 6 -o "$T/col.yaml" 2>/dev/null &&
    cmp -s "$T/col.yaml" "$T/ours/pen2.yaml" || fail "--target_column 1 --target_column 6 is not --target species --target body_mass_g"
cp "$D" "$T/penguins.dat"
"$LUDWIG_C" init_config --dataset "$T/penguins.dat" --data_format csv -t species -o "$T/fmt.yaml" 2>/dev/null &&
    cmp -s "$T/fmt.yaml" "$T/ours/pen1.yaml" || fail "--data_format csv"
"$LUDWIG_C" init_config -d "$D" -t species --time_limit_s 60 --random_seed 7 --use_reference_config x --suggested '' -o "$T/ign.yaml" 2>/dev/null &&
    cmp -s "$T/ign.yaml" "$T/ours/pen1.yaml" || fail "the accepted, ignored options changed the config"

# ---- --render_config: the minimal config rendered, as render_config renders it
for c in pen2 temp1; do
    data=$(grep "^$c	" "$T/cases" | cut -f2)
    targets=$(grep "^$c	" "$T/cases" | cut -f3- | sed 's/	/ -t /g')
    # shellcheck disable=SC2086
    "$LUDWIG_C" init_config -d "$data" -t $targets --render_config -o "$T/$c.rendered.yaml" 2>/dev/null ||
        { fail "$c: --render_config refused"; continue; }
    "$LUDWIG_C" render_config -c "$T/ours/$c.yaml" -o "$T/$c.expect.yaml" 2>/dev/null || fail "$c: render_config refused"
    cmp -s "$T/$c.rendered.yaml" "$T/$c.expect.yaml" || fail "$c: --render_config differs from render_config of the minimal config"
    # shellcheck disable=SC2086
    "$LUDWIG_C" init_config -d "$data" -t $targets --render_config 2>/dev/null | cmp -s - "$T/$c.expect.yaml" ||
        fail "$c: --render_config on standard output"
done
$PY -c 'import sys, yaml; a, b = (yaml.safe_load(open(p)) for p in sys.argv[1:]); assert a == b' \
    "$T/pen2.rendered.yaml" "$T/pen2.expect.yaml" || fail "the rendered config does not load as render_config's"

# ---- errors: exit status, message, nothing written
check_err() { # want_status want_text args...
    want=$1 text=$2
    shift 2
    rm -f "$T/err.yaml"
    "$LUDWIG_C" init_config "$@" -o "$T/err.yaml" >"$T/err.out" 2>"$T/err.log"
    rc=$?
    [ "$rc" = "$want" ] && grep -qF -- "$text" "$T/err.log" && [ ! -e "$T/err.yaml" ] && [ ! -s "$T/err.out" ] ||
        { fail "$*: exit $rc (want $want), message or output"; cat "$T/err.log"; }
    ls -a "$T" | grep -q '^\.err\.yaml' && fail "$*: a temporary file was left"
}
check_err 1 "penguins.csv: no column named 'nope' for the target (columns: 'species', 'island'" -d "$D" -t species -t nope
check_err 1 "target column 10 does not exist: the file has 9 columns" -d "$D" --target_column 10
check_err 1 "missing.csv: cannot open the dataset" -d "$T/missing.csv" -t a
printf 'a,b\n' >"$T/header_only.csv"
check_err 1 "header_only.csv: the file has a header row but no data rows" -d "$T/header_only.csv" -t a
check_err 2 "init_config needs at least one --target" -d "$D"
check_err 2 "init_config needs --dataset" -t species
check_err 2 "ludwig-c writes only the minimal config" -d "$D" -t species --suggested False
check_err 2 "ludwig-c writes only the minimal config" -d "$D" -t species --hyperopt=true
check_err 2 "unknown option '--tune_for_memory'" -d "$D" -t species --tune_for_memory
check_err 2 "unknown dataset format 'xlsx'" -d "$D" -t species --data_format xlsx
# a type ludwig-c cannot train is still written; rendering it is refused, and writes nothing
printf 'clip,y\na.wav,1\nb.wav,2\nc.wav,3\nd.wav,4\n' >"$T/audio.csv"
"$LUDWIG_C" init_config -d "$T/audio.csv" -t y -o "$T/audio.yaml" 2>/dev/null && grep -q "type: audio" "$T/audio.yaml" ||
    fail "an audio column"
check_err 1 "input feature type 'audio' is not supported by ludwig-c" -d "$T/audio.csv" -t y --render_config

# ---- experiment trains on a generated config (one epoch)
{ cat "$T/ours/pen1.yaml"; printf 'trainer:\n  epochs: 1\n'; } >"$T/train.yaml"
"$LUDWIG_C" experiment --config "$T/train.yaml" --dataset "$D" --output_directory "$T/exp" >"$T/exp.log" 2>&1 &&
    [ -s "$T/exp/experiment_run/test_statistics.json" ] || { fail "experiment on the generated config"; tail -5 "$T/exp.log"; }

[ "$fails" = 0 ] && echo "test_init_config: ok"
exit "$fails"
