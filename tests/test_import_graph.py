"""The shape of the code, read from every import (module-level, function-local, importlib, relative):
adapters -> bot -> corpus, no cycle, function-local imports only to load heavy libraries, SQL in corpus/."""
from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "adapters", "corpus")
PLATFORM_SDKS = ("slack_sdk", "slack_bolt", "discord")
# libraries that take long enough to import that only the commands needing them should pay for them
HEAVY = ("torch", "sentence_transformers", "transformers", "spacy", "faiss", "httpx", "httpcore",
         "matplotlib", "trafilatura", "dateparser", "apscheduler", "rich", "numpy")
SQL_LIBRARIES = ("sqlite3", "sqlite_utils", "psycopg", "psycopg2")
SQL_CALLS = ("execute", "executemany", "executescript", "query")
# A statement keyword, then the word that makes it SQL rather than English ("SELECT a FROM", "CREATE TABLE").
SQL_TEXT = re.compile(r"^\s*(SELECT\s.*\bFROM\b|SELECT\s+\S|INSERT\s+(OR\s+\w+\s+)?INTO\b"
                      r"|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|CREATE\s+(UNIQUE\s+|VIRTUAL\s+)?(TABLE|INDEX|"
                      r"TRIGGER|VIEW)\b"
                      r"|ALTER\s+TABLE\b|DROP\s+(TABLE|INDEX|TRIGGER|VIEW)\b|PRAGMA\s+\w+|"
                      r"WITH\s+\w+(\(.*\))?\s+AS\b)",
                      re.DOTALL)


@dataclass(frozen=True)
class Import:
    """One import statement's target, where it is, and how it is written."""

    module: str  # the importing module, e.g. bot.core
    target: str  # the absolute dotted name imported, e.g. corpus.api or corpus.api.Corpus
    where: str  # file:line
    local: bool  # inside a function
    lazy: bool  # carries a `# lazy:` comment
    type_only: bool  # under `if TYPE_CHECKING:`


def module_name(root: Path, path: Path) -> str:
    """The dotted module name of a file under root."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(module name, path) for every .py file of the three packages."""
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            yield module_name(root, path), path


def resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The absolute name of a (possibly relative) `from ... import` base."""
    if not level:
        return name or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def is_type_checking(test: ast.expr) -> bool:
    """Whether an `if` test is TYPE_CHECKING (or typing.TYPE_CHECKING)."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


