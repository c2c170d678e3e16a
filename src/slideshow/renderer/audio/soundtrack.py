"""The soundtrack: each clip cut from its recording by sample, resampled to 48 kHz stereo,
faded, and placed on the frame grid; silence under cards and silent segments; loudness
normalised (EBU R128) with a true-peak limit.

Everything streams in blocks of a few seconds, so a two-hour compilation needs no more
memory than a two-minute one: one pass measures, a second applies gain (and, when peaks
demand it, a limiter, whose effect a third pass corrects).
"""

from __future__ import annotations

import concurrent.futures as futures
import os
from collections import deque
from collections.abc import Iterator
from fractions import Fraction

import av
import numpy as np

from ...errors import MediaError
from ...timeline import AudioClip, Timeline
from ..encoded import Encoded
from .aac import RATE, make_audio_encoder
from .loudness import normalised

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


# The soundtrack is encoded in stretches of CHUNK samples on several threads (FFmpeg's AAC
# encoder runs without Python's lock), each encoder started PREROLL samples early and run
# POSTROLL past its stretch, so every packet kept was made with the signal around it as one
# encoder would have it; the joins then decode as cleanly as any other frame (tested). The
# stretches are fixed, so the bytes do not depend on the number of threads; a soundtrack of one
# stretch (under 22 s) is one encoder, as before.
CHUNK = 1024 * AAC_FRAME  # about 22 s
PREROLL = 8 * AAC_FRAME
POSTROLL = 4 * AAC_FRAME
THREADS = min(4, os.cpu_count() or 1)


def encode_audio(blocks, quality: str, writer=None, threads: int = THREADS) -> Encoded | None:
    """AAC-LC packets of float32 (2, n) blocks at 48 kHz, with timestamps in samples, made on
    up to `threads` threads.

    With a cache writer the packets stream into it (and None is returned): a long soundtrack
    never sits in memory whole (a few stretches at a time).
    """
    packets: list[bytes] = []
    pts: list[int] = []
    durations: list[int] = []
    extradata = b""
    threads = max(1, threads)
    with futures.ThreadPoolExecutor(threads) as pool:
        running: deque[futures.Future] = deque()

        def settle(future: futures.Future) -> None:
            nonlocal extradata
            stretch: Encoded = future.result()
            extradata = stretch.extradata
            for data, at, duration in zip(
                stretch.packets, stretch.pts or [], stretch.durations or []
            ):
                if writer is not None:
                    writer.add(data, True, at, duration)
                else:
                    packets.append(data)
                    pts.append(at)
                    durations.append(duration)

        for start, samples, last in _stretches(blocks):
            running.append(pool.submit(_encode_stretch, samples, start, last, quality))
            while len(running) > threads:
                settle(running.popleft())
        while running:
            settle(running.popleft())
    if writer is not None:
        writer.extradata = extradata
        return None
    return Encoded(extradata, packets, [True] * len(packets), pts, durations)


def _stretches(blocks) -> Iterator[tuple[int, np.ndarray, bool]]:
    """(first sample, the samples an encoder of that stretch is given, whether it is the last):
    stretch c keeps the packets of samples [c * CHUNK, (c + 1) * CHUNK) and is given PREROLL
    samples before them (none for the first) and POSTROLL after (none for the last)."""
    held: list[np.ndarray] = []  # the samples from `offset` on, in blocks
    count = offset = start = 0
    for block in blocks:
        held.append(block)
        count += block.shape[1]
        while offset + count >= start + CHUNK + POSTROLL:
            pending = _joined_once(held)
            end = start + CHUNK + POSTROLL
            yield start, pending[:, max(0, start - PREROLL) - offset : end - offset], False
            start += CHUNK
            drop = start - PREROLL - offset
            held, count, offset = [pending[:, drop:]], count - drop, offset + drop
    pending = _joined_once(held) if held else np.zeros((2, 0), dtype=np.float32)
    yield start, pending[:, max(0, start - PREROLL) - offset :], True


def _joined_once(held: list[np.ndarray]) -> np.ndarray:
    return held[0] if len(held) == 1 else np.concatenate(held, axis=1)


def _encode_stretch(samples: np.ndarray, start: int, last: bool, quality: str) -> Encoded:
    """Encode the samples (from sample start - PREROLL, or 0) and keep the packets of the
    stretch from start, timestamped in the soundtrack."""
    codec = make_audio_encoder(quality)
    origin = max(0, start - PREROLL)
    keep_from = start - AAC_FRAME if start == 0 else start  # the first keeps the priming
    keep_to = None if last else start + CHUNK
    packets: list[bytes] = []
    pts: list[int] = []
    durations: list[int] = []

    def take(result):
        for packet in result:
            at = origin + int(packet.pts)
            if at >= keep_from and (keep_to is None or at < keep_to):
                packets.append(bytes(packet))
                pts.append(at)
                durations.append(int(packet.duration))

    whole = samples.shape[1] - samples.shape[1] % AAC_FRAME
    for at in range(0, whole, AAC_FRAME):
        take(codec.encode(_audio_frame(samples[:, at : at + AAC_FRAME], at)))
    if whole < samples.shape[1]:
        take(codec.encode(_audio_frame(samples[:, whole:], whole)))
    take(codec.encode(None))
    return Encoded(bytes(codec.extradata or b""), packets, [True] * len(packets), pts, durations)


def _audio_frame(samples: np.ndarray, pts: int):
    chunk = np.ascontiguousarray(samples, dtype=np.float32)
    frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
    frame.sample_rate = RATE
    frame.pts = pts
    return frame
