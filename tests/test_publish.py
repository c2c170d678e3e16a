"""Publishing with the real google-api-python-client against a YouTube stand-in on 127.0.0.1."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shell
from PIL import Image
from youtube_standin import StandIn, write_token

from slideshow.errors import SlideshowError
from slideshow.publishing import publish
from slideshow.publishing.youtube import QuotaExhausted, Retry

FAST = Retry(tries=6, base=0.01)
CHUNK = 256 * 1024


@pytest.fixture
def standin(monkeypatch):
    with StandIn() as server:
        monkeypatch.setenv("SLIDESHOW_YOUTUBE_ENDPOINT", server.url)
        yield server


@pytest.fixture
def token(tmp_path, standin):
    return write_token(tmp_path / "token.json", standin.url)


@pytest.fixture
def board(assets, storyboard):
    # A grainy photo makes an MP4 of several 256 KiB chunks.
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 255, (360, 640, 3), dtype=np.uint8)).save(assets / "grain.png")
    return storyboard(
        """\
title: Leaving Kiev
description: Anna recalls the years of waiting.
language: ru
credits: ["Oral history: Anna K., 1989", "Photographs: I-495"]
video: {size: 640x360, quality: master}
loudness: off
publish:
  youtube:
    title: Leaving Kiev (1989)
    privacy: unlisted
    tags: [Soviet Jewry, oral history]
    playlist: PL123
segments:
  - title: Waiting
    photos: [{file: grain.png, duration: 10, caption: Отказ}]
  - title: Letters
    photos: [{file: red.jpg, duration: 10}]
  - title: Leaving
    photos: [{file: blue.jpg, duration: 10}]
