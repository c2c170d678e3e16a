"""Rendering folders of storyboards: shared workers, failures, skipping, interruption, Dask."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import media
import pytest
import shell

from slideshow.renderer import render, render_many
from slideshow.renderer.cache import PieceCache

SMALL = media.SMALL


@pytest.fixture
def folder(assets):
    boards = assets / "compilations"
    boards.mkdir()
    for name, colour in (("one", "red.jpg"), ("two", "green.png"), ("three", "blue.jpg")):
        media.write(
            boards / f"{name}.yaml",
            f"title: {name}\nmedia_root: ..\n{SMALL}segments:\n"
            f"  - photos: [{{file: {colour}, duration: 2}}, {{file: red.jpg, duration: 2}}]\n",
        )
    media.write(
        boards / "broken.yaml",
        f"title: broken\nmedia_root: ..\n{SMALL}segments:\n  - photos: [missing.jpg]\n",
    )
    return boards


def test_a_broken_storyboard_does_not_stop_the_others(folder, tmp_path):
    out = tmp_path / "out"
    result = shell.run("render", str(folder), "--out", str(out), "--jobs", "2")
    assert result.returncode == 1
    assert f"{folder / 'broken.yaml'}:6:14: photo 'missing.jpg': file not found" in result.stderr
    assert "1 of 4 failed" in result.stderr and "broken.yaml" in result.stderr
    assert "Traceback" not in result.stderr
    for name in ("one", "two", "three"):
        assert (out / f"{name}.mp4").is_file()
    assert not list(out.glob("broken*"))
    table = result.stdout.splitlines()
    assert table[0].split() == ["id", "status", "length", "time", "output"]
    assert any(line.split()[:2] == ["broken", "FAILED"] for line in table)
    assert sum(" rendered " in line for line in table) == 3

    again = shell.run(
        "render", str(folder / "one.yaml"), str(folder / "two.yaml"), "--out", str(out)
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("up to date") == 2


def test_batch_shares_the_cache_between_compilations(folder, tmp_path):
    outcomes = render_many(
        [folder / "one.yaml", folder / "two.yaml", folder / "three.yaml"], tmp_path, jobs=2
    )
    assert all(o.ok for o in outcomes)
    # red.jpg's hold appears in all three: encoded once, found in the cache by the others.
    encoded = sum(o.result.encoded for o in outcomes)
    pieces = sum(o.result.pieces for o in outcomes)
    assert encoded < pieces


def test_interrupted_batch_leaves_no_partial_output_and_resumes(assets, tmp_path):
    for k in range(10):
        media.photo(assets / f"p{k}.jpg", (25 * k, 200 - 15 * k, 60), size=(640, 360))
    photos = "".join(f"      - {{file: p{k}.jpg, duration: 3}}\n" for k in range(10))
    board = media.write(
        assets / "long.yaml",
        "title: Long\nvideo: {size: 960x540, quality: master}\n"
        # Crossfades: every frame of a transition is encoded, so the render takes a while.
        "defaults: {transition: crossfade, transition_duration: 1}\n"
        "segments:\n  - photos:\n" + photos,
    )
    out, cache = tmp_path / "out", tmp_path / "cache"
    env = dict(os.environ, SLIDESHOW_CACHE=str(cache))
    process = shell.start(
        "render",
        str(board),
        "--out",
        str(out),
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while len(list(cache.glob("*/*.piece"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)  # the soundtrack and a couple of pieces are done
    assert process.poll() is None, "the render finished before it could be interrupted"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert not [p for p in out.iterdir()] if out.exists() else True
    cached = len(list(cache.glob("*/*.piece")))
    result = render(board, out, cache_root=cache)
    assert result.encoded < result.pieces and cached > 0  # resumed from the cache


def test_cache_prune(folder, tmp_path):
    cache = PieceCache(tmp_path / "cache")
    render(folder / "one.yaml", tmp_path / "out", cache_root=cache.root)
    count, size = cache.usage()
    assert count > 0 and size > 0
    assert cache.prune(older_than_days=30) == (0, 0)
    old = time.time() - 40 * 86400
    for path in cache.root.glob("*/*.piece"):
        os.utime(path, (old, old))
    assert cache.prune(older_than_days=30) == (count, size)
    assert cache.usage() == (0, 0)
    env = dict(os.environ, SLIDESHOW_CACHE=str(cache.root))
    result = shell.run("cache", "prune", "--max-size", "0", env=env)
    assert result.returncode == 0 and "removed 0 pieces" in result.stdout


def test_the_cache_is_kept_under_its_size_limit_after_each_render(folder, tmp_path, monkeypatch):
    cache = PieceCache(tmp_path / "cache")
    render(folder / "two.yaml", tmp_path / "out", cache_root=cache.root)
    first = set(cache.root.glob("*/*.piece"))
    old = time.time() - 7200  # used two hours ago
    for path in first:
        os.utime(path, (old, old))
    # A limit far below one render's pieces: everything older goes, nothing this render used.
    monkeypatch.setenv("SLIDESHOW_CACHE_MAX_MB", "0.001")
    blue = media.write(
        folder / "blue.yaml",
        f"title: Blue\nmedia_root: ..\n{SMALL}"
        "segments:\n  - photos: [{file: blue.jpg, duration: 3}]\n",
    )
    result = render(blue, tmp_path / "out", cache_root=cache.root)
    assert result.encoded == result.pieces  # nothing in common with the first
    second = set(cache.root.glob("*/*.piece"))
    assert second and not (first & second)
    again = render(blue, tmp_path / "again", cache_root=cache.root)
    assert again.encoded == 0  # all of it was kept
    monkeypatch.setenv("SLIDESHOW_CACHE_MAX_MB", "0")  # no limit
    render(folder / "one.yaml", tmp_path / "out", cache_root=cache.root)
    assert second < set(cache.root.glob("*/*.piece"))
    env = dict(os.environ, SLIDESHOW_CACHE=str(cache.root), SLIDESHOW_CACHE_MAX_MB="ten")
    bad = shell.run("render", str(folder / "one.yaml"), "--out", str(tmp_path / "bad"), env=env)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
    assert "SLIDESHOW_CACHE_MAX_MB is 'ten'" in bad.stderr
    assert not (tmp_path / "bad").exists() or not list((tmp_path / "bad").iterdir())


def test_dask_cluster_renders_the_same_bytes(folder, tmp_path):
    distributed = pytest.importorskip("distributed")
    render(folder / "two.yaml", tmp_path / "local", cache_root=tmp_path / "c1")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote = render(
            folder / "two.yaml",
            tmp_path / "dask",
            cache_root=tmp_path / "c2",
            cluster=cluster.scheduler_address,
        )
    assert remote.encoded == remote.pieces
    for suffix in (".mp4", ".srt", ".jpg"):
        assert (tmp_path / "local" / f"two{suffix}").read_bytes() == (
            tmp_path / "dask" / f"two{suffix}"
        ).read_bytes()


def test_work_is_split_into_contiguous_runs_of_similar_cost():
    from slideshow.renderer.video.pieces import Blend, Hold, Piece, View, cost
    from slideshow.renderer.video.plates import CardPlate
    from slideshow.renderer.workers import split_work

    view = View(CardPlate(320, 180, "font.ttf", "font.ttf"))

    def piece(kind: str, index: int) -> Piece:
        if kind == "blend":
            return Blend(index, 30, f"blend{index}", view, view, "crossfade")
        return Hold(index, 150, f"hold{index}", view, 60)

    pieces = [piece("hold" if i % 2 == 0 else "blend", i) for i in range(59)]
    runs = split_work(pieces, 2, 8)
    assert len(runs) == 8 and [p for run in runs for p in run] == pieces
    costs = [sum(cost(p) for p in run) for run in runs]
    assert max(costs) - min(costs) <= 40  # a piece's cost at most
    # An edit re-encodes a photo's hold and its two transitions: one run for each worker,
    # the hold with one of them (its plate made once there).
    edit = [piece("blend", 1), piece("hold", 2), piece("blend", 3)]
    assert [[p.key for p in run] for run in split_work(edit, 2, 8)] == [
        ["blend1", "hold2"],
        ["blend3"],
    ]
    assert split_work(edit, 1, 8) == [edit]


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("where", ["prepare", "worker"])
def test_a_bug_for_one_storyboard_never_stops_the_others(
    folder, tmp_path, monkeypatch, jobs, where
):
    """Whatever --jobs is, a bug of ours while preparing or encoding one compilation fails
    that one alone, in one line naming the crash log, which holds the traceback."""
    import slideshow.renderer.layout as job_module
    import slideshow.renderer.video.frames as workers

    def green(plate_or_spec) -> bool:  # only two.yaml shows green.png
        if where == "prepare":
            return plate_or_spec.name == "green.png"
        return plate_or_spec[:180].mean() > 120  # green's luma; red and blue are darker

    def buggy(real):
        def call(first, *args, **kwargs):
            if green(first):
                raise ZeroDivisionError("a bug for green")
            return real(first, *args, **kwargs)

        return call

    if where == "prepare":
        monkeypatch.setattr(job_module, "plate_warnings", buggy(job_module.plate_warnings))
    else:
        monkeypatch.setattr(workers, "encode_still", buggy(workers.encode_still))
    boards = [folder / f"{name}.yaml" for name in ("one", "two", "three")]
    out = tmp_path / "out"
    outcomes = render_many(boards, out, jobs=jobs, cache_root=tmp_path / "cache")
    assert [o.ok for o in outcomes] == [True, False, True]
    error = outcomes[1].error
    assert error.startswith("internal error while rendering ") and "two.yaml" in error
    log = Path(error.split("details are in ")[1].split(". Please")[0])
    assert "ZeroDivisionError: a bug for green" in log.read_text(encoding="utf-8")
    assert (out / "one.mp4").is_file() and (out / "three.mp4").is_file()
    assert not list(out.glob("two*")) and not list(out.glob(".two*"))


@pytest.mark.parametrize("command", ["preview", "package", "publish"])
def test_every_batch_command_reports_a_bug_and_goes_on(
    folder, tmp_path, monkeypatch, capsys, command
):
    """The one batch rule (batch.each) for preview, package and publish as for render: a bug
    of ours for one storyboard is one line naming the crash log, which holds the traceback;
    the other storyboards are done, and the command exits 1 naming the one that failed."""
    import slideshow.packaging as packaging
    import slideshow.previewing.build as build
    import slideshow.publishing.many as many
    from slideshow.cli import main

    def buggy(real, board_of):
        def call(*args, **kwargs):
            if board_of(*args).endswith("two.yaml"):
                raise ZeroDivisionError(f"a bug in {command}")
            return real(*args, **kwargs)

        return call

    def path(first, *_) -> str:  # a loaded or checked storyboard
        return str(first.path)

    module, function = {
        "preview": (build, "lay_out"),
        "package": (packaging, "_payload"),
        "publish": (many, "publish"),
    }[command]
    monkeypatch.setattr(module, function, buggy(getattr(module, function), path))
    monkeypatch.setenv("SLIDESHOW_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SLIDESHOW_YOUTUBE_ENDPOINT", "http://127.0.0.1:9")  # nothing is sent
    boards = [str(folder / f"{name}.yaml") for name in ("one", "two", "three")]
    out = tmp_path / "out"
    extra = ["--dry-run"] if command == "publish" else []
    with pytest.raises(SystemExit) as exit:
        main([command, *boards, "--out", str(out), *extra])
    assert exit.value.code == 1
    err = capsys.readouterr().err
    assert f"1 of 3 failed: {boards[1]}" in err
    line = next(x for x in err.splitlines() if x.startswith(f"{boards[1]}: internal error"))
    log = Path(line.split("details are in ")[1].split(". Please")[0])
    assert f"ZeroDivisionError: a bug in {command}" in log.read_text(encoding="utf-8")
    if command == "preview":
        assert (out / "one.preview.html").is_file() and (out / "three.preview.html").is_file()
    elif command == "package":
        assert (out / "one.bag").is_dir() and (out / "three.bag").is_dir()
