"""Ken Burns moves: framing, smoothness measured on the decoded output, and validation."""

from __future__ import annotations

import itertools

import media
import numpy as np
import probe
import pytest
from PIL import Image, ImageFilter

import slideshow
from slideshow.renderer import render
from slideshow.renderer.video.motion import box_at, ease, fit_aspect, framing
from slideshow.timeline import Motion


def phase_shift(a: np.ndarray, b: np.ndarray) -> float:
    """Horizontal shift of b against a, in pixels, to a small fraction of a pixel."""
    window = np.outer(np.hanning(a.shape[0]), np.hanning(a.shape[1]))
    fa, fb = np.fft.fft2(a * window), np.fft.fft2(b * window)
    cross = fa * np.conj(fb)
    surface = np.fft.ifft2(cross / (np.abs(cross) + 1e-9)).real
    y, x = np.unravel_index(np.argmax(surface), surface.shape)
    w = surface.shape[1]
    left, centre, right = surface[y, (x - 1) % w], surface[y, x], surface[y, (x + 1) % w]
    offset = 0.5 * (left - right) / (left - 2 * centre + right)
    shift = x + offset
    return float(shift - w if shift > w / 2 else shift)


def wobble(shifts: np.ndarray) -> float:
    """RMS of each frame's shift around the mean of the 9 frames centred on it."""
    local = np.convolve(shifts, np.ones(9) / 9, mode="valid")
    return float(np.sqrt(np.mean((shifts[4:-4] - local) ** 2)))


@pytest.fixture
def texture(tmp_path):
    rng = np.random.default_rng(3)
    noise = Image.fromarray(rng.integers(0, 255, (720, 1280), dtype=np.uint8))
    image = noise.filter(ImageFilter.GaussianBlur(2)).convert("RGB")
    path = tmp_path / "texture.png"
    image.save(path)
    return path


def test_slow_pan_glides_without_steps_or_wobble(tmp_path, texture):
    board = tmp_path / "pan.yaml"
    board.write_text(
        "title: Pan\nvideo: {size: 320x180, quality: master}\nloudness: off\n"
        "segments:\n  - photos:\n      - file: texture.png\n        duration: 4\n"
        "        fit: cover\n        motion: {type: kenburns, from: [0, 0.25, 0.5, 0.5],"
        " to: [0.1, 0.25, 0.5, 0.5]}\n"
    )
    render(board, tmp_path / "out")
    decoded = probe.frames(tmp_path / "out" / "pan.mp4")
    luma = [
        np.asarray(Image.fromarray(decoded[i]).convert("L"), dtype=np.float64)
        for i in sorted(decoded)
    ]
    ours = np.array([phase_shift(a, b) for a, b in itertools.pairwise(luma)])
    # The same move cropped at whole source pixels, as zoompan does, from the same photo.
    photo = Image.open(texture).convert("L")
    motion = Motion("kenburns", (0, 0.25, 0.5, 0.5), (0.1, 0.25, 0.5, 0.5))
    moves = framing(motion, photo.size, (320, 180), "cover")
    crops = []
    for k in range(len(luma)):
        box = tuple(round(v) for v in box_at(moves, k / (len(luma) - 1)))
        crops.append(
            np.asarray(
                photo.resize((320, 180), Image.Resampling.BILINEAR, box=box), dtype=np.float64
            )
        )
    stepped = np.array([phase_shift(a, b) for a, b in itertools.pairwise(crops)])
    # The pan moves right over the photo, so the picture shifts left: positive shifts here.
    travel = 0.1 * 1280 * 320 / 640
    assert abs(ours.sum() - travel) < 0.1 * travel
    assert ours.min() > -0.05, "the pan stepped backwards"
    print(f"wobble: smooth {wobble(ours):.4f} px, whole-pixel {wobble(stepped):.4f} px")
    assert wobble(ours) < 0.4 * wobble(stepped), (wobble(ours), wobble(stepped))
    assert wobble(stepped) > 0.1  # the whole-pixel version really does shake


def test_default_move_zooms_gently_on_the_whole_photo():
    moves = framing(Motion("kenburns"), (4000, 3000), (1920, 1080), "contain")
    start, end = moves.start, moves.end
    assert start[3] - start[1] == pytest.approx(3000)  # the whole height in view
    zoom = (start[2] - start[0]) / (end[2] - end[0])
    assert 1.05 < zoom <= 1.15
    assert ease(0) == 0 and ease(1) == 1 and ease(0.5) == pytest.approx(0.5)


def test_rectangles_grow_to_the_frame_aspect_and_stay_inside():
    # A tall box on the left edge grows sideways around its centre, then slides inside.
    box = fit_aspect((0, 0, 100, 300), 16 / 9, (0, 0, 1000, 1000))
    assert box == pytest.approx((0, 0, 300 * 16 / 9, 300))


