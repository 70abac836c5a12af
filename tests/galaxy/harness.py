"""Runs each <test> of Galaxy tool XMLs the way `planemo test` (Galaxy's tool test driver) runs
it, without Galaxy: macros expanded (gxtool.py); the parameter state built from the inputs'
defaults and the test's values; inputs staged as Galaxy datasets (composite inputs in their
datatype's file order, with the primary file Galaxy generates); the Cheetah <command> rendered with
Galaxy-like wrappers (str() = path, element_identifier, ext, extra_files_path, __tool_directory__)
and collapsed to one line as Galaxy does; written to tool_script.sh (set -e for profile >= 20.09)
and run with bash in <job>/working with GALAXY_SLOTS, HOME and TMPDIR set; the exit code judged by
<stdio>; outputs collected (from_work_dir copies, discover_datasets into list collections,
auto_primary_file composite primaries generated as Galaxy's datatype does, output filters); then
the test's expectations verified (expect_failure, expect_exit_code, expect_num_outputs,
assert_command/stdout/stderr, ftype, assert_contents, file= with compare diff/sim_size/contains/
re_match, extra_files, output_collection count, element order and contents).

The inputs are emulated as Galaxy models them: sections (values nested under the section's
name, $section.param), repeats (a list of elements, each with its params; as many as the test
names, at least min), conditionals nested at any depth (a select or boolean test param and the
params of the selected <when>), data params with multiple="true" (a comma-separated test value, a
list in the command). Test params are matched by their full path, as Galaxy's test parser
flattens nested <section>/<conditional>/<repeat> test elements ('sec|rep_0|cond|param'); a test
value that reaches no param in use is an error that says where its path stops matching.
<configfiles> are written before the command: <configfile> (Cheetah, the same values as the
command) and <inputs> (the parameter state as JSON, Galaxy's wrapped_json layout), their paths
given to the command as $name. data_column params: a column number of their data_ref dataset,
checked against its columns. What it does not emulate: data collections as inputs, dynamic
select options, bare (suffix) test param names, text-parameter sanitization, metadata checks,
datatype sniffing (tests must give ftype), containers, and real dependency resolution (the
requirement is met by putting the installed ludwig-c first in PATH). Anything of those met in a
tool is reported as an error, not ignored.

Self-tests (--expect-fail): every test must fail; a test that must be refused as malformed (a
harness error, not a failed job) says so with harness_error="text its message contains" on <test>.

Usage: harness.py [--path-prefix DIR] [--keep] [--slots N] [--only ID] TOOL.xml...
Run with /usr/bin/python3 (Debian's python3-lxml and python3-cheetah).
"""
import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from Cheetah.Template import Template

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gxtool  # noqa: E402


class HarnessError(Exception):
    """The tool uses something this harness does not emulate, or the test is malformed."""


class TestFailure(Exception):
    pass


# --- wrappers (lib/galaxy/tools/wrappers.py semantics) -----------------------------------------
class DatasetWrapper:
    def __init__(self, path, ext, name, extra_files_path):
        self.file_name = path
        self.ext = ext
        self.extension = ext
        self.name = name
        self.element_identifier = name
        self.extra_files_path = extra_files_path
        self.files_path = extra_files_path
        self.dbkey = "?"

    def get_file_name(self):
        return self.file_name

    def is_of_type(self, *exts):
        return any(gxtool.is_subtype(self.ext, e) for e in exts)

    def __str__(self):
        return self.file_name

    def __bool__(self):
        return True


class NoneDataset:
    """An unset optional data parameter: falsy, and str() is 'None' as in Galaxy."""
    ext = "data"
    extension = "data"
    name = "None"
    element_identifier = "None"
    file_name = "None"
    extra_files_path = "None"
    files_path = "None"

    def __str__(self):
        return "None"

    def __bool__(self):
        return False


class ValueWrapper:
    """InputValueWrapper / SelectToolParameterWrapper / boolean."""

    def __init__(self, value, text, truth):
        self.value = value
        self._text = text
        self._truth = truth

    def __str__(self):
        return self._text

    def __bool__(self):
        return self._truth

    def __eq__(self, other):
        if isinstance(other, ValueWrapper):
            other = str(other)
        if isinstance(other, (int, float)) and not isinstance(other, bool):
            try:
                return float(self._text) == float(other)
            except ValueError:
                return False
        return self._text == str(other)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self._text)

    def __int__(self):
        return int(self._text)

    def __float__(self):
        return float(self._text)


# --- parsing the tool --------------------------------------------------------------------------
def parse_param(el):
    name = gxtool.param_name(el)
    ptype = el.get("type")
    multiple = el.get("multiple") == "true"
    if ptype == "data_collection":
        raise HarnessError(f"param {name}: data_collection inputs are not emulated")
    p = {"name": name, "type": ptype, "el": el, "multiple": multiple and ptype == "data",
         "optional": el.get("optional", "false") == "true",
         "formats": [f.strip() for f in el.get("format", "data").split(",")]}
    if ptype == "select":
        opts = [(o.get("value"), o.get("selected") == "true") for o in el.findall("option")]
        if not opts:
            raise HarnessError(f"param {name}: dynamic select options are not emulated")
        p["options"] = [v for v, _ in opts]
        sel = [v for v, s in opts if s]
        if multiple:  # the selected options, comma-joined as Galaxy's str() of the value
            p["select_multiple"] = True
            p["default"] = ",".join(sel) if sel else None
        else:
            p["default"] = sel[0] if sel else opts[0][0]
    elif ptype == "boolean":
        p["default"] = el.get("checked", "false") == "true"
        p["truevalue"] = el.get("truevalue", "true")
        p["falsevalue"] = el.get("falsevalue", "false")
    elif ptype in ("integer", "float", "text", "hidden"):
        p["default"] = el.get("value", "")
    elif ptype == "data":
        p["default"] = None
    elif ptype == "data_column":
        # a column number (1-based) of the dataset data_ref names; by default the first
        p["data_ref"] = el.get("data_ref")
        p["col_multiple"] = multiple
        p["default"] = el.get("value") or (None if p["optional"] else "1")
    else:
        raise HarnessError(f"param {name}: type '{ptype}' is not emulated")
    return p


