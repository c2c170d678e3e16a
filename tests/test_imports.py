"""The package's modules import one another without a cycle, lazy imports included.

A cycle means two rooms that cannot be understood (or loaded) apart. Imports made only for
type hints (under `if TYPE_CHECKING:`) are not counted: they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import slideshow

ROOT = Path(slideshow.__file__).parent


def module_name(path: Path) -> str:
    parts = ["slideshow", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in ROOT.rglob("*.py")}


def _type_checking_only(node: ast.AST, parents: dict) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports(name: str) -> set[str]:
    """The package's modules that module `name` imports, anywhere in its code."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            # `from . import text` names a module; `from .x import y` names x.
            targets = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES]
            targets = targets or [base]
        elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith("import_module"):
            try:
                named = [ast.literal_eval(node.args[0])]
            except ValueError:  # a name from a table: every module the table names
                named = [
                    c.value
                    for c in ast.walk(tree)
                    if isinstance(c, ast.Constant) and str(c.value).startswith(".")
                ]
            targets = [package + n if n.startswith(".") else n for n in named]
        else:
            continue
        found |= {t for t in targets if t in MODULES and t != name}
    return found


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for other in sorted(graph[name]):
            if state.get(other) == 1:
                return path[path.index(other) :] + [other]
            if other not in state:
                cycle = visit(other)
                if cycle:
                    return cycle
        path.pop()
        state[name] = 2
        return None

    for name in sorted(graph):
        if name not in state:
            cycle = visit(name)
            if cycle:
                return cycle
    return None


def test_no_import_cycle():
    cycle = find_cycle({name: imports(name) for name in MODULES})
    assert cycle is None, " -> ".join(cycle or [])


def test_the_walk_sees_imports_and_cycles():
    """The test above can fail: the walk finds known edges, and a cycle when there is one."""
    assert "slideshow.planner" in imports("slideshow.checking")
    assert "slideshow.renderer.video.fonts" in imports("slideshow.renderer.keys")
    # a lazy import
    assert "slideshow.renderer.video.motion" in imports("slideshow.renderer.video.frames")
    assert "slideshow.publishing" in imports("slideshow")  # import_module, in __getattr__
    # from . import
    assert "slideshow.renderer.video.text" in imports("slideshow.renderer.video.plates")
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
