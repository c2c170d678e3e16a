"""EBU R128 / ITU-R BS.1770-4 loudness: a streaming meter, a true-peak meter and a
look-ahead peak limiter, all fed in blocks so memory does not grow with length.

Filtering is NumPy alone: the K-weighting (two biquads) is applied as its impulse response,
which has died away to nothing after 8192 samples, and the 4x oversampling for true peak is a
polyphase FIR, both by FFT convolution in chunks of a few seconds. (SciPy's signal package did
the same with lfilter and resample_poly, but costs a second and 70 MB to import in the process
that makes the soundtrack.)
"""

from __future__ import annotations

import functools

import numpy as np

RATE = 48_000
STEP = RATE // 10  # gating blocks are 400 ms overlapping by 75%: four 100 ms steps


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


class Meter:
    """Integrated loudness (LUFS) of a stream of (channels, n) blocks."""

    def __init__(self, rate: int = RATE):
        self.filter = _Convolver(_k_response(rate))
        self.step = rate // 10
        self.carry: np.ndarray | None = None
        self.powers: list[np.ndarray] = []

    def add(self, block: np.ndarray) -> None:
        self._take(self.filter.feed(block))

    def _take(self, weighted: np.ndarray | None) -> None:
        if weighted is None or not weighted.shape[1]:
            return
        squares = weighted**2
        if self.carry is not None:
            squares = np.concatenate([self.carry, squares], axis=1)
        whole = squares.shape[1] - squares.shape[1] % self.step
        if whole:
            steps = squares[:, :whole].reshape(squares.shape[0], -1, self.step).mean(axis=2)
            self.powers.append(steps.sum(axis=0))
        self.carry = squares[:, whole:]

    def loudness(self) -> float:
        self._take(self.filter.flush())
        if not self.powers:
            return float("-inf")
        steps = np.concatenate(self.powers)
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


class PeakMeter:
    """True peak (linear) of a stream: the signal oversampled 4 times by a polyphase FIR
    (the filter SciPy's resample_poly designs: 81 taps, Kaiser window, beta 5)."""

    def __init__(self):
        self.phases = [_Convolver(kernel) for kernel in _upsampler()]
        self.value = 0.0

    def add(self, block: np.ndarray) -> None:
        self._take([phase.feed(block) for phase in self.phases])

    def _take(self, outputs: list[np.ndarray | None]) -> None:
        for out in outputs:
            if out is not None and out.size:
                self.value = max(self.value, float(np.abs(out).max()))

    def peak(self) -> float:
        self._take([phase.flush() for phase in self.phases])
        return self.value


IR_LENGTH = 1 << 13  # samples of the K-weighting's impulse response kept (171 ms at 48 kHz)
CHUNK = 1 << 16  # samples filtered at a time


class _Convolver:
    """Streaming convolution of (channels, n) blocks with a fixed kernel (overlap-add by FFT).
    Output lags input by up to CHUNK samples; flush() gives the rest, as long as the input."""

    def __init__(self, kernel: np.ndarray):
        self.kernel = kernel
        self.pending: list[np.ndarray] = []
        self.count = 0
        self.tail: np.ndarray | None = None
        self.spectra: dict[int, np.ndarray] = {}

    def feed(self, block: np.ndarray) -> np.ndarray | None:
        self.pending.append(np.asarray(block, dtype=np.float64))
        self.count += block.shape[1]
        return self._run() if self.count >= CHUNK else None

    def flush(self) -> np.ndarray | None:
        return self._run() if self.pending else None

    def _run(self) -> np.ndarray:
        data = np.concatenate(self.pending, axis=1)
        self.pending, self.count = [], 0
        n, taps = data.shape[1], self.kernel.size
        size = 1 << (n + taps - 2).bit_length()
        if size not in self.spectra:
            self.spectra[size] = np.fft.rfft(self.kernel, size)
        out = np.fft.irfft(np.fft.rfft(data, size, axis=1) * self.spectra[size], size, axis=1)
        out = out[:, : n + taps - 1]
        if self.tail is not None:  # the previous chunk's ringing, taps - 1 samples
            out[:, : taps - 1] += self.tail
        self.tail = out[:, n:].copy()
        return out[:, :n]


@functools.cache
def _k_response(rate: int) -> np.ndarray:
    """The K-weighting's impulse response: the two biquads run over an impulse."""
    response = np.zeros(IR_LENGTH)
    response[0] = 1.0
    for b, a in _k_weighting(rate):
        response = _biquad(b, a, response)
    return response


