"""The `slideshow` command's first moments: loading the program takes a fraction of a second,
and a Ctrl-C (or SIGTERM) then ends it quietly, without a traceback: nothing is written yet."""

from __future__ import annotations

import os
import signal
import sys


def main() -> None:
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    from .cli import main as run

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    run()


def _stop(signum, frame) -> None:
    sys.stderr.write("Interrupted while starting; nothing was written.\n")
    sys.stderr.flush()
    os._exit(130 if signum == signal.SIGINT else 143)
