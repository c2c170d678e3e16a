"""The command line: a thin layer over the library. Exit 0 ok, 1 user error, 2 usage error."""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from .atomic import os_error_message
from .batch import failure
from .checking import Checked, check
from .errors import (
    SlideshowError,
    StoryboardError,
    crash_log_path,
    crash_report,
)
from .schema import json_schema
from .version import __version__


def _echo_warnings(checked: Checked) -> None:
    for warning in checked.warnings:
        click.echo(str(warning), err=True)


def _storyboards(paths: tuple[str, ...]) -> list[Path]:
    """Files as given; a folder stands for every .yaml/.yml file in it. Finding none at all is
    a mistake: a command that did nothing must not look like one that succeeded."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
        else:
            found.append(path)
    if not found:
        raise SlideshowError("no storyboards (.yaml files) found in " + ", ".join(paths))
    return found


def out_option(help_text: str):
    """--out, shared by the commands that read or write the output folder."""
    return click.option(
        "--out", "out", default="output", show_default=True, type=click.Path(), help=help_text
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="slideshow")
def cli() -> None:
    """Turn YAML storyboards into finished, captioned MP4 compilations."""


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
def validate(files: tuple[str, ...]) -> None:
    """Check storyboards and their media without rendering.

    Example: slideshow validate compilations/
    """
    failed = 0
    for path in _storyboards(files):
        checked = check(path)
        if not checked.ok:
            click.echo(str(StoryboardError(list(checked.problems))), err=True)
            failed += 1
            continue
        _echo_warnings(checked)
        click.echo(f"{path}: ok")
    if failed:
        raise SlideshowError(f"{failed} storyboard(s) have errors")


@cli.command()
@click.argument("file", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as JSON.")
def plan(file: str, as_json: bool) -> None:
    """Show when each photo appears, for how long, and under which caption.

    Example: slideshow plan compilations/demo.yaml
    """
    checked = check(file)
    _, timeline = checked.valid()
    _echo_warnings(checked)
    click.echo(timeline.to_json() if as_json else str(timeline))


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@out_option("Folder for the MP4 files and their sidecars.")
@click.option("--force", is_flag=True, help="Render even what is up to date.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 256),
    default=None,
    help="Worker processes shared by all compilations (default: one per core).",
)
@click.option(
    "--cluster",
    envvar="SLIDESHOW_CLUSTER",
    default=None,
    metavar="tcp://HOST:PORT",
    help="Encode on a Dask cluster whose workers see the same files (or SLIDESHOW_CLUSTER).",
)
@click.option(
    "--watch",
    is_flag=True,
    help="Then keep watching the storyboards and render again whenever one is saved.",
)
@click.option(
    "--base-url",
    default=None,
    metavar="URL",
    callback=lambda ctx, param, value: _http_url(value),
    help="Where the outputs will be served: also write <id>.iiif.json, a IIIF manifest.",
)
@click.option(
    "--no-free-transitions",
    "encoded_transitions",
    is_flag=True,
    help="Encode every transition, as before: for a player that mishandles the B pictures "
    "that crossfades and fades between stills are otherwise made of.",
)
def render(
    files: tuple[str, ...],
    out: str,
    force: bool,
    jobs: int | None,
    cluster,
    watch: bool,
    base_url: str | None,
    encoded_transitions: bool,
) -> None:
    """Render storyboards (files, or folders of them) to MP4 files with captions, chapters,
    thumbnail and manifest. What is up to date is skipped; one failure never stops the rest.

    Example: slideshow render compilations/ --jobs 2
    """
    free = not encoded_transitions
    outcomes = _render_all(_storyboards(files), out, force, jobs, cluster, base_url, free)
    if not watch:
        _fail_if_any(outcomes)
        return
    _watch(files, lambda again: _render_all(again, out, False, jobs, cluster, base_url, free))


def _watch(files: tuple[str, ...], again: Callable[[list[Path]], object]) -> None:
    """Call again(storyboards) whenever one of them is saved, until Ctrl-C."""
    click.echo("Watching for changes to the storyboards; press Ctrl-C to stop.", err=True)
    seen = _saved(files)
    with _CtrlC() as ctrl_c:
        while not ctrl_c.pressed:
            try:
                seen = _next_save(files, seen)
            except KeyboardInterrupt:  # between runs: nothing is being written
                break
            try:
                paths = _storyboards(files)
            except SlideshowError as exc:  # the folder was emptied: wait for a storyboard
                click.echo(f"error: {exc}", err=True)
                continue
            # Ctrl-C during a run is the usual interrupt: nothing half-written
            again(paths)
    click.echo("Stopped watching.", err=True)


class _CtrlC:
    """Remembers Ctrl-C during a watch. Python drops the KeyboardInterrupt that Ctrl-C raises
    when it lands in an object's finalizer (they run at unforeseeable moments, such as the end
    of a render), and the watch then went on as if nothing was pressed; with this it stops.

    A watch was once seen not to stop on Ctrl-C, and the cause could not be reproduced (40 of
    40 tries stopped within a second). So a second Ctrl-C, while the first is still being
    honoured, stops the process at once and first writes every thread's stack to the crash
    log: the next time it happens, where it hung is kept."""

    def __init__(self) -> None:
        self.pressed = False

    def _handle(self, signum, frame) -> None:
        if self.pressed:
            _force_stop()
        self.pressed = True
        raise KeyboardInterrupt

    def __enter__(self) -> _CtrlC:
        self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        signal.signal(signal.SIGINT, self.previous)


def _force_stop() -> None:
    """Every thread's stack into the crash log, then exit 130 without cleaning up."""
    import faulthandler
    import os

    log = crash_log_path()
    try:
        with open(log, "a", encoding="utf-8") as out:
            out.write("slideshow was stopped by a second Ctrl-C; where each thread was:\n")
            out.flush()
            faulthandler.dump_traceback(file=out, all_threads=True)
        where = f"where it was stuck is in {log}; please report it with that file"
    except OSError:
        where = "where it was stuck could not be written down"
    sys.stderr.write(f"Stopped at once by a second Ctrl-C; {where}.\n")
    sys.stderr.flush()
    os._exit(130)


