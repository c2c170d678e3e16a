"""Issue 4: a 1080p30 compilation where every photo moves (Ken Burns, crossfades between).

    python benchmarks/kenburns.py [--skip-moviepy]
    python benchmarks/kenburns.py --profile   # CPU time in one process: x264 against the rest

Reports, from one run: slideshow's cold render time; the time x264 alone takes to encode the
same frames (the very frames slideshow fed its encoder, made again with its own functions and
held in a memory-mapped raw file) with the same settings and the same number of processes;
the overhead slideshow adds; and a MoviePy 2 script zooming the same photos.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
from corpus import scan
from memory import run

PHOTOS = 8
SECONDS = 5
W, H = 1920, 1080


def frames_to_raw(board: Path, raw: Path) -> int:
    """The exact frames slideshow fed its encoder, in output order, as raw I420."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from slideshow import load, plan
    from slideshow.renderer.video.fonts import bundled_font
    from slideshow.renderer.video.frames import piece_frames
    from slideshow.renderer.video.pieces import Blend, Moving
    from slideshow.renderer.video.planning import plan_pieces
    from slideshow.renderer.video.plates import plate_spec

    loaded = load(board)
    timeline = plan(loaded)
    fonts = (bundled_font(), bundled_font(bold=True))
    specs = [plate_spec(s, timeline.look, fonts, "-") for s in timeline.shots]
    count = 0
    with open(raw, "wb") as out:
        for piece in plan_pieces(timeline, specs):
            assert isinstance(piece, (Moving, Blend)), "every photo moves"
            _, frames = piece_frames(piece)
            for frame in frames:
                array = frame if isinstance(frame, np.ndarray) else frame.to_ndarray()
                out.write(array.tobytes())
                count += 1
    return count


def encode_slice(raw: str, first: int, last: int, quality: str) -> float:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from slideshow.renderer.video.encoding import encode_frames, x264_options

    frames = np.memmap(raw, dtype=np.uint8, mode="r").reshape(-1, H * 3 // 2, W)
    for k in range(first, last):  # touch the pages first: time only the encoder
        frames[k].sum()
    began = time.perf_counter()
    encode_frames(
        (np.asarray(frames[k]) for k in range(first, last)),
        W,
        H,
        Fraction(30),
        x264_options(quality, "motion", Fraction(30)),
    )
    return time.perf_counter() - began


MOVIEPY = r"""
import sys
from moviepy import CompositeVideoClip, ImageClip, concatenate_videoclips, vfx
out, *photos = sys.argv[1:]
W, H, D = 1920, 1080, {seconds}
clips = []
for i, path in enumerate(photos):
    photo = ImageClip(path).resized(height=H).resized(lambda t: 1 + 0.024 * t)
    shot = CompositeVideoClip([photo.with_position("center")], size=(W, H)).with_duration(D)
    if i:
        shot = shot.with_effects([vfx.CrossFadeIn(1)])
    clips.append(shot)
concatenate_videoclips(clips, method="compose", padding=-1).write_videofile(
    out, fps=30, codec="libx264", preset="veryfast", threads=2, audio=False, logger=None)
"""


def profile(board: Path, work: Path) -> None:
    """One process, no workers, under cProfile: the encoder's CPU time against the rest."""
    import cProfile
    import pstats

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import slideshow

    profiler = cProfile.Profile()
    profiler.enable()
    slideshow.render(board, work / "out", jobs=1, cache_root=work / "cache")
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    total = max(entry[3] for entry in stats.values())  # the outermost call's cumulative time

    def own(name: str) -> float:
        return sum(e[2] for (_, _, function), e in stats.items() if name in function)

    encoder = own("method 'encode' of 'av.codec.context.CodecContext'")
    resampling = own("warpAffine")
    for key, value in {
        "total_cpu_s": total,
        "x264_s": encoder,
        "resampling_s": resampling,
        "everything_else_s": total - encoder - resampling,
        "overhead_cpu": f"{(total - encoder) / encoder:.0%}",
    }.items():
        print(f"{key:>20}: {value if isinstance(value, str) else round(value, 1)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-moviepy", action="store_true")
    parser.add_argument("--profile", action="store_true", help="only the one-process CPU profile")
    args = parser.parse_args()
    scans = [scan(100 + i) for i in range(PHOTOS)]
    work = Path(tempfile.mkdtemp(prefix="slideshow-kb-"))
    lines = [
        "title: Moving",
        "id: moving",
        "video: {size: 1920x1080, quality: standard}",
        "loudness: off",
        "defaults: {motion: kenburns, fit: cover}",
        "segments:",
        "  - photos:",
    ]
    lines += [f"      - {{file: {p}, duration: {SECONDS}}}" for p in scans]
    board = work / "moving.yaml"
    board.write_text("\n".join(lines) + "\n")
    if args.profile:
        profile(board, work)
        shutil.rmtree(work, ignore_errors=True)
        return
    env = dict(os.environ, SLIDESHOW_CACHE=str(work / "cache"))
    command = [sys.executable, "-m", "slideshow", "render", str(board), "--out", str(work / "out")]
    # Timed alone, like the encoder below (sampling memory costs CPU); then memory, in a
    # second cold render (a fresh cache).
    began = time.perf_counter()
    result = subprocess.run([*command, "--jobs", "2"], env=env, capture_output=True)
    ours = time.perf_counter() - began
    assert result.returncode == 0, result.stderr
    env_again = dict(env, SLIDESHOW_CACHE=str(work / "cache-again"))
    _, peak, result = run([*command, "--jobs", "2", "--force"], env=env_again)
    assert result.returncode == 0
    raw = work / "frames.yuv"
    count = frames_to_raw(board, raw)
    half = count // 2
    context = multiprocessing.get_context("fork")
    began = time.perf_counter()
    with context.Pool(2) as pool:
        pool.starmap(
            encode_slice, [(str(raw), 0, half, "standard"), (str(raw), half, count, "standard")]
        )
    x264 = time.perf_counter() - began
    report = {
        "frames": count,
        "slideshow_s": round(ours, 1),
        "x264_alone_s": round(x264, 1),
        "overhead": f"{ours / x264 - 1:.0%}",
        "peak_memory_MB": round(peak / 1e6),
    }
    raw.unlink()
    if not args.skip_moviepy:
        script = work / "moviepy_zoom.py"
        script.write_text(MOVIEPY.format(seconds=SECONDS))
        mp, _, result = run([sys.executable, str(script), str(work / "mp.mp4"), *map(str, scans)])
        assert result.returncode == 0
        report["moviepy_s"] = round(mp, 1)
        report["speedup_vs_moviepy"] = round(mp / ours, 1)
    for key, value in report.items():
        print(f"{key:>20}: {value}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
