"""The video stream in decode order, with each frame's display time: the cached pieces' packets
as they are, except around a transition made by weighted prediction ("free" pieces).

Such a run of N frames between two keyframed pieces A and B (holds; for a fade, which is two
runs, A to the fade's black middle keyframe and that to B) is written as: B's first keyframe,
turned from an IDR picture into a non-IDR I picture (an IDR would flush A from the decoder's
memory), then N copies of x264's all-skip B slice, renumbered. Each B picture predicts from
A's last frame and B's keyframe with implicit weights, which the decoder derives from the
pictures' order counts: A's last frame at P, B's keyframe at P + 127, the B pictures between,
each placed so its weight w (the mix (64 - w) / 64 A + w / 64 B) is the planned weight to the
nearest 64th (order_counts). B's keyframe is decoded first and shown last: the only
reordering in the stream, one frame deep. The rest of B's first GOP is renumbered to follow
its keyframe.

Timestamps: a frame's decode time is its place in decode order less one, its display time its
place in the timeline, so no frame shows before it is decoded and the first shows at 0.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from ...errors import RenderError
from ...timeline import Timeline
from ..cache import Missing, PieceCache
from ..encoded import Encoded
from .encoding import blend_slice
from .h264 import (
    NAL_IDR_SLICE,
    NAL_NON_IDR_SLICE,
    as_reference_i,
    idr_pic_id,
    implicit_weight,
    nal_units,
    parse_pps,
    parse_sps,
    renumbered,
    with_idr_pic_id,
)
from .pieces import MAX_FREE_FRAMES, FreeRun, Keyed, Piece, expand, is_encoded

START = b"\x00\x00\x00\x01"


@dataclass(frozen=True)
class Frame:
    data: bytes
    keyframe: bool
    pts: int  # display position (frames)
    dts: int  # decode position less one (frames)


def video_frames(
    pieces: list[Piece], cache: PieceCache, timeline: Timeline
) -> tuple[Iterator[Frame], bytes]:
    """The frames in decode order, and the H.264 headers they share."""
    encoded_pieces = [p for p in pieces if is_encoded(p)]
    first = cache.open(encoded_pieces[0].key) if encoded_pieces else None
    if first is None:
        raise Missing("a piece vanished from the cache while rendering; render again")
    extradata = first.extradata
    return _distinct_idrs(_frames(pieces, cache, timeline, extradata), extradata), extradata


def _distinct_idrs(frames: Iterator[Frame], extradata: bytes) -> Iterator[Frame]:
    """The frames, each IDR picture that directly follows another given the other idr_pic_id
    (7.4.3): every piece's keyframe has 0, and a hold one frame past a whole number of GOPs
    ends on a lone copy of its keyframe, just before the next piece's (JM stops there)."""
    sequence, pictures = parse_sps(extradata), parse_pps(extradata)
    before: bytes | None = None  # the picture before, if it was an IDR picture: its slice
    for frame in frames:
        if not frame.keyframe:
            before = None
            yield frame
            continue
        unit = next(u for u in nal_units(frame.data) if u[0] & 0x1F == NAL_IDR_SLICE)
        # Only two IDR pictures in a row are read: rare, and each a keyframe's size.
        if before is not None:
            current = idr_pic_id(unit, sequence, pictures)
            if current == idr_pic_id(before, sequence, pictures):
                current = 1 - current if current in (0, 1) else 0
                data = _rewrite(
                    frame.data, NAL_IDR_SLICE, with_idr_pic_id, sequence, pictures, current
                )
                frame = Frame(data, True, frame.pts, frame.dts)
                unit = next(u for u in nal_units(data) if u[0] & 0x1F == NAL_IDR_SLICE)
        before = unit
        yield frame


def _get(piece: Piece, cache: PieceCache, extradata: bytes) -> Encoded:
    encoded = cache.get(piece.key)
    if encoded is None:
        raise Missing("a piece vanished from the cache while rendering; render again")
    if encoded.extradata != extradata:
        raise RenderError("internal error: pieces were encoded with different headers")
    return encoded


