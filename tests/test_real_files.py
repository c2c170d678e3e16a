"""Files no one here wrote, as archives and phones make them (issue 28): photos that carry
their orientation beside a colour profile or in XMP."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms

from slideshow.media import probe_image
from slideshow.renderer.video.decoding import load_photo


def _halves(path: Path, **save) -> Path:
    """A 320x180 picture stored sideways: red on its left half, blue on its right."""
    array = np.zeros((180, 320, 3), dtype=np.uint8)
    array[:, :160] = (220, 30, 30)
    array[:, 160:] = (30, 30, 220)
    Image.fromarray(array).save(path, **save)
    return path


def _exif(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
    b'syntax-ns#"><rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" '
    b'tiff:Orientation="6"/></rdf:RDF></x:xmpmeta>'
)


@pytest.mark.parametrize(
    "made",
    [
        "exif",  # a phone photo without a profile: upright before too
        "exif and profile",  # a phone photo: both (converting the profile dropped the turn)
        "xmp",  # a PNG whose orientation is in XMP only
    ],
)
def test_a_photo_stored_sideways_is_shown_upright(tmp_path, made):
    if made == "xmp":
        from PIL import PngImagePlugin

        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", XMP.decode())
        path = _halves(tmp_path / "phone.png", pnginfo=info)
    elif made == "exif":
        path = _halves(tmp_path / "phone.jpg", exif=_exif(6), quality=95)
    else:
        path = _halves(tmp_path / "phone.jpg", exif=_exif(6), icc_profile=SRGB, quality=95)
    photo = np.asarray(load_photo(str(path), (180, 320), path.name).convert("RGB"), dtype=int)
    assert photo.shape == (320, 180, 3)  # turned a quarter clockwise: upright
    assert abs(photo[40, 90] - (220, 30, 30)).max() < 30  # red on top
    assert abs(photo[280, 90] - (30, 30, 220)).max() < 30  # blue below
    if made != "xmp":  # the header alone: XMP of a PNG is after its pixels
        assert (probe_image(path).width, probe_image(path).height) == (180, 320)


def test_a_cue_left_out_of_a_transcript_is_a_warning_at_its_place(assets, storyboard):
    import shell

    (assets / "talk.srt").write_text(
        "1\n00:00:01,000 --> 00:00:01,000\nmachine-made\n\n2\n00:00:02,000 --> 00:00:04,000\nok\n",
        encoding="utf-8",
    )
    board = storyboard(
        "title: T\nvideo: {size: 320x180}\nsegments:\n"
        "  - audio: talk.wav\n    transcript: talk.srt\n    photos: [red.jpg]\n"
    )
    result = shell.run("validate", board)
    assert result.returncode == 0, result.stderr
    assert (
        f"{board}:5:17: warning: transcript 'talk.srt': line 2: a cue of no length was left out"
        in result.stderr
    )


class _Hostile:
    """A format Pillow is taught for the test, whose opener fails as damaged or hostile files
    make real ones fail (Pillow's decompression-bomb and DDS test files raise errors besides
    OSError, or run for minutes)."""

    PREFIX = b"HOSTILE!"

    @staticmethod
    def accept(prefix: bytes) -> bool:
        return prefix.startswith(_Hostile.PREFIX)

    @staticmethod
    def factory(fp, filename=None):
        if b"slow" in Path(filename or fp).read_bytes() if isinstance(filename or fp, str) else b"":
            import time

            time.sleep(3)
        raise ZeroDivisionError("a decoder's bug")


@pytest.fixture
def hostile(monkeypatch):
    Image.init()
    monkeypatch.setitem(Image.OPEN, "HOSTILE", (_Hostile.factory, _Hostile.accept))
    monkeypatch.setattr(Image, "ID", [*Image.ID, "HOSTILE"])


@pytest.mark.parametrize("slow", [False, True])
def test_a_photo_that_breaks_its_decoder_is_an_error_at_its_place(
    assets, storyboard, hostile, monkeypatch, slow
):
    """Every photo problem is FILE:LINE:COL naming the photo, never a crash that hides the
    storyboard's other problems; a read that runs past the limit is stopped and reported."""
    import slideshow
    import slideshow.media

    monkeypatch.setattr(slideshow.media, "DECODE_SECONDS", 0.3)
    (assets / "odd.jpg").write_bytes(_Hostile.PREFIX + (b"slow" if slow else b"") + b"\0" * 64)
    board = storyboard(
        "title: T\nvideo: {size: 320x180}\nsegments:\n"
        "  - photos: [odd.jpg, missing.jpg]\n"
    )
    checked = slideshow.check(board)
    said = [str(p) for p in checked.problems]
    reason = "reading its header took more than 0.3 s" if slow else "a decoder's bug"
    assert any(
        p.startswith(f"{board}:4:14: photo 'odd.jpg': ") and reason in p
        for p in said
    ), said
    assert any("'missing.jpg': file not found" in p for p in said)  # the other problem too


