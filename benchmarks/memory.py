"""Peak memory of a process tree, sampled from /proc (Linux): the sum of each process's PSS
(proportional set size: shared pages, e.g. of forked workers, are counted once in all)."""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from pathlib import Path


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run(command: list[str], **kwargs) -> tuple[float, int, subprocess.CompletedProcess]:
    """(wall seconds, peak PSS of the process tree in bytes, result) of running command."""
    began = time.perf_counter()
    process = subprocess.Popen(command, **kwargs)
    peak = 0
    stop = threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            pids, total, queue = set(), 0, [process.pid]
            while queue:
                pid = queue.pop()
                if pid in pids:
                    continue
                pids.add(pid)
                total += _rss(pid)
                queue += _children(pid)
            peak = max(peak, total)
            time.sleep(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, err = process.communicate()
    elapsed = time.perf_counter() - began
    stop.set()
    thread.join()
    return elapsed, peak, subprocess.CompletedProcess(command, process.returncode, out, err)
