"""The soundtrack: each clip cut from its recording by sample, resampled to 48 kHz stereo,
faded, and placed on the frame grid; silence under cards and silent segments."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np

from ..errors import MediaError
from ..timeline import AudioClip, Timeline
from .loudness import RATE, normalise


def samples_at(frame: int, fps: Fraction) -> int:
    """The first audio sample of a frame: the frame grid decides where audio goes."""
    return round(Fraction(frame) * RATE / fps)


def build_track(timeline: Timeline) -> np.ndarray:
    """The whole soundtrack as float32 (2, samples), loudness-normalised when asked."""
    total = samples_at(timeline.frames, timeline.fps)
    track = np.zeros((2, total), dtype=np.float32)
    for clip in timeline.audio:
        start = samples_at(clip.start, timeline.fps)
        end = samples_at(clip.start + clip.frames, timeline.fps)
        pcm = read_clip(clip, end - start)
        _fade(pcm, samples_at(clip.fade_in, timeline.fps), samples_at(clip.fade_out, timeline.fps))
        track[:, start:end] = pcm
    if timeline.look.loudness is not None:
        track = normalise(track, timeline.look.loudness)
    return track


def read_clip(clip: AudioClip, count: int) -> np.ndarray:
    """count samples at 48 kHz stereo from clip.source_start of the recording."""
    try:
        with av.open(clip.file) as container:
            stream = container.streams.audio[0]
            mono = stream.codec_context.channels == 1
            resampler = av.AudioResampler(
                format="fltp", layout="mono" if mono else "stereo", rate=RATE
            )
            skip = round(clip.source_start * RATE)
            if clip.source_start > 2 and stream.time_base:
                # Seek a little early; the frames' own timestamps say where decoding resumed.
                target = int((clip.source_start - 1) / stream.time_base)
                container.seek(target, stream=stream, backward=True)
            chunks: list[np.ndarray] = []
            have = 0
            position: int | None = None
            for frame in container.decode(stream):
                if position is None:
                    seconds = Fraction(frame.pts) * frame.time_base if frame.pts is not None else 0
                    position = round(seconds * RATE)
                for out in resampler.resample(frame):
                    data = out.to_ndarray()
                    chunks.append(data)
                    have += data.shape[1]
                if position + have >= skip + count:
                    break
            else:
                for out in resampler.resample(None):
                    data = out.to_ndarray()
                    chunks.append(data)
                    have += data.shape[1]
    except (av.FFmpegError, OSError) as exc:
        raise MediaError(f"recording {clip.source!r}: cannot be decoded ({exc})") from None
    if not chunks:
        raise MediaError(f"recording {clip.source!r}: no audio could be decoded")
    pcm = np.concatenate(chunks, axis=1).astype(np.float32)
    offset = skip - (position or 0)
    pcm = pcm[:, max(offset, 0) : max(offset, 0) + count]
    if pcm.shape[1] < count:
        # A recording a few samples shorter than its header says: pad with silence.
        short = count - pcm.shape[1]
        if short > RATE // 10:
            raise MediaError(
                f"recording {clip.source!r}: ends {short / RATE:.2f} s earlier than its header "
                "says; is it truncated?"
            )
        pcm = np.pad(pcm, ((0, 0), (0, short)))
    if pcm.shape[0] == 1:
        pcm = np.repeat(pcm, 2, axis=0)
    return pcm


def _fade(pcm: np.ndarray, fade_in: int, fade_out: int) -> None:
    """Equal-power-ish (sine) fades at the clip's edges, in place."""
    if fade_in > 0:
        ramp = np.sin(np.linspace(0, np.pi / 2, fade_in, dtype=np.float32)) ** 2
        pcm[:, :fade_in] *= ramp
    if fade_out > 0:
        ramp = np.sin(np.linspace(np.pi / 2, 0, fade_out, dtype=np.float32)) ** 2
        pcm[:, pcm.shape[1] - fade_out :] *= ramp
