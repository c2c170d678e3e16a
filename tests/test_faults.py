"""Faults a user's machine brings (issue 29): media changed during a render, kills between
renames, damaged or deleted cache files, a full disk, read-only folders, a folder at an output
name, the main process killed or sent SIGTERM, a bag replacement killed. Each ends with the
correct bytes (a render byte-identical to a clean one) or a clear message, and a re-run
recovers without deleting the cache by hand."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import media
import numpy as np
import pytest
import shell
from PIL import Image

import slideshow
from slideshow.errors import SlideshowError
from slideshow.renderer import render

BOARD = (
    "title: Faults\nid: faults\nvideo: {size: 320x180, fps: 25, quality: draft}\n"
    "segments:\n  - audio: {file: talk.wav, end: 9}\n    photos:\n"
    "      - {file: a.jpg, caption: First}\n"
    "      - {file: b.jpg, transition: crossfade}\n"
    "      - {file: c.jpg, transition: fade}\n"
)


def noisy(path: Path, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 255, (180, 320, 3), dtype=np.uint8)).save(path, quality=90)
    return path


@pytest.fixture
def board(assets, storyboard):
    for seed, name in enumerate(("a.jpg", "b.jpg", "c.jpg")):
        noisy(assets / name, seed)
    return storyboard(BOARD)


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


@pytest.fixture
def clean(board, tmp_path) -> dict[str, str]:
    """Every output's SHA-256, rendered once with a cache of its own: what a fault must end in
    (or a clear message)."""
    out = tmp_path / "clean"
    render(board, out, cache_root=tmp_path / "clean-cache", jobs=1)
    return digests(out)


# --- media changed while rendering -----------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_photo_swapped_while_workers_run_fails_the_render_and_poisons_nothing(
    board, assets, clean, tmp_path, monkeypatch, jobs
):
    import slideshow.renderer.workers as workers
    from slideshow.renderer.video.frames import SOURCES

    SOURCES.clear()  # the clean render, in this process, made b's plate from the right bytes
    original = (assets / "b.jpg").read_bytes()
    real = workers.encode_piece

    def swap_then_encode(piece, *args, **kwargs):  # in the worker, before its first piece
        noisy(assets / "b.jpg", 99)
        return real(piece, *args, **kwargs)

    monkeypatch.setattr(workers, "encode_piece", swap_then_encode)
    cache, out = tmp_path / "cache", tmp_path / "out"
    with pytest.raises(SlideshowError, match=r"'b\.jpg' changed while rendering"):
        render(board, out, cache_root=cache, jobs=jobs)
    assert not (out / "faults.mp4").exists()
    monkeypatch.setattr(workers, "encode_piece", real)
    (assets / "b.jpg").write_bytes(original)  # the photo restored: the old picture again
    render(board, out, cache_root=cache, jobs=jobs)
    assert digests(out) == clean


def test_a_recording_changed_while_rendering_keeps_the_soundtrack_out_of_the_cache(
    board, assets, clean, tmp_path, monkeypatch
):
    import slideshow.renderer.workers as workers

    original = (assets / "talk.wav").read_bytes()
    real = workers.encode_audio

    def change_then_encode(*args, **kwargs):
        media.recording(assets / "talk.wav", 20.0, freq=880.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(workers, "encode_audio", change_then_encode)
    cache, out = tmp_path / "cache", tmp_path / "out"
    with pytest.raises(SlideshowError, match=r"talk\.wav' changed while rendering"):
        render(board, out, cache_root=cache, jobs=1)
    monkeypatch.setattr(workers, "encode_audio", real)
    (assets / "talk.wav").write_bytes(original)
    render(board, out, cache_root=cache, jobs=1)
    assert digests(out) == clean


def test_force_reads_a_photo_rewritten_with_its_old_size_and_time(board, assets, tmp_path):
    """The memo of digests may trust a file's size and time; --force never does."""
    cache, out = tmp_path / "cache", tmp_path / "out"
    render(board, out, cache_root=cache, jobs=1)
    photo = assets / "b.jpg"
    before = photo.stat()
    rewritten = bytearray(photo.read_bytes())
    rewritten[-3] ^= 0xFF  # the same size: a byte of the last scan changed
    photo.write_bytes(bytes(rewritten))
    os.utime(photo, ns=(before.st_atime_ns, before.st_mtime_ns))
    result = render(board, out, cache_root=cache, jobs=1, force=True)
    manifest = (out / "faults.json").read_text(encoding="utf-8")
    assert hashlib.sha256(bytes(rewritten)).hexdigest() in manifest and not result.skipped


