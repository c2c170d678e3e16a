"""Crossfades between stills made by weighted prediction (issue 15): B pictures that x264 never
encodes, decoded strictly, within 1.5 levels RMS and 4 at worst of the planned mix of the two
decoded end pictures in every plane; the stream's timing; the encoded fallback; and Chromium
playing it."""

from __future__ import annotations

import itertools
from fractions import Fraction

import av
import numpy as np
import pytest
from browser import launch, needs_chromium, served
from probe import decode

import slideshow
from slideshow.renderer.video.assemble import SPAN, order_counts
from slideshow.renderer.video.h264 import implicit_weight
from slideshow.renderer.video.planning import mix, plan_pieces


def planes(frame: np.ndarray, width: int, height: int):
    y = frame[:height].astype(int)
    u = frame[height : height + height // 4].reshape(height // 2, width // 2).astype(int)
    v = frame[height + height // 4 :].reshape(height // 2, width // 2).astype(int)
    return y, u, v


def check_crossfade(
    frames, start: int, count: int, width: int, height: int, rms=1.5, worst=4, kind="crossfade"
) -> None:
    """Frames start..start+count-1 against the planned mix of the frames on either side (and
    black, for a fade): by default the bound for weighted prediction; an encoded crossfade is
    looser (x264 at crf 20 on full-range noise: 5.8 RMS, 24 at worst)."""
    before, after = frames[start - 1], frames[start + count]
    black = np.full_like(before, 128)
    black[:height] = 16
    for k in range(count):
        side, weight = mix(kind, k + 1, count)
        first = black if side == "in" else before
        second = black if side == "out" else after
        got = planes(frames[start + k], width, height)
        for plane, a, b in zip(got, planes(first, width, height), planes(second, width, height)):
            planned = (a * (256 - weight) + b * weight + 128) >> 8
            error = plane - planned
            assert np.sqrt((error**2).mean()) <= rms, (k, side, weight)
            assert np.abs(error).max() <= worst, (k, side, weight)


def board(storyboard, fps=25, transition=1, kind="crossfade"):
    return storyboard(
        f"title: Free\nid: free\nvideo: {{size: 320x180, fps: {fps}, quality: standard}}\n"
        f"loudness: off\ndefaults: {{transition: {kind}, transition_duration: {transition}}}\n"
        "segments:\n  - audio: {file: talk.wav, end: 9}\n    photos:\n"
        "      - {file: red.jpg, at: 0}\n      - {file: grain.png, at: 3}\n"
        "      - {file: blue.jpg, at: 6}\n"
    )


@pytest.fixture
def grain(assets):
    from PIL import Image

    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 256, (180, 320, 3), dtype=np.uint8)).save(assets / "grain.png")


def _kinds(path) -> list[str]:
    checked = slideshow.check(path)
    from slideshow.renderer.layout import fonts_for
    from slideshow.renderer.video.plates import plate_spec

    fonts = fonts_for(checked.timeline, checked.loaded)
    specs = [plate_spec(s, checked.timeline.look, fonts, "x") for s in checked.timeline.shots]
    names = {"Hold": "hold", "Moving": "motion", "Blend": "blend", "FreeRun": "free"}
    names["BlackKey"] = "key"
    return [names[type(p).__name__] for p in plan_pieces(checked.timeline, specs, free=True)]


@pytest.mark.parametrize(
    ("fps", "seconds"),
    # 25 frames, an even 27, and at 60 fps the longest free run, 61 (pieces.MAX_FREE_FRAMES)
    [(25, 1), (25, Fraction(27, 25)), (60, Fraction(61, 60))],
)
def test_crossfades_decode_strictly_within_the_bound(storyboard, grain, tmp_path, fps, seconds):
    path = board(storyboard, fps, float(seconds))
    assert _kinds(path).count("free") == 2  # both crossfades, full-range noise and flat
    slideshow.render(path, tmp_path / "out")
    frames, pts, _ = decode(tmp_path / "out" / "free.mp4")
    count = round(fps * seconds)
    for cut in (3, 6):
        start = cut * fps - count // 2
        check_crossfade(frames, start, count, 320, 180)
        # Exactly the mix the stream's weights say, in 64ths: no encoding error at all.
        a, b = frames[start - 1].astype(int), frames[start + count].astype(int)
        shares = tuple(Fraction(mix("crossfade", k, count)[1], 256) for k in range(1, count + 1))
        for k, at in enumerate(order_counts(shares)):
            w = implicit_weight(at, 0, SPAN)
            assert np.array_equal(frames[start + k], (a * (64 - w) + b * w + 32) >> 6)
    # The first frame shows at 0, one frame after another, as long as the sound.
    assert pts[0] == 0
    assert {b - a for a, b in itertools.pairwise(pts)} == {pts[1] - pts[0]}
    assert len(frames) == 9 * fps
    with av.open(str(tmp_path / "out" / "free.mp4")) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert float(video.start_time * video.time_base) == 0
        assert abs(float(audio.duration * audio.time_base) - 9) <= 1 / fps


