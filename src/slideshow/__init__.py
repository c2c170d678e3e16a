"""slideshow: declarative YAML storyboards to finished, captioned MP4 compilations.

The library API mirrors the pipeline: ``check`` a storyboard (``load`` it and ``plan`` its
timeline, collecting every problem), ``render`` it to files, ``publish`` it.

Every name is imported when first asked for (the media stack only by render, preview and
publish), so the command starts at once and a Ctrl-C while it loads ends it quietly
(start.py).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .version import __version__

if TYPE_CHECKING:  # what the names are, for type checkers and editors
    from .checking import Checked, check
    from .drafting import init
    from .errors import MediaError, Problem, RenderError, SlideshowError, StoryboardError
    from .loader import LoadedStoryboard, load
    from .outputs import Outputs
    from .packaging import package, package_many
    from .planner import plan
    from .previewing import PreviewResult, preview, preview_many
    from .publishing import publish, publish_many
    from .renderer import render, render_many
    from .timeline import Timeline

# Each public name: the module it comes from.
_HOMES = {
    "Checked": ".checking",
    "check": ".checking",
    "init": ".drafting",
    "MediaError": ".errors",
    "Problem": ".errors",
    "RenderError": ".errors",
    "SlideshowError": ".errors",
    "StoryboardError": ".errors",
    "LoadedStoryboard": ".loader",
    "load": ".loader",
    "Outputs": ".outputs",
    "package": ".packaging",
    "package_many": ".packaging",
    "plan": ".planner",
    "PreviewResult": ".previewing",
    "preview": ".previewing",
    "preview_many": ".previewing",
    "publish": ".publishing",
    "publish_many": ".publishing",
    "render": ".renderer",
    "render_many": ".renderer",
    "Timeline": ".timeline",
}


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'slideshow' has no attribute {name!r}")
    return getattr(importlib.import_module(home, __name__), name)


__all__ = [
    "Checked",
    "LoadedStoryboard",
    "MediaError",
    "Outputs",
    "PreviewResult",
    "Problem",
    "RenderError",
    "SlideshowError",
    "StoryboardError",
    "Timeline",
    "__version__",
    "check",
    "init",
    "load",
    "package",
    "package_many",
    "plan",
    "preview",
    "preview_many",
    "publish",
    "publish_many",
    "render",
    "render_many",
]
