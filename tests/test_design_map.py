"""docs/design.md's module map stays true: every module under src/slideshow/ has a row, and
every row names a module that exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "slideshow"


def mapped(text: str) -> set[str]:
    """The module paths named in the first cell of the map's rows."""
    rows = re.findall(r"^\| (`[^|]+`) \|", text, flags=re.M)
    return {name for cell in rows for name in re.findall(r"`([\w/]+\.py)`", cell)}


def test_every_module_is_on_the_map_and_every_row_is_a_module():
    modules = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")}
    rows = mapped((ROOT / "docs" / "design.md").read_text(encoding="utf-8"))
    assert sorted(modules - rows) == [], "modules missing from docs/design.md's map"
    assert sorted(rows - modules) == [], "rows of docs/design.md's map naming no module"


def test_the_check_finds_a_missing_row_and_a_stale_one():
    text = "| `atomic.py` | one writer |\n| `gone.py` | was here |\n| module | its job |\n"
    assert mapped(text) == {"atomic.py", "gone.py"}
