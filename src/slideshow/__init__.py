"""slideshow: declarative YAML storyboards to finished, captioned MP4 compilations.

The library API mirrors the pipeline: ``load`` a storyboard, ``plan`` its timeline,
``render`` it to files.
"""

from .errors import MediaError, Problem, RenderError, SlideshowError, StoryboardError
from .loader import LoadedStoryboard, load
from .planner import plan
from .timeline import Timeline

__version__ = "0.1.0"

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
]
