"""Planning the video: the timeline's shots tiled with pieces (pieces.py), and how each frame
of a transition mixes its two sides.

A still hold is a `Hold` (split where the burned-in subtitles change), a moving shot a
`Moving` per GOP, a transition a `Blend`, or, between two stills, the free runs that
`free_transition` returns: the one rule for when a transition costs no encoding.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction

from typing_extensions import assert_never

from ...schema import TransitionKind
from ...timeline import PhotoShot, Timeline
from ..keys import content_key
from .encoding import gop_frames
from .pieces import (
    MAX_FREE_FRAMES,
    BlackKey,
    Blend,
    FreeRun,
    Hold,
    Moving,
    Piece,
    Subtitles,
    View,
)
from .plates import PlateSpec

# x264 lets the order counts span 8 bits (room for a free run) only with GOPs of 16 frames or
# more: below 8 fps, transitions are encoded.
MIN_FREE_GOP = 16


def _spans(timeline: Timeline) -> list[tuple[int, int] | None]:
    """Each shot's transition in, as output frames (None for a cut)."""
    return [
        shot.transition.span(shot.start) if i and shot.transition.frames else None
        for i, shot in enumerate(timeline.shots)
    ]


def shown(timeline: Timeline) -> list[tuple[int, int]]:
    """The frames during which each shot is on screen, transitions included."""
    shots, spans = timeline.shots, _spans(timeline)
    visible = []
    for i, shot in enumerate(shots):
        span = spans[i]
        first = span[0] if span else shot.start
        nxt = spans[i + 1] if i + 1 < len(shots) else None
        visible.append((first, nxt[1] if nxt else shot.end))
    return visible


def _over(subs, lo: int, hi: int) -> Subtitles:
    """The subtitles over frames [lo, hi), relative to lo."""
    return tuple(
        (max(s.start, lo) - lo, min(s.end, hi) - lo, s.spec)
        for s in subs
        if s.start < hi and s.end > lo
    )


def _cuts(subs, lo: int, hi: int) -> list[int]:
    """Where [lo, hi) must be split so that each part shows the same subtitles throughout."""
    inside = {t for s in subs for t in (s.start, s.end) if lo < t < hi}
    return [lo, *sorted(inside), hi]


def _keys(over: Subtitles) -> list:
    return [[a, b, spec.key()] for a, b, spec in over]


def _key(parts: list, over: Subtitles) -> str:
    return content_key(*parts, _keys(over)) if over else content_key(*parts)


def plan_pieces(
    timeline: Timeline, specs: Sequence[PlateSpec], subs=(), free: bool = False
) -> list[Piece]:
    """Tile [0, timeline.frames) with pieces; specs[i] is the plate of shot i; subs, the
    subtitles to draw (subtitles.Subtitle), split holds where they change. With free, a
    transition between two still holds is made by weighted prediction (`free_transition`)."""
    shots = timeline.shots
    quality, fps = timeline.look.quality, timeline.fps
    gop = gop_frames(fps)
    spans = _spans(timeline)
    visible = shown(timeline)

    def view(i: int, at: int) -> View:
        shot = shots[i]
        if not isinstance(shot, PhotoShot) or shot.motion.kind != "kenburns":
            return View(specs[i])
        first, last = visible[i]
        return View(specs[i], shot.motion, last - first, at - first)

    pieces: list[Piece] = []
    for i, shot in enumerate(shots):
        span = spans[i]
        nxt = spans[i + 1] if i + 1 < len(shots) else None
        if span:
            lo, hi = span
            a, b = view(i - 1, lo), view(i, lo)
            after = (nxt[0] if nxt else shot.end) - hi  # the incoming shot's hold
            kind = shot.transition.kind
            before = pieces[-1] if pieces else None
            runs = None
            if free and not _over(subs, lo, hi):
                runs = free_transition(kind, lo, hi, a, b, before, after, quality, fps)
            if runs is not None:
                pieces += runs
            else:
                over = _over(subs, lo, hi)
                key = _key(["blend", quality, fps, a.key(), b.key(), kind, hi - lo], over)
                pieces.append(Blend(lo, hi - lo, key, a, b, kind, over))
        hold_start = span[1] if span else shot.start
        hold_end = nxt[0] if nxt else shot.end
        if hold_end <= hold_start:
            continue
        still = view(i, hold_start)
        if still.motion is not None:
            # A piece per GOP (x264 would start a GOP there anyway): small pieces spread
            # evenly over the workers.
            for at in range(hold_start, hold_end, gop):
                count = min(gop, hold_end - at)
                chunk = view(i, at)
                over = _over(subs, at, at + count)
                key = _key(["motion", quality, fps, chunk.key(), count], over)
                pieces.append(Moving(at, count, key, chunk, over))
        else:
            # A still hold; under subtitles, a hold for each stretch showing the same ones.
            for lo, hi in itertools.pairwise(_cuts(subs, hold_start, hold_end)):
                made = min(hi - lo, gop)
                over = _over(subs, lo, hi)
                key = _key(["hold", quality, fps, still.key(), made], over)
                pieces.append(Hold(lo, hi - lo, key, still, made, over))
    return seek_points(pieces, gop)


