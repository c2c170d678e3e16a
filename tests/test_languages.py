"""Contract 1.1, languages and accessibility: language tags, a transcript per language, the
caption files and MP4 subtitle tracks per language, wrapping and reading-speed warnings, the
text alternative."""

from __future__ import annotations

import itertools
import re

import av
import pytest
import shell

import slideshow
from slideshow.renderer.container.cuetext import balanced, chunks, wrapped
from slideshow.timeline import Cue


def _vtt(first: str, second: str) -> str:
    return f"WEBVTT\n\n00:00.500 --> 00:03.000\n{first}\n\n00:04.000 --> 00:07.000\n{second}\n"


EN = _vtt("We waited eight years.", "Then the letter came.")
RU = _vtt("Мы ждали восемь лет.", "Потом пришло письмо.")
HE = _vtt("חיכינו שמונה שנים.", "ואז הגיע המכתב.")

BOARD = """\
title: Waiting
language: en
spoken_language: ru
video: {size: 320x180, quality: draft}
loudness: off
segments:
  - title: One
    audio: {file: talk.wav, end: 8}
    transcript:
      ru: talk.ru.vtt
      en: talk.en.vtt
      he: talk.he.vtt
    photos:
      - {file: red.jpg, alt: A red square, caption: Kiev 1979}
  - title: Two
    photos: [{file: blue.jpg, duration: 3, caption: A blue photograph}]
"""


@pytest.fixture
def board(storyboard, assets):
    for tag, text in (("en", EN), ("ru", RU), ("he", HE)):
        (assets / f"talk.{tag}.vtt").write_text(text, encoding="utf-8")
    return storyboard(BOARD)


def _problems(path) -> list[str]:
    return [str(p) for p in slideshow.check(path).problems]


def test_language_tags_are_checked_at_their_place(storyboard, assets):
    (assets / "a.vtt").write_text(EN, encoding="utf-8")
    path = storyboard(
        "title: T\nlanguage: iw\nspoken_language: xx\nstyle: {subtitles: de}\n"
        "segments:\n  - audio: {file: talk.wav, end: 5}\n    transcript:\n"
        "      english: a.vtt\n      en: a.vtt\n      EN: a.vtt\n    photos: [red.jpg]\n"
    )
    assert _problems(path) == [
        f"{path}:2:11: `language`: 'iw' is a deprecated language tag: write 'he' (Hebrew)",
        f"{path}:3:18: `spoken_language`: 'xx' is not a known language tag (such as en, he, "
        "yi or ru-RU)",
    ]
    # Once the storyboard's own tags are right, the transcripts' and the subtitles' are checked.
    text = path.read_text().replace("language: iw\nspoken_language: xx\n", "language: he\n")
    path.write_text(text)
    assert _problems(path) == [
        f"{path}:3:20: `subtitles`: no transcript in 'de' to draw on the picture; the "
        "transcripts are in en",
        f"{path}:7:7: `transcript`: expected a language tag such as en, he, yi or ru-RU, got "
        "'english'",
        f"{path}:9:7: two transcripts in 'en': 'a.vtt' and 'a.vtt'; give one file per language",
    ]
    done = shell.run("validate", path)
    assert done.returncode == 1 and "3 errors found" in done.stderr


def test_subtitles_off_may_be_written_bare(storyboard):
    path = storyboard("title: T\nstyle: {subtitles: off}\nsegments:\n  - photos: [red.jpg]\n")
    assert slideshow.check(path).timeline.look.subtitles is None


def test_reading_speed_and_empty_transcript_warnings(storyboard, assets):
    (assets / "fast.vtt").write_text(
        "WEBVTT\n\n00:00.000 --> 00:00.600\nHi\n\n"
        "00:01.000 --> 00:02.000\nThis line holds far too many characters for one second.\n\n"
        "00:09.000 --> 00:10.000\nLater\n",
        encoding="utf-8",
    )
    path = storyboard(
        "title: T\nsegments:\n"
        "  - audio: {file: talk.wav, end: 5}\n    transcript: fast.vtt\n    photos: [red.jpg]\n"
        "  - audio: {file: talk.wav, start: 12, end: 18}\n    transcript: fast.vtt\n"
        "    photos: [blue.jpg]\n"
    )
    vtt = assets / "fast.vtt"
    warnings = [str(w) for w in slideshow.check(path).warnings if "enlarged" not in w.message]
    assert warnings == [
        f"{vtt}:3:1: warning: the cue lasts 0.60 s; under 1 s it is gone before it is read",
        f"{vtt}:6:1: warning: the cue has 55 characters a second; at more than 20 it is hard "
        "to read (split it, or give it more time)",
        f"{path}:7:17: warning: transcript 'fast.vtt': no cue falls in this segment's stretch "
        "of the recording (0:12.000–0:18.000)",
    ]


