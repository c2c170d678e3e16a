"""The command line, driven for real: exit codes, messages, JSON and schema output."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
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


class Watch:
    """`slideshow render --watch` (or another command's) running in the background, its
    stderr in a file."""

    def __init__(self, board, out, log, env=None, command="render"):
        self.log = log
        with open(log, "w") as errors:
            self.process = shell.start(
                command,
                board,
                "--out",
                out,
                "--watch",
                stdout=subprocess.DEVNULL,
                stderr=errors,
                env=env or dict(os.environ),
            )

    def wait_for(self, condition, what):
        deadline = time.monotonic() + 60
        while not condition():
            assert self.process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, f"gave up waiting for {what}"
            time.sleep(0.05)

    def stop(self, out=None) -> str:
        """Ctrl-C between renders (once the manifest, written last, is in place), then what
        the watch wrote to stderr."""
        if out is not None and self.process.poll() is None:
            newest = max(_mtimes(out.iterdir()), default=0)
            manifests = _mtimes(out.glob("*.json"))
            deadline = time.monotonic() + 30
            while (not manifests or max(manifests) < newest) and time.monotonic() < deadline:
                time.sleep(0.05)
                manifests = _mtimes(out.glob("*.json"))
            time.sleep(0.5)  # the summary is printed after the manifest
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=30)
        return self.log.read_text()


def _mtimes(paths) -> list[float]:
    """The modification times of the files still there (a render renames its .part files
    into place while we look)."""
    times = []
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            times.append(path.stat().st_mtime)
    return times


WATCHED = (
    "title: Watched\nvideo: {size: 320x180, quality: draft}\nloudness: off\nsegments:\n"
    "  - photos: [{file: red.jpg, duration: 2, caption: First words}]\n"
)


def test_watch_renders_again_on_save_survives_mistakes_and_stops_cleanly(
    assets, storyboard, tmp_path
):
    board = storyboard(WATCHED)
    out = tmp_path / "out"
    srt = out / "story.srt"
    watch = Watch(board, out, tmp_path / "stderr.txt")
    try:
        watch.wait_for(
            lambda: srt.is_file() and "First words" in srt.read_text(), "the first render"
        )
        watch.wait_for(lambda: "Watching" in watch.log.read_text(), "the watch to start")
        board.write_text(WATCHED.replace("First words", "Second thoughts"))
        watch.wait_for(lambda: "Second thoughts" in srt.read_text(), "the render after a save")
        board.write_text("title: [unclosed\n")  # saved half-way through an edit
        watch.wait_for(lambda: "not valid YAML" in watch.log.read_text(), "the mistake reported")
        board.write_text(WATCHED.replace("First words", "Third time"))
        watch.wait_for(lambda: "Third time" in srt.read_text(), "the render after the fix")
    finally:
        err = watch.stop(out)
    assert watch.process.returncode == 0, err
    assert "Stopped watching." in err and "Traceback" not in err


def test_watch_survives_a_font_file_that_is_removed(assets, storyboard, tmp_path):
    """A font named by its file, then one found by family through fontconfig: each removed
    while the watch runs. Reported (or replaced by the bundled one), never a crash."""
    from slideshow.renderer.video.fonts import bundled_font

    fonts = tmp_path / "fonts"
    fonts.mkdir()
    shutil.copy(bundled_font(), fonts / "DejaVuSans.ttf")
    shutil.copy(bundled_font(), assets / "mine.ttf")
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><dir>{fonts}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir>"
        "</fontconfig>\n"
    )
    board = storyboard(
        WATCHED.replace("loudness: off\n", "loudness: off\nstyle: {font: mine.ttf}\n")
    )
    out = tmp_path / "out"
    srt = out / "story.srt"
    env = dict(os.environ, FONTCONFIG_FILE=str(config))
    watch = Watch(board, out, tmp_path / "stderr.txt", env)
    try:
        watch.wait_for(lambda: srt.is_file(), "the first render")
        watch.wait_for(lambda: "Watching" in watch.log.read_text(), "the watch to start")
        (assets / "mine.ttf").unlink()
        board.write_text(
            WATCHED.replace("loudness: off\n", "loudness: off\nstyle: {font: mine.ttf}\n").replace(
                "First", "1"
            )
        )
        watch.wait_for(lambda: "'mine.ttf' was not found" in watch.log.read_text(), "the report")
        # By family: fontconfig finds the copy in `fonts`, which then goes away.
        board.write_text(WATCHED.replace("First", "Family"))
        watch.wait_for(lambda: "Family" in srt.read_text(), "the render with the family font")
        (fonts / "DejaVuSans.ttf").unlink()
        board.write_text(WATCHED.replace("First", "Gone"))
        watch.wait_for(lambda: "Gone" in srt.read_text(), "the render after the font went")
    finally:
        err = watch.stop(out)
    assert watch.process.returncode == 0, err
    assert "internal error" not in err and "Traceback" not in err


def test_commands_given_a_folder_without_storyboards_say_so(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    for command in ("validate", "render", "publish"):
        result = shell.run(command, empty, *(["--dry-run"] if command == "publish" else []))
        assert result.returncode == 1, (command, result.stderr)
        assert f"no storyboards (.yaml files) found in {empty}" in result.stderr, command


def test_watch_stops_even_when_the_interrupt_is_swallowed(assets, storyboard, monkeypatch, capsys):
    """Python drops a KeyboardInterrupt raised inside an object's finalizer; a Ctrl-C that
    lands there during a render must still stop the watch once the render is done."""
    import slideshow.cli as command_line

    board = storyboard(WATCHED)
    renders = []

    def render_all(*args, **kwargs):
        renders.append(args[0])
        assert len(renders) <= 3, "the watch went on after Ctrl-C"
        if len(renders) == 2:  # the render after the first save: Ctrl-C, swallowed
            try:
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(1)
            except KeyboardInterrupt:
                pass
        return []

    monkeypatch.setattr(command_line, "_render_all", render_all)
    monkeypatch.setattr(command_line, "_next_save", lambda files, seen: seen)  # always "saved"
    command_line.main(["render", str(board), "--watch"])  # returns: stopped, status 0
    assert len(renders) == 2
    assert "Stopped watching." in capsys.readouterr().err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


def test_a_watch_stuck_after_ctrl_c_stops_on_the_second_and_says_where(
    assets, storyboard, tmp_path
):
    """Should a watch ever not stop on Ctrl-C (seen once, never reproduced), a second Ctrl-C
    stops it at once and keeps every thread's stack in the crash log; and `kill -USR1` prints
    the stacks of a running command without stopping it. The hang is simulated: a wait that
    swallows the interrupt."""
    board = storyboard(WATCHED)
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path))  # the crash log's folder
    stuck = (
        "import sys, time\n"
        "import slideshow.cli as cli\n"
        "def swallowing_wait(files, seen):\n"
        "    while True:\n"
        "        try:\n"
        "            time.sleep(0.05)\n"
        "        except KeyboardInterrupt:\n"
        "            pass\n"
        "cli._next_save = swallowing_wait\n"
        "cli.main(sys.argv[1:])\n"
    )
    log = tmp_path / "stderr.txt"
    with open(log, "w") as errors:
        process = subprocess.Popen(
            [sys.executable, "-c", stuck, "render", str(board), "--out", str(tmp_path / "o"),
             "--watch"],
            stdout=subprocess.DEVNULL, stderr=errors, env=env,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "Watching" not in log.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.05)
        process.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 10
        while "swallowing_wait" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "swallowing_wait" in log.read_text()  # the stacks, printed on request
        assert process.poll() is None  # ... and it goes on
        process.send_signal(signal.SIGINT)
        time.sleep(0.5)
        assert process.poll() is None  # the simulated hang: the first Ctrl-C is swallowed
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 130
    finally:
        process.kill()
    err = log.read_text()
    assert "Stopped at once by a second Ctrl-C" in err and "Traceback" not in err
    crash = (tmp_path / "slideshow" / "log" / "slideshow-crash.log").read_text()
    assert "stopped by a second Ctrl-C" in crash and "swallowing_wait" in crash
