"""The folders tell the flow: each layer imports only the layers below it, and no module
imports itself back through another.

    govpatrol.core → extract → crawler → scoring → checks → scan → reports → scheduler
    → govpatrol.admin → dashboard → govpatrol.cli

``sampleportal`` is a fixture generator beside the flow: it may use the core (working days)
and only the CLI's demo and the tests and benchmarks use it. Read from the source with
``ast``, so a function-level import counts as much as a top-level one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

LAYERS = (
    "govpatrol.core",
    "extract",
    "crawler",
    "scoring",
    "checks",
    "scan",
    "reports",
    "scheduler",
    "govpatrol.admin",  # the office's import sheet, for the CLI and the dashboard alike
    "dashboard",
    "govpatrol.cli",
)
BESIDE = {"sampleportal": 0}  # a side package and the highest layer it may import
PACKAGES = (
    "govpatrol",
    "extract",
    "crawler",
    "scoring",
    "checks",
    "scan",
    "reports",
    "scheduler",
    "dashboard",
    "sampleportal",
)

# Imports that run up the flow on purpose, each with its reason. Keep this list short.
UPWARD: dict[tuple[str, str], str] = {}


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(REPO).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if full in modules:
                    yield full
                elif node.module in modules:
                    yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name in modules)


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: set(_imports(path, modules)) - {name} for name, path in modules.items()}


def layer_of(module: str) -> int:
    for rank, layer in sorted(enumerate(LAYERS), key=lambda item: -len(item[1])):
        if module == layer or module.startswith(layer + "."):
            return rank
    head = module.split(".")[0]
    if head in BESIDE:
        return BESIDE[head]
    if module == "govpatrol":  # the package root holds only the version numbers
        return 0
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS or BESIDE")


def test_every_import_points_down_the_flow() -> None:
    upward = sorted(
        (source, target)
        for source, targets in _graph().items()
        for target in targets
        if layer_of(target) > layer_of(source)
        and not (source.split(".")[0] in BESIDE and target.startswith(source.split(".")[0]))
        and (source, target) not in UPWARD
    )
    assert upward == []


def test_side_packages_are_used_only_from_the_top() -> None:
    users = sorted(
        (source, target)
        for source, targets in _graph().items()
        for target in targets
        if target.split(".")[0] in BESIDE
        and source.split(".")[0] not in BESIDE
        and layer_of(source) < len(LAYERS) - 1
    )
    assert users == []


def test_no_import_cycles() -> None:
    graph = _graph()
    cycles = [scc for scc in _strongly_connected(graph) if len(scc) > 1]
    assert cycles == []


def test_the_justified_upward_imports_still_exist() -> None:
    graph = _graph()
    stale = [pair for pair in UPWARD if pair[1] not in graph.get(pair[0], set())]
    assert stale == []


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative so a deep import chain cannot hit the recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(sorted(component))
    return found


def test_the_check_names_below_the_checks_are_real() -> None:
    # the crawler names the documents check instead of importing it (it sits below the checks)
    from checks.documents import DocumentCheck
    from crawler.reuse import DOCUMENTS_CHECK

    assert DocumentCheck.name == DOCUMENTS_CHECK
