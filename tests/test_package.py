"""`slideshow package`: BagIt bags that validate, are left alone when up to date, and are never
rewritten once someone changed them."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys

import bagit
import media
import shell

SMALL = media.TINY


def board(storyboard):
    return storyboard(
        "title: Leaving Kiev\nid: kiev\ndescription: Anna recalls.\n"
        "credits: [Oral history I-495, Photographs I-496]\n" + SMALL + "segments:\n"
        "  - audio: {file: talk.wav, end: 2}\n"
        "    photos: [red.jpg, {file: green.png, caption: Отказ}]\n"
    )


def test_a_bag_validates_and_holds_the_outputs_and_the_storyboard(assets, storyboard, tmp_path):
    path = board(storyboard)
    out = tmp_path / "out"
    result = shell.run("package", path, "--out", out, "--with-media")
    assert result.returncode == 0, result.stderr
    bag = out / "kiev.bag"
    assert f"{path}: packaged: {bag} (11 files)" in result.stdout
    kept = bagit.Bag(str(bag))
    kept.validate()
    assert sorted(kept.algorithms) == ["sha256", "sha512"]
    names = sorted(kept.payload_entries())
    assert names == sorted(
        f"data/{n}"
        for n in (
            "kiev.mp4", "kiev.srt", "kiev.vtt", "kiev.jpg", "kiev.json",
            "kiev.transcript.html", "kiev.transcript.txt",
            "storyboard/story.yaml", "media/red.jpg", "media/green.png", "media/talk.wav",
        )
    )  # fmt: skip
    for name in ("red.jpg", "talk.wav"):
        same = (bag / "data" / "media" / name).read_bytes() == (assets / name).read_bytes()
        assert same, name
    digest = hashlib.sha256((out / "kiev.mp4").read_bytes()).hexdigest()
    assert kept.payload_entries()["data/kiev.mp4"]["sha256"] == digest
    assert kept.info["External-Identifier"] == "kiev"
    assert kept.info["Title"] == "Leaving Kiev"
    assert kept.info["Credits"] == ["Oral history I-495", "Photographs I-496"]
    assert "Bagging-Date" in kept.info and "Payload-Oxum" in kept.info
    # The Library of Congress's own command line agrees.
    checked = subprocess.run(
        [sys.executable, "-m", "bagit", "--validate", str(bag)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


def test_packaging_again_changes_nothing_then_a_changed_bag_is_reported(
    assets, storyboard, tmp_path
):
    path = board(storyboard)
    out = tmp_path / "out"
    assert shell.run("package", path, "--out", out).returncode == 0
    bag = out / "kiev.bag"
    before = {p: p.stat().st_mtime_ns for p in bag.rglob("*")}
    again = shell.run("package", path, "--out", out)
    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stdout
    assert {p: p.stat().st_mtime_ns for p in bag.rglob("*")} == before

    # A payload file altered after packaging: reported, and the bag left exactly as it is.
    (bag / "data" / "kiev.srt").write_text("tampered\n", encoding="utf-8")
    result = shell.run("package", path, "--out", out)
    assert result.returncode == 1
    assert f"{bag} is not a valid bag any more" in result.stderr
    assert "kiev.srt" in result.stderr and "Traceback" not in result.stderr
    assert (bag / "data" / "kiev.srt").read_text() == "tampered\n"
    try:
        bagit.Bag(str(bag)).validate()
        raise AssertionError("the altered bag validated")
    except bagit.BagValidationError:
        pass

    # An intact bag of a compilation that has changed since: a new bag replaces it.
    shutil.rmtree(bag)
    assert shell.run("package", path, "--out", out).returncode == 0
    path.write_text(path.read_text(encoding="utf-8").replace("Отказ", "Refusal"), "utf-8")
    result = shell.run("package", path, "--out", out)
    assert result.returncode == 0, result.stderr
    assert f"{path}: replaced: {bag}" in result.stdout
    bagit.Bag(str(bag)).validate()
    assert "Refusal" in (bag / "data" / "kiev.vtt").read_text(encoding="utf-8")