@pytest.mark.parametrize(
    ("fps", "seconds"),
    # 25 frames (black in the middle), an even 26, 3 (one frame each side of black), 2 (black
    # and one frame after it), 1 (black alone), and at 60 fps the longest free fade, 118
    # frames (an IDR picture either side of it at most 120 frames apart).
    [
        (25, 1),
        (25, Fraction(26, 25)),
        (25, Fraction(3, 25)),
        (25, Fraction(2, 25)),
        (25, Fraction(1, 25)),
        (60, Fraction(118, 60)),
    ],
)
def test_fades_decode_strictly_within_the_bound(storyboard, grain, tmp_path, fps, seconds):
    path = board(storyboard, fps, float(seconds), "fade")
    count = round(fps * seconds)
    kinds = _kinds(path)
    runs = (count >= 2) + (count >= 3)  # frames before black, frames after it
    assert kinds.count("free") == 2 * runs and kinds.count("key") == 2
    slideshow.render(path, tmp_path / "out")
    frames, pts, _ = decode(tmp_path / "out" / "free.mp4")
    for cut in (3, 6):
        check_crossfade(frames, cut * fps - count // 2, count, 320, 180, kind="fade")
    assert pts[0] == 0 and len(frames) == 9 * fps
    assert {b - a for a, b in itertools.pairwise(pts)} == {pts[1] - pts[0]}


def test_fades_from_the_title_card_and_into_the_credits(storyboard, grain, tmp_path):
    path = storyboard(
        "title: Ends\nid: ends\nvideo: {size: 320x180, fps: 25}\nloudness: off\n"
        "intro: {title: Hello, duration: 2}\noutro: {duration: 2}\n"
        "defaults: {transition: fade, transition_duration: 0.6}\n"
        "segments:\n  - photos:\n      - {file: grain.png, duration: 3}\n"
    )
    kinds = _kinds(path)
    assert kinds == ["hold", "free", "key", "free", "hold", "free", "key", "free", "hold"]
    slideshow.render(path, tmp_path / "out")
    frames, pts, _ = decode(tmp_path / "out" / "ends.mp4")
    assert len(frames) == 7 * 25 and pts[0] == 0
    for cut in (2, 5):  # 15 frames each, black in the middle
        check_crossfade(frames, cut * 25 - 7, 15, 320, 180, kind="fade")
        black = frames[cut * 25]
        assert np.array_equal(np.unique(black[:180]), [16])
        assert np.array_equal(np.unique(black[180:]), [128])


def test_what_stays_encoded_decodes_too(storyboard, assets, tmp_path):
    """A crossfade next to a moving shot, fades at the start and the end, and back-to-back
    crossfades around a one-second still: each made the way it can be, all decoding."""
    path = storyboard(
        "title: Mixed\nid: mixed\nvideo: {size: 320x180, fps: 25}\nloudness: off\n"
        "intro: {title: Hello, duration: 2}\noutro: {duration: 2}\n"
        "defaults: {transition: crossfade, transition_duration: 0.4}\n"
        "segments:\n  - photos:\n"
        "      - {file: red.jpg, duration: 2, transition: fade}\n"
        "      - {file: blue.jpg, duration: 1}\n"
        "      - {file: green.png, duration: 2}\n"
        "      - {file: red.jpg, duration: 2, motion: kenburns}\n"
        "      - {file: blue.jpg, duration: 2, transition: fade}\n"
    )
    kinds = _kinds(path)
    # The fade from the title card, red-blue, blue-green and the last photo into the credits:
    # free; the crossfade into the moving shot and the fade out of it: encoded.
    assert kinds.count("free") == 5 and kinds.count("key") == 1
    assert kinds.count("blend") == 2 and "motion" in kinds
    slideshow.render(path, tmp_path / "out")
    frames, pts, _ = decode(tmp_path / "out" / "mixed.mp4")
    assert len(frames) == 13 * 25 and pts[0] == 0
    # The two free crossfades either side of the one-second blue still (at 4 s and 5 s).
    for cut in (4, 5):
        check_crossfade(frames, cut * 25 - 5, 10, 320, 180)
    check_crossfade(frames, 2 * 25 - 5, 10, 320, 180, kind="fade")  # from the title card


@pytest.mark.parametrize("kind", ["crossfade", "fade"])
def test_the_encoded_transition_gives_the_same_frames(storyboard, grain, tmp_path, kind):
    path = board(storyboard, kind=kind)
    slideshow.render(path, tmp_path / "free")
    slideshow.render(path, tmp_path / "encoded", free_transitions=False)
    free, _, _ = decode(tmp_path / "free" / "free.mp4")
    encoded, _, _ = decode(tmp_path / "encoded" / "free.mp4")
    check_crossfade(encoded, 75 - 12, 25, 320, 180, rms=8, worst=40, kind=kind)
    check_crossfade(free, 75 - 12, 25, 320, 180, kind=kind)
    for k in range(75 - 12, 75 + 13):
        for a, b in zip(planes(free[k], 320, 180), planes(encoded[k], 320, 180)):
            assert np.sqrt(((a - b) ** 2).mean()) <= 8  # both near the same plan
    size = (tmp_path / "free" / "free.mp4").stat().st_size
    assert size <= (tmp_path / "encoded" / "free.mp4").stat().st_size


def test_the_command_can_encode_transitions_instead(storyboard, grain, tmp_path):
    import shell

    path = board(storyboard)
    done = shell.run("render", path, "--out", tmp_path / "out", "--no-free-transitions")
    assert done.returncode == 0, done.stderr
    frames, _, _ = decode(tmp_path / "out" / "free.mp4")
    check_crossfade(frames, 75 - 12, 25, 320, 180, rms=8, worst=40)  # x264's, as before


@needs_chromium
def test_chromium_plays_it_to_the_end_and_shows_the_mix(storyboard, assets, tmp_path):
    from playwright.sync_api import sync_playwright

    path = storyboard(
        "title: Play\nid: play\nvideo: {size: 320x180, fps: 25}\nloudness: off\n"
        "segments:\n  - photos:\n      - {file: red.jpg, duration: 2}\n"
        "      - {file: blue.jpg, duration: 2}\n"
        "      - {file: green.png, duration: 2, transition: fade}\n"
    )
    out = tmp_path / "out"
    slideshow.render(path, out)
    (out / "play.html").write_text(
        '<!doctype html><title>x</title><video id="v" src="play.mp4" muted></video>'
        '<canvas id="c" width="320" height="180"></canvas>'
    )
    frames, _, _ = decode(out / "play.mp4")
    with served(out) as address, sync_playwright() as playwright:
        browser = launch(playwright, autoplay=True)
        page = browser.new_page()
        page.goto(f"{address}/play.html")
        seen, error = page.evaluate(
            """async () => {
              const v = document.getElementById('v');
              const c = document.getElementById('c').getContext('2d',
                {willReadFrequently: true});
              const seen = [];
              const grab = (now, meta) => {
                c.drawImage(v, 0, 0);
                seen.push([meta.mediaTime, ...c.getImageData(160, 90, 1, 1).data]);
                if (!v.ended) v.requestVideoFrameCallback(grab);
              };
              v.requestVideoFrameCallback(grab);
              await v.play();
              await new Promise(r => v.addEventListener('ended', r, {once: true}));
              return [seen, v.error && v.error.code];
            }"""
        )
        browser.close()
    assert error is None and len(seen) >= 140  # played to its end: 150 frames
    by_time = {round(t * 25): np.array(rgb[:3], dtype=float) for t, *rgb in seen}
    # The crossfade at 2 s: 25 frames, 38 to 62; the pictures either side, as shown.
    red, blue = by_time[37], by_time[63]
    middle = [k for k in range(44, 57) if k in by_time]
    assert len(middle) >= 8
    for k in middle:
        # The browser's frame is the mix of its two end frames with the stream's weight...
        shares = tuple(Fraction(round(256 * Fraction(j, 26)), 256) for j in range(1, 26))
        w1 = implicit_weight(order_counts(shares)[k - 38], 0, SPAN)
        planned = red + (blue - red) * w1 / 64
        assert np.abs(by_time[k] - planned).max() <= 2, (k, by_time[k], planned)
    # The fade at 4 s: 25 frames, 88 to 112, black at 100 (if the browser reported it).
    assert 100 not in by_time or np.abs(by_time[100]).max() <= 2
    fading = [k for k in range(88, 113) if k in by_time]
    assert len(fading) >= 20
    for k in middle + fading:
        # ...and every frame has the luma ffmpeg decodes (RGB back to BT.709 luma: the browser
        # converts YUV to RGB its own way, so its colour channels are not compared with ours).
        y = planes(frames[k], 320, 180)[0][90, 160]
        shown = by_time[k]
        luma = 16 + (0.2126 * shown[0] + 0.7152 * shown[1] + 0.0722 * shown[2]) * 219 / 255
        assert abs(luma - y) <= 2, (k, luma, y)


@pytest.mark.parametrize("kind", ["crossfade", "fade"])
def test_back_to_back_transitions_around_a_one_frame_hold(storyboard, assets, tmp_path, kind):
    """A still on screen 26 frames between two 25-frame transitions: its hold is one frame, its
    keyframe, which both transitions use."""
    path = storyboard(
        f"title: Brief\nid: brief\nvideo: {{size: 320x180, fps: 25}}\nloudness: off\n"
        f"defaults: {{transition: {kind}}}\n"
        "segments:\n  - photos:\n      - {file: red.jpg, duration: 2}\n"
        "      - {file: blue.jpg, duration: 1.04}\n      - {file: green.png, duration: 2}\n"
    )
    kinds = _kinds(path)
    fade = ["free", "key", "free"] if kind == "fade" else ["free"]
    assert kinds == ["hold", *fade, "hold", *fade, "hold"]
    slideshow.render(path, tmp_path / "out")
    frames, pts, _ = decode(tmp_path / "out" / "brief.mp4")
    assert len(frames) == 126 and pts[0] == 0
    check_crossfade(frames, 50 - 12, 25, 320, 180, kind=kind)
    check_crossfade(frames, 76 - 12, 25, 320, 180, kind=kind)
