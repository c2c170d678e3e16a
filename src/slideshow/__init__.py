"""slideshow: declarative YAML storyboards to finished, captioned MP4 compilations.

The library API mirrors the pipeline: ``load`` a storyboard, ``plan`` its timeline,
``render`` it to files.
"""

from .errors import MediaError, Problem, RenderError, SlideshowError, StoryboardError
from .loader import LoadedStoryboard, load
from .planner import plan
from .timeline import Timeline

__version__ = "0.1.0"


def __getattr__(name: str):
    # render and publish pull in the media stack; import them only when asked for.
    if name in ("render", "render_many"):
        from . import renderer

        return getattr(renderer, name)
    if name == "publish":
        from .publish import publish

        return publish
    raise AttributeError(f"module 'slideshow' has no attribute {name!r}")


__all__ = [
    "LoadedStoryboard",
    "MediaError",
    "Problem",
    "RenderError",
    "SlideshowError",
    "StoryboardError",
    "Timeline",
    "__version__",
    "load",
    "plan",
    "publish",
    "render",
    "render_many",
]
