"""Tiny media made on the fly for tests: photos with known colours, tones as recordings."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from PIL import Image

# The settings of tiny test renders, as storyboard lines: fast to encode, no loudness pass.
SMALL = "video: {size: 320x180, quality: draft}\nloudness: off\n"
TINY = "video: {size: 160x90, quality: draft}\nloudness: off\n"


def photo(path: Path, colour=(200, 40, 40), size=(320, 180), **save) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, **save)
    return path


def recording(
    path: Path, seconds: float, *, rate=44_100, channels=1, freq=440.0, level=0.25, codec=None
) -> Path:
    """A sine tone; WAV by default, any container PyAV can write by the file's suffix."""
    t = np.arange(round(seconds * rate)) / rate
    tone = (level * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return write_audio(path, np.repeat(tone[None, :], channels, axis=0), rate, codec)


def write_audio(path: Path, samples: np.ndarray, rate: int, codec: str | None = None) -> Path:
    """Write float samples (channels, n) as 16-bit WAV, or AAC/MP3 by the file's suffix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    layout = "mono" if samples.shape[0] == 1 else "stereo"
    codec = codec or ("pcm_s16le" if path.suffix == ".wav" else "aac")
    fmt = "s16" if codec == "pcm_s16le" else "fltp"
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.layout = layout
        for start in range(0, samples.shape[1], 1024):
            chunk = samples[:, start : start + 1024]
            if fmt == "s16":
                chunk = (chunk * 32767).astype(np.int16).T.reshape(1, -1)
            chunk = np.ascontiguousarray(chunk)
            frame = av.AudioFrame.from_ndarray(chunk, format=fmt, layout=layout)
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
