"""Issue 12: `slideshow preview`, the authoring loop. The demo and a 200-photo storyboard over a
2-hour recording: cold (an empty cache, a new process, as a first `slideshow preview`), warm
(the same again) and an edit (one caption changed, in the process that previews again, as
`preview --watch` does).

    python benchmarks/preview.py [--skip-large]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from corpus import recording, scan
from memory import run

ROOT = Path(__file__).resolve().parent.parent


def command(board: Path, out: Path, cache: Path) -> tuple[float, int]:
    env = dict(os.environ, SLIDESHOW_CACHE=str(cache))
    seconds, peak, result = run(
        [sys.executable, "-m", "slideshow", "preview", str(board), "--out", str(out)], env=env
    )
    assert result.returncode == 0, "preview failed"
    return seconds, peak


def edit(board: Path, out: Path, cache: Path, old: str, new: str) -> float:
    """One caption changed, previewed again in this process (what --watch does)."""
    os.environ["SLIDESHOW_CACHE"] = str(cache)
    import slideshow

    slideshow.preview(board, out)  # this process warm, as a watch is after its first page
    board.write_text(board.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    began = time.perf_counter()
    slideshow.preview(board, out)
    return time.perf_counter() - began


def large(folder: Path) -> Path:
    photos = [scan(i) for i in range(200)]
    audio = recording("speech_120min.wav", 120 * 60)
    lines = [
        "title: Two hours, two hundred photographs",
        "id: large",
        "video: {size: 1920x1080}",
        "segments:",
    ]
    for part in range(4):  # four chapters of 30 minutes, 50 photos each
        lines += [
            f"  - title: Part {part + 1}",
            f"    audio: {{file: {audio}, start: {part * 1800}, end: {(part + 1) * 1800}}}",
            "    photos:",
        ]
        lines += [
            f"      - {{file: {p}, caption: 'Photograph {part * 50 + k + 1}, I-{495 + k}'}}"
            for k, p in enumerate(photos[part * 50 : (part + 1) * 50])
        ]
    board = folder / "large.yaml"
    board.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return board


def measure(name: str, board: Path, work: Path, old: str, new: str) -> list[str]:
    cache, out = work / f"cache-{name}", work / f"out-{name}"
    cold, cold_peak = command(board, out, cache)
    warm, _ = command(board, out, cache)
    edited = edit(board, out, cache, old, new)
    peak = f"{cold_peak / 2**20:.0f} MiB"
    return [
        f"| {name} | cold (new process, empty cache) | {cold:.2f} s | {peak} |",
        f"| {name} | warm (new process) | {warm:.2f} s | |",
        f"| {name} | one caption edited (in process) | {edited:.3f} s | |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="slideshow-preview-"))
    try:
        demo = work / "demo.yaml"
        text = (ROOT / "compilations" / "demo.yaml").read_text(encoding="utf-8")
        demo.write_text(
            text.replace("media_root: ../assets/demo", f"media_root: {ROOT / 'assets/demo'}"),
            encoding="utf-8",
        )
        rows = measure("demo", demo, work, "Freedom Sunday", "Freedom Sunday, edited")
        if not args.skip_large:
            rows += measure("200 photos, 2 h", large(work), work, "Photograph 7,", "Photo 7,")
        print("| storyboard | run | time | peak memory |")
        print("| --- | --- | --- | --- |")
        print("\n".join(rows))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
