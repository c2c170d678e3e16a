"""BS.1770 loudness against the standard's own reference points, and the limiter."""

import numpy as np

from slideshow.renderer.audio.aac import RATE
from slideshow.renderer.audio.loudness import (
    integrated_loudness,
    limit,
    normalise,
    true_peak,
)


def sine(seconds=20.0, freq=997.0, level=1.0, channels=1):
    t = np.arange(int(seconds * RATE)) / RATE
    return np.repeat((level * np.sin(2 * np.pi * freq * t))[None, :], channels, 0).astype(
        np.float32
    )


def test_reference_tone_reads_minus_3_lufs():
    # BS.1770-4: a 997 Hz sine at 0 dBFS in one channel measures -3.01 LKFS.
    assert abs(integrated_loudness(sine(), RATE) - (-3.01)) < 0.02


def test_stereo_level_and_gating():
    quiet = sine(level=10 ** (-20 / 20), channels=2)
    assert abs(integrated_loudness(quiet, RATE) - (-20.0)) < 0.02
    # Silence added around the tone is gated out: the reading does not change.
    padded = np.concatenate([np.zeros((2, RATE * 30), np.float32), quiet], axis=1)
    assert abs(integrated_loudness(padded, RATE) - (-20.0)) < 0.05
    assert integrated_loudness(np.zeros((2, RATE * 5), np.float32), RATE) == float("-inf")


def test_normalise_reaches_target_and_limits_true_peak():
    speechy = sine(level=0.05, channels=2) * (np.arange(20 * RATE) % RATE < RATE // 2)
    speechy[:, :: RATE * 2] = 0.9  # sharp clicks far above the speech, as on an old tape
    out = normalise(speechy, -16.0, RATE)
    assert abs(integrated_loudness(out, RATE) - (-16.0)) < 0.5
    assert 20 * np.log10(true_peak(out, RATE)) <= -1.0


def test_limiter_keeps_quiet_passages_untouched():
    signal_ = sine(seconds=4, level=0.1, channels=2)
    signal_[:, RATE * 2 : RATE * 2 + 10] = 1.0
    out = limit(signal_, 0.5, RATE)
    assert np.abs(out).max() <= 0.5 + 1e-6
    assert np.allclose(out[:, :RATE], signal_[:, :RATE])


def biquad(b, a, x):
    """Direct form I, sample by sample: the reference."""
    out, x1, x2, y1, y2 = [], 0.0, 0.0, 0.0, 0.0
    for value in x.tolist():
        y = b[0] * value + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2
        x2, x1, y2, y1 = x1, value, y1, y
        out.append(y)
    return np.array(out)


def test_k_weighting_in_ffmpeg_matches_the_filters_run_sample_by_sample():
    from slideshow.renderer.audio.loudness import _k_weighting, _KWeighting, _Stream

    noise = np.random.default_rng(5).standard_normal((2, 50_000))
    exact = noise[1]
    for b, a in _k_weighting(RATE):
        exact = biquad(b, a, exact)
    stream = _Stream(_KWeighting(RATE, 2), RATE, "dblp")
    pieces = [p for i in range(0, 50_000, 7_000) for p in stream.feed(noise[:, i : i + 7_000])]
    fast = np.concatenate([*pieces, *stream.flush()], axis=1)
    assert fast.shape == noise.shape
    assert np.abs(fast[1] - exact).max() < 1e-9 * np.abs(exact).max()


def test_true_peak_finds_the_peak_between_samples():
    # A sine at a quarter of the sample rate, sampled 45 degrees off its crests: every sample
    # reads 0.707, the wave itself reaches 1.0 (an inter-sample peak). Faded in and out, so
    # the edges do not ring.
    t = np.arange(RATE * 2)
    fade = np.minimum(1, np.minimum(t, t[::-1]) / (RATE // 10))
    samples = (np.sin(2 * np.pi * t / 4 + np.pi / 4) * fade).astype(np.float32)[None, :]
    assert abs(np.abs(samples).max() - 0.7071) < 1e-3
    assert abs(true_peak(samples, RATE) - 1.0) < 0.02
