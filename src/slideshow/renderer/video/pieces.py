"""Pieces: the stretches of the output video, one frozen class per kind.

Encoded pieces (`Hold`, `Moving`, `Blend`, `BlackKey`) each start on a keyframe, are encoded
in worker processes and kept in the piece cache by content key; the video is joined from
their packets without re-encoding (assemble.py). A `FreeRun` is never encoded: it is a
transition between two still pictures written at mux time as B pictures made by weighted
prediction, so it must lie between two keyframed pieces (`Hold` or `BlackKey`). Which
transitions may be free is decided in one place: `planning.free_transition`.

Functions over pieces dispatch with an exhaustive `match` ending in `assert_never`, so the
type checker names any that forgets a kind.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction

from typing_extensions import assert_never

from ...schema import TransitionKind
from ...timeline import Motion
from ..encoded import Encoded
from .plates import PlateSpec

# The longest run of frames made by weighted prediction: their picture order counts lie within
# 127 of the picture before them, two apart (assemble.order_counts: OpenH264 misorders
# pictures one apart), and 61 keeps every weight within 1/128 of the planned one (62 would
# not). A crossfade is one such run, a fade two (either side of its middle); longer
# transitions are encoded.
MAX_FREE_FRAMES = 61


@dataclass(frozen=True)
class View:
    """What one side of a piece shows: a shot's plate, still or moving.

    For a moving shot, `span` is the number of frames the shot is visible (transitions
    included: the move runs through them) and `offset` the piece's first frame within it.
    """

    plate: PlateSpec
    motion: Motion | None = None
    span: int = 0
    offset: int = 0

    def source_key(self) -> str:
        """Names what the view is made from: a plate, or a camera move over a photo."""
        if self.motion is None:
            return self.plate.key()
        m = self.motion
        return json.dumps([self.plate.key(), m.kind, m.start, m.end, self.span])

    def key(self) -> str:
        return self.source_key() if self.motion is None else f"{self.source_key()}@{self.offset}"


# Subtitles drawn over a piece: (first frame, end frame) within it, and what to draw.
Subtitles = tuple[tuple[int, int, PlateSpec], ...]


@dataclass(frozen=True)
class _Piece:
    """Frames start..start + frames - 1 of the output, named in the cache by key."""

    start: int
    frames: int
    key: str

    @property
    def end(self) -> int:
        return self.start + self.frames


@dataclass(frozen=True)
class Hold(_Piece):
    """A still shown for a while: one GOP of its plate (a keyframe, then skipped frames)
    encoded once, repeated, and cut short after any frame."""

    view: View
    encode_frames: int  # the GOP encoded: at most a GOP's worth of frames
    subtitles: Subtitles = ()
    # Where each copy of the GOP begins (an IDR picture: a point to seek to), from the hold's
    # start; none said: every encode_frames frames (planning.seek_points sets them).
    starts: tuple[int, ...] = ()

    def copy_starts(self) -> tuple[int, ...]:
        return self.starts or tuple(range(0, self.frames, self.encode_frames))


@dataclass(frozen=True)
class Moving(_Piece):
    """At most a GOP of a moving shot (Ken Burns), encoded frame by frame."""

    view: View
    subtitles: Subtitles = ()


@dataclass(frozen=True)
class Blend(_Piece):
    """A transition encoded frame by frame: A crossfaded into B, or dipped through black."""

    a: View
    b: View
    transition: TransitionKind
    subtitles: Subtitles = ()


@dataclass(frozen=True)
class FreeRun(_Piece):
    """A run of a transition's frames between two still pictures, written at mux time as B
    pictures: each frame's share of the picture after it (the rest is the one before)."""

    weights: tuple[Fraction, ...]

    def __post_init__(self) -> None:
        if not 0 < len(self.weights) == self.frames <= MAX_FREE_FRAMES:
            raise ValueError(f"a free run of {self.frames} frames cannot be weighed")


@dataclass(frozen=True)
class BlackKey(_Piece):
    """A fade's black middle picture, encoded as a keyframe: the reference of the free runs
    on either side of it."""

    width: int
    height: int


Piece = Hold | Moving | Blend | FreeRun | BlackKey
Keyed = Hold | BlackKey  # a keyframe and copies of it: what a free run can refer to


def cost(piece: Piece) -> float:
    """The work of encoding a piece, in units of one encoded 1080p transition frame (about 20
    ms at `standard`): a hold is its plate (a photo decoded and fitted) and one keyframe, about
    10 of them; a black key one keyframe of flat black; a free run nothing."""
    match piece:
        case Hold():
            return 10.0
        case BlackKey():
            return 1.0
        case Moving() | Blend():
            return float(piece.frames)
        case FreeRun():
            return 0.0
        case _:
            assert_never(piece)


def is_encoded(piece: Piece) -> bool:
    """Whether the piece is encoded (and cached); a free run is written at mux."""
    return not isinstance(piece, FreeRun)


def size(piece: Piece) -> tuple[int, int]:
    """The picture size of an encoded piece."""
    match piece:
        case Hold() | Moving():
            return piece.view.plate.width, piece.view.plate.height
        case Blend():
            return piece.a.plate.width, piece.a.plate.height
        case BlackKey():
            return piece.width, piece.height
        case FreeRun():
            raise ValueError("a free run is not encoded")
        case _:
            assert_never(piece)


def expand(piece: Piece, made: Encoded) -> list[tuple[bytes, bool, int]]:
    """The piece's packets in order, each with its place in its GOP: a hold repeats its GOP
    from each of its copy starts, each copy cut short where the next begins."""
    if not isinstance(piece, Hold):
        return [(data, key, k) for k, (data, key) in enumerate(zip(made.packets, made.keyframes))]
    starts = piece.copy_starts()
    ends = [*starts[1:], piece.frames]
    if starts[0] != 0 or any(b - a > len(made.packets) for a, b in zip(starts, ends)):
        raise ValueError("a hold's copies must start at 0 and be at most its GOP long")
    return [
        (made.packets[k], made.keyframes[k], k)
        for start, end in zip(starts, ends)
        for k in range(end - start)
    ]
