"""OHMS (Oral History Metadata Synchronizer) XML: the interview's index points and transcript.

Two styles are read. New-style files (OHMS 6) carry the transcript as WebVTT in
`<vtt_transcript>`. Older ones carry plain text in `<transcript>` with `<sync>` marks: an
interval in minutes, then the line and word reached at each interval, which become one cue per
interval. Index points (`<index><point>`) give a start in seconds, a title, a synopsis and
keywords. XML is parsed with defusedxml: no entity expansion, nothing fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException


@dataclass(frozen=True)
class IndexPoint:
    start: float  # seconds into the recording
    title: str
    synopsis: str | None = None
    keywords: str | None = None


@dataclass
class Ohms:
    path: Path
    title: str | None = None
    media: str | None = None  # the recording's file name or address, as the file gives it
    points: list[IndexPoint] = field(default_factory=list)
    vtt: str | None = None  # the transcript as WebVTT (new style, or made from sync marks)
    style: str = "vtt"  # vtt | sync | untimed | none
    text: str | None = None  # an untimed transcript's text (no sync marks: left for `align`)
    description: str | None = None  # the interview's abstract
    interviewees: list[str] = field(default_factory=list)
    interviewers: list[str] = field(default_factory=list)
    duration: float | None = None  # seconds, as the record gives it
    host: str | None = None  # where the recording is kept, when not in a file: YouTube, ...
    warnings: list[str] = field(default_factory=list)

    @property
    def remote(self) -> bool:
        """Whether the recording is hosted (a streaming service, an address), not a file."""
        media = self.media or ""
        return bool(self.host) or media.startswith(("http://", "https://")) or (
            bool(media) and "." not in Path(media).name  # a bare id, as YouTube's
        )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element, name: str):
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _text(element, name: str) -> str | None:
    child = _child(element, name) if element is not None else None
    text = (child.text or "").strip() if child is not None else ""
    return text or None


def _all_text(element, name: str) -> list[str]:
    """The texts of every child of that name (an interview may have several interviewees),
    each split at semicolons, as OHMS lists several names in one field."""
    found = []
    for child in element:
        if _local(child.tag) == name and (child.text or "").strip():
            found += [part.strip() for part in child.text.split(";") if part.strip()]
    return found


def read_ohms(path: Path) -> Ohms:
    """Read an OHMS file; raises ValueError naming the file when it is not OHMS XML."""
    try:
        root = ElementTree.parse(str(path)).getroot()
        if root is None:
            raise ElementTree.ParseError("no root element")
    except DefusedXmlException as exc:
        raise ValueError(f"{path}: refused: the XML uses {exc}, which OHMS never does") from None
    except ElementTree.ParseError as exc:
        raise ValueError(f"{path}: not well-formed XML ({exc})") from None
    record = root if _local(root.tag) == "record" else _child(root, "record")
    if _local(root.tag) not in ("ROOT", "record") or record is None:
        raise ValueError(
            f"{path}: not an OHMS file (expected <ROOT><record>…, found <{_local(root.tag)}>)"
        )
    ohms = Ohms(path, title=_text(record, "title"))
    ohms.media = _text(record, "file_name") or _text(record, "media_url")
    ohms.description = _text(record, "description")
    ohms.interviewees = _all_text(record, "interviewee")
    ohms.interviewers = _all_text(record, "interviewer")
    ohms.duration = _seconds(_text(record, "duration") or "")
    mediafile = _child(record, "mediafile")
    host = _text(mediafile, "host") if mediafile is not None else None
    if host and host.lower() not in ("other", "none", ""):
        ohms.host = host
        ohms.media = ohms.media or _text(mediafile, "host_clip_id")
    ohms.media = ohms.media or _text(record, "media_id")
    index = _child(record, "index")
    for number, point in enumerate(index if index is not None else [], start=1):
        if _local(point.tag) != "point":
            continue
        time = _text(point, "time")
        try:
            start = float(time) if time is not None else None
        except ValueError:
            start = None
        if start is None or start < 0:
            ohms.warnings.append(f"{path}: index point {number} has no time in seconds; left out")
            continue
        title = _text(point, "title") or f"Index point {number}"
        ohms.points.append(
            IndexPoint(start, title, _text(point, "synopsis"), _text(point, "keywords"))
        )
    ohms.points.sort(key=lambda p: p.start)
    vtt = _text(record, "vtt_transcript")
    transcript = _child(record, "transcript")
    if vtt and vtt.lstrip("\ufeff").startswith("WEBVTT"):
        ohms.vtt = _tidy_vtt(vtt)
    elif transcript is not None and (transcript.text or "").strip():
        sync = _text(record, "sync")
        if sync and re.search(r"\d+\(\d+\)", sync):
            ohms.style = "sync"
            ohms.vtt = _from_sync(transcript.text or "", sync, ohms)
        else:  # no sync marks: never timed by guess
            ohms.style = "untimed"
            ohms.text = (transcript.text or "").replace("\ufeff", "").strip() + "\n"
    else:
        ohms.style = "none"
    return ohms


def _tidy_vtt(text: str) -> str:
    """OHMS's WebVTT as a player reads it: `<br>` as line breaks, and a last cue whose end
    OHMS leaves at 00:00:00.000 ended an hour later (the render cuts it to the recording)."""
    text = re.sub(r"<br\s*/?>", "\n", text)
    lines = text.splitlines()
    timing = re.compile(r"^(\s*)(\S+)(\s*-->\s*)(\S+)(.*)$")
    for index, line in enumerate(lines):
        match = timing.match(line)
        if not match:
            continue
        start, end = _seconds(match[2]), _seconds(match[4])
        if start is not None and end is not None and end <= start:
            lines[index] = f"{match[1]}{match[2]}{match[3]}{_stamp(start + 3600)}{match[5]}"
    return "\n".join(lines) + "\n"


def _seconds(stamp: str) -> float | None:
    parts = stamp.split(":")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        return None
    total = 0.0
    for value in values:
        total = total * 60 + value
    return total


def _stamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _from_sync(transcript: str, sync: str | None, ohms: Ohms) -> str | None:
    """One cue per sync interval: the words from one mark to the next."""
    lines = transcript.replace("\r\n", "\n").split("\n")
    marks: list[tuple[int, int]] = []
    interval = 1.0
    if sync and ":" in sync:
        head, _, rest = sync.partition(":")
        try:
            interval = float(head or 1)
        except ValueError:
            ohms.warnings.append(f"{ohms.path}: the sync interval {head!r} is not a number")
        for mark in rest.split("|"):
            found = re.fullmatch(r"\s*(\d+)\((\d+)\)\s*", mark)
            if found:
                marks.append((int(found[1]), int(found[2])))
    words = [
        (n, w, word)
        for n, line in enumerate(lines, start=1)
        for w, word in enumerate(line.split(), start=1)
    ]
    if not words:
        return None
    cuts = [0]
    for line, word in marks:
        position = next(
            (i for i, (n, w, _) in enumerate(words) if (n, w) >= (line, word)), len(words)
        )
        cuts.append(max(position, cuts[-1]))
    cuts.append(len(words))
    cues = ["WEBVTT", ""]
    for k in range(len(cuts) - 1):
        chunk = " ".join(word for _, _, word in words[cuts[k] : cuts[k + 1]])
        if chunk:
            start, end = k * interval * 60, (k + 1) * interval * 60
            cues += [f"{_stamp(start)} --> {_stamp(end)}", chunk, ""]
    return "\n".join(cues)
