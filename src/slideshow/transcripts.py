"""WebVTT and SRT transcripts: read into cues with exact times, and written back out.

Files in the wild are read as the WebVTT parsing algorithm reads them, SRT alike:
- a line with `-->` ends the cue before it (a missing blank line loses no cue);
- in SRT, a blank line inside a cue's text does not end it: the next cue begins only with its
  number and timing line (text after a blank line is kept);
- formatting is markup, never text: WebVTT tags (voices, classes, karaoke times), SRT's HTML
  tags (`<i>`, `<b>`, `<u>`, `<font color=...>`) and ASS override blocks (`{\\an8}`) are
  taken out of the text, and character references (`&amp;`) become characters. A cue in
  italics throughout (`<i>` or `{\\i1}`) is marked italic: the caption files (SRT, WebVTT)
  keep its italics; what cannot carry them (the picture, the MP4's text tracks, the preview)
  shows the text plain. Italics of part of a cue are dropped: caption text is wrapped and
  split in time as plain words;
- a cue of no length (start = end, common in machine-made transcripts) is dropped with a
  warning naming its line; one that ends before it starts, or whose timing line cannot be
  read (an arrow written `- >`), is a clear error naming its line;
- `NOTE`, `STYLE` and `REGION` blocks are skipped only as whole words (`NOTE1` is a cue id);
- byte-order marks never reach the text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from fractions import Fraction

from .errors import MediaError

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})"
_CUE_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
# Times joined by something that is not quite an arrow: a mistake to name, never to skip.
_BROKEN_TIMING = re.compile(rf"^\s*{_TIME}\s*(?:-+\s*-*\s*>|-+|=+>|—+>?|–+>?)\s*{_TIME}")
_VTT_TAG = re.compile(r"</?(?:[a-zA-Z][^>]*|\d[\d:.]*)>")
_ASS_BLOCK = re.compile(r"\{\\[^}]*\}")
_BLOCKS = re.compile(r"^(NOTE|STYLE|REGION)(?:[ \t]|$)")
_NUMBER = re.compile(r"^\s*\d+\s*$")


@dataclass(frozen=True)
class TranscriptCue:
    start: Fraction
    end: Fraction
    text: str
    line: int = 0  # the line of its timing in the file, for messages
    italic: bool = False  # in italics throughout


@dataclass
class Transcript:
    cues: list[TranscriptCue]
    warnings: list[str] = field(default_factory=list)  # "line N: ...", each a cue dropped


def _seconds(h: str | None, m: str, s: str, ms: str) -> Fraction:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + Fraction(int(ms), 1000)


def parse_transcript(text: str, name: str) -> list[TranscriptCue]:
    """Cues of a WebVTT or SRT text; name is the path as written, for messages."""
    return read_transcript(text, name).cues


def read_transcript(text: str, name: str) -> Transcript:
    """Cues of a WebVTT or SRT text, and what was dropped from it (see the module's rules)."""
    text = text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    is_vtt = lines[0].startswith("WEBVTT")
    found = Transcript([])
    index = 1 if is_vtt else 0
    while index < len(lines):
        line = lines[index]
        match = _CUE_TIMING.match(line)
        if not match:
            if is_vtt and _BLOCKS.match(line):
                while index < len(lines) and lines[index].strip():
                    index += 1
            elif line.strip() and ("-->" in line or _BROKEN_TIMING.match(line)):
                raise MediaError(
                    f"{name}: line {index + 1}: cannot read the cue times {line.strip()!r}; "
                    "write them as 00:01:02.500 --> 00:01:05.000"
                )
            index += 1
            continue
        g = match.groups()
        timing_line = index + 1
        start, end = _seconds(*g[:4]), _seconds(*g[4:])
        if end < start:
            raise MediaError(f"{name}: line {timing_line}: the cue ends before it starts")
        index += 1
        body, index = _body(lines, index, is_vtt)
        cue_text = _plain("\n".join(body))
        italic = _italic("\n".join(body))
        if end == start:
            if cue_text:
                found.warnings.append(
                    f"line {timing_line}: a cue of no length was left out ({cue_text!r})"
                )
        elif cue_text:
            found.cues.append(TranscriptCue(start, end, cue_text, timing_line, italic))
    if not found.cues:
        raise MediaError(f"{name}: no cues found; expected a WebVTT or SRT file")
    return found


def _body(lines: list[str], index: int, is_vtt: bool) -> tuple[list[str], int]:
    """A cue's text lines from `index`, and where the next block begins. A timing line always
    begins a new cue; WebVTT text ends at a blank line; SRT text goes on past a blank line
    unless the next cue's number and timing follow it."""
    body: list[str] = []
    while index < len(lines):
        line = lines[index]
        if _CUE_TIMING.match(line):
            if body and not is_vtt and _NUMBER.match(body[-1]):
                body.pop()  # the next cue's number, its blank line missing
            break
        if not line.strip():
            if is_vtt or _next_srt_cue(lines, index):
                break
            body.append("")
            index += 1
            continue
        body.append(line.strip())
        index += 1
    while body and not body[-1]:
        body.pop()
    return body, index


def _next_srt_cue(lines: list[str], blank: int) -> bool:
    """Whether the blank line at `blank` ends an SRT cue: the end of the file, or the next
    cue (a number, then a timing line; or a timing line) after the blank lines."""
    at = blank
    while at < len(lines) and not lines[at].strip():
        at += 1
    if at >= len(lines):
        return True
    if _CUE_TIMING.match(lines[at]):
        return True
    return bool(_NUMBER.match(lines[at])) and at + 1 < len(lines) and bool(
        _CUE_TIMING.match(lines[at + 1])
    )


_ITALIC_LINE = re.compile(r"\s*(?:<i>|\{\\i1\})(?:(?!</?i>|\{\\i[01]\}).)*(?:</i>|\{\\i0\})?\s*")


def _italic(text: str) -> bool:
    """Whether every line with words is in italics throughout (`<i>...</i>`, `{\\i1}...`)."""
    kept = [
        _VTT_TAG.sub(lambda m: m[0] if m[0] in ("<i>", "</i>") else "", line)
        for line in re.sub(r"\{\\(?!i[01]\})[^}]*\}", "", text).split("\n")
    ]
    worded = [line for line in kept if re.sub(r"<[^>]*>|\{[^}]*\}", "", line).strip()]
    return bool(worded) and all(_ITALIC_LINE.fullmatch(line) for line in worded)


def _plain(text: str) -> str:
    """A cue's text without its markup (WebVTT tags, SRT's HTML tags, ASS override blocks),
    character references as characters, blank lines kept as paragraph breaks."""
    text = _ASS_BLOCK.sub("", text)
    text = html.unescape(_VTT_TAG.sub("", text))
    lines = [line.strip() for line in text.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines).strip()