def parse_group(parent, where):
    """The inputs of <inputs>, a <section>, a <repeat> or a <when>, in order: name -> input.
    An input is a param dict, or {type: section|repeat, inputs} or {type: conditional, test, cases}
    (cases: the <when> values, in order, each with its inputs)."""
    inputs = {}
    for el in parent:
        if not isinstance(el.tag, str):
            continue
        if el.tag == "param":
            p = parse_param(el)
        elif el.tag == "conditional":
            p = parse_conditional(el, where)
        elif el.tag in ("section", "repeat"):
            name = el.get("name")
            if not name:
                raise HarnessError(f"<{el.tag}> without a name in {where}")
            p = {"name": name, "type": el.tag, "inputs": parse_group(el, f"{el.tag} {name}")}
            if el.tag == "repeat":
                lo = int(el.get("min", "0"))
                hi = el.get("max")
                p["min"] = lo
                p["max"] = int(hi) if hi else None
                p["default"] = max(lo, int(el.get("default", "0")))
        else:
            raise HarnessError(f"<{el.tag}> in {where} is not emulated by this harness")
        if p["name"] in inputs:
            raise HarnessError(f"{where}: two inputs named '{p['name']}'")
        inputs[p["name"]] = p
    return inputs


def parse_conditional(el, where):
    name = el.get("name")
    params = el.findall("param")
    if len(params) != 1 or params[0].get("type") not in ("select", "boolean"):
        raise HarnessError(f"conditional {name}: it needs one test param, a select or a boolean")
    test = parse_param(params[0])
    cases = {}
    for c in el:
        if not isinstance(c.tag, str) or c.tag == "param":
            continue
        if c.tag != "when":
            raise HarnessError(f"conditional {name}: <{c.tag}> is not emulated")
        cases[c.get("value")] = parse_group(c, f"conditional {name} when {c.get('value')}")
    return {"name": name, "type": "conditional", "test": test, "cases": cases, "default": None}


def parse_inputs(root):
    inp = root.find("inputs")
    return parse_group(inp, "<inputs>") if inp is not None else {}


def case_of(cond, value):
    """The <when> value a conditional's test param value selects (a boolean's true/falsevalue)."""
    test = cond["test"]
    key = (test["truevalue"] if value else test["falsevalue"]) if test["type"] == "boolean" else value
    if key not in cond["cases"]:
        raise HarnessError(f"conditional {cond['name']}: no <when value=\"{key}\">")
    return key


def walk_params(inputs, state, path=""):
    """(state dict, name, param, full path) of every param in use: sections, every repeat element,
    and each conditional's test param and selected case, in the tool's order."""
    for n, p in inputs.items():
        t = p["type"]
        if t == "section":
            yield from walk_params(p["inputs"], state[n], f"{path}{n}|")
        elif t == "repeat":
            for i, el in enumerate(state[n]):
                yield from walk_params(p["inputs"], el, f"{path}{n}_{i}|")
        elif t == "conditional":
            cs = state[n]
            tn = p["test"]["name"]
            yield cs, tn, p["test"], f"{path}{n}|{tn}"
            yield from walk_params(p["cases"][case_of(p, cs[tn])], cs, f"{path}{n}|")
        else:
            yield state, n, p, path + n

def parse_outputs(root):
    outs = []
    o = root.find("outputs")
    if o is None:
        return outs
    for el in o:
        if el.tag not in ("data", "collection"):
            continue
        filt = [f.text.strip() for f in el.findall("filter")]
        if el.tag == "data":
            if el.find("discover_datasets") is not None:
                raise HarnessError(f"output {el.get('name')}: discover_datasets on data outputs is not emulated")
            if el.get("format_source") or not el.get("format"):
                raise HarnessError(f"output {el.get('name')}: only a fixed format= is emulated")
        else:
            if el.get("type") != "list":
                raise HarnessError(f"collection {el.get('name')}: only type list is emulated")
        outs.append({"name": el.get("name"), "kind": el.tag, "el": el, "filters": filt,
                     "format": el.get("format")})
    return outs


# --- bytesize and assertions (lib/galaxy/tool_util/verify/asserts) -----------------------------
def parse_bytesize(s):
    if s is None:
        return None
    m = re.fullmatch(r"\s*(-?[0-9.]+)\s*(?:([kKMGTPE])(i?))?\s*", str(s))
    if not m:
        raise HarnessError(f"bad size/count '{s}'")
    value = float(m.group(1))
    if m.group(2):
        power = "kMGTPE".index(m.group(2).replace("K", "k")) + 1
        value *= (1024 if m.group(3) else 1000) ** power
    return int(value)


def check_count(what, count, attrs):
    n = parse_bytesize(attrs.get("n"))
    delta = parse_bytesize(attrs.get("delta")) or 0
    lo = parse_bytesize(attrs.get("min"))
    hi = parse_bytesize(attrs.get("max"))
    if n is not None and abs(count - n) > delta:
        raise TestFailure(f"{what}: found {count}, expected {n}" + (f" (+-{delta})" if delta else ""))
    if lo is not None and count < lo:
        raise TestFailure(f"{what}: found {count}, expected at least {lo}")
    if hi is not None and count > hi:
        raise TestFailure(f"{what}: found {count}, expected at most {hi}")


def _negate(attrs):
    return attrs.get("negate", "false").lower() in ("true", "1", "yes")


