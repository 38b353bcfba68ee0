"""The structure of the house, checked on every ``make test`` (docs/adr/0009-feedback-packages.md).

import-linter (``make lint``) holds the layers and the independence of the capabilities; these
tests hold what it cannot say: no import cycle between modules (imports inside functions
included), no module over 400 lines without a reason at its top, no HTTP in the analysis, no
view among the allowed cross-capability imports, and the benchmarks use public names only.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("cms", "feedback", "consultations")
MAX_LINES = 400
FEEDBACK_TOP_LEVEL = {"__init__.py", "apps.py", "permissions.py", "wagtail_hooks.py", "web.py"}
CAPABILITIES = {
    "intake",
    "review",
    "campaigns",
    "coding",
    "dashboard",
    "search",
    "exports",
    "response",
    "risk",
    "hearings",
}
SHARED = {"analysis", "privacy", "audit", "models"}


def _python_files(*tops: str):
    for top in tops:
        path = ROOT / top
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for file in files:
            if "migrations" not in file.parts and ".venv" not in file.parts:
                yield file


def strongly_connected(adjacency: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the groups of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    for start in sorted(adjacency):
        if start in index:
            continue
        work = [(start, iter(sorted(adjacency[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(adjacency.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1 or node in adjacency.get(node, ()):
                    groups.append(sorted(group))
    return groups


def test_strongly_connected_finds_a_cycle_through_three_modules():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert strongly_connected(graph) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_between_modules():
    """grimp reads every import statement, those inside functions too."""
    graph = grimp.build_graph(*APPS, include_external_packages=False)
    modules = {m for m in graph.modules if ".migrations" not in m}
    adjacency = {
        m: {x for x in graph.find_modules_directly_imported_by(m) if x in modules} for m in modules
    }
    assert strongly_connected(adjacency) == []


def test_no_module_over_400_lines_without_a_reason_at_its_top():
    too_long = []
    for file in _python_files(*APPS, "bench", "conftest.py", "tests_e2e", "scripts"):
        lines = file.read_text(encoding="utf-8").splitlines()
        if len(lines) <= MAX_LINES:
            continue
        head = []
        for line in lines:
            if line.startswith(("import ", "from ")):
                break
            head.append(line)
        if not any(line.startswith("# Size:") for line in head):
            too_long.append(f"{file.relative_to(ROOT)} ({len(lines)} lines)")
    assert too_long == [], "split these, or say why at the top in a '# Size:' comment"


def test_feedback_is_one_package_per_capability():
    feedback = ROOT / "feedback"
    top_modules = {p.name for p in feedback.glob("*.py")}
    assert top_modules == FEEDBACK_TOP_LEVEL
    packages = {p.parent.name for p in feedback.glob("*/__init__.py")}
    assert CAPABILITIES | SHARED <= packages
    for name in sorted(CAPABILITIES | SHARED):
        tree = ast.parse((feedback / name / "__init__.py").read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"feedback/{name}/__init__.py says what it is for"


_HTTP = ("django.http", "django.shortcuts", "django.template", "django.views", "django.urls")


def test_analysis_has_no_request_and_no_http():
    found = []
    for file in _python_files("feedback/analysis"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if name.startswith(_HTTP) or name.split(".")[0] in {"wagtail", "ninja"}:
                    found.append(f"{file.relative_to(ROOT)}: {name}")
            if isinstance(node, ast.arg) and node.arg == "request":
                found.append(f"{file.relative_to(ROOT)}: a request argument")
    assert found == []


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["importlinter"]["contracts"]


def test_allowed_cross_capability_imports_are_never_views():
    (independence,) = [c for c in _contracts() if c["type"] == "independence"]
    assert {m.removeprefix("feedback.") for m in independence["modules"]} == CAPABILITIES
    for line in independence.get("ignore_imports", []):
        importer, imported = (part.strip() for part in line.split("->"))
        leaf = imported.rsplit(".", 1)[-1]
        assert "views" not in leaf and "hooks" not in leaf, line
        assert importer.split(".")[1] != imported.split(".")[1], line


def test_benchmarks_use_public_names_only():
    """bench/ may change when the code does, but only through names the code offers."""
    private = []
    for file in _python_files("bench"):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        project_aliases = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module.split(".")[0] not in APPS:
                    continue
                for alias in node.names:
                    if alias.name.startswith("_") or any(
                        part.startswith("_") for part in node.module.split(".")
                    ):
                        private.append(f"{file.name}:{node.lineno} {node.module}.{alias.name}")
                    project_aliases.add(alias.asname or alias.name)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in project_aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and node.attr != "_meta"  # Django's documented Model._meta API
            ):
                private.append(f"{file.name}:{node.lineno} {node.value.id}.{node.attr}")
    assert private == []


@pytest.mark.parametrize("module", ["feedback.analysis.text", "feedback.analysis.evaluation"])
def test_pure_analysis_modules_import_no_django(module):
    graph = grimp.build_graph("feedback", include_external_packages=True)
    assert "django" not in graph.find_modules_directly_imported_by(module)
