"""Rendering for real: decode what was written and check it against the plan."""

from __future__ import annotations

import json
import os
import signal
import time

import media
import numpy as np
import probe
import pytest
import shell
from PIL import Image

import slideshow
from slideshow.digest import sha256_file
from slideshow.renderer import render
from slideshow.renderer.audio.aac import RATE
from slideshow.renderer.audio.loudness import integrated_loudness, true_peak

SMALL = "video: {size: 320x180, fps: 30, quality: draft}\n"


def close(pixel, colour, tolerance=24) -> bool:
    return all(abs(int(a) - int(b)) <= tolerance for a, b in zip(pixel, colour))


@pytest.fixture
def basic(assets, storyboard):
    return storyboard(
        "title: Basic\nid: basic\n" + SMALL + "intro: {title: Hello, duration: 2}\n"
        "outro: {duration: 2}\ncredits: [Archive I-495]\n"
        "defaults: {fit: cover}\n"
        "segments:\n"
        "  - title: Talk\n    audio: {file: talk.wav, start: 1, end: 9}\n"
        "    photos:\n"
        "      - red.jpg\n"
        "      - {file: green.png, caption: 'Quote: \"100%\" {x} \\ done', at: 5}\n"
        "  - photos:\n      - {file: blue.jpg, duration: 3, transition: fade}\n"
    )