def seek_points(pieces: list[Piece], gop: int) -> list[Piece]:
    """The pieces, each hold's copies of its GOP begun where the stream needs an IDR picture
    to keep one at least every `gop` frames (the points a player can seek to); across a free
    transition of a GOP's length, every GOP and two frames.

    Encoded pieces have one every GOP; a hold, at its start and then every GOP (today's
    layout, kept wherever it serves). A free transition has none: the incoming hold's first
    picture is its keyframe turned into a non-IDR I picture. So the hold after one begins
    another copy as late as the gap since the last IDR allows (its second frame, with a
    transition of a usual length), and a hold before one keeps its last copy late enough that
    the gap across the transition stays within a GOP. Each such copy costs a keyframe's bytes,
    no encoding."""
    placed: list[Piece] = []
    last = 0  # the display frame of the last IDR picture
    for index, piece in enumerate(pieces):
        match piece:
            case Moving() | Blend():
                last = piece.start + (piece.frames - 1) // gop * gop
            case FreeRun() | BlackKey():
                pass  # no IDR: B pictures, and a black key turned into a non-IDR I picture
            case Hold():
                after_free = index > 0 and isinstance(pieces[index - 1], FreeRun)
                starts = _copy_starts(piece, after_free, last, gop, _until_idr(pieces, index))
                if starts != piece.copy_starts():
                    piece = replace(piece, starts=starts)
                idrs = [at for at in starts if at or not after_free]
                if idrs:  # else a one-frame hold after a free transition: the gap goes on
                    last = piece.start + idrs[-1]
            case _:
                assert_never(piece)
        placed.append(piece)
    return placed


def _until_idr(pieces: list[Piece], index: int) -> int:
    """Frames from the end of hold `index` to the first frame after it that can be an IDR
    picture: 0 before an encoded piece or a cut; a free transition's length and one more (the
    incoming keyframe, turned into a non-IDR I picture)."""
    following = 0
    for piece in pieces[index + 1 :]:
        if not isinstance(piece, (FreeRun, BlackKey)):
            return following + (1 if following else 0)
        following += piece.frames
    return 0  # the end of the stream


def _copy_starts(
    hold: Hold, after_free: bool, last: int, gop: int, until_idr: int
) -> tuple[int, ...]:
    """Where the hold's copies begin, from its start: at its start (an IDR picture, unless it
    is a free transition's keyframe), then each as late as keeps IDR pictures at most a GOP
    apart, and one more where what follows the hold would otherwise leave a longer gap. A hold
    with nothing free beside it gets today's layout: every GOP from its start."""
    size = hold.encode_frames
    last_rel = last - hold.start if after_free else 0  # the last IDR, from the hold's start
    starts = [0]
    need = hold.frames + until_idr - gop  # the last IDR in the hold at this frame or later
    at = 0
    while True:
        due = last_rel + gop  # the latest frame the next IDR may be at
        if due >= hold.frames:
            if last_rel >= need or hold.frames - 1 <= max(last_rel, at):
                break
            due = hold.frames - 1
        nxt = max(due, at + 1)
        if nxt - at > size:  # a copy is at most the GOP encoded
            nxt = at + size
        starts.append(nxt)
        at = last_rel = nxt
    return tuple(starts)


def free_transition(
    kind: TransitionKind,
    lo: int,
    hi: int,
    a: View,
    b: View,
    before: Piece | None,
    after: int,
    quality: str,
    fps: Fraction,
) -> list[Piece] | None:
    """Frames [lo, hi) of a transition from a to b as pieces made by weighted prediction, or
    None when it must be encoded. It is free when both sides are still, a hold ends where it
    begins (`before`) and the incoming shot is held after it (`after` frames), it is short
    enough for picture order counts to weigh it, at most a GOP long (so that the IDR pictures
    either side of it, its neighbours' last and first frames at worst, are at most a GOP and
    two frames apart: seek_points), and the GOP leaves x264 room for the counts.

    Each frame's weight is as `mix` says: a crossfade is one run of frames between A's last
    picture and B's first; a fade, a run from A to its black middle picture (a `BlackKey`),
    and one from there to B."""
    n = hi - lo
    longest = MAX_FREE_FRAMES if kind == "crossfade" else 2 * MAX_FREE_FRAMES + 1
    if not (
        a.motion is None
        and b.motion is None
        and 0 < n <= longest
        and after > 0
        and isinstance(before, Hold)
        and before.end == lo
        and gop_frames(fps) >= MIN_FREE_GOP
        and n <= gop_frames(fps)  # an IDR picture either side, a GOP and two frames apart
    ):
        return None

    def run(first: int, last: int) -> list[Piece]:
        """Frames first..last (from 1) of the transition, if any."""
        weights = tuple(Fraction(mix(kind, k, n)[1], 256) for k in range(first, last + 1))
        if not weights:
            return []
        key = content_key("free", [str(w) for w in weights])
        return [FreeRun(lo + first - 1, len(weights), key, weights)]

    if kind == "crossfade":
        return run(1, n)
    middle = black_frame(n)
    width, height = a.plate.width, a.plate.height
    key = content_key("key", quality, fps, "black", width, height)
    black = BlackKey(lo + middle - 1, 1, key, width, height)
    return [*run(1, middle - 1), black, *run(middle + 1, n)]


def black_frame(frames: int) -> int:
    """Which frame (from 1) of a fade is black: the middle one, or of an even number of
    frames, the first of the middle two."""
    return (frames + 1) // 2


def mix(kind: str, k: int, frames: int) -> tuple[str, int]:
    """Frame k (from 1) of a transition: which pair it mixes ("cross": A into B; "out": A into
    black; "in": black into B) and the later one's weight in 256ths. A crossfade moves evenly
    and never shows A or B alone; a fade moves evenly down to black (`black_frame`, weight 256
    "out") and evenly up from it."""
    if kind == "crossfade":
        return "cross", round(Fraction(256 * k, frames + 1))
    middle = black_frame(frames)
    if k <= middle:
        return "out", round(Fraction(256 * k, middle))
    return "in", round(Fraction(256 * (k - middle), frames - middle + 1))
