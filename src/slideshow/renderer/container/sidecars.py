"""Files written beside the MP4: captions (SRT, WebVTT), chapter list, thumbnail, manifest."""

from __future__ import annotations

import json
from fractions import Fraction

from ...timeline import Cue, PhotoShot, Timeline, caption_of
from .cuetext import wrapped


def _stamp(seconds: Fraction, separator: str) -> str:
    ms = round(seconds * 1000)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"


def srt(timeline: Timeline, cues: tuple[Cue, ...] | None = None) -> str:
    """SubRip of cues (default: the main captions, in the spoken language), wrapped."""
    blocks = []
    chosen = timeline.captions if cues is None else cues
    for number, cue in enumerate(wrapped(chosen), start=1):
        start = _stamp(timeline.seconds(cue.start), ",")
        end = _stamp(timeline.seconds(cue.end), ",")
        blocks.append(f"{number}\n{start} --> {end}\n{_styled(cue.text, cue.italic)}\n")
    return "\n".join(blocks)


def vtt(timeline: Timeline, cues: tuple[Cue, ...] | None = None, language: str = "") -> str:
    """WebVTT of cues (default: the main captions, in the spoken language), wrapped."""
    blocks = [f"WEBVTT\nLanguage: {language or timeline.spoken}\n"]
    chosen = timeline.captions if cues is None else cues
    for cue in wrapped(chosen):
        start = _stamp(timeline.seconds(cue.start), ".")
        end = _stamp(timeline.seconds(cue.end), ".")
        text = cue.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = text.replace("-->", "--&gt;")
        blocks.append(f"{start} --> {end}\n{_styled(text, cue.italic)}\n")
    return "\n".join(blocks)


def _styled(text: str, italic: bool) -> str:
    """A cue's lines, in italics each (`<i>`, which SRT players and WebVTT both read)."""
    return "\n".join(f"<i>{line}</i>" for line in text.split("\n")) if italic else text


def chapters_text(timeline: Timeline) -> str:
    """`0:00 Title` lines, ready to paste into a video description."""
    return "".join(
        f"{timeline.clock(c.start, millis=False)} {c.title}\n" for c in timeline.chapters
    )


def manifest(timeline: Timeline, info: dict) -> str:
    shots = [
        {
            "index": s.index,
            "kind": s.kind,
            "start": float(timeline.seconds(s.start)),
            "end": float(timeline.seconds(s.end)),
            "start_frame": s.start,
            "end_frame": s.end,
            "photo": s.photo if isinstance(s, PhotoShot) else None,
            "caption": caption_of(s),
            "transition": {"kind": s.transition.kind, "frames": s.transition.frames},
        }
        for s in timeline.shots
    ]
    data = {
        **info,
        "id": timeline.id,
        "title": timeline.title,
        "duration": float(timeline.duration),
        "frames": timeline.frames,
        "fps": f"{timeline.fps.numerator}/{timeline.fps.denominator}",
        "shots": shots,
        "chapters": [
            {"start": float(timeline.seconds(c.start)), "title": c.title} for c in timeline.chapters
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
