"""slideshow: declarative YAML storyboards to finished, captioned MP4 compilations.

The library API mirrors the pipeline: ``check`` a storyboard (``load`` it and ``plan`` its
timeline, collecting every problem), ``render`` it to files, ``publish`` it.
"""

from .check import Checked, check
from .errors import MediaError, Problem, RenderError, SlideshowError, StoryboardError
from .loader import LoadedStoryboard, load
from .outputs import Outputs
from .planner import plan
from .timeline import Timeline
from .version import __version__


def __getattr__(name: str):
    # render and publish pull in the media stack; import them only when asked for.
    if name in ("render", "render_many"):
        from . import renderer

        return getattr(renderer, name)
    if name == "init":
        from .drafting import init

        return init
    if name in ("preview", "preview_many", "PreviewResult"):
        from . import previewing

        return getattr(previewing, name)
    if name in ("package", "package_many"):
        from . import packaging

        return getattr(packaging, name)
    if name in ("publish", "publish_many"):
        import importlib

        return getattr(importlib.import_module(".publishing", __name__), name)
    raise AttributeError(f"module 'slideshow' has no attribute {name!r}")


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
