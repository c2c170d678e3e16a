"""x264 settings per quality and piece kind, chosen so every piece shares one SPS and PPS.

Pieces are joined without re-encoding, and an MP4 holds the parameter sets once, so settings
that reach the SPS or PPS (profile, reference count, B-frames, CABAC, 8x8 transform, weighted
prediction, chroma QP offset, colour description) are fixed here for every piece. The rest
(motion search, subpixel refinement, lookahead) varies by piece kind for speed.

psy-rd, active from subme 6 (presets medium and slower), lowers the PPS chroma QP offset by 2;
faster presets get the same offset set explicitly, so their PPS is byte-identical. `stitchable`
keeps the PPS's initial QP from following the CRF, so a still's keyframe can take its own.

A still hold is one keyframe and skipped frames (`h264.SkipFrames`): nothing after the keyframe
refines the picture, so the keyframe gets its own CRF (`key_crf`): the quality x264 reaches by
the end of its own GOP of the same still (mb-tree spends most of such a GOP's bits on its
keyframe, and the P-frames refine it further).

Every piece's parameter sets allow B pictures (`bframes=16`: picture order count type 0 with
room for a 127-frame jump, implicit weighted bi-prediction), so a transition between stills
can be B pictures x264 never encodes (h264.py, assemble.py). x264 itself is given every frame
but a piece's first as a P frame, so the pieces it encodes hold I and P pictures only: within
them decode order is display order, a still's GOP can be cut after any frame, and pieces join
with no reordering to reconcile. The only reordering in a stream is around a free transition,
one frame deep (assemble.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np

from ...errors import RenderError
from ..encoded import Encoded
from .h264 import SkipFrames, nal_units
from .yuv import frame_planes, planes

GOP_SECONDS = 2  # a keyframe at least every 2 s: YouTube's advice, and quick seeking
THREADS = "1"  # fixed, so every machine writes the same bytes; parallelism comes from workers

_PSY_PRESETS = {"medium", "slow", "slower", "veryslow", "placebo"}


# A transition between stills has no motion to search: the cheapest search finds the same
# (zero) vectors, whole-pixel ones need no refining, and intra blocks smaller than 16x16 are
# rarely worth trying in a P-frame that differs from the last by a fraction of a grey level.
# Measured on a 1 s crossfade of two 12 MP scans at 1080p `standard`: 0.42 CPU-s instead of
# 1.34, 784 kB instead of 918 kB, mean PSNR 44.24 dB instead of 44.43. Moving shots keep their
# preset's analysis.
_BLEND_SEARCH = ["me=dia", "subme=0", "partitions=none"]
# A shorter lookahead for mb-tree: 25 MB less encoder memory per worker at 1080p, 2.5% fewer
# bytes for 0.2 dB less PSNR on the same crossfade (about the same rate-distortion).
_BLEND_LOOKAHEAD = "rc-lookahead=5"


@dataclass(frozen=True)
class Quality:
    crf: int
    key_crf: int  # a still's keyframe, which every frame of the hold copies
    still_preset: str  # a still's keyframe: encoded once and repeated, so it can afford care
    motion_preset: str  # transitions and moving shots: every frame is encoded
    refs: int  # reference frames (in the SPS, so one number for every piece)


# key_crf, measured on a 12 MP scan with a caption at 1080p (PSNR of the decoded keyframe
# against the plate, and its bytes), against x264's own 60-frame GOP of the still at crf:
#   standard: key 13 -> 46.7 dB, 227 kB; x264's GOP at 20 ends at 46.5 dB, 227 kB in all
#   master:   key  6 -> 53.4 dB, 535 kB; x264's GOP at 16 ends at 53.2 dB, 506 kB
#   draft:    key 24 -> 45.2 dB, 161 kB; x264's GOP at 26 ends at 46.4 dB, 316 kB (draft is
#             for checking a storyboard: half the bytes)
# refs: the presets' own (superfast and veryfast use 1: a second reference made a crossfade
# 13% slower and no smaller; medium uses 3).
QUALITIES = {
    "draft": Quality(
        crf=26,
        key_crf=24,
        still_preset="superfast",
        motion_preset="superfast",
        refs=1,
    ),
    "standard": Quality(
        crf=20,
        key_crf=13,
        still_preset="veryfast",
        motion_preset="veryfast",
        refs=1,
    ),
    "master": Quality(
        crf=16,
        key_crf=6,
        still_preset="slow",
        motion_preset="medium",
        refs=3,
    ),
}


def gop_frames(fps: Fraction) -> int:
    return max(1, round(fps * GOP_SECONDS))


def x264_options(quality: str, kind: str, fps: Fraction) -> dict[str, str]:
    """Encoder options for a piece kind: "still" (a hold's keyframe), "blend" (a transition
    between stills) or "motion" (anything moving); see the module docstring."""
    q = QUALITIES[quality]
    preset = q.still_preset if kind == "still" else q.motion_preset
    crf = q.key_crf if kind == "still" else q.crf
    gop = gop_frames(fps)
    params = [
        f"keyint={gop}",
        f"min-keyint={gop}",
        "scenecut=0",
        # Parameter sets that allow B pictures (picture order count type 0 with room for a
        # 127-frame jump, implicit weighted bi-prediction), so a transition between stills can
        # be B pictures x264 never encodes (h264.py); x264 itself is given every frame but the
        # first as a P frame, so the pieces it encodes keep decode order = display order.
        "bframes=16",
        "b-adapt=0",
        "b-pyramid=normal",
        "weightb=1",
        f"ref={q.refs}",
        "cabac=1",
        "8x8dct=1",
        "weightp=1",
        "colorprim=bt709",
        "transfer=bt709",
        "colormatrix=bt709",
        "range=tv",
        "stitchable=1",
        f"chroma-qp-offset={0 if preset in _PSY_PRESETS else -2}",
    ]
    if kind == "blend" and preset not in _PSY_PRESETS:
        params += [*_BLEND_SEARCH, _BLEND_LOOKAHEAD]
    return {
        "preset": preset,
        "profile": "high",
        "crf": str(crf),
        "threads": THREADS,
        "x264-params": ":".join(params),
    }


def make_encoder(width: int, height: int, fps: Fraction, options: dict[str, str]):
    codec = av.CodecContext.create("libx264", "w")
    codec.width = width
    codec.height = height
    codec.pix_fmt = "yuv420p"
    codec.time_base = 1 / fps
    codec.framerate = fps
    codec.flags |= av.codec.context.Flags.global_header
    codec.color_range = 1  # limited (tv) range
    codec.options = dict(options)
    return codec


def encode_frames(
    frames, width: int, height: int, fps: Fraction, options: dict[str, str], types: str = ""
):
    """Encode I420 arrays or yuv420p video frames (an iterable) into one closed-GOP piece:
    the first frame a keyframe, every other a P frame (or as `types` says, a letter a frame)."""
    codec = make_encoder(width, height, fps, options)
    packets: list[bytes] = []
    keys: list[bool] = []

    def take(result):
        for packet in result:
            packets.append(bytes(packet))
            keys.append(packet.is_keyframe)

    for index, item in enumerate(frames):
        if isinstance(item, av.VideoFrame):
            frame = item  # made in place by its producer
        else:
            frame = av.VideoFrame.from_ndarray(item, format="yuv420p")
        frame.pts = index
        if types:
            frame.pict_type = getattr(av.video.frame.PictureType, types[index])
        else:
            frame.pict_type = av.video.frame.PictureType.I if index == 0 else _P
        take(codec.encode(frame))
    take(codec.encode(None))
    return Encoded(bytes(codec.extradata or b""), packets, keys)


_P = av.video.frame.PictureType.P

_SKIPS: dict[tuple, SkipFrames] = {}


def skip_frames(width: int, height: int, fps: Fraction, quality: str) -> SkipFrames:
    """The all-skip P frame for this size and quality, written once by x264 (per process)."""
    key = (width, height, fps, quality)
    if key not in _SKIPS:
        flat = np.full((height * 3 // 2, width), 128, dtype=np.uint8)
        encoded = encode_frames(
            [flat, flat], width, height, fps, x264_options(quality, "still", fps)
        )
        if encoded.keyframes != [True, False]:
            raise RenderError("internal error: x264 did not write a keyframe and a P frame")
        _SKIPS[key] = SkipFrames(encoded.extradata, encoded.packets[1])
    return _SKIPS[key]


_BLENDS: dict[tuple, bytes] = {}


def blend_slice(width: int, height: int, fps: Fraction, quality: str) -> bytes:
    """x264's all-skip B slice for this size and quality (a NAL unit, start code removed):
    written once per process, for three flat frames coded I, B, P. Renumbered, it is every
    frame of a transition made by weighted prediction (see h264.py)."""
    key = (width, height, fps, quality)
    if key not in _BLENDS:
        flat = np.full((height * 3 // 2, width), 128, dtype=np.uint8)
        options = x264_options(quality, "still", fps)
        encoded = encode_frames([flat, flat, flat], width, height, fps, options, types="IBP")
        slices = [
            unit
            for packet in encoded.packets
            for unit in nal_units(packet)
            if unit[0] & 0x1F == 1 and unit[0] >> 5 == 0
        ]
        if len(slices) != 1:
            raise RenderError("internal error: x264 did not write one non-reference B slice")
        _BLENDS[key] = slices[0]
    return _BLENDS[key]


def _check_copies(skips: SkipFrames, keyframe: list[bytes]) -> None:
    """Decode a keyframe and two skip frames after it: both must be exact copies. Every
    still of every render rests on this, so each process checks it once per size, on its
    first still (a decode of one picture)."""
    decoder = av.CodecContext.create("h264", "r")
    decoder.extradata = skips.extradata
    decoded = []
    for data in [*keyframe, skips.frame(1), skips.frame(2), None]:
        for frame in decoder.decode(av.Packet(data) if data is not None else None):
            decoded.append(frame.to_ndarray())
    if len(decoded) != 3 or not all(np.array_equal(f, decoded[0]) for f in decoded):
        raise RenderError("internal error: x264's skip frame does not copy the frame before it")


def encode_still(plate: np.ndarray, frames: int, fps: Fraction, quality: str) -> Encoded:
    """A still held for `frames` frames (at most a GOP): its keyframe, then skipped frames."""
    height, width = plate.shape[0] * 2 // 3, plate.shape[1]
    key = encode_frames([plate], width, height, fps, x264_options(quality, "still", fps))
    skips = skip_frames(width, height, fps, quality)
    if skips.extradata != key.extradata:
        raise RenderError("internal error: a still's keyframe and skip frames disagree")
    if not skips.checked:
        _check_copies(skips, key.packets)
        skips.checked = True
    rest = [skips.frame(number) for number in range(1, frames)]
    return Encoded(key.extradata, key.packets + rest, key.keyframes + [False] * len(rest))


class Blender:
    """(a * (256 - w) + b * w + 128) >> 8 on I420 arrays, in 16-bit integers, set up once for
    any number of weights (still views) and written straight into frames for the encoder.

    It is computed as a * 256 + 128 + (b - a) * w: the difference and the product wrap around
    modulo 2**16, but the result always lies in 0..65408, so it comes out exact. Three passes
    over the picture a frame, and 16 bits move half the bytes of 32.
    """

    def __init__(self, a: np.ndarray, b: np.ndarray):
        self.base: np.ndarray = np.empty(a.shape, np.uint16)
        self.diff: np.ndarray = np.empty_like(self.base)
        self.work: np.ndarray = np.empty_like(self.base)
        self.set(a, b)

    def set(self, a: np.ndarray, b: np.ndarray) -> None:
        """Blend these two pictures from now on (moving views: every frame), in the same
        buffers."""
        np.left_shift(a, 8, out=self.base, dtype=np.uint16)
        self.base += 128
        np.subtract(b, a, out=self.diff, dtype=np.uint16)

    def __call__(self, weight: int) -> av.VideoFrame:
        np.multiply(self.diff, weight, out=self.work)
        self.work += self.base
        rows, width = self.work.shape
        height = rows * 2 // 3
        video = av.VideoFrame(width, height, "yuv420p")
        for source, target in zip(planes(self.work, width, height), frame_planes(video)):
            np.right_shift(source, 8, out=target, casting="unsafe")
        return video
