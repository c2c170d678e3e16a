"""The one rule for commands that take many storyboards (render, preview, package, publish):
each storyboard's outcome is its own. A mistake is reported as it is; a bug of ours is
reported in one line naming the crash log, which keeps its traceback; either way the others
go on. Only an interrupt (Ctrl-C) stops the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from .atomic import os_error_message
from .checking import Checked
from .errors import SlideshowError, crash_report
from .loader import LoadedStoryboard

Storyboard = str | Path | LoadedStoryboard | Checked
T = TypeVar("T")


@dataclass
class Outcome(Generic[T]):
    """What became of one storyboard in a batch: its result, or why there is none."""

    storyboard: str
    result: T | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def name(storyboard: Storyboard) -> str:
    """The storyboard as messages name it: its path."""
    if isinstance(storyboard, (LoadedStoryboard, Checked)):
        return str(storyboard.path)
    return str(storyboard)


def reason(exc: BaseException, doing: str) -> str:
    """What to tell about a failure: a user's mistake as it is; a bug of ours in one line,
    its traceback (a worker's included) kept in the crash log."""
    if isinstance(exc, SlideshowError):
        return str(exc)
    if isinstance(exc, OSError) and exc.errno is not None:
        return os_error_message(exc)  # the system's: a full disk, a read-only folder
    return crash_report(exc, doing)


def each(
    storyboards: Sequence[Storyboard],
    work: Callable[[Storyboard], T],
    doing: str,
    report: Callable[[Outcome[T]], None] | None = None,
) -> list[Outcome[T]]:
    """work(storyboard) for each storyboard in turn, an Outcome for each, in order; `doing`
    says what work does ("previewing") for the crash log, and report(outcome) is called as
    each one ends."""
    outcomes: list[Outcome[T]] = []
    for storyboard in storyboards:
        outcome: Outcome[T] = Outcome(name(storyboard))
        try:
            outcome.result = work(storyboard)
        except Exception as exc:
            outcome.error = reason(exc, f"{doing} {outcome.storyboard}")
        outcomes.append(outcome)
        if report is not None:
            report(outcome)
    return outcomes


def failure(storyboard: str, text: str) -> str:
    """A failure as one storyboard's line: named by the storyboard unless the message starts
    with it already (a storyboard's errors do, FILE:LINE:COL)."""
    return text if text.startswith(storyboard) else f"{storyboard}: {text}"


def failed_summary(total: int, failed: Sequence[str]) -> str | None:
    """`N of M failed: a, b`, or None when none failed."""
    if not failed:
        return None
    return f"{len(failed)} of {total} failed: {', '.join(failed)}"
