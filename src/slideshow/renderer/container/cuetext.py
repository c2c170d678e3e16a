"""Caption text as caption files carry it: at most 42 characters a line and two lines a cue
where the words allow. A cue too long for two lines becomes several cues in a row, its time
shared by their lengths; words are never changed or broken (a word longer than a line keeps
a line of its own)."""

from __future__ import annotations

from collections.abc import Iterator

from ...timeline import Cue
from ...youtube_rules import MAX_LINE, MAX_LINES


def lines_of(text: str) -> list[str]:
    """The words of text in lines of at most MAX_LINE characters, filled greedily."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= MAX_LINE:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def balanced(words: list[str]) -> str:
    """One or two lines (joined by a line break) as even as the words allow."""
    one = " ".join(words)
    if len(one) <= MAX_LINE or len(words) < 2:
        return one
    best = None
    for cut in range(1, len(words)):
        first, second = " ".join(words[:cut]), " ".join(words[cut:])
        longest = max(len(first), len(second))
        if best is None or longest < best[0]:
            best = (longest, f"{first}\n{second}")
    assert best is not None
    return best[1]


def chunks(text: str) -> list[str]:
    """The text as one or more cue texts of at most MAX_LINES balanced lines each."""
    lines = lines_of(text)
    if not lines:
        return []
    groups = [lines[i : i + MAX_LINES] for i in range(0, len(lines), MAX_LINES)]
    return [balanced(" ".join(group).split()) for group in groups]


def wrapped(cues: tuple[Cue, ...] | list[Cue]) -> Iterator[Cue]:
    """The cues wrapped, a long one split in time (on frames) by its parts' lengths."""
    for cue in cues:
        parts = chunks(cue.text)
        if len(parts) <= 1:
            yield Cue(cue.start, cue.end, parts[0] if parts else cue.text, cue.italic)
            continue
        frames = cue.end - cue.start
        if frames < len(parts):  # too short to split: one cue, lines as they fall
            yield Cue(cue.start, cue.end, "\n".join(lines_of(cue.text)), cue.italic)
            continue
        weights = [len(p.replace("\n", " ")) for p in parts]
        total, done, at = sum(weights), 0, cue.start
        for index, (part, weight) in enumerate(zip(parts, weights)):
            done += weight
            end = cue.end if index == len(parts) - 1 else cue.start + round(frames * done / total)
            end = max(end, at + 1)
            end = min(end, cue.end - (len(parts) - 1 - index))
            yield Cue(at, end, part, cue.italic)
            at = end
