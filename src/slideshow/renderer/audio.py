"""The soundtrack: each clip cut from its recording by sample, resampled to 48 kHz stereo,
faded, and placed on the frame grid; silence under cards and silent segments; loudness
normalised (EBU R128) with a true-peak limit.

Everything streams in blocks of a few seconds, so a two-hour compilation needs no more
memory than a two-minute one: one pass measures, a second applies gain (and, when peaks
demand it, a limiter, whose effect a third pass corrects).
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

import av
import numpy as np

from ..errors import MediaError
from ..timeline import AudioClip, Timeline
from .encoding import QUALITIES, Encoded
from .loudness import normalised

RATE = 48_000  # the soundtrack's sample rate: AAC-LC at 48 kHz, as the contract says
AAC_FRAME = 1024  # samples in an AAC-LC frame
BLOCK = RATE * 5  # samples per block


def samples_at(frame: int, fps: Fraction) -> int:
    """The first audio sample of a frame: the frame grid decides where audio goes."""
    return round(Fraction(frame) * RATE / fps)


def blocks(timeline: Timeline) -> Iterator[np.ndarray]:
    """The soundtrack as float32 (2, n) blocks, exactly samples_at(frames) samples in all."""
    position = 0
    for clip in timeline.audio:
        start = samples_at(clip.start, timeline.fps)
        end = samples_at(clip.start + clip.frames, timeline.fps)
        yield from _silence(start - position)
        fade_in = samples_at(clip.fade_in, timeline.fps)
        fade_out = samples_at(clip.fade_out, timeline.fps)
        at = 0
        for block in read_clip(clip, end - start):
            _fade(block, at, end - start, fade_in, fade_out)
            at += block.shape[1]
            yield block
        position = end
    yield from _silence(samples_at(timeline.frames, timeline.fps) - position)


def _silence(count: int) -> Iterator[np.ndarray]:
    while count > 0:
        n = min(count, BLOCK)
        yield np.zeros((2, n), dtype=np.float32)
        count -= n


# Normalising reads the recordings two or three times; a soundtrack this short is read once
# and kept (about 70 MB of samples at most), a longer one streams each time.
KEPT_SAMPLES = RATE * 180


def soundtrack(timeline: Timeline) -> Iterator[np.ndarray]:
    """The finished soundtrack in blocks: normalised to the storyboard's loudness if asked."""
    if timeline.look.loudness is None:
        return blocks(timeline)
    if samples_at(timeline.frames, timeline.fps) <= KEPT_SAMPLES:
        kept: list[np.ndarray] = []

        def source() -> Iterator[np.ndarray]:
            if kept:
                return iter(kept)
            return _keeping(_joined(blocks(timeline)), kept)

        return normalised(source, timeline.look.loudness, RATE)
    return normalised(lambda: _joined(blocks(timeline)), timeline.look.loudness, RATE)


def _joined(source: Iterator[np.ndarray], size: int = RATE) -> Iterator[np.ndarray]:
    """The same samples in blocks of about a second: a decoder's frames are a few thousand
    samples, and the meters and the limiter cost as much per call as per second of sound."""
    pending: list[np.ndarray] = []
    count = 0
    for block in source:
        pending.append(block)
        count += block.shape[1]
        if count >= size:
            yield np.concatenate(pending, axis=1) if len(pending) > 1 else pending[0]
            pending, count = [], 0
    if pending:
        yield np.concatenate(pending, axis=1) if len(pending) > 1 else pending[0]


def _keeping(source: Iterator[np.ndarray], kept: list[np.ndarray]) -> Iterator[np.ndarray]:
    for block in source:
        kept.append(block)
        yield block


def read_clip(clip: AudioClip, count: int) -> Iterator[np.ndarray]:
    """Exactly count samples at 48 kHz stereo from clip.source_start of the recording."""
    try:
        yield from _read(clip, count)
    except (av.FFmpegError, OSError) as exc:
        raise MediaError(f"recording {clip.source!r}: cannot be decoded ({exc})") from None


