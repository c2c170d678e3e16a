"""The command line: a thin layer over the library. Exit 0 ok, 1 user error, 2 usage error."""

from __future__ import annotations

import json
import sys
import tempfile
import traceback
from pathlib import Path

import click

from . import __version__
from .errors import SlideshowError, StoryboardError
from .loader import load
from .planner import plan as make_plan
from .schema import json_schema


def _echo_warnings(loaded) -> None:
    for warning in loaded.warnings:
        click.echo(str(warning), err=True)


def _storyboards(paths: tuple[str, ...]) -> list[Path]:
    """Files as given; a folder stands for every .yaml/.yml file in it."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
        else:
            found.append(path)
    return found


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
        try:
            loaded = load(path)
        except StoryboardError as exc:
            click.echo(str(exc), err=True)
            failed += 1
            continue
        _echo_warnings(loaded)
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
    loaded = load(file)
    _echo_warnings(loaded)
    timeline = make_plan(loaded)
    click.echo(timeline.to_json() if as_json else str(timeline))


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option(
    "--out",
    "out",
    default="output",
    show_default=True,
    type=click.Path(),
    help="Folder for the MP4 and its sidecar files.",
)
@click.option("--force", is_flag=True, help="Render even if the outputs are up to date.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes (default: one per core).",
)
def render(files: tuple[str, ...], out: str, force: bool, jobs: int | None) -> None:
    """Render storyboards to MP4 files with captions, chapters, thumbnail and manifest.

    Example: slideshow render compilations/demo.yaml --out output
    """
    from .render import render as run_render
    from .render.progress import Bar

    failed = []
    for path in _storyboards(files):
        try:
            loaded = load(path)
            _echo_warnings(loaded)
            with Bar(loaded.id) as bar:
                result = run_render(loaded, out, force=force, jobs=jobs, progress=bar.update)
        except SlideshowError as exc:
            click.echo(str(exc) if isinstance(exc, StoryboardError) else f"{path}: {exc}", err=True)
            failed.append(str(path))
            continue
        for warning in result.warnings:
            click.echo(f"{path}: warning: {warning}", err=True)
        what = "up to date" if result.skipped else f"rendered in {result.seconds:.1f} s"
        click.echo(f"{result.outputs[0]}: {result.duration:.1f} s of video, {what}")
    if failed:
        raise SlideshowError(f"{len(failed)} of the storyboards failed: {', '.join(failed)}")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the storyboard format, for editors.

    Example: slideshow schema > storyboard.schema.json
    """
    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


def main(argv: list[str] | None = None) -> None:
    """Entry point: user mistakes become one clean message and exit status 1."""
    try:
        cli.main(args=argv, prog_name="slideshow", standalone_mode=False)
    except click.exceptions.Abort:
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
    except Exception:  # a bug, not a user mistake: keep the details, show one line
        log = Path(tempfile.gettempdir()) / "slideshow-crash.log"
        log.write_text(traceback.format_exc(), encoding="utf-8")
        click.echo(
            f"internal error: slideshow failed unexpectedly; details are in {log}. "
            "Please report it with that file.",
            err=True,
        )
        sys.exit(3)
