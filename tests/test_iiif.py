"""`<id>.iiif.json`: a IIIF Presentation 3 manifest, validated by the IIIF community's own
Presentation 3 models (iiif-prezi3, generated from the specification's JSON Schema)."""

from __future__ import annotations

import json

import media
import pytest
import shell
from iiif_prezi3 import Manifest
from pydantic import ValidationError

import slideshow

SMALL = media.TINY


def test_render_with_a_base_url_writes_a_valid_manifest(assets, storyboard, tmp_path):
    path = storyboard(
        "title: Leaving Kiev\nid: kiev\ndescription: Anna recalls.\nlanguage: ru\n"
        "credits: [Oral history I-495]\n" + SMALL + "intro: {title: Kiev, duration: 2}\n"
        "segments:\n"
        "  - title: Waiting\n    audio: {file: talk.wav, end: 12}\n    photos: [red.jpg]\n"
        "  - title: Letters\n    photos: [{file: green.png, duration: 11}]\n"
    )
    out = tmp_path / "out"
    base = "https://archive.example.org/media/kiev"
    result = shell.run("render", path, "--out", out, "--base-url", base)
    assert result.returncode == 0, result.stderr
    data = json.loads((out / "kiev.iiif.json").read_text(encoding="utf-8"))
    Manifest(**{k: v for k, v in data.items() if k != "@context"})  # raises if not valid
    assert data["@context"] == "http://iiif.io/api/presentation/3/context.json"
    timeline = slideshow.check(path).timeline
    canvas = data["items"][0]
    assert canvas["duration"] == float(timeline.duration) == 25.0
    painting = canvas["items"][0]["items"][0]
    assert painting["motivation"] == "painting"
    assert painting["body"]["id"] == f"{base}/kiev.mp4" and painting["body"]["type"] == "Video"
    captions = canvas["annotations"][0]["items"][0]
    assert captions["motivation"] == "supplementing"
    assert captions["body"] == {
        "id": f"{base}/kiev.vtt",
        "type": "Text",
        "format": "text/vtt",
        "language": "ru",
        "label": {"en": ["Captions (Russian)"]},
    }
    # The 2 s intro is folded into the first chapter.
    assert [
        (r["label"]["ru"][0], r["items"][0]["id"].split("#")[1]) for r in data["structures"]
    ] == [
        ("Waiting", "t=0,14"),
        ("Letters", "t=14,25"),
    ]
    assert data["thumbnail"][0]["id"] == f"{base}/kiev.jpg"
    assert data["summary"] == {"ru": ["Anna recalls."]}


def test_the_storyboard_can_say_where_it_is_served_and_a_bad_address_is_refused(
    assets, storyboard, tmp_path
):
    path = storyboard(
        "title: T\n" + SMALL + "publish: {iiif: {base_url: 'http://localhost:8000/'}}\n"
        "segments:\n  - photos: [{file: red.jpg, duration: 2}]\n"
    )
    slideshow.render(path, tmp_path / "out")
    data = json.loads((tmp_path / "out" / "story.iiif.json").read_text(encoding="utf-8"))
    assert (
        data["items"][0]["items"][0]["items"][0]["body"]["id"] == "http://localhost:8000/story.mp4"
    )
    assert "structures" not in data  # no titled segment, no chapters
    bad = storyboard(
        "title: T\npublish: {iiif: {base_url: ftp://x}}\nsegments:\n  - photos: [red.jpg]\n",
        "bad.yaml",
    )
    assert "expected an http:// or https:// address" in str(slideshow.check(bad).problems[0])
    result = shell.run("render", path, "--base-url", "archive.example.org")
    assert result.returncode == 2 and "expected an http:// or https:// address" in result.stderr


def test_the_validation_can_fail():
    with pytest.raises(ValidationError):
        Manifest(
            id="https://x/m",
            label={"en": ["x"]},
            items=[{"id": "https://x/c", "type": "Canvas", "duration": "long"}],
        )


def test_a_caption_annotation_per_language_and_the_text_alternative(
    assets, storyboard, tmp_path
):
    for tag, line in (("ru", "Мы ждали."), ("en", "We waited.")):
        (assets / f"talk.{tag}.vtt").write_text(
            f"WEBVTT\n\n00:00.500 --> 00:02.500\n{line}\n", encoding="utf-8"
        )
    path = storyboard(
        "title: Kiev\nid: kiev\nspoken_language: ru\nvideo: {size: 320x180, quality: draft}\n"
        "loudness: off\nsegments:\n  - audio: {file: talk.wav, end: 4}\n"
        "    transcript: {ru: talk.ru.vtt, en: talk.en.vtt}\n    photos: [red.jpg]\n"
    )
    slideshow.render(path, tmp_path / "out", base_url="https://media.example.org/c")
    data = json.loads((tmp_path / "out" / "kiev.iiif.json").read_text(encoding="utf-8"))
    Manifest(**{k: v for k, v in data.items() if k != "@context"})
    (page,) = data["items"][0]["annotations"]
    bodies = [(a["body"]["language"], a["body"]["id"], a["body"]["label"]) for a in page["items"]]
    assert bodies == [
        ("ru", "https://media.example.org/c/kiev.ru.vtt", {"en": ["Captions (Russian)"]}),
        ("en", "https://media.example.org/c/kiev.en.vtt", {"en": ["Captions (English)"]}),
    ]
    assert data["rendering"][0]["id"] == "https://media.example.org/c/kiev.transcript.html"