def assert_one(tag, attrs, data, children):
    text = data.decode("utf-8", errors="replace")
    has_count = any(k in attrs for k in ("n", "min", "max"))
    neg = _negate(attrs)

    def presence(what, found_count, found):
        if has_count:
            try:
                check_count(what, found_count, attrs)
                ok = True
            except TestFailure:
                if not neg:
                    raise
                ok = False
            if neg and ok:
                raise TestFailure(f"{what}: count matched but negate is set")
        elif found == neg:
            raise TestFailure(f"{what}: {'found' if found else 'not found'}")

    if tag == "has_text":
        t = attrs["text"]
        c = len(re.findall(re.escape(t), text))
        presence(f"has_text '{t}'", c, c > 0)
    elif tag == "not_has_text":
        t = attrs["text"]
        if t in text:
            raise TestFailure(f"not_has_text '{t}': found")
    elif tag == "has_line":
        line = attrs["line"]
        c = len(re.findall("^" + re.escape(line) + "$", text, re.MULTILINE))
        presence(f"has_line '{line}'", c, c > 0)
    elif tag == "has_line_matching":
        ex = attrs["expression"]
        c = len(re.findall("^" + ex + "$", text, re.MULTILINE))
        presence(f"has_line_matching '{ex}'", c, c > 0)
    elif tag == "has_text_matching":
        ex = attrs["expression"]
        c = len(re.findall(ex, text))
        presence(f"has_text_matching '{ex}'", c, c > 0)
    elif tag == "has_n_lines":
        check_count("has_n_lines", len(text.splitlines()), attrs)
    elif tag == "has_n_columns":
        sep = attrs.get("sep", "\t")
        comment = attrs.get("comment", "")
        first = None
        for line in text.splitlines():
            if comment and line.startswith(tuple(comment.split(","))):
                continue
            first = line
            break
        ncol = len(first.split(sep)) if first is not None else 0
        check_count("has_n_columns", ncol, attrs)
    elif tag == "has_size":
        attrs = dict(attrs)
        if "size" in attrs:
            attrs["n"] = attrs.pop("size")
        if "value" in attrs:
            attrs["n"] = attrs.pop("value")
        check_count("has_size", len(data), attrs)
    elif tag in ("has_json_property_with_text", "has_json_property_with_value"):
        prop = attrs["property"]
        want = attrs.get("text") if tag.endswith("text") else json.loads(attrs["value"])
        found = []

        def walk(o):
            if isinstance(o, dict):
                for k, v in o.items():
                    if k == prop:
                        found.append(v)
                    walk(v)
            elif isinstance(o, list):
                for v in o:
                    walk(v)
        walk(json.loads(text))
        if not any(v == want for v in found):
            raise TestFailure(f"{tag} {prop}={want!r}: found {found[:5]!r}")
    elif tag == "is_valid_xml":
        from lxml import etree
        try:
            etree.fromstring(data)
        except etree.XMLSyntaxError as exc:
            raise TestFailure(f"is_valid_xml: {exc}") from exc
    else:
        raise HarnessError(f"assertion <{tag}> is not emulated by this harness")
    if children:
        raise HarnessError(f"assertion <{tag}> with children is not emulated")


def run_assertions(container, data, what):
    for a in container:
        if not isinstance(a.tag, str):
            continue
        try:
            assert_one(a.tag, dict(a.attrib), data, list(a))
        except TestFailure as exc:
            raise TestFailure(f"{what}: {exc}") from None