class Scanner(ast.NodeVisitor):
    """Collects the imports of one file, knowing whether each sits in a function or a TYPE_CHECKING block."""

    def __init__(self, module: str, path: Path, lines: list[str], is_package: bool) -> None:
        self.module, self.path, self.lines, self.is_package = module, path, lines, is_package
        self.depth = 0
        self.type_only = 0
        self.found: list[Import] = []

    def add(self, node: ast.AST, target: str) -> None:
        first = getattr(node, "lineno", 1)
        last = getattr(node, "end_lineno", None) or first
        text = "\n".join(self.lines[first - 1:last])
        self.found.append(Import(self.module, target, f"{self.path}:{first}", self.depth > 0,
                                 "# lazy:" in text, self.type_only > 0))

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_Lambda = visit_FunctionDef

    def visit_If(self, node: ast.If) -> None:
        if is_type_checking(node.test):
            self.type_only += 1
            for child in node.body:
                self.visit(child)
            self.type_only -= 1
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.add(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = resolve(self.module, self.is_package, node.level, node.module)
        self.add(node, base)
        for alias in node.names:  # `from bot.commands import who` imports the module bot.commands.who
            if alias.name != "*" and top(base) in PACKAGES:
                self.add(node, f"{base}.{alias.name}")

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            self.add(node, node.args[0].value)
        self.generic_visit(node)


def scan(root: Path) -> list[Import]:
    """Every import in the three packages under root, each project module named once per statement."""
    found: list[Import] = []
    for module, path in project_files(root):
        text = path.read_text(encoding="utf-8")
        scanner = Scanner(module, path.relative_to(root), text.splitlines(), path.name == "__init__.py")
        scanner.visit(ast.parse(text))
        found += scanner.found
    modules = {m for m, _ in project_files(root)}
    named = {(i.where, project_module(i.target, modules)) for i in found}
    # `from corpus import b` names the package corpus and the module corpus.b: keep the module only
    return [i for i in found if not (i.target in modules and any(
        w == i.where and m and m != i.target and m.startswith(i.target + ".") for w, m in named))]


def project_module(target: str, modules: set[str]) -> str | None:
    """The project module a dotted target names (its longest prefix that is a module), if any."""
    parts = target.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in modules:
            return ".".join(parts[:end])
    return None


def graph(root: Path) -> dict[str, dict[str, str]]:
    """module -> {imported project module: file:line}; local imports count, TYPE_CHECKING ones do not."""
    modules = {m for m, _ in project_files(root)}
    edges: dict[str, dict[str, str]] = {m: {} for m in modules}
    for imp in scan(root):
        target = project_module(imp.target, modules)
        if target and target != imp.module and not imp.type_only:
            edges[imp.module].setdefault(target, imp.where)
    return edges


def cycles(root: Path) -> list[str]:
    """One cycle path per strongly connected group of modules, e.g. 'a (a.py:3) -> b (b.py:9) -> a'."""
    edges = graph(root)
    out: list[str] = []
    seen: set[str] = set()
    for start in sorted(edges):
        path = find_cycle(edges, start, seen)
        if path:
            seen.update(path)
            steps = [f"{a} ({edges[a][b]})" for a, b in zip(path, path[1:] + path[:1])]
            out.append(" -> ".join(steps + [path[0]]))
    return out


def find_cycle(edges: dict[str, dict[str, str]], start: str, seen: set[str]) -> list[str] | None:
    """A path from start back to start through modules not yet reported (depth-first), or None."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    visited: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in sorted(edges[node]):
            if nxt == start:
                return path
            if nxt not in visited and nxt not in seen:
                visited.add(nxt)
                stack.append((nxt, path + [nxt]))
    return None


def top(name: str) -> str:
    """The top-level package of a dotted name."""
    return name.split(".")[0]


def wrong_direction(root: Path) -> list[str]:
    """Imports against adapters -> bot -> corpus, or between the Slack and Discord adapters."""
    out = []
    digest = (root / "adapters" / "digest").is_dir()
    for imp in scan(root):
        source, target = imp.module, imp.target
        platform = {"adapters.slack": "adapters.discord", "adapters.discord": "adapters.slack"}
        bad = (top(source) == "corpus" and top(target) in ("bot", "adapters")) or \
            (top(source) == "bot" and top(target) in ("adapters",) + PLATFORM_SDKS)
        for mine, other in platform.items():
            inside = source == mine or source.startswith(mine + ".")
            if inside and (target == other or target.startswith(other + ".")):
                bad = True
            if inside and digest and (target == "adapters.digest" or target.startswith("adapters.digest.")):
                bad = True
        if bad:
            out.append(f"{imp.where}: {source} imports {target}")
    return sorted(set(out))


def wrappers_of_heavy_libraries(imports: list[Import], modules: set[str]) -> set[str]:
    """Project modules whose module-level imports reach a heavy library, directly or through other project
    modules: loading one lazily is loading that library lazily."""
    top_level = [i for i in imports if not i.local and not i.type_only]
    wrappers = {i.module for i in top_level if top(i.target) in HEAVY}
    while True:
        more = {i.module for i in top_level if project_module(i.target, modules) in wrappers} - wrappers
        if not more:
            return wrappers
        wrappers |= more


def local_imports(root: Path, *, project: bool) -> list[str]:
    """Function-local imports of project modules (project=True), or of third-party ones without `# lazy:`.

    A project module that loads a heavy library as it is imported may be imported lazily, with `# lazy: why`,
    as the library itself may."""
    out = []
    imports = scan(root)
    modules = {m for m, _ in project_files(root)}
    wrappers = wrappers_of_heavy_libraries(imports, modules)
    for imp in imports:
        if not imp.local or imp.type_only:
            continue
        ours = top(imp.target) in PACKAGES
        stdlib = top(imp.target) in sys.stdlib_module_names or top(imp.target) == "__future__"
        wraps_heavy = imp.lazy and project_module(imp.target, modules) in wrappers
        if project and ours and not wraps_heavy:
            out.append(f"{imp.where}: {imp.module} imports {imp.target} inside a function")
        if not project and not ours and not stdlib and not imp.lazy:
            out.append(f"{imp.where}: {imp.target} imported inside a function without `# lazy: why`")
    return sorted(set(out))


def sql_outside_corpus(root: Path) -> list[str]:
    """SQL libraries, .execute()/.query() calls and SQL strings in bot/ and adapters/."""
    out = []
    for module, path in project_files(root):
        if top(module) == "corpus":
            continue
        where = path.relative_to(root)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                out += [f"{where}:{node.lineno}: imports {n}" for n in names if top(n) in SQL_LIBRARIES]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in SQL_CALLS:
                out.append(f"{where}:{node.lineno}: calls .{node.func.attr}()")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and SQL_TEXT.match(node.value):
                out.append(f"{where}:{node.lineno}: SQL text {node.value.strip()[:40]!r}")
    return out


def report(problems: list[str], what: str) -> str:
    """A failure message: the count, then one problem a line."""
    return f"{len(problems)} {what}:\n" + "\n".join(problems)


# --- the rules, on this tree --------------------------------------------------------------------------------

def test_no_import_cycle_between_modules() -> None:
    found = cycles(ROOT)
    assert not found, report(found, "import cycles (function-local imports count)")


def test_imports_point_from_adapters_to_bot_to_corpus() -> None:
    found = wrong_direction(ROOT)
    assert not found, report(found, "imports against adapters -> bot -> corpus, or between platforms")


def test_no_function_local_import_of_a_project_module() -> None:
    found = local_imports(ROOT, project=True)
    assert not found, report(found, "function-local imports of project modules (restructure instead)")


def test_function_local_third_party_imports_say_why_they_are_lazy() -> None:
    found = local_imports(ROOT, project=False)
    assert not found, report(found, "function-local third-party imports without `# lazy:`")


def test_no_sql_outside_corpus() -> None:
    found = sql_outside_corpus(ROOT)
    assert not found, report(found, "SQL uses in bot/ or adapters/ (ask the corpus through its methods)")


# --- the checker itself, on a made-up tree ------------------------------------------------------------------

def write(root: Path, files: dict[str, str]) -> Path:
    """A made-up tree of the three packages under root."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for package in PACKAGES:
        (root / package).mkdir(exist_ok=True)
        (root / package / "__init__.py").touch()
    return root


def test_checker_finds_a_cycle_hidden_in_a_function_and_in_importlib(tmp_path: Path) -> None:
    root = write(tmp_path, {"corpus/a.py": "def f():\n    from corpus import b\n",
                            "corpus/b.py": "import importlib\nM = importlib.import_module('corpus.c')\n",
                            "corpus/c.py": "from . import a\n", "corpus/d.py": "from corpus import a\n"})
    [cycle] = cycles(root)
    assert cycle == ("corpus.a (corpus/a.py:2) -> corpus.b (corpus/b.py:2) -> corpus.c (corpus/c.py:1) "
                     "-> corpus.a")


def test_checker_allows_type_checking_imports_in_a_cycle(tmp_path: Path) -> None:
    root = write(tmp_path, {"bot/a.py": "from bot import b\n",
                            "bot/b.py": "import typing\nif typing.TYPE_CHECKING:\n    from bot import a\n"})
    assert cycles(root) == []


def test_checker_finds_wrong_directions(tmp_path: Path) -> None:
    root = write(tmp_path, {"corpus/x.py": "import bot.core\n", "bot/y.py": "def f():\n    import discord\n",
                            "bot/z.py": "__import__('adapters.cli')\n",
                            "adapters/slack/s.py": "from ..discord import client\n",
                            "adapters/discord/client.py": "", "adapters/digest/__init__.py": "",
                            "adapters/discord/d.py": "from adapters.digest import serve\n",
                            "adapters/serve.py": "import adapters.slack.s, adapters.discord.d\n"})
    found = wrong_direction(root)
    assert sorted({f.split(":")[0] for f in found}) == ["adapters/discord/d.py", "adapters/slack/s.py",
                                                      "bot/y.py", "bot/z.py", "corpus/x.py"]


def test_checker_allows_a_lazy_import_of_a_module_that_wraps_a_heavy_library_only(tmp_path: Path) -> None:
    root = write(tmp_path, {"corpus/net.py": "import httpx\n", "corpus/plain.py": "import json\n",
                            "corpus/use.py": "def f():\n    from corpus import net  # lazy: httpx is slow "
                            "to load\n"
                                             "    from corpus import plain  # lazy: not a reason\n"
                                             "    from corpus import net as n2\n"})
    assert local_imports(root, project=True) == [
        "corpus/use.py:3: corpus.use imports corpus.plain inside a function",
        "corpus/use.py:4: corpus.use imports corpus.net inside a function"]


def test_checker_wants_a_lazy_comment_on_local_third_party_imports_only(tmp_path: Path) -> None:
    root = write(tmp_path, {"corpus/e.py": "def load():\n    import torch  # lazy: seconds to import\n"
                                           "    import json\n    import numpy\n    from corpus import f\n",
                            "corpus/f.py": ""})
    assert local_imports(root, project=False) == [
        "corpus/e.py:4: numpy imported inside a function without `# lazy: why`"]
    assert local_imports(root, project=True) == ["corpus/e.py:5: corpus.e imports corpus.f inside a function"]


@pytest.mark.parametrize("code", ['Q = "SELECT id FROM articles"\n',
                                  'Q = """\n  INSERT INTO t VALUES (?)"""\n',
                                  "def f(db):\n    db.execute('x')\n", "import sqlite3\n",
                                  "def f(db):\n    return db.query(q)\n", "Q = 'PRAGMA user_version'\n"])
def test_checker_finds_sql_in_bot(tmp_path: Path, code: str) -> None:
    root = write(tmp_path, {"bot/q.py": code, "corpus/ok.py": code})
    assert [f.split(":")[0] for f in sql_outside_corpus(root)] == ["bot/q.py"]


def test_checker_leaves_english_that_starts_with_a_keyword_alone(tmp_path: Path) -> None:
    root = write(tmp_path, {"bot/words.py": "A = 'Select a topic'\nB = 'With the corpus as it is'\n"
                                            "C = 'Update: the digest moved'\nD = 'DROP the mic'\n"})
    assert sql_outside_corpus(root) == []
