"""Pieces: independent stretches of the output video, each starting on a keyframe.

A still hold is one GOP of its plate encoded once and repeated (cut short after any frame:
there are no B-frames). A transition blends two plates frame by frame. Pieces are encoded in
worker processes, kept in the piece cache by content key, and joined by copying packets.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..timeline import Timeline
from .cache import PieceCache
from .encoding import Blender, Encoded, encode_frames, gop_frames, x264_options
from .plates import PlateSpec, render_plate, to_yuv

ENCODER_VERSION = "1"  # bump when the way pieces are encoded changes


@dataclass(frozen=True)
class Piece:
    kind: str  # hold | blend
    start: int
    frames: int
    key: str
    a: PlateSpec
    b: PlateSpec | None = None
    transition: str | None = None  # crossfade | fade, for blends
    encode_frames: int = 0  # frames actually encoded: a GOP for holds, all for blends

    @property
    def cost(self) -> float:
        # Blends cost about twice a still frame: every frame is new to the encoder.
        return self.encode_frames * (2.0 if self.kind == "blend" else 1.0)


def plan_pieces(timeline: Timeline, specs: list[PlateSpec]) -> list[Piece]:
    """Tile [0, timeline.frames) with pieces; specs[i] is the plate of shot i."""
    shots = timeline.shots
    quality, fps = timeline.look.quality, timeline.fps
    gop = gop_frames(fps)
    spans = [
        shot.transition.span(shot.start) if i and shot.transition.frames else None
        for i, shot in enumerate(shots)
    ]
    pieces: list[Piece] = []
    for i, shot in enumerate(shots):
        if spans[i]:
            lo, hi = spans[i]
            key = _key(
                "blend",
                quality,
                fps,
                specs[i - 1].key(),
                specs[i].key(),
                shot.transition.kind,
                hi - lo,
            )
            pieces.append(
                Piece(
                    "blend", lo, hi - lo, key, specs[i - 1], specs[i], shot.transition.kind, hi - lo
                )
            )
        hold_start = spans[i][1] if spans[i] else shot.start
        nxt = spans[i + 1] if i + 1 < len(shots) else None
        hold_end = nxt[0] if nxt else shot.end
        if hold_end > hold_start:
            length = hold_end - hold_start
            encoded = min(length, gop)
            key = _key("hold", quality, fps, specs[i].key(), encoded)
            pieces.append(Piece("hold", hold_start, length, key, specs[i], encode_frames=encoded))
    return pieces


def _key(*parts: object) -> str:
    text = json.dumps([ENCODER_VERSION, *[str(p) for p in parts]])
    return hashlib.sha256(text.encode()).hexdigest()


def expand(piece: Piece, encoded: Encoded) -> list[tuple[bytes, bool]]:
    """The piece's packets in order: a hold repeats its GOP and cuts the last copy short."""
    pairs = list(zip(encoded.packets, encoded.keyframes))
    if piece.kind == "blend":
        return pairs
    whole, rest = divmod(piece.frames, len(pairs))
    return pairs * whole + pairs[:rest]


def _blend_frames(a: np.ndarray, b: np.ndarray, black: np.ndarray, kind: str, frames: int):
    if kind == "fade":
        out, back = Blender(a, black), Blender(black, b)
    else:
        mix = Blender(a, b)
    for k in range(frames):
        progress = Fraction(k + 1, frames + 1)
        if kind == "fade":
            if progress <= Fraction(1, 2):
                yield out(round(256 * progress * 2))
            else:
                yield back(round(256 * (progress * 2 - 1)))
        else:
            yield mix(round(256 * progress))


_BLACK_YUV: dict[tuple[int, int], np.ndarray] = {}


def _black(width: int, height: int) -> np.ndarray:
    if (width, height) not in _BLACK_YUV:
        array = np.empty((height * 3 // 2, width), dtype=np.uint8)
        array[:height] = 16
        array[height:] = 128
        _BLACK_YUV[(width, height)] = array
    return _BLACK_YUV[(width, height)]


# Plates a worker made recently: the next piece of its contiguous run usually needs one again.
_PLATES: OrderedDict[str, np.ndarray] = OrderedDict()


def encode_pieces(pieces: list[Piece], fps: Fraction, quality: str, cache_root) -> list[str]:
    """Encode pieces in order into the cache (a worker's job); returns render warnings.

    Plates are made once and kept while neighbouring pieces still need them.
    """
    cache = PieceCache(cache_root)
    plates = _PLATES
    warnings: list[str] = []

    def plate(spec: PlateSpec) -> np.ndarray:
        key = spec.key()
        if key not in plates:
            image, notes = render_plate(spec)
            warnings.extend(notes)
            plates[key] = to_yuv(image)
            while len(plates) > 3:
                plates.popitem(last=False)
        plates.move_to_end(key)
        return plates[key]

    for piece in pieces:
        width, height = piece.a.width, piece.a.height
        if piece.kind == "hold":
            still = plate(piece.a)
            options = x264_options(quality, "still", fps)
            frames = (still for _ in range(piece.encode_frames))
        else:
            a, b = plate(piece.a), plate(piece.b)
            options = x264_options(quality, "motion", fps)
            frames = _blend_frames(a, b, _black(width, height), piece.transition, piece.frames)
        cache.put(piece.key, encode_frames(frames, width, height, fps, options))
        report()
    return warnings


# Set in worker processes: where each finished piece is announced, for the progress bar.
_PROGRESS = None


def init_worker(queue) -> None:
    global _PROGRESS
    _PROGRESS = queue


def report() -> None:
    if _PROGRESS is not None:
        _PROGRESS.put(1)


def split_work(pieces: list[Piece], workers: int) -> list[list[Piece]]:
    """Contiguous runs of about equal cost: within a run each plate is made once."""
    total = sum(p.cost for p in pieces)
    if workers <= 1 or len(pieces) <= 1:
        return [pieces] if pieces else []
    share = total / workers
    chunks: list[list[Piece]] = [[]]
    spent = 0.0
    for piece in pieces:
        if spent >= share * len(chunks) and len(chunks) < workers:
            chunks.append([])
        chunks[-1].append(piece)
        spent += piece.cost
    return [c for c in chunks if c]