# --- outputs as one set ----------------------------------------------------------------------


def test_a_kill_between_output_renames_is_rendered_again(board, clean, tmp_path, monkeypatch):
    """The first renames done, then the process gone: the next run must not take the mix of
    new and old files for up to date."""
    import slideshow.atomic as atomic

    out, cache = tmp_path / "out", tmp_path / "cache"
    render(board, out, cache_root=cache, jobs=1)
    board.write_text(BOARD.replace("caption: First", "caption: Second thoughts"), "utf-8")
    real, done = os.replace, []

    def killed_after_two(source, target):
        if len(done) == 2:
            raise KeyboardInterrupt  # as a kill: what was renamed stays renamed
        done.append(target)
        real(source, target)

    monkeypatch.setattr(atomic.os, "replace", killed_after_two)
    with pytest.raises(KeyboardInterrupt):
        render(board, out, cache_root=cache, jobs=1)
    monkeypatch.setattr(atomic.os, "replace", real)
    assert not list(out.glob(".*.part"))
    again = render(board, out, cache_root=cache, jobs=1)
    assert not again.skipped  # a partial set is rendered again
    fresh = tmp_path / "fresh"
    render(board, fresh, cache_root=tmp_path / "fresh-cache", jobs=1)
    assert digests(out) == digests(fresh) != clean


