"""The planemo lint rules that matter for our tools (Galaxy's lib/galaxy/tool_util/linters), on the
macro-expanded tool, failing on any warning as planemo's default --fail_level warn does:
  general    id ([a-z0-9_-], no whitespace), name, PEP 440 version, profile pattern, package
             requirements with versions
  xml_order  top-level elements in the IUC order
  command    present, not empty, no TODO; every data/text/output variable single-quoted
  stdio      exit_code ranges parse
  inputs     every param has a name, a label and (data) a format; no duplicate names; selects
             have options; an output name never equals an input name; every input is used in the
             command (InputsUsed)
  outputs    unique names, a format (or discovered with one), collections with a type, filters
             compile
  tests      present; each with expect_num_outputs (or expect_failure); test params and outputs
             exist; compare-specific attributes only with their compare; has_n_columns/
             has_n_lines/has_size bounded; no outputs in expect_failure tests
  help       present, reStructuredText that docutils renders without warnings (python3-docutils)
  citations  present, not empty
Project rules: upstream's tool ids (goeckslab's Galaxy-Ludwig suite and its Image Learner) with
upstream's names; one version token shared with the VERSION file. Usage: lint.py TOOL.xml...
"""
import os
import re
import sys

from Cheetah.Template import Template

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gxtool  # noqa: E402

ORDER = ["description", "macros", "options", "edam_topics", "edam_operations", "xrefs",
         "parallelism", "requirements", "required_files", "code", "stdio", "version_command",
         "command", "environment_variables", "configfiles", "inputs", "outputs", "tests", "help",
         "citations"]

UPSTREAM = {"ludwig_experiment": "Ludwig Experiment", "ludwig_train": "Ludwig Train",
            "ludwig_predict": "Ludwig Predict", "ludwig_evaluate": "Ludwig Evaluate",
            "ludwig_hyperopt": "Ludwig Hyperopt", "ludwig_visualize": "Ludwig Visualize",
            "ludwig_config_generator": "Ludwig Config Generator",
            "ludwig_render_config": "Ludwig Render Config",
            "image_learner": "Image Learner"}

PEP440 = re.compile(r"^([1-9][0-9]*!)?(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*((a|b|rc)(0|[1-9][0-9]*))?"
                    r"(\.post(0|[1-9][0-9]*))?(\.dev(0|[1-9][0-9]*))?(\+[a-z0-9]+(\.[a-z0-9]+)*)?$")

COMPARE_ATTRS = {"sort": {"diff", "re_match", "re_match_multiline"},
                 "lines_diff": {"diff", "re_match", "contains"},
                 "decompress": {"diff"}, "delta": {"sim_size"}, "delta_frac": {"sim_size"},
                 "metric": {"image_diff"}, "eps": {"image_diff"}}


def rst_problems(text):
    from docutils.core import publish_parts
    from docutils.utils import SystemMessage
    import io
    err = io.StringIO()
    try:
        publish_parts(text, writer_name="html",
                      settings_overrides={"halt_level": 2, "report_level": 2, "warning_stream": err})
    except SystemMessage as exc:
        return str(exc)
    return err.getvalue().strip()


