"""Finding the caption font: a file, a family through fontconfig, or DejaVu Sans from matplotlib.

DejaVu Sans covers Latin, Cyrillic and Hebrew, and matplotlib's wheel ships it, so the default
works on any machine without a download or a system font.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

from ...errors import SlideshowError
from ...media import home

DEFAULT_FAMILY = "DejaVu Sans"


def find_font(font: str, *, bold: bool = False, base: Path | None = None) -> Path:
    """A font file for a storyboard's `style.font`: a path to a file or a family name."""
    if font.lower().endswith((".ttf", ".otf", ".ttc")):
        path = home(font)
        if not path.is_absolute() and base is not None:
            path = base / path
        try:
            exists = path.is_file()
        except OSError:  # a name too long for the file system, say
            exists = False
        if not exists:
            raise SlideshowError(f"style.font: the font file {font!r} was not found")
        return path
    found = _fontconfig(font, bold)
    if found and not found.is_file():  # removed since fontconfig named it (a long --watch)
        _fontconfig.cache_clear()
        found = _fontconfig(font, bold)
    if found:
        return found
    if font.lower().replace(" ", "") == DEFAULT_FAMILY.lower().replace(" ", ""):
        return bundled_font(bold)
    raise SlideshowError(
        f"style.font: no font named {font!r} is installed; give a font file (.ttf or .otf) "
        f"or leave it out to use {DEFAULT_FAMILY}"
    )


def font_version(path: str | Path) -> tuple[int, int]:
    """(modification time, size) of a font file in use: what caches of it are keyed by, so an
    edited font is read again. A font removed since it was found is the user's to fix."""
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise SlideshowError(
            f"the font file {path} cannot be read ({exc.strerror}); was it removed? "
            "Check style.font"
        ) from None
    return stat.st_mtime_ns, stat.st_size


def bundled_font(bold: bool = False) -> Path:
    """DejaVu Sans as shipped inside matplotlib's wheel, found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise SlideshowError("matplotlib is not installed; reinstall slideshow to get its font")
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    path = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf" / name
    if not path.is_file():
        raise SlideshowError(f"the bundled font {name} is missing; reinstall matplotlib")
    return path


@functools.lru_cache(maxsize=32)  # a subprocess each time otherwise
def _fontconfig(family: str, bold: bool) -> Path | None:
    """Ask fontconfig for the family; accept only an exact family match, not a substitute."""
    fc_match = shutil.which("fc-match")
    if not fc_match:
        return None
    pattern = f"{family}:style=Bold" if bold else family
    try:
        result = subprocess.run(
            [fc_match, "--format=%{family}\n%{file}", pattern],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = result.stdout.splitlines()
    if result.returncode or len(lines) < 2:
        return None
    families = [f.strip().lower() for f in lines[0].split(",")]
    path = Path(lines[1])
    if family.strip().lower() in families and path.is_file():
        return path
    return None
