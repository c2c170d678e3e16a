"""`slideshow init`: storyboards started from photographs with embedded captions, item lists,
recordings, transcripts and OHMS indexes; each one written is validated and rendered."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import media
import numpy as np
import probe
import pytest
import shell
import yaml

import slideshow
from slideshow.sources.ohms import read_ohms
from slideshow.sources.photos import read_facts
from slideshow.sources.silences import changes, pauses

needs_exiftool = pytest.mark.skipif(
    shutil.which("exiftool") is None, reason="needs exiftool (.ci/run installs it)"
)
TINY = "\nvideo: {size: 160x90, quality: draft}\nloudness: off\n"


def exiftool(path, *tags: str) -> None:
    """Embed metadata the way archives do: with Phil Harvey's exiftool, not our own writer."""
    subprocess.run(
        ["exiftool", "-q", "-overwrite_original", *tags, str(path)], check=True, timeout=60
    )


@pytest.fixture
def scans(tmp_path):
    """Four scans named out of date order, their captions in IPTC, XMP, EXIF, or nowhere."""
    folder = tmp_path / "scans"
    media.photo(folder / "Item 10.jpg", (200, 40, 40))
    media.photo(folder / "Item 2.tif", (40, 200, 40))
    media.photo(folder / "Item 1.jpg", (40, 40, 200))
    media.photo(folder / "notes.png", (90, 90, 90))
    exiftool(
        folder / "Item 10.jpg",
        "-IPTC:Caption-Abstract=שלח את עמי, Lincolnwood",
        "-IPTC:ObjectName=I-495",
        "-IPTC:CodedCharacterSet=UTF8",
        "-EXIF:DateTimeOriginal=1970:05:01 10:00:00",
    )
    exiftool(  # UTF-8 in IPTC with no character set said: still read as UTF-8
        folder / "Item 2.tif",
        "-charset",
        "iptc=utf8",
        "-IPTC:Caption-Abstract=Отпусти народ мой",
        "-XMP-dc:Description=not this one",
        "-EXIF:DateTimeOriginal=1987:12:06 12:00:00",
    )
    exiftool(
        folder / "Item 1.jpg",
        "-XMP-dc:Description=Freedom Sunday, Washington",
        "-XMP-dc:Identifier=I-496",
        "-EXIF:DateTimeOriginal=1975:01:01 09:00:00",
    )
    exiftool(folder / "notes.png", "-EXIF:ImageDescription=Only EXIF here")
    return folder


def render_tiny(board, tmp_path):
    """Validate the storyboard as written, then render it at a tiny size."""
    result = shell.run("validate", board)
    assert result.returncode == 0, result.stderr
    small = board.with_name(board.stem + ".tiny.yaml")
    small.write_text(board.read_text(encoding="utf-8") + TINY, encoding="utf-8")
    rendered = slideshow.render(small, tmp_path / "out")
    return rendered, slideshow.check(small).timeline


@needs_exiftool
def test_a_folder_of_scans_with_embedded_captions(scans, tmp_path):
    facts = {p.name: read_facts(p) for p in scans.iterdir()}
    assert facts["Item 10.jpg"].caption == "שלח את עמי, Lincolnwood"
    assert facts["Item 10.jpg"].caption_field == "IPTC Caption-Abstract"
    assert facts["Item 10.jpg"].citation == "I-495"
    assert facts["Item 2.tif"].caption == "Отпусти народ мой"
    assert facts["Item 1.jpg"].caption_field == "XMP dc:description"
    assert facts["Item 1.jpg"].citation == "I-496"
    assert facts["notes.png"].caption == "Only EXIF here"

    board = tmp_path / "compilations" / "mine.yaml"
    result = shell.run("init", scans, "-o", board)
    assert result.returncode == 0, result.stderr
    text = board.read_text(encoding="utf-8")
    assert text.startswith("# Made by `slideshow init` from: ")
    data = yaml.safe_load(text)
    assert data["title"] == "Scans"
    assert data["media_root"] == "../scans"
    photos = data["segments"][0]["photos"]
    # notes.png has no date, so name order: Item 1, Item 2, Item 10, notes.
    assert [p["file"] if isinstance(p, dict) else p for p in photos] == [
        "Item 1.jpg",
        "Item 2.tif",
        "Item 10.jpg",
        "notes.png",
    ]
    assert photos[0]["caption"] == "Freedom Sunday, Washington I-496"
    assert photos[2]["caption"] == "שלח את עמי, Lincolnwood I-495"
    rendered, timeline = render_tiny(board, tmp_path)
    assert [s.caption for s in timeline.shots][2] == "שלח את עמי, Lincolnwood I-495"
    assert probe.streams(rendered.outputs.mp4)["frames"] == timeline.frames


