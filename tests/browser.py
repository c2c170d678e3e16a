"""The real browser of the tests, in one place: Debian's chromium (found on PATH, never a
downloaded build) launched by Playwright, and folders served over HTTP on 127.0.0.1."""

from __future__ import annotations

import contextlib
import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="needs chromium (.ci/run installs it)")

# As root with no sandbox; with nothing reaching for the network this machine does not have.
FLAGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def launch(playwright, *, autoplay: bool = False):
    """Chromium from PATH through Playwright; autoplay lets media play without a gesture."""
    extra = ["--autoplay-policy=no-user-gesture-required"] if autoplay else []
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS + extra)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """The folder over HTTP on 127.0.0.1: yields its address."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
