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


def test_srt_formatting_is_markup_never_text():
    """Issue 28: `<i>...</i>` was burned into the picture and written into every caption file.
    HTML tags and ASS override blocks are dropped; references become characters; a lone `<`
    or an arrow of words stays."""
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\n<i>We waited eight years.</i>\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\n"
        "{\\an8}<font color=\"#ffff00\">Top</font> & <b>bold</b>\n\n"
        "3\n00:00:03,000 --> 00:00:04,000\nA &amp; B <3, x < y > z\n"
    )
    cues = parse_transcript(text, "t.srt")
    assert [c.text for c in cues] == ["We waited eight years.", "Top & bold", "A & B <3, x < y > z"]


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


def test_cues_in_the_wild_are_read_as_the_webvtt_algorithm_reads_them():
    """Issue 28: text after a blank line inside an SRT cue was dropped; a missing blank line
    between two WebVTT cues made the second timing line text; a zero-length cue rejected the
    whole file; `NOTE1` is a cue id, not a comment; a byte-order mark reached the text; a
    header-less .vtt kept its voice spans as text."""
    from slideshow.transcripts import read_transcript

    srt = (
        "\ufeff1\n00:00:01,000 --> 00:00:03,000\nWe waited\n\nfor eight years.\n\n"
        "2\n00:00:03,000 --> 00:00:03,000\nnothing\n\n"
        "3\n00:00:04,000 --> 00:00:05,000\nThen the letter came.\n"
    )
    read = read_transcript(srt, "t.srt")
    assert [(c.text, c.line) for c in read.cues] == [
        ("We waited\n\nfor eight years.", 2),
        ("Then the letter came.", 12),
    ]
    assert read.warnings == ["line 8: a cue of no length was left out ('nothing')"]
    vtt = (
        "WEBVTT\n\nNOTE1\n00:01.000 --> 00:02.000\nfirst\n00:02.000 --> 00:03.000\nsecond\n\n"
        "NOTE a comment\n00:09.000 --> 00:10.000\nnot a cue\n"
    )
    assert [c.text for c in read_transcript(vtt, "t.vtt").cues] == ["first", "second"]
    headerless = "00:00:01.000 --> 00:00:02.000\n<v Anna K.>\ufeffWe waited.</v>\n"
    assert [c.text for c in read_transcript(headerless, "t.vtt").cues] == ["We waited."]


@pytest.mark.parametrize("arrow", ["- >", "-- >", "->", "—>"])
def test_a_broken_arrow_is_a_clear_error_not_a_lost_cue(arrow):
    text = f"WEBVTT\n\n00:01.000 --> 00:02.000\nfine\n\n00:03.000 {arrow} 00:04.000\nlost?\n"
    with pytest.raises(MediaError, match="t: line 6: cannot read the cue times"):
        parse_transcript(text, "t")
