"""Pieces: independent stretches of the output video, each starting on a keyframe.

A still hold is one GOP of its plate, a keyframe followed by skipped frames, repeated (and cut
short after any frame: there are no B-frames). A moving shot (Ken Burns) is encoded frame by
frame; a transition blends two shots frame by frame, moving or not. Pieces are encoded in
worker processes, kept in the piece cache by content key, and joined by copying packets.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np

from ...schema import TransitionKind
from ...timeline import Motion, Timeline
from ..cache import PieceCache
from ..encoded import Encoded
from ..keys import content_key
from .encoding import Blender, gop_frames
from .plates import PlateSpec, bare_plate, caption_layer
from .yuv import flat, frame_planes, planes


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


# a still held, a moving shot, a transition encoded, a transition's frames made by weighted
# prediction, a fade's black middle picture encoded as a keyframe
PieceKind = Literal["hold", "motion", "blend", "free", "key"]

# The longest run of frames made by weighted prediction: they need distinct picture order
# counts within 127 of the picture before them (assemble.py). A crossfade is one such run, a
# fade two (either side of its middle); longer transitions are encoded.
MAX_FREE_FRAMES = 126
# x264 lets the order counts span 8 bits (room for that) only with GOPs of 16 frames or more:
# below 8 fps, transitions are encoded.
MIN_FREE_GOP = 16


@dataclass(frozen=True)
class Piece:
    kind: PieceKind
    start: int
    frames: int
    key: str
    a: View
    b: View | None = None
    transition: TransitionKind | None = None  # for blends
    encode_frames: int = 0  # frames made: a GOP for holds (one picture encoded), all for others
    # Subtitles drawn over the piece: (first frame, end frame) within it, and what to draw.
    subtitles: tuple[tuple[int, int, PlateSpec], ...] = ()
    # Free pieces: each frame's share of the reference picture after it (the rest is the one
    # before).
    weights: tuple[Fraction, ...] = ()

    @property
    def cost(self) -> float:
        # In units of one encoded 1080p transition frame (about 20 ms at `standard`): a hold
        # is its plate (a photo decoded and fitted) and one keyframe, about 10 of them; a key
        # is one keyframe of flat black.
        if self.kind == "key":
            return 1.0
        return 10.0 if self.kind == "hold" else float(self.encode_frames)

    @property
    def encoded(self) -> bool:
        """Whether the piece is encoded (and cached); a free transition is written at mux."""
        return self.kind != "free"

    @property
    def keyed(self) -> bool:
        """Whether the piece is one keyframe and copies of it: a picture that frames made by
        weighted prediction can refer to."""
        return self.kind in ("hold", "key")


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


def _over(subs, lo: int, hi: int) -> tuple[tuple[int, int, PlateSpec], ...]:
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


def _keys(over) -> list:
    return [[a, b, spec.key()] for a, b, spec in over]


def plan_pieces(
    timeline: Timeline, specs: list[PlateSpec], subs=(), free: bool = False
) -> list[Piece]:
    """Tile [0, timeline.frames) with pieces; specs[i] is the plate of shot i; subs, the
    subtitles to draw (subtitles.Subtitle), split holds where they change. With free, a
    transition between two still holds is made by weighted prediction: a crossfade is a
    "free" piece (B pictures made at mux time), a fade two of them either side of its black
    middle picture, encoded ("key")."""
    shots = timeline.shots
    quality, fps = timeline.look.quality, timeline.fps
    gop = gop_frames(fps)
    spans = _spans(timeline)
    visible = shown(timeline)
    free = free and gop >= MIN_FREE_GOP

    def view(i: int, at: int) -> View:
        shot = shots[i]
        if shot.kind != "photo" or shot.motion.kind != "kenburns":
            return View(specs[i])
        first, last = visible[i]
        return View(specs[i], shot.motion, last - first, at - first)

    pieces: list[Piece] = []
    for i, shot in enumerate(shots):
        span = spans[i]
        if span:
            lo, hi = span
            a, b = view(i - 1, lo), view(i, lo)
            nxt = spans[i + 1] if i + 1 < len(shots) else None
            after = (nxt[0] if nxt else shot.end) - hi  # the incoming shot's hold
            kind = shot.transition.kind
            if free and _can_be_free(pieces, a, b, kind, lo, hi, after, subs):
                pieces += _weighed(kind, lo, hi, a, b, quality, fps)
            else:
                parts = ["blend", quality, fps, a.key(), b.key(), shot.transition.kind, hi - lo]
                over = _over(subs, lo, hi)
                key = content_key(*parts, _keys(over)) if over else content_key(*parts)
                pieces.append(
                    Piece("blend", lo, hi - lo, key, a, b, shot.transition.kind, hi - lo, over)
                )
        hold_start = span[1] if span else shot.start
        nxt = spans[i + 1] if i + 1 < len(shots) else None
        hold_end = nxt[0] if nxt else shot.end
        if hold_end <= hold_start:
            continue
        moving = view(i, hold_start)
        if moving.motion is not None:
            # A piece per GOP (x264 would start a GOP there anyway): small pieces spread
            # evenly over the workers.
            for at in range(hold_start, hold_end, gop):
                count = min(gop, hold_end - at)
                chunk = view(i, at)
                over = _over(subs, at, at + count)
                parts = ["motion", quality, fps, chunk.key(), count]
                key = content_key(*parts, _keys(over)) if over else content_key(*parts)
                pieces.append(
                    Piece("motion", at, count, key, chunk, encode_frames=count, subtitles=over)
                )
        else:
            # A still hold; under subtitles, a hold for each stretch showing the same ones.
            cuts = _cuts(subs, hold_start, hold_end)
            for lo, hi in itertools.pairwise(cuts):
                encoded = min(hi - lo, gop)
                over = _over(subs, lo, hi)
                parts = ["hold", quality, fps, moving.key(), encoded]
                key = content_key(*parts, _keys(over)) if over else content_key(*parts)
                pieces.append(
                    Piece("hold", lo, hi - lo, key, moving, encode_frames=encoded, subtitles=over)
                )
    return pieces


def _can_be_free(pieces, a: View, b: View, kind, lo: int, hi: int, after: int, subs) -> bool:
    """A transition between two stills, held before and after it, with no subtitle over it and
    short enough for picture order counts to weigh it."""
    before = pieces[-1] if pieces else None
    longest = MAX_FREE_FRAMES if kind == "crossfade" else 2 * MAX_FREE_FRAMES + 1
    return (
        a.motion is None
        and b.motion is None
        and 0 < hi - lo <= longest
        and after > 0
        and before is not None
        and before.kind == "hold"
        and before.start + before.frames == lo
        and not _over(subs, lo, hi)
    )


def _weighed(kind, lo: int, hi: int, a: View, b: View, quality: str, fps) -> list[Piece]:
    """A transition between stills as pieces made by weighted prediction, each frame's weight
    as `mix` says: a crossfade is one run of frames between A's last picture and B's first; a
    fade, a run from A to its black middle picture (a keyframe, "key"), and one from there to
    B."""
    n = hi - lo

    def run(first: int, last: int) -> list[Piece]:
        """Frames first..last (from 1) of the transition, if any."""
        weights = tuple(Fraction(mix(kind, k, n)[1], 256) for k in range(first, last + 1))
        if not weights:
            return []
        key = content_key("free", [str(w) for w in weights])
        return [Piece("free", lo + first - 1, len(weights), key, a, b, kind, weights=weights)]

    if kind == "crossfade":
        return run(1, n)
    middle = black_frame(n)
    key = content_key("key", quality, fps, "black", a.plate.width, a.plate.height)
    black = Piece("key", lo + middle - 1, 1, key, a, b, kind, 1)
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


def expand(piece: Piece, encoded: Encoded) -> list[tuple[bytes, bool]]:
    """The piece's packets in order: a hold repeats its GOP and cuts the last copy short."""
    pairs = list(zip(encoded.packets, encoded.keyframes))
    if piece.kind != "hold":
        return pairs
    whole, rest = divmod(piece.frames, len(pairs))
    return pairs * whole + pairs[:rest]