"""
    )


def test_publish_survives_faults_and_sends_everything(board, tmp_path, token, standin):
    state = standin.state
    state.faults.extend(
        [
            ("put", "503"),
            ("put", "drop"),
            ("put", "308-no-range"),
            ("put", "expired"),  # a chunk is sent again after the token's refresh
            ("thumbnail", "expired"),
            ("playlist", "503"),
        ]
    )
    result = publish(board, tmp_path / "out", token=token, retry=FAST, chunk_size=CHUNK)
    mp4 = (tmp_path / "out" / "story.mp4").read_bytes()
    assert len(mp4) > 3 * CHUNK
    assert state.inserts == 1
    (video,) = state.videos.values()
    assert video["bytes"] == mp4
    assert result.video_id in state.videos
    assert not state.faults  # every fault was met
    assert state.refreshes == 2  # each expired token was refreshed once
    assert not state.broken
    snippet, status = video["metadata"]["snippet"], video["metadata"]["status"]
    assert snippet["title"] == "Leaving Kiev (1989)"
    assert snippet["description"] == (
        "Anna recalls the years of waiting.\n\n0:00 Waiting\n0:10 Letters\n0:20 Leaving\n\n"
        "Oral history: Anna K., 1989\nPhotographs: I-495"
    )
    assert snippet["tags"] == ["Soviet Jewry", "oral history"]
    assert snippet["categoryId"] == "27"
    assert snippet["defaultLanguage"] == snippet["defaultAudioLanguage"] == "ru"
    assert status == {"privacyStatus": "unlisted", "selfDeclaredMadeForKids": False}
    ((thumb_video, thumb),) = state.thumbnails
    assert thumb_video == result.video_id and thumb[:3] == b"\xff\xd8\xff"
    ((caption_meta, vtt),) = state.captions
    assert caption_meta["snippet"]["videoId"] == result.video_id
    assert caption_meta["snippet"]["language"] == "ru"
    assert vtt.decode() == (tmp_path / "out" / "story.vtt").read_text(encoding="utf-8")
    (item,) = state.playlist_items
    assert item["snippet"] == {
        "playlistId": "PL123",
        "resourceId": {"kind": "youtube#video", "videoId": result.video_id},
    }
    record = json.loads((tmp_path / "out" / "story.youtube.json").read_text())
    assert record["video_id"] == result.video_id and record["session_uri"] is None
    assert record["done"] == ["upload", "thumbnail", "captions:ru", "playlist"]

    # Publishing again sends nothing new and never a second video.
    requests = len(state.requests)
    again = publish(board, tmp_path / "out", token=token, retry=FAST, chunk_size=CHUNK)
    assert again.video_id == result.video_id
    assert state.inserts == 1 and len(state.requests) == requests


def test_an_interrupted_upload_resumes_its_session(board, tmp_path, token, standin):
    state = standin.state
    state.faults.extend([("put", "ok"), ("put", "ok"), ("put", "400")])
    with pytest.raises(SlideshowError, match="YouTube answered 400"):
        publish(board, tmp_path / "out", token=token, retry=FAST, chunk_size=CHUNK)
    record = json.loads((tmp_path / "out" / "story.youtube.json").read_text())
    assert record["session_uri"] and record["video_id"] is None
    (session,) = state.sessions.values()
    sent_before = len(session["data"])
    assert sent_before == 2 * CHUNK
    result = publish(board, tmp_path / "out", token=token, retry=FAST, chunk_size=CHUNK)
    assert state.inserts == 1  # the same session, resumed from the byte the server confirmed
    assert state.videos[result.video_id]["bytes"] == (tmp_path / "out" / "story.mp4").read_bytes()


def test_quota_stops_cleanly_and_the_next_run_continues(board, tmp_path, token, standin):
    state = standin.state
    state.faults.append(("captions", "quota"))
    with pytest.raises(QuotaExhausted) as info:
        publish(board, tmp_path / "out", token=token, retry=FAST, chunk_size=CHUNK)
    assert "Left for this compilation: captions (ru), playlist" in str(info.value)
    assert state.inserts == 1 and not state.captions
    result = publish(board, tmp_path / "out", token=token, retry=FAST, chunk_size=CHUNK)
    assert result.done == ["upload", "thumbnail", "captions:ru", "playlist"]
    assert state.inserts == 1 and len(state.captions) == 1 and len(state.thumbnails) == 1


def test_quota_from_the_command_line_exits_non_zero(board, tmp_path, token, standin):
    standin.state.faults.append(("insert", "quota"))
    result = shell.run("publish", str(board), "--out", str(tmp_path / "o"), "--token", token)
    assert result.returncode == 1
    assert "daily quota is used up (quotaExceeded)" in result.stderr
    assert "Left for this compilation: upload, thumbnail, captions (ru), playlist" in result.stderr
    assert "Traceback" not in result.stderr


def test_update_sends_changed_metadata_without_uploading(board, tmp_path, token, standin):
    publish(board, tmp_path / "out", token=token, retry=FAST, chunk_size=CHUNK)
    board.write_text(board.read_text().replace("Leaving Kiev (1989)", "Leaving Kiev, 1989"))
    result = publish(board, tmp_path / "out", token=token, retry=FAST, chunk_size=CHUNK)
    assert any("--update" in note for note in result.notes)
    assert not standin.state.updates
    publish(board, tmp_path / "out", token=token, retry=FAST, update=True, chunk_size=CHUNK)
    (update,) = standin.state.updates
    assert update["id"] in standin.state.videos
    assert update["snippet"]["title"] == "Leaving Kiev, 1989"
    assert standin.state.inserts == 1


def test_dry_run_prints_requests_and_sends_nothing(board, tmp_path, standin):
    result = shell.run("publish", str(board), "--out", str(tmp_path / "o"), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert standin.state.requests == []
    out = result.stdout
    assert f"POST {standin.url}/upload/youtube/v3/videos?" in out and "uploadType=resumable" in out
    assert '"title": "Leaving Kiev (1989)"' in out
    assert f"POST {standin.url}/youtube/v3/playlistItems?" in out
    assert "would render first" in result.stderr


def test_sign_in_problems_say_what_to_do(board, tmp_path, standin):
    with pytest.raises(SlideshowError, match="--client-secrets"):
        publish(board, tmp_path / "out", token=str(tmp_path / "none.json"), retry=FAST)


def test_plain_http_only_to_this_machine(board, tmp_path, monkeypatch):
    monkeypatch.setenv("SLIDESHOW_YOUTUBE_ENDPOINT", "http://example.org:8080")
    with pytest.raises(SlideshowError, match="plain http is allowed only for this machine"):
        publish(board, tmp_path / "out", dry_run=True)


BILINGUAL = """\
title: Leaving Kiev
description: Anna recalls the years of waiting.
language: en
spoken_language: ru
video: {size: 320x180, quality: draft}
loudness: off
publish:
  youtube:
    localizations:
      ru: {title: Отъезд из Киева, description: Анна вспоминает годы ожидания.}
      he: {title: עוזבים את קייב}
