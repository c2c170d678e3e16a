"""The one error family: everything a user can cause is a SlideshowError with a clean message."""

from __future__ import annotations

from dataclasses import dataclass


class SlideshowError(Exception):
    """A problem the user can act on. The CLI prints its message and exits 1, no traceback."""


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in a storyboard, at a place in its file."""

    file: str
    line: int
    column: int
    message: str

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
