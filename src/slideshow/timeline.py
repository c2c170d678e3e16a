"""The plan of a compilation: frozen, typed data in whole frames, printable and saved as JSON.

Frame f covers output time [f / fps, (f + 1) / fps). Every start is inclusive, every end
exclusive, so shots tile the timeline when each one's end is the next one's start.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar, Literal

from .schema import CaptionPosition, Fit, MotionKind, Quality, TransitionKind
from .timecode import format_time

VERSION = 1

Rect = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class Transition:
    """How a shot comes in. It is centred on the shot's start: frames // 2 lie before the cut."""

    kind: TransitionKind
    frames: int = 0

    def span(self, cut: int) -> tuple[int, int]:
        return cut - self.frames // 2, cut - self.frames // 2 + self.frames


@dataclass(frozen=True, slots=True)
class Motion:
    kind: MotionKind = "none"
    start: Rect | None = None  # framing rectangle as fractions of the photo; None: the default move
    end: Rect | None = None


@dataclass(frozen=True, slots=True)
class _Shot:
    """What every shot has: its place in the plan, from frame start to frame end (exclusive),
    how it comes in, and its segment (None for the intro's and outro's cards)."""

    index: int
    start: int
    end: int
    transition: Transition
    segment: int | None

    @property
    def frames(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class PhotoShot(_Shot):
    """A photograph on screen, fitted, captioned, still or moving."""

    photo: str  # the path as the storyboard writes it
    file: str  # the resolved path
    caption: str | None = None
    fit: Fit = "contain"
    motion: Motion = Motion()
    alt: str | None = None  # what the photo shows, for the text alternative
    kind: ClassVar[Literal["photo"]] = "photo"


@dataclass(frozen=True, slots=True)
class CardShot(_Shot):
    """A card of text on a dark ground: a title card (the intro's, or a segment's without
    photos) or the closing credits."""

    kind: CardKind
    title: str | None = None
    subtitle: str | None = None
    lines: tuple[str, ...] = ()


Shot = PhotoShot | CardShot


def caption_of(shot: Shot) -> str | None:
    """A photo's caption; a card has none."""
    return shot.caption if isinstance(shot, PhotoShot) else None
CardKind = Literal["title", "credits"]
ShotKind = Literal["photo", "title", "credits"]  # the names the outputs give shot kinds


@dataclass(frozen=True, slots=True)
class AudioClip:
    """A stretch of a recording placed at an output frame; cut by samples derived from frames."""

    segment: int
    start: int
    frames: int
    file: str
    source: str  # the path as written
    source_start: Fraction  # seconds into the recording
    fade_in: int  # frames
    fade_out: int


@dataclass(frozen=True, slots=True)
class Cue:
    start: int
    end: int
    text: str
    italic: bool = False  # in italics throughout: the caption files keep it


@dataclass(frozen=True, slots=True)
class Track:
    """The transcript cues of one language, in output frames (photo captions of segments
    without a transcript in it included)."""

    language: str
    cues: tuple[Cue, ...]


@dataclass(frozen=True, slots=True)
class Chapter:
    start: int
    title: str


@dataclass(frozen=True, slots=True)
class ChapterSpan:
    """A chapter with its end: the next chapter's start, or the end of the compilation."""

    start: int
    end: int
    title: str


@dataclass(frozen=True, slots=True)
class Look:
    """Everything about appearance and encoding that the renderer needs besides the shots."""

    width: int
    height: int
    quality: Quality
    loudness: float | None  # LUFS target; None keeps the recordings' levels
    font: str
    caption_position: CaptionPosition
    background: str
    subtitles: str | None = None  # the language whose cues are drawn on the picture


@dataclass(frozen=True, slots=True)
class Timeline:
    id: str
    title: str
    fps: Fraction
    frames: int
    look: Look
    shots: tuple[Shot, ...]
    audio: tuple[AudioClip, ...]
    captions: tuple[Cue, ...]
    chapters: tuple[Chapter, ...]
    description: str | None = None
    language: str = "en"
    credits: tuple[str, ...] = ()
    version: int = VERSION
    spoken_language: str = ""  # default: language
    tracks: tuple[Track, ...] = ()  # one per transcript language
    # per segment, the languages of its transcripts
    segment_languages: tuple[tuple[str, ...], ...] = ()
    # the transcript cues drawn on the picture (style.subtitles), photo captions left out
    subtitles: tuple[Cue, ...] = ()

    @property
    def spoken(self) -> str:
        return self.spoken_language or self.language

    def track(self, language: str) -> Track | None:
        return next((t for t in self.tracks if t.language == language), None)

    def seconds(self, frame: int) -> Fraction:
        return Fraction(frame) / self.fps

    @property
    def duration(self) -> Fraction:
        return self.seconds(self.frames)

    def clock(self, frame: int, *, millis: bool = True) -> str:
        return format_time(self.seconds(frame), millis=millis)

    def chapter_spans(self) -> list[ChapterSpan]:
        """Each chapter from its start to the next one's (the last to the end)."""
        ends = [c.start for c in self.chapters[1:]] + [self.frames]
        return [ChapterSpan(c.start, end, c.title) for c, end in zip(self.chapters, ends)]

    def to_json(self) -> str:
        return json.dumps(_encode(self), ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str) -> Timeline:
        data = json.loads(text)
        if data.get("version") != VERSION:
            raise ValueError(f"unsupported timeline version {data.get('version')!r}")
        timeline = _decode(cls, data)
        assert isinstance(timeline, Timeline)
        return timeline

    def __str__(self) -> str:
        return format_table(self)


def format_table(timeline: Timeline) -> str:
    """A readable table of shots, then chapters."""
    rows = [("#", "start", "end", "shot", "caption", "transition in")]
    for shot in timeline.shots:
        if isinstance(shot, PhotoShot):
            what = shot.photo
        else:
            what = f"[{shot.kind} card] {shot.title or ''}"
        moving = isinstance(shot, PhotoShot) and shot.motion.kind == "kenburns"
        motion = " (kenburns)" if moving else ""
        trans: str = shot.transition.kind
        if shot.transition.frames:
            trans += f" {float(timeline.seconds(shot.transition.frames)):g}s"
        rows.append(
            (
                str(shot.index + 1),
                timeline.clock(shot.start),
                timeline.clock(shot.end),
                f"{what}{motion}",
                (shot.caption or "").replace("\n", " ") if isinstance(shot, PhotoShot) else "",
                trans,
            )
        )
    widths = [min(max(len(r[i]) for r in rows), 48) for i in range(len(rows[0]))]
    lines = [
        f"{timeline.title} ({timeline.id}): {timeline.clock(timeline.frames)}, "
        f"{timeline.frames} frames at {float(timeline.fps):g} fps, "
        f"{timeline.look.width}x{timeline.look.height}"
    ]
    for row in rows:
        cells = [_cut(cell, w).ljust(w) for cell, w in zip(row, widths)]
        lines.append("  ".join(cells).rstrip())
    languages = list(dict.fromkeys(x for langs in timeline.segment_languages for x in langs))
    if languages:
        lines.append("")
        lines.append(f"Transcripts (spoken: {timeline.spoken}):")
        for s, langs in enumerate(timeline.segment_languages):
            missing = [x for x in languages if x not in langs]
            if not langs and not any(c.segment == s for c in timeline.audio):
                continue  # no recording: nothing to transcribe
            have = ", ".join(langs) if langs else "none"
            flag = f"  <- no {', '.join(missing)}" if missing else ""
            lines.append(f"  segment {s + 1}: {have}{flag}")
    if timeline.chapters:
        lines.append("")
        lines.append("Chapters:")
        lines += [f"  {timeline.clock(c.start, millis=False)} {c.title}" for c in timeline.chapters]
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# A shot as version 1 of the JSON writes it, whatever its kind: every field, in this order.
_SHOT_FIELDS = {
    "index": None,
    "start": None,
    "end": None,
    "kind": None,
    "transition": None,
    "segment": None,
    "photo": None,
    "file": None,
    "caption": None,
    "fit": "contain",
    "motion": Motion(),
    "title": None,
    "subtitle": None,
    "lines": (),
    "alt": None,
}


def _encode(value: object) -> object:
    if isinstance(value, (PhotoShot, CardShot)):
        return {k: _encode(getattr(value, k, default)) for k, default in _SHOT_FIELDS.items()}
    if isinstance(value, Cue) and not value.italic:  # the version-1 layout, as before
        return {"start": value.start, "end": value.end, "text": value.text}
    if dataclasses.is_dataclass(value):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    return value


def _decode(tp: Any, value: Any) -> Any:
    """JSON data back to the type tp of the timeline's dataclasses (the inverse of _encode)."""
    origin = typing.get_origin(tp)
    if tp == Shot:
        kind = PhotoShot if value["kind"] == "photo" else CardShot
        fields = {f.name for f in dataclasses.fields(kind)}
        return _decode(kind, {k: v for k, v in value.items() if k in fields})
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return typing.cast(Any, tp)(**{k: _decode(hints[k], v) for k, v in value.items()})
    if tp is Fraction:
        return Fraction(value)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in value)
        return tuple(_decode(a, v) for a, v in zip(args, value))
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        return _decode(inner, value)
    return value
