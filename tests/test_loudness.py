"""BS.1770 loudness against the standard's own reference points, and the limiter."""

import numpy as np

from slideshow.renderer.loudness import integrated_loudness, limit, normalise, true_peak

RATE = 48_000


def sine(seconds=20.0, freq=997.0, level=1.0, channels=1):
    t = np.arange(int(seconds * RATE)) / RATE
    return np.repeat((level * np.sin(2 * np.pi * freq * t))[None, :], channels, 0).astype(
        np.float32
    )


def test_reference_tone_reads_minus_3_lufs():
    # BS.1770-4: a 997 Hz sine at 0 dBFS in one channel measures -3.01 LKFS.
    assert abs(integrated_loudness(sine()) - (-3.01)) < 0.02


def test_stereo_level_and_gating():
    quiet = sine(level=10 ** (-20 / 20), channels=2)
    assert abs(integrated_loudness(quiet) - (-20.0)) < 0.02
    # Silence added around the tone is gated out: the reading does not change.
    padded = np.concatenate([np.zeros((2, RATE * 30), np.float32), quiet], axis=1)
    assert abs(integrated_loudness(padded) - (-20.0)) < 0.05
    assert integrated_loudness(np.zeros((2, RATE * 5), np.float32)) == float("-inf")


def test_normalise_reaches_target_and_limits_true_peak():
    speechy = sine(level=0.05, channels=2) * (np.arange(20 * RATE) % RATE < RATE // 2)
    speechy[:, :: RATE * 2] = 0.9  # sharp clicks far above the speech, as on an old tape
    out = normalise(speechy, -16.0)
    assert abs(integrated_loudness(out) - (-16.0)) < 0.5
    assert 20 * np.log10(true_peak(out)) <= -1.0


def test_limiter_keeps_quiet_passages_untouched():
    signal_ = sine(seconds=4, level=0.1, channels=2)
    signal_[:, RATE * 2 : RATE * 2 + 10] = 1.0
    out = limit(signal_, 0.5)
    assert np.abs(out).max() <= 0.5 + 1e-6
    assert np.allclose(out[:, :RATE], signal_[:, :RATE])


def test_k_weighting_by_fft_matches_the_filters_run_sample_by_sample():
    from slideshow.renderer.loudness import _biquad, _Convolver, _k_response, _k_weighting

    noise = np.random.default_rng(5).standard_normal((2, 150_000))
    exact = noise[0]
    for b, a in _k_weighting(RATE):
        exact = _biquad(b, a, exact)
    convolver = _Convolver(_k_response(RATE))
    pieces = [convolver.feed(noise[:, i : i + 7_000]) for i in range(0, 150_000, 7_000)]
    fast = np.concatenate([p for p in [*pieces, convolver.flush()] if p is not None], axis=1)
    assert fast.shape == noise.shape
    assert np.abs(fast[0] - exact).max() < 1e-9 * np.abs(exact).max()


def test_true_peak_finds_the_peak_between_samples():
    # A sine at a quarter of the sample rate, sampled 45 degrees off its crests: every sample
    # reads 0.707, the wave itself reaches 1.0 (the standard's own example of an inter-sample
    # peak).
    t = np.arange(RATE * 2)
    samples = np.sin(2 * np.pi * t / 4 + np.pi / 4).astype(np.float32)[None, :]
    assert abs(np.abs(samples).max() - 0.7071) < 1e-3
    assert abs(true_peak(samples) - 1.0) < 0.02
