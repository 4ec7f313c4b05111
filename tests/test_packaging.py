"""Packaging: a license, typed packages, and every third-party import declared as a dependency."""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from conftest import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGES = ("bot", "adapters", "corpus")


def declared() -> set[str]:
    names = PROJECT["project"]["dependencies"] + PROJECT["project"]["optional-dependencies"]["test"]
    return {re.split(r"[<>=!~\[; ]", n, maxsplit=1)[0].lower().replace("_", "-") for n in names}


def imported_modules() -> set[str]:
    """Top-level names of every module imported by the packages' code (lazy imports included)."""
    found: set[str] = set()
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - set(PACKAGES)


def test_every_third_party_import_is_a_declared_dependency():
    dists = packages_distributions()
    missing = {}
    for module in imported_modules():
        owners = {d.lower().replace("_", "-") for d in dists.get(module, [module])}
        if not owners & declared():
            missing[module] = sorted(owners)
    assert missing == {}


def test_license_and_metadata():
    meta = PROJECT["project"]
    assert meta["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert "Typing :: Typed" in meta["classifiers"] and any("3.11" in c for c in meta["classifiers"])


def test_packages_are_marked_typed_and_ship_the_marker():
    data = PROJECT["tool"]["setuptools"]["package-data"]
    for pkg in PACKAGES:
        assert (ROOT / pkg / "py.typed").exists() and "py.typed" in data[pkg], pkg


def test_every_relative_link_in_the_readme_and_docs_resolves_inside_the_repository():
    broken = []
    for doc in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)\s]+)\)", doc.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:|#", target):
                continue  # web addresses and anchors
            path = (doc.parent / target.split("#")[0]).resolve()
            if not path.exists() or ROOT.resolve() not in path.parents:
                broken.append(f"{doc.name}: {target}")
    assert broken == []
