"""Still holds written as a keyframe and skipped frames: decoded strictly, they repeat exactly."""

from __future__ import annotations

import re
from fractions import Fraction

import av
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from probe import decode_packets as decode

from slideshow.renderer.video.encoding import (
    QUALITIES,
    encode_frames,
    encode_still,
    skip_frames,
    x264_options,
)
from slideshow.renderer.video.h264 import Bits, escape, nal_units, parse_sps, unescape

FPS = Fraction(30)


def textured(width=320, height=180, seed=1) -> np.ndarray:
    """An I420 plate with detail everywhere: any drift from the keyframe would show."""
    rng = np.random.default_rng(seed)
    plate = rng.integers(16, 236, (height * 3 // 2, width), dtype=np.uint8)
    plate[: height // 2] = np.linspace(16, 235, width, dtype=np.uint8)
    return plate


def frame_num(packet: bytes, bits_wide: int) -> int:
    (unit,) = [u for u in nal_units(packet) if u[0] & 0x1F == 1]
    bits = Bits(unescape(unit[1:]))
    bits.ue(), bits.ue(), bits.ue()
    return bits.u(bits_wide)


@pytest.mark.parametrize("quality", sorted(QUALITIES))
def test_a_still_hold_repeats_its_keyframe_bit_exactly(quality):
    plate = textured()
    encoded = encode_still(plate, 60, FPS, quality)
    assert encoded.keyframes == [True] + [False] * 59
    frames = decode(encoded.extradata, encoded.packets)
    assert len(frames) == 60
    assert all(np.array_equal(frame, frames[0]) for frame in frames)
    error = frames[0][:180].astype(float) - plate[:180]
    assert 10 * np.log10(255**2 / np.mean(error**2)) > 30  # the keyframe is the plate
    # Each skipped frame is a few bytes, numbered in sequence (frame_num wraps at its width).
    width = parse_sps(encoded.extradata).log2_max_frame_num
    assert all(len(p) < 100 for p in encoded.packets[1:])
    numbers = [frame_num(p, width) for p in encoded.packets[1:]]
    assert numbers == [k % (1 << width) for k in range(1, 60)]


def test_the_strict_decoder_rejects_a_damaged_skip_frame():
    """The decoding above can fail: a skip frame cut short is an error, not a concealment."""
    encoded = encode_still(textured(), 2, FPS, "standard")
    skip = skip_frames(320, 180, FPS, "standard").frame(1)
    with pytest.raises(av.error.InvalidDataError):
        decode(encoded.extradata, [encoded.packets[0], skip[:-4]])


def test_skip_frames_fit_odd_sizes_and_both_frame_rates():
    for width, height, fps in ((1280, 720, Fraction(25)), (640, 362, Fraction(60))):
        plate = textured(width, height, seed=width)
        encoded = encode_still(plate, 7, fps, "draft")
        frames = decode(encoded.extradata, encoded.packets)
        assert len(frames) == 7 and all(np.array_equal(f, frames[0]) for f in frames)


def _escaped_byte_by_byte(rbsp: bytes) -> bytes:
    """7.4.1's rule as written: after two zero bytes, a byte of 00..03 gets a 03 before it."""
    out, zeros = bytearray(), 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


@given(st.binary(max_size=64) | st.lists(st.sampled_from([0, 0, 0, 1, 2, 3, 4, 0x80])).map(bytes))
def test_emulation_prevention_round_trips(rbsp):
    payload = escape(rbsp + b"\x80")  # an RBSP ends in its stop bit
    assert payload == _escaped_byte_by_byte(rbsp + b"\x80")
    assert unescape(payload) == rbsp + b"\x80"
    assert re.search(b"\x00\x00[\x00-\x02]", payload) is None


def test_every_piece_kind_shares_the_headers():
    frame = textured()
    for quality in QUALITIES:
        heads = {
            encode_frames([frame] * 3, 320, 180, FPS, x264_options(quality, kind, FPS)).extradata
            for kind in ("still", "blend", "motion")
        }
        assert len(heads) == 1, quality


def test_a_p_frame_that_is_not_a_copy_is_caught_before_use():
    """Each process decodes its first still with two skip frames; a template that changes the
    picture (here a real P-frame of another picture, numbered like a skip frame) is refused."""
    from slideshow.errors import RenderError
    from slideshow.renderer.video.encoding import _check_copies
    from slideshow.renderer.video.h264 import SkipFrames

    flat = np.full((270, 320), 128, dtype=np.uint8)
    moved = encode_frames([flat, textured()], 320, 180, FPS, x264_options("standard", "still", FPS))
    impostor = SkipFrames(moved.extradata, moved.packets[1])
    key = encode_still(textured(seed=2), 1, FPS, "standard")
    with pytest.raises(RenderError, match="does not copy"):
        _check_copies(impostor, key.packets)


def test_groundwork_a_crossfade_made_by_weighted_prediction_decodes_exactly():
    """Issue 15's building blocks (not used by renders yet): x264's all-skip B slice,
    renumbered, between a keyframe and the next keyframe turned into a non-IDR I picture,
    decodes (strictly) to the implicit weighted mix of the two: the weights the spec derives
    from picture order counts, each frame exact."""
    from slideshow.renderer.video.h264 import (
        as_reference_i,
        implicit_weight,
        parse_pps,
        renumbered,
    )

    width, height = 64, 48
    options = x264_options("standard", "still", FPS)
    options["x264-params"] = options["x264-params"].replace(
        "bframes=0", "bframes=16:b-adapt=0:b-pyramid=normal:weightb=1"
    )
    flat = np.full((height * 3 // 2, width), 128, np.uint8)

    def encode(frames, types=None):
        return encode_frames_typed(frames, width, height, options, types)

    extradata, template_units = encode([flat, flat, flat], ["I", "B", "P"])
    (b_slice,) = [u for u in template_units if u[0] & 0x1F == 1 and u[0] >> 5 == 0]
    sequence, pictures = parse_sps(extradata), parse_pps(extradata)
    assert sequence.poc_type == 0 and pictures.weighted_bipred_idc == 2
    rng = np.random.default_rng(7)
    a = rng.integers(16, 236, flat.shape).astype(np.uint8)
    b = rng.integers(16, 236, flat.shape).astype(np.uint8)
    (a_idr,) = [u for u in encode([a])[1] if u[0] & 0x1F == 5]
    (b_idr,) = [u for u in encode([b])[1] if u[0] & 0x1F == 5]
    n = 7  # odd and even positions, weights in 64ths
    units = [a_idr, as_reference_i(b_idr, sequence, pictures, 1, n + 1)]
    units += [renumbered(b_slice, sequence, 2, k) for k in range(1, n + 1)]
    shown = [0, n + 1, *range(1, n + 1)]
    codec = av.CodecContext.create("h264", "r")
    codec.extradata = extradata
    codec.options = {"err_detect": "explode"}
    frames = []
    for unit, pts in [*zip(units, shown), (None, None)]:
        packet = None
        if unit is not None:
            packet = av.Packet(b"\x00\x00\x00\x01" + unit)
            packet.pts = pts
        frames += [(f.pts, f.to_ndarray().astype(int)) for f in codec.decode(packet)]
    frames.sort(key=lambda item: item[0])
    assert [pts for pts, _ in frames] == list(range(n + 2))
    first, last = frames[0][1], frames[-1][1]
    for k in range(1, n + 1):
        w1 = implicit_weight(k, 0, n + 1)
        assert abs(w1 - 64 * k / (n + 1)) <= 1  # the linear crossfade, in 64ths
        expected = (first * (64 - w1) + last * w1 + 32) >> 6
        assert np.array_equal(frames[k][1], expected), k


def encode_frames_typed(frames, width, height, options, types=None):
    """x264 output of frames with forced picture types: (extradata, NAL units in order)."""
    from slideshow.renderer.video.encoding import make_encoder

    codec = make_encoder(width, height, FPS, options)
    units: list[bytes] = []
    for index, image in enumerate(frames):
        frame = av.VideoFrame.from_ndarray(image, format="yuv420p")
        frame.pts = index
        if types:
            frame.pict_type = getattr(av.video.frame.PictureType, types[index])
        units += [u for p in codec.encode(frame) for u in nal_units(bytes(p))]
    units += [u for p in codec.encode(None) for u in nal_units(bytes(p))]
    return bytes(codec.extradata or b""), units
