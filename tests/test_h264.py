"""Still holds written as a keyframe and skipped frames: decoded strictly, they repeat exactly."""

from __future__ import annotations

import re
from fractions import Fraction

import av
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from slideshow.renderer.encoding import (
    QUALITIES,
    encode_frames,
    encode_still,
    skip_frames,
    x264_options,
)
from slideshow.renderer.h264 import Bits, escape, nal_units, parse_sps, unescape

FPS = Fraction(30)


def decode(extradata: bytes, packets: list[bytes]) -> list[np.ndarray]:
    """Decode with every error fatal (a duplicate or malformed frame raises)."""
    codec = av.CodecContext.create("h264", "r")
    codec.extradata = extradata
    codec.options = {"err_detect": "explode"}
    frames = []
    for data in [*packets, None]:
        for frame in codec.decode(av.Packet(data) if data is not None else None):
            frames.append(frame.to_ndarray())
    return frames


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


@given(st.binary(max_size=64))
def test_emulation_prevention_round_trips(rbsp):
    payload = escape(rbsp + b"\x80")  # an RBSP ends in its stop bit
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
    from slideshow.renderer.encoding import _check_copies
    from slideshow.renderer.h264 import SkipFrames

    flat = np.full((270, 320), 128, dtype=np.uint8)
    moved = encode_frames([flat, textured()], 320, 180, FPS, x264_options("standard", "still", FPS))
    impostor = SkipFrames(moved.extradata, moved.packets[1])
    key = encode_still(textured(seed=2), 1, FPS, "standard")
    with pytest.raises(RenderError, match="does not copy"):
        _check_copies(impostor, key.packets)
