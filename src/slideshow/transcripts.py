"""WebVTT and SRT transcripts: read into cues with exact times, and written back out."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from fractions import Fraction

from .errors import MediaError

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})"
_CUE_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_VTT_TAG = re.compile(r"</?(?:[a-zA-Z][^>]*|\d[\d:.]*)>")


@dataclass(frozen=True)
class TranscriptCue:
    start: Fraction
    end: Fraction
    text: str
    line: int = 0  # the line of its timing in the file, for messages


def _seconds(h: str | None, m: str, s: str, ms: str) -> Fraction:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + Fraction(int(ms), 1000)


def parse_transcript(text: str, name: str) -> list[TranscriptCue]:
    """Cues of a WebVTT or SRT text; name is the path as written, for messages."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    is_vtt = lines[0].startswith("WEBVTT")
    cues: list[TranscriptCue] = []
    index = 1 if is_vtt else 0
    while index < len(lines):
        line = lines[index]
        match = _CUE_TIMING.match(line)
        if not match:
            if is_vtt and line.startswith(("NOTE", "STYLE", "REGION")):
                while index < len(lines) and lines[index].strip():
                    index += 1
            elif line.strip() and "-->" in line:
                raise MediaError(f"{name}: line {index + 1}: cannot read the cue times {line!r}")
            index += 1
            continue
        g = match.groups()
        timing_line = index + 1
        start, end = _seconds(*g[:4]), _seconds(*g[4:])
        if end <= start:
            raise MediaError(f"{name}: line {index + 1}: the cue ends before it starts")
        index += 1
        body = []
        while index < len(lines) and lines[index].strip():
            body.append(lines[index].strip())
            index += 1
        cue_text = "\n".join(body)
        if is_vtt:  # tags (voices, styles, karaoke times) are markup; entities are characters
            cue_text = html.unescape(_VTT_TAG.sub("", cue_text))
        if cue_text:
            cues.append(TranscriptCue(start, end, cue_text, timing_line))
    if not cues:
        raise MediaError(f"{name}: no cues found; expected a WebVTT or SRT file")
    return cues
