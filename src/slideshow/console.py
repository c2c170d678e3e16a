"""What the commands show on a terminal: progress bars while rendering, and the batch summary.

Through `rich` when the output is a terminal (a bar per compilation and one for the batch, with
elapsed time and an estimate of what is left; the summary as a table); plain lines when it goes
to a file or a pipe, so logs stay clean and scripts can read them.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

if TYPE_CHECKING:
    from .renderer import Outcome

ALL = "all"


class Bars:
    """Progress of a render: pieces done of each compilation, and of all of them."""

    def __init__(self, stream: IO[str] | None = None):
        stream = stream or sys.stderr
        self.active = stream.isatty()
        self.progress = Progress(
            TextColumn("{task.description}", style="bold"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("pieces"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(file=stream),
            transient=True,
            disable=not self.active,
        )
        self.tasks: dict[str, TaskID] = {}
        self.counts: dict[str, tuple[int, int]] = {}

    def update(self, name: str, done: int, total: int) -> None:
        if not self.active:
            return
        if name not in self.tasks:
            label = name if len(name) <= 28 else name[:27] + "…"
            self.tasks[name] = self.progress.add_task(label, total=total)
        self.progress.update(self.tasks[name], completed=done, total=total)
        self.counts[name] = (done, total)
        if len(self.counts) > 1:
            if ALL not in self.tasks:
                self.tasks[ALL] = self.progress.add_task(ALL, total=0)
            done_all = sum(d for d, _ in self.counts.values())
            total_all = sum(t for _, t in self.counts.values())
            self.progress.update(self.tasks[ALL], completed=done_all, total=total_all)

    def __enter__(self) -> Bars:
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()


def summary_rows(outcomes: Sequence[Outcome]) -> list[tuple[str, str, str, str, str]]:
    """One row per storyboard: id, status, length, render time, output."""
    rows = []
    for o in outcomes:
        if o.result is not None:
            r = o.result
            status = "up to date" if r.skipped else "rendered"
            minutes, seconds = divmod(round(r.duration), 60)
            rows.append(
                (r.id, status, f"{minutes}:{seconds:02d}", f"{r.seconds:.1f} s", str(r.outputs.mp4))
            )
        else:
            rows.append((Path(o.storyboard).stem, "FAILED", "", "", o.storyboard))
    return rows


HEADINGS = ("id", "status", "length", "time", "output")


def print_summary(outcomes: Sequence[Outcome], stream: IO[str] | None = None) -> None:
    """The batch summary: a table on a terminal, aligned plain columns elsewhere."""
    stream = stream or sys.stdout
    rows = summary_rows(outcomes)
    if stream.isatty():
        table = Table(*HEADINGS)
        for row in rows:
            style = "red" if row[1] == "FAILED" else None
            table.add_row(*row, style=style)
        Console(file=stream).print(table)
        return
    lines = [HEADINGS, *rows]
    widths = [max(len(row[i]) for row in lines) for i in range(len(HEADINGS))]
    for row in lines:
        stream.write("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() + "\n")
