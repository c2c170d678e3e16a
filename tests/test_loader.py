"""Loading storyboards: every form of the contract, and the text of every kind of mistake."""

from __future__ import annotations

from fractions import Fraction

import media
import pytest

import slideshow
from slideshow import StoryboardError


def problems(path) -> list[str]:
    """What checking the storyboard finds wrong (loading it, then planning it)."""
    checked = slideshow.check(path)
    with pytest.raises(StoryboardError) as info:
        checked.valid()
    assert info.value.problems == list(checked.problems)
    return [str(p) for p in checked.problems]


def test_complete_contract_example_loads(assets, storyboard):
    media.photo(assets / "photos" / "family_1970.jpg")
    media.photo(assets / "photos" / "I-495_0001.tif", size=(300, 200), format="TIFF")
    media.photo(assets / "photos" / "visa_refusal.jpg", size=(400, 300))
    media.photo(assets / "photos" / "rally_1987.jpg")
    media.recording(assets / "audio" / "anna_interview.mp3", 45.0, codec="mp3")
    media.write(
        assets / "transcripts" / "anna_interview.vtt",
        "WEBVTT\n\n00:00:04.000 --> 00:00:09.500\nWe waited.\n\n"
        "00:00:30.000 --> 00:00:50.000\nEight years.\n",
    )
    path = storyboard(
        """\
title: "Leaving Kiev: One Family's Story"
id: leaving-kiev
description: |
  Anna recalls the eight years her family waited for an exit visa.
language: en
credits:
  - "Oral history: Anna K., interviewed 1989"
  - "Photographs: Archive of the American Soviet Jewry Movement, I-495"
media_root: .
video: {size: 1920x1080, fps: 30, quality: standard}
loudness: -16
style: {font: DejaVu Sans, caption_position: bottom, background: blur}
defaults:
  fit: contain
  motion: none
  transition: crossfade
  transition_duration: 1.0
  photo_duration: 6
intro: {title: "Leaving Kiev", subtitle: "Oral history, 1989", duration: 5}
outro: {duration: 8}
publish:
  youtube:
    title: "Leaving Kiev"
    privacy: private
    tags: [Soviet Jewry, oral history, refuseniks]
    category: 27
    playlist: PLxxxxxxxxxxxx
    made_for_kids: false
    publish_at: "2026-12-01T15:00:00Z"
segments:
  - title: "Waiting for a visa"
    audio:
      file: audio/anna_interview.mp3
      start: "0:03"
      end: "0:40.5"
      fade_in: 0.5
      fade_out: 1.0
    transcript: transcripts/anna_interview.vtt
    photos:
      - photos/family_1970.jpg
      - file: photos/I-495_0001.tif
        caption: "Soviet Jewry Movement sign on the Lincolnwood Jewish Congregation, 1970's. I-495"
        at: "0:20"
      - file: photos/visa_refusal.jpg
        caption: "Refusal of an exit visa, 1971"
        duration: 8
        fit: cover
        motion:
          type: kenburns
          from: [0, 0, 1, 1]
          to: [0.25, 0.1, 0.5, 0.5]
        transition: cut
  - title: "Silent gallery"
    photos:
      - file: photos/rally_1987.jpg
        caption: "Freedom Sunday, Washington, 6 December 1987"
        duration: 10
"""
    )
    loaded = slideshow.load(path)
    model = loaded.model
    assert loaded.id == "leaving-kiev"
    assert model.segments[0].audio.start == 3
    assert model.segments[0].audio.end == Fraction(81, 2)
    assert model.segments[0].photos[0].file == "photos/family_1970.jpg"
    assert model.segments[0].photos[2].motion.from_ == (0, 0, 1, 1)
    assert model.publish.youtube.tags == ["Soviet Jewry", "oral history", "refuseniks"]
    assert loaded.images["photos/visa_refusal.jpg"].width == 400
    timeline = slideshow.plan(loaded)
    # intro 5 s + 37.5 s of recording + 10 s of gallery + outro 8 s
    assert timeline.frames == 150 + 1125 + 300 + 240


