"""The soundtrack's AAC made in stretches on several threads (renderer/audio/soundtrack.py):
the same packet timing as one encoder, joins that decode as cleanly as any other frame, and the same
bytes whatever the number of threads."""

from __future__ import annotations

import av
import numpy as np
import pytest

from slideshow.renderer.audio import soundtrack as audio

N = audio.RATE * 3 + 777  # two stretches of 64 frames and part of a third


@pytest.fixture
def small_stretches(monkeypatch):
    monkeypatch.setattr(audio, "CHUNK", 64 * audio.AAC_FRAME)


def speech_like() -> np.ndarray:
    """A tone switched on and off and bursts of noise, slightly different on each side."""
    rng = np.random.default_rng(5)
    t = np.arange(N) / audio.RATE
    tone = 0.3 * np.sin(2 * np.pi * 220 * t) * (np.sin(2 * np.pi * 0.7 * t) > 0)
    noise = rng.standard_normal(N) * 0.05 * (np.sin(2 * np.pi * 3 * t) > 0.5)
    mono = tone + noise
    return np.stack([mono, np.roll(mono, 100)]).astype(np.float32)


def blocks(pcm: np.ndarray, size: int = 5000):
    for at in range(0, pcm.shape[1], size):
        yield pcm[:, at : at + size]


def decoded(encoded) -> np.ndarray:
    decoder = av.CodecContext.create("aac", "r")
    decoder.extradata = encoded.extradata
    out = [f.to_ndarray() for p in encoded.packets for f in decoder.decode(av.Packet(p))]
    out += [f.to_ndarray() for f in decoder.decode(None)]
    return np.concatenate(out, axis=1)[:, audio.AAC_FRAME : audio.AAC_FRAME + N]


def frame_errors(pcm: np.ndarray, got: np.ndarray) -> np.ndarray:
    """Mean squared error of each 1024-sample frame."""
    error = ((got - pcm) ** 2).sum(axis=0)
    whole = N // audio.AAC_FRAME * audio.AAC_FRAME
    return error[:whole].reshape(-1, audio.AAC_FRAME).mean(axis=1)


def test_stretches_join_as_one_encoder_would(small_stretches, monkeypatch):
    pcm = speech_like()
    chunked = audio.encode_audio(blocks(pcm), "standard")
    monkeypatch.setattr(audio, "CHUNK", 10**9)
    whole = audio.encode_audio(blocks(pcm), "standard")
    assert chunked is not None and whole is not None
    # The same packets in time: the priming packet, then one per 1024 samples, the last short.
    assert chunked.pts == whole.pts and chunked.durations == whole.durations
    assert chunked.pts[0] == -audio.AAC_FRAME and sum(chunked.durations) == N + audio.AAC_FRAME
    assert chunked.packets != whole.packets  # really made apart
    signal = (pcm**2).sum()
    ours, theirs = frame_errors(pcm, decoded(chunked)), frame_errors(pcm, decoded(whole))
    snr = [10 * np.log10(signal / (e.sum() * audio.AAC_FRAME)) for e in (ours, theirs)]
    assert abs(snr[0] - snr[1]) < 0.3, snr
    # At each join (64 frames a stretch), no more error than one encoder leaves there, give or
    # take the quantisation noise of a loud frame.
    loud = np.median(theirs[theirs > 1e-6])
    for join in (64, 128, 192):
        near = slice(join - 2, join + 2)
        assert (ours[near] <= theirs[near] + loud).all(), (join, ours[near], theirs[near])


def test_the_bytes_do_not_depend_on_the_threads(small_stretches):
    pcm = speech_like()
    made = [audio.encode_audio(blocks(pcm, 7000), "standard", threads=n) for n in (1, 3)]
    assert made[0].packets == made[1].packets and made[0].pts == made[1].pts


def test_a_soundtrack_of_one_stretch_or_none(small_stretches):
    for length in (0, 100, 64 * audio.AAC_FRAME + audio.POSTROLL):
        pcm = np.zeros((2, length), dtype=np.float32)
        encoded = audio.encode_audio(blocks(pcm), "standard")
        assert sum(encoded.durations) == length + audio.AAC_FRAME * (length > 0)
