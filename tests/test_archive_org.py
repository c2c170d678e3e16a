"""Publishing to the Internet Archive: the real `internetarchive` client against a stand-in on
127.0.0.1 (reached as a proxy), with faults; every file arrives exactly once across re-runs."""

from __future__ import annotations

import json

import media
import pytest
import shell
from archive_standin import ArchiveStandIn

from slideshow.errors import SlideshowError
from slideshow.publishing.archive_org import publish_archive

SMALL = media.TINY
FILES = ["kiev.mp4", "kiev.vtt", "kiev.srt", "kiev.jpg", "kiev.json"]
FILES += ["kiev.transcript.html", "kiev.transcript.txt"]  # the text alternative


@pytest.fixture
def archive(monkeypatch, tmp_path):
    with ArchiveStandIn() as server:
        monkeypatch.setenv("SLIDESHOW_ARCHIVE_ORG_STANDIN", server.url)
        monkeypatch.setenv("IA_ACCESS_KEY_ID", "access")
        monkeypatch.setenv("IA_SECRET_ACCESS_KEY", "secret")
        monkeypatch.setenv("IA_CONFIG_FILE", str(tmp_path / "no-ia.ini"))
        for name in ("HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        yield server


@pytest.fixture
def board(assets, storyboard):
    return storyboard(
        "title: Leaving Kiev\nid: kiev\ndescription: Anna recalls.\nlanguage: ru\n"
        "credits: ['Anna K., interviewed 1989', Photographs I-495]\n" + SMALL + "publish:\n"
        "  youtube: {tags: [Soviet Jewry, oral history]}\n"
        "  archive_org: {prefix: asjm-, collection: asjm_collection, date: '1989',"
        " licenseurl: 'https://creativecommons.org/licenses/by-nc/4.0/'}\n"
        "segments:\n  - photos: [{file: red.jpg, duration: 2, caption: Отказ}]\n"
    )


def test_an_item_with_its_metadata_and_every_file_once(archive, board, tmp_path):
    out = tmp_path / "out"
    result = publish_archive(board, out, pause=0.01)
    assert result.identifier == "asjm-kiev" and sorted(result.uploaded) == sorted(FILES)
    item = archive.state.items["asjm-kiev"]
    assert sorted(item["files"]) == sorted(FILES)
    assert item["files"]["kiev.mp4"] == (out / "kiev.mp4").read_bytes()
    metadata = item["metadata"]
    assert metadata["title"] == "Leaving Kiev"
    assert metadata["description"] == "Anna recalls."
    assert metadata["creator"] == "Anna K., interviewed 1989"
    assert metadata["subject"] == ["Soviet Jewry", "oral history"]
    assert metadata["language"] == "rus"
    assert metadata["collection"] == "asjm_collection"
    assert metadata["mediatype"] == "movies"
    assert metadata["date"] == "1989"
    assert metadata["licenseurl"] == "https://creativecommons.org/licenses/by-nc/4.0/"
    assert metadata["closed_captioning"] == "yes"
    record = json.loads((out / "kiev.archive-org.json").read_text(encoding="utf-8"))
    assert record["identifier"] == "asjm-kiev" and sorted(record["files"]) == sorted(FILES)

    again = publish_archive(board, out, pause=0.01)
    assert again.uploaded == [] and sorted(again.skipped) == sorted(FILES)
    assert len(archive.state.puts) == len(FILES)  # nothing sent twice


def test_faults_are_retried_and_each_file_still_arrives_once(archive, board, tmp_path):
    archive.state.faults.extend(
        [("put", "503"), ("put", "drop"), ("put", "md5"), ("put", "503"), ("put", "drop")]
    )
    result = publish_archive(board, tmp_path / "out", tries=6, pause=0.01)
    assert sorted(result.uploaded) == sorted(FILES)
    assert sorted(archive.state.puts) == sorted(f"asjm-kiev/{name}" for name in FILES)
    assert not archive.state.faults


def test_a_run_stopped_half_way_finishes_what_was_left(archive, board, tmp_path):
    archive.state.faults.extend([("put", "503")] * 3)
    with pytest.raises(SlideshowError, match=r"uploading kiev\.mp4: archive\.org answered 503"):
        publish_archive(board, tmp_path / "out", tries=3, pause=0.01)
    assert archive.state.puts == []
    result = publish_archive(board, tmp_path / "out", pause=0.01)
    assert sorted(result.uploaded) == sorted(FILES) and len(archive.state.puts) == len(FILES)


def test_a_file_that_arrives_damaged_every_time_is_reported(archive, board, tmp_path):
    archive.state.faults.extend([("put", "md5")] * 3)
    with pytest.raises(SlideshowError, match="BadDigest"):
        publish_archive(board, tmp_path / "out", tries=3, pause=0.01)


def test_an_identifier_taken_by_another_uploader_is_refused(archive, board, tmp_path):
    archive.state.items["asjm-kiev"] = {
        "metadata": {"title": "Someone else's", "uploader": "other@example.org"},
        "files": {"theirs.mp4": b"x"},
    }
    result = shell.run("publish", board, "--out", tmp_path / "out", "--to", "archive.org")
    assert result.returncode == 1
    assert "the archive.org identifier 'asjm-kiev' is taken" in result.stderr
    assert "publish.archive_org.identifier" in result.stderr
    assert archive.state.puts == [] and "Traceback" not in result.stderr


def test_update_sends_only_the_changed_metadata(archive, board, tmp_path):
    out = tmp_path / "out"
    publish_archive(board, out, pause=0.01)
    board.write_text(board.read_text().replace("Anna recalls.", "Anna remembers."), "utf-8")
    waiting = publish_archive(board, out, pause=0.01)
    assert "run with --update" in " ".join(waiting.notes) and archive.state.patches == []
    sent = publish_archive(board, out, update=True, pause=0.01)
    assert sent.notes == ["sent the changed metadata: description"]
    assert archive.state.patches == [
        [{"op": "replace", "path": "/description", "value": "Anna remembers."}]
    ]
    assert archive.state.items["asjm-kiev"]["metadata"]["description"] == "Anna remembers."
    assert publish_archive(board, out, update=True, pause=0.01).notes == []


def test_without_credentials_the_message_names_ia_configure(archive, board, monkeypatch, tmp_path):
    monkeypatch.delenv("IA_ACCESS_KEY_ID")
    monkeypatch.delenv("IA_SECRET_ACCESS_KEY")
    result = shell.run("publish", board, "--out", tmp_path / "out", "--to", "archive.org")
    assert result.returncode == 1
    assert "no Internet Archive credentials: run `ia configure`" in result.stderr


def test_identifiers_follow_the_rules(archive, storyboard, assets, tmp_path):
    bad = storyboard(
        "title: T\n" + SMALL + "publish: {archive_org: {identifier: 'not allowed!'}}\n"
        "segments:\n  - photos: [{file: red.jpg, duration: 2}]\n",
        "bad.yaml",
    )
    with pytest.raises(SlideshowError, match="may hold only ASCII letters, digits"):
        publish_archive(bad, tmp_path / "out")
    result = shell.run("publish", bad, "--to", "vimeo")
    assert result.returncode == 2 and "expected youtube, archive.org or both" in result.stderr


def test_both_homes_in_one_command(archive, board, tmp_path, monkeypatch):
    """`--to youtube,archive.org`: the video on YouTube (its stand-in) and the item on
    archive.org, from one render."""
    from youtube_standin import StandIn, write_token

    with StandIn() as youtube:
        monkeypatch.setenv("SLIDESHOW_YOUTUBE_ENDPOINT", youtube.url)
        token = write_token(tmp_path / "token.json", youtube.url)
        out = tmp_path / "out"
        result = shell.run(
            "publish", board, "--out", out, "--to", "youtube,archive.org", "--token", token
        )
        assert result.returncode == 0, result.stderr
        assert len(youtube.state.videos) == 1
    assert "https://archive.org/details/asjm-kiev (7 uploaded, 0 already there)" in result.stdout
    assert "https://youtu.be/vid" in result.stdout
    assert sorted(archive.state.items["asjm-kiev"]["files"]) == sorted(FILES)