def compare_file(expected_path, actual, attrs, what):
    compare = attrs.get("compare", "diff")
    with open(expected_path, "rb") as f:
        exp = f.read()
    if compare == "sim_size":
        delta = int(attrs.get("delta", "10000"))
        frac = attrs.get("delta_frac")
        if abs(len(exp) - len(actual)) > delta:
            raise TestFailure(f"{what}: size {len(actual)} differs from {len(exp)} by more than {delta}")
        if frac is not None:
            f_ = float(frac)
            if not len(exp) * (1 - f_) <= len(actual) <= len(exp) * (1 + f_):
                raise TestFailure(f"{what}: size {len(actual)} outside {frac} of {len(exp)}")
        return
    lines_diff = int(attrs.get("lines_diff", "0"))
    e_lines = exp.decode("utf-8", errors="replace").splitlines(True)
    a_lines = actual.decode("utf-8", errors="replace").splitlines(True)
    if attrs.get("sort", "false") == "true":
        e_lines, a_lines = sorted(e_lines), sorted(a_lines)
    if compare == "diff":
        if exp == actual:
            return
        diff = [ln for ln in difflib.unified_diff(e_lines, a_lines)
                if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
        if len(diff) > lines_diff:
            raise TestFailure(f"{what}: differs from {os.path.basename(expected_path)} in "
                              f"{len(diff)} diff line(s) (allowed {lines_diff}):\n"
                              + "".join(diff[:10]))
    elif compare == "contains":
        missing = [ln for ln in e_lines if ln.rstrip("\r\n") not in actual.decode("utf-8", "replace")]
        if len(missing) > lines_diff:
            raise TestFailure(f"{what}: {len(missing)} expected line(s) missing: {missing[:3]!r}")
    elif compare == "re_match":
        if len(e_lines) != len(a_lines):
            raise TestFailure(f"{what}: {len(a_lines)} lines, expected {len(e_lines)}")
        bad = sum(1 for e, a in zip(e_lines, a_lines) if not re.match(e.rstrip("\r\n"), a.rstrip("\r\n")))
        if bad > lines_diff:
            raise TestFailure(f"{what}: {bad} line(s) do not match")
    else:
        raise HarnessError(f"compare='{compare}' is not emulated")


def verify_dataset(el, ds, test_data, what):
    """ds: dict(path, ext, extra). Checks of one <output>/<element>/<extra_files>."""
    with open(ds["path"], "rb") as f:
        data = f.read()
    for attr in ("md5", "checksum", "value_json", "location", "metric", "eps", "decompress"):
        if el.get(attr) is not None:
            raise HarnessError(f"{what}: attribute {attr} is not emulated")
    if el.get("ftype") and el.get("ftype") != ds["ext"]:
        raise TestFailure(f"{what}: datatype {ds['ext']}, expected {el.get('ftype')}")
    for ac in el.findall("assert_contents"):
        run_assertions(ac, data, what)
    ref = el.get("file") or (el.get("value") if el.tag in ("output", "element") else None)
    if ref:
        compare_file(os.path.join(test_data, ref), data, el.attrib, what)
    for md in el.findall("metadata"):
        raise HarnessError(f"{what}: <metadata> checks are not emulated")
    for ef in el.findall("extra_files"):
        if ef.get("type", "file") != "file":
            raise HarnessError(f"{what}: extra_files type={ef.get('type')} is not emulated")
        name = ef.get("name")
        p = os.path.join(ds["extra"] or "", name)
        if not ds["extra"] or not os.path.isfile(p):
            raise TestFailure(f"{what}: extra file '{name}' missing")
        with open(p, "rb") as f:
            edata = f.read()
        ewhat = f"{what} extra file {name}"
        for ac in ef.findall("assert_contents"):
            run_assertions(ac, edata, ewhat)
        if ef.get("value"):
            compare_file(os.path.join(test_data, ef.get("value")), edata, ef.attrib, ewhat)


# --- running one test --------------------------------------------------------------------------
def find_test_data(tool_path):
    d = os.path.join(os.path.dirname(os.path.abspath(tool_path)), "test-data")
    if os.path.isdir(d):
        return d
    raise HarnessError(f"no test-data/ next to {tool_path}")


def _value(p, tp, path):
    """A test <param>'s raw value for param p (a data param keeps its element until staged)."""
    if isinstance(tp, DatasetWrapper):  # an earlier job's output (workflow)
        if p["type"] != "data":
            raise HarnessError(f"'{path}' is not a data param; a dataset cannot be connected to it")
        return tp
    if tp.find("collection") is not None or tp.find("metadata") is not None:
        raise HarnessError(f"test param '{path}': collections/metadata are not emulated")
    v = tp.get("value")
    if p["type"] == "boolean":
        return str(v).lower() in ("true", "yes", "1", p["truevalue"].lower())
    if p["type"] == "select":
        vals = v.split(",") if p.get("select_multiple") else [v]
        for one in vals:
            if one not in p["options"]:
                raise HarnessError(f"test param '{path}': '{one}' is not an option ({p['options']})")
        return v
    if p["type"] == "data":
        return tp
    return v


def given_values(test_el):
    """The test's <param>s by full path, as Galaxy's test parser flattens them: <section> and
    <conditional> add 'name|', the n-th <repeat name="r"> of a level adds 'r_n|'."""
    given = {}

    def walk(el, prefix):
        reps = {}
        for c in el:
            if not isinstance(c.tag, str):
                continue
            if c.tag == "param":
                key = prefix + c.get("name")
                if key in given:
                    raise HarnessError(f"test param '{key}' is given twice")
                given[key] = c
            elif c.tag in ("section", "conditional"):
                walk(c, f"{prefix}{c.get('name')}|")
            elif c.tag == "repeat":
                i = reps[c.get("name")] = reps.get(c.get("name"), -1) + 1
                walk(c, f"{prefix}{c.get('name')}_{i}|")
    walk(test_el, "")
    return given


def build_group(inputs, given, prefix, used):
    """The state of a group of inputs: defaults, then the given values. A section's state is a
    dict, a repeat's a list of dicts (as many elements as the test names, at least min or
    default), a conditional's a dict of its test param and selected case."""
    st = {}
    for n, p in inputs.items():
        path = prefix + n
        t = p["type"]
        if t == "section":
            st[n] = build_group(p["inputs"], given, path + "|", used)
        elif t == "repeat":
            pat = re.compile(re.escape(path) + r"_(\d+)\|")
            named = [int(m.group(1)) for m in (pat.match(k) for k in given) if m]
            count = max([i + 1 for i in named] + [p["default"]])
            if p["max"] is not None and count > p["max"]:
                raise HarnessError(f"repeat '{path}': the test gives {count} elements, max is {p['max']}")
            st[n] = []
            for i in range(count):
                el = build_group(p["inputs"], given, f"{path}_{i}|", used)
                el["__index__"] = i
                st[n].append(el)
        elif t == "conditional":
            test = p["test"]
            tpath = f"{path}|{test['name']}"
            value = test["default"]
            if tpath in given:
                used.add(tpath)
                value = _value(test, given[tpath], tpath)
            case = case_of(p, value)
            cs = build_group(p["cases"][case], given, path + "|", used)
            cs[test["name"]] = value
            cs["__current_case__"] = list(p["cases"]).index(case)
            st[n] = cs
        elif path in given:
            used.add(path)
            st[n] = _value(p, given[path], path)
        else:
            st[n] = p["default"]
    return st


def explain_unused(inputs, state, key):
    """Why the test param key matches no param in use: where its path stops matching."""
    parts = key.split("|")
    group, st, where, path = inputs, state, "the tool", ""
    for i, head in enumerate(parts):
        last = i == len(parts) - 1
        m = re.fullmatch(r"(.+)_(\d+)", head)
        rep = group.get(m.group(1)) if m else None
        if head in group:
            p = group[head]
            path += head
            if p["type"] == "section" and not last:
                group, st, where = p["inputs"], st[head], f"section '{path}'"
            elif p["type"] == "conditional" and not last:
                case = case_of(p, st[head][p["test"]["name"]])
                group, st = p["cases"][case], st[head]
                where = f"the selected case '{case}' of conditional '{path}'"
                other = [v for v, c in p["cases"].items() if v != case and parts[i + 1] in c]
                if parts[i + 1] not in group and other:
                    return (f"test param '{key}' is in the case '{other[0]}' of conditional '{path}', "
                            f"not in the selected case '{case}'")
            elif p["type"] == "repeat":
                return f"test param '{key}': the elements of repeat '{path}' are named '{head}_0', '{head}_1', ..."
            else:
                return f"test param '{key}': '{path}' is a {p['type']}, not " + ("a group" if not last else "a param")
        elif rep is not None and rep["type"] == "repeat" and not last:
            path += head
            group, st = rep["inputs"], st[m.group(1)][int(m.group(2))]
            where = f"repeat '{path[:-len(m.group(2)) - 1]}'"
        else:
            return f"test param '{key}': {where} has no input '{head}'"
        path += "|"
    return f"test param '{key}' matches no param"


def build_state(inputs, test_el, inject=None):
    """Raw values: the defaults, then the test's <param>s (and datasets injected by a workflow,
    by path). Every given value must reach a param in use."""
    given = dict(inject or {})
    given.update(given_values(test_el))
    used = set()
    state = build_group(inputs, given, "", used)
    for key in given:
        if key not in used:
            raise HarnessError(explain_unused(inputs, state, key))
    for st, n, p, path in walk_params(inputs, state):
        if p["type"] == "data" and st[n] is None and not p["optional"]:
            raise HarnessError(f"required data param '{path}' has no value in the test")
    return state


def stage_inputs(inputs, state, test_data, job):
    """Copies (links) test datasets into <job>/inputs the way an upload makes Galaxy datasets; each
    data param's state becomes its DatasetWrapper (a list of them for multiple="true")."""
    os.makedirs(os.path.join(job, "inputs"))
    n = 0
    todo = []
    for st, name, p, path in walk_params(inputs, state):
        if p["type"] != "data" or st[name] is None:
            continue
        tp = st[name]
        if p.get("multiple") and not isinstance(tp, DatasetWrapper):
            st[name] = []
            for v in [v.strip() for v in tp.get("value").split(",")]:
                one = tp.__copy__()
                one.set("value", v)
                todo.append((st, name, p, one, True))
            continue
        todo.append((st, name, p, tp, False))
    for st, name, p, tp, multi in todo:
        n += 1
        if isinstance(tp, DatasetWrapper):  # an earlier job's output (workflow)
            if not any(gxtool.is_subtype(tp.ext, f) for f in p["formats"]):
                raise TestFailure(f"param {name}: a {tp.ext} dataset is not accepted (formats {p['formats']})")
            st[name] = [tp] if p.get("multiple") else tp
            continue
        ftype = tp.get("ftype")
        if not ftype:
            raise HarnessError(f"test param '{name}': give ftype (sniffing is not emulated)")
        if not any(gxtool.is_subtype(ftype, f) for f in p["formats"]):
            raise TestFailure(f"param {name}: a {ftype} dataset is not accepted (formats {p['formats']})")
        path = os.path.join(job, "inputs", f"dataset_{n}.dat")
        extra = os.path.join(job, "inputs", f"dataset_{n}_files")
        comps = tp.findall("composite_data")
        if ftype in gxtool.COMPOSITES:
            spec = gxtool.COMPOSITES[ftype]["files"]
            if len(comps) > len(spec):
                raise TestFailure(f"param {name}: {len(comps)} composite files, {ftype} has {len(spec)}")
            os.makedirs(extra)
            for (cname, _desc, optional), c in zip(spec, comps):
                shutil.copyfile(os.path.join(test_data, c.get("value")), os.path.join(extra, cname))
            for cname, _desc, optional in spec[len(comps):]:
                if not optional:
                    raise TestFailure(f"param {name}: composite part {cname} missing")
            with open(path, "w") as f:
                f.write(gxtool.generate_primary_file(ftype))
            ident = tp.get("value") or f"dataset_{n}"
        else:
            if comps:
                raise HarnessError(f"param {name}: composite_data for non-composite {ftype}")
            src = os.path.join(test_data, tp.get("value"))
            if not os.path.isfile(src):
                raise HarnessError(f"test data file {src} missing")
            shutil.copyfile(src, path)
            ident = os.path.basename(tp.get("value"))
        ds = DatasetWrapper(path, ftype, ident, extra)
        if multi:
            st[name].append(ds)
        else:
            st[name] = ds


def _column_count(ds):
    """The number of columns of a staged tabular/csv dataset (Galaxy's metadata.columns)."""
    import csv
    with open(str(ds), newline="", encoding="utf-8", errors="replace") as f:
        first = f.readline()
    if gxtool.is_subtype(ds.ext, "csv"):
        return len(next(csv.reader([first]), []))
    return len(first.rstrip("\r\n").split("\t"))


def check_columns(inputs, state):
    """Each data_column value must be a column of its data_ref dataset, as Galaxy's select of
    the dataset's columns only offers those."""
    for st, n, p, path in walk_params(inputs, state):
        if p["type"] != "data_column" or st[n] in (None, ""):
            continue
        ref = st.get(p["data_ref"], state.get(p["data_ref"]))
        if not isinstance(ref, DatasetWrapper):
            raise HarnessError(f"param {path}: data_ref '{p['data_ref']}' is not a dataset given in the test")
        ncol = _column_count(ref)
        values = str(st[n]).split(",") if p["col_multiple"] else [str(st[n])]
        for v in values:
            if not v.strip().isdigit() or not 1 <= int(v) <= ncol:
                raise HarnessError(f"param {path}: '{v}' is not a column of {ref.name} (1..{ncol})")


class CondWrapper(dict):
    """A conditional's, section's or repeat element's values: `'name' in $cond`, `$cond.name`
    (Cheetah's autokey lookup)."""

    def __getattr__(self, k):
        try:
            return self[k]
        except KeyError:
            raise AttributeError(k) from None


def _wrap_one(p, v):
    t = p["type"]
    if t == "data":
        if p.get("multiple"):
            return v if v is not None else []
        return v if v is not None else NoneDataset()
    if t == "boolean":
        return ValueWrapper(v, p["truevalue"] if v else p["falsevalue"], bool(v))
    if t in ("select", "data_column"):
        return ValueWrapper(v, "None" if v is None else str(v), bool(v))
    if v in (None, ""):
        text = "None" if t in ("integer", "float") else ""
        return ValueWrapper(None, text, False)
    if t == "integer":
        int(v)
    elif t == "float":
        float(v)
    return ValueWrapper(v, str(v), True)


def wrap_state(inputs, state, top=True):
    """The Cheetah view of the state: wrapped params; sections and conditionals as dicts (with
    __current_case__), repeats as lists of dicts (with __index__), as Galaxy's param_dict."""
    ctx = {} if top else CondWrapper()
    for name, p in inputs.items():
        t = p["type"]
        if t == "section":
            ctx[name] = wrap_state(p["inputs"], state[name], False)
        elif t == "repeat":
            ctx[name] = []
            for el in state[name]:
                w = wrap_state(p["inputs"], el, False)
                w["__index__"] = el["__index__"]
                ctx[name].append(w)
        elif t == "conditional":
            cs = state[name]
            tn = p["test"]["name"]
            w = wrap_state(p["cases"][case_of(p, cs[tn])], cs, False)
            w[tn] = _wrap_one(p["test"], cs[tn])
            w["__current_case__"] = cs["__current_case__"]
            ctx[name] = w
        else:
            ctx[name] = _wrap_one(p, state[name])
    return ctx


_SKIP = object()


def json_wrap(inputs, state, data_style):
    """<configfiles><inputs>: the parameter state as Galaxy writes it (galaxy.tools.parameters.
    wrapped_json): sections and conditionals as dicts (a conditional's case params first, then its
    test param), repeats as lists of dicts, integers and floats as numbers (empty: null),
    booleans as true/false, select and text values as strings; data params skipped unless
    data_style="paths" (then their paths)."""
    out = {}
    for name, p in inputs.items():
        t = p["type"]
        v = state[name]
        if t == "section":
            out[name] = json_wrap(p["inputs"], v, data_style)
        elif t == "repeat":
            out[name] = [json_wrap(p["inputs"], el, data_style) for el in v]
        elif t == "conditional":
            tn = p["test"]["name"]
            d = json_wrap(p["cases"][case_of(p, v[tn])], v, data_style)
            d[tn] = json_wrap({tn: p["test"]}, v, data_style)[tn]
            out[name] = d
        elif t == "data":
            if data_style == "skip":
                continue
            if p.get("multiple"):
                out[name] = [str(x) for x in (v or [])]
            else:
                out[name] = None if v is None else str(v)
        elif t == "integer":
            out[name] = None if v in (None, "") else int(v)
        elif t == "float":
            out[name] = None if v in (None, "") else float(v)
        elif t == "boolean":
            out[name] = bool(v)
        elif t == "data_column":
            out[name] = [int(x) for x in str(v).split(",")] if v not in (None, "") else [None]
        else:
            out[name] = None if v is None else str(v)
    return out


def write_configfiles(root, inputs, state, ctx, job, working):
    """<configfiles>, in order, as Galaxy's ToolEvaluator builds them before the command: a
    <configfile> is the Cheetah template filled with the same values as the command (not collapsed
    to one line), <inputs> the JSON of the parameter state; each is written to a new file in the
    job directory (or working/<filename>) whose path becomes $name."""
    cf = root.find("configfiles")
    if cf is None:
        return
    for el in cf:
        if not isinstance(el.tag, str):
            continue
        name, filename = el.get("name"), el.get("filename")
        if el.tag == "configfile":
            text = str(Template(el.text or "", searchList=[ctx]))
        elif el.tag == "inputs":
            if el.get("format", "json") != "json":
                raise HarnessError(f"<inputs> configfile format {el.get('format')} (Galaxy writes json only)")
            style = el.get("data_style", "skip")
            if style not in ("skip", "paths"):
                raise HarnessError(f"<inputs data_style=\"{style}\"> is not emulated")
            text = json.dumps(json_wrap(inputs, state, style))
        else:
            raise HarnessError(f"<configfiles><{el.tag}> is not emulated")
        if filename:
            path = os.path.join(working, filename)
        else:
            fd, path = tempfile.mkstemp(dir=job)
            os.close(fd)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        if name:
            ctx[name] = path



def render_command(command, ctx):
    t = Template(command, searchList=[ctx])
    rendered = str(t)
    # ToolEvaluator._build_command_line: strip lines, join, collapse newlines
    lines = [ln.strip() for ln in rendered.splitlines()]
    return "\n".join(lines).replace("\n", " ").replace("\r", " ").strip()


def exit_code_fatal(root, rc, profile):
    """<stdio> exit_code rules, in order; the first match decides. Returns (fatal, level)."""
    stdio = root.find("stdio")
    rules = stdio.findall("exit_code") if stdio is not None else []
    if stdio is not None and stdio.findall("regex"):
        raise HarnessError("<stdio><regex> rules are not emulated")
    for r in rules:
        rng = r.get("range", "")
        if ":" in rng:
            lo, hi = rng.split(":", 1)
            lo = int(lo) if lo.strip() else -(1 << 31)
            hi = int(hi) if hi.strip() else 1 << 31
        else:
            lo = hi = int(rng)
        if lo <= rc <= hi:
            level = r.get("level", "fatal")
            return level in ("fatal", "fatal_oom"), level
    if not rules:
        cmd = root.find("command")
        if profile >= 16.04 or (cmd is not None and cmd.get("detect_errors") in ("exit_code", "aggressive")):
            return rc != 0, "fatal" if rc else None
    return False, None


def eval_filter(expr, raw):
    env = dict(raw)
    return bool(eval(expr, {"__builtins__": {}}, env))  # noqa: S307 - the tool's own filter


def discover(job_working, el):
    """discover_datasets of a list collection, in Galaxy's order (each block sorted by name)."""
    elements = []
    for dd in el.findall("discover_datasets"):
        pattern = dd.get("pattern")
        named = {"__designation__": r"(?P<designation>.*)",
                 "__designation_and_ext__": r"(?P<designation>.*)\.(?P<ext>[^\._]+)?",
                 "__name__": r"(?P<name>.*)",
                 "__name_and_ext__": r"(?P<name>.*)\.(?P<ext>[^\._]+)?"}
        pattern = named.get(pattern, pattern)
        if dd.get("recurse", "false") == "true" or dd.get("sort_by"):
            raise HarnessError("discover_datasets recurse/sort_by is not emulated")
        d = os.path.join(job_working, dd.get("directory", ""))
        if not os.path.isdir(d):
            continue
        for fn in sorted(os.listdir(d)):
            p = os.path.join(d, fn)
            if not os.path.isfile(p):
                continue
            m = re.match(pattern, fn)
            if not m:
                continue
            gd = m.groupdict()
            ident = gd.get("designation") or gd.get("name")
            ext = dd.get("format") or dd.get("ext") or gd.get("ext")
            if not ext:
                raise HarnessError(f"discovered {fn}: no format")
            if any(e["name"] == ident for e in elements):
                raise TestFailure(f"discovered two datasets named '{ident}'")
            elements.append({"name": ident, "path": p, "ext": ext, "extra": None})
    return elements


def run_test(tool_path, root, index, test_el, opts, inject=None, keep=False):
    inputs = parse_inputs(root)
    outputs = parse_outputs(root)
    profile = float(root.get("profile", "16.01"))
    test_data = find_test_data(tool_path)
    job = tempfile.mkdtemp(prefix=f"gx-{root.get('id')}-{index}-", dir=opts.workdir)
    working = os.path.join(job, "working")
    outdir = os.path.join(job, "outputs")
    home = os.path.join(job, "home")
    tmpd = os.path.join(job, "tmp")
    for d in (working, outdir, home, tmpd):
        os.makedirs(d)
    state = build_state(inputs, test_el, inject)
    stage_inputs(inputs, state, test_data, job)
    check_columns(inputs, state)
    ctx = wrap_state(inputs, state)
    # filters see the raw values: booleans as bools, datasets or None, sections and conditionals
    # as dicts, repeats as lists
    raw = state
    out_ds = {}
    for i, o in enumerate(outputs):
        if o["kind"] == "data":
            path = os.path.join(outdir, f"galaxy_dataset_{i + 1}.dat")
            extra = os.path.join(outdir, f"dataset_{i + 1}_files")
            open(path, "w").close()
            out_ds[o["name"]] = {"path": path, "ext": o["format"], "extra": extra}
            ctx[o["name"]] = DatasetWrapper(path, o["format"], o["name"], extra)
    ctx["__tool_directory__"] = os.path.dirname(os.path.abspath(tool_path))
    ctx["__new_file_path__"] = tmpd
    write_configfiles(root, inputs, state, ctx, job, working)
    cmd_el = root.find("command")
    command = render_command(cmd_el.text or "", ctx)
    script = os.path.join(job, "tool_script.sh")
    with open(script, "w") as f:
        f.write("#!/bin/bash\n")
        if profile >= 20.09:
            f.write("set -e\n")
        f.write(command + "\n")
    env = dict(os.environ)
    env.update({"GALAXY_SLOTS": str(opts.slots), "HOME": home, "TMPDIR": tmpd,
                "_GALAXY_JOB_TMP_DIR": tmpd, "GALAXY_MEMORY_MB": "8192"})
    if opts.path_prefix:
        env["PATH"] = opts.path_prefix + os.pathsep + env.get("PATH", "")
    t0 = time.time()
    with open(os.path.join(outdir, "tool_stdout"), "wb") as so, \
            open(os.path.join(outdir, "tool_stderr"), "wb") as se:
        rc = subprocess.run(["bash", script], cwd=working, env=env, stdout=so, stderr=se).returncode
    secs = time.time() - t0
    stdout = open(os.path.join(outdir, "tool_stdout"), "rb").read()
    stderr = open(os.path.join(outdir, "tool_stderr"), "rb").read()
    fatal, level = exit_code_fatal(root, rc, profile)
    # from_work_dir copies (Galaxy appends them to the job script after the tool's exit code)
    for o in outputs:
        fwd = o["el"].get("from_work_dir")
        if o["kind"] == "data" and fwd:
            src = os.path.join(working, fwd)
            if os.path.isfile(src):
                shutil.copyfile(src, out_ds[o["name"]]["path"])
    # produced outputs (filters), composite primaries, collections
    produced = {}
    for o in outputs:
        if any(not eval_filter(f, raw) for f in o["filters"]):
            continue
        if o["kind"] == "data":
            ds = out_ds[o["name"]]
            if ds["ext"] in gxtool.COMPOSITES and os.path.getsize(ds["path"]) == 0 and not fatal:
                with open(ds["path"], "w") as f:
                    f.write(gxtool.generate_primary_file(ds["ext"]))
            produced[o["name"]] = ds
        else:
            produced[o["name"]] = discover(working, o["el"])
    result = {"rc": rc, "level": level, "secs": secs, "job": job, "command": command}
    try:
        verify_test(test_el, root, outputs, produced, fatal, rc, stdout, stderr, command, test_data)
    except TestFailure as exc:
        tail = stderr.decode("utf-8", "replace")[-1500:]
        raise TestFailure(f"{exc}\n  exit code {rc}; job dir {job}\n  command: {command}\n"
                          f"  stderr tail:\n{tail}") from None
    result["produced"] = produced
    if not (opts.keep or keep):
        shutil.rmtree(job, ignore_errors=True)
    return result


def verify_test(test_el, root, outputs, produced, fatal, rc, stdout, stderr, command, test_data):
    expect_failure = test_el.get("expect_failure", "false").lower() == "true"
    if expect_failure and not fatal:
        raise TestFailure(f"expected the job to fail, it succeeded (exit {rc})")
    if not expect_failure and fatal:
        raise TestFailure(f"job failed (exit {rc})")
    if test_el.get("expect_exit_code") is not None and int(test_el.get("expect_exit_code")) != rc:
        raise TestFailure(f"exit code {rc}, expected {test_el.get('expect_exit_code')}")
    for tag, data in (("assert_command", command.encode()), ("assert_stdout", stdout),
                      ("assert_stderr", stderr)):
        for a in test_el.findall(tag):
            run_assertions(a, data, tag)
    if expect_failure:
        if test_el.findall("output") or test_el.findall("output_collection"):
            raise HarnessError("outputs listed in an expect_failure test")
        return
    n_expected = test_el.get("expect_num_outputs")
    if n_expected is not None and int(n_expected) != len(produced):
        raise TestFailure(f"{len(produced)} outputs produced, expected {n_expected}")
    kinds = {o["name"]: o["kind"] for o in outputs}
    for o_el in test_el.findall("output"):
        name = o_el.get("name")
        if kinds.get(name) != "data":
            raise HarnessError(f"<output name='{name}'>: no such data output")
        if name not in produced:
            raise TestFailure(f"output {name} was not produced")
        verify_dataset(o_el, produced[name], test_data, f"output {name}")
    for c_el in test_el.findall("output_collection"):
        name = c_el.get("name")
        if kinds.get(name) != "collection":
            raise HarnessError(f"<output_collection name='{name}'>: no such collection")
        if name not in produced:
            raise TestFailure(f"collection {name} was not produced")
        elems = produced[name]
        if c_el.get("type") and c_el.get("type") != "list":
            raise TestFailure(f"collection {name}: type list, expected {c_el.get('type')}")
        if c_el.get("count") is not None and int(c_el.get("count")) != len(elems):
            raise TestFailure(f"collection {name}: {len(elems)} elements "
                              f"({[e['name'] for e in elems]}), expected {c_el.get('count')}")
        by_name = {e["name"]: e for e in elems}
        order = []
        for e_el in c_el.findall("element"):
            en = e_el.get("name")
            if en not in by_name:
                raise TestFailure(f"collection {name}: no element '{en}' "
                                  f"(elements: {[e['name'] for e in elems]})")
            order.append([e["name"] for e in elems].index(en))
            verify_dataset(e_el, by_name[en], test_data, f"collection {name} element {en}")
        if float(root.get("profile", "16.01")) >= 20.09 and order != sorted(order):
            raise TestFailure(f"collection {name}: elements listed out of order "
                              f"(actual order {[e['name'] for e in elems]})")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tools", nargs="+")
    ap.add_argument("--path-prefix", help="directory put first in PATH (the resolved requirement)")
    ap.add_argument("--slots", type=int, default=None,
                    help="GALAXY_SLOTS (default: planemo.yml offline_tests.galaxy_slots, else 1)")
    ap.add_argument("--keep", action="store_true", help="keep job directories")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--expect-fail", action="store_true",
                    help="self-test: every test must FAIL (a broken-on-purpose tool)")
    args = ap.parse_args(argv)
    if args.slots is None:
        import yaml
        top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
        with open(os.path.join(top, "planemo.yml")) as f:
            cfg = yaml.safe_load(f) or {}
        args.slots = int((cfg.get("offline_tests") or {}).get("galaxy_slots", 1))
    passed = failed = 0
    t_all = time.time()
    for tool in args.tools:
        try:
            root = gxtool.load_tool(tool)
        except gxtool.ToolError as exc:
            print(f"ERROR {tool}: {exc}")
            failed += 1
            continue
        tests = root.find("tests")
        tests = tests.findall("test") if tests is not None else []
        for i, t in enumerate(tests, 1):
            label = f"{root.get('id')} test {i}/{len(tests)}"
            want_error = t.get("harness_error") if args.expect_fail else None
            try:
                r = run_test(tool, root, i, t, args)
                ok, msg = True, f"exit {r['rc']}, {r['secs']:.1f}s"
            except (TestFailure, HarnessError) as exc:
                kind = "harness error" if isinstance(exc, HarnessError) else "failed"
                ok, msg = False, f"{kind}: {exc}"
                # a harness error is a failure of the harness or of the test, not of the tool;
                # a self-test may expect one by its message
                if isinstance(exc, HarnessError):
                    ok = False if want_error and want_error in str(exc) else None
                elif want_error:
                    ok, msg = None, f"expected the harness error '{want_error}', got {msg}"
            if args.expect_fail:
                good = ok is False
                print(f"{'ok  ' if good else 'FAIL'} {label}: "
                      f"{'failed as it must: ' if good else 'should have failed: '}{msg.splitlines()[0]}")
            else:
                good = ok is True
                print(f"{'ok  ' if good else 'FAIL'} {label}: {msg}")
            if good:
                passed += 1
            else:
                failed += 1
    print(f"galaxy tool tests: {passed} passed, {failed} failed ({time.time() - t_all:.1f}s)")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
