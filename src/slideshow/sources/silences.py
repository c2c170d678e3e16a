"""Pauses in speech, found from the recording's level alone (no model): where photo changes
fall naturally. Used by `slideshow init --at-silences`."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

RATE = 8000  # enough to tell speech from silence, and quick to decode
WINDOW = RATE // 50  # 20 ms
SHORTEST_PAUSE = 0.25  # seconds


def pauses(path: Path, start: float, end: float) -> list[float]:
    """Middles of the pauses (seconds into the recording) between start and end: stretches
    of at least a quarter second 25 dB below the speech's typical level."""
    levels = _levels(path, start, end)
    if levels.size == 0:
        return []
    speech = np.percentile(levels, 90)
    quiet = levels < speech - 25
    found, run = [], 0
    for index, is_quiet in enumerate([*quiet, False]):
        if is_quiet:
            run += 1
            continue
        if run * WINDOW / RATE >= SHORTEST_PAUSE:
            middle = index - run / 2
            found.append(start + middle * WINDOW / RATE)
        run = 0
    return found


def _levels(path: Path, start: float, end: float) -> np.ndarray:
    """RMS level in dB of each 20 ms window between start and end."""
    chunks = []
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        if start > 2 and stream.time_base:
            container.seek(int((start - 1) / stream.time_base), stream=stream, backward=True)
        first = None
        for frame in container.decode(stream):
            if first is None:
                first = float(Fraction(frame.pts or 0) * frame.time_base) if frame.time_base else 0
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
            if first + sum(c.size for c in chunks) / RATE >= end:
                break
    if not chunks:
        return np.zeros(0)
    samples = np.concatenate(chunks)
    offset = max(0, round((start - (first or 0)) * RATE))
    samples = samples[offset : offset + round((end - start) * RATE)]
    count = samples.size // WINDOW
    windows = samples[: count * WINDOW].reshape(count, WINDOW).astype(np.float64)
    return 10 * np.log10(np.mean(windows**2, axis=1) + 1e-12)


def changes(count: int, start: float, end: float, quiet: list[float]) -> list[float]:
    """Where count photos change (count - 1 times): at the pause nearest each even share,
    within a third of a share of it; at the even share itself where no pause is near."""
    share = (end - start) / count
    chosen: list[float] = []
    for k in range(1, count):
        target = start + k * share
        near = [
            p for p in quiet if abs(p - target) <= share / 3 and (not chosen or p > chosen[-1] + 1)
        ]
        best = min(near, key=lambda p: abs(p - target)) if near else target
        chosen.append(round(best, 2))
    return chosen
