"""Runs workflows that chain the tools, as a Galaxy workflow (and the GTN tutorial's) does: each
step is a tool <test> (tests/galaxy/harness.py runs and verifies it); <connect> feeds an earlier
step's output dataset (e.g. experiment's ludwig_model) to a data input of a later step, as Galaxy
hands a history dataset to the next job (same file, same datatype, same extra files). <same>
asserts that two outputs of the run are byte-identical (e.g. the test statistics an experiment
reports and those Ludwig Evaluate computes from its model).

Usage: workflow.py [--path-prefix DIR] [--workdir DIR] workflows.xml
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

from lxml import etree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gxtool  # noqa: E402
import harness  # noqa: E402


def output_dataset(results, ref):
    """step:output or step:collection/element -> the produced dataset dict."""
    step, _, out = ref.partition(":")
    out, _, element = out.partition("/")
    produced = results[step]["produced"]
    if out not in produced:
        raise harness.TestFailure(f"{ref}: step {step} produced no output {out}")
    got = produced[out]
    if element:
        match = [e for e in got if e["name"] == element]
        if not match:
            raise harness.TestFailure(f"{ref}: no element {element}")
        return match[0]
    return got


def run_workflow(wf, base, opts):
    results = {}
    for step in wf.findall("step"):
        sid = step.get("id")
        tool = os.path.join(base, step.get("tool"))
        root = gxtool.load_tool(tool)
        inject = {}
        for c in step.findall("connect"):
            ds = output_dataset(results, c.get("from"))
            ext = ds["ext"]
            inject[c.get("input")] = harness.DatasetWrapper(
                ds["path"], ext, c.get("name", os.path.basename(ds["path"])), ds["extra"])
        test = step.find("test")
        results[sid] = harness.run_test(tool, root, sid, test, opts, inject=inject, keep=True)
    for same in wf.findall("same"):
        a = output_dataset(results, same.get("a"))
        b = output_dataset(results, same.get("b"))
        da, db = open(a["path"], "rb").read(), open(b["path"], "rb").read()
        if da != db:
            raise harness.TestFailure(f"{same.get('a')} and {same.get('b')} differ")
    return results


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("workflows")
    ap.add_argument("--path-prefix")
    ap.add_argument("--workdir")
    ap.add_argument("--slots", type=int, default=1)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--expect-fail", action="store_true",
                    help="self-test: every workflow must FAIL")
    args = ap.parse_args(argv)
    base = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    doc = etree.parse(args.workflows, etree.XMLParser(remove_comments=True)).getroot()
    passed = failed = 0
    t0 = time.time()
    for wf in doc.findall("workflow"):
        name = wf.get("name")
        work = tempfile.mkdtemp(prefix="gxwf-", dir=args.workdir)
        args_w = argparse.Namespace(**{**vars(args), "workdir": work, "keep": True})
        try:
            t = time.time()
            run_workflow(wf, base, args_w)
            ok, msg = True, f"{time.time() - t:.1f}s"
        except harness.TestFailure as exc:
            ok, msg = False, str(exc)
        except (harness.HarnessError, gxtool.ToolError) as exc:
            ok, msg = None, f"harness error: {exc}"
        good = (ok is False) if args.expect_fail else (ok is True)
        if args.expect_fail:
            msg = ("failed as it must: " if good else "should have failed: ") + msg.splitlines()[0]
        print(f"{'ok  ' if good else 'FAIL'} workflow {name}: {msg}")
        if good:
            passed += 1
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"  job dirs kept in {work}")
            failed += 1
    print(f"galaxy workflows: {passed} passed, {failed} failed ({time.time() - t0:.1f}s)")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