def test_a_photo_that_fails_while_rendering_names_itself(assets, storyboard, monkeypatch):
    import slideshow.renderer.video.decoding as decoding
    from slideshow.errors import SlideshowError
    from slideshow.renderer import render

    def broken(image, need):
        raise IndexError("list index out of range")

    from slideshow.renderer.video.frames import SOURCES

    SOURCES.clear()  # nothing made earlier in this process, nothing cached: decoded here
    monkeypatch.setattr(decoding, "_decode", broken)
    board = storyboard("title: T\nvideo: {size: 320x180}\nsegments:\n  - photos: [red.jpg]\n")
    with pytest.raises(SlideshowError, match=r"photo 'red\.jpg': cannot be decoded"):
        render(board, assets / "out", jobs=1, cache_root=assets / "cache")


def test_a_catalogue_export_reads_as_captions_with_quotes_doubled(tmp_path):
    """A CollectionBuilder-style CSV: every item titled (captions, not chapters), its own
    column names, a quote doubled inside a quoted cell and a line break in a cell (the
    sniffer guessed no doubled quotes, and lines were split before parsing); the same rows as
    XLSX read the same."""
    from openpyxl import Workbook

    from slideshow.sources.itemlist import read_item_list

    header = ["objectid", "filename", "title", "description", "image_alt_text", "identifier"]
    rows = [
        ["a1", "rally.jpg", 'The "Freedom Sunday" rally', "A crowd, 1987.\nWashington.",
         "Placards in a crowd", "I-495"],
        ["a2", "visa.jpg", "Refusal", "", "A typed form", "I-496"],
    ]  # fmt: skip
    csv_text = ",".join(header) + "\r\n"
    for row in rows:
        csv_text += ",".join('"' + c.replace('"', '""') + '"' for c in row) + "\r\n"
    (tmp_path / "items.csv").write_text(csv_text, encoding="utf-8")
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / "items.xlsx")
    read = {}
    for name in ("items.csv", "items.xlsx"):
        items = read_item_list(tmp_path / name)
        read[name] = [(r.file, r.caption, r.segment, r.alt, r.citation) for r in items.rows]
        assert [w for w in items.warnings if "objectid" not in w] == []
    assert read["items.csv"] == read["items.xlsx"] == [
        ("rally.jpg", 'The "Freedom Sunday" rally', None, "Placards in a crowd", "I-495"),
        ("visa.jpg", "Refusal", None, "A typed form", "I-496"),
    ]


def test_titles_on_some_rows_start_segments(tmp_path):
    from slideshow.sources.itemlist import read_item_list

    (tmp_path / "items.csv").write_text(
        "file,title,description\na.jpg,Waiting,First\nb.jpg,,Second\nc.jpg,Letters,\n",
        encoding="utf-8",
    )
    items = read_item_list(tmp_path / "items.csv")
    assert [(r.file, r.segment, r.caption) for r in items.rows] == [
        ("a.jpg", "Waiting", "First"),
        ("b.jpg", None, "Second"),
        ("c.jpg", "Letters", None),
    ]


