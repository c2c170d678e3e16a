"""Publishing many compilations, to YouTube, the Internet Archive or both, by the batch rule
(batch.py), and what a batch's outcome says to the user."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..batch import Storyboard, failed_summary, failure, name, reason
from ..checking import check
from ..errors import SlideshowError
from .archive_org import ArchiveResult, publish_archive
from .quota import summary
from .upload import PublishResult, label, publish
from .youtube import QuotaExhausted

TARGETS = ("youtube", "archive.org")


@dataclass
class PublishOutcome:
    """What became of one storyboard in a batch: published (result), failed (error), stopped
    by the quota (error, quota), or not reached after the quota ran out (waiting)."""

    storyboard: str
    result: PublishResult | None = None
    error: str | None = None
    quota: bool = False
    waiting: bool = False
    archive: ArchiveResult | None = None  # --to archive.org
    archive_error: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None or self.archive_error is not None


def publish_many(
    storyboards: Sequence[Storyboard],
    out: str | Path = "output",
    *,
    to: Sequence[str] = ("youtube",),
    **options,
) -> list[PublishOutcome]:
    """Publish each storyboard in turn to each target (options as for publish). One that fails,
    for a mistake or for a bug of ours (reported with the crash log), never stops the others;
    when YouTube's quota runs out, the rest wait for the next run (archive.org goes on)."""
    unknown = [t for t in to if t not in TARGETS]
    if unknown:
        raise SlideshowError(
            f"cannot publish to {', '.join(unknown)}; choose from youtube, archive.org"
        )
    outcomes = [PublishOutcome(name(s)) for s in storyboards]
    stopped = False
    for index, storyboard in enumerate(storyboards):
        outcome = outcomes[index]
        doing = f"publishing {outcome.storyboard}"
        try:
            checked = check(storyboard)
        except Exception as exc:
            outcome.error = reason(exc, doing)
            continue
        if "youtube" in to and not stopped:
            try:
                outcome.result = publish(checked, out, **options)
            except QuotaExhausted as exc:
                outcome.error, outcome.quota, stopped = str(exc), True, True
                for later in outcomes[index + 1 :]:
                    later.waiting = True
            except Exception as exc:
                outcome.error = reason(exc, doing)
        if "archive.org" in to:
            try:
                outcome.archive = publish_archive(
                    checked,
                    out,
                    update=options.get("update", False),
                    dry_run=options.get("dry_run", False),
                )
            except Exception as exc:
                outcome.archive_error = reason(exc, f"{doing} to archive.org")
    return outcomes


@dataclass(frozen=True)
class Line:
    text: str
    err: bool = False  # for standard error (notes and failures), else standard output


def outcome_lines(outcome: PublishOutcome, dry_run: bool) -> list[Line]:
    """What one storyboard's outcome says: failures, notes, the video's address and the steps
    done, or under --dry-run the requests that would be sent."""
    path, result, lines = outcome.storyboard, outcome.result, []
    for error in (outcome.error, outcome.archive_error):
        if error is not None:
            lines.append(Line(failure(path, error), err=True))
    if outcome.archive is not None:
        archive = outcome.archive
        lines += [Line(f"{path}: archive.org: {note}", err=True) for note in archive.notes]
        if not dry_run:
            sent = f"{len(archive.uploaded)} uploaded, {len(archive.skipped)} already there"
            lines.append(Line(f"{path}: {archive.url} ({sent})"))
    if result is None:
        return lines
    lines += [Line(f"{path}: {note}", err=True) for note in result.notes]
    if dry_run:
        lines.append(Line(f"# {path}: would send {len(result.requests)} requests"))
        lines += [Line(request) for request in result.requests]
    else:
        done = ", ".join(label(step) for step in result.done)
        lines.append(Line(f"{path}: https://youtu.be/{result.video_id} ({done})"))
    return lines


def batch_report(
    outcomes: Sequence[PublishOutcome], to: Sequence[str], dry_run: bool
) -> tuple[list[Line], str | None]:
    """Every line a batch's outcome says, and the error it ends with (None: all published)."""
    lines = [line for outcome in outcomes for line in outcome_lines(outcome, dry_run)]
    if dry_run and "youtube" in to:
        results = [o.result for o in outcomes if o.result is not None]
        uploads, units = sum(r.uploads for r in results), sum(r.units for r in results)
        lines.append(Line(f"# YouTube: {summary(uploads, units)}"))
    waiting = [o.storyboard for o in outcomes if o.waiting]
    if waiting:
        lines.append(Line("Not yet published: " + ", ".join(waiting), err=True))
    if any(o.quota for o in outcomes):
        return lines, "stopped: YouTube's quota is used up"
    failed = [o.storyboard for o in outcomes if o.failed]
    return lines, failed_summary(len(outcomes), failed)
