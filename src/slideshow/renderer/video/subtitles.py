"""Open subtitles (`style.subtitles`): a transcript's cues drawn on the picture, two lines at
most, at the bottom of the title-safe area, laid out as captions are (right-to-left shaped).

A subtitle is a caption layer of its own, blended onto frames after the picture is made: a
still shot under changing subtitles is a run of still holds split where the cues change, each
made from the same cached plate. A bottom photo caption on a shot that any cue overlaps sits
above the subtitles' band for the whole shot, so it never jumps and never overlaps them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from pathlib import Path

from ...timeline import Timeline
from ..container.cuetext import wrapped
from . import text
from .plates import CaptionLayer, PhotoPlate, PlateSpec, caption_layer

LINES = 2
GAP = 0.012  # of the frame height, between the subtitles' band and a caption above it


@dataclass(frozen=True)
class Subtitle:
    """One subtitle on screen over output frames [start, end)."""

    start: int
    end: int
    spec: PhotoPlate  # a caption alone: the text, its font and the frame size


def subtitle_spec(width: int, height: int, fonts: tuple[Path, Path], line: str) -> PhotoPlate:
    return PhotoPlate(
        width,
        height,
        font=str(fonts[0]),
        bold_font=str(fonts[1]),
        caption=line,
        caption_position="bottom",
        caption_lines=LINES,
    )


def subtitles(timeline: Timeline, fonts: tuple[Path, Path]) -> list[Subtitle]:
    """The subtitles to draw, each cue wrapped as the caption files wrap it (a long cue split
    in time into parts of at most two lines)."""
    look = timeline.look
    return [
        Subtitle(cue.start, cue.end, subtitle_spec(look.width, look.height, fonts, cue.text))
        for cue in wrapped(timeline.subtitles)
        if cue.end > cue.start
    ]


def lift(width: int, height: int, fonts: tuple[Path, Path]) -> int:
    """How much higher a bottom caption sits over subtitles: a two-line band and a gap."""
    spec = subtitle_spec(width, height, fonts, "Ag")
    layout = spec.caption_layout()
    return text.band_height(layout, Path(spec.font), LINES) + round(height * GAP)


def lifted(spec: PlateSpec, shown: tuple[int, int], subs: list[Subtitle], rise: int) -> PlateSpec:
    """The plate spec with its bottom caption above the subtitles when any cue overlaps the
    frames the shot is on screen."""
    if not isinstance(spec, PhotoPlate) or not subs or not spec.caption:
        return spec
    if spec.caption_position != "bottom":
        return spec
    first, last = shown
    if any(s.start < last and s.end > first for s in subs):
        return replace(spec, caption_lift=rise)
    return spec


@functools.lru_cache(maxsize=64)
def layer(spec: PhotoPlate) -> CaptionLayer | None:
    return caption_layer(spec)


def warnings(subs: list[Subtitle]) -> list[str]:
    """Subtitles too long for two lines even at the smallest size (cut on screen)."""
    cut = [s for s in dict.fromkeys(s.spec for s in subs) if s.caption_layout().cut]
    return [
        f"a subtitle is longer than {LINES} lines on screen and was cut: {s.caption!r}" for s in cut
    ]