def _storyboards_or_none(files: tuple[str, ...]) -> list[Path]:
    try:
        return _storyboards(files)
    except SlideshowError:
        return []


WATCH_INTERVAL = 0.1  # seconds between looks at the storyboards' modification times


def _saved(files: tuple[str, ...]) -> dict[str, tuple[int, int] | None]:
    """When each storyboard was last saved, and its size (None for one that is gone)."""
    stamps: dict[str, tuple[int, int] | None] = {}
    for path in _storyboards_or_none(files):
        try:
            stat = path.stat()
            stamps[str(path)] = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamps[str(path)] = None
    return stamps


def _next_save(files: tuple[str, ...], seen: dict) -> dict:
    """Wait until a storyboard is saved, added or removed; then what is saved now."""
    while _saved(files) == seen:
        time.sleep(WATCH_INTERVAL)
    time.sleep(WATCH_INTERVAL)  # an editor may write a file in more than one step
    return _saved(files)


def _http_url(value: str | None) -> str | None:
    if value is not None and not value.startswith(("http://", "https://")):
        raise click.BadParameter(f"expected an http:// or https:// address, got {value!r}")
    return value


def _render_all(
    paths: list[Path],
    out: str,
    force: bool,
    jobs,
    cluster,
    base_url: str | None = None,
    free: bool = True,
) -> list:
    """Render, print warnings, failures and the summary table; the outcomes."""
    from .console import Bars, print_summary
    from .renderer import render_many

    def show_warnings(jobs_):
        for job in jobs_:
            _echo_warnings(job.checked)

    with Bars() as bars:
        outcomes = render_many(
            paths,
            out,
            force=force,
            jobs=jobs,
            cluster=cluster,
            progress=bars.update,
            on_prepared=show_warnings,
            base_url=base_url,
            free_transitions=free,
        )
    for outcome in outcomes:
        if outcome.result is not None:
            for warning in outcome.result.warnings:
                click.echo(f"{outcome.storyboard}: warning: {warning}", err=True)
        else:
            click.echo(failure(outcome.storyboard, outcome.error or ""), err=True)
    print_summary(outcomes)
    return outcomes


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@out_option("Folder holding (or to hold) the rendered outputs and publish records.")
@click.option(
    "--dry-run", is_flag=True, help="Print the requests that would be sent; send nothing."
)
@click.option(
    "--update",
    is_flag=True,
    help="Send changed title, description, settings and thumbnail to existing videos.",
)
@click.option(
    "--client-secrets",
    type=click.Path(dir_okay=False),
    default=None,
    help="OAuth client file (Desktop app) for the first sign-in.",
)
@click.option(
    "--token",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where the sign-in token is kept (or SLIDESHOW_YOUTUBE_TOKEN).",
)
@click.option(
    "--to",
    "targets",
    default="youtube",
    show_default=True,
    metavar="youtube,archive.org",
    help="Where to publish: youtube, archive.org, or both (comma-separated).",
)
def publish(files, out, dry_run, update, client_secrets, token, targets) -> None:
    """Publish rendered compilations to YouTube (rendering first what is missing or out of
    date). A re-run finishes what is unfinished and never uploads a video twice.

    Example: slideshow publish compilations/ --client-secrets client_secret.json
    """
    from .publishing import batch_report, publish_many

    to = [t.strip() for t in targets.split(",") if t.strip()]
    if not to or any(t not in ("youtube", "archive.org") for t in to):
        raise click.BadParameter(
            f"expected youtube, archive.org or both, got {targets!r}", param_hint="--to"
        )
    outcomes = publish_many(
        _storyboards(files),
        out,
        to=to,
        dry_run=dry_run,
        update=update,
        token=token,
        client_secrets=client_secrets,
    )
    lines, error = batch_report(outcomes, to, dry_run)
    for line in lines:
        click.echo(line.text, err=line.err)
    if error:
        raise SlideshowError(error)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@out_option("Folder for the preview pages (and contact sheets).")
