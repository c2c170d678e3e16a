"""The text alternative to a compilation (`<id>.transcript.html` and `.transcript.txt`), for
people who cannot see the photographs or hear the voice: in output order the title, each
chapter as a heading, the transcript lines with their times (in the storyboard's language where
a transcript in it exists, else in the spoken language) and, where each photograph appears,
`[Photograph: <alt>]` with its caption; then the credits. The HTML marks every run of text in
another language with its `lang`, so a screen reader speaks it in the right voice."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .languages import english_name, is_rtl
from .timeline import PhotoShot, Timeline


@dataclass(frozen=True)
class Entry:
    frame: int
    kind: str  # "line", "photo", "card"
    text: str
    language: str
    caption: str | None = None


@dataclass(frozen=True)
class Chapter:
    title: str
    frame: int
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class TextAlternative:
    timeline: Timeline
    chapters: tuple[Chapter, ...]

    def text(self) -> str:
        t = self.timeline
        out = [t.title, "=" * len(t.title), ""]
        if t.description:
            out += [t.description.strip(), ""]
        for chapter in self.chapters:
            if chapter.title:
                heading = f"{t.clock(chapter.frame, millis=False)} {chapter.title}"
                out += [heading, "-" * len(heading), ""]
            for entry in chapter.entries:
                out.append(f"[{t.clock(entry.frame, millis=False)}] {_plain(entry)}")
            out.append("")
        if t.credits:
            out += ["Credits", "-------", *t.credits, ""]
        return "\n".join(out)

    def html(self) -> str:
        t = self.timeline
        main = t.language
        parts = [
            "<!doctype html>",
            f'<html lang="{_a(main)}" dir="{"rtl" if is_rtl(main) else "ltr"}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_h(t.title)}: text alternative</title>",
            "<style>body{font:1.05rem/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;"
            "padding:0 1rem;color:#1b1b1b;background:#fff}time{color:#4d4d4d;"
            "font-variant-numeric:tabular-nums;margin-inline-end:.5rem}"
            ".photo{font-style:italic}p{margin:.3rem 0}</style>",
            "</head>",
            "<body>",
            "<main>",
            f'<h1 dir="auto">{_h(t.title)}</h1>',
        ]
        spoken = t.spoken
        about = (
            "A text alternative to the video: what is said, with its times, and what each "
            "photograph shows."
        )
        if spoken != main:
            about += f" The recordings are in {english_name(spoken)}."
        parts.append(f"<p>{_h(about)}</p>")
        if t.description:
            parts.append(f'<p dir="auto">{_h(t.description.strip())}</p>')
        for chapter in self.chapters:
            if chapter.title:
                parts.append(
                    f'<h2 dir="auto"><time>{t.clock(chapter.frame, millis=False)}</time>'
                    f"{_h(chapter.title)}</h2>"
                )
            for entry in chapter.entries:
                stamp = f"<time>{t.clock(entry.frame, millis=False)}</time>"
                lang = f' lang="{_a(entry.language)}"' if entry.language != main else ""
                if entry.kind == "photo":
                    parts.append(f'<p class="photo" dir="auto">{stamp}{_h(_plain(entry))}</p>')
                else:
                    text = _h(entry.text).replace("\n", "<br>")
                    parts.append(f'<p dir="auto">{stamp}<span{lang}>{text}</span></p>')
        if t.credits:
            parts.append("<h2>Credits</h2>")
            parts.append("<ul>" + "".join(f'<li dir="auto">{_h(c)}</li>' for c in t.credits))
            parts.append("</ul>")
        parts += ["</main>", "</body>", "</html>", ""]
        return "\n".join(parts)


def _plain(entry: Entry) -> str:
    if entry.kind != "photo":
        return entry.text.replace("\n", " ")
    shown = f"[Photograph: {entry.text}]" if entry.text else "[Photograph]"
    if entry.caption and entry.caption != entry.text:
        shown += f" {entry.caption}"
    return shown


def _h(text: str) -> str:
    return escape(text, quote=False)


def _a(text: str) -> str:
    return escape(text, quote=True)


def text_alternative(timeline: Timeline) -> TextAlternative:
    """The text alternative of a planned compilation."""
    entries: list[Entry] = []
    for shot in timeline.shots:
        if isinstance(shot, PhotoShot):
            alt = shot.alt or shot.caption or ""
            entries.append(Entry(shot.start, "photo", alt, timeline.language, shot.caption))
        elif shot.kind == "title" and shot.segment is not None and shot.title:
            entries.append(Entry(shot.start, "card", shot.title, timeline.language))
    for clip in timeline.audio:
        languages = (
            timeline.segment_languages[clip.segment]
            if clip.segment < len(timeline.segment_languages)
            else ()
        )
        language = next((x for x in (timeline.language, timeline.spoken) if x in languages), None)
        track = timeline.track(language) if language else None
        if track is None:
            continue
        end = clip.start + clip.frames
        entries += [
            Entry(c.start, "line", c.text, track.language)
            for c in track.cues
            if clip.start <= c.start < end
        ]
    # A photo and the line that starts with it: the photo first, as a viewer sees it.
    order = {"card": 0, "photo": 1, "line": 2}
    entries.sort(key=lambda e: (e.frame, order[e.kind]))
    spans = timeline.chapter_spans()
    if not spans:
        return TextAlternative(timeline, (Chapter("", 0, tuple(entries)),))
    chapters = []
    for span in spans:
        inside = tuple(e for e in entries if span.start <= e.frame < span.end)
        chapters.append(Chapter(span.title, span.start, inside))
    return TextAlternative(timeline, tuple(chapters))
