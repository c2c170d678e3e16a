"""A change of the code against an earlier revision, for refactors that must change nothing:
the 3-minute 1080p30 benchmark compilation of render_vs_moviepy.py with free crossfades, with
free fades, encoded crossfades (`--no-free-transitions`), and the bundled demo, each rendered
cold (an empty cache, a new process) by both revisions in interleaved rounds. Prints each
one's median time, the ratio, peak memory (one more round each, sampled), and whether the two
revisions wrote the same bytes (every output file).

    python benchmarks/before_after.py 9cece79          # that revision against the work tree

The earlier revision is checked out with `git worktree` into a temporary folder and run from
its own `src/` (PYTHONPATH), with the same Python and packages.
"""

from __future__ import annotations

import argparse
import hashlib
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

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 3


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("revision", help="the earlier revision (a commit, tag or branch)")
    revision = parser.parse_args().revision
    scans = [scan(i) for i in range(PHOTOS)]
    audio = recording("speech_30min.wav", 30 * 60)
    work = Path(tempfile.mkdtemp(prefix="slideshow-before-after-"))
    old = work / "old"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(old),
                    revision], check=True)  # fmt: skip
    try:
        board = storyboard(work, audio, scans)
        fades = work / "fades.yaml"
        text = board.read_text(encoding="utf-8")
        fades.write_text(text.replace("transition: crossfade", "transition: fade"), "utf-8")
        cases = [
            ("crossfades, free", board, []),
            ("fades, free", fades, []),
            ("crossfades, encoded", board, ["--no-free-transitions"]),
            ("demo", ROOT / "compilations" / "demo.yaml", []),
        ]
        trees = {"before": old / "src", "after": ROOT / "src"}
        times: dict[tuple[str, str], list[float]] = {}
        peaks: dict[tuple[str, str], int] = {}
        outputs: dict[tuple[str, str], dict[str, str]] = {}
        for round_ in range(ROUNDS + 1):
            for name, path, flags in cases:
                for tree, src in trees.items():
                    shutil.rmtree(work / "cache", ignore_errors=True)
                    out = work / f"out-{tree}"
                    shutil.rmtree(out, ignore_errors=True)
                    env = dict(os.environ, SLIDESHOW_CACHE=str(work / "cache"), PYTHONPATH=str(src))
                    command = [sys.executable, "-m", "slideshow", "render", str(path), "--out",
                               str(out), *flags]  # fmt: skip
                    quiet = {"env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
                    if round_ < ROUNDS:
                        began = time.perf_counter()
                        done = subprocess.run(command, **quiet)
                        times.setdefault((name, tree), []).append(time.perf_counter() - began)
                    else:
                        _, peaks[(name, tree)], done = run(command, **quiet)
                    assert done.returncode == 0, f"{name} ({tree}): {done.stderr!r}"
                    outputs[(name, tree)] = digests(out)
        for (name, tree), seconds in times.items():
            print(f"{name}, {tree}: " + ", ".join(f"{t:.2f} s" for t in seconds), file=sys.stderr)
        print(f"| storyboard | before ({revision}) | after | after / before | peak memory "
              "before, after | same bytes |")  # fmt: skip
        print("| --- | --- | --- | --- | --- | --- |")
        for name, _, _ in cases:
            before = sorted(times[(name, "before")])[ROUNDS // 2]
            after = sorted(times[(name, "after")])[ROUNDS // 2]
            old_files, new_files = outputs[(name, "before")], outputs[(name, "after")]
            differ = sorted(set(old_files.items()) ^ set(new_files.items()))
            same = "yes" if not differ else "differ: " + ", ".join(sorted({n for n, _ in differ}))
            memory = (
                f"{peaks[(name, 'before')] / 2**20:.0f}, {peaks[(name, 'after')] / 2**20:.0f} MiB"
            )
            print(f"| {name} | {before:.2f} s | {after:.2f} s | {after / before:.3f} | {memory} "
                  f"| {same} |")  # fmt: skip
        print(f"(3-minute storyboards: {PHOTOS * SECONDS} s of video; median of {ROUNDS} rounds)")
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)])
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