def _biquad(b: np.ndarray, a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Direct form I, sample by sample (for an impulse response: a few thousand samples)."""
    b0, b1, b2 = (float(v) for v in b)
    a1, a2 = float(a[1]), float(a[2])
    out = []
    x1 = x2 = y1 = y2 = 0.0
    for value in x.tolist():
        y = b0 * value + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        x2, x1, y2, y1 = x1, value, y1, y
        out.append(y)
    return np.array(out)


@functools.cache
def _upsampler() -> tuple[np.ndarray, ...]:
    """The four phases of the x4 interpolation filter: a windowed sinc cut at a quarter of
    the new Nyquist, scaled so each phase passes DC at unit gain."""
    taps = 2 * 10 * 4 + 1
    middle = np.arange(taps) - (taps - 1) / 2
    kernel = 0.25 * np.sinc(0.25 * middle) * np.kaiser(taps, 5.0)
    kernel *= 4 / kernel.sum()
    return tuple(kernel[phase::4].copy() for phase in range(4))


class Limiter:
    """Look-ahead peak limiter: gain comes down 5 ms before a peak over the ceiling and
    recovers over about 100 ms. Streaming: feed() holds back the look-ahead, flush() ends."""

    # 0.3 dB under -1 dBTP, for the AAC encoder's overshoot; per-block peaks are taken
    # 12% high (about 1 dB), for the peaks between samples.
    CEILING = 10 ** (-1.3 / 20)
    BLOCK = RATE // 1000
    ATTACK = 5
    RELEASE = float(np.exp(-1 / 100))

    def __init__(self, ceiling: float | None = None):
        self.ceiling = (ceiling or self.CEILING) * 0.97
        self.held = np.zeros((2, 0), dtype=np.float32)
        self.level = 1.0

    def feed(self, block: np.ndarray, final: bool = False) -> np.ndarray:
        data = np.concatenate([self.held, block], axis=1) if self.held.shape[1] else block
        size = self.BLOCK
        blocks = data.shape[1] // size
        if final and data.shape[1] % size:
            blocks += 1
            data = np.pad(data, ((0, 0), (0, blocks * size - data.shape[1])))
        ready = blocks if final else blocks - self.ATTACK
        if ready <= 0:
            self.held = data
            return np.zeros((data.shape[0], 0), dtype=np.float32)
        shaped = data[:, : blocks * size].reshape(data.shape[0], blocks, size)
        peaks = np.abs(shaped).max(axis=(0, 2)) * 1.12
        needed = np.minimum(1.0, self.ceiling / np.maximum(peaks, 1e-9))
        # Each block takes the lowest gain needed within the look-ahead after it.
        padded = np.concatenate([needed, np.ones(self.ATTACK)])
        window = np.lib.stride_tricks.sliding_window_view(padded, self.ATTACK + 1)
        gain = window[:ready].min(axis=1)
        smoothed = np.empty(ready)
        level, release = self.level, self.RELEASE
        for i in range(ready):
            g = gain[i]
            level = g if g < level else g + (level - g) * release
            smoothed[i] = level
        self.level = level
        curve = np.repeat(smoothed, size).astype(np.float32)
        out = data[:, : ready * size] * curve[None, :]
        self.held = data[:, ready * size :]
        return out

    def flush(self) -> np.ndarray:
        held = self.held.shape[1]
        out = self.feed(np.zeros((2, 0), dtype=np.float32), final=True)
        return out[:, :held]


def integrated_loudness(audio: np.ndarray, rate: int = RATE) -> float:
    """Integrated loudness in LUFS of a whole (channels, samples) array."""
    meter = Meter(rate)
    for start in range(0, audio.shape[1], RATE * 10):
        meter.add(audio[:, start : start + RATE * 10])
    return meter.loudness()


def true_peak(audio: np.ndarray) -> float:
    """Highest absolute value of the signal oversampled 4 times (linear, not dB)."""
    meter = PeakMeter()
    for start in range(0, audio.shape[1], RATE * 10):
        meter.add(audio[:, start : start + RATE * 10])
    return meter.peak()


def limit(audio: np.ndarray, ceiling: float) -> np.ndarray:
    """The limiter over a whole array; the result never exceeds ceiling (sample peak)."""
    limiter = Limiter(ceiling / 0.97)
    return np.concatenate([limiter.feed(audio), limiter.flush()], axis=1)


def normalised(source, target: float):
    """Blocks of source() (a function giving a fresh iterator of blocks each call) brought to
    the target integrated loudness, with true peaks under -1 dBTP."""
    meter, peaks = Meter(), PeakMeter()
    for block in source():
        meter.add(block)
        peaks.add(block)
    measured = meter.loudness()
    if not np.isfinite(measured):
        yield from source()
        return
    gain = 10 ** ((target - measured) / 20)
    if peaks.peak() * gain <= Limiter.CEILING:
        yield from (b * np.float32(gain) for b in source())
        return
    # Peaks need limiting, which lowers the loudness a little: measure that, then correct.
    after = Meter()
    for block in _limited(source, gain):
        after.add(block)
    shortfall = target - after.loudness()
    yield from _limited(source, gain * 10 ** (shortfall / 20))


def _limited(source, gain: float):
    limiter = Limiter()
    for block in source():
        out = limiter.feed(block * np.float32(gain))
        if out.shape[1]:
            yield out
    yield limiter.flush()


def normalise(audio: np.ndarray, target: float) -> np.ndarray:
    """normalised() over a whole array."""

    def source():
        for start in range(0, audio.shape[1], RATE * 5):
            yield audio[:, start : start + RATE * 5]

    return np.concatenate(list(normalised(source, target)), axis=1)
