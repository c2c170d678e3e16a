"""The preview page: one self-contained HTML file (its style and script inline) beside a folder
of pictures and the soundtrack. It works opened from disk, offline: nothing loads from the
network. Rows are written as HTML, so the page reads without its script too."""

from __future__ import annotations

import base64
import json
from html import escape
from importlib import resources

from ..timeline import PhotoShot, Timeline, caption_of
from .rows import Plan, Row
from .rows import clock as _clock


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _text(value: str) -> str:
    return escape(value, quote=False)


def build_page(
    timeline: Timeline,
    plan: Plan,
    folder: str,
    pictures: list[tuple[str, str]],
    soundtrack: str,
    peaks: bytes,
    peaks_per_second: int,
    version: str,
) -> str:
    """The page's HTML. pictures: (screen, thumbnail) file names per shot, in folder."""
    look, fps = timeline.look, timeline.fps
    duration = float(timeline.duration)
    data = {
        "fps": float(fps),
        "duration": duration,
        "version": version,
        "versionScript": f"{folder}/version.js",
        "position": look.caption_position,
        "shots": [
            {
                "start": row.seconds[0],
                "end": row.seconds[1],
                "picture": f"{folder}/{pictures[i][0]}",
                "caption": caption_of(row.shot) or "",
            }
            for i, row in enumerate(plan.rows)
        ],
        "cues": [
            {"start": float(c.start / fps), "end": float(c.end / fps), "text": c.text}
            for c in plan.screen
        ],
        "peaks": base64.b64encode(peaks).decode("ascii"),
        "peaksPerSecond": peaks_per_second,
    }
    script = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    style = resources.files(__package__).joinpath("page.css").read_text(encoding="utf-8")
    code = resources.files(__package__).joinpath("page.js").read_text(encoding="utf-8")
    count = len(plan.rows)
    # Text in another language than the page's is marked, so a screen reader speaks it right.
    spoken = timeline.spoken
    lines_lang = f' lang="{_attr(spoken)}"' if spoken != timeline.language else ""
    on_screen = look.subtitles or spoken
    screen_lang = f' lang="{_attr(on_screen)}"' if on_screen != timeline.language else ""
    head = [
        "<!doctype html>",
        f'<html lang="{_attr(timeline.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Preview: {_text(timeline.title)}</title>",
        f"<style>{style}</style>",
        "</head>",
        "<body>",
        "<header>",
        f'<h1 dir="auto">{_text(timeline.title)}</h1>',
        f'<p class="facts">{_text(timeline.id)} · {_clock(duration)} · {count} shots · '
        f"{look.width}×{look.height} at {float(fps):g} fps · a preview: the render's "
        "soundtrack with each shot's picture, no video encoded</p>",
    ]
    if plan.general:
        head.append('<ul class="warnings general" aria-label="Warnings">')
        head += [f"<li>{_text(w)}</li>" for w in plan.general]
        head.append("</ul>")
    head.append("</header>")
    ratio = f"{look.width} / {look.height}"
    player = [
        '<main><section id="player" aria-label="Player">',
        f'<div class="screen" style="aspect-ratio: {ratio}">',
        f'<img id="picture" alt="" src="{_attr(folder)}/{_attr(pictures[0][0])}">',
        f'<div class="texts {_attr(look.caption_position)}">',
        f'<p id="caption" dir="auto"></p><p id="subtitle" dir="auto"{screen_lang}></p></div></div>',
        f'<audio id="soundtrack" controls preload="auto" src="{_attr(folder)}/'
        f'{_attr(soundtrack)}"></audio>',
        '<p id="now" aria-live="off">0:00.0</p>',
        '<p class="keys">Space: play or pause · ← →: previous or next shot · '
        "Shift ← →: 5 seconds · click a row to go there · add #t=1:32 to the address to "
        "open at a moment</p>",
        "</section>",
        '<section id="timeline" aria-label="Timeline">',
    ]
    body: list[str] = []
    open_list = False
    for i, row in enumerate(plan.rows):
        if row.chapter is not None or row.recording is not None or not open_list:
            if open_list:
                body.append("</ol>")
            if row.chapter is not None:
                body.append(
                    f'<h2 class="chapter" data-start="{row.seconds[0]}">'
                    f'<span class="at">{_clock(row.seconds[0])}</span> '
                    f'<span dir="auto">{_text(row.chapter)}</span></h2>'
                )
            if row.recording is not None:
                body.append(_waveform(row))
            body.append(f'<ol class="shots" start="{row.shot.index + 1}">')
            open_list = True
        body.append(_row(row, f"{folder}/{pictures[i][1]}", lines_lang))
    if open_list:
        body.append("</ol>")
    tail = [
        "</section></main>",
        f'<script type="application/json" id="data">{script}</script>',
        f"<script>{code}</script>",
        "</body></html>",
        "",
    ]
    return "\n".join(head + player + body + tail)


def _waveform(row: Row) -> str:
    recording = row.recording
    assert recording is not None
    marks = json.dumps(recording.marks)
    label = (
        f"{recording.source}, from {_clock(recording.source_start)}: "
        f"{_clock(recording.start)}–{_clock(recording.end)} of the compilation"
    )
    return (
        f'<figure class="waveform" data-from="{recording.start}" data-to="{recording.end}" '
        f'data-marks="{_attr(marks)}"><canvas height="64" role="img" '
        f'aria-label="Waveform of {_attr(label)}, with the photo changes marked"></canvas>'
        f"<figcaption>{_text(label)}</figcaption></figure>"
    )


def _row(row: Row, thumb: str, lines_lang: str = "") -> str:
    shot = row.shot
    start, end = row.seconds
    caption = caption_of(shot)
    described = shot.alt if isinstance(shot, PhotoShot) else None
    alt = described or caption or row.what
    parts = [
        f'<li class="shot {shot.kind}" data-index="{shot.index}" data-start="{start}" '
        f'data-end="{end}" tabindex="0">',
        f'<img class="thumb" loading="lazy" src="{_attr(thumb)}" alt="{_attr(alt)}">',
        '<div class="info">',
        f'<p class="time"><span class="n">{shot.index + 1}</span> '
        f"<time>{_clock(start)}</time>–<time>{_clock(end)}</time> "
        f'<span class="length">{end - start:.1f} s</span></p>',
        f'<p class="what" dir="auto">{_text(row.what)}</p>',
    ]
    if caption:
        parts.append(f'<p class="caption" dir="auto">{_text(caption)}</p>')
    if described:
        parts.append(f'<p class="alt" dir="auto">Alt text: {_text(described)}</p>')
    meta = [row.transition if row.transition == "cut" else f"{row.transition} in"]
    if row.motion:
        meta.append(row.motion)
    if row.citation:
        meta.append(f'citation <span class="citation">{_text(row.citation)}</span>')
    parts.append(f'<p class="meta">{" · ".join(meta)}</p>')
    if row.warnings:
        parts.append('<ul class="warnings">')
        parts += [f'<li dir="auto">{_text(w)}</li>' for w in row.warnings]
        parts.append("</ul>")
    if row.lines:
        parts.append(f'<ol class="lines"{lines_lang}>')
        for at, _, text in row.lines:
            parts.append(
                f'<li data-start="{at}"><time>{_clock(at)}</time> '
                f'<span dir="auto">{_text(text)}</span></li>'
            )
        parts.append("</ol>")
    parts.append("</div></li>")
    return "".join(parts)
