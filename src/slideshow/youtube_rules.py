"""YouTube's rules for what a compilation sends it, in one home: the storyboard's checks, the
planner's warnings and the publisher's description all read them from here.

Each check returns a message for the archivist, or None when the rule holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

MAX_TITLE_CHARS = 100
MAX_DESCRIPTION_BYTES = 5000
MAX_TAGS_CHARS = 500
# A description's timestamps become chapters only when there are at least three, the first
# at 0:00, and each lasts at least ten seconds; otherwise YouTube ignores all of them.
MIN_CHAPTERS = 3
MIN_CHAPTER_SECONDS = 10


def angle_brackets(value: str, what: str) -> str | None:
    if "<" in value or ">" in value:
        return f"YouTube does not accept '<' or '>' in a {what}"
    return None


def title_problem(title: str) -> str | None:
    problem = angle_brackets(title, "title")
    if problem is None and len(title) > MAX_TITLE_CHARS:
        problem = f"a YouTube title has at most {MAX_TITLE_CHARS} characters, this has {len(title)}"
    return problem


def tags_problem(tags: Sequence[str]) -> str | None:
    for tag in tags:
        problem = angle_brackets(tag, "tag")
        if problem:
            return problem
    # YouTube counts a tag with a space as if it were quoted, and a comma between tags.
    total = sum(len(t) + (2 if " " in t else 0) for t in tags) + max(len(tags) - 1, 0)
    if total > MAX_TAGS_CHARS:
        return f"YouTube allows {MAX_TAGS_CHARS} characters of tags, these count {total}"
    return None


def description_problems(description: str, what: str = "this one") -> list[str]:
    problems = [angle_brackets(description, "description")]
    size = len(description.encode("utf-8"))
    if size > MAX_DESCRIPTION_BYTES:
        problems.append(
            f"YouTube accepts descriptions of at most {MAX_DESCRIPTION_BYTES} bytes; "
            f"{what} has {size}"
        )
    return [p for p in problems if p]


def chapter_too_short(start: int, end: int, fps: Fraction) -> bool:
    return end - start < MIN_CHAPTER_SECONDS * fps


def chapters_shown(spans: Sequence[tuple[int, int]], fps: Fraction) -> bool:
    """Whether YouTube shows chapters whose (start, end) frames these are."""
    if len(spans) < MIN_CHAPTERS or spans[0][0] != 0:
        return False
    return not any(chapter_too_short(start, end, fps) for start, end in spans)

# Captions: the reading limits the contract sets for every caption file.
MAX_CUE_CPS = 20  # characters a second, spaces counted, line breaks not
MIN_CUE_SECONDS = 1
MAX_LINE = 42  # characters a line
MAX_LINES = 2  # lines a cue