def test_defaults_and_shorthands(assets, storyboard):
    path = storyboard("title: T\nsegments:\n  - audio: talk.wav\n    photos: [red.jpg]\n")
    loaded = slideshow.load(path)
    assert loaded.id == "story"
    assert loaded.model.video.size == "1920x1080"
    assert loaded.model.loudness == -16
    assert loaded.model.segments[0].audio.fade_in == Fraction(1, 2)
    assert loaded.model.defaults.photo_duration == 6
    timeline = slideshow.plan(loaded)
    assert timeline.frames == 600  # the whole 20 s recording


def test_loudness_off_is_read_as_off(assets, storyboard):
    path = storyboard("title: T\nloudness: off\nsegments:\n  - photos: [red.jpg]\n")
    assert slideshow.load(path).model.loudness == "off"


def test_misspelt_keys_suggest_the_right_one(assets, storyboard):
    path = storyboard(
        "title: T\nvidoe: {fps: 25}\nsegments:\n  - photos:\n      - file: red.jpg\n"
        "        captoin: Hello\n"
    )
    assert problems(path) == [
        f"{path}:2:1: unknown key 'vidoe'; did you mean 'video'?",
        f"{path}:6:9: photo 'red.jpg': unknown key 'captoin'; did you mean 'caption'?",
    ]


def test_all_errors_reported_together_with_positions(assets, storyboard):
    path = storyboard(
        """\
title: T
video:
  size: 1921x1080
  quality: best
defaults:
  transition: wipe
segments:
  - audio: {file: talk.wav, start: "0:9x"}
    photos:
      - file: missing.jpg
      - file: red.jpg
        motion: {type: kenburns, from: [0.5, 0, 0.8, 1], to: [0, 0, 1, 1]}
"""
    )
    found = problems(path)
    assert found == [
        f"{path}:3:9: `size`: width and height must be even numbers, got '1921x1080'",
        f"{path}:4:12: `quality`: expected draft, standard or master, got 'best'",
        f"{path}:6:15: `transition`: expected cut, crossfade or fade, got 'wipe'",
        f'{path}:8:36: `start`: expected a time such as 12, 12.5, "SS.mmm", "M:SS", '
        '"MM:SS.mmm", "H:MM:SS" or "HH:MM:SS.mmm", got \'0:9x\'',
        f"{path}:10:15: photo 'missing.jpg': file not found",
        f"{path}:12:17: photo 'red.jpg': `motion`: the `from` rectangle [0.5, 0.0, 0.8, 1.0] "
        "reaches outside the photo: x + w and y + h must be at most 1",
    ]


def test_missing_required_keys(assets, storyboard):
    path = storyboard("id: x\nsegments: []\n")
    assert problems(path) == [
        f"{path}:1:1: missing required key 'title'",
        f"{path}:2:11: `segments` needs at least one item",
    ]


def test_wrong_types(assets, storyboard):
    path = storyboard("title: [a, b]\nvideo: {fps: fast}\nsegments: {photos: []}\n")
    assert problems(path) == [
        f"{path}:1:8: `title`: expected text, got a list",
        f"{path}:2:14: `fps`: expected a number, got 'fast'",
        f"{path}:3:11: `segments`: expected a list, got a mapping",
    ]


def test_unsafe_yaml_tags_are_rejected_not_run(assets, storyboard, tmp_path):
    marker = tmp_path / "pwned"
    path = storyboard(
        f'title: !!python/object/apply:os.system ["touch {marker}"]\n'
        "segments:\n  - photos: [red.jpg]\n"
    )
    message = f"{path}:1:8: the tag !!python/object/apply:os.system is not allowed"
    assert any(p.startswith(message) for p in problems(path))
    assert not marker.exists()


def test_yaml_syntax_error_has_position(assets, storyboard):
    path = storyboard("title: T\nsegments:\n  - photos: [red.jpg\n")
    (found,) = problems(path)
    assert found.startswith(f"{path}:4:1: this is not valid YAML")


def test_duplicate_keys(assets, storyboard):
    path = storyboard("title: T\ntitle: U\nsegments:\n  - photos: [red.jpg]\n")
    assert problems(path) == [f"{path}:2:1: the key 'title' is given twice; keep one of them"]


