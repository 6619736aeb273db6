"""The folders are the layers, and imports only go down them:

    core  ←  kb  ←  reasoning  ←  tools  ←  views  ←  serving  ←  cli
                 ↖  authoring (the curator's commands; never imported by the server)

`errors` and `_version` sit under everything. Every import counts, the ones inside functions too, since a
lazy import is still a dependency. No module may reach itself through imports (no cycles)."""

from __future__ import annotations

import ast
from pathlib import Path

import chipmcp

PACKAGE = Path(chipmcp.__file__).parent
BASE = {"errors", "_version", "__init__"}
# What each layer may import besides itself and BASE.
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "kb": {"core"},
    "reasoning": {"core", "kb"},
    "authoring": {"core", "kb", "reasoning"},
    "tools": {"core", "kb", "reasoning"},
    "views": {"core", "kb", "reasoning", "tools"},
    "serving": {"core", "kb", "reasoning", "tools", "views"},
    "cli": {"core", "kb", "reasoning", "tools", "views", "serving", "authoring"},
    "__main__": {"cli"},
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        found["chipmcp." + ".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Every chipmcp module `path` imports, at any depth of the file."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("chipmcp")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("chipmcp"):
            assert node.level == 0, f"{path}: relative import (the package uses absolute ones)"
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                out.add(sub if sub in MODULES else node.module)
    return {m for m in out if m != "chipmcp"}


def _layer(module: str) -> str:
    return module.split(".")[1]


GRAPH = {module: _imports(path) for module, path in MODULES.items()}


def test_every_module_sits_in_a_known_layer() -> None:
    top = ("chipmcp", "chipmcp.__init__")
    strays = sorted(m for m in MODULES if m not in top and _layer(m) not in ALLOWED and _layer(m) not in BASE)
    assert strays == []


def test_imports_only_go_down_the_layers() -> None:
    wrong = []
    for module, imported in GRAPH.items():
        if module in ("chipmcp", "chipmcp.__init__"):  # the package root is the public surface, above all
            continue
        layer = _layer(module)
        allowed = set() if layer in BASE else ALLOWED[layer] | {layer}
        for target in imported:
            if _layer(target) not in allowed | BASE:
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_core_imports_no_model_no_sqlite_and_no_mcp() -> None:
    heavy = ("pydantic", "sqlite3", "sqlite_utils", "mcp", "starlette", "uvicorn")
    found = []
    for module, path in MODULES.items():
        if module.startswith("chipmcp.core"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                )
                found += [f"{module} imports {n}" for n in names if n.split(".")[0] in heavy]
    assert found == []


def test_only_serving_and_the_cli_import_mcp() -> None:
    found = []
    for module, path in MODULES.items():
        if _layer(module) in ("serving", "cli", "views"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "mcp":
                found.append(module)
            if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "mcp" for a in node.names):
                found.append(module)
    assert found == []


def test_no_module_reaches_itself_through_its_imports() -> None:
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(GRAPH.get(module, ())):
            if target not in GRAPH:
                continue
            if state.get(target) == 1:
                cycles.append(" → ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_each_tool_declares_its_arguments_answer_and_function_in_its_own_module() -> None:
    """A tool reads top to bottom in one file: what it takes, what it answers, how (shared parts of every
    answer sit in tools/_answer_parts.py, the private helpers in tools/_*.py)."""
    from chipmcp import tools

    # estimate_cluster's arguments sit in their own private module because its reconciliation reads them too.
    strays = [
        (tool.name, part.__qualname__, part.__module__)
        for tool in tools.TOOLS
        for part in (tool.arguments, tool.answer, tool.run, tool.render)
        if part.__module__ not in (tool.run.__module__, "chipmcp.tools._estimate_arguments")
    ]
    assert strays == []
    assert len({tool.run.__module__ for tool in tools.TOOLS}) == len(tools.TOOLS)
