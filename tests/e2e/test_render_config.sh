#!/bin/sh
# `ludwig-c render_config` (issue 15): the config upgraded from older styles and filled with every
# default, as YAML in PyYAML's safe_dump(sort_keys=False) layout. Checked on upstream's
# temperature_config.yml (the old flat style), the tutorial's config and the tabular configs
# (the legacy diabetes one among them): PyYAML reads each rendering and dumps it back byte for
# byte; rendering a rendering gives the same config (the full config is a fixed point); the upgrades are
# made (training -> trainer, encoder keys nested); names that YAML would read as a number, a bool
# or null stay strings. A refused config writes nothing.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3
LUDWIG_C=${LUDWIG_C:-build/ludwig-c}
fails=0
fail() { echo "FAIL render_config: $*"; fails=$((fails + 1)); }

cat >"$T/quoted.yaml" <<'YAML'
input_features:
  - {name: 'yes', type: number, column: '007'}
  - {name: '1e3', type: category}
output_features:
  - {name: 'null', type: binary}
YAML
n=0
for c in test-data/temperature_config.yml test-data/config.yaml test-data/tabular/*_config.yaml "$T/quoted.yaml"; do
    n=$((n + 1))
    "$LUDWIG_C" render_config --config "$c" --output "$T/r$n.yaml" 2>"$T/r$n.log" ||
        { fail "$c: refused"; cat "$T/r$n.log"; continue; }
    "$LUDWIG_C" render_config -c "$T/r$n.yaml" -o "$T/rr$n.yaml" 2>/dev/null || fail "$c: its rendering does not render"
    # the same config (a default Ludwig renders as 0 comes back 0.0 from a float key, as in Ludwig)
    $PY -c 'import sys, yaml; a, b = (yaml.safe_load(open(p)) for p in sys.argv[1:]); assert a == b' \
        "$T/r$n.yaml" "$T/rr$n.yaml" || fail "$c: rendering the rendering changes it"
    $PY - "$T/r$n.yaml" <<'PYEOF' || fail "$c: not PyYAML's layout"
import sys, yaml
text = open(sys.argv[1]).read()
back = yaml.safe_dump(yaml.safe_load(text), sort_keys=False)
assert back == text, "\n".join(l for l in __import__("difflib").unified_diff(text.splitlines(), back.splitlines(), lineterm=""))
PYEOF
done
$PY - "$T/r1.yaml" "$T/r$n.yaml" <<'PYEOF' || fail "the rendered contents"
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
assert list(c)[:3] == ["model_type", "input_features", "output_features"], list(c)
assert "training" not in c and c["trainer"]["epochs"] == 2, c.get("trainer")
e = c["input_features"][0]["encoder"]
assert (e["type"], e["embedding_size"], e["state_size"], e["cell_type"]) == ("rnn", 32, 32, "rnn"), e
assert c["output_features"][0]["loss"]["type"] == "mean_squared_error"
assert c["ludwig_version"] == "0.10.3" and isinstance(c["trainer"]["learning_rate"], float)
q = yaml.safe_load(open(sys.argv[2]))
assert [f["name"] for f in q["input_features"]] == ["yes", "1e3"] and q["input_features"][0]["column"] == "007"
assert q["output_features"][0]["name"] == "null"
print("render_config: %d configs rendered in PyYAML's layout, fixed points, upgraded" % int(sys.argv[2].split("/r")[-1].split(".")[0]))
PYEOF
"$LUDWIG_C" render_config -c test-data/temperature_config.yml | cmp -s - "$T/r1.yaml" || fail "standard output differs from --output"
printf 'input_features:\n  - {name: x, type: numbr}\noutput_features:\n  - {name: y, type: binary}\n' >"$T/bad.yaml"
set +e
"$LUDWIG_C" render_config -c "$T/bad.yaml" -o "$T/bad_out.yaml" 2>"$T/bad.err"
rc=$?
set -e
[ "$rc" = 1 ] && grep -q "bad.yaml:2:" "$T/bad.err" && [ ! -e "$T/bad_out.yaml" ] ||
    { fail "a refused config: exit $rc"; cat "$T/bad.err"; }
# an empty feature name is a placeholder render accepts (upstream's Galaxy form writes it);
# training refuses it
printf "input_features: [{name: '', type: number}]\noutput_features: [{name: '', type: category}]\n" >"$T/empty.yaml"
"$LUDWIG_C" render_config -c "$T/empty.yaml" -o "$T/empty_out.yaml" 2>/dev/null && grep -q "^- name: ''" "$T/empty_out.yaml" ||
    fail "render of empty feature names"
if "$LUDWIG_C" experiment -c "$T/empty.yaml" --dataset test-data/tabular/penguins.csv --output_directory "$T/eo" >"$T/empty.err" 2>&1; then
    fail "experiment accepted an empty feature name"
else
    grep -q "the name is empty" "$T/empty.err" || fail "experiment's empty-name message"
fi
# a hyperopt section is kept, upgraded (training. -> trainer.)
"$LUDWIG_C" render_config -c test-data/temperature_hyperopt.yml -o "$T/hy.yaml" 2>/dev/null
$PY -c 'import sys, yaml; h = yaml.safe_load(open(sys.argv[1]))["hyperopt"]; sys.exit(not ("trainer.learning_rate" in h["parameters"] and h["executor"]["num_samples"] == 2))' "$T/hy.yaml" ||
    fail "the hyperopt section of temperature_hyperopt.yml"
[ "$fails" = 0 ] && echo "render_config: ok"
exit "$fails"
