"""Joining encoded pieces and the soundtrack into one faststart MP4, without re-encoding video."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from ..errors import RenderError
from ..timeline import Timeline
from .encoding import QUALITIES, x264_options
from .loudness import RATE

AUDIO_FRAME = 1024  # AAC-LC frame size


def write_mp4(
    path: Path,
    timeline: Timeline,
    video: Iterable[tuple[bytes, bool]],
    extradata: bytes,
    soundtrack: np.ndarray,
) -> None:
    """Mux packets (one per frame, in order) and the soundtrack into path."""
    fps = timeline.fps
    container = av.open(
        str(path), "w", format="mp4", options={"movflags": "+faststart", "use_editlist": "1"}
    )
    try:
        # An encoder stream opened with the pieces' own header settings carries the same
        # SPS and PPS; it is checked below and only ever muxes the pieces' packets.
        vstream = container.add_stream(
            "libx264", rate=fps, options=x264_options(timeline.look.quality, "still", fps)
        )
        vstream.width = timeline.look.width
        vstream.height = timeline.look.height
        vstream.pix_fmt = "yuv420p"
        vstream.codec_context.color_range = 1
        vstream.time_base = 1 / fps
        astream = container.add_stream("aac", rate=RATE)
        astream.layout = "stereo"
        astream.bit_rate = QUALITIES[timeline.look.quality].audio_bitrate
        container.metadata["title"] = timeline.title
        if timeline.description:
            container.metadata["description"] = timeline.description
            container.metadata["comment"] = timeline.description
        if timeline.language:
            astream.metadata["language"] = _iso639_2(timeline.language)
        container.set_chapters(_chapters(timeline))
        container.start_encoding()
        if bytes(vstream.codec_context.extradata or b"") != extradata:
            raise RenderError(
                "internal error: the encoded pieces disagree with the output's H.264 headers"
            )
        audio = _audio_frames(soundtrack)
        next_audio = next(audio, None)
        audio_pts = 0
        for index, (data, keyframe) in enumerate(video):
            # Keep the streams interleaved: audio up to this frame's time goes in first.
            while next_audio is not None and Fraction(audio_pts, RATE) <= index / fps:
                for packet in astream.encode(next_audio):
                    container.mux(packet)
                audio_pts += next_audio.samples
                next_audio = next(audio, None)
            packet = av.Packet(data)
            packet.stream = vstream
            packet.time_base = 1 / fps
            packet.pts = packet.dts = index
            packet.is_keyframe = keyframe
            container.mux(packet)
        while next_audio is not None:
            for packet in astream.encode(next_audio):
                container.mux(packet)
            next_audio = next(audio, None)
        for packet in astream.encode(None):
            container.mux(packet)
    finally:
        container.close()


def _audio_frames(track: np.ndarray):
    for start in range(0, track.shape[1], AUDIO_FRAME):
        chunk = np.ascontiguousarray(track[:, start : start + AUDIO_FRAME], dtype=np.float32)
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
        frame.sample_rate = RATE
        frame.pts = start
        frame.time_base = Fraction(1, RATE)
        yield frame


def _chapters(timeline: Timeline) -> list[dict]:
    chapters = []
    ends = [c.start for c in timeline.chapters[1:]] + [timeline.frames]
    for number, (chapter, end) in enumerate(zip(timeline.chapters, ends)):
        chapters.append(
            {
                "id": number,
                "start": chapter.start,
                "end": end,
                "time_base": 1 / timeline.fps,
                "metadata": {"title": chapter.title},
            }
        )
    return chapters


_ISO639 = {
    "en": "eng",
    "he": "heb",
    "yi": "yid",
    "ru": "rus",
    "uk": "ukr",
    "de": "deu",
    "fr": "fra",
    "es": "spa",
    "pl": "pol",
    "it": "ita",
    "pt": "por",
    "nl": "nld",
}


def _iso639_2(tag: str) -> str:
    return _ISO639.get(tag.split("-")[0].lower(), "und")
