"""style.subtitles: a transcript's cues burned into the picture during their cues and not
outside them, in either direction of text, with a bottom photo caption moved above them."""

from __future__ import annotations

import av
import numpy as np
import pytest

import slideshow

FPS = 25
VTT = {
    "en": "WEBVTT\n\n00:01.000 --> 00:03.000\nWe waited eight years for the visa.\n\n"
    "00:05.000 --> 00:07.000\nThen the letter came.\n",
    "he": "WEBVTT\n\n00:01.000 --> 00:03.000\nחיכינו שמונה שנים לוויזה.\n\n"
    "00:05.000 --> 00:07.000\nואז הגיע המכתב.\n",
}


def _board(storyboard, assets, subtitles: str, caption: str = "Kiev 1979") -> object:
    """The storyboard (named story.yaml with subtitles, plain.yaml without: both id story)."""
    for tag, text in VTT.items():
        (assets / f"talk.{tag}.vtt").write_text(text, encoding="utf-8")
    return storyboard(
        f"title: Subtitles\nid: story\nvideo: {{size: 320x180, fps: {FPS}, quality: master}}\n"
        f"loudness: off\nstyle: {{subtitles: {subtitles}}}\ndefaults: {{transition: cut}}\n"
        "segments:\n  - audio: {file: talk.wav, end: 9}\n"
        "    transcript: {en: talk.en.vtt, he: talk.he.vtt}\n"
        f"    photos:\n      - {{file: red.jpg, caption: {caption}}}\n"
        "      - {file: blue.jpg, at: 6}\n",
        name="story.yaml" if subtitles != "off" else "plain.yaml",
    )


def _frames(path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24").astype(int) for f in container.decode(video=0)]


def _band(frame: np.ndarray) -> np.ndarray:
    """The rows of the bottom tenth above the action-safe margin: where a subtitle sits."""
    return frame[140:171]


@pytest.mark.parametrize("language", ["en", "he"])
def test_subtitles_show_during_their_cues_only(storyboard, assets, tmp_path, language):
    board = _board(storyboard, assets, language)
    plain = _board(storyboard, assets, "off")
    slideshow.render(board, tmp_path / "with")
    with_frames = _frames(tmp_path / "with" / "story.mp4")
    slideshow.render(plain, tmp_path / "plain")
    plain_frames = _frames(tmp_path / "plain" / "story.mp4")
    cues = [(1.0, 3.0), (5.0, 7.0)]

    def during(k: int) -> bool:
        return any(a * FPS <= k < b * FPS for a, b in cues)

    for k in range(0, 9 * FPS, 5):
        difference = np.abs(_band(with_frames[k]) - _band(plain_frames[k])).mean()
        if during(k):
            assert difference > 8, (k, difference)  # a dark band with white letters
        elif k > 7 * FPS + 1:
            # After the last cue, on the blue photo (no caption to move): as without.
            assert difference < 1.5, (k, difference)
        elif k < FPS - 1:
            # Before the first cue the band rows differ only where the caption moved from:
            # the letters' white is gone from the band.
            assert (_band(with_frames[k]).min(axis=2) > 200).sum() == 0
    # White letters inside the band during a cue, on a dark band over the photo.
    frame = with_frames[2 * FPS]
    band = _band(frame)
    assert (band.min(axis=2) > 200).sum() > 40  # white pixels of the text
    assert (band.max(axis=2) < 110).sum() > 400  # the darkened band


def test_a_bottom_caption_moves_above_the_subtitles_for_the_whole_shot(
    storyboard, assets, tmp_path
):
    board = _board(storyboard, assets, "en")
    plain = _board(storyboard, assets, "off")
    slideshow.render(board, tmp_path / "with")
    slideshow.render(plain, tmp_path / "plain")
    lifted = _frames(tmp_path / "with" / "story.mp4")
    usual = _frames(tmp_path / "plain" / "story.mp4")

    def caption_rows(frame: np.ndarray) -> set[int]:
        """Rows holding the caption's white letters (the photo is red, the text white)."""
        white = frame.min(axis=2) > 200
        return set(np.nonzero(white.sum(axis=1) > 2)[0])

    # Frame 0: before any cue. Without subtitles the caption sits at the bottom; with them
    # it is already above the subtitles' band, and stays there through the cue.
    before, during = caption_rows(lifted[0]), caption_rows(lifted[2 * FPS])
    assert max(caption_rows(usual[0])) > 150 > max(before)
    assert before <= during  # the caption has not moved; the subtitle's rows are below it
    subtitle_rows = during - before
    assert subtitle_rows and min(subtitle_rows) > max(before)  # never overlapping


def test_the_subtitled_render_is_byte_identical_run_to_run(storyboard, assets, tmp_path):
    board = _board(storyboard, assets, "he")
    slideshow.render(board, tmp_path / "a")
    slideshow.render(board, tmp_path / "b", force=True)
    assert (tmp_path / "a" / "story.mp4").read_bytes() == (
        tmp_path / "b" / "story.mp4"
    ).read_bytes()
