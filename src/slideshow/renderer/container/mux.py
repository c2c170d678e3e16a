"""Joining encoded pieces and the soundtrack into one faststart MP4, without re-encoding video."""

from __future__ import annotations

import struct
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import av

from ...errors import RenderError
from ...languages import autonym, iso639_2
from ...timeline import Timeline
from ..audio.aac import AAC, RATE, audio_options
from ..video.encoding import x264_options
from .cuetext import wrapped

if TYPE_CHECKING:
    from av.container.core import Chapter  # a TypedDict of PyAV's stubs


def write_mp4(
    path: Path,
    timeline: Timeline,
    video: Iterable,
    extradata: bytes,
    soundtrack,
) -> None:
    """Mux video frames (assemble.Frame: in decode order, with display and decode times) and
    the encoded soundtrack into path."""
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
        quality = timeline.look.quality
        astream = container.add_stream("aac", rate=RATE, options=audio_options(quality))
        astream.layout = "stereo"
        astream.bit_rate = AAC[quality].bitrate
        container.metadata["title"] = timeline.title
        if timeline.description:
            container.metadata["description"] = timeline.description
            container.metadata["comment"] = timeline.description
        astream.metadata["language"] = iso639_2(timeline.spoken)
        subtitles = _subtitle_packets(container, timeline)
        container.set_chapters(_chapters(timeline))
        container.start_encoding()
        if bytes(vstream.codec_context.extradata or b"") != extradata:
            raise RenderError(
                "internal error: the encoded pieces disagree with the output's H.264 headers"
            )
        if bytes(astream.codec_context.extradata or b"") != soundtrack.extradata:
            raise RenderError(
                "internal error: the soundtrack disagrees with the output's AAC headers"
            )
        audio = _audio_packets(astream, soundtrack)
        next_audio = next(audio, None)
        # Keep the streams interleaved: audio up to each frame's time goes in first. In
        # integers: pts / RATE <= index / fps.
        scale, per_frame = fps.numerator, RATE * fps.denominator
        frame_time = 1 / fps
        for frame in video:
            index = frame.dts + 1  # frames decoded so far: audio up to there goes in first
            while next_audio is not None and next_audio.pts * scale <= index * per_frame:
                container.mux(next_audio)
                next_audio = next(audio, None)
            while subtitles and subtitles[0][0] <= index:
                container.mux(subtitles.pop(0)[1])
            packet = av.Packet(frame.data)
            packet.stream = vstream
            packet.time_base = frame_time
            packet.pts, packet.dts = frame.pts, frame.dts
            packet.is_keyframe = frame.keyframe
            container.mux(packet)
        while next_audio is not None:
            container.mux(next_audio)
            next_audio = next(audio, None)
        for _, packet in subtitles:
            container.mux(packet)
    finally:
        container.close()


def _subtitle_packets(container, timeline: Timeline) -> list[tuple[int, av.Packet]]:
    """A `mov_text` subtitle track per transcript language, tagged with it: (first frame,
    packet) of every cue, in order. A cue is its UTF-8 text after a 16-bit length (3GPP timed
    text); the muxer fills the gaps between cues with empty samples."""
    packets = []
    for track in timeline.tracks:
        stream = container.add_mux_stream("mov_text", time_base=1 / timeline.fps)
        stream.metadata["language"] = iso639_2(track.language)
        stream.metadata["handler_name"] = autonym(track.language)
        for cue in wrapped(track.cues):
            text = cue.text.encode("utf-8")[:65535]
            packet = av.Packet(struct.pack(">H", len(text)) + text)
            packet.stream = stream
            packet.time_base = 1 / timeline.fps
            packet.pts = packet.dts = cue.start
            packet.duration = cue.end - cue.start
            packets.append((cue.start, packet))
    packets.sort(key=lambda item: item[0])
    return packets


def _audio_packets(stream, soundtrack):
    """The soundtrack's packets (read one at a time from its cache file), timestamped."""
    sample_time = Fraction(1, RATE)
    for data, pts, duration in zip(soundtrack.packets(), soundtrack.pts, soundtrack.durations):
        packet = av.Packet(data)
        packet.stream = stream
        packet.time_base = sample_time
        packet.pts = packet.dts = pts
        packet.duration = duration
        yield packet


def _chapters(timeline: Timeline) -> list[Chapter]:
    return [
        {
            "id": number,
            "start": span.start,
            "end": span.end,
            "time_base": 1 / timeline.fps,
            "metadata": {"title": span.title},
        }
        for number, span in enumerate(timeline.chapter_spans())
    ]


def write_m4a(path: Path, timeline: Timeline, soundtrack) -> None:
    """The encoded soundtrack alone in an MP4 audio file (.m4a), as browsers play it."""
    container = av.open(str(path), "w", format="ipod", options={"movflags": "+faststart"})
    try:
        quality = timeline.look.quality
        stream = container.add_stream("aac", rate=RATE, options=audio_options(quality))
        stream.layout = "stereo"
        stream.bit_rate = AAC[quality].bitrate
        container.metadata["title"] = timeline.title
        container.start_encoding()
        if bytes(stream.codec_context.extradata or b"") != soundtrack.extradata:
            raise RenderError(
                "internal error: the soundtrack disagrees with the output's AAC headers"
            )
        for packet in _audio_packets(stream, soundtrack):
            container.mux(packet)
    finally:
        container.close()
