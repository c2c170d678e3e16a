"""EBU R128 / ITU-R BS.1770-4 loudness: integrated loudness, true peak, and a peak limiter."""

from __future__ import annotations

import numpy as np
from scipy import signal

RATE = 48_000


def _k_weighting(rate: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The two BS.1770 pre-filters (high shelf, then high pass), designed for any rate."""
    # Coefficients from the standard's analogue prototypes (as in libebur128).
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = np.tan(np.pi * f0 / rate)
    vh = 10 ** (gain_db / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf_b = np.array(
        [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0]
    )
    shelf_a = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    f0, q = 38.13547087602444, 0.5003270373238773
    k = np.tan(np.pi * f0 / rate)
    a0 = 1 + k / q + k * k
    high_b = np.array([1.0, -2.0, 1.0])
    high_a = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    return [(shelf_b, shelf_a), (high_b, high_a)]


def integrated_loudness(audio: np.ndarray, rate: int = RATE) -> float:
    """Integrated loudness in LUFS of a (channels, samples) float array; -inf for silence.

    Filtered in 10 s chunks that carry the filter state, so memory stays small for any length.
    """
    step = int(0.1 * rate)  # gating blocks are 400 ms, overlapping by 75%: 4 steps of 100 ms
    filters = _k_weighting(rate)
    states = [signal.lfilter_zi(b, a)[None, :] * np.zeros((audio.shape[0], 1)) for b, a in filters]
    powers = []  # mean square per 100 ms step, summed over channels
    chunk = step * 100
    for start in range(0, audio.shape[1] - audio.shape[1] % step, chunk):
        block = audio[:, start : min(start + chunk, audio.shape[1] - audio.shape[1] % step)]
        weighted = block.astype(np.float64)
        for index, (b, a) in enumerate(filters):
            weighted, states[index] = signal.lfilter(b, a, weighted, axis=1, zi=states[index])
        squares = (weighted**2).reshape(audio.shape[0], -1, step).mean(axis=2)
        powers.append(squares.sum(axis=0))
    if not powers:
        return float("-inf")
    steps = np.concatenate(powers)
    if steps.size < 4:
        return float("-inf")
    power = (steps[:-3] + steps[1:-2] + steps[2:-1] + steps[3:]) / 4
    with np.errstate(divide="ignore"):
        loud = -0.691 + 10 * np.log10(power)
    kept = power[loud > -70]  # absolute gate
    if kept.size == 0:
        return float("-inf")
    relative = -0.691 + 10 * np.log10(kept.mean()) - 10
    with np.errstate(divide="ignore"):
        kept = kept[-0.691 + 10 * np.log10(kept) > relative]
    if kept.size == 0:
        return float("-inf")
    return float(-0.691 + 10 * np.log10(kept.mean()))


def true_peak(audio: np.ndarray) -> float:
    """Highest absolute value of the signal oversampled 4 times (linear, not dB)."""
    peak = 0.0
    chunk = RATE * 10
    for start in range(0, audio.shape[1], chunk):
        # Overlap chunks a little so the interpolation filter sees the samples around each edge.
        lo, hi = max(0, start - 64), min(audio.shape[1], start + chunk + 64)
        up = signal.resample_poly(audio[:, lo:hi].astype(np.float64), 4, 1, axis=1)
        peak = max(peak, float(np.abs(up).max(initial=0.0)))
    return peak


def limit(audio: np.ndarray, ceiling: float, rate: int = RATE) -> np.ndarray:
    """Look-ahead peak limiter: gain comes down before each peak over ceiling, recovers slowly."""
    block = rate // 1000  # 1 ms
    samples = audio.shape[1]
    blocks = -(-samples // block)
    padded = np.zeros((audio.shape[0], blocks * block), dtype=np.float32)
    padded[:, :samples] = audio
    # Per-block peak, with a margin for the peaks between samples.
    peaks = np.abs(padded).reshape(audio.shape[0], blocks, block).max(axis=(0, 2)) * 1.12
    needed = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-9))
    # Attack: reach the needed gain 5 ms before the peak; release over about 100 ms.
    attack = 5
    gain = needed.copy()
    for shift in range(1, attack + 1):
        gain[:-shift] = np.minimum(gain[:-shift], needed[shift:])
    release = np.exp(-1 / 100)
    smoothed = np.empty_like(gain)
    level = 1.0
    for i, g in enumerate(gain):
        level = g if g < level else g + (level - g) * release
        smoothed[i] = level
    curve = np.interp(np.arange(blocks * block) / block, np.arange(blocks), smoothed)
    return (padded * curve[None, :].astype(np.float32))[:, :samples]


def normalise(audio: np.ndarray, target_lufs: float, peak_dbtp: float = -1.0) -> np.ndarray:
    """Gain to the target integrated loudness; limit so the true peak stays at most peak_dbtp.

    Limiting lowers the loudness a little, so gain and limiting are repeated a few times.
    """
    ceiling = 10 ** ((peak_dbtp - 0.3) / 20)  # 0.3 dB margin for the AAC encoder's overshoot
    out = audio
    for _ in range(3):
        measured = integrated_loudness(out)
        if not np.isfinite(measured):
            return out
        out = out * np.float32(10 ** ((target_lufs - measured) / 20))
        if true_peak(out) <= ceiling:
            break
        out = limit(out, ceiling * 0.97)
        if abs(integrated_loudness(out) - target_lufs) < 0.3:
            break
    peak = true_peak(out)
    if peak > ceiling:  # a last guard: never over the ceiling
        out = out * np.float32(ceiling / peak)
    return out.astype(np.float32)
