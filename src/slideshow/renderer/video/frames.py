"""Making the frames of encoded pieces: a still's plate, a camera's frames over a photo, the
blended frames of a transition, with burned-in subtitles drawn on.

What a worker made recently is kept in one `Sources` per process (`SOURCES`): the next piece
of its run usually shows the same plate (a hold and the transitions beside it), and Dask may
run several tasks in one worker process, so it is locked. It lives as long as the process
and holds at most `Sources.LIMIT` plates or cameras, and one black frame per size.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from typing_extensions import assert_never

from ..cache import PieceCache
from ..encoded import Encoded
from ..keys import content_key
from .encoding import Blender, encode_frames, encode_still, x264_options
from .pieces import BlackKey, Blend, FreeRun, Hold, Moving, Piece, View, size
from .planning import mix
from .plates import PhotoPlate, PlateSpec, bare_plate, caption_layer
from .yuv import flat, frame_planes, planes


class Sources:
    """The plates and cameras a process made last, by key, and flat black frames by size."""

    LIMIT = 4

    def __init__(self) -> None:
        self._made: OrderedDict[str, object] = OrderedDict()
        self._black: dict[tuple[int, int], np.ndarray] = {}
        self._lock = threading.Lock()

    def source(self, view: View, cache: PieceCache | None):
        """A still view's plate (I420), or a moving view's camera."""
        key = view.source_key()
        with self._lock:
            if key not in self._made:
                if view.motion is None:
                    self._made[key] = _plate(view.plate, cache)
                else:
                    from .motion import Camera  # only moving shots need it

                    assert isinstance(view.plate, PhotoPlate), "only photos move"
                    self._made[key] = Camera(view.plate, view.motion, view.span, cache)
                while len(self._made) > self.LIMIT:
                    self._made.popitem(last=False)
            self._made.move_to_end(key)
            return self._made[key]

    def clear(self) -> None:
        """Forget what was made (a test that changes a photo under the same digest)."""
        with self._lock:
            self._made.clear()

    def black(self, width: int, height: int) -> np.ndarray:
        with self._lock:
            if (width, height) not in self._black:
                self._black[(width, height)] = flat(width, height, (16, 128, 128))
            return self._black[(width, height)]


SOURCES = Sources()  # this process's


class _Frames:
    """Frames of a view: a still plate, or a camera over a photo."""

    def __init__(self, view: View, cache: PieceCache | None, sources: Sources):
        self.view = view
        self.source = sources.source(view, cache)

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


def keyframe_picture(
    piece: Hold | BlackKey, cache: PieceCache | None = None, sources: Sources = SOURCES
) -> np.ndarray:
    """The I420 picture a still hold shows (its plate, captioned, subtitled), or a fade's
    black middle picture."""
    if isinstance(piece, BlackKey):
        return sources.black(piece.width, piece.height)
    return _subtitled(piece, 0, _Frames(piece.view, cache, sources)(0))


def _subtitled(piece: Hold | Moving | Blend, k: int, frame):
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
    width, height = size(piece)
    drawn = np.array(frame, copy=True)
    for each in layers:
        each.apply(*planes(drawn, width, height))
    return drawn


def piece_frames(
    piece: Moving | Blend, cache: PieceCache | None = None, sources: Sources = SOURCES
):
    """What the encoder is fed for a moving or blended piece: (the x264 options' kind, an
    iterator of I420 arrays or video frames)."""
    if isinstance(piece, Moving):
        a = _Frames(piece.view, cache, sources)
        if piece.subtitles:
            return "motion", (_subtitled(piece, k, a(k)) for k in range(piece.frames))
        return "motion", (a.video(k) for k in range(piece.frames))
    a, b = _Frames(piece.a, cache, sources), _Frames(piece.b, cache, sources)
    kind = "blend" if a.still and b.still else "motion"
    black = sources.black(*size(piece))
    frames = _blend_frames(a, b, black, piece.transition, piece.frames)
    if piece.subtitles:
        return kind, (_subtitled(piece, k, f) for k, f in enumerate(frames))
    return kind, frames


def encode_piece(
    piece: Piece, fps, quality: str, cache: PieceCache | None, sources: Sources = SOURCES
) -> Encoded:
    """Encode one piece: a keyframe repeated (holds, black keys), or every frame made."""
    match piece:
        case Hold():
            picture = keyframe_picture(piece, cache, sources)
            return encode_still(picture, piece.encode_frames, fps, quality)
        case BlackKey():
            return encode_still(keyframe_picture(piece, cache, sources), 1, fps, quality)
        case Moving() | Blend():
            kind, frames = piece_frames(piece, cache, sources)
            width, height = size(piece)
            return encode_frames(frames, width, height, fps, x264_options(quality, kind, fps))
        case FreeRun():
            raise ValueError("a free run is written at mux time, never encoded")
        case _:
            assert_never(piece)
