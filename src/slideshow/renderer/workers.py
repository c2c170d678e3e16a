"""The work a render hands out: encoding runs of pieces and the soundtrack, in worker
processes (or on a Dask cluster), each result going into the piece cache or sent back.

A run is a contiguous stretch of pieces of about equal cost, so each worker makes a plate
once for the hold and the transitions beside it.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from fractions import Fraction

from ..errors import MediaError
from ..media import Stamp, changed_since
from ..timeline import Timeline
from .audio.soundtrack import encode_audio, soundtrack
from .cache import PieceCache
from .encoded import Encoded
from .video.frames import encode_piece
from .video.pieces import Piece, cost


def encode_soundtrack(
    timeline: Timeline,
    key: str,
    cache_root=None,
    threads: int = 1,
    stamps: dict[str, Stamp] | None = None,
) -> list[tuple[str, Encoded | None]]:
    """Build, normalise and encode the soundtrack (a worker's job, its AAC on up to `threads`
    threads). With cache_root it streams straight into the cache; a remote worker sends the
    packets back instead. With stamps (of the recordings, when they were digested), a
    recording changed since fails the work and nothing is kept (`unchanged`)."""
    quality = timeline.look.quality
    if cache_root is None:
        made = encode_audio(soundtrack(timeline), quality, threads=threads)
        unchanged(stamps)
        return [(key, made)]
    with PieceCache(cache_root).writer(key) as writer:
        encode_audio(soundtrack(timeline), quality, writer, threads)
        unchanged(stamps)  # before the piece is named: a failure leaves nothing cached
    return [(key, None)]


def unchanged(stamps: dict[str, Stamp] | None) -> None:
    """Raise MediaError for a recording that changed after it was digested."""
    changed = changed_since(stamps or {})
    if changed:
        raise MediaError(
            f"recording {changed[0]!r} changed while rendering; render again once it is saved"
        )


def encode_pieces(
    pieces: list[Piece], fps: Fraction, quality: str, tag: object = None, cache_root=None
) -> list[tuple[str, Encoded | None]]:
    """Encode a run of pieces in order (a worker's job): [(key, encoded)]. Warnings are the
    job's to give (it knows them from the layout), so workers send none.

    With cache_root (workers on this machine), each piece goes into the cache as soon as it
    is done, so an interrupted render resumes from it, and None is returned in its place.
    """
    cache = PieceCache(cache_root) if cache_root is not None else None
    results: list[tuple[str, Encoded | None]] = []
    for piece in pieces:
        encoded = encode_piece(piece, fps, quality, cache)
        if cache is not None:
            cache.put(piece.key, encoded)
        results.append((piece.key, None if cache is not None else encoded))
        report(tag)
    return results


# Set in worker processes: where each finished piece is announced, for the progress bar.
_PROGRESS = None


def init_worker(queue=None) -> None:
    """Set up a worker process: where it announces finished pieces, and that it ends with the
    process that started it (killed, even by kill -9, it leaves no worker behind holding
    memory and the caller's pipes)."""
    global _PROGRESS
    _PROGRESS = queue
    die_with_parent()


def die_with_parent() -> None:
    """On Linux, ask the kernel to end this process when its parent ends (PR_SET_PDEATHSIG);
    SIGTERM ends it as by default (the parent's handler, inherited by fork, would not)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if sys.platform != "linux":
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG


def report(tag: object) -> None:
    if _PROGRESS is not None:
        _PROGRESS.put(tag)


# A run should hold at least about one encoded transition's worth of work (each run boundary
# may make a plate twice), or three stills' (free transitions share no plates): small enough
# that the last runs even out the workers (the 3-minute benchmark's 30 stills: 8 runs of 4
# instead of 5 of 6, the last one ending 1.5 s after the other worker went idle).
RUN_COST = 30.0


def split_work(pieces: list[Piece], workers: int, most: int | None = None) -> list[list[Piece]]:
    """Contiguous runs of about equal cost, at least one per worker and at most `most`
    (default: one per worker); within a run each plate is made once."""
    total = sum(cost(p) for p in pieces)
    if workers <= 1 or len(pieces) <= 1:
        return [pieces] if pieces else []
    runs = max(workers, min(most or workers, int(total // RUN_COST)))
    share = total / runs
    chunks: list[list[Piece]] = [[]]
    spent = 0.0
    for piece in pieces:
        if spent >= share * len(chunks) and len(chunks) < runs:
            chunks.append([])
        chunks[-1].append(piece)
        spent += cost(piece)
    return [c for c in chunks if c]
