"""What an MP4's H.264 stream says about itself, read independently of how it was made: its
samples (display and decode times, sync flags), its Annex B bytes for other decoders, the
pictures' order counts and IDR ids (a small stream checker), and the decoders that share no
code with libavcodec (../shared/decoders: JM, libavc, OpenH264)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import av
import pytest

from slideshow.renderer.video.h264 import Bits, parse_sps, unescape

ROOT = Path(__file__).resolve().parent.parent
DECODERS = ROOT.parent / "shared" / "decoders" / "bin"


@dataclass(frozen=True)
class Sample:
    pts: int  # display position, frames
    dts: int
    sync: bool  # a sync sample (stss): where a player may start decoding
    units: tuple[bytes, ...]  # NAL units, start codes removed


def samples(mp4: Path) -> tuple[list[Sample], bytes]:
    """The video samples in decode order, in frames, and the parameter sets (SPS, PPS)."""
    with av.open(str(mp4)) as container:
        stream = container.streams.video[0]
        per_frame = 1 / (stream.average_rate * stream.time_base)
        extra = bytes(stream.codec_context.extradata)
        found = []
        for packet in container.demux(stream):
            if packet.size == 0:
                continue
            data, units, at = bytes(packet), [], 0
            while at < len(data):
                length = int.from_bytes(data[at : at + 4], "big")
                units.append(data[at + 4 : at + 4 + length])
                at += 4 + length
            found.append(
                Sample(
                    round(packet.pts / per_frame),
                    round(packet.dts / per_frame),
                    packet.is_keyframe,
                    tuple(units),
                )
            )
    return found, _parameter_sets(extra)


def _parameter_sets(avcc: bytes) -> bytes:
    """SPS and PPS of an avcC box's payload, as Annex B."""
    sets, at = [], 6
    for count_at in (5, None):
        count = avcc[5] & 0x1F if count_at else avcc[at]
        at += 0 if count_at else 1
        for _ in range(count):
            length = int.from_bytes(avcc[at : at + 2], "big")
            sets.append(avcc[at + 2 : at + 2 + length])
            at += 2 + length
    return b"".join(b"\0\0\0\1" + unit for unit in sets)


def annexb(mp4: Path) -> bytes:
    found, sets = samples(mp4)
    units = (b"\0\0\0\1" + unit for sample in found for unit in sample.units)
    return sets + b"".join(units)


def sync_gap(mp4: Path) -> int:
    """The most frames from one sync sample to the next (or to the end), in display order."""
    found, _ = samples(mp4)
    syncs = sorted(s.pts for s in found if s.sync)
    end = max(s.pts for s in found) + 1
    assert syncs and syncs[0] == 0, "the stream must start at a sync sample"
    return max(b - a for a, b in zip(syncs, [*syncs[1:], end]))


def problems(mp4: Path) -> list[str]:
    """What the standard forbids that a stream checker can see: two pictures with one order
    count between IDR pictures (8.2.1), two IDR pictures in a row with one idr_pic_id (7.4.3),
    and a sync sample that is not an IDR picture."""
    found, sets = samples(mp4)
    sequence = parse_sps(sets)
    max_lsb = 1 << sequence.log2_max_poc_lsb
    seen: dict[int, int] = {}
    msb, lsb = 0, 0  # of the last reference picture
    previous_idr: int | None = None
    errors = []
    for index, sample in enumerate(found):
        (unit,) = [u for u in sample.units if u[0] & 0x1F in (1, 5)]  # one slice a picture
        idr = unit[0] & 0x1F == 5
        bits = Bits(unescape(unit[1:67]))  # the header's first bytes
        bits.ue()  # first_mb_in_slice
        bits.ue()  # slice_type
        bits.ue()  # pic_parameter_set_id
        bits.u(sequence.log2_max_frame_num)
        idr_id = bits.ue() if idr else None
        poc_lsb = bits.u(sequence.log2_max_poc_lsb)
        if sample.sync != idr:
            errors.append(f"sample {index}: sync flag {sample.sync} on an IDR={idr} picture")
        if idr:
            if previous_idr is not None and idr_id == previous_idr:
                errors.append(f"sample {index}: IDR right after an IDR with the same id")
            msb, lsb, seen = 0, 0, {}
        if poc_lsb < lsb and lsb - poc_lsb >= max_lsb // 2:
            this_msb = msb + max_lsb
        elif poc_lsb > lsb and poc_lsb - lsb > max_lsb // 2:
            this_msb = msb - max_lsb
        else:
            this_msb = msb
        poc = this_msb + poc_lsb
        if poc in seen:
            errors.append(f"samples {seen[poc]} and {index}: the same order count {poc}")
        seen[poc] = index
        if unit[0] & 0x60:  # nal_ref_idc: a reference picture
            msb, lsb = this_msb, poc_lsb
        previous_idr = idr_id if idr else None
    return errors


def decoders_or_skip() -> Path:
    """The folder of the decoders; in CI their absence is a failure, not a silent skip."""
    needed = [DECODERS / name for name in ("ldecod", "avcdec", "oh264dec")]
    missing = [str(p) for p in needed if not os.access(p, os.X_OK)]
    if missing:
        message = f"the decoders of ../shared/decoders are missing: {', '.join(missing)}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return DECODERS


def decode_with(decoder: str, stream: Path, work: Path) -> tuple[int, bytes, str]:
    """(exit status, I420 frames in display order, its last line) of one decoder."""
    bin = decoders_or_skip()
    out = work / f"{stream.stem}.{decoder}.yuv"
    out.unlink(missing_ok=True)
    commands = {
        "jm": [bin / "ldecod", "-i", stream, "-o", out],
        "libavc": [
            bin / "avcdec", "--input", stream, "--output", out, "--save_output", "1",
            "--num_frames", "-1", "--chroma_format", "YUV_420P", "--share_display_buf", "0",
            "--num_cores", "1", "--loopback", "0", "--display", "0", "--fps", "30",
            "--arch", "X86_SSE42", "--soc", "GENERIC",
        ],
        "openh264": [bin / "oh264dec", stream, out],
    }  # fmt: skip
    done = subprocess.run(
        [str(c) for c in commands[decoder]], cwd=work, capture_output=True, text=True, timeout=120
    )
    said = (done.stdout + done.stderr).strip().splitlines()
    return done.returncode, out.read_bytes() if out.exists() else b"", said[-1] if said else ""