def test_media_that_is_not_what_it_claims(assets, storyboard):
    media.write(assets / "fake.jpg", "this is text, not a JPEG")
    media.write(assets / "fake.wav", "this is text, not a WAV")
    media.write(assets / "bad.vtt", "WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nbackwards\n")
    path = storyboard(
        "title: T\nsegments:\n  - audio: fake.wav\n    photos: [fake.jpg]\n"
        "  - audio: talk.wav\n    transcript: bad.vtt\n    photos: [red.jpg]\n"
    )
    found = problems(path)
    assert found[0].startswith(f"{path}:3:12: recording 'fake.wav': not a recording that can be")
    assert found[1].startswith(f"{path}:4:14: photo 'fake.jpg': not an image that can be read")
    assert found[2] == f"{path}:6:17: transcript 'bad.vtt': line 3: the cue ends before it starts"


def test_impossible_plans_name_the_photo(assets, storyboard):
    path = storyboard(
        """\
title: T
segments:
  - audio: {file: talk.wav, end: 10}
    photos:
      - red.jpg
      - {file: green.png, at: 4}
      - {file: blue.jpg, at: 3}
      - {file: red.jpg, at: 12}
  - audio: {file: talk.wav, end: 5}
    photos:
      - {file: red.jpg, duration: 4}
      - {file: green.png, duration: 4}
  - audio: {file: talk.wav, start: 25}
    photos: [red.jpg]
  - photos:
      - {file: red.jpg, duration: 0.5}
      - {file: red.jpg, at: 3}
"""
    )
    assert problems(path) == [
        f"{path}:7:30: photo 'blue.jpg': `at` 0:03.000 comes before the photo listed above it",
        f"{path}:8:29: photo 'red.jpg': `at` 0:12.000 is outside the segment's recording "
        "(0:00.000 to 0:10.000)",
        f"{path}:11:35: photo 'red.jpg': the fixed durations here add up to 8 s, but this "
        "stretch of the recording lasts 5 s",
        f"{path}:13:36: `start` 0:25.000 is past the end of 'talk.wav' (0:20.000)",
        f"{path}:16:9: photo 'red.jpg' would be shown for only 0.50 s; a photo needs at least "
        "one second",
        f"{path}:17:29: photo 'red.jpg': `at` needs a recording in the segment; use `duration` "
        "in a segment without audio",
    ]


def test_youtube_limits(assets, storyboard):
    long_title = "x" * 101
    path = storyboard(
        f"title: T\npublish:\n  youtube:\n    title: {long_title}\n"
        "segments:\n  - photos: [red.jpg]\n"
    )
    assert problems(path) == [
        f"{path}:4:12: `title`: a YouTube title has at most 100 characters, this has 101"
    ]
    path = storyboard(
        "title: T\ndescription: a <b> c\npublish:\n  youtube:\n"
        "    privacy: public\n    publish_at: '2026-12-01T15:00:00Z'\n"
        "segments:\n  - photos: [red.jpg]\n"
    )
    assert problems(path) == [
        f"{path}:5:5: `youtube`: `publish_at` works only with `privacy: private`"
    ]
    path = storyboard(
        "title: T\ndescription: a <b> c\npublish:\n  youtube: {privacy: public}\n"
        "segments:\n  - photos: [red.jpg]\n"
    )
    assert problems(path) == [f"{path}:2:14: YouTube does not accept '<' or '>' in a description"]


def test_chapter_warnings(assets, storyboard):
    path = storyboard(
        "title: T\nvideo: {size: 320x180}\nsegments:\n  - title: One\n    photos: [red.jpg]\n"
        "  - title: Two\n    photos: [{file: red.jpg, duration: 3}]\n"
    )
    assert [str(w) for w in slideshow.check(path).warnings] == [
        f"{path}:4:12: warning: YouTube shows chapters only when there are at least 3; "
        "this storyboard has 2",
        f"{path}:4:12: warning: the chapter 'One' lasts under 10 s; YouTube ignores chapters "
        "that short",
        f"{path}:6:12: warning: the chapter 'Two' lasts under 10 s; YouTube ignores chapters "
        "that short",
    ]