_BLACK_YUV: dict[tuple[int, int], np.ndarray] = {}


def _black(width: int, height: int) -> np.ndarray:
    if (width, height) not in _BLACK_YUV:
        _BLACK_YUV[(width, height)] = flat(width, height, (16, 128, 128))
    return _BLACK_YUV[(width, height)]


# What a worker made recently, by key: the next piece of its run usually needs it again.
_SOURCES: OrderedDict[str, object] = OrderedDict()
_SOURCES_LOCK = threading.Lock()  # Dask may run several tasks in one worker process


class _Frames:
    """Frames of a view: a still plate, or a camera over a photo."""

    def __init__(self, view: View, cache: PieceCache | None = None):
        self.view = view
        key = view.source_key()
        with _SOURCES_LOCK:
            self.source = self._source(key, view, cache)

    @staticmethod
    def _source(key: str, view: View, cache: PieceCache | None):
        if key not in _SOURCES:
            if view.motion is None:
                _SOURCES[key] = _plate(view.plate, cache)
            else:
                from .motion import Camera  # only moving shots need it

                _SOURCES[key] = Camera(view.plate, view.motion, view.span, cache)
            while len(_SOURCES) > 4:
                _SOURCES.popitem(last=False)
        _SOURCES.move_to_end(key)
        return _SOURCES[key]

    def __call__(self, k: int) -> np.ndarray:
        """The view's frame k of the piece."""
        if isinstance(self.source, np.ndarray):
            return self.source
        return self.source.frame(self.view.offset + k)

    def video(self, k: int):
        """The view's frame k as the encoder takes it (a moving view's is made in place)."""
        if isinstance(self.source, np.ndarray):
            return self.source
        return self.source.video_frame(self.view.offset + k)

    @property
    def still(self) -> bool:
        return isinstance(self.source, np.ndarray)


