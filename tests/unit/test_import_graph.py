"""The emulator and the admin side do not import each other (issue: the admin application).

The graph is read from the source (every ``import`` and ``from ... import``, those under
``TYPE_CHECKING`` included), so a cycle hidden from the interpreter is found too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import chime_local

ROOT = Path(chime_local.__file__).parent
ADMIN_SIDE = ("chime_local.admin", "chime_local.console")
CLI_TARGETS = "chime_local.admin.targets"  # the CLI's local target builds an emulator on purpose


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        name = module_name(path)
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                targets.add(node.module)
                targets.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[name] = {t for t in targets if t.startswith("chime_local")}
    return {name: {t for t in targets if t in graph} for name, targets in graph.items()}


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for target in graph[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_the_emulator_does_not_reach_the_admin_side() -> None:
    graph = import_graph()
    reached = reachable(graph, "chime_local.emulator")
    assert not [name for name in reached if name.startswith(ADMIN_SIDE)]


def test_the_admin_side_does_not_import_the_emulator() -> None:
    graph = import_graph()
    admin_modules = [n for n in graph if n.startswith(ADMIN_SIDE) and n != CLI_TARGETS]
    assert "chime_local.admin.app" in admin_modules
    for name in admin_modules:
        assert "chime_local.emulator" not in reachable(graph, name), name


def test_the_emulator_is_in_no_import_cycle() -> None:
    graph = import_graph()
    assert "chime_local.emulator" not in reachable(graph, "chime_local.emulator")
    assert "chime_local.emulator" in reachable(graph, "chime_local.server.asgi")
