"""Checks the files that ship the tools: galaxy/.shed.yml (the keys and values planemo shed_lint
checks), planemo.yml (parses; the keys tests/galaxy reads), the conda recipe (its version is the
VERSION file's and the tools' requirement; build.sh installs with `make install`), and the
symlink that gives the tools their test-data. Prints what is still to fill in before publishing.
"""
import os
import re
import sys

import yaml

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
# planemo/shed/__init__.py CURRENT_CATEGORIES (the subset a machine-learning suite may use)
CATEGORIES = {"Machine Learning", "Statistics", "Imaging", "Convert Formats", "Visualization",
              "Text Manipulation", "Data Export"}
problems = []


def check(cond, msg):
    if not cond:
        problems.append(msg)


def main():
    version = open(os.path.join(TOP, "VERSION")).read().strip()
    shed = yaml.safe_load(open(os.path.join(TOP, "galaxy", ".shed.yml")))
    for key in ("name", "owner", "description", "long_description", "type", "categories"):
        check(shed.get(key), f".shed.yml: '{key}' is missing")
    check(re.fullmatch(r"[a-z0-9_]{2,80}", shed.get("name", "")), ".shed.yml: bad name")
    check(shed.get("name", "").startswith("suite_"), ".shed.yml: a suite repository's name starts with suite_")
    check(shed.get("type") in ("unrestricted", "repository_suite_definition"), ".shed.yml: bad type")
    for c in shed.get("categories") or []:
        check(c in CATEGORIES, f".shed.yml: unknown category '{c}'")
    atr = shed.get("auto_tool_repositories") or {}
    check("{{ tool_id }}" in atr.get("name_template", ""), ".shed.yml: auto_tool_repositories.name_template")
    check((shed.get("suite") or {}).get("name", "").startswith("suite_"), ".shed.yml: suite.name")
    pl = yaml.safe_load(open(os.path.join(TOP, "planemo.yml")))
    check(isinstance(pl.get("lint_skip"), list), "planemo.yml: lint_skip must be a list")
    off = pl.get("offline_tests") or {}
    check(int(off.get("galaxy_slots", 0)) >= 1, "planemo.yml: offline_tests.galaxy_slots")
    check(off.get("test_data") == "test-data", "planemo.yml: offline_tests.test_data")
    link = os.path.join(TOP, "galaxy", "test-data")
    check(os.path.islink(link) and os.path.samefile(link, os.path.join(TOP, off.get("test_data", "x"))),
          "galaxy/test-data must be a link to the repository's test-data/")
    meta = open(os.path.join(TOP, "galaxy", "recipe", "meta.yaml")).read()
    m = re.search(r'{% set version = "([^"]+)" %}', meta)
    check(m and m.group(1) == version, f"recipe version {m and m.group(1)} is not VERSION's {version}")
    check('{% set name = "ludwig-c" %}' in meta, "recipe package name must be ludwig-c")
    build = open(os.path.join(TOP, "galaxy", "recipe", "build.sh")).read()
    check("make" in build and "install PREFIX=" in build, "recipe build.sh must use make install PREFIX=")
    macros = open(os.path.join(TOP, "galaxy", "macros.xml")).read()
    check(f'<token name="@TOOL_VERSION@">{version}</token>' in macros, "macros.xml TOOL_VERSION is not VERSION's")
    check(">ludwig-c</requirement>" in macros, "macros.xml: the requirement must be the ludwig-c package")
    for p in problems:
        print(f"FAIL {p}")
    todo = [k for k in ("homepage_url", "remote_repository_url") if not shed.get(k)]
    if todo:
        print(f"note: before a Tool Shed upload, fill in .shed.yml {', '.join(todo)}; "
              "before bioconda, the recipe's about.home/license and release source")
    print(f"galaxy meta: {'ok' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
