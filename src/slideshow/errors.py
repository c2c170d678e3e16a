"""The one error family: everything a user can cause is a SlideshowError with a clean message."""

from __future__ import annotations

import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path


class SlideshowError(Exception):
    """A problem the user can act on. The CLI prints its message and exits 1, no traceback."""


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in a storyboard, at a place in its file."""

    file: str
    line: int
    column: int
    message: str
    # Where in the storyboard's data, as keys and indexes (a preview shows a warning next to
    # the shot it concerns); not part of a problem's identity.
    path: tuple = field(default=(), compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class StoryboardError(SlideshowError):
    """All the mistakes found in one storyboard, reported together."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        count = len(self.problems)
        head = "1 error" if count == 1 else f"{count} errors"
        super().__init__("\n".join(str(p) for p in self.problems) + f"\n{head} found")


class MediaError(SlideshowError):
    """A media file that cannot be read or decoded, named as the storyboard writes it."""


class RenderError(SlideshowError):
    """A render that could not finish; nothing was written under the final names."""


CRASH_LOG = "slideshow-crash.log"
_logged = False  # the first report of a run starts the log afresh; later ones are added


def crash_log_path() -> Path:
    """The crash log: in the user's own log folder (platformdirs: ~/.local/state/slideshow/log
    on Linux), where no other user's log is in the way; the temporary folder if that folder
    cannot be made."""
    import platformdirs

    folder = Path(platformdirs.user_log_dir("slideshow"))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir())
    return folder / CRASH_LOG


def crash_report(exc: BaseException, doing: str | None = None) -> str:
    """Keep a bug's traceback (a worker's too: it is chained to the exception) in the crash
    log, and give the one line to show: what failed, and where the details are."""
    global _logged
    log = crash_log_path()
    text = f"slideshow failed unexpectedly{f' while {doing}' if doing else ''}:\n" + "".join(
        traceback.format_exception(type(exc), exc, exc.__traceback__)
    )
    try:
        with open(log, "a" if _logged else "w", encoding="utf-8") as out:
            out.write(text + "\n")
        _logged = True
        where = f"details are in {log}"
    except OSError:
        where = "the details could not be written to a log: " + text.splitlines()[-1]
    what = f"internal error while {doing}" if doing else "internal error"
    return f"{what}: slideshow failed unexpectedly; {where}. Please report it with that file."
