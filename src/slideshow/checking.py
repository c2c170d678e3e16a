"""One check of a storyboard, shared by every command: load it (parse, validate against the
schema, probe its media), then plan it, collecting every problem and warning on the way.

Each command checks a storyboard once and works from what the check found: `validate` reports
it, `plan` prints the timeline, `render` and `publish` render it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import Problem, StoryboardError
from .loader import LoadedStoryboard, load
from .planner import planned
from .timeline import Timeline


@dataclass(frozen=True)
class Checked:
    """What checking one storyboard found. With no problems, `loaded` and `timeline` are set."""

    path: Path
    loaded: LoadedStoryboard | None
    timeline: Timeline | None
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def valid(self) -> tuple[LoadedStoryboard, Timeline]:
        """The loaded storyboard and its timeline; raises StoryboardError listing the problems."""
        if self.problems or self.loaded is None or self.timeline is None:
            raise StoryboardError(list(self.problems))
        return self.loaded, self.timeline


def check(storyboard: str | Path | LoadedStoryboard | Checked) -> Checked:
    """Check a storyboard file (or plan one already loaded); never raises for its mistakes."""
    if isinstance(storyboard, Checked):
        return storyboard
    if isinstance(storyboard, LoadedStoryboard):
        loaded = storyboard
    else:
        try:
            loaded = load(storyboard)
        except StoryboardError as exc:
            return Checked(Path(storyboard), None, None, tuple(exc.problems))
    timeline, problems, warnings = planned(loaded)
    warnings = [*loaded.warnings, *warnings]
    if problems:
        return Checked(loaded.path, loaded, None, tuple(sorted(problems)), tuple(warnings))
    return Checked(loaded.path, loaded, timeline, (), tuple(warnings))