@needs_exiftool
def test_dates_order_the_photos_when_all_have_one(scans, tmp_path):
    (scans / "notes.png").unlink()
    result = shell.run("init", scans, "-o", "-")
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load(result.stdout)  # as if saved in the current folder
    assert (Path.cwd() / data["media_root"]).resolve() == scans.resolve()
    photos = data["segments"][0]["photos"]
    assert [p["file"] for p in photos] == ["Item 10.jpg", "Item 1.jpg", "Item 2.tif"]


def test_never_overwrites_and_dry_run_writes_nothing(tmp_path):
    media.photo(tmp_path / "a.jpg")
    board = tmp_path / "story.yaml"
    board.write_text("keep me", encoding="utf-8")
    result = shell.run("init", tmp_path / "a.jpg", "-o", board)
    assert result.returncode == 1
    assert "exists; give --force" in result.stderr and board.read_text() == "keep me"
    result = shell.run("init", tmp_path / "a.jpg", "-o", board, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "a.jpg: (no caption)" in result.stdout and board.read_text() == "keep me"
    assert "# Check: no caption found in the file" in result.stdout
    result = shell.run("init", tmp_path / "a.jpg", "-o", board, "--force")
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(board.read_text())["segments"][0]["photos"] == ["a.jpg"]


def test_nothing_usable_is_exit_1_naming_each_source(tmp_path):
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not really")
    (tmp_path / "index.xml").write_text("<html><body/></html>")
    result = shell.run("init", tmp_path / "index.xml", tmp_path / "nope", "-o", "-")
    assert result.returncode == 1
    assert f"{tmp_path / 'index.xml'}: not an OHMS file" in result.stderr
    assert f"{tmp_path / 'nope'}: not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_item_list_csv_with_a_recording_starts_segments(tmp_path):
    folder = tmp_path / "assets"
    for name, colour in (("a.jpg", (200, 0, 0)), ("b.jpg", (0, 200, 0)), ("c.jpg", (0, 0, 200))):
        media.photo(folder / name, colour)
    media.recording(folder / "talk.wav", 20.0)
    items = folder / "items.csv"
    items.write_text(
        "File Name,Caption,At,Segment,Capton,Item Number\n"
        "a.jpg,Sign on the synagogue,,Beginnings,x,I-495\n"
        "b.jpg,Rally,0:06,,,\n"
        "missing.jpg,Lost,,,,\n"
        "c.jpg,Letters,0:12,Letters home,,\n",
        encoding="utf-8",
    )
    board = tmp_path / "board.yaml"
    result = shell.run("init", items, folder / "talk.wav", "-o", board)
    assert result.returncode == 0, result.stderr
    assert "column 5 'Capton' is not one slideshow reads" in result.stderr
    assert "did you mean 'caption'?" in result.stderr
    assert f"{items}: row 4: the file 'missing.jpg' was not found" in result.stderr
    data = yaml.safe_load(board.read_text(encoding="utf-8"))
    one, two = data["segments"]
    assert one["title"] == "Beginnings" and two["title"] == "Letters home"
    assert one["audio"] == {"file": "assets/talk.wav", "end": "0:12.000"}
    assert two["audio"] == {"file": "assets/talk.wav", "start": "0:12.000"}
    assert one["photos"][0]["caption"] == "Sign on the synagogue I-495"
    assert one["photos"][1]["at"] == "0:06"
    _, timeline = render_tiny(board, tmp_path)
    assert [c.title for c in timeline.chapters] == ["Beginnings", "Letters home"]


def test_item_list_xlsx_reads_time_cells_as_excel_shows_them(tmp_path):
    from openpyxl import Workbook

    folder = tmp_path / "assets"
    media.photo(folder / "a.jpg")
    media.photo(folder / "b.jpg", (0, 90, 0))
    media.recording(folder / "talk.wav", 12.0)
    book = Workbook()
    sheet = book.active
    sheet.append(["file", "caption", "at", "alt"])
    sheet.append(["a.jpg", "Первый", None, "A brick wall with a sign"])
    sheet.append(["b.jpg", "Second", dt.time(0, 0, 7), None])
    book.save(folder / "items.xlsx")
    result = shell.run("init", folder / "items.xlsx", folder / "talk.wav", "-o", "-")
    assert result.returncode == 0, result.stderr
    photos = yaml.safe_load(result.stdout)["segments"][0]["photos"]
    assert photos[0] == {
        "file": "a.jpg",
        "caption": "Первый",
        "alt": "A brick wall with a sign",
    }
    assert photos[1]["at"] == "0:00:07"


NEW_STYLE = """<?xml version="1.0" encoding="UTF-8"?>
<ROOT xmlns="https://www.weareavp.com/nunncenter/ohms">
  <record id="1" dt="2025-01-23">
    <version>6.0</version>
    <title>Oral history interview with Anna K.</title>
    <file_name>talk.wav</file_name>
    <index>
      <point><time>0</time><title>Childhood in Kiev</title>
        <synopsis>Anna recalls the courtyard.</synopsis><keywords>Kiev;childhood</keywords></point>
      <point><time>8</time><title>Waiting for a visa</title><synopsis/></point>
      <point><time>14.5</time><title>Leaving</title></point>
    </index>
    <vtt_transcript><![CDATA[WEBVTT

00:00:01.000 --> 00:00:04.000
<v ANNA>We lived near the river.<br>It was cold.

00:00:09.000 --> 00:00:00.000
<v ANNA>Then we waited.
]]></vtt_transcript>
  </record>
</ROOT>
"""

LEGACY = """<?xml version="1.0" encoding="UTF-8"?>
<ROOT xmlns="https://www.weareavp.com/nunncenter/ohms"><record id="2"><version>5.4</version>
<title>Fifty-line interview</title><sync>1:|2(2)</sync><media_url>https://example.org/x.mp3</media_url>
<index><point><time>0</time><title>Everything</title></point></index>
<transcript>Yes, my father was a petrologist.
He graduated from Columbia in 1888.
And he was curious.</transcript></record></ROOT>
"""


def test_ohms_new_style_index_and_transcript(tmp_path):
    folder = tmp_path / "interview"
    media.recording(folder / "talk.wav", 20.0)
    (folder / "anna.xml").write_text(NEW_STYLE, encoding="utf-8")
    board = tmp_path / "compilations" / "anna.yaml"
    result = shell.run("init", folder / "anna.xml", "-o", board)  # the recording is beside it
    assert result.returncode == 0, result.stderr
    text = board.read_text(encoding="utf-8")
    assert (
        "# Synopsis: Anna recalls the courtyard.\n" in text and "# Keywords: Kiev;childhood" in text
    )
    assert "# Check: this segment lasts 5.5 s" in text
    data = yaml.safe_load(text)
    assert data["title"] == "Oral history interview with Anna K."
    assert [s["title"] for s in data["segments"]] == [
        "Childhood in Kiev",
        "Waiting for a visa",
        "Leaving",
    ]
    assert data["segments"][1]["audio"]["start"] == "0:08.000"
    assert "photos" not in data["segments"][0]  # title cards
    transcript = board.with_name("anna.transcript.vtt")
    assert data["segments"][0]["transcript"] == "../compilations/anna.transcript.vtt"
    assert not list(folder.glob("*.vtt"))  # nothing written into the media folder
    cues = transcript.read_text(encoding="utf-8")
    assert "We lived near the river.\nIt was cold." in cues
    assert "00:00:09.000 --> 01:00:09.000" in cues  # OHMS's open-ended last cue
    rendered, timeline = render_tiny(board, tmp_path)
    assert [s.kind for s in timeline.shots] == ["title", "title", "title"]
    assert "We lived near the river." in rendered.outputs.srt.read_text(encoding="utf-8")


def test_ohms_legacy_sync_marks_become_cues(tmp_path):
    (tmp_path / "old.xml").write_text(LEGACY, encoding="utf-8")
    ohms = read_ohms(tmp_path / "old.xml")
    assert ohms.style == "sync" and [p.title for p in ohms.points] == ["Everything"]
    assert ohms.vtt.strip().split("\n\n")[1:3] == [
        "00:00:00.000 --> 00:01:00.000\nYes, my father was a petrologist. He",
        "00:01:00.000 --> 00:02:00.000\ngraduated from Columbia in 1888. And he was curious.",
    ]
    media.recording(tmp_path / "x.wav", 5.0)
    result = shell.run("init", tmp_path / "old.xml", tmp_path / "x.wav", "-o", tmp_path / "o.yaml")
    assert result.returncode == 0, result.stderr
    render_tiny(tmp_path / "o.yaml", tmp_path)


def test_ohms_that_is_hostile_xml_is_refused(tmp_path):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><ROOT>&lol2;</ROOT>'
    )
    (tmp_path / "bomb.xml").write_text(bomb)
    media.photo(tmp_path / "a.jpg")
    result = shell.run("init", tmp_path / "bomb.xml", tmp_path / "a.jpg", "-o", "-")
    assert result.returncode == 0, result.stderr  # the photo is still usable
    assert f"{tmp_path / 'bomb.xml'}: refused" in result.stderr


