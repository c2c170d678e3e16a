"""Every decoder plays it the same (issue 27): renders covering every class of transition
length, frame rate and hold, free and encoded, checked by a stream checker (no two pictures
with one order count, no two IDR pictures in a row with one id, a sync sample at least every
GOP), decoded bit-exactly alike by libavcodec and three decoders that share no code with it
(JM, the reference decoder; Android's libavc; Cisco's OpenH264), and seeking to five points
giving the full decode's picture."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
import stream
from probe import decode

import slideshow
from slideshow.renderer.video.encoding import gop_frames

# (name, fps, photos as (duration, transition, transition seconds)), each class of the issue:
# short free runs, runs of 64 and more, 125-126 and 250-253 frames (all encoded now), fades
# and crossfades, holds one frame past a whole GOP before a cut.
CASES = [
    ("short-25", 25, [(4, None, 0), (4, "crossfade", 1), (4, "fade", 1.2), (4, "crossfade", 2),
                      (2.04, "cut", 0), (3, "cut", 0)]),
    ("sixty-four-30", 30, [(5, None, 0), (5, "crossfade", Fraction(64, 30)),
                           (5, "fade", Fraction(66, 30)), (3, "crossfade", 1)]),
    ("long-25", 25, [(11, None, 0), (11, "crossfade", 5), (21, "fade", Fraction(252, 25)),
                     (11, "crossfade", Fraction(126, 25))]),
    ("sixty-60", 60, [(2, None, 0), (2.5, "crossfade", 1), (2.5, "fade", 1.5),
                      (Fraction(241, 60), "cut", 0), (2, "crossfade", Fraction(61, 60))]),
]  # fmt: skip
PHOTOS = ("r.jpg", "g.jpg", "b.jpg")


@pytest.fixture(scope="module")
def renders(tmp_path_factory) -> dict[tuple[str, bool], Path]:
    """Each case rendered free and with --no-free-transitions, at 320x180 `draft`."""
    root = tmp_path_factory.mktemp("conformance")
    rng = np.random.default_rng(7)
    from PIL import Image

    for k, name in enumerate(PHOTOS):
        base = np.array([(200, 40, 40), (40, 200, 40), (40, 40, 200)][k])
        noisy = base + rng.normal(0, 30, (180, 320, 3))
        Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(root / name, quality=92)
    made = {}
    for name, fps, photos in CASES:
        lines = [
            f"title: {name}", f"id: {name}",
            f"video: {{size: 320x180, fps: {fps}, quality: draft}}", "loudness: off",
            "segments:", "  - photos:",
        ]  # fmt: skip
        for k, (seconds, kind, length) in enumerate(photos):
            how = f", transition: {kind}, transition_duration: {float(length)!r}" if kind else ""
            lines.append(f"      - {{file: {PHOTOS[k % 3]}, duration: {float(seconds)!r}{how}}}")
        board = root / f"{name}.yaml"
        board.write_text("\n".join(lines) + "\n", encoding="utf-8")
        for free in (True, False):
            out = root / ("free" if free else "encoded")
            slideshow.render(board, out, cache_root=root / "cache", free_transitions=free)
            made[(name, free)] = out / f"{name}.mp4"
    return made


KEYS = [(name, free) for name, _, _ in CASES for free in (True, False)]
IDS = [f"{name}-{'free' if free else 'encoded'}" for name, free in KEYS]


def test_the_cases_hold_free_runs_and_encoded_transitions(renders):
    """The cases cover what they say: free transitions up to the limits (a run of at most 61
    frames, the whole at most a GOP), encoded ones past them."""
    from slideshow.renderer.layout import fonts_for
    from slideshow.renderer.video.pieces import Blend, FreeRun
    from slideshow.renderer.video.planning import plan_pieces
    from slideshow.renderer.video.plates import plate_spec

    kinds = {}
    for name, _, _ in CASES:
        checked = slideshow.check(renders[(name, True)].parent.parent / f"{name}.yaml")
        fonts = fonts_for(checked.timeline, checked.loaded)
        specs = [plate_spec(s, checked.timeline.look, fonts, "x") for s in checked.timeline.shots]
        pieces = plan_pieces(checked.timeline, specs, free=True)
        kinds[name] = (
            sum(isinstance(p, FreeRun) for p in pieces),
            sum(isinstance(p, Blend) for p in pieces),
        )
    # (free runs, encoded transitions): a fade is two runs
    assert kinds == {
        "short-25": (4, 0),  # 25, 30 (a fade) and 50 frames: a GOP, the longest free
        "sixty-four-30": (1, 2),  # 64 and 66 frames encoded, 30 free
        "long-25": (0, 3),  # 125, 252, 126 frames
        "sixty-60": (4, 0),  # 60, 90 (a fade) and 61 frames
    }


@pytest.mark.parametrize("key", KEYS, ids=IDS)
def test_the_stream_checker_finds_nothing_forbidden(renders, key):
    mp4 = renders[key]
    assert stream.problems(mp4) == []
    fps = dict((n, f) for n, f, _ in CASES)[key[0]]
    # A seek point every GOP (2 s); across a free transition of a GOP's length, two frames more.
    assert stream.sync_gap(mp4) <= gop_frames(Fraction(fps)) + 2


@pytest.mark.parametrize("decoder", ["jm", "libavc", "openh264"])
@pytest.mark.parametrize("key", KEYS, ids=IDS)
def test_every_decoder_gives_libavcodecs_pictures(renders, key, decoder, tmp_path):
    mp4 = renders[key]
    frames, _, _ = decode(mp4)
    reference = b"".join(f.tobytes() for f in frames)
    annexb = tmp_path / f"{mp4.stem}.264"
    annexb.write_bytes(stream.annexb(mp4))
    status, pictures, said = stream.decode_with(decoder, annexb, tmp_path)
    assert status == 0, f"{decoder}: {said}"
    size = len(reference) // len(frames)
    if pictures != reference:
        got = len(pictures) // size
        first = next(
            (k for k in range(min(got, len(frames)))
             if pictures[k * size : (k + 1) * size] != reference[k * size : (k + 1) * size]),
            None,
        )  # fmt: skip
        pytest.fail(f"{decoder}: {got} of {len(frames)} frames; the first to differ: {first}")


@pytest.mark.parametrize("key", KEYS, ids=IDS)
def test_seeking_lands_on_the_full_decodes_picture(renders, key):
    """Five points, each inside a different stretch (holds, transitions): a seek decodes from
    the sync sample before it, at most a GOP back, and shows the same picture."""
    mp4 = renders[key]
    frames, _, _ = decode(mp4)
    fps = dict((n, f) for n, f, _ in CASES)[key[0]]
    gop = gop_frames(Fraction(fps))
    targets = [round(len(frames) * share) for share in (0.13, 0.31, 0.5, 0.68, 0.9)]
    with av.open(str(mp4)) as container:
        video = container.streams.video[0]
        per_frame = 1 / (video.average_rate * video.time_base)
        for target in targets:
            container.seek(round(target * per_frame), stream=video, backward=True)
            first = None
            for frame in container.decode(video):
                at = round(frame.pts / per_frame)
                first = at if first is None else first
                if at >= target:
                    break
            assert first is not None and 0 <= target - first <= gop + 2, (target, first)
            assert at == target
            assert np.array_equal(frame.to_ndarray(format="yuv420p"), frames[target]), target


def test_the_checker_finds_duplicate_counts_and_ids(tmp_path, monkeypatch):
    """The checker can fail: with the old rules (the last picture of a 125-frame run at the
    keyframe's own count; every keyframe with id 0, and a hold of a GOP and one frame before
    a cut), it names both faults."""
    import slideshow.renderer.video.assemble as assemble
    import slideshow.renderer.video.planning as planning
    from slideshow.renderer.video.h264 import implicit_weight

    def old_counts(weights):
        frames, chosen, previous = len(weights), [], 0
        for k, weight in enumerate(weights, start=1):
            room = assemble.SPAN - (frames - k)
            best = min(range(previous + 1, room + 1),
                       key=lambda at: (abs(implicit_weight(at, 0, 127) - 64 * weight), at))
            chosen.append(best)
            previous = best
        return tuple(chosen)  # fmt: skip

    monkeypatch.setattr(assemble, "order_counts", old_counts)
    monkeypatch.setattr(assemble, "MAX_FREE_FRAMES", 126)
    monkeypatch.setattr(planning, "MAX_FREE_FRAMES", 126)
    monkeypatch.setattr("slideshow.renderer.video.pieces.MAX_FREE_FRAMES", 126)
    monkeypatch.setattr(assemble, "_distinct_idrs", lambda frames, extradata: frames)
    monkeypatch.setattr(planning, "seek_points", lambda pieces, gop: pieces)
    rng = np.random.default_rng(3)
    from PIL import Image

    for name in PHOTOS:
        noisy = rng.integers(0, 255, (180, 320, 3), dtype=np.uint8)
        Image.fromarray(noisy).save(tmp_path / name)
    board = tmp_path / "old.yaml"
    board.write_text(
        "title: Old\nid: old\nvideo: {size: 320x180, fps: 100, quality: draft}\nloudness: off\n"
        "defaults: {transition: cut}\nsegments:\n  - photos:\n"
        "      - {file: r.jpg, duration: 2.01}\n      - {file: g.jpg, duration: 3}\n"
        "      - {file: b.jpg, duration: 3, transition: crossfade, transition_duration: 1.25}\n",
        encoding="utf-8",
    )
    slideshow.render(board, tmp_path / "out", cache_root=tmp_path / "cache")
    found = stream.problems(tmp_path / "out" / "old.mp4")
    assert any("the same order count" in p for p in found), found
    assert any("IDR right after an IDR" in p for p in found), found
