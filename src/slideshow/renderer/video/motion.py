"""Ken Burns moves: a camera gliding over a photo, sampled at sub-pixel positions.

OpenCV does the per-frame resampling: it is about three times faster than Pillow here, and a
moving shot's frames are the one place where the renderer, not the encoder, sets the pace.

The world is what the camera can see: for `cover` the photo itself, for `contain` the photo on
its background, extended to the frame's aspect. It is decoded once, reduced with an area filter
to about the size the tightest framing needs (so fine detail does not shimmer), and kept as
YUV planes. Each frame is one resample of the framing rectangle, whose corners are real
numbers: a slow pan moves by fractions of a pixel, never in whole-pixel steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image

from ...errors import MediaError
from ...media import probe_image
from ...timeline import Motion
from ..keys import content_key
from .decoding import load_photo
from .plates import PhotoPlate, background_for, caption_layer, to_yuv
from .yuv import frame_planes, planes

DEFAULT_ZOOM = 1.12  # the default move zooms in by 12% (the contract allows at most 15%)
MIP_STEP = 1.5  # at most this many world pixels per output pixel before the next mip level
WORLD_VERSION = "1"  # bump when the way a world is made changes

Box = tuple[float, float, float, float]  # left, top, right, bottom in world pixels


def ease(t: float) -> float:
    """Slow in, slow out: a half cosine."""
    return (1 - math.cos(math.pi * min(max(t, 0.0), 1.0))) / 2


def fit_aspect(rect: Box, aspect: float, bounds: Box) -> Box:
    """Grow rect around its centre to the frame's aspect, then slide it inside bounds if it fits."""
    left, top, right, bottom = rect
    width, height = right - left, bottom - top
    if width / height < aspect:
        width = height * aspect
    else:
        height = width / aspect
    cx, cy = (left + right) / 2, (top + bottom) / 2
    left, top = cx - width / 2, cy - height / 2
    bl, bt, br, bb = bounds
    if width <= br - bl:
        left = min(max(left, bl), br - width)
    if height <= bb - bt:
        top = min(max(top, bt), bb - height)
    return (left, top, left + width, top + height)


@dataclass(frozen=True)
class Framing:
    """Where the camera starts and ends, in photo pixels, resolved for one photo and frame."""

    start: Box
    end: Box