@click.option("--sheet", is_flag=True, help="Also write <id>.sheet.pdf, a printable contact sheet.")
@click.option("--open", "open_page", is_flag=True, help="Open each page in the default browser.")
@click.option(
    "--watch",
    is_flag=True,
    help="Then keep watching: write the preview again whenever a storyboard is saved (an "
    "open page reloads itself).",
)
def preview(files: tuple[str, ...], out: str, sheet: bool, open_page: bool, watch: bool) -> None:
    """See storyboards before rendering: <id>.preview.html plays the soundtrack with each
    shot's picture, caption and transcript line, beside a timeline of every shot.

    Example: slideshow preview compilations/demo.yaml --open
    """
    outcomes = _preview_all(_storyboards(files), out, sheet)
    if open_page:
        import webbrowser

        for outcome in outcomes:
            if outcome.result is not None:
                webbrowser.open(outcome.result.page.resolve().as_uri())
    if watch:
        _watch(files, lambda again: _preview_all(again, out, sheet))
        return
    _fail_if_any(outcomes)


def _preview_all(paths: list[Path], out: str, sheet: bool) -> list:
    """Preview each storyboard, printing what was written or why not, as each one ends."""
    from .previewing import preview_many

    def show(outcome) -> None:
        result, path = outcome.result, outcome.storyboard
        if result is None:
            click.echo(failure(path, outcome.error or ""), err=True)
            return
        for warning in result.checked:
            click.echo(warning, err=True)
        for warning in result.warnings:
            click.echo(f"{path}: warning: {warning}", err=True)
        written = f"{result.page}" + (f" and {result.sheet}" if result.sheet else "")
        click.echo(f"{path}: {written} ({result.seconds:.1f} s)")

    return preview_many(paths, out, sheet=sheet, report=show)


def _fail_if_any(outcomes) -> None:
    from .batch import failed_summary

    summary = failed_summary(len(outcomes), [o.storyboard for o in outcomes if not o.ok])
    if summary:
        raise SlideshowError(summary)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@out_option("Folder holding (or to hold) the rendered outputs; bags go there as <id>.bag.")
@click.option(
    "--with-media", is_flag=True, help="Also bag the photos and recordings the storyboard uses."
)
def package(files: tuple[str, ...], out: str, with_media: bool) -> None:
    """Make a BagIt bag of each compilation (rendering first what is missing or out of date):
    the MP4, every sidecar, the storyboard, with SHA-256 and SHA-512 manifests. A bag that is
    up to date is left as it is; one changed after packaging is reported, never rewritten.

    Example: slideshow package compilations/ --with-media
    """
    from .packaging import package_many

    def show(outcome) -> None:
        result = outcome.result
        if result is None:
            click.echo(failure(outcome.storyboard, outcome.error or ""), err=True)
        else:
            line = f"{result.status}: {result.bag} ({result.files} files)"
            click.echo(f"{outcome.storyboard}: {line}")

    _fail_if_any(package_many(_storyboards(files), out, with_media=with_media, report=show))


@cli.group()
def cache() -> None:
    """The cache of encoded pieces: where it is, how big, checking and pruning it."""


@cache.command("info")
def cache_info() -> None:
    """Show where the cache is and how much it holds.

    Example: slideshow cache info
    """
    from .renderer.cache import PieceCache

    store = PieceCache()
    count, size = store.usage()
    click.echo(f"{store.root}: {count} pieces, {size / 1e6:.1f} MB")