def _read(clip: AudioClip, count: int) -> Iterator[np.ndarray]:
    with av.open(clip.file) as container:
        stream = container.streams.audio[0]
        mono = stream.codec_context.channels == 1
        resampler = av.AudioResampler(format="fltp", layout="mono" if mono else "stereo", rate=RATE)
        skip = round(clip.source_start * RATE)
        if clip.source_start > 2 and stream.time_base:
            # Seek a little early; the frames' own timestamps say where decoding resumed.
            container.seek(
                int((clip.source_start - 1) / stream.time_base), stream=stream, backward=True
            )
        position: int | None = None
        wanted = count

        def take(data: np.ndarray):
            nonlocal skip, wanted
            if skip:
                cut = min(skip, data.shape[1])
                data = data[:, cut:]
                skip -= cut
            data = data[:, :wanted]
            wanted -= data.shape[1]
            return np.repeat(data, 2, axis=0) if data.shape[0] == 1 else data

        for frame in container.decode(stream):
            if position is None:
                seconds = Fraction(frame.pts) * frame.time_base if frame.pts is not None else 0
                position = round(seconds * RATE)
                skip = max(0, skip - position)
            for out in resampler.resample(frame):
                data = take(out.to_ndarray())
                if data.shape[1]:
                    yield data.astype(np.float32, copy=False)
            if wanted <= 0:
                return
        for out in resampler.resample(None):
            data = take(out.to_ndarray())
            if data.shape[1]:
                yield data.astype(np.float32, copy=False)
    if wanted > 0:
        # A recording a few samples shorter than its header says: pad with silence.
        if wanted > RATE // 10:
            raise MediaError(
                f"recording {clip.source!r}: ends {wanted / RATE:.2f} s earlier than its "
                "header says; is it truncated?"
            )
        yield np.zeros((2, wanted), dtype=np.float32)


def _fade(block: np.ndarray, at: int, total: int, fade_in: int, fade_out: int) -> None:
    """Sine-squared fades at the clip's edges, in place; `at` is the block's offset."""
    n = block.shape[1]
    index = np.arange(at, at + n)
    gain = np.ones(n, dtype=np.float32)
    if fade_in > 0 and at < fade_in:
        ramp = np.clip(index / fade_in, 0, 1)
        gain *= np.sin(ramp * np.pi / 2).astype(np.float32) ** 2
    if fade_out > 0 and at + n > total - fade_out:
        ramp = np.clip((total - index) / fade_out, 0, 1)
        gain *= np.sin(ramp * np.pi / 2).astype(np.float32) ** 2
    if (fade_in > 0 and at < fade_in) or (fade_out > 0 and at + n > total - fade_out):
        block *= gain


# --- AAC: the soundtrack's encoder, its settings per quality, its frames ----------------


def audio_options(quality: str) -> dict[str, str]:
    return {"aac_coder": QUALITIES[quality].aac_coder}


def make_audio_encoder(quality: str):
    codec = av.CodecContext.create("aac", "w")
    codec.sample_rate = RATE
    codec.layout = "stereo"
    codec.format = "fltp"
    codec.bit_rate = QUALITIES[quality].audio_bitrate
    codec.options = audio_options(quality)
    return codec


def encode_audio(blocks, quality: str, writer=None) -> Encoded | None:
    """AAC-LC packets of float32 (2, n) blocks at 48 kHz, with timestamps in samples.

    With a cache writer the packets stream into it (and None is returned): a long soundtrack
    never sits in memory whole.
    """
    codec = make_audio_encoder(quality)
    packets, pts, durations = [], [], []

    def take(result):
        for packet in result:
            if writer is not None:
                writer.add(bytes(packet), True, int(packet.pts), int(packet.duration))
            else:
                packets.append(bytes(packet))
                pts.append(int(packet.pts))
                durations.append(int(packet.duration))

    position = 0
    pending = np.zeros((2, 0), dtype=np.float32)
    for block in blocks:
        pending = np.concatenate([pending, block], axis=1) if pending.shape[1] else block
        whole = pending.shape[1] - pending.shape[1] % AAC_FRAME
        for start in range(0, whole, AAC_FRAME):
            take(codec.encode(_audio_frame(pending[:, start : start + AAC_FRAME], position)))
            position += AAC_FRAME
        pending = pending[:, whole:]
    if pending.shape[1]:
        take(codec.encode(_audio_frame(pending, position)))
    take(codec.encode(None))
    extradata = bytes(codec.extradata or b"")
    if writer is not None:
        writer.extradata = extradata
        return None
    return Encoded(extradata, packets, [True] * len(packets), pts, durations)


def _audio_frame(samples: np.ndarray, pts: int):
    chunk = np.ascontiguousarray(samples, dtype=np.float32)
    frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
    frame.sample_rate = RATE
    frame.pts = pts
    return frame
