"""A one-line progress bar on a terminal; silent when output goes to a file or a pipe."""

from __future__ import annotations

import sys
import time


class Bar:
    def __init__(self, label: str, stream=None):
        self.label = label
        self.stream = stream or sys.stderr
        self.active = self.stream.isatty()
        self.began = time.monotonic()

    def update(self, done: int, total: int) -> None:
        if not self.active or total <= 0:
            return
        width = 30
        filled = width * done // total
        elapsed = time.monotonic() - self.began
        self.stream.write(
            f"\r{self.label}: [{'#' * filled}{'.' * (width - filled)}] "
            f"{done}/{total} pieces, {elapsed:.0f} s"
        )
        self.stream.flush()

    def __enter__(self) -> Bar:
        return self

    def __exit__(self, *exc) -> None:
        if self.active:
            self.stream.write("\r\033[K")
            self.stream.flush()