def _frames(pieces: list[Piece], cache: PieceCache, timeline: Timeline, extradata: bytes):
    sequence = parse_sps(extradata)
    pictures = None
    max_frame_num = 1 << sequence.log2_max_frame_num
    max_poc = 1 << max(sequence.log2_max_poc_lsb, 1)
    decoded = 0  # frames written so far
    last = (0, 0)  # frame_num and order count of the last reference picture written
    follow: tuple[int, int] | None = None  # a hold whose keyframe went ahead: its numbering
    ahead: Encoded | None = None
    for index, piece in enumerate(pieces):
        if isinstance(piece, FreeRun):
            after = pieces[index + 1] if index + 1 < len(pieces) else None
            # The planner puts a free run before a keyed piece only (planning.free_transition).
            assert isinstance(after, Keyed), "a free run is followed by a keyframe"
            if sequence.poc_type != 0 or sequence.log2_max_poc_lsb < 8:
                raise RenderError("internal error: no room in the order counts for a transition")
            if pictures is None:
                pictures = parse_pps(extradata)
            ahead = _get(after, cache, extradata)
            frames = piece.frames
            key_num = (last[0] + 1) % max_frame_num
            key_poc = last[1] + SPAN
            converted = _rewrite(
                ahead.packets[0],
                NAL_IDR_SLICE,
                as_reference_i,
                sequence,
                pictures,
                key_num,
                key_poc % max_poc,
            )
            yield Frame(converted, False, piece.start + frames, decoded - 1)
            decoded += 1
            look = timeline.look
            b_slice = blend_slice(look.width, look.height, timeline.fps, look.quality)
            for k, offset in enumerate(order_counts(piece.weights), start=1):
                unit = renumbered(
                    b_slice, sequence, (key_num + 1) % max_frame_num, (last[1] + offset) % max_poc
                )
                yield Frame(START + unit, False, piece.start + k - 1, decoded - 1)
                decoded += 1
            follow = last = (key_num, key_poc)  # the keyframe: the last reference written
            continue
        encoded = ahead if follow is not None and ahead is not None else None
        encoded = encoded or _get(piece, cache, extradata)
        ahead = None
        first_copy = True  # frames of the hold's first copy, until the next begins
        for j, (data, keyframe, place) in enumerate(expand(piece, encoded)):
            first_copy = first_copy and (j == 0 or place != 0)
            if follow is not None and first_copy:
                if j == 0:
                    continue  # written before the transition
                num = (follow[0] + place) % max_frame_num
                poc = follow[1] + 2 * place
                data = _rewrite(data, NAL_NON_IDR_SLICE, renumbered, sequence, num, poc % max_poc)
                last = (num, poc)
            else:
                last = (place % max_frame_num, 2 * place)
            yield Frame(data, keyframe, piece.start + j, decoded - 1)
            decoded += 1
        follow = None
        if not isinstance(piece, Keyed):
            last = (0, 0)  # nothing follows an encoded piece without a keyframe of its own


# The incoming keyframe's picture order count, past the outgoing picture's: the spec clips
# distances at 128 (and decoders need the step under half of 2^log2_max_poc_lsb: x264 writes 8
# bits with these settings), and the widest span gives the finest choice of weights.
SPAN = 127


# Order counts of neighbouring pictures at least this far apart: x264 counts two a frame, and
# OpenH264 2.3 outputs B pictures in the wrong order (neighbours swapped) where they are one
# apart. Measured: runs of 20 and 40 frames one apart are misordered, 60 frames two apart are
# not. So a run holds at most 62 frames (pieces.MAX_FREE_FRAMES: 61, for the weights' sake).
STEP = 2


@functools.lru_cache(maxsize=256)
def order_counts(weights: tuple[Fraction, ...]) -> tuple[int, ...]:
    """Where each of a run of frames sits between its two reference pictures (order counts
    past the earlier one, increasing), given each frame's share of the later picture
    (increasing): each place chosen so the implicit weight, in 64ths, is the one nearest that
    share, every place at least STEP from its neighbours and from the pictures either side (at
    0 and SPAN): no two pictures share an order count (JM stops at that; others misorder).
    Today's curve on a grid of 1/64: at most 1/128 off, under 2 levels on a full-range edge."""
    frames = len(weights)
    if not 0 < frames <= MAX_FREE_FRAMES:
        raise RenderError("internal error: a free transition of that length cannot be weighed")
    chosen: list[int] = []
    previous = 0
    for k, weight in enumerate(weights, start=1):
        target = 64 * weight
        room = SPAN - STEP * (frames - k + 1)  # leave a place for each frame after this one
        best = min(
            range(previous + STEP, room + 1),
            key=lambda at: (abs(implicit_weight(at, 0, SPAN) - target), at),
        )
        chosen.append(best)
        previous = best
    return tuple(chosen)


def _rewrite(packet: bytes, nal_type: int, rewrite, *args) -> bytes:
    """The packet with rewrite(unit, *args) in place of each NAL unit of the type (SEI and the
    like kept as they are)."""
    units = nal_units(packet)
    return b"".join(START + (rewrite(u, *args) if u[0] & 0x1F == nal_type else u) for u in units)
