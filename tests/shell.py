"""Running the real command line in a subprocess, as a user's shell would."""

from __future__ import annotations

import subprocess
import sys


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "slideshow", *map(str, args)]


def run(*args, env=None, **kwargs) -> subprocess.CompletedProcess:
    """`slideshow ARGS...`, finished: its exit status, and stdout and stderr as text."""
    return subprocess.run(
        command(*args), capture_output=True, text=True, check=False, env=env, **kwargs
    )


def start(*args, **kwargs) -> subprocess.Popen:
    """`slideshow ARGS...`, left running (for --watch, and for interrupting a render)."""
    return subprocess.Popen(command(*args), **kwargs)
