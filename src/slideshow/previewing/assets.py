"""What a preview page shows besides text: each shot's picture (on screen and as a thumbnail),
the soundtrack as the render makes it (AAC in an .m4a) and its waveform.

All of it is kept in the piece cache by what it shows, so an edit that touches one caption
makes nothing again, and a soundtrack the render already encoded is the one the page plays.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
from PIL import Image

from ..media import Stamp
from ..renderer.audio.aac import RATE
from ..renderer.audio.soundtrack import encode_audio, soundtrack
from ..renderer.cache import PieceCache
from ..renderer.keys import content_key
from ..renderer.video.plates import PhotoPlate, PlateSpec, compose_photo, render_plate
from ..renderer.workers import unchanged
from ..timeline import Timeline

SCREEN = (960, 540)  # the player's picture fits in this box
THUMB = 320  # a thumbnail's long side, so a 200-photo page opens quickly
PEAKS_PER_SECOND = 20  # the waveform's resolution
PICTURES_VERSION = 1  # bump when the pictures change for the same spec


def screen_size(width: int, height: int) -> tuple[int, int]:
    """The video's frame scaled into SCREEN (never up), keeping its shape."""
    scale = min(SCREEN[0] / width, SCREEN[1] / height, 1.0)
    return max(2, round(width * scale)), max(2, round(height * scale))


def picture(spec: PlateSpec, cache: PieceCache) -> tuple[bytes, bytes]:
    """(screen JPEG, thumbnail JPEG) of a shot's plate without its caption (the page shows
    the caption as text over it), at the preview's sizes."""
    width, height = screen_size(spec.width, spec.height)
    small = replace(spec.without_caption(), width=width, height=height)
    key = content_key("preview-picture", PICTURES_VERSION, small.key())
    stored = cache.get_blobs(key)
    if stored is not None and len(stored[1]) == 2:
        return stored[1][0], stored[1][1]
    image = compose_photo(small) if isinstance(small, PhotoPlate) else render_plate(small)
    scale = THUMB / max(image.size)
    thumb = image.resize(
        (max(1, round(image.width * scale)), max(1, round(image.height * scale))),
        Image.Resampling.LANCZOS,
    )
    made = (_jpeg(image, 85), _jpeg(thumb, 80))
    cache.put_blobs(key, {}, list(made))
    return made


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


class Peaks:
    """Collects the loudest sample of every 1/PEAKS_PER_SECOND s of blocks passing through."""

    def __init__(self) -> None:
        self.step = RATE // PEAKS_PER_SECOND
        self.values: list[np.ndarray] = []
        self.pending = np.zeros(0, dtype=np.float32)

    def through(self, blocks) -> Iterator[np.ndarray]:
        for block in blocks:
            self.add(block)
            yield block

    def add(self, block: np.ndarray) -> None:
        level = np.abs(block).max(axis=0) if block.size else np.zeros(0, np.float32)
        level = np.concatenate([self.pending, level]) if self.pending.size else level
        whole = len(level) - len(level) % self.step
        if whole:
            self.values.append(level[:whole].reshape(-1, self.step).max(axis=1))
        self.pending = level[whole:]

    def result(self) -> bytes:
        """One byte a step, 0..255 on a square-root scale (quiet speech stays visible)."""
        parts = self.values + ([np.array([self.pending.max()])] if self.pending.size else [])
        if not parts:
            return b""
        level = np.clip(np.concatenate(parts), 0.0, 1.0)
        return (np.sqrt(level) * 255).round().astype(np.uint8).tobytes()


def _peaks_key(key: str) -> str:
    return content_key("preview-peaks", PEAKS_PER_SECOND, key)


def cached_peaks(key: str, cache: PieceCache) -> bytes | None:
    """The waveform peaks when both they and the encoded soundtrack are in the cache."""
    stored = cache.get_blobs(_peaks_key(key))
    if stored is not None and len(stored[1]) == 1 and cache.has(key):
        return stored[1][0]
    return None


def soundtrack_and_peaks(
    timeline: Timeline, key: str, cache: PieceCache, stamps: dict[str, Stamp] | None = None
) -> bytes:
    """Make sure the encoded soundtrack (the render's own, under its audio key) is in the
    cache, and return its waveform peaks; one pass over the recordings makes whatever of the
    two is missing. With stamps, a recording changed since it was digested keeps anything
    from being cached (workers.unchanged)."""
    peaks_key = _peaks_key(key)
    stored = cached_peaks(key, cache)
    if stored is not None:
        return stored
    have_audio = cache.has(key)
    peaks = Peaks()
    blocks = peaks.through(soundtrack(timeline))
    if have_audio:
        for _ in blocks:
            pass
        unchanged(stamps)
    else:
        with cache.writer(key) as writer:
            encode_audio(blocks, timeline.look.quality, writer)
            unchanged(stamps)
    result = peaks.result()
    cache.put_blobs(peaks_key, {}, [result])
    return result