def _plate(spec: PlateSpec, cache: PieceCache | None) -> np.ndarray:
    """A still plate as I420: the picture without its caption comes from the cache when
    another piece already made it (a plate shows in a hold and in the transitions on both
    sides, which may be encoded apart, and editing a caption leaves the photo as it was); the
    caption is blended on each time. Its warnings are the job's to give
    (plates.plate_warnings), whether made or not."""
    bare = spec.without_caption()
    key = content_key("plate", bare.key())
    stored = cache.get_blobs(key) if cache is not None else None
    shape = (spec.height * 3 // 2, spec.width)
    if stored is not None and [len(b) for b in stored[1]] == [np.prod(shape)]:
        yuv = np.frombuffer(stored[1][0], dtype=np.uint8).reshape(shape)
    else:
        yuv = bare_plate(bare)
        if cache is not None:
            cache.put_blobs(key, {}, [yuv.tobytes()])
    layer = caption_layer(spec)
    if layer is None:
        return yuv
    captioned = yuv.copy()
    layer.apply(*planes(captioned, spec.width, spec.height))
    return captioned


def _blend_frames(a: _Frames, b: _Frames, black: np.ndarray, kind: str, frames: int):
    """Crossfade a into b, or dip through black; weights never reach 0 or 1 inside. A blend of
    still views is set up once; moving views are loaded into the same buffers every frame."""
    blenders: dict[str, Blender] = {}
    for k in range(frames):
        side, weight = mix(kind, k + 1, frames)
        first = None if side == "in" else a
        second = None if side == "out" else b
        blender = blenders.get(side)
        moving = any(view is not None and not view.still for view in (first, second))
        if blender is None or moving:
            pictures = (first(k) if first else black, second(k) if second else black)
            if blender is None:
                blender = blenders[side] = Blender(*pictures)
            else:
                blender.set(*pictures)
        yield blender(weight)


def keyframe_picture(piece: Piece, cache: PieceCache | None = None) -> np.ndarray:
    """The I420 picture a still hold shows (its plate, captioned, subtitled), or a key (a
    fade's black middle picture)."""
    if piece.kind == "key":
        return _black(piece.a.plate.width, piece.a.plate.height)
    return _subtitled(piece, 0, _Frames(piece.a, cache)(0))


def _subtitled(piece: Piece, k: int, frame):
    """Frame k of the piece with the subtitles shown then drawn on (on a copy)."""
    from .subtitles import layer

    made = (layer(spec) for a, b, spec in piece.subtitles if a <= k < b)
    layers = [x for x in made if x is not None]
    if not layers:
        return frame
    if not isinstance(frame, np.ndarray):  # a frame made for the encoder: drawn on in place
        for each in layers:
            each.apply(*frame_planes(frame))
        return frame
    width, height = piece.a.plate.width, piece.a.plate.height
    drawn = np.array(frame, copy=True)
    for each in layers:
        each.apply(*planes(drawn, width, height))
    return drawn


def piece_frames(piece: Piece, cache: PieceCache | None = None):
    """What the encoder is fed for a moving or blended piece: (the x264 options' kind, an
    iterator of I420 arrays or video frames)."""
    a = _Frames(piece.a, cache)
    if piece.kind == "motion":
        if piece.subtitles:
            return "motion", (_subtitled(piece, k, a(k)) for k in range(piece.frames))
        return "motion", (a.video(k) for k in range(piece.frames))
    assert piece.b is not None and piece.transition is not None, "a blend has two sides"
    b = _Frames(piece.b, cache)
    kind = "blend" if a.still and b.still else "motion"
    black = _black(piece.a.plate.width, piece.a.plate.height)
    frames = _blend_frames(a, b, black, piece.transition, piece.frames)
    if piece.subtitles:
        return kind, (_subtitled(piece, k, f) for k, f in enumerate(frames))
    return kind, frames
