"""`slideshow preview`: the animatic page (its rows, pictures, soundtrack and waveform), the
contact sheet, the edit loop, and bad input. The page in a real browser: test_preview_page.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import av
import pytest
import shell
from pypdf import PdfReader

import slideshow
from slideshow.errors import StoryboardError
from slideshow.previewing.rows import citation, plan_rows
from slideshow.timeline import PhotoShot, Transition

BOARD = """\
title: Leaving Kiev
id: kiev
video: {size: 320x180, fps: 25}
loudness: off
intro: {title: Leaving Kiev, duration: 2}
segments:
  - title: Waiting
    audio: {file: talk.wav, start: 1, end: 9}
    transcript: talk.vtt
    photos:
      - {file: red.jpg, caption: "Sign on the congregation, 1970s. I-495"}
      - {file: green.png, at: 4}
  - title: Gallery
    photos:
      - {file: blue.jpg, caption: "Отказ — סירוב", duration: 3}
"""
VTT = "WEBVTT\n\n00:01.500 --> 00:03.000\nFirst words\n\n00:05.000 --> 00:06.500\nשלום, мир\n"


@pytest.fixture
def board(storyboard, assets):
    (assets / "talk.vtt").write_text(VTT, encoding="utf-8")
    return storyboard(BOARD)


def _rows(html: str) -> list[dict]:
    return [
        {"index": int(m[1]), "start": float(m[2]), "end": float(m[3])}
        for m in re.finditer(
            r'<li class="shot [a-z]+" data-index="(\d+)" data-start="([\d.]+)" '
            r'data-end="([\d.]+)"',
            html,
        )
    ]


def test_the_page_lists_every_shot_of_the_plan_with_its_pictures_and_soundtrack(board, tmp_path):
    out = tmp_path / "out"
    result = slideshow.preview(board, out)
    assert result.page == out / "kiev.preview.html"
    html = result.page.read_text(encoding="utf-8")
    plan = json.loads(slideshow.check(board).timeline.to_json())
    fps = 25
    assert _rows(html) == [
        {"index": s["index"], "start": s["start"] / fps, "end": s["end"] / fps}
        for s in plan["shots"]
    ]
    # Chapters as headings; the transcript lines under the shots they play over; captions,
    # citations and the photo paths as written.
    # (the 2-second intro folds into the first chapter, as the contract says)
    chapters = re.findall(r'<h2 class="chapter".*?dir="auto">(.*?)</span>', html)
    assert chapters == ["Waiting", "Gallery"]
    red = html[html.index('data-index="1"') : html.index('data-index="2"')]
    assert "red.jpg" in red and "I-495" in red and '<span class="citation">I-495</span>' in red
    assert "First words" in red and "שלום" not in red
    green = html[html.index('data-index="2"') : html.index('data-index="3"')]
    assert "שלום, мир" in green
    assert "Отказ — סירוב" in html
    # Everything the page loads is beside it: no address on the network.
    assert not re.search(r'(src|href)="(https?:)?//', html)
    folder = out / "kiev.preview"
    for name in re.findall(r'src="kiev\.preview/([^"]+)"', html):
        assert (folder / name).is_file(), name
    thumbs = [
        Path(folder / n)
        for n in re.findall(
            r'class="thumb" loading="lazy" src="'
            r'kiev\.preview/([^"]+)"',
            html,
        )
    ]
    assert len(thumbs) == 4
    from PIL import Image

    with Image.open(thumbs[1]) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) == 320
        red_pixel = thumb.getpixel((160, 90))
        assert red_pixel[0] > 150 and red_pixel[1] < 90  # red.jpg, not another photo
    # The soundtrack: AAC, as long as the compilation, intro included.
    (m4a,) = folder.glob("soundtrack-*.m4a")
    with av.open(str(m4a)) as container:
        (stream,) = container.streams
        assert stream.codec_context.name == "aac" and stream.rate == 48000
        assert abs(float(container.duration / av.time_base) - 13.0) < 0.05
    # The waveform: the tone (level 0.25) where the recording plays, silence under the intro.
    data = json.loads(
        re.search(r'<script type="application/json" id="data">(.*?)</script>', html, re.S)[1]
    )
    import base64

    peaks = base64.b64decode(data["peaks"])
    rate = data["peaksPerSecond"]
    assert len(peaks) == 13 * rate
    assert max(peaks[:rate]) == 0
    assert 100 < peaks[5 * rate] < 160  # sqrt(0.25) * 255 = 128
    assert [s["caption"] for s in data["shots"]][1] == "Sign on the congregation, 1970s. I-495"


def test_warnings_are_shown_next_to_what_they_concern(storyboard, assets, tmp_path):
    """The enlargement warning on its photo's row, a chapter warning on its segment's first
    row, and a caption cut to three lines on its row; one about the whole storyboard at the
    top."""
    long = " ".join(["words"] * 80)
    board = storyboard(
        "title: T\nvideo: {size: 1280x720}\nloudness: off\nsegments:\n"
        "  - photos: [{file: blue.jpg, duration: 10}]\n"
        "  - title: Short\n    photos:\n"
        "      - {file: red.jpg, duration: 3}\n"
        f"      - {{file: green.png, duration: 3, caption: {long}}}\n"
    )
    html = slideshow.preview(board, tmp_path / "out").page.read_text(encoding="utf-8")
    first = html[html.index('data-index="0"') : html.index('data-index="1"')]
    red = html[html.index('data-index="1"') : html.index('data-index="2"')]
    green = html[html.index('data-index="2"') :]
    assert "enlarged 4.0 times" in first and "lasts under 10 s" not in first
    assert "enlarged 4.0 times" in red and "the chapter 'Short' lasts under" in red
    assert "longer than 3 lines" in green and "lasts under" not in green
    head = html[: html.index("<main>")]
    assert "YouTube shows chapters only when there are at least 3" in head


def test_citation_from_the_caption_else_the_file_name():
    def shot(photo, caption=None):
        return PhotoShot(0, 0, 1, Transition("cut", 0), 0, photo=photo, file=photo, caption=caption)

    assert citation(shot("scans/I-495_0001.tif")) == "I-495"
    assert citation(shot("a.jpg", "Rally, 1987. P-12")) == "P-12"
    assert citation(shot("a.jpg", "1987-12-06 rally")) is None
    assert citation(shot("II-4950001.tif")) == "II-4950001"


def test_rows_of_cards_and_warnings_without_a_place(board):
    checked = slideshow.check(board)
    plan = plan_rows(checked.timeline, [], {})
    assert [r.what for r in plan.rows] == [
        "Title card: Leaving Kiev",
        "red.jpg",
        "green.png",
        "blue.jpg",
    ]
    assert [r.transition for r in plan.rows][:2] == ["cut", "crossfade 1 s"]
    assert [c.text for c in plan.transcript] == ["First words", "שלום, мир"]


def test_an_edit_makes_only_what_it_touches(board, tmp_path):
    out = tmp_path / "out"
    slideshow.preview(board, out)
    folder = out / "kiev.preview"
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    board.write_text(BOARD.replace("Sign on the", "A sign on the"), encoding="utf-8")
    slideshow.preview(board, out)
    after = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert "A sign on the" in (out / "kiev.preview.html").read_text(encoding="utf-8")
    changed = {n for n in after if before.get(n) != after[n]}
    assert changed == {"version.js"}  # the pictures and the soundtrack stand
    # A photo swapped: its picture is replaced, and the old one is not left behind.
    board.write_text(BOARD.replace("green.png, at: 4", "blue.jpg, at: 4"), encoding="utf-8")
    slideshow.preview(board, out)
    html = (out / "kiev.preview.html").read_text(encoding="utf-8")
    referenced = set(re.findall(r'kiev\.preview/([^"?]+)"', html)) | {"version.js"}
    assert {p.name for p in folder.iterdir()} == referenced
    assert len(list(folder.glob("*.t.jpg"))) == 3  # red, blue and the two cards


def test_the_contact_sheet_prints_every_shot(storyboard, assets, tmp_path):
    captions = [f"Photograph {n}: Отказ {n} — סירוב" for n in range(17)]
    photos = "".join(
        f'      - {{file: {"red.jpg" if n % 2 else "blue.jpg"}, caption: "{c}"}}\n'
        for n, c in enumerate(captions)
    )
    board = storyboard(
        "title: Sheet\nvideo: {size: 320x180}\nloudness: off\nsegments:\n"
        f"  - title: One\n    audio: {{file: talk.wav, end: 17}}\n    photos:\n{photos}"
        "  - title: Two\n    photos: [{file: red.jpg, duration: 10}]\n"
    )
    result = slideshow.preview(board, tmp_path / "out", sheet=True)
    assert result.sheet == tmp_path / "out" / "story.sheet.pdf"
    reader = PdfReader(str(result.sheet))
    assert len(reader.pages) == 2  # 15 shots a page: 18 photos
    for page in reader.pages:  # landscape, fitting both A4 and US Letter
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width > height
        assert width <= 792.01 and height <= 595.28  # Letter's width, A4's height (points)
    text = " ".join(p.extract_text() for p in reader.pages)
    flat = re.sub(r"\s+", " ", text)
    for caption in captions:
        assert caption in flat, caption
    assert "Page 1 of 2" in flat and "Page 2 of 2" in flat
    assert "Chapter 0:00.0 · One" in flat and "Chapter 0:17.0 · Two" in flat


def test_bad_input_writes_no_page(storyboard, tmp_path):
    board = storyboard("title: T\nsegments:\n  - photos: [missing.jpg]\n")
    with pytest.raises(StoryboardError):
        slideshow.preview(board, tmp_path / "out")
    assert not (tmp_path / "out" / "story.preview.html").exists()
    done = shell.run("preview", board, "--out", tmp_path / "out")
    assert done.returncode == 1
    assert f"{board}:3:14: " in done.stderr and "missing.jpg" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out" / "story.preview.html").exists()


def test_the_command_writes_page_and_sheet(board, tmp_path):
    done = shell.run("preview", board, "--out", tmp_path / "out", "--sheet")
    assert done.returncode == 0, done.stderr
    assert "kiev.preview.html" in done.stdout and "kiev.sheet.pdf" in done.stdout
    assert (tmp_path / "out" / "kiev.sheet.pdf").is_file()


def test_preview_watch_writes_the_page_again_on_save(board, tmp_path):
    from test_cli import Watch

    out = tmp_path / "out"
    page = out / "kiev.preview.html"
    watch = Watch(board, out, tmp_path / "stderr.txt", command="preview")
    try:
        watch.wait_for(lambda: page.is_file(), "the first page")
        watch.wait_for(lambda: "Watching" in watch.log.read_text(), "the watch to start")
        version = (out / "kiev.preview" / "version.js").read_text()
        board.write_text(BOARD.replace("Sign on the", "Edited sign on the"), encoding="utf-8")
        watch.wait_for(lambda: "Edited sign" in page.read_text(encoding="utf-8"), "the new page")
        assert (out / "kiev.preview" / "version.js").read_text() != version
        board.write_text("title: [unclosed\n")
        watch.wait_for(lambda: "not valid YAML" in watch.log.read_text(), "the mistake reported")
        assert "Edited sign" in page.read_text(encoding="utf-8")  # the last good page stands
    finally:
        err = watch.stop()
    assert watch.process.returncode == 0, err
    assert "Stopped watching." in err and "Traceback" not in err


def test_open_hands_the_page_to_the_default_browser(board, tmp_path):
    """--open goes through Python's webbrowser, which honours $BROWSER: here a script that
    notes the address it was given."""
    import os
    import sys

    noted = tmp_path / "opened.txt"
    browser = tmp_path / "browser.py"
    browser.write_text(f"import sys\nopen({str(noted)!r}, 'w').write(sys.argv[1])\n")
    env = dict(os.environ, BROWSER=f"{sys.executable} {browser} %s")
    done = shell.run("preview", board, "--out", tmp_path / "out", "--open", env=env)
    assert done.returncode == 0, done.stderr
    assert noted.read_text() == (tmp_path / "out" / "kiev.preview.html").resolve().as_uri()


def test_the_screen_shows_the_burned_in_subtitles_and_rows_the_alt_text(
    storyboard, assets, tmp_path
):
    (assets / "talk.en.vtt").write_text(VTT.replace("שלום, мир", "Peace, world"), "utf-8")
    (assets / "talk.he.vtt").write_text(VTT.replace("First words", "מילים ראשונות"), "utf-8")
    board = storyboard(
        "title: T\nvideo: {size: 320x180}\nloudness: off\nstyle: {subtitles: he}\n"
        "segments:\n  - audio: {file: talk.wav, start: 1, end: 9}\n"
        "    transcript: {en: talk.en.vtt, he: talk.he.vtt}\n"
        "    photos: [{file: red.jpg, alt: A red square}]\n"
    )
    html = slideshow.preview(board, tmp_path / "out").page.read_text(encoding="utf-8")
    data = json.loads(
        re.search(r'<script type="application/json" id="data">(.*?)</script>', html, re.S)[1]
    )
    assert [c["text"] for c in data["cues"]] == ["מילים ראשונות", "שלום, мир"]
    assert "Alt text: A red square" in html and 'alt="A red square"' in html
    # The screen's line is Hebrew on an English page: marked, for screen readers.
    assert '<p id="subtitle" dir="auto" lang="he">' in html
    assert '<ol class="lines">' in html  # the transcript lines are in the page's language