def test_not_a_mapping_and_empty(assets, storyboard):
    assert problems(storyboard("")) == [f"{assets / 'story.yaml'}:1:1: the storyboard is empty"]
    path = storyboard("- a\n- b\n", "list.yaml")
    assert problems(path) == [f"{path}:1:1: a storyboard must be a mapping of keys"]
    assert problems(assets / "nope.yaml") == [
        f"{assets / 'nope.yaml'}:1:1: storyboard file not found"
    ]


def test_pillows_decompression_bomb_guard_is_left_as_the_host_set_it(assets):
    """Importing the library changes no Pillow setting; our own limit guards our own opens."""
    code = f"""
import warnings
from PIL import Image
Image.MAX_IMAGE_PIXELS = 10_000  # the host program's own, stricter guard
import slideshow, slideshow.renderer, slideshow.renderer.video.decoding
from slideshow import media
from slideshow.errors import MediaError
assert Image.MAX_IMAGE_PIXELS == 10_000, Image.MAX_IMAGE_PIXELS
try:  # the host's opens keep its guard (320x180 is over twice its limit)
    Image.open({str(assets / "red.jpg")!r})
    raise SystemExit("the host's guard was lifted")
except Image.DecompressionBombError:
    pass
# ours use our limit, with our message
assert media.probe_image({str(assets / "red.jpg")!r}).width == 320
slideshow.renderer.video.decoding.load_photo({str(assets / "red.jpg")!r}, (32, 18), "red.jpg")
media.MAX_IMAGE_PIXELS = 50_000
try:
    media.probe_image({str(assets / "red.jpg")!r})
    raise SystemExit("our limit was not applied")
except MediaError as exc:
    assert "above the limit of 0 megapixels; scale it down first" in str(exc), exc
print("ok")
"""
    result = __import__("subprocess").run(
        [__import__("sys").executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.stdout == "ok\n", result.stderr


def test_a_segment_needs_photos_or_audio(assets, storyboard):
    """Contract 1.1: audio without photos is a title card; neither is a mistake."""
    path = storyboard(
        "title: T\nsegments:\n  - title: Card\n    audio: talk.wav\n  - title: Empty\n"
    )
    assert problems(path) == [
        f"{path}:5:5: item 2 of `segments`: a segment needs `photos`, or `audio` to play "
        "under a title card"
    ]
    card = storyboard("title: T\nsegments:\n  - title: Card\n    audio: talk.wav\n", "card.yaml")
    timeline = slideshow.check(card).timeline
    assert [(s.kind, s.title, s.frames) for s in timeline.shots] == [("title", "Card", 600)]


def test_a_photo_shown_larger_than_its_pixels_allow_is_a_warning(assets, storyboard):
    """red.jpg is 320x180: fitted to 1280x720 it is enlarged 4 times; a Ken Burns move's
    tightest framing counts too; at 640x360 (2 times) it is fine."""
    path = storyboard(
        "title: T\nvideo: {size: 640x360}\nsegments:\n  - photos:\n"
        "      - red.jpg\n"
        "      - file: red.jpg\n"
        "        motion: {type: kenburns, from: [0, 0, 1, 1], to: [0, 0, 0.25, 0.25]}\n"
    )
    assert [(w.line, w.path, w.message) for w in slideshow.check(path).warnings] == [
        (
            6,
            ("segments", 0, "photos", 1),
            "warning: photo 'red.jpg' has 320x180 pixels and is shown enlarged 8.0 times at "
            "640x360: it will look soft (a larger scan, or a tighter crop only where the scan "
            "allows)",
        )
    ]
    path = storyboard("title: T\nvideo: {size: 1280x720}\nsegments:\n  - photos: [red.jpg]\n")
    (warning,) = slideshow.check(path).warnings
    assert "enlarged 4.0 times at 1280x720" in warning.message


def test_a_key_that_is_a_number_is_named(storyboard):
    """`{title: Kiev, 1979}` in a flow mapping makes 1979 a key of its own."""
    path = storyboard("title: T\nsegments:\n  - {photos: [red.jpg], 1979}\n")
    assert [str(p) for p in slideshow.check(path).problems] == [
        f"{path}:3:25: item 1 of `segments`: unexpected key 1979; keys are names"
    ]
