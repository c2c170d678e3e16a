"""Issue 15: transitions between stills at no encoder cost. The 3-minute 1080p30 compilation of
render_vs_moviepy.py (30 scans, 6 s each, captions, 1 s crossfades) rendered cold five ways,
each with an empty cache in a new process: crossfades made by weighted prediction (the
default), crossfades encoded (`--no-free-transitions`, as before), the same two with 1 s fades
instead, and the same storyboard with cuts; three rounds of each. Prints the median times,
real-time factors, ratios, peak memory (one more round, sampled) and MP4 sizes, and every
round's time on stderr.

    python benchmarks/free_transitions.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import recording, scan
from memory import run
from render_vs_moviepy import PHOTOS, SECONDS, storyboard

ROUNDS = 3
RENDER = [sys.executable, "-m", "slideshow", "render"]


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
        # Round by round, each storyboard once a round, so the machine's drift (it is shared)
        # touches them alike; each row reports its median round. Timed rounds run without
        # the memory sampler (reading /proc every 50 ms cost 5-10% of a render on two cores);
        # a last round, sampled, gives the peak memory.
        times: dict[str, list[float]] = {name: [] for name, _, _ in runs}
        rows = []
        for round_ in range(ROUNDS + 1):
            for name, path, flags in runs:
                shutil.rmtree(work / "cache", ignore_errors=True)
                shutil.rmtree(work / "out", ignore_errors=True)
                env = dict(os.environ, SLIDESHOW_CACHE=str(work / "cache"))
                command = [*RENDER, str(path), "--out", str(work / "out"), *flags]
                quiet = {"env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
                if round_ < ROUNDS:
                    began = time.perf_counter()
                    done = subprocess.run(command, **quiet)
                    times[name].append(time.perf_counter() - began)
                else:
                    _, peak, done = run(command, **quiet)
                    size = next((work / "out").glob("*.mp4")).stat().st_size
                    rows.append((name, sorted(times[name])[ROUNDS // 2], peak, size))
                assert done.returncode == 0, f"{name}: render failed"
        for name, _, _ in runs:
            print(f"{name}: " + ", ".join(f"{t:.1f} s" for t in times[name]), file=sys.stderr)
        length = PHOTOS * SECONDS
        print("| storyboard | cold render | x real time | peak memory | MP4 |")
        print("| --- | --- | --- | --- | --- |")
        for name, seconds, peak, size in rows:
            print(
                f"| {name} | {seconds:.1f} s | {length / seconds:.1f}x | {peak / 2**20:.0f} MiB "
                f"| {size / 1e6:.1f} MB |"
            )
        median = {name: seconds for name, seconds, _, _ in rows}
        for kind in ("crossfades", "fades"):
            free, encoded = median[f"{kind}, free"], median[f"{kind}, encoded"]
            print(
                f"{kind}: free / cuts = {free / median['cuts']:.2f}x; "
                f"encoded / free = {encoded / free:.2f}x"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
