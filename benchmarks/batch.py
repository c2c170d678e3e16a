"""Issue 6: a batch of 10 compilations with --jobs 1 and --jobs 2, an up-to-date re-run, and
the peak memory of a 60-minute compilation against a 5-minute one.

    python benchmarks/batch.py [--skip-memory]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from corpus import recording, scan
from memory import run


def compilation(
    folder: Path, name: str, photos: list[Path], audio: Path, seconds: int, size: str, quality: str
) -> Path:
    lines = [
        f"title: {name}",
        f"id: {name}",
        f"video: {{size: {size}, quality: {quality}}}",
        "segments:",
        f"  - audio: {{file: {audio}, start: 0, end: {seconds}}}",
        "    photos:",
    ]
    lines += [
        f"      - {{file: {p}, caption: '{name}, photograph {k + 1}'}}"
        for k, p in enumerate(photos)
    ]
    path = folder / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def slideshow(*args: str, cache: Path):
    env = dict(os.environ, SLIDESHOW_CACHE=str(cache))
    seconds, peak, result = run([sys.executable, "-m", "slideshow", *args], env=env)
    assert result.returncode == 0, "render failed"
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    scans = [scan(i) for i in range(30)]
    audio = recording("speech_60min.wav", 60 * 60)
    work = Path(tempfile.mkdtemp(prefix="slideshow-batch-"))
    boards = work / "compilations"
    boards.mkdir()
    for k in range(10):
        compilation(
            boards,
            f"series-{k:02d}",
            scans[k * 3 : k * 3 + 3] + scans[:2],
            audio,
            30,
            "1280x720",
            "standard",
        )
    report = {}
    for jobs in (1, 2):
        seconds, _ = slideshow(
            "render",
            str(boards),
            "--out",
            str(work / f"out{jobs}"),
            "--jobs",
            str(jobs),
            cache=work / f"cache{jobs}",
        )
        report[f"batch_jobs{jobs}_s"] = round(seconds, 1)
    report["speedup_jobs2"] = round(report["batch_jobs1_s"] / report["batch_jobs2_s"], 2)
    seconds, _ = slideshow(
        "render", str(boards), "--out", str(work / "out2"), "--jobs", "2", cache=work / "cache2"
    )
    report["up_to_date_rerun_s"] = round(seconds, 2)
    if not args.skip_memory:
        for minutes in (5, 60):
            folder = work / f"m{minutes}"
            folder.mkdir()
            photos = [scans[k % 30] for k in range(minutes * 6)]  # a photo every 10 s
            board = compilation(
                folder, f"long-{minutes}", photos, audio, minutes * 60, "640x360", "draft"
            )
            seconds, peak = slideshow(
                "render",
                str(board),
                "--out",
                str(folder / "out"),
                "--jobs",
                "2",
                cache=folder / "cache",
            )
            report[f"{minutes}min_render_s"] = round(seconds, 1)
            report[f"{minutes}min_peak_MB"] = round(peak / 1e6)
        report["memory_60_vs_5"] = f"{report['60min_peak_MB'] / report['5min_peak_MB'] - 1:+.0%}"
    for key, value in report.items():
        print(f"{key:>22}: {value}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