HOSTED = """<?xml version="1.0" encoding="UTF-8"?>
<ROOT xmlns="https://www.weareavp.com/nunncenter/ohms"><record id="7">
<version>5.4</version><title>Interview with Boris M.</title>
<duration>0:00:20</duration>
<interviewee>Boris M.</interviewee><interviewer>Rina S.; Dov L.</interviewer>
<description>Boris recalls the refusal years in Leningrad.</description>
<media_id>dQw4w9WgXcQ</media_id>
<mediafile><host>YouTube</host><host_clip_id>dQw4w9WgXcQ</host_clip_id></mediafile>
<sync></sync>
<index><point><time>0</time><title>Leningrad</title></point>
<point><time>10</time><title>The refusal</title></point></index>
<transcript>&#xFEFF;We applied in 1979.
They refused us in 1980.</transcript></record></ROOT>
"""


@pytest.mark.parametrize("dry_run", [True, False])
def test_an_ohms_record_with_its_recording_on_youtube_and_an_untimed_transcript(
    tmp_path, dry_run
):
    """Most OHMS records host the recording (YouTube, Kaltura): the storyboard is written all
    the same, from the index, naming a file to save the recording as, marked to check; an
    untimed transcript (no sync marks) is not timed by guess; the abstract is the description
    and the people are the credits."""
    import shell
    import yaml

    (tmp_path / "boris.xml").write_text(HOSTED, encoding="utf-8")
    board = tmp_path / "boris.yaml"
    args = ["init", tmp_path / "boris.xml", "-o", board] + (["--dry-run"] if dry_run else [])
    result = shell.run(*args)
    assert result.returncode == 0, result.stderr
    assert "its recording is on YouTube (dQw4w9WgXcQ)" in result.stderr
    assert "no sync marks, so it is not timed by guess" in result.stderr
    text = result.stdout if dry_run else board.read_text(encoding="utf-8")
    check = "# Check: its recording is on YouTube (dQw4w9WgXcQ); the storyboard names boris.m4a"
    assert check in text
    data = yaml.safe_load(text[text.index("title:"):] if dry_run else text)
    assert data["description"] == "Boris recalls the refusal years in Leningrad.\n"
    people = ["Interviewee: Boris M.", "Interviewer: Rina S.", "Interviewer: Dov L."]
    assert data["credits"] == people
    assert [s["title"] for s in data["segments"]] == ["Leningrad", "The refusal"]
    assert data["segments"][0]["audio"] == {"file": "boris.m4a", "end": "0:10.000"}
    assert all("transcript" not in s for s in data["segments"])
    if not dry_run:
        untimed = board.with_name("boris.transcript.txt").read_text(encoding="utf-8")
        assert untimed == "We applied in 1979.\nThey refused us in 1980.\n"  # no BOM


def test_srt_italics_are_kept_in_the_caption_files_and_dropped_elsewhere(assets, storyboard):
    """A cue in italics throughout keeps them in the SRT and WebVTT written (both carry
    `<i>`); the MP4's text track and the picture show the words plain, never the tags."""
    import av

    from slideshow.renderer import render

    (assets / "talk.srt").write_text(
        "1\n00:00:00,500 --> 00:00:03,000\n<i>We waited eight years.</i>\n\n"
        "2\n00:00:03,000 --> 00:00:05,000\nThen <i>the letter</i> came.\n",
        encoding="utf-8",
    )
    board = storyboard(
        "title: T\nid: it\nvideo: {size: 320x180, quality: draft}\nloudness: off\n"
        "style: {subtitles: en}\nsegments:\n"
        "  - audio: {file: talk.wav, end: 6}\n    transcript: talk.srt\n    photos: [red.jpg]\n"
    )
    out = assets / "out"
    render(board, out, jobs=1)
    srt = (out / "it.srt").read_text(encoding="utf-8")
    vtt = (out / "it.vtt").read_text(encoding="utf-8")
    for text in (srt, vtt):
        assert "<i>We waited eight years.</i>" in text
        assert "Then the letter came." in text  # part of a cue: plain
    with av.open(str(out / "it.mp4")) as container:
        (track,) = container.streams.subtitles
        said = []
        for packet in container.demux(track):
            data = bytes(packet)
            if len(data) > 2:
                said.append(data[2 : 2 + int.from_bytes(data[:2], "big")].decode("utf-8"))
    assert said == ["We waited eight years.", "Then the letter came."]