segments:
  - title: Waiting
    audio: {file: talk.wav, end: 4}
    transcript: {ru: talk.ru.vtt, en: talk.en.vtt}
    photos: [red.jpg]
"""


def test_a_caption_track_per_language_and_localizations_with_the_quota_counted(
    assets, storyboard, tmp_path, token, standin
):
    (assets / "talk.ru.vtt").write_text("WEBVTT\n\n00:00.500 --> 00:02.500\nМы ждали.\n")
    (assets / "talk.en.vtt").write_text("WEBVTT\n\n00:00.500 --> 00:02.500\nWe waited.\n")
    board = storyboard(BILINGUAL)
    out = tmp_path / "out"
    dry = shell.run("publish", board, "--out", out, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    # An upload of its own allowance; thumbnail 50 + two caption tracks 2 x 400 units.
    assert dry.stdout.rstrip().endswith(
        "# YouTube: would spend 1 upload (of 100 a day) and 850 quota units (of 10,000 a day)"
    )
    state = standin.state
    assert state.requests == []
    result = publish(board, out, token=token, retry=FAST)
    assert result.done == ["upload", "thumbnail", "captions:ru", "captions:en"]
    assert (result.uploads, result.units) == (1, 850)
    assert state.inserts == 1 and len(state.thumbnails) == 1 and len(state.captions) == 2
    (session,) = state.sessions.values()
    assert session["query"]["part"] == ["snippet,status,localizations"]
    metadata = state.videos[result.video_id]["metadata"]
    snippet = metadata["snippet"]
    assert (snippet["defaultLanguage"], snippet["defaultAudioLanguage"]) == ("en", "ru")
    assert metadata["localizations"] == {
        # (one chapter: YouTube would show no chapter list, so none is added)
        "ru": {"title": "Отъезд из Киева", "description": "Анна вспоминает годы ожидания."},
        "he": {"title": "עוזבים את קייב"},
    }
    tracks = {m["snippet"]["language"]: (m["snippet"]["name"], v) for m, v in state.captions}
    assert tracks["ru"][0] == "Русский" and "Мы ждали." in tracks["ru"][1].decode()
    assert tracks["en"][0] == "English" and "We waited." in tracks["en"][1].decode()
    # An edit of the English transcript and of a localized title: --update sends just those.
    (assets / "talk.en.vtt").write_text("WEBVTT\n\n00:00.500 --> 00:02.500\nWe waited long.\n")
    board.write_text(BILINGUAL.replace("title: עוזבים את קייב", "title: 'עוזבים את קייב, 1979'"))
    dry = shell.run("publish", board, "--out", out, "--dry-run", "--update")
    assert dry.returncode == 0, dry.stderr
    assert "[recaptions:en] PUT" in dry.stdout and "[recaptions:ru]" not in dry.stdout
    # videos.update 50, thumbnails.set 50, captions.update 450
    assert dry.stdout.rstrip().endswith(
        "would spend 0 uploads (of 100 a day) and 550 quota units (of 10,000 a day)"
    )
    updated = publish(board, out, token=token, retry=FAST, update=True)
    assert (updated.uploads, updated.units) == (0, 550)
    ((meta, vtt),) = state.caption_updates
    assert meta["snippet"]["language"] == "en" and "We waited long." in vtt.decode()
    record = json.loads((out / "story.youtube.json").read_text(encoding="utf-8"))
    assert meta["id"] == record["captions"]["en"]["id"]
    assert state.updates[-1]["localizations"]["he"]["title"] == "עוזבים את קייב, 1979"
    assert len(state.captions) == 2 and state.inserts == 1
