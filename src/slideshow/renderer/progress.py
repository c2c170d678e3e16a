"""Progress on a terminal: one bar per compilation and one for the whole batch.

Silent when output goes to a file or a pipe, so logs stay clean.
"""

from __future__ import annotations

import sys
import time

WIDTH = 24


class Bars:
    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.active = self.stream.isatty()
        self.began = time.monotonic()
        self.rows: dict[str, tuple[int, int]] = {}
        self.drawn = 0

    def update(self, name: str, done: int, total: int) -> None:
        if not self.active:
            return
        self.rows[name] = (done, total)
        self._draw()

    def _draw(self) -> None:
        lines = [self._line(name, *value) for name, value in self.rows.items()]
        if len(self.rows) > 1:
            done = sum(d for d, _ in self.rows.values())
            total = sum(t for _, t in self.rows.values())
            lines.append(self._line("all", done, total))
        out = "\033[F" * self.drawn
        out += "".join(f"\033[K{line}\n" for line in lines)
        self.stream.write(out)
        self.stream.flush()
        self.drawn = len(lines)

    def _line(self, name: str, done: int, total: int) -> str:
        filled = WIDTH * done // total if total else WIDTH
        elapsed = time.monotonic() - self.began
        label = name if len(name) <= 28 else name[:27] + "…"
        bar = "#" * filled + "." * (WIDTH - filled)
        return f"{label:<28} [{bar}] {done}/{total} pieces  {elapsed:.0f} s"

    def close(self) -> None:
        if self.active and self.drawn:
            self.stream.write("\033[F\033[K" * self.drawn)
            self.stream.flush()
            self.drawn = 0

    def __enter__(self) -> Bars:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