def test_render_writes_every_output_and_they_decode(basic, tmp_path):
    out = tmp_path / "out"
    result = render(basic, out)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        ["basic.mp4", "basic.srt", "basic.vtt", "basic.chapters.txt", "basic.jpg", "basic.json"]
        + ["basic.transcript.html", "basic.transcript.txt"]
    )
    timeline = slideshow.check(basic).timeline
    info = probe.streams(out / "basic.mp4")
    seconds = float(timeline.duration)
    assert seconds == 2 + 8 + 3 + 2
    assert info["frames"] == timeline.frames == 450
    assert abs(info["video_seconds"] - seconds) < 1 / 30
    assert abs(info["audio_seconds"] - seconds) < 1 / 30
    assert (info["profile"], info["pix_fmt"], info["size"]) == ("High", "yuv420p", (320, 180))
    assert info["fps"] == 30
    assert (info["audio_codec"], info["audio_profile"]) == ("aac", "LC")
    assert (info["sample_rate"], info["channels"]) == (48000, 2)
    assert info["metadata"]["title"] == "Basic"
    # The 2 s intro is folded into the first chapter (contract 1.1, "Chapters").
    assert [c["metadata"]["title"] for c in info["chapters"]] == ["Talk"]
    assert info["chapters"][0]["start"] == 0
    atoms = probe.top_level_atoms(out / "basic.mp4")
    assert atoms.index("moov") < atoms.index("mdat")  # faststart
    assert result.warnings == []

    # The photo of each shot is on screen at its middle.
    middles = {(s.start + s.end) // 2: s for s in timeline.shots}
    decoded = probe.frames(out / "basic.mp4", set(middles))
    assert len(decoded) == len(middles)
    colours = {"red.jpg": (200, 40, 40), "green.png": (40, 200, 40), "blue.jpg": (40, 40, 200)}
    for index, shot in middles.items():
        pixel = decoded[index][20, 20]
        if shot.kind == "photo":
            assert close(pixel, colours[shot.photo]), (shot.photo, pixel)
        else:
            assert close(pixel, (17, 17, 17)), (shot.kind, pixel)
    # The caption band darkens the bottom middle of the green photo; white text is inside it.
    green = decoded[(timeline.shots[2].start + timeline.shots[2].end) // 2]
    band = green[140:165, 40:280]
    assert band[..., 1].mean() < 150
    assert (band.min(axis=2) > 200).sum() > 30  # white glyph pixels

    # Sidecars: cues in output time.
    srt = (out / "basic.srt").read_text(encoding="utf-8")
    assert srt == '1\n00:00:06,000 --> 00:00:10,000\nQuote: "100%" {x} \\ done\n'
    vtt = (out / "basic.vtt").read_text(encoding="utf-8")
    assert "00:00:06.000 --> 00:00:10.000\nQuote" in vtt and vtt.startswith("WEBVTT")
    assert (out / "basic.chapters.txt").read_text() == "0:00 Talk\n"
    with Image.open(out / "basic.jpg") as thumb:
        assert thumb.size == (1280, 720)
    manifest = json.loads((out / "basic.json").read_text())
    assert manifest["storyboard_sha256"] == slideshow.load(basic).checksum
    assert {m["path"] for m in manifest["media"]} == {
        "red.jpg",
        "green.png",
        "blue.jpg",
        "talk.wav",
    }
    assert all(len(m["sha256"]) == 64 for m in manifest["media"])
    assert manifest["shots"][2]["start"] == 6.0 and manifest["tool"]["version"]
    assert manifest["ffmpeg"]["libav"]


def test_same_storyboard_same_bytes_and_up_to_date(basic, tmp_path, monkeypatch):
    first = render(basic, tmp_path / "a")
    again = render(basic, tmp_path / "a")
    assert again.skipped and not first.skipped
    monkeypatch.setenv("SLIDESHOW_CACHE", str(tmp_path / "cold-cache"))
    cold = render(basic, tmp_path / "b", jobs=2)
    assert cold.encoded == cold.pieces  # nothing came from the warm cache
    for suffix in (".mp4", ".srt", ".vtt", ".chapters.txt", ".jpg", ".json"):
        a = (tmp_path / "a" / f"basic{suffix}").read_bytes()
        b = (tmp_path / "b" / f"basic{suffix}").read_bytes()
        assert a == b, suffix


def test_editing_one_caption_reencodes_only_its_pieces(basic, tmp_path, monkeypatch):
    from slideshow.renderer.video import plates

    render(basic, tmp_path / "out")
    text = basic.read_text().replace("done'", "finished'")
    basic.write_text(text)

    def no_decoding(*args, **kwargs):
        raise AssertionError("a photo was decoded again for a caption edit")

    # The picture under a caption is cached apart: the workers (forked) must not decode.
    monkeypatch.setattr(plates, "load_photo", no_decoding)
    result = render(basic, tmp_path / "out")
    # The green photo's hold alone: the crossfade before it and the fade after it, between
    # stills, are made by weighted prediction (the fade's black keyframe is unchanged).
    assert result.encoded == 1, result
    green = probe.frames(tmp_path / "out" / "basic.mp4", {255})[255].astype(int)  # at 8.5 s
    assert close(green[20, 160], (40, 200, 40))
    assert np.abs(green[120:175] - (40, 200, 40)).max() > 150  # and its caption shows


def test_a_caption_blended_in_yuv_matches_drawing_it_in_rgb(tmp_path):
    """Still plates get their caption as a layer over the cached picture; it must look as the
    caption drawn on the RGB frame would, text edges included, on any colour."""
    from slideshow.renderer.video import fonts
    from slideshow.renderer.video.frames import _plate
    from slideshow.renderer.video.plates import PhotoPlate, render_plate, to_yuv

    font = str(fonts.bundled_font())
    for colour in ((128, 128, 128), (200, 60, 30), (250, 250, 250)):
        photo = tmp_path / f"{colour[0]}.png"
        media.photo(photo, colour, size=(640, 360))
        spec = PhotoPlate(
            width=320, height=180, file=str(photo), name="p", digest=sha256_file(photo),
            caption="Rally «Отпусти народ мой» שלח את עמי 1987 (I-495)",
            font=font, bold_font=font,
        )  # fmt: skip
        drawn = to_yuv(render_plate(spec)).astype(int)
        layered = _plate(spec, None).astype(int)
        bare = to_yuv(render_plate(spec.without_caption()))
        assert np.abs(layered - bare).max() > 100  # there is a caption
        difference = np.abs(layered - drawn)
        # Luma to rounding; chroma is subsampled after drawing in RGB, before blending in YUV.
        assert difference[:180].max() <= 2 and difference[180:].max() <= 8, colour


def test_loudness_normalised(assets, storyboard, tmp_path):
    media.recording(assets / "quiet.wav", 12.0, level=0.02, channels=2, rate=48000)
    path = storyboard(
        "title: Loud\n" + SMALL + "segments:\n  - audio: quiet.wav\n    photos: [red.jpg]\n"
    )
    render(path, tmp_path)
    pcm = probe.audio(tmp_path / "story.mp4")
    assert abs(integrated_loudness(pcm, RATE) - (-16)) < 1.0
    assert 20 * np.log10(true_peak(pcm, RATE)) <= -1.0


def test_loud_recording_is_limited_to_true_peak(assets, storyboard, tmp_path):
    # A square-ish loud tone whose peaks are far above what -12 LUFS allows.
    media.recording(assets / "loud.wav", 8.0, level=0.99, freq=3000, rate=48000)
    path = storyboard(
        "title: Loud\n" + SMALL + "loudness: -12\n"
        "segments:\n  - audio: loud.wav\n    photos: [red.jpg]\n"
    )
    render(path, tmp_path)
    pcm = probe.audio(tmp_path / "story.mp4")
    assert 20 * np.log10(true_peak(pcm, RATE)) <= -1.0


def test_mono_recording_on_both_channels_and_levels_kept_when_off(assets, storyboard, tmp_path):
    media.recording(assets / "mono.wav", 6.0, level=0.25, rate=22050)
    path = storyboard(
        "title: Mono\n" + SMALL + "loudness: off\n"
        "segments:\n  - audio: {file: mono.wav, fade_in: 0, fade_out: 0}\n    photos: [red.jpg]\n"
    )
    render(path, tmp_path)
    pcm = probe.audio(tmp_path / "story.mp4")
    middle = pcm[:, 48000 : 48000 * 4]
    assert np.allclose(middle[0], middle[1], atol=1e-3)
    assert abs(np.abs(middle).max() - 0.25) < 0.02


def test_archival_photo_kinds(assets, storyboard, tmp_path):
    from PIL import ImageCms

    kinds = assets / "kinds"
    kinds.mkdir()
    Image.new("CMYK", (300, 200), (0, 255, 255, 0)).save(kinds / "cmyk.jpg")  # red in CMYK
    sixteen = np.full((200, 300), 40000, dtype=np.uint16)
    Image.fromarray(sixteen).save(kinds / "gray16.tif")
    rotated = Image.new("RGB", (200, 300), (40, 40, 200))
    rotated.paste((200, 40, 40), (0, 0, 200, 150))  # red on top before rotation
    exif = Image.Exif()
    exif[0x0112] = 6  # the viewer rotates 90 degrees clockwise
    rotated.save(kinds / "rotated.jpg", exif=exif.tobytes())
    alpha = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    alpha.paste((40, 200, 40, 255), (100, 50, 200, 150))
    alpha.save(kinds / "alpha.png")
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    Image.new("RGB", (300, 200), (200, 200, 40)).save(kinds / "icc.jpg", icc_profile=srgb.tobytes())
    media.photo(kinds / "tiny.png", (40, 200, 200), size=(8, 6))
    media.photo(kinds / "panorama.jpg", (200, 40, 200), size=(3000, 200))
    names = [
        "cmyk.jpg",
        "gray16.tif",
        "rotated.jpg",
        "alpha.png",
        "icc.jpg",
        "tiny.png",
        "panorama.jpg",
    ]
    photos = "".join(f"      - {{file: kinds/{n}, duration: 2, transition: cut}}\n" for n in names)
    path = storyboard(
        "title: Kinds\n" + SMALL + "style: {background: black}\nsegments:\n  - photos:\n" + photos
    )
    render(path, tmp_path)
    frames = probe.frames(tmp_path / "story.mp4", {30 + 60 * k for k in range(len(names))})
    centre = lambda k: frames[30 + 60 * k][90, 160]  # noqa: E731
    assert close(centre(0), (237, 28, 36), 60)  # CMYK converted: red-ish
    assert close(centre(1), (156, 156, 156))  # 40000/65535 of white, not clipped
    rot = frames[30 + 60 * 2]
    # Shown upright after rotation: 300x200 displayed as 200 wide... the red half is on the right.
    assert close(rot[90, 200], (200, 40, 40), 40) and close(rot[90, 120], (40, 40, 200), 40)
    assert close(centre(3), (40, 200, 40)) and close(frames[30 + 60 * 3][10, 10], (0, 0, 0))
    assert close(centre(4), (200, 200, 40))
    assert close(centre(5), (40, 200, 200))
    assert close(centre(6), (200, 40, 200)) and close(frames[30 + 60 * 6][10, 160], (0, 0, 0))


def test_hebrew_and_russian_captions_render(assets, storyboard, tmp_path):
    path = storyboard(
        "title: Scripts\n" + SMALL + "segments:\n  - photos:\n"
        "      - {file: red.jpg, caption: 'שלום עליכם', duration: 2}\n"
        "      - {file: red.jpg, caption: 'Отказ в выездной визе', duration: 2}\n"
    )
    render(path, tmp_path)
    frames = probe.frames(tmp_path / "story.mp4", {15, 75})
    for index in (15, 75):
        band = frames[index][140:170]
        assert (band.min(axis=2) > 200).sum() > 20  # glyphs drawn, not empty boxes only
    vtt = (tmp_path / "story.vtt").read_text(encoding="utf-8")
    assert "שלום עליכם" in vtt and "Отказ в выездной визе" in vtt


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("truncated.jpg", "truncate", "cannot be decoded"),
        ("text.png", b"not a png at all", "not an image that can be read"),
    ],
)
def test_bad_photos_fail_cleanly(assets, storyboard, tmp_path, name, content, message):
    if content == "truncate":
        media.photo(assets / "big.jpg", (10, 10, 10), size=(640, 480))
        data = (assets / "big.jpg").read_bytes()
        Image.effect_noise((640, 480), 60).convert("RGB").save(assets / "noise.jpg", quality=95)
        data = (assets / "noise.jpg").read_bytes()
        (assets / name).write_bytes(data[: len(data) // 3])
    else:
        (assets / name).write_bytes(content)
    path = storyboard("title: Bad\n" + SMALL + f"segments:\n  - photos: [{name}]\n")
    out = tmp_path / "out"
    with pytest.raises(slideshow.SlideshowError) as info:
        render(path, out)
    assert name in str(info.value) and message in str(info.value)
    assert not any(out.glob("story*")) if out.exists() else True


def test_truncated_recording_fails_cleanly(assets, storyboard, tmp_path):
    media.recording(assets / "long.m4a", 10.0)
    data = (assets / "long.m4a").read_bytes()
    (assets / "cut.m4a").write_bytes(data[: len(data) // 2])  # the index at the end is lost
    path = storyboard(
        "title: Bad\n" + SMALL + "segments:\n  - audio: cut.m4a\n    photos: [red.jpg]\n"
    )
    result = shell.run("render", str(path), "--out", str(tmp_path / "o"))
    assert result.returncode == 1
    assert f"{path}:4:12: recording 'cut.m4a': not a recording that can be read" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").iterdir())


def test_killed_render_leaves_no_output(assets, storyboard, tmp_path):
    for k in range(8):
        media.photo(assets / f"p{k}.jpg", (20 * k, 255 - 20 * k, 90), size=(640, 360))
    photos = "".join(f"      - {{file: p{k}.jpg, duration: 4}}\n" for k in range(8))
    path = storyboard(
        "title: Killed\nvideo: {size: 1280x720, quality: master}\nsegments:\n  - photos:\n"
        + photos
    )
    out, cache = tmp_path / "out", tmp_path / "cache"
    env = dict(os.environ, SLIDESHOW_CACHE=str(cache))
    process = shell.start(
        "render",
        str(path),
        "--out",
        str(out),
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not list(cache.glob("*/*.piece")) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.poll() is None, "the render finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finals = [p.name for p in out.glob("story.*")] if out.exists() else []
    assert finals == []
    before = {p: p.stat().st_mtime for p in assets.iterdir() if p.is_file()}
    render(path, out, cache_root=cache)  # a re-run completes and cleans up what was left
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"story{s}"
        for s in (".mp4", ".srt", ".vtt", ".jpg", ".json")  # no titled segment: no chapters
        + (".transcript.html", ".transcript.txt")
    )
    assert {p: p.stat().st_mtime for p in assets.iterdir() if p.is_file()} == before


def test_long_caption_is_cut_with_a_warning_and_a_font_file_is_used(assets, storyboard, tmp_path):
    from slideshow.renderer.video.fonts import bundled_font

    font = tmp_path / "MyFont.ttf"
    font.write_bytes(bundled_font(bold=True).read_bytes())
    words = " ".join(["Refusenik families gathered on the steps of the synagogue"] * 8)
    path = storyboard(
        "title: Long\n" + SMALL + f"style: {{font: {font}}}\n"
        f"segments:\n  - photos:\n      - {{file: red.jpg, duration: 2, caption: '{words}'}}\n"
    )
    result = render(path, tmp_path / "out")
    assert any("longer than 3 lines" in w and "red.jpg" in w for w in result.warnings)
    again = render(path, tmp_path / "out", force=True)  # every plate and piece from the cache
    assert again.encoded == 0 and again.warnings == result.warnings
    # The caption files keep it all, in cues of two lines of at most 42 characters.
    srt = (tmp_path / "out" / "story.srt").read_text()
    texts = [block.split("\n", 2)[2] for block in srt.strip().split("\n\n")]
    assert " ".join(t.replace("\n", " ") for t in texts) == words
    assert all(len(t.split("\n")) <= 2 and max(map(len, t.split("\n"))) <= 42 for t in texts)
    band = probe.frames(tmp_path / "out" / "story.mp4", {30})[30][100:175]
    assert (band.min(axis=2) > 200).sum() > 100


def test_missing_font_is_a_clear_error(assets, storyboard, tmp_path):
    path = storyboard(
        "title: Font\n" + SMALL + "style: {font: No Such Font Family}\n"
        "segments:\n  - photos: [red.jpg]\n"
    )
    with pytest.raises(slideshow.SlideshowError, match="no font named 'No Such Font Family'"):
        render(path, tmp_path / "out")


@pytest.mark.parametrize("suffix", [".wav", ".m4a"])
def test_audio_is_cut_at_the_sample(assets, storyboard, tmp_path, suffix):
    # Silence, then a tone that starts exactly at 10.000 s of the recording.
    rate = 48000
    signal_ = np.zeros((1, rate * 14), dtype=np.float32)
    t = np.arange(rate * 4) / rate
    signal_[0, rate * 10 :] = 0.5 * np.sin(2 * np.pi * 440 * t)
    media.write_audio(assets / f"step{suffix}", signal_, rate)
    board = storyboard(
        "title: Cut\n" + SMALL + "loudness: off\nsegments:\n"
        f"  - audio: {{file: step{suffix}, start: 9, end: 12, fade_in: 0, fade_out: 0}}\n"
        "    photos: [red.jpg]\n"
    )
    render(board, tmp_path)
    pcm = probe.audio(tmp_path / "story.mp4")[0]
    onset = int(np.argmax(np.abs(pcm) > 0.05))
    assert abs(onset - rate) <= 48, onset / rate  # the tone starts 1.000 s in, within 1 ms


def test_blends_are_the_exact_integer_formula():
    from slideshow.renderer.video.encoding import Blender

    rng = np.random.default_rng(7)
    for width, height in ((320, 180), (322, 182)):  # 322: the frame's rows are padded
        a, b = (rng.integers(0, 256, (height * 3 // 2, width), dtype=np.uint8) for _ in "ab")
        a[0, :4], b[0, :4] = (0, 255, 0, 255), (255, 0, 0, 255)  # the extremes
        blender = Blender(a, b)
        reloaded = Blender(b, a)
        reloaded.set(a, b)  # as moving views are, every frame
        for weight in (0, 1, 77, 128, 255, 256):
            wide = a.astype(np.int64), b.astype(np.int64)
            exact = (wide[0] * (256 - weight) + wide[1] * weight + 128) >> 8
            assert np.array_equal(blender(weight).to_ndarray(), exact)
            assert np.array_equal(reloaded(weight).to_ndarray(), exact)
        assert np.array_equal(blender(0).to_ndarray(), a)
        assert np.array_equal(blender(256).to_ndarray(), b)


def test_chapters_file_only_with_chapters(assets, storyboard, tmp_path):
    """The contract: a storyboard without a titled segment has no chapters and no
    `.chapters.txt`; one with titled segments has it, and a render after the titles are gone
    removes the stale list (it would otherwise be published beside the new video)."""
    media.photo(assets / "a.jpg", (200, 40, 40), size=(320, 180))
    media.photo(assets / "b.jpg", (40, 40, 200), size=(320, 180))
    body = "video: {size: 320x180, fps: 10, quality: draft}\nsegments:\n"
    titled = (
        "title: Chapters\n" + body
        + "  - title: First\n    photos: [{file: a.jpg, duration: 2}]\n"
        + "  - title: Second\n    photos: [{file: b.jpg, duration: 2}]\n"
    )
    path = storyboard(titled)
    out = tmp_path / "out"
    result = render(path, out, cache_root=tmp_path / "cache")
    assert result.outputs.chapters is not None
    chapters = (out / "story.chapters.txt").read_text(encoding="utf-8")
    assert chapters == "0:00 First\n0:02 Second\n"
    manifest = json.loads((out / "story.json").read_text(encoding="utf-8"))
    assert "story.chapters.txt" in manifest["outputs"]
    untitled = titled.replace("  - title: First\n", "  - ").replace("  - title: Second\n", "  - ")
    path.write_text(untitled)
    result = render(path, out, cache_root=tmp_path / "cache")
    assert result.outputs.chapters is None
    assert not (out / "story.chapters.txt").exists()
    manifest = json.loads((out / "story.json").read_text(encoding="utf-8"))
    assert not any("chapters" in name for name in manifest["outputs"])
    assert render(path, out, cache_root=tmp_path / "cache").skipped  # and it is up to date