def lint(path, version_file):
    msgs = []
    group = ["general"]

    def error(m):
        msgs.append((group[0], "ERROR", m))

    def warn(m):
        msgs.append((group[0], "WARNING", m))

    try:
        root = gxtool.load_tool(path)
    except gxtool.ToolError as exc:
        return [("general", "ERROR", str(exc))]
    raw = open(path, encoding="utf-8").read()
    # general
    tid, name, version = root.get("id"), root.get("name"), root.get("version")
    if not tid:
        error("Tool does not define an id attribute.")
    elif not re.fullmatch(r"[a-z0-9_-]+", tid):
        warn(f"Tool id '{tid}' is not made of [a-z0-9_-].")
    if not name:
        error("Tool name is missing or empty.")
    if not version:
        error("Tool version is missing or empty.")
    elif not PEP440.match(version):
        warn(f"Tool version [{version}] is not compliant with PEP 440.")
    for attr, v in (("id", tid), ("name", name), ("version", version)):
        if v and v != v.strip():
            warn(f"Tool {attr} contains leading or trailing whitespace.")
    profile = root.get("profile", "16.01")
    if not re.fullmatch(r"[12]\d\.\d{1,2}", profile):
        error(f"Tool specifies an invalid profile version [{profile}].")
    for req in root.iter("requirement"):
        if req.get("type") == "package":
            if not (req.text or "").strip():
                error("Requirement without a name found")
            if not req.get("version"):
                warn(f"Requirement {req.text} defines no version")
    # project rules
    group[0] = "project"
    if tid in UPSTREAM and name != UPSTREAM[tid]:
        error(f"tool {tid} must keep upstream's name '{UPSTREAM[tid]}', not '{name}'")
    if tid not in UPSTREAM:
        error(f"tool id {tid} is not one of upstream's ({', '.join(UPSTREAM)})")
    want = open(version_file).read().strip()
    reqv = [r.get("version") for r in root.iter("requirement")]
    if reqv != [want]:
        error(f"the ludwig-c requirement's version {reqv} is not the VERSION file's {want}")
    if not (version or "").startswith(want + "+galaxy"):
        error(f"tool version {version} is not {want}+galaxyN")
    # xml_order
    group[0] = "xml_order"
    seen = [c.tag for c in root if isinstance(c.tag, str) and c.tag in ORDER]
    for i in range(1, len(seen)):
        if ORDER.index(seen[i]) < ORDER.index(seen[i - 1]):
            warn(f"Best practice violation [{seen[i]}] elements should come before [{seen[i - 1]}]")
    # command
    group[0] = "command"
    cmd = root.find("command")
    ctext = (cmd.text or "") if cmd is not None else ""
    if cmd is None:
        error("No command tag found, must specify a command template to execute.")
    elif not ctext.strip():
        error("Command is empty.")
    if "TODO" in ctext:
        warn("Command template contains TODO text.")
    if "<![CDATA[" not in raw.split("<command", 1)[-1].split("</command>", 1)[0]:
        warn("Command is not wrapped in CDATA.")
    # stdio
    group[0] = "stdio"
    for ec in root.iter("exit_code"):
        if not re.fullmatch(r"-?\d*:?-?\d*", ec.get("range", "")):
            error(f"exit_code range '{ec.get('range')}' does not parse")
    # inputs
    group[0] = "inputs"
    inputs = {}
    for p in root.iter("param"):
        if p.getparent().tag != "inputs":
            continue
        n = gxtool.param_name(p)
        if not n:
            error("Found param input with no name specified.")
            continue
        if p.get("name") and p.get("argument") and p.get("argument").lstrip("-").replace("-", "_") == p.get("name"):
            warn(f"Param input [{n}] 'name' attribute is redundant if argument implies the same name.")
        if n in inputs:
            error(f"Tool defines multiple parameters with the same name: '{n}'")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n):
            warn(f"Param input [{n}] is not a valid Cheetah placeholder.")
        if not (p.get("label") or "").strip():
            warn(f"Param input [{n}] has no label.")
        if p.get("type") == "data" and not p.get("format"):
            warn(f"Param input [{n}] with no format specified - 'data' format will be assumed.")
        if p.get("type") == "select" and not p.findall("option") and p.find("options") is None:
            warn(f"Select parameter [{n}] has no options")
        inputs[n] = p
    # planemo counts every param under <inputs>, conditionals' included
    if not inputs and not any(True for _ in root.iterfind("inputs//param")):
        warn("Found no input parameters.")
    # InputsUsed: the parameter appears as a placeholder in the compiled command
    try:
        code = Template.compile(source=ctext, returnAClass=False)
        if isinstance(code, bytes):
            code = code.decode("utf-8")
    except Exception as exc:  # Cheetah's own parse errors
        error(f"Command is not a valid Cheetah template: {exc}")
        code = ""
    filters = " ".join(f.text or "" for f in root.iter("filter"))
    for n in inputs:
        if not re.search(rf'SL,"{n}[".]', code) and not re.search(rf"\b{n}\b", filters):
            error(f"Param input [{n}] not found in command or configfiles.")
    # every data variable single-quoted in the command
    for m in re.finditer(r"(?<![\w'\\])\$\{?(\w+)(\.[\w.]+)?\}?", ctext):
        var = m.group(1)
        if var in inputs and inputs[var].get("type") == "data":
            start, end = m.span()
            if not (ctext[start - 1:start] == "'" and ctext[end:end + 1] == "'"):
                # inside #if/#set directives a bare variable is an expression, not a word
                line = ctext[ctext.rfind("\n", 0, start) + 1:ctext.find("\n", end)]
                if not line.lstrip().startswith("#"):
                    warn(f"Data variable ${var} is not single-quoted in the command")
    # outputs
    group[0] = "outputs"
    outs = {}
    out_el = root.find("outputs")
    if out_el is None:
        warn("Tool contains no outputs section, most tools should produce outputs.")
    else:
        for o in out_el:
            if not isinstance(o.tag, str):
                continue
            if o.tag == "output":
                warn("Tool output uses the <output> tag, use <data> or <collection>")
            n = o.get("name")
            if n in outs:
                error(f"Tool output [{n}] has duplicated name")
            if n in inputs:
                error(f"Tool defines an output with a name equal to the name of an input: '{n}'")
            outs[n] = o.tag
            fmt = o.get("format") or o.get("format_source") or o.get("auto_format")
            dds = o.findall("discover_datasets")
            if o.tag == "data" and not fmt:
                warn(f"Tool data output [{n}] doesn't define an output format.")
            if o.tag == "collection":
                if not o.get("type"):
                    warn(f"Collection output [{n}] has no type")
                for d in dds:
                    pat = d.get("pattern") or ""
                    # Galaxy's named patterns __name_and_ext__ / __designation_and_ext__ carry the ext
                    if not (d.get("format") or d.get("ext") or "(?P<ext>" in pat or pat.endswith("_and_ext__")):
                        warn(f"Tool collection output [{n}] doesn't define an output format.")
            if fmt == "input":
                error(f"Using format='input' on output [{n}] is not supported")
            for f in o.findall("filter"):
                try:
                    compile((f.text or "").strip(), "<filter>", "eval")
                except SyntaxError:
                    warn(f"Filter '{f.text}' on output [{n}] is not a valid Python expression")
    # tests
    group[0] = "tests"
    tests = root.find("tests")
    tests = tests.findall("test") if tests is not None else []
    if not tests:
        warn("No tests found, most tools should define test cases.")
    for i, t in enumerate(tests, 1):
        fail = t.get("expect_failure", "false") == "true"
        if not fail and t.get("expect_num_outputs") is None:
            warn(f"Test {i}: should specify 'expect_num_outputs'")
        for tp in t.findall("param"):
            pn = tp.get("name").split("|")[-1]
            if pn not in inputs:
                error(f"Test {i}: Test param {tp.get('name')} not found in the inputs")
                continue
            # TestsCaseValidation: the value must be one the input accepts
            p, v = inputs[pn], tp.get("value")
            ptype = p.get("type")
            if ptype == "select":
                opts = [o.get("value") for o in p.findall("option")]
                # a multiple select takes a comma-separated list of its options
                vals = v.split(",") if p.get("multiple") == "true" else [v]
                for one in vals:
                    if opts and one not in opts:
                        error(f"Test {i}: value '{one}' of {pn} is not one of its options {opts}")
            elif ptype == "integer":
                try:
                    iv = int(v)
                    lo, hi = p.get("min"), p.get("max")
                    if (lo and iv < int(lo)) or (hi and iv > int(hi)):
                        error(f"Test {i}: value {v} of {pn} is outside [{lo}, {hi}]")
                except (TypeError, ValueError):
                    error(f"Test {i}: value '{v}' of integer param {pn} is not an integer")
            elif ptype == "boolean":
                ok = {"true", "false", "yes", "no", (p.get("truevalue") or "").lower(),
                      (p.get("falsevalue") or "").lower()}
                if (v or "").lower() not in ok:
                    error(f"Test {i}: value '{v}' of boolean param {pn} is not a boolean")
            elif ptype == "data" and not tp.get("ftype"):
                warn(f"Test {i}: data param {pn} has no ftype (Galaxy would sniff it)")
        listed = t.findall("output") + t.findall("output_collection")
        if fail and listed:
            error(f"Test {i}: Test expects failure but also defines outputs")
        if not fail and not listed:
            warn(f"Test {i}: No outputs or expectations defined for tests")
        for o in listed:
            n = o.get("name")
            want_kind = "data" if o.tag == "output" else "collection"
            if not n:
                error(f"Test {i}: Found output tag without a name defined.")
            elif outs.get(n) != want_kind:
                error(f"Test {i}: <{o.tag}> '{n}' does not name a {want_kind} output of the tool")
        for tag in ("assert_stdout", "assert_stderr", "assert_command"):
            if len(t.findall(tag)) > 1:
                error(f"Test {i}: More than one {tag} found")
        for el in t.iter():
            if not isinstance(el.tag, str):
                continue
            if el.tag in ("output", "element", "extra_files"):
                compare = el.get("compare", "diff")
                for attr, ok in COMPARE_ATTRS.items():
                    if el.get(attr) is not None and compare not in ok:
                        error(f"Test {i}: Attribute {attr} is incompatible with compare=\"{compare}\".")
            if el.tag in ("has_n_lines", "has_n_columns") and not any(el.get(a) for a in ("n", "min", "max")):
                error(f"Test {i}: '{el.tag}' needs 'n', 'min', or 'max'")
            if el.tag == "has_size":
                given = [a for a in ("size", "value", "min", "max") if el.get(a)]
                if not given or (el.get("size") and el.get("value")):
                    error(f"Test {i}: 'has_size' needs one of size/value, or min/max")
    # help
    group[0] = "help"
    h = root.find("help")
    if h is None:
        warn("No help section found, consider adding a help section to your tool.")
    else:
        text = h.text or ""
        if not text.strip():
            warn("Help section appears to be empty.")
        if "TODO" in text:
            warn("Help contains TODO text.")
        if h.get("format", "restructuredtext") == "restructuredtext":
            prob = rst_problems(text)
            if prob:
                warn(f"Invalid reStructuredText found in help - [{prob}].")
    # citations
    group[0] = "citations"
    c = root.find("citations")
    if c is None:
        warn("No citations found, consider adding citations to your tool.")
    else:
        cites = c.findall("citation")
        if not cites:
            warn("Found no valid citations.")
        for ci in cites:
            if not (ci.text or "").strip():
                error(f"Empty {ci.get('type')} citation.")
    return msgs


