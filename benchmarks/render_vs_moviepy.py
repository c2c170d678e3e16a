"""Issue 3: a 3-minute compilation of 30 archival scans with 1 s crossfades and captions,
1080p30 `standard`, rendered by slideshow and by a MoviePy 2 script written as a user would.

    pip install -e '.[bench]'
    python benchmarks/render_vs_moviepy.py            # both
    python benchmarks/render_vs_moviepy.py --skip-moviepy

Reports wall time, output seconds per wall second, peak memory of the process tree (in a
separate cold render: sampling memory costs CPU, so no timed run is sampled), the re-render
time after editing one caption (the median of three different edits; and the same under
`slideshow render --watch`, from saving to finished outputs), and the ratio to MoviePy, all
from one run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import recording, scan
from memory import run

HERE = Path(__file__).resolve().parent
PHOTOS = 30
SECONDS = 6


def storyboard(folder: Path, audio: Path, scans: list[Path], caption_suffix: str = "") -> Path:
    lines = [
        "title: Benchmark",
        "id: bench",
        "video: {size: 1920x1080, fps: 30, quality: standard}",
        "defaults: {transition: crossfade, transition_duration: 1}",
        "segments:",
        f"  - audio: {{file: {audio}, start: 600, end: {600 + PHOTOS * SECONDS}}}",
        "    photos:",
    ]
    for index, path in enumerate(scans):
        caption = f"Photograph {index + 1}: demonstration in Washington, 1987. I-{495 + index}"
        if index == 12:
            caption += caption_suffix
        lines.append(f"      - {{file: {path}, caption: '{caption}'}}")
    board = folder / "bench.yaml"
    board.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return board


MOVIEPY_SCRIPT = r"""
import sys
from moviepy import (AudioFileClip, ColorClip, CompositeVideoClip, ImageClip, TextClip,
                     concatenate_videoclips, vfx, afx)
font, audio, out, *photos = sys.argv[1:]
W, H, D = 1920, 1080, {seconds}
clips = []
for i, path in enumerate(photos):
    photo = ImageClip(path).resized(height=H)
    if photo.w > W:
        photo = photo.resized(width=W)
    text = f"Photograph {{i + 1}}: demonstration in Washington, 1987. I-{{495 + i}}"
    caption = TextClip(font=font, text=text,
                       font_size=48, color="white", bg_color=(0, 0, 0), margin=(20, 10))
    shot = CompositeVideoClip(
        [ColorClip((W, H), color=(0, 0, 0)), photo.with_position("center"),
         caption.with_position(("center", H - 140))], size=(W, H)).with_duration(D)
    if i:
        shot = shot.with_effects([vfx.CrossFadeIn(1)])
    clips.append(shot)
video = concatenate_videoclips(clips, method="compose", padding=-1)
sound = AudioFileClip(audio).subclipped(600, 600 + video.duration)
sound = sound.with_effects([afx.AudioFadeIn(0.5), afx.AudioFadeOut(1)])
video.with_audio(sound).write_videofile(out, fps=30, codec="libx264", preset="medium",
                                        audio_codec="aac", threads=2, logger=None)
"""


def timed(command: list[str], env) -> float:
    """Wall seconds of running command, which must succeed."""
    began = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - began
    assert result.returncode == 0, result.stderr
    return elapsed


def watched_edits(command: list[str], env, edit) -> list[float]:
    """Seconds from saving an edit to the finished outputs, under `slideshow render --watch`
    (the render is already up to date): start-up is paid once, the poll and a short settling
    wait each time."""
    manifest = Path(command[command.index("--out") + 1]) / "bench.json"
    process = subprocess.Popen(
        [*command, "--watch"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        process.stderr.readline()  # "Watching for changes ..."
        times = []
        for number in range(3):
            before = manifest.stat().st_mtime_ns
            began = time.perf_counter()
            edit(number)
            while manifest.stat().st_mtime_ns == before:
                time.sleep(0.01)
            times.append(time.perf_counter() - began)
        return times
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:  # say so, and keep the numbers already measured
            process.kill()
            print("warning: the watch did not stop on Ctrl-C within 60 s", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-moviepy", action="store_true")
    args = parser.parse_args()
    scans = [scan(i) for i in range(PHOTOS)]
    audio = recording("speech_30min.wav", 30 * 60)
    work = Path(tempfile.mkdtemp(prefix="slideshow-bench-"))
    env = dict(os.environ, SLIDESHOW_CACHE=str(work / "cache"))
    board = storyboard(work, audio, scans)
    command = [sys.executable, "-m", "slideshow", "render", str(board), "--out", str(work / "out")]
    # Times are taken with nothing else running; peak memory in a separate cold render (the
    # sampler reads /proc 20 times a second, which costs CPU on two cores).
    cold = timed(command, env)
    length = json.loads((work / "out" / "bench.json").read_text())["duration"]
    # Three different one-caption edits: the median.
    edits = []
    for number in range(3):
        storyboard(work, audio, scans, caption_suffix=f" (edit {number})")
        edits.append(timed(command, env))
    edit = statistics.median(edits)
    watched = statistics.median(
        watched_edits(
            command,
            env,
            lambda n: storyboard(work, audio, scans, caption_suffix=f" (watched edit {n})"),
        )
    )
    fresh = dict(env, SLIDESHOW_CACHE=str(work / "cache-memory"))
    _, cold_peak, result = run([*command, "--force"], env=fresh)
    assert result.returncode == 0, "render failed"
    report = {
        "output_seconds": length,
        "slideshow_cold_s": round(cold, 1),
        "x_real_time": round(length / cold, 1),
        "peak_memory_MB": round(cold_peak / 1e6),
        "one_caption_edit_s": round(edit, 1),
        "edit_vs_cold": f"{edit / cold:.0%}",
        "edit_under_watch_s": round(watched, 2),
        "mp4_MB": round((work / "out" / "bench.mp4").stat().st_size / 1e6, 1),
    }
    if not args.skip_moviepy:
        sys.path.insert(0, str(HERE.parent / "src"))
        from slideshow.renderer.video.fonts import bundled_font

        script = work / "moviepy_script.py"
        script.write_text(MOVIEPY_SCRIPT.format(seconds=SECONDS))
        mp_command = [
            sys.executable,
            str(script),
            str(bundled_font()),
            str(audio),
            str(work / "moviepy.mp4"),
            *map(str, scans),
        ]
        mp_time = timed(mp_command, None)
        report.update(
            {"moviepy_s": round(mp_time, 1), "speedup_vs_moviepy": round(mp_time / cold, 1)}
        )
    for key, value in report.items():
        print(f"{key:>24}: {value}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
