"""EBU R128 / ITU-R BS.1770-4 loudness: a streaming meter, a true-peak meter and a
look-ahead peak limiter, all fed in blocks so memory does not grow with length.

The filtering runs in FFmpeg, through PyAV: the K-weighting is its `biquad` filter in double
precision with the standard's coefficients (equal to a sample-by-sample run to 1e-12), and the
4x oversampling for true peak is libswresample. (SciPy's lfilter and resample_poly did the
same, but importing SciPy's signal package cost a second and 70 MB in the soundtrack's
process; NumPy FFT convolution was four times slower than SciPy.)
"""

from __future__ import annotations

from fractions import Fraction

import av
import av.filter
import numpy as np


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

    def __init__(self, rate: int):
        self.rate = rate
        self.filter: _Stream | None = None
        self.step = rate // 10  # gating blocks are 400 ms overlapping by 75%: four 100 ms steps
        self.carry: np.ndarray | None = None
        self.powers: list[np.ndarray] = []

    def add(self, block: np.ndarray) -> None:
        if self.filter is None:
            self.filter = _Stream(_KWeighting(self.rate, block.shape[0]), self.rate, "dblp")
        # A tone at -360 dB on the Nyquist frequency keeps the filters' state out of subnormal
        # numbers: silence (cards, pauses, fades) was ten times slower to measure than sound.
        # It passes both filters unchanged in size and adds nothing a loudness can show.
        first = self.filter.position % 2
        tiny = np.where(np.arange(first, first + block.shape[1]) % 2, -1e-18, 1e-18)
        for weighted in self.filter.feed(np.asarray(block, dtype=np.float64) + tiny):
            self._take(weighted)

    def _take(self, weighted: np.ndarray) -> None:
        if not weighted.shape[1]:
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
        if self.filter is not None:
            for weighted in self.filter.flush():
                self._take(weighted)
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
    """True peak (linear) of a stream: the signal oversampled 4 times (libswresample)."""

    def __init__(self, rate: int):
        self.rate = rate
        self.stream: _Stream | None = None
        self.value = 0.0

    def add(self, block: np.ndarray) -> None:
        if self.stream is None:
            self.stream = _Stream(_Upsampler(self.rate, block.shape[0]), self.rate, "fltp")
        self._take(self.stream.feed(block))

    def _take(self, outputs: list[np.ndarray]) -> None:
        for out in outputs:
            if out.size:
                self.value = max(self.value, float(np.abs(out).max()))

    def peak(self) -> float:
        if self.stream is not None:
            self._take(self.stream.flush())
        return self.value


def _layout(channels: int) -> str:
    return {1: "mono", 2: "stereo"}[channels]


class _Stream:
    """(channels, n) blocks through an FFmpeg filter graph or resampler, in order."""

    def __init__(self, node, rate: int, sample_format: str):
        self.node = node
        self.rate = rate
        self.format = sample_format
        self.position = 0

    def feed(self, block: np.ndarray) -> list[np.ndarray]:
        dtype = np.float64 if self.format == "dblp" else np.float32
        data = np.ascontiguousarray(block, dtype=dtype)
        frame = av.AudioFrame.from_ndarray(data, format=self.format, layout=_layout(len(data)))
        frame.sample_rate = self.rate
        frame.pts = self.position
        self.position += data.shape[1]
        return self.node.run(frame)

    def flush(self) -> list[np.ndarray]:
        return self.node.run(None)


class _Upsampler:
    def __init__(self, rate: int, channels: int):
        self.resampler = av.AudioResampler(format="fltp", layout=_layout(channels), rate=4 * rate)

    def run(self, frame) -> list[np.ndarray]:
        return [out.to_ndarray() for out in self.resampler.resample(frame)]


class _KWeighting:
    """The K-weighting as an FFmpeg filter graph: two biquads, in double precision."""

    def __init__(self, rate: int, channels: int):
        self.graph = av.filter.Graph()
        last = self.graph.add_abuffer(
            format="dblp", sample_rate=rate, layout=_layout(channels), time_base=Fraction(1, rate)
        )
        names = ("b0", "b1", "b2", "a0", "a1", "a2")
        for b, a in _k_weighting(rate):
            args = ":".join(f"{n}={float(v)!r}" for n, v in zip(names, (*b, *a)))
            node = self.graph.add("biquad", args + ":precision=f64")
            last.link_to(node)
            last = node
        last.link_to(self.graph.add("abuffersink"))
        self.graph.configure()

    def run(self, frame) -> list[np.ndarray]:
        self.graph.push(frame)
        out = []
        while True:
            try:
                out.append(self.graph.pull().to_ndarray())
            except (av.error.BlockingIOError, av.error.EOFError):
                return out


class Limiter:
    """Look-ahead peak limiter: gain comes down 5 ms before a peak over the ceiling and
    recovers over about 100 ms. Streaming: feed() holds back the look-ahead, flush() ends."""

    # 0.3 dB under -1 dBTP, for the AAC encoder's overshoot; per-block peaks are taken
    # 12% high (about 1 dB), for the peaks between samples.
    CEILING = 10 ** (-1.3 / 20)
    ATTACK = 5
    RELEASE = float(np.exp(-1 / 100))

    def __init__(self, rate: int, ceiling: float | None = None):
        self.block = rate // 1000  # gain changes once a millisecond
        self.ceiling = (ceiling or self.CEILING) * 0.97
        self.held = np.zeros((2, 0), dtype=np.float32)
        self.level = 1.0

    def feed(self, block: np.ndarray, final: bool = False) -> np.ndarray:
        data = np.concatenate([self.held, block], axis=1) if self.held.shape[1] else block
        size = self.block
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


def _blocks(audio: np.ndarray, size: int):
    for start in range(0, audio.shape[1], size):
        yield audio[:, start : start + size]


def integrated_loudness(audio: np.ndarray, rate: int) -> float:
    """Integrated loudness in LUFS of a whole (channels, samples) array."""
    meter = Meter(rate)
    for block in _blocks(audio, rate * 10):
        meter.add(block)
    return meter.loudness()


def true_peak(audio: np.ndarray, rate: int) -> float:
    """Highest absolute value of the signal oversampled 4 times (linear, not dB)."""
    meter = PeakMeter(rate)
    for block in _blocks(audio, rate * 10):
        meter.add(block)
    return meter.peak()


def limit(audio: np.ndarray, ceiling: float, rate: int) -> np.ndarray:
    """The limiter over a whole array; the result never exceeds ceiling (sample peak)."""
    limiter = Limiter(rate, ceiling / 0.97)
    return np.concatenate([limiter.feed(audio), limiter.flush()], axis=1)


def normalised(source, target: float, rate: int):
    """Blocks of source() (a function giving a fresh iterator of blocks each call) brought to
    the target integrated loudness, with true peaks under -1 dBTP."""
    meter, peaks = Meter(rate), PeakMeter(rate)
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
    after = Meter(rate)
    for block in _limited(source, gain, rate):
        after.add(block)
    shortfall = target - after.loudness()
    yield from _limited(source, gain * 10 ** (shortfall / 20), rate)


def _limited(source, gain: float, rate: int):
    limiter = Limiter(rate)
    for block in source():
        out = limiter.feed(block * np.float32(gain))
        if out.shape[1]:
            yield out
    yield limiter.flush()


def normalise(audio: np.ndarray, target: float, rate: int) -> np.ndarray:
    """normalised() over a whole array."""
    blocks = list(normalised(lambda: _blocks(audio, rate * 5), target, rate))
    return np.concatenate(blocks, axis=1)
