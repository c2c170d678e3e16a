"""Issue 15: transitions between stills at no encoder cost. The 3-minute 1080p30 compilation of
render_vs_moviepy.py (30 scans, 6 s each, captions, 1 s crossfades) rendered cold five ways,
each with an empty cache in a new process: crossfades made by weighted prediction (the
default), crossfades encoded (`--no-free-transitions`, as before), the same two with 1 s fades
instead, and the same storyboard with cuts. Prints the times, real-time factors, ratios and MP4
sizes.

    python benchmarks/free_transitions.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from corpus import recording, scan
from memory import run
from render_vs_moviepy import PHOTOS, SECONDS, storyboard


def main() -> None:
    scans = [scan(i) for i in range(PHOTOS)]
    audio = recording("speech_30min.wav", 30 * 60)
    work = Path(tempfile.mkdtemp(prefix="slideshow-free-"))
    try:
        board = storyboard(work, audio, scans)
        text = board.read_text(encoding="utf-8")
        fades, cuts = work / "fades.yaml", work / "cuts.yaml"
        fades.write_text(text.replace("transition: crossfade", "transition: fade"), "utf-8")
        cuts.write_text(text.replace("transition: crossfade", "transition: cut"), "utf-8")
        runs = [
            ("crossfades, free", board, []),
            ("crossfades, encoded", board, ["--no-free-transitions"]),
            ("fades, free", fades, []),
            ("fades, encoded", fades, ["--no-free-transitions"]),
            ("cuts", cuts, []),
        ]
        rows = []
        for name, path, flags in runs:
            cache, out = work / f"cache-{len(rows)}", work / f"out-{len(rows)}"
            env = dict(os.environ, SLIDESHOW_CACHE=str(cache))
            command = [sys.executable, "-m", "slideshow", "render", str(path), "--out", str(out)]
            seconds, peak, result = run(
                [*command, *flags], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            assert result.returncode == 0, f"{name}: render failed"
            size = (out / "bench.mp4").stat().st_size
            rows.append((name, seconds, peak, size))
            shutil.rmtree(cache, ignore_errors=True)
        length = PHOTOS * SECONDS
        print("| storyboard | cold render | x real time | peak memory | MP4 |")
        print("| --- | --- | --- | --- | --- |")
        for name, seconds, peak, size in rows:
            print(
                f"| {name} | {seconds:.1f} s | {length / seconds:.1f}x | {peak / 2**20:.0f} MiB "
                f"| {size / 1e6:.1f} MB |"
            )
        times = {name: seconds for name, seconds, _, _ in rows}
        for kind in ("crossfades", "fades"):
            free, encoded = times[f"{kind}, free"], times[f"{kind}, encoded"]
            print(
                f"{kind}: free / cuts = {free / times['cuts']:.2f}x; "
                f"encoded / free = {encoded / free:.2f}x"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
