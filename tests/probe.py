"""Reading back what a render wrote: streams, decoded frames, audio, MP4 atoms."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def streams(path: Path) -> dict:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0]
        return {
            "video_seconds": float(video.duration * video.time_base),
            "audio_seconds": float(audio.duration * audio.time_base),
            "frames": video.frames,
            "profile": video.codec_context.profile,
            "pix_fmt": video.codec_context.pix_fmt,
            "size": (video.codec_context.width, video.codec_context.height),
            "fps": video.average_rate,
            "audio_codec": audio.codec_context.name,
            "audio_profile": audio.codec_context.profile,
            "sample_rate": audio.codec_context.sample_rate,
            "channels": audio.codec_context.channels,
            "metadata": dict(container.metadata),
            "chapters": container.chapters(),
        }


def frames(path: Path, wanted: set[int] | None = None) -> dict[int, np.ndarray]:
    """Decode every frame, any decoding error fatal; keep the wanted ones as RGB."""
    kept = {}
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.options = {"err_detect": "explode"}
        for index, frame in enumerate(container.decode(stream)):
            if wanted is None or index in wanted:
                kept[index] = frame.to_ndarray(format="rgb24")
    return kept


def decode(path: Path) -> tuple[list[np.ndarray], list[int], Fraction]:
    """Every frame as I420 in display order (strict: any decoding error raises), their display
    times in the stream's time base, and that time base."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.options = {"err_detect": "explode"}
        frames = [(f.pts, f.to_ndarray(format="yuv420p")) for f in container.decode(stream)]
        base = stream.time_base
    frames.sort(key=lambda item: item[0])
    return [f for _, f in frames], [p for p, _ in frames], Fraction(base)


def decode_packets(extradata: bytes, packets: list[bytes]) -> list[np.ndarray]:
    """Raw H.264 packets decoded with every error fatal (a duplicate or malformed frame
    raises), in output order."""
    codec = av.CodecContext.create("h264", "r")
    codec.extradata = extradata
    codec.options = {"err_detect": "explode"}
    frames = []
    for data in [*packets, None]:
        for frame in codec.decode(av.Packet(data) if data is not None else None):
            frames.append(frame.to_ndarray())
    return frames


def audio(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=48000)
        chunks = []
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray())
        return np.concatenate(chunks, axis=1)


def top_level_atoms(path: Path) -> list[str]:
    data = path.read_bytes()
    atoms, offset = [], 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        atoms.append(data[offset + 4 : offset + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        if size < 8:
            break
        offset += size
    return atoms