def planemo_settings():
    """lint_skip and offline_tests.fail_level from the repository's planemo.yml."""
    import yaml
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    with open(os.path.join(top, "planemo.yml")) as f:
        cfg = yaml.safe_load(f) or {}
    skip = cfg.get("lint_skip") or []
    if isinstance(skip, str):
        skip = [x.strip() for x in skip.split(",") if x.strip()]
    level = (cfg.get("offline_tests") or {}).get("fail_level", "warn")
    if level not in ("warn", "error"):
        raise SystemExit(f"planemo.yml: offline_tests.fail_level must be warn or error, not {level!r}")
    return set(skip), level


def main(argv):
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    version_file = os.path.join(top, "VERSION")
    skip, fail_level = planemo_settings()
    bad = 0
    ids = {}
    for path in argv:
        msgs = [m for m in lint(path, version_file) if m[0] not in skip]
        try:
            tid = gxtool.load_tool(path).get("id")
            if tid in ids:
                msgs.append(("project", "ERROR", f"tool id {tid} also used by {ids[tid]}"))
            ids[tid] = path
        except gxtool.ToolError:
            pass
        failing = [m for m in msgs if m[1] == "ERROR" or fail_level == "warn"]
        for g, lvl, m in msgs:
            print(f"  .. {lvl}: {m} [{g}]")
        if failing:
            bad += 1
            print(f"FAIL {path}")
        else:
            print(f"ok   {path}: lint clean" + (f" (skipped: {sorted(skip)})" if skip else ""))
    print(f"galaxy lint: {len(argv) - bad} clean, {bad} with errors or warnings")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
