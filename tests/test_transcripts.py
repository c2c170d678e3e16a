"""Reading transcripts: exact cue times, WebVTT markup and entities, messages with lines."""

from __future__ import annotations

from fractions import Fraction

import pytest

from slideshow.errors import MediaError
from slideshow.transcripts import parse_transcript


def test_webvtt_markup_is_dropped_and_entities_become_characters():
    text = (
        "WEBVTT\n\nNOTE a comment\nover two lines\n\n"
        "00:01.000 --> 00:02.250 align:start\n<v Anna>Tom &amp; Jerry <00:01.500><c.y>&lt;3</c>\n"
        "\n01:00:00.001 --> 01:00:01.000\nשלום\n"
    )
    cues = parse_transcript(text, "t.vtt")
    assert [(c.start, c.end, c.text) for c in cues] == [
        (Fraction(1), Fraction(9, 4), "Tom & Jerry <3"),
        (Fraction(3600001, 1000), Fraction(3601), "שלום"),
    ]


def test_srt_text_is_kept_as_written():
    cues = parse_transcript("1\n00:00:01,000 --> 00:00:02,000\nA &amp; <b>\n", "t.srt")
    assert cues[0].text == "A &amp; <b>"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("WEBVTT\n\n00:01.000 --> 00:0x\nbad\n", "t: line 3: cannot read the cue times"),
        ("1\n00:00:05,000 --> 00:00:03,000\nx\n", "t: line 2: the cue ends before it starts"),
        ("just words\n", "t: no cues found; expected a WebVTT or SRT file"),
    ],
)
def test_a_bad_transcript_names_the_line(text, message):
    with pytest.raises(MediaError, match=message):
        parse_transcript(text, "t")
