"""AAC settings per quality: the soundtrack's bit rate and FFmpeg's coder, and its encoder."""

from __future__ import annotations

from dataclasses import dataclass

import av

RATE = 48_000  # the soundtrack's sample rate: AAC-LC at 48 kHz, as the contract says


@dataclass(frozen=True)
class AacSettings:
    bitrate: int
    coder: str


# aac_coder: FFmpeg's `twoloop` searches scale factors to the bit budget; `fast` does not.
# Measured on two minutes of the benchmark's speech at 192 kb/s: 4.0 CPU-s against 2.4,
# waveform SNR 18.9 dB against 16.3 dB, both about 100 kb/s in practice. `master` is for
# keeping, so it takes the better coder.
AAC = {
    "draft": AacSettings(bitrate=128_000, coder="fast"),
    "standard": AacSettings(bitrate=192_000, coder="fast"),
    "master": AacSettings(bitrate=256_000, coder="twoloop"),
}


def audio_options(quality: str) -> dict[str, str]:
    return {"aac_coder": AAC[quality].coder}


def make_audio_encoder(quality: str):
    codec = av.CodecContext.create("aac", "w")
    codec.sample_rate = RATE
    codec.layout = "stereo"
    codec.format = "fltp"
    codec.bit_rate = AAC[quality].bitrate
    codec.options = audio_options(quality)
    return codec