def test_an_output_changed_after_rendering_is_not_up_to_date(board, tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    render(board, out, cache_root=cache, jobs=1)
    (out / "faults.srt").write_text("edited by hand\n", encoding="utf-8")
    assert not render(board, out, cache_root=cache, jobs=1).skipped
    assert render(board, out, cache_root=cache, jobs=1).skipped


# --- the cache damaged or deleted ------------------------------------------------------------


def _damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "truncated":
        path.write_bytes(bytes(data[: len(data) // 2]))
    elif how == "emptied":
        path.write_bytes(b"")
    else:  # a flipped bit, anywhere: here in the middle, and in the trailer's headers
        data[len(data) // 2] ^= 0x10
        data[-40] ^= 0x01
        path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["truncated", "emptied", "flipped"])
def test_damaged_cache_files_are_made_again(board, clean, tmp_path, how):
    """Every kind of cached file (pieces, the soundtrack, plates, the thumbnail, the digests
    memo) damaged at once: the next render (--force, the outputs being there) writes the
    clean bytes, and a render after that finds an intact cache."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    render(board, out, cache_root=cache, jobs=1)
    damaged = sorted(cache.glob("*/*.piece")) + [cache / "digests.json"]
    assert len(damaged) >= 6
    for path in damaged:
        _damage(path, how)
    render(board, out, cache_root=cache, jobs=2, force=True)
    assert digests(out) == clean
    from slideshow.renderer.cache import PieceCache

    checked, removed = PieceCache(cache).verify()
    assert checked >= 5 and removed == []


def test_cache_verify_reports_and_removes_damaged_pieces(board, tmp_path):
    cache = tmp_path / "cache"
    render(board, tmp_path / "out", cache_root=cache, jobs=1)
    piece = sorted(cache.glob("*/*.piece"))[3]
    _damage(piece, "flipped")
    result = shell.run("cache", "verify", env=dict(os.environ, SLIDESHOW_CACHE=str(cache)))
    assert result.returncode == 0, result.stderr
    assert f"removed damaged piece {piece}" in result.stderr
    assert "1 damaged, removed" in result.stdout and not piece.exists()


@pytest.mark.parametrize("when", ["while encoding", "before muxing"])
def test_a_render_survives_the_cache_deleted_under_it(board, clean, tmp_path, monkeypatch, when):
    """The README says deleting the cache is safe at any time: here while the pieces are
    being encoded, and between the encoding and the muxing. What vanished is encoded again."""
    import shutil

    import slideshow.renderer.pool as pool
    import slideshow.renderer.workers as workers

    cache, out = tmp_path / "cache", tmp_path / "out"
    if when == "before muxing":
        real_finish = pool.finish

        def cache_deleted_first(job, store):
            shutil.rmtree(cache)
            return real_finish(job, store)

        monkeypatch.setattr(pool, "finish", cache_deleted_first)
    else:
        real_encode, done = workers.encode_piece, []

        def cache_deleted_after_two(piece, *args, **kwargs):
            if len(done) == 2:
                shutil.rmtree(cache, ignore_errors=True)
            done.append(piece)
            return real_encode(piece, *args, **kwargs)

        monkeypatch.setattr(workers, "encode_piece", cache_deleted_after_two)
    render(board, out, cache_root=cache, jobs=1)
    assert digests(out) == clean


# --- the system's errors: one line, the path and what to do -----------------------------------


@pytest.mark.parametrize(
    ("code", "says"),
    [
        (errno.ENOSPC, "no space left on the disk; free some space, or write elsewhere (--out)"),
        (errno.EROFS, "the disk is read-only; write elsewhere (--out)"),
        (errno.EACCES, "permission denied; use a folder you may write to (--out)"),
    ],
)
def test_a_full_disk_or_read_only_folder_is_one_line(board, tmp_path, monkeypatch, capsys, code,
                                                      says):  # fmt: skip
    """Injected (a small tmpfs needs mounting, and root writes to read-only folders anyway):
    the error as the system raises it, while the MP4 is written."""
    import slideshow.renderer.container.mux as mux
    from slideshow.cli import main

    def fails(path, *args, **kwargs):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(mux, "write_mp4", fails)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit:
        main(["render", str(board), "--out", str(out), "--jobs", "1"])
    err = capsys.readouterr().err
    assert exit.value.code == 1
    assert f"{out / 'faults.mp4'}: {says}" in err
    assert "internal error" not in err and "Traceback" not in err
    assert [p.name for p in out.iterdir()] == []  # nothing half-written, no part file


def test_a_folder_at_an_output_name_is_one_line_and_then_rendered(board, clean, tmp_path):
    out = tmp_path / "out"
    (out / "faults.json").mkdir(parents=True)
    result = shell.run("render", board, "--out", out, "--jobs", "1")
    assert result.returncode == 1
    assert f"{out / 'faults.json'}: a folder stands where a file is to be written" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    (out / "faults.json").rmdir()
    again = shell.run("render", board, "--out", out, "--jobs", "1")
    assert again.returncode == 0, again.stderr
    assert digests(out) == clean


# --- the main process killed, or stopped ------------------------------------------------------


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


LONG = (
    "title: Long\nid: long\nvideo: {size: 640x360, fps: 25, quality: master}\n"
    "segments:\n  - photos:\n"
    + "".join(
        f"      - {{file: {n}.jpg, duration: 2, transition: crossfade, motion: kenburns}}\n"
        for n in "abcabcabcabc"
    )
)


def _started(board: Path, tmp_path: Path) -> tuple[subprocess.Popen, set[int]]:
    """A render with two workers, once both run."""
    env = dict(os.environ, SLIDESHOW_CACHE=str(tmp_path / "cache"))
    process = shell.start(
        "render", board, "--out", tmp_path / "out", "--jobs", "2",
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while len(_children(process.pid)) < 2 and time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        time.sleep(0.05)
    workers = _children(process.pid)
    assert len(workers) >= 2, "the workers did not start"
    return process, workers


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc (Linux)")
def test_workers_die_with_the_main_process_killed(assets, storyboard, tmp_path):
    for seed, name in enumerate("abc"):
        noisy(assets / f"{name}.jpg", seed)
    process, workers = _started(storyboard(LONG), tmp_path)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 5
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers), "workers outlived the main process"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc (Linux)")
def test_sigterm_stops_like_ctrl_c(assets, storyboard, tmp_path):
    for seed, name in enumerate("abc"):
        noisy(assets / f"{name}.jpg", seed)
    process, workers = _started(storyboard(LONG), tmp_path)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 143
    err = process.stderr.read().decode() if process.stderr else ""
    assert "Stopped (SIGTERM); nothing was written under a final name." in err
    assert "Traceback" not in err
    assert not list((tmp_path / "out").glob("long*"))
    deadline = time.monotonic() + 5
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers)


# --- package ----------------------------------------------------------------------------------


def test_package_killed_while_replacing_a_bag_keeps_a_whole_bag(board, tmp_path, monkeypatch):
    """Killed right after the new bag is made, before it is swapped in: the old bag stands,
    whole; the next run replaces it and leaves no temporary bag behind; modes follow the
    umask."""
    import bagit

    import slideshow.packaging as packaging

    out = tmp_path / "out"
    first = slideshow.package(board, out)
    board.write_text(BOARD.replace("caption: First", "caption: Second thoughts"), "utf-8")

    def killed(new, bag):
        raise KeyboardInterrupt

    monkeypatch.setattr(packaging, "_swap_in", killed)
    with pytest.raises(KeyboardInterrupt):
        slideshow.package(board, out)
    monkeypatch.undo()
    bagit.Bag(str(first.bag)).validate()  # the old bag, whole
    old = os.umask(0o022)
    try:
        result = slideshow.package(board, out)
    finally:
        os.umask(old)
    assert result.status == "replaced"
    bag = bagit.Bag(str(result.bag))
    bag.validate()
    assert "Second thoughts" in (result.bag / "data" / "faults.srt").read_text(encoding="utf-8")
    assert [p.name for p in out.iterdir() if p.name.startswith(".faults.bag")] == []
    assert (result.bag / "data").stat().st_mode & 0o777 == 0o755
    assert (result.bag / "data" / "faults.mp4").stat().st_mode & 0o777 == 0o644


def test_ctrl_c_while_the_program_loads_prints_no_traceback():
    """The interrupt lands while the command line's modules load (made certain here: an
    import hook sends it)."""
    hooked = (
        "import os, signal, sys, importlib.abc\n"
        "class Hook(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'slideshow.cli':\n"
        "            os.kill(os.getpid(), signal.SIGINT)\n"
        "        return None\n"
        "sys.meta_path.insert(0, Hook())\n"
        "sys.argv = ['slideshow', '--version']\n"
        "from slideshow.start import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", hooked], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 130
    assert done.stderr == "Interrupted while starting; nothing was written.\n"


def test_the_package_names_every_public_name_once():
    assert set(slideshow.__all__) == set(slideshow._HOMES) | {"__version__"}
    for name in slideshow.__all__:
        assert getattr(slideshow, name) is not None


def test_a_killed_writers_partial_piece_is_removed_by_the_next_prune(tmp_path):
    """A soundtrack (or any piece) being written when its render was killed: its temporary
    file names the writer, and a prune removes it once that process is gone, old or not."""
    from slideshow.renderer.cache import PieceCache

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    folder = tmp_path / "cache" / "ab"
    folder.mkdir(parents=True)
    stale = folder / f".{gone.pid}.x1y2z3.tmp"
    stale.write_bytes(b"half a soundtrack")
    mine = folder / f".{os.getpid()}.a1b2c3.tmp"  # a writer still at work: kept
    mine.write_bytes(b"being written")
    PieceCache(tmp_path / "cache").prune(None, None)
    assert not stale.exists() and mine.exists()


def test_the_manifest_names_the_transcript_the_cues_were_read_from(assets, storyboard, tmp_path):
    """A transcript changed after the storyboard was checked: the render uses the cues read,
    and its manifest names those bytes, not the file as it is later."""
    import json

    original = "WEBVTT\n\n00:00.500 --> 00:02.000\nWe waited.\n"
    (assets / "talk.vtt").write_text(original, encoding="utf-8")
    board = storyboard(
        "title: T\nid: tr\nvideo: {size: 160x90, quality: draft}\nloudness: off\nsegments:\n"
        "  - audio: {file: talk.wav, end: 3}\n    transcript: talk.vtt\n    photos: [red.jpg]\n"
    )
    checked = slideshow.check(board)
    (assets / "talk.vtt").write_text(original.replace("waited", "left"), encoding="utf-8")
    render(checked, tmp_path / "out", cache_root=tmp_path / "cache", jobs=1)
    manifest = json.loads((tmp_path / "out" / "tr.json").read_text(encoding="utf-8"))
    named = {m["path"]: m["sha256"] for m in manifest["media"]}
    assert named["talk.vtt"] == hashlib.sha256(original.encode()).hexdigest()
    assert "We waited." in (tmp_path / "out" / "tr.srt").read_text(encoding="utf-8")
