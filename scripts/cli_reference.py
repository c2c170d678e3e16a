"""Write docs/cli.md from the commands' own --help, so the reference never drifts.

python scripts/cli_reference.py          # rewrite docs/cli.md
python scripts/cli_reference.py --check  # exit 1 if docs/cli.md is out of date (tests run it)
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.testing import CliRunner

from slideshow.cli import cli

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def commands(group: click.Group, prefix: list[str]):
    yield prefix
    for name in sorted(group.commands):
        command = group.commands[name]
        if isinstance(command, click.Group):
            yield from commands(command, [*prefix, name])
        else:
            yield [*prefix, name]


def reference() -> str:
    runner = CliRunner()
    parts = [
        "# Command-line reference\n",
        "Generated from `--help` by `scripts/cli_reference.py`; the tests check it is current.\n",
    ]
    for path in commands(cli, []):
        result = runner.invoke(cli, [*path, "--help"], prog_name="slideshow", terminal_width=100)
        title = " ".join(["slideshow", *path])
        parts.append(f"## {title}\n\n```\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


def main() -> None:
    text = reference()
    if "--check" in sys.argv:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
            sys.exit(f"{DOC} is out of date: run python scripts/cli_reference.py")
        return
    DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