def test_moving_shot_keeps_caption_still_and_crossfades_while_moving(assets, storyboard, tmp_path):
    path = storyboard(
        "title: Move\nvideo: {size: 320x180, quality: draft}\nloudness: off\n"
        "segments:\n  - photos:\n"
        "      - {file: red.jpg, duration: 2, caption: Steady, motion: kenburns}\n"
        "      - {file: blue.jpg, duration: 2, motion: kenburns}\n"
    )
    render(path, tmp_path)
    frames = probe.frames(tmp_path / "story.mp4")
    assert len(frames) == 120
    band = [frames[i][140:170].min(axis=2) for i in (5, 20)]
    assert (band[0] > 200).sum() > 20
    assert np.abs(band[0].astype(int) - band[1]).mean() < 3  # the caption does not move
    middle = frames[60][90, 160]  # the crossfade's middle: half red, half blue
    assert 80 < middle[0] < 160 and 80 < middle[2] < 160


def test_bad_rectangles_are_reported_with_the_photo(assets, storyboard):
    path = storyboard(
        "title: T\nsegments:\n  - photos:\n"
        "      - file: red.jpg\n"
        "        motion: {type: kenburns, from: [0, 0, 0, 1], to: [0, 0, 1, 1]}\n"
        "      - file: blue.jpg\n        motion: {type: kenburns, from: [0.5, 0.5, 0.6, 0.2],"
        " to: [0, 0, 1, 1]}\n"
    )
    with pytest.raises(slideshow.StoryboardError) as info:
        slideshow.load(path)
    messages = [str(p) for p in info.value.problems]
    assert messages == [
        f"{path}:5:47: photo 'red.jpg': item 3 of `from` must be at least 0.001, got 0",
        f"{path}:7:17: photo 'blue.jpg': `motion`: the `from` rectangle [0.5, 0.5, 0.6, 0.2] "
        "reaches outside the photo: x + w and y + h must be at most 1",
    ]


def test_sizes_that_are_not_multiples_of_four(assets, storyboard, tmp_path):
    # 186 rows: each chroma plane ends in the middle of a row of the stacked I420 array.
    media.photo(assets / "wide.jpg", (200, 120, 40), size=(900, 500))
    path = storyboard(
        "title: Odd\nvideo: {size: 330x186, quality: draft}\nloudness: off\n"
        "segments:\n  - photos:\n"
        "      - {file: wide.jpg, duration: 2, caption: Moving, motion: kenburns}\n"
        "      - {file: red.jpg, duration: 2, caption: Still}\n"
    )
    render(path, tmp_path)
    frames = probe.frames(tmp_path / "story.mp4")
    assert len(frames) == 120
    for index in (10, 100):
        band = frames[index][140:180].min(axis=2)
        assert (band > 200).sum() > 10
    assert abs(int(frames[10][60, 165][0]) - 200) < 30  # the photo's colour, not shifted planes


def test_a_cached_world_gives_the_same_frames_without_reading_the_photo(tmp_path):
    from slideshow.renderer.cache import PieceCache
    from slideshow.renderer.video.fonts import bundled_font
    from slideshow.renderer.video.motion import Camera
    from slideshow.renderer.video.plates import PhotoPlate

    photo = media.photo(tmp_path / "scan.jpg", (90, 120, 150), size=(2560, 1440))
    font = str(bundled_font())
    spec = PhotoPlate(320, 180, font, font, file=str(photo), name="scan.jpg")
    move = Motion(kind="kenburns")
    cache = PieceCache(tmp_path / "cache")
    first = Camera(spec, move, 60, cache)
    # Zoomed in 12%: decoded with enough pixels for the tightest framing (JPEG's reduced
    # decoding alone would give 320 x 180, too few).
    assert first.levels[0][1][0].shape[1] >= 320 * 1.12
    photo.unlink()
    again = Camera(spec, move, 60, cache)
    for frame in (0, 30, 59):
        assert np.array_equal(first.frame(frame), again.frame(frame))
    with pytest.raises(slideshow.SlideshowError, match=r"scan\.jpg"):
        Camera(spec, move, 60, None)  # without the cache it has to read the photo


def test_fades_out_of_and_into_moving_shots_dip_through_black(assets, storyboard, tmp_path):
    red, blue = 0, 2  # RGB channels
    for first, second in (
        ("red.jpg, duration: 2, motion: kenburns", "blue.jpg"),  # out of a move
        ("red.jpg, duration: 2", "blue.jpg, motion: kenburns"),  # into one
    ):
        path = storyboard(
            "title: Dip\nvideo: {size: 320x180, quality: draft}\nloudness: off\n"
            "segments:\n  - photos:\n"
            f"      - {{file: {first}}}\n"
            f"      - {{file: {second}, duration: 2, transition: fade, transition_duration: 1}}\n"
        )
        render(path, tmp_path)
        frames = probe.frames(tmp_path / "story.mp4")
        assert len(frames) == 120
        quarter, middle, three_quarters = (frames[i][90, 160].astype(int) for i in (52, 60, 68))
        assert middle.max() < 40  # black between the two
        assert quarter[red] > 60 and quarter[red] > 2 * quarter[blue]  # red, dimmed
        assert three_quarters[blue] > 60 and three_quarters[blue] > 2 * three_quarters[red]
