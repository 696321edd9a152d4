"""Imports run one way: no module of ``engine`` imports, even only for type checking, a module
that imports it back (directly or through others)."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "engine"


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (a package's own ``__init__`` left out)."""
    modules = {}
    for path in package.rglob("*.py"):
        name = ".".join(path.relative_to(package.parent).with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            graph[name] |= {
                t for t in targets if t in modules and t != name and not name.startswith(t + ".")
            }
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in graph[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_the_engine_has_no_import_circle() -> None:
    assert circles(import_graph(ENGINE)) == []


def test_a_circle_is_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module ``start`` imports, directly or through others."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        for other in graph[todo.pop()] - seen:
            seen.add(other)
            todo.append(other)
    return seen


def test_the_checker_shares_no_code_with_the_model_it_checks() -> None:
    graph = import_graph(ENGINE)
    checker = [
        name for name in graph if name == "engine.checker" or name.startswith("engine.checker.")
    ]
    assert len(checker) > 10  # the package, one module per job
    for module in checker:
        assert not {m for m in reachable(graph, module) if m.startswith("engine.models")}, module
        assert "engine.lead_time" not in reachable(graph, module), module  # its own copy


def test_reachable_follows_imports_through_others() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": set(), "d": {"a"}}
    assert reachable(graph, "a") == {"b", "c"}


def imported_packages(folder: Path) -> dict[str, set[str]]:
    """File (relative to the repository) -> the top-level packages it imports, even lazily."""
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        roots: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                roots.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                roots |= {alias.name.split(".")[0] for alias in node.names}
        found[path.relative_to(folder.parent).as_posix()] = roots
    return found


def test_the_fixed_layout_holds() -> None:
    """``ui/`` never imports Pyomo or SimPy; ``engine/`` never imports Streamlit; Pyomo is
    imported only in ``engine/models`` (docs/architecture.md)."""
    ui = imported_packages(ENGINE.parent / "ui")
    engine = imported_packages(ENGINE)
    assert {f for f, roots in ui.items() if roots & {"pyomo", "simpy"}} == set()
    assert {f for f, roots in engine.items() if "streamlit" in roots} == set()
    pyomo = {f for f, roots in engine.items() if "pyomo" in roots}
    assert pyomo and all(f.startswith("engine/models/") for f in pyomo)


LAYERS: tuple[tuple[str, ...], ...] = (
    (
        "engine.scenario",
        "engine.plan_types",
        "engine.cancel",
        "engine.parallel",
        "engine.export",
    ),
    ("engine.landed_cost", "engine.lead_time", "engine.finance"),
    ("engine.models", "engine.simulation", "engine.checker"),
    (
        "engine.finance.plan_timeline",
        "engine.history",
        "engine.comparisons",
        "engine.replay",
        "engine.runs",
        "engine.resilience",
    ),
    ("engine.workflows",),
    ("engine.api", "engine.cli"),
)
"""The layers of docs/architecture.md, bottom first: a module imports only from its own layer
or those below. A module belongs to the layer of the longest prefix naming it."""


def layer_of(module: str) -> int:
    """The layer of a module of ``engine``."""
    best, found = "", -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix)) and len(prefix) > len(best):
                best, found = prefix, index
    assert found >= 0, f"{module} is in no layer of docs/architecture.md"
    return found


def test_imports_run_down_the_layers() -> None:
    graph = import_graph(ENGINE)
    upward = sorted(
        f"{module} -> {other}"
        for module, others in graph.items()
        if module != "engine"
        for other in others
        if layer_of(other) > layer_of(module)
    )
    assert upward == []