@cache.command("prune")
@click.option(
    "--older-than",
    "days",
    type=click.FloatRange(0),
    default=30,
    show_default=True,
    help="Remove pieces not used for this many days.",
)
@click.option(
    "--max-size",
    "max_mb",
    type=click.FloatRange(0),
    default=None,
    help="Then remove the least recently used until the cache holds at most this many MB.",
)
def cache_prune(days: float, max_mb: float | None) -> None:
    """Delete cached pieces that have not been used for a while. Always safe: a later render
    encodes again whatever it needs.

    Example: slideshow cache prune --older-than 7 --max-size 2000
    """
    from .renderer.cache import PieceCache

    store = PieceCache()
    removed, freed = store.prune(days, None if max_mb is None else int(max_mb * 1e6))
    click.echo(f"removed {removed} pieces, {freed / 1e6:.1f} MB, from {store.root}")


@cache.command("verify")
def cache_verify() -> None:
    """Check every cached piece against its SHA-256 and remove the damaged ones (a later
    render encodes them again). Renders check what they read anyway; this checks all at once.

    Example: slideshow cache verify
    """
    from .renderer.cache import PieceCache

    store = PieceCache()
    checked, removed = store.verify()
    for path in removed:
        click.echo(f"removed damaged piece {path}", err=True)
    click.echo(f"{checked} pieces checked in {store.root}: {len(removed)} damaged, removed")


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    required=True,
    metavar="FILE",
    help="The storyboard to write (- prints it).",
)
@click.option("--force", is_flag=True, help="Replace the storyboard if it exists.")
@click.option(
    "--at-silences",
    is_flag=True,
    help="With a recording: change photos at pauses in the speech, near an even share.",
)
@click.option(
    "--dry-run", is_flag=True, help="Print what was found (and the storyboard); write nothing."
)
def init(sources: tuple[str, ...], output: str, force: bool, at_silences: bool, dry_run: bool):
    """Start a storyboard from what the archive holds: folders (or globs) of photographs with
    embedded captions, an item list (CSV, XLSX), a recording, a transcript (WebVTT, SRT), an
    OHMS index.

    Example: slideshow init assets/demo -o compilations/mine.yaml
    """
    from .drafting import init as make

    result = make(list(sources), output, force=force, at_silences=at_silences, dry_run=dry_run)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if dry_run:
        click.echo("\n".join(result.found))
        click.echo("")
        click.echo(result.text, nl=False)
    elif result.written is None:
        click.echo(result.text, nl=False)
    else:
        click.echo(f"wrote {result.written}; check it, then: slideshow render {result.written}")


def _stacks_on_request() -> None:
    import faulthandler

    if not hasattr(signal, "SIGUSR1"):  # not on Windows
        return
    # Not where stderr is no file (embedded, or captured by a test runner).
    with contextlib.suppress(OSError, ValueError, AttributeError):
        faulthandler.register(signal.SIGUSR1, all_threads=True)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the storyboard format, for editors.

    Example: slideshow schema > storyboard.schema.json
    """
    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


def main(argv: list[str] | None = None) -> None:
    """Entry point: user mistakes become one clean message and exit status 1. `kill -USR1`
    prints every thread's stack to stderr (a run that seems stuck says where it is)."""
    _stacks_on_request()
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        cli.main(args=argv, prog_name="slideshow", standalone_mode=False)
    except (Terminated, click.exceptions.Abort) as exc:
        # click turns an interrupt in a command into Abort, the interrupt its cause.
        if isinstance(exc, Terminated) or isinstance(exc.__cause__, Terminated):
            click.echo("Stopped (SIGTERM); nothing was written under a final name.", err=True)
            sys.exit(143)
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except SlideshowError as exc:
        click.echo(f"error: {exc}" if not isinstance(exc, StoryboardError) else str(exc), err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Interrupted; nothing was written under a final name.", err=True)
        sys.exit(130)
    except OSError as exc:
        if exc.errno is None:  # not the system's: a bug of ours
            click.echo(crash_report(exc), err=True)
            sys.exit(3)
        click.echo(f"error: {os_error_message(exc)}", err=True)
        sys.exit(1)
    except Exception as exc:  # a bug, not a user mistake: keep the details, show one line
        click.echo(crash_report(exc), err=True)
        sys.exit(3)
    finally:
        signal.signal(signal.SIGTERM, previous)


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is: work stops, workers are stopped, nothing half-written
    stays under a final name."""


def _terminated(signum, frame) -> None:
    raise Terminated
