"""Benchmark media, made once into benchmarks/corpus/ (ignored by git) and reused.

Archival-size scans (12 MP JPEG with grain and detail, each different) and long recordings
(speech-like: syllable-shaped bursts of band-limited noise and voiced tones).
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

CORPUS = Path(__file__).resolve().parent / "corpus"


def scan(index: int, size=(4000, 3000)) -> Path:
    """A 12 MP 'scan': shapes, text and film grain; each index differs."""
    path = CORPUS / "scans" / f"scan_{index:03d}.jpg"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(index)
    small = Image.new(
        "RGB", (size[0] // 4, size[1] // 4), tuple(int(v) for v in rng.integers(60, 200, 3))
    )
    draw = ImageDraw.Draw(small)
    for _ in range(40):
        x, y = rng.integers(0, small.width), rng.integers(0, small.height)
        w, h = rng.integers(20, 300), rng.integers(20, 300)
        colour = tuple(int(v) for v in rng.integers(0, 255, 3))
        if rng.random() < 0.5:
            draw.rectangle((x, y, x + w, y + h), fill=colour)
        else:
            draw.ellipse((x, y, x + w, y + h), fill=colour)
    draw.text((40, 40), f"Archive item I-{495 + index}", fill=(255, 255, 255))
    image = small.resize(size, Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(2))
    pixels = np.asarray(image, dtype=np.int16)
    grain = rng.normal(0, 7, (size[1], size[0], 1)).astype(np.int16)
    Image.fromarray(np.clip(pixels + grain, 0, 255).astype(np.uint8)).save(path, quality=90)
    return path


def recording(name: str, seconds: float, rate: int = 44_100) -> Path:
    """A mono 16-bit WAV of speech-like sound, written in blocks (no big arrays)."""
    path = CORPUS / name
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    block = rate * 10
    total = int(seconds * rate)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        for start in range(0, total, block):
            n = min(block, total - start)
            t = (start + np.arange(n)) / rate
            syllables = np.clip(np.sin(2 * np.pi * 4 * t + rng.uniform(0, 6)), 0, None) ** 2
            pauses = (np.sin(2 * np.pi * 0.23 * t) > -0.6).astype(np.float32)
            pitch = 140 + 30 * np.sin(2 * np.pi * 0.5 * t)
            voiced = np.sin(2 * np.pi * np.cumsum(pitch) / rate) * 0.5
            noise = rng.normal(0, 0.15, n)
            signal = (voiced + noise) * syllables * pauses * 0.3
            out.writeframes((np.clip(signal, -1, 1) * 32767).astype("<i2").tobytes())
    return path
