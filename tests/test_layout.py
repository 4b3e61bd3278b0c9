"""The layout keeps its promise: who may import whom, no cycles, and migrations that import no app code.

Read from the source with ``ast``: every import, at the top of a module or
inside a function, counts. The rooms:

- the catalog: ``cases`` itself (and ``cases.notices``) imports nothing from
  search, the workbench, the tracker, the API or the developer tools;
- search, the workbench and the tracker import the catalog, and not each other;
- the API and ``portal`` sit on top; the developer tools may use anything,
  and nothing that serves the portal imports them.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ROOMS = ("cases.search", "cases.workbench", "cases.tracker", "cases.api", "cases.devtools")
ALLOWED = {
    "catalog": set(),
    "cases.search": {"catalog"},
    "cases.workbench": {"catalog"},
    "cases.tracker": {"catalog"},
    "cases.api": {"catalog", "cases.search", "cases.tracker"},
    "cases.devtools": {"catalog", "cases.search", "cases.tracker", "portal"},
    "portal": {"catalog", "cases.search", "cases.workbench", "cases.tracker", "cases.api"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> dict[str, Path]:
    files = {}
    for folder in ("cases", "portal"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" not in path.parts:
                files[module_name(path)] = path
    return files


def imports_of(name: str, path: Path) -> set[str]:
    """Every project module ``name`` imports, wherever in the file the import stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found |= {f"{target}.{alias.name}" for alias in node.names}
    return {f for f in found if f.split(".")[0] in ("cases", "portal")}


def room(module: str) -> str:
    for name in ROOMS:
        if module == name or module.startswith(name + "."):
            return name
    return "portal" if module.split(".")[0] == "portal" else "catalog"


def resolve(target: str, modules: set[str]) -> str | None:
    """The project module an import refers to (``from cases import roles`` is the module cases.roles)."""
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    files = source_files()
    modules = set(files)
    return {
        name: {m for t in imports_of(name, path) if (m := resolve(t, modules)) and m != name}
        for name, path in files.items()
    }


def test_every_room_imports_only_what_the_rule_allows(graph):
    wrong = sorted(
        f"{a} -> {b}"
        for a, targets in graph.items()
        for b in targets
        if room(a) != room(b) and room(b) not in ALLOWED[room(a)]
    )
    assert wrong == []


def test_nothing_that_serves_the_portal_imports_the_developer_tools(graph):
    assert [
        a
        for a, targets in graph.items()
        if room(a) != "cases.devtools" and any(room(b) == "cases.devtools" for b in targets)
    ] == []


def test_no_module_imports_itself_round_a_cycle(graph):
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert cycles == []


def test_migrations_import_no_app_code():
    offenders = []
    for path in ROOT.glob("cases/**/migrations/*.py"):
        for target in imports_of(module_name(path), path):
            offenders.append(f"{path.relative_to(ROOT)}: {target}")
    assert offenders == []


def test_the_rule_is_not_vacuous(graph):
    """The graph holds the imports the rule is about: search imports the catalog, the API the tracker."""
    assert any(room(a) == "cases.search" and room(b) == "catalog" for a, ts in graph.items() for b in ts)
    assert any(room(a) == "cases.api" and room(b) == "cases.tracker" for a, ts in graph.items() for b in ts)


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_the_code_passes_ruff(command):
    """``make lint`` runs in CI through the suite: a lint or format slip fails the build, not a later review."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "--no-cache", str(ROOT)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
