"""The command line, driven for real: exit codes, messages, JSON and schema output."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest
import shell
import yaml
from click.testing import CliRunner

from slideshow import __version__
from slideshow.cli import cli, main


def test_validate_ok_and_errors(assets, storyboard):
    good = storyboard("title: T\nsegments:\n  - audio: talk.wav\n    photos: [red.jpg]\n")
    bad = storyboard("title: T\nsegments:\n  - photos: [nope.jpg]\n", "bad.yaml")
    result = shell.run("validate", str(good))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{good}: ok\n"
    result = shell.run("validate", str(assets))
    assert result.returncode == 1
    assert f"{bad}:3:14: photo 'nope.jpg': file not found" in result.stderr
    assert "Traceback" not in result.stderr
    assert f"{good}: ok" in result.stdout


def test_usage_errors_exit_2(tmp_path):
    assert shell.run("validate").returncode == 2
    assert shell.run("frobnicate").returncode == 2
    assert shell.run("render", "x.yaml", "--jobs", "0").returncode == 2


def test_version():
    result = shell.run("--version")
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_plan_table_and_json(assets, storyboard):
    path = storyboard(
        "title: Story\nsegments:\n  - title: Part one\n    audio: talk.wav\n"
        "    photos:\n      - red.jpg\n      - {file: green.png, caption: Hello, at: 10}\n"
    )
    result = CliRunner().invoke(cli, ["plan", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Story (story): 0:20.000, 600 frames at 30 fps, 1920x1080"
    assert lines[2].split() == ["1", "0:00.000", "0:10.000", "red.jpg", "cut"]
    assert lines[3].split() == [
        "2",
        "0:10.000",
        "0:20.000",
        "green.png",
        "Hello",
        "crossfade",
        "1s",
    ]
    assert "0:00 Part one" in result.stdout
    result = CliRunner().invoke(cli, ["plan", "--json", str(path)])
    data = json.loads(result.stdout)
    assert data["frames"] == 600 and data["version"] == 1


def test_schema_validates_the_contract_example(assets):
    result = CliRunner().invoke(cli, ["schema"])
    schema = json.loads(result.output)
    example = yaml.safe_load(
        "title: T\nvideo: {size: 1280x720}\nloudness: off\n"
        "segments:\n  - audio: {file: a.mp3, start: '0:03', end: 40.5}\n"
        "    photos: [a.jpg, {file: b.jpg, motion: kenburns, at: '0:20'}]\n"
    )
    example["loudness"] = "off"
    jsonschema.validate(example, schema)
    bad = dict(example, captoin="x")
    try:
        jsonschema.validate(bad, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("the schema accepted an unknown key")


def test_internal_errors_are_one_line_with_a_log(monkeypatch, capsys, assets, storyboard):
    path = storyboard("title: T\nsegments:\n  - photos: [red.jpg]\n")

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("slideshow.cli.check", broken)
    with pytest.raises(SystemExit) as exit_:
        main(["plan", str(path)])
    assert exit_.value.code == 3
    err = capsys.readouterr().err
    assert err.startswith("internal error: slideshow failed unexpectedly; details are in ")
    assert "Traceback" not in err
    log = Path(err.split("details are in ")[1].split(". Please")[0])
    assert "ZeroDivisionError: boom" in log.read_text(encoding="utf-8")


def test_the_bundled_demo_is_valid():
    root = __import__("pathlib").Path(__file__).resolve().parent.parent
    result = shell.run("validate", str(root / "compilations" / "demo.yaml"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no warnings either


def test_unwritable_cache_is_a_clear_error(assets, storyboard, tmp_path, monkeypatch):
    import os

    path = storyboard("title: T\nvideo: {size: 320x180}\nsegments:\n  - photos: [red.jpg]\n")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder")
    env = dict(os.environ, SLIDESHOW_CACHE=str(blocked / "cache"))
    result = shell.run("render", str(path), "--out", str(tmp_path / "o"), "--jobs", "1", env=env)
    assert result.returncode == 1
    assert "cannot write to the piece cache" in result.stderr and "SLIDESHOW_CACHE" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_reference_is_current():
    root = __import__("pathlib").Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, str(root / "scripts" / "cli_reference.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_watch_renders_again_on_save_survives_mistakes_and_stops_cleanly(
    assets, storyboard, tmp_path
):
    text = (
        "title: Watched\nvideo: {size: 320x180, quality: draft}\nloudness: off\nsegments:\n"
        "  - photos: [{file: red.jpg, duration: 2, caption: First words}]\n"
    )
    board = storyboard(text)
    out, log = tmp_path / "out", tmp_path / "stderr.txt"
    srt = out / "story.srt"
    with open(log, "w") as errors:
        process = shell.start(
            "render", str(board), "--out", str(out), "--watch",
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env=dict(os.environ),
        )

    def wait_for(condition, what):
        deadline = time.monotonic() + 60
        while not condition():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"gave up waiting for {what}"
            time.sleep(0.05)

    try:
        wait_for(lambda: srt.is_file() and "First words" in srt.read_text(), "the first render")
        wait_for(lambda: "Watching" in log.read_text(), "the watch to start")
        board.write_text(text.replace("First words", "Second thoughts"))
        wait_for(lambda: "Second thoughts" in srt.read_text(), "the render after a save")
        board.write_text("title: [unclosed\n")  # saved half-way through an edit
        wait_for(lambda: "not valid YAML" in log.read_text(), "the mistake to be reported")
        board.write_text(text.replace("First words", "Third time"))
        wait_for(lambda: "Third time" in srt.read_text(), "the render after the fix")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    err = log.read_text()
    assert process.returncode == 0, err
    assert "Stopped watching." in err and "Traceback" not in err