def test_a_segment_lacking_a_language_is_flagged_in_the_plan(storyboard, assets):
    (assets / "a.en.vtt").write_text(EN, encoding="utf-8")
    (assets / "a.ru.vtt").write_text(RU, encoding="utf-8")
    path = storyboard(
        "title: T\nsegments:\n"
        "  - audio: {file: talk.wav, end: 8}\n    transcript: {en: a.en.vtt, ru: a.ru.vtt}\n"
        "    photos: [red.jpg]\n"
        "  - audio: {file: talk.wav, start: 8, end: 16}\n    transcript: {en: a.en.vtt}\n"
        "    photos: [blue.jpg]\n"
    )
    done = shell.run("plan", path)
    assert done.returncode == 0, done.stderr
    assert "Transcripts (spoken: en):\n  segment 1: en, ru\n  segment 2: en  <- no ru" in (
        done.stdout
    )
    assert "this segment has no transcript in ru, which other segments have" in done.stderr


def test_caption_files_and_subtitle_tracks_per_language(board, tmp_path):
    out = tmp_path / "out"
    slideshow.render(board, out)
    # The main files stay in the spoken language (Russian), with the photo captions of the
    # segment that has no transcript.
    srt = (out / "story.srt").read_text(encoding="utf-8")
    assert "Мы ждали восемь лет." in srt and "A blue photograph" in srt
    assert "We waited" not in srt and "Kiev 1979" not in srt
    for tag, line in (("en", "We waited eight years."), ("ru", "Мы ждали"), ("he", "חיכינו")):
        assert line in (out / f"story.{tag}.srt").read_text(encoding="utf-8")
        vtt = (out / f"story.{tag}.vtt").read_text(encoding="utf-8")
        assert vtt.startswith(f"WEBVTT\nLanguage: {tag}\n") and line in vtt
    # The MP4: the audio in Russian, a mov_text track per language with its cues.
    with av.open(str(out / "story.mp4")) as container:
        (audio,) = container.streams.audio
        assert audio.metadata["language"] == "rus"
        tracks = [s for s in container.streams.subtitles]
        assert [(s.codec_context.name, s.metadata["language"]) for s in tracks] == [
            ("mov_text", "rus"),
            ("mov_text", "eng"),
            ("mov_text", "heb"),
        ]
        assert tracks[2].metadata["handler_name"] == "עברית"
        texts: dict[str, list[tuple[float, str]]] = {}
        for packet in container.demux(tracks):
            data = bytes(packet)
            if len(data) > 2:
                text = data[2 : 2 + int.from_bytes(data[:2], "big")].decode("utf-8")
                seconds = float(packet.pts * packet.time_base)
                texts.setdefault(packet.stream.metadata["language"], []).append((seconds, text))
    assert texts["eng"] == [
        (0.5, "We waited eight years."),
        (4.0, "Then the letter came."),
        (8.0, "A blue photograph"),
    ]
    assert [t for _, t in texts["heb"]][:2] == ["חיכינו שמונה שנים.", "ואז הגיע המכתב."]


def test_cue_text_is_wrapped_without_changing_a_word():
    assert balanced(["one", "two"]) == "one two"
    text = "Letters came from America. Strangers wrote that they had not forgotten us."
    two = balanced(text.split())
    first, second = two.split("\n")
    assert max(len(first), len(second)) <= 42 and f"{first} {second}" == text
    long = " ".join(f"word{n}" for n in range(40))
    parts = chunks(long)
    assert len(parts) > 1
    for part in parts:
        lines = part.split("\n")
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines)
    assert " ".join(p.replace("\n", " ") for p in parts) == long
    # A word longer than a line keeps a line of its own; it is never broken.
    giant = "x" * 50
    assert chunks(f"a {giant} b") == [f"a\n{giant}", "b"]
    # A long cue's time is shared by its parts' lengths, in order, without gaps.
    cues = list(wrapped([Cue(100, 400, long)]))
    assert cues[0].start == 100 and cues[-1].end == 400
    assert all(a.end == b.start for a, b in itertools.pairwise(cues))
    assert [c.text for c in cues] == parts


def test_the_text_alternative_in_order_with_languages_marked(board, tmp_path):
    out = tmp_path / "out"
    slideshow.render(board, out)
    text = (out / "story.transcript.txt").read_text(encoding="utf-8")
    # The storyboard's language is English and an English transcript exists: it is used.
    assert text.splitlines()[:2] == ["Waiting", "======="]
    body = text[text.index("0:00 One") :]
    order = [
        "0:00 One",
        "[0:00] [Photograph: A red square] Kiev 1979",
        "[0:00] We waited eight years.",
        "[0:04] Then the letter came.",
        "0:08 Two",
        "[0:08] [Photograph: A blue photograph]",
    ]
    positions = [body.index(line) for line in order]
    assert positions == sorted(positions)
    assert "Мы ждали" not in text
    html = (out / "story.transcript.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in html and "<h1" in html and html.count("<h2") == 2
    # Without an English transcript, the spoken Russian is used and marked as Russian.
    board.write_text(BOARD.replace("      en: talk.en.vtt\n", ""), encoding="utf-8")
    slideshow.render(board, out)
    html = (out / "story.transcript.html").read_text(encoding="utf-8")
    assert re.search(r'<span lang="ru">Мы ждали восемь лет\.</span>', html)
    assert "The recordings are in Russian." in html
