"""Issue 14: burned-in subtitles against none. The 3-minute 1080p30 compilation of
render_vs_moviepy.py (30 scans, 6 s each, 1 s crossfades, a caption on each) with a transcript
of 60 cues (2.5 s each, a half-second gap), rendered cold with `style.subtitles` and without,
alternating, each with an empty cache.

    python benchmarks/subtitles.py [--runs 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from corpus import recording, scan
from memory import run
from render_vs_moviepy import PHOTOS, SECONDS, storyboard

LINES = [  # at most 50 characters: 20 a second over a cue's 2.5 s, the contract's limit
    "We waited eight years, and each year: refused.",
    "My father lost his job at the institute.",
    "Letters came from people we had never met.",
]


def transcript(folder: Path) -> Path:
    path = folder / "talk.vtt"
    cues = ["WEBVTT", ""]
    for n in range(PHOTOS * SECONDS // 3):
        start = 600 + n * 3
        cues += [f"{_stamp(start)} --> {_stamp(start + 2.5)}", LINES[n % len(LINES)], ""]
    path.write_text("\n".join(cues), encoding="utf-8")
    return path


def _stamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    scans = [scan(i) for i in range(PHOTOS)]
    audio = recording("speech_30min.wav", 30 * 60)
    work = Path(tempfile.mkdtemp(prefix="slideshow-subtitles-"))
    try:
        plain = storyboard(work, audio, scans)
        text = plain.read_text(encoding="utf-8")
        vtt = transcript(work)
        text = text.replace("    photos:", f"    transcript: {vtt}\n    photos:")
        plain.write_text(text, encoding="utf-8")
        subtitled = work / "subtitled.yaml"
        subtitled.write_text(
            text.replace("segments:", "style: {subtitles: en}\nsegments:"), encoding="utf-8"
        )
        rows = []
        for attempt in range(args.runs):
            for name, board in (("without", plain), ("with subtitles", subtitled)):
                cache, out = work / f"cache-{attempt}-{name}", work / f"out-{attempt}-{name}"
                env = dict(os.environ, SLIDESHOW_CACHE=str(cache))
                seconds, peak, result = run(
                    [sys.executable, "-m", "slideshow", "render", str(board), "--out", str(out)],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                assert result.returncode == 0, "render failed"
                rows.append((attempt + 1, name, seconds, peak))
                shutil.rmtree(cache, ignore_errors=True)
        print("| run | storyboard | cold render | peak memory |")
        print("| --- | --- | --- | --- |")
        for attempt, name, seconds, peak in rows:
            print(f"| {attempt} | {name} | {seconds:.1f} s | {peak / 2**20:.0f} MiB |")
        for attempt in range(1, args.runs + 1):
            without = next(r[2] for r in rows if r[0] == attempt and r[1] == "without")
            with_ = next(r[2] for r in rows if r[0] == attempt and r[1] != "without")
            print(f"run {attempt}: with subtitles / without = {with_ / without:.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
