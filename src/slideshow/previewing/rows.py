"""What a preview lists: one row per shot of the plan, with its times, caption, citation, the
transcript lines it plays over and the warnings that concern it; chapters and recordings as
the headings and waveforms between rows. Shared by the page and the contact sheet."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from ..errors import Problem
from ..timecode import format_time
from ..timeline import CardShot, Cue, PhotoShot, Shot, Timeline, caption_of

# An archive's item number in a caption or a file name: I-495, P-12 (not part of a longer
# number).
CITATION = re.compile(r"(?<![A-Za-z0-9])([A-Z]{1,4}-\d+)(?![0-9])")


@dataclass
class Row:
    shot: Shot
    seconds: tuple[float, float]
    what: str  # the photo's path as written, or the card's kind and title
    citation: str | None
    transition: str  # "crossfade 1 s", "cut"
    motion: str | None
    # transcript lines starting in this shot: (start, end) in seconds, text
    lines: list[tuple[float, float, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    chapter: str | None = None  # a chapter starts with this row
    recording: Recording | None = None  # a recording starts with this row


@dataclass
class Recording:
    """A segment's stretch of a recording, for its waveform: where it plays in the
    compilation (seconds), the file as written, and where the shots change within it."""

    start: float
    end: float
    source: str
    source_start: float
    marks: list[tuple[float, int]]  # (seconds, shot number from 1)


@dataclass
class Plan:
    rows: list[Row]
    transcript: list[Cue]  # transcript cues (photo captions, shown with their photos, left out)
    general: list[str]  # warnings about the storyboard as a whole
    # the line shown on the player's screen: the burned-in subtitles when the storyboard has
    # them (style.subtitles), else the transcript
    screen: list[Cue] = field(default_factory=list)


def clock(seconds: float) -> str:
    """A time as the preview shows it, to tenths: 0:04.0."""
    return format_time(seconds)[:-2]


def citation(shot: Shot) -> str | None:
    if not isinstance(shot, PhotoShot):
        return None
    for text in (shot.caption or "", PurePath(shot.photo).stem):
        found = CITATION.search(text)
        if found:
            return found[1]
    return None


def plan_rows(timeline: Timeline, warnings: list[Problem], shot_warnings: dict[int, list[str]]):
    """The rows of a timeline; warnings placed on the row they concern (by their storyboard
    path), the rest kept for the page's head."""
    fps = timeline.fps
    rows = []
    for shot in timeline.shots:
        t = shot.transition
        transition: str = t.kind
        if t.frames and t.kind != "cut":
            transition += f" {float(t.frames / fps):g} s"
        rows.append(
            Row(
                shot=shot,
                seconds=(float(shot.start / fps), float(shot.end / fps)),
                what=shot.photo if isinstance(shot, PhotoShot) else _card(shot),
                citation=citation(shot),
                transition=transition,
                motion="Ken Burns" if _moving(shot) else None,
                warnings=list(shot_warnings.get(shot.index, [])),
            )
        )
    transcript = _transcript_cues(timeline)
    for cue in transcript:
        row = _row_at(rows, cue.start)
        if row is not None:
            row.lines.append((float(cue.start / fps), float(cue.end / fps), cue.text))
    for chapter in timeline.chapters:
        row = _row_at(rows, chapter.start)
        if row is not None and row.chapter is None:
            row.chapter = chapter.title
    for clip in timeline.audio:
        start, end = clip.start, clip.start + clip.frames
        first = _row_at(rows, start)
        if first is None:
            continue
        marks = [
            (float(r.shot.start / fps), r.shot.index + 1)
            for r in rows
            if start <= r.shot.start < end or r is first
        ]
        first.recording = Recording(
            float(start / fps), float(end / fps), clip.source, float(clip.source_start), marks
        )
    general = []
    for warning in warnings:
        index = _shot_for(timeline, warning.path)
        text = warning.message.removeprefix("warning: ")
        if index is None:
            general.append(str(warning))
        else:
            rows[index].warnings.append(text)
    screen = list(timeline.subtitles) if timeline.look.subtitles else transcript
    return Plan(rows, transcript, general, screen)


def _moving(shot: Shot) -> bool:
    return isinstance(shot, PhotoShot) and shot.motion.kind == "kenburns"


def _card(shot: CardShot) -> str:
    name = {"title": "Title card", "credits": "Credits"}[shot.kind]
    return f"{name}: {shot.title}" if shot.title else name


def _transcript_cues(timeline: Timeline) -> list[Cue]:
    """The timeline's cues less the photo captions (a cue that is the caption of the shot it
    plays over), which the page shows with their photos."""
    result = []
    for cue in timeline.captions:
        shot = _shot_at(timeline.shots, cue.start)
        if shot is not None and caption_of(shot) == cue.text and shot.start == cue.start:
            continue
        result.append(cue)
    return result


def _shot_at(shots, frame: int) -> Shot | None:
    for shot in shots:
        if shot.start <= frame < shot.end:
            return shot
    return None


def _row_at(rows: list[Row], frame: int) -> Row | None:
    for row in rows:
        if row.shot.start <= frame < row.shot.end:
            return row
    return rows[-1] if rows and frame >= rows[-1].shot.end else None


def _shot_for(timeline: Timeline, path: tuple) -> int | None:
    """The shot a storyboard path concerns: a photo, a segment (its first shot), the intro or
    outro card; None for the storyboard as a whole."""
    shots = timeline.shots
    if not path:
        return None
    if path[0] == "intro":
        return 0 if shots and shots[0].kind == "title" and shots[0].segment is None else None
    if path[0] in ("outro", "credits"):
        last = shots[-1] if shots else None
        return last.index if last is not None and last.kind == "credits" else None
    if path[0] != "segments" or len(path) < 2 or not isinstance(path[1], int):
        return None
    members = [s for s in shots if s.segment == path[1]]
    if not members:
        return None
    if len(path) >= 4 and path[2] == "photos" and isinstance(path[3], int):
        photos = [s for s in members if s.kind == "photo"]
        if path[3] < len(photos):
            return photos[path[3]].index
    return members[0].index