def framing(motion: Motion, photo_size: tuple[int, int], frame: tuple[int, int], fit: str):
    """Start and end boxes in photo pixels (they may reach past the photo for `contain`)."""
    pw, ph = photo_size
    aspect = frame[0] / frame[1]
    photo = (0.0, 0.0, float(pw), float(ph))
    if fit == "cover":
        # cover: the widest view is the largest frame-shaped box inside the photo
        if (pw / ph) > aspect:
            w = ph * aspect
            whole = ((pw - w) / 2, 0.0, (pw + w) / 2, float(ph))
        else:
            h = pw / aspect
            whole = (0.0, (ph - h) / 2, float(pw), (ph + h) / 2)
    else:
        whole = fit_aspect(photo, aspect, (-1e9, -1e9, 1e9, 1e9))
    if motion.start is None:
        cx, cy = (whole[0] + whole[2]) / 2, (whole[1] + whole[3]) / 2
        w, h = (whole[2] - whole[0]) / DEFAULT_ZOOM, (whole[3] - whole[1]) / DEFAULT_ZOOM
        return Framing(whole, (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
    assert motion.end is not None, "the schema gives both rectangles or neither"
    boxes = []
    for x, y, w, h in (motion.start, motion.end):
        rect = (x * pw, y * ph, (x + w) * pw, (y + h) * ph)
        boxes.append(fit_aspect(rect, aspect, photo))
    return Framing(boxes[0], boxes[1])


def box_at(framing_: Framing, t: float) -> Box:
    """The framing at progress t (0..1): centre moves linearly in eased time, size
    geometrically, so a zoom feels steady rather than fast at one end."""
    e = ease(t)
    a, b = framing_.start, framing_.end
    acx, acy = (a[0] + a[2]) / 2, (a[1] + a[3]) / 2
    bcx, bcy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    aw, bw = a[2] - a[0], b[2] - b[0]
    width = aw * (bw / aw) ** e
    height = width * (a[3] - a[1]) / aw
    cx, cy = acx + (bcx - acx) * e, acy + (bcy - acy) * e
    return (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)


class Camera:
    """Renders the frames of one moving shot, as I420 arrays or as frames for the encoder."""

    def __init__(self, spec: PhotoPlate, motion: Motion, span: int, cache=None):
        # One thread: the workers already keep every core busy, one encoder each.
        cv2.setNumThreads(1)
        self.spec = spec
        self.span = max(span, 2)  # frames over which the move runs, transitions included
        # The world is kept in the piece cache: a shot's frames are often made in several
        # pieces, by different workers (transitions on both sides, a piece per GOP).
        key = _world_key(spec, motion)
        stored = cache.get_blobs(key) if cache is not None else None
        world = _unpack(*stored) if stored is not None else None
        if world is None:
            world = _make_world(spec, motion)
            if cache is not None:
                cache.put_blobs(key, *_pack(*world))
        photo_size, self.levels = world
        self.framing, self.origin, self.scale, _ = _geometry(spec, motion, photo_size)
        self.caption = caption_layer(spec)

    def box(self, frame: int) -> Box:
        """The framing of frame (0 .. span-1) in world pixels."""
        b = box_at(self.framing, frame / (self.span - 1))
        ox, oy = self.origin
        s = self.scale
        return ((b[0] - ox) * s, (b[1] - oy) * s, (b[2] - ox) * s, (b[3] - oy) * s)

    def frame(self, frame: int) -> np.ndarray:
        """Frame `frame` of the move as an I420 array."""
        width, height = self.spec.width, self.spec.height
        out = np.empty((height * 3 // 2, width), dtype=np.uint8)
        self._render(frame, planes(out, width, height))
        return out

    def video_frame(self, frame: int) -> av.VideoFrame:
        """Frame `frame` of the move, resampled straight into a frame for the encoder."""
        video = av.VideoFrame(self.spec.width, self.spec.height, "yuv420p")
        self._render(frame, frame_planes(video))
        return video

    def _render(self, frame: int, out) -> None:
        """One bilinear resample per plane of a box with real-valued corners (OpenCV keeps
        1/32 pixel of position), written into the Y, U and V planes `out`."""
        width = self.spec.width
        left, top, right, _ = self.box(frame)
        step = (right - left) / width  # world pixels per output pixel
        factor, (y, u, v) = next((f, p) for f, p in reversed(self.levels) if f <= step or f == 1.0)
        out_y, out_u, out_v = out
        _sample(y, (left / factor, top / factor, step / factor), out_y)
        half = (left / factor / 2, top / factor / 2, step / factor)
        _sample(u, half, out_u)
        _sample(v, half, out_v)
        if self.caption is not None:
            self.caption.apply(out_y, out_u, out_v)


def _sample(plane: np.ndarray, where: tuple[float, float, float], out: np.ndarray) -> None:
    """Output pixel (i, j) shows the world at x = left + (i + 0.5) * step (pixel centres),
    sampled bilinearly into out; edges repeat the border."""
    left, top, step = where
    matrix = np.array(
        [[step, 0.0, left + 0.5 * step - 0.5], [0.0, step, top + 0.5 * step - 0.5]],
        dtype=np.float64,
    )
    cv2.warpAffine(
        plane,
        matrix,
        (out.shape[1], out.shape[0]),
        dst=out,
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )


def _geometry(spec: PhotoPlate, motion: Motion, photo_size: tuple[int, int]):
    """The framing in photo pixels, the world's origin in photo pixels, its scale (world
    pixels per photo pixel) and its size: the world is the photo with room for any part of a
    box outside it, scaled so the tightest box has about one world pixel per output pixel."""
    framing_ = framing(motion, photo_size, (spec.width, spec.height), spec.fit)
    boxes = (framing_.start, framing_.end)
    left = min(0.0, *(b[0] for b in boxes))
    top = min(0.0, *(b[1] for b in boxes))
    right = max(float(photo_size[0]), *(b[2] for b in boxes))
    bottom = max(float(photo_size[1]), *(b[3] for b in boxes))
    tightest = min(b[2] - b[0] for b in boxes)
    scale = min(1.0, spec.width / tightest)
    # Even sizes: the world is held as 4:2:0 planes.
    size = (
        2 * max(1, math.ceil((right - left) * scale / 2)),
        2 * max(1, math.ceil((bottom - top) * scale / 2)),
    )
    return framing_, (left, top), scale, size


def _make_world(spec: PhotoPlate, motion: Motion):
    """(the decoded photo's size, the mip chain of the world as YUV planes)."""
    file, name = spec.photo
    try:
        info = probe_image(Path(file))
    except MediaError as exc:
        raise MediaError(f"photo {name!r}: {exc}") from None
    # Enough pixels for the tightest framing at one per output pixel, where the scan has
    # them: JPEGs are decoded reduced, and a frame-sized decode would be upscaled when zoomed.
    tightest = _tightest(spec, motion, (info.width, info.height))
    need = (math.ceil(spec.width * info.width / tightest), 1)
    photo = load_photo(file, need, name, spec.digest)
    framing_, (left, top), scale, world_size = _geometry(spec, motion, photo.size)
    photo_size = photo.size
    if photo.size != (round(photo.width * scale), round(photo.height * scale)):
        photo = photo.resize(
            (max(1, round(photo.width * scale)), max(1, round(photo.height * scale))),
            Image.Resampling.BOX if scale < 1 else Image.Resampling.BICUBIC,
            reducing_gap=2.0,
        )
    if spec.fit == "cover":  # the photo fills the world: no background shows
        world = Image.new("RGB", world_size)
    else:
        world = background_for(photo, spec, world_size)
    at = (round(-left * scale), round(-top * scale))
    world.paste(photo, at, photo if photo.mode == "RGBA" else None)
    # The same RGB to BT.709 conversion as still plates, so moving and still shots match.
    yuv = to_yuv(world)
    w, h = world.size
    world_planes = tuple(np.ascontiguousarray(p) for p in planes(yuv, w, h))
    # A mip chain: each level an area-filtered reduction of the one before, so no frame is
    # sampled at more than MIP_STEP world pixels per output pixel (no shimmer).
    widest = max(b[2] - b[0] for b in (framing_.start, framing_.end)) * scale
    levels = [(1.0, world_planes)]
    while widest / levels[-1][0] / spec.width > MIP_STEP:
        factor = levels[-1][0] * MIP_STEP
        reduced = tuple(
            cv2.resize(
                p,
                (max(1, round(p.shape[1] / factor)), max(1, round(p.shape[0] / factor))),
                interpolation=cv2.INTER_AREA,
            )
            for p in world_planes
        )
        levels.append((factor, reduced))
    return photo_size, levels


def _tightest(spec: PhotoPlate, motion: Motion, photo_size: tuple[int, int]) -> float:
    """Width in photo pixels of the tightest framing."""
    framing_ = framing(motion, photo_size, (spec.width, spec.height), spec.fit)
    return min(b[2] - b[0] for b in (framing_.start, framing_.end))


def _world_key(spec: PhotoPlate, motion: Motion) -> str:
    # The caption goes on each frame, not on the world.
    bare = spec.without_caption().key()
    return content_key("camera", WORLD_VERSION, bare, motion.kind, motion.start, motion.end)


def _pack(photo_size, levels) -> tuple[dict, list[bytes]]:
    head = {
        "photo": list(photo_size),
        "levels": [[factor, [list(p.shape) for p in plns]] for factor, plns in levels],
    }
    return head, [p.tobytes() for _, plns in levels for p in plns]


def _unpack(head: dict, blobs: list[bytes]):
    """The world from its cache entry, or None if the entry does not fit."""
    try:
        data = iter(blobs)
        levels = []
        for factor, shapes in head["levels"]:
            plns = tuple(
                np.frombuffer(next(data), dtype=np.uint8).reshape(shape) for shape in shapes
            )
            levels.append((float(factor), plns))
        return tuple(head["photo"]), levels
    except (ValueError, KeyError, TypeError, StopIteration):
        return None