def test_photo_changes_at_pauses_in_the_speech(tmp_path):
    rate = 16000
    speech = lambda s: 0.3 * np.sin(2 * np.pi * 220 * np.arange(int(s * rate)) / rate)  # noqa: E731
    silence = lambda s: np.zeros(int(s * rate))  # noqa: E731
    # Talk 3.4 s, pause at 3.4-4.0, talk to 7.3, pause 7.3-7.9, talk to 12.
    signal_ = np.concatenate(
        [speech(3.4), silence(0.6), speech(3.3), silence(0.6), speech(4.1)]
    ).astype(np.float32)
    media.write_audio(tmp_path / "talk.wav", signal_[None, :], rate)
    found = pauses(tmp_path / "talk.wav", 0, 12)
    assert [round(p, 1) for p in found] == [3.7, 7.6]
    assert changes(3, 0, 12, found) == [3.7, 7.6]
    assert changes(3, 0, 12, []) == [4.0, 8.0]  # no pause near: the even share
    for colour, name in (((200, 0, 0), "1.jpg"), ((0, 200, 0), "2.jpg"), ((0, 0, 200), "3.jpg")):
        media.photo(tmp_path / name, colour)
    board = tmp_path / "s.yaml"
    result = shell.run(
        "init", tmp_path / "1.jpg", tmp_path / "2.jpg", tmp_path / "3.jpg", tmp_path / "talk.wav",
        "-o", board, "--at-silences",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    photos = yaml.safe_load(board.read_text())["segments"][0]["photos"]
    assert [p["at"] for p in photos[1:]] == ["0:03.700", "0:07.600"]
    render_tiny(board, tmp_path)


def test_the_readme_tour_starts_from_the_demo_scans(tmp_path):
    """`slideshow init assets/demo -o compilations/mine.yaml`: the bundled scans carry their
    captions and dates, so the storyboard has them, in the order the photos were taken."""
    root = Path(__file__).resolve().parent.parent
    board = tmp_path / "compilations" / "mine.yaml"
    result = shell.run("init", root / "assets" / "demo", "-o", board)
    assert result.returncode == 0, result.stderr
    photos = yaml.safe_load(board.read_text(encoding="utf-8"))["segments"][0]["photos"]
    assert [p["file"].rsplit("/", 1)[-1] for p in photos] == [
        "family_1970.jpg",
        "visa_refusal.jpg",
        "I-495_0001.jpg",
        "letters.jpg",
        "rally_1987.jpg",
    ]
    assert photos[2]["caption"].endswith("1970's I-495")
    render_tiny(board, tmp_path)


def test_broken_metadata_is_reported_and_the_rest_used(tmp_path):
    from PIL import Image

    exif = Image.Exif()
    exif[0x010E] = "Still readable"
    Image.new("RGB", (64, 48), (9, 9, 9)).save(
        tmp_path / "scan.jpg", exif=exif, xmp=b"<x:xmpmeta><rdf:RDF><unclosed"
    )
    facts = read_facts(tmp_path / "scan.jpg")
    assert facts.caption == "Still readable" and facts.caption_field == "EXIF ImageDescription"
    assert facts.problem.startswith("metadata partly unreadable: XMP")
    result = shell.run("init", tmp_path / "scan.jpg", "-o", "-")
    assert result.returncode == 0, result.stderr
    assert f"{tmp_path / 'scan.jpg'}: metadata partly unreadable: XMP" in result.stderr
    assert yaml.safe_load(result.stdout)["segments"][0]["photos"][0]["caption"] == "Still readable"
