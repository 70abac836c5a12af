"""Validates each Galaxy tool XML, macro-expanded as Galaxy expands it, against Galaxy's own tool
schema (galaxy.xsd, from galaxyproject/galaxy lib/galaxy/tool_util/xsd/) with libxml2's xmllint,
as planemo lint's xsd check does. The schema is not vendored: its path comes from $GALAXY_XSD.
Without it this check is skipped, loudly. Usage: validate.py TOOL.xml...
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gxtool  # noqa: E402


def main(argv):
    xsd = os.environ.get("GALAXY_XSD", "")
    if not xsd or not os.path.isfile(xsd):
        why = f"GALAXY_XSD={xsd!r} is not a file" if xsd else "GALAXY_XSD is not set"
        print("*" * 78, file=sys.stderr)
        print(f"SKIPPED: Galaxy schema validation of {len(argv)} tool(s): {why}.", file=sys.stderr)
        print("Set GALAXY_XSD to Galaxy's lib/galaxy/tool_util/xsd/galaxy.xsd (.ci/run does).",
              file=sys.stderr)
        print("*" * 78, file=sys.stderr)
        return 0
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in argv:
            try:
                root = gxtool.load_tool(path)
            except gxtool.ToolError as exc:
                print(f"FAIL {path}: {exc}")
                failed += 1
                continue
            out = os.path.join(tmp, os.path.basename(path))
            gxtool.write_expanded(root, out)
            r = subprocess.run(["xmllint", "--noout", "--schema", xsd, out],
                               capture_output=True, text=True)
            if r.returncode != 0:
                failed += 1
                print(f"FAIL {path}: not valid against {xsd} (macro-expanded):")
                print(r.stderr.replace(out, path + " (expanded)").rstrip())
            else:
                print(f"ok   {path}: valid against galaxy.xsd")
    print(f"galaxy xsd: {len(argv) - failed} valid, {failed} invalid")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
