"""`publish`: render if needed, then upload a compilation with its thumbnail, captions and
playlist entry, recording each finished step so that a re-run only finishes what is left."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SlideshowError
from ..loader import LoadedStoryboard, load
from ..planner import plan
from ..renderer.cache import sha256_file
from . import description as meta
from .record import Record
from .youtube import CHUNK, PublishError, QuotaExhausted, Retry, endpoint, service, upload_status


@dataclass
class PublishResult:
    id: str
    video_id: str | None
    done: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # --dry-run: what would be sent
    notes: list[str] = field(default_factory=list)


def publish(
    storyboard: str | Path | LoadedStoryboard,
    out: str | Path = "output",
    *,
    dry_run: bool = False,
    update: bool = False,
    token: str | None = None,
    client_secrets: str | None = None,
    retry: Retry | None = None,
    chunk_size: int = CHUNK,
) -> PublishResult:
    """Publish one compilation; raises QuotaExhausted or another SlideshowError to stop."""
    loaded = storyboard if isinstance(storyboard, LoadedStoryboard) else load(storyboard)
    timeline = plan(loaded)
    out = Path(out)
    base = endpoint()
    body = meta.video_body(loaded, timeline)
    size = len(body["snippet"]["description"].encode("utf-8"))
    if size > meta.MAX_DESCRIPTION_BYTES:
        raise SlideshowError(
            f"{loaded.path}: the YouTube description (description, chapters and credits) has "
            f"{size} bytes; YouTube accepts {meta.MAX_DESCRIPTION_BYTES}. Shorten the description."
        )
    files = {s: out / f"{timeline.id}{s}" for s in (".mp4", ".jpg", ".vtt")}
    record = Record.load(out / f"{timeline.id}.youtube.json")
    steps = ["upload", "thumbnail", "captions"] + (["playlist"] if meta.playlist(loaded) else [])
    result = PublishResult(timeline.id, record.video_id)
    if dry_run:
        return _dry_run(loaded, timeline, files, record, body, steps, update, base, result)

    from ..renderer import render

    render(loaded, out)  # skips itself when the outputs are up to date
    digest = sha256_file(files[".mp4"])
    from .auth import credentials, token_path

    token_uri = f"{base}/token" if base else None
    creds = credentials(token_path(token), client_secrets, token_uri)
    youtube = service(creds, base)
    retry = retry or Retry()
    try:
        if record.video_id and record.sha256 and record.sha256 != digest:
            result.notes.append(
                f"the MP4 changed since video {record.video_id} was uploaded; YouTube cannot "
                "replace a video's file, so only metadata, thumbnail and captions are updated"
            )
        if "upload" not in record.done:
            _upload(youtube, retry, record, files[".mp4"], digest, body, chunk_size)
            record.metadata = body
            record.mark("upload")
        elif update or record.metadata != body:
            if update:
                retry.call(
                    "updating the video's details",
                    youtube.videos()
                    .update(part="snippet,status", body={"id": record.video_id, **body})
                    .execute,
                )
                record.metadata = body
                record.save()
                result.notes.append("sent the changed title, description and settings")
            else:
                result.notes.append(
                    "the details changed since the upload: run with --update to send them"
                )
        from googleapiclient.http import MediaFileUpload

        if "thumbnail" not in record.done or update:
            retry.call(
                "setting the thumbnail",
                youtube.thumbnails()
                .set(
                    videoId=record.video_id,
                    media_body=MediaFileUpload(str(files[".jpg"]), mimetype="image/jpeg"),
                )
                .execute,
            )
            record.mark("thumbnail")
        if "captions" not in record.done:
            if timeline.captions:
                retry.call(
                    "adding the captions",
                    youtube.captions()
                    .insert(
                        part="snippet",
                        body={
                            "snippet": {
                                "videoId": record.video_id,
                                "language": timeline.language,
                                "name": "",
                                "isDraft": False,
                            }
                        },
                        media_body=MediaFileUpload(str(files[".vtt"]), mimetype="text/vtt"),
                    )
                    .execute,
                )
            record.mark("captions")
        if "playlist" in steps and "playlist" not in record.done:
            retry.call(
                "adding the video to the playlist",
                youtube.playlistItems()
                .insert(
                    part="snippet",
                    body={
                        "snippet": {
                            "playlistId": meta.playlist(loaded),
                            "resourceId": {"kind": "youtube#video", "videoId": record.video_id},
                        }
                    },
                )
                .execute,
            )
            record.mark("playlist")
    except QuotaExhausted as exc:
        left = record.left(steps)
        raise QuotaExhausted(
            f"{loaded.path}: {exc}. Left for this compilation: {', '.join(left)}. "
            "Run the same command again after the quota resets (midnight Pacific time); "
            "it continues where it stopped."
        ) from None
    result.video_id = record.video_id
    result.done = list(record.done)
    result.left = record.left(steps)
    return result


def _upload(
    youtube, retry: Retry, record: Record, mp4: Path, digest: str, body: dict, chunk_size: int
) -> None:
    """Upload (or resume uploading) the MP4; inserts the video exactly once."""
    from googleapiclient.http import MediaFileUpload

    size = mp4.stat().st_size
    media = MediaFileUpload(str(mp4), mimetype="video/mp4", chunksize=chunk_size, resumable=True)
    request = youtube.videos().insert(
        part="snippet,status", body=body, media_body=media, notifySubscribers=False
    )
    http = youtube._http
    if record.session_uri and record.sha256 == digest:
        state = retry.call(
            "asking YouTube how far the upload got",
            lambda: upload_status(http, record.session_uri, size),
        )
        if isinstance(state, dict):  # it had finished; only the answer was lost
            record.video_id = state["id"]
            record.session_uri = None
            record.save()
            return
        if state is not None:
            request.resumable_uri = record.session_uri
            request.resumable_progress = state
    record.sha256, record.bytes = digest, size
    record.save()
    response = None
    while response is None:
        _, response = retry.call("uploading the video", lambda: request.next_chunk(http=http))
        if request.resumable_uri and request.resumable_uri != record.session_uri:
            record.session_uri = request.resumable_uri  # resume here if this run dies
            record.save()
    if "id" not in response:
        raise PublishError(f"the upload finished but YouTube sent no video id: {response}")
    record.video_id = response["id"]
    record.session_uri = None
    record.save()


def _dry_run(loaded, timeline, files, record, body, steps, update, base, result):
    """The requests that would be sent, built by the real client and never executed."""
    from google.auth.credentials import AnonymousCredentials
    from googleapiclient.http import MediaFileUpload, MediaInMemoryUpload

    youtube = service(AnonymousCredentials(), base)
    video_id = record.video_id or "<the new video's id>"
    missing = [str(p) for p in files.values() if not p.exists()]
    if missing:
        result.notes.append("would render first: " + ", ".join(missing) + " missing")

    def media(path: Path, mimetype: str, resumable: bool = False):
        if path.exists():
            return MediaFileUpload(
                str(path),
                mimetype=mimetype,
                resumable=resumable,
                chunksize=CHUNK if resumable else -1,
            )
        # Not rendered yet: a stand-in body gives the same request line.
        return MediaInMemoryUpload(b"", mimetype=mimetype, resumable=resumable)

    planned = []
    if "upload" not in record.done:
        planned.append(
            (
                "upload",
                youtube.videos().insert(
                    part="snippet,status",
                    body=body,
                    notifySubscribers=False,
                    media_body=media(files[".mp4"], "video/mp4", resumable=True),
                ),
                files[".mp4"],
            )
        )
    elif update:
        planned.append(
            (
                "update",
                youtube.videos().update(part="snippet,status", body={"id": video_id, **body}),
                None,
            )
        )
    if "thumbnail" not in record.done or update:
        planned.append(
            (
                "thumbnail",
                youtube.thumbnails().set(
                    videoId=video_id, media_body=media(files[".jpg"], "image/jpeg")
                ),
                files[".jpg"],
            )
        )
    if "captions" not in record.done and timeline.captions:
        planned.append(
            (
                "captions",
                youtube.captions().insert(
                    part="snippet",
                    body={
                        "snippet": {
                            "videoId": video_id,
                            "language": timeline.language,
                            "name": "",
                            "isDraft": False,
                        }
                    },
                    media_body=media(files[".vtt"], "text/vtt"),
                ),
                files[".vtt"],
            )
        )
    if "playlist" in steps and "playlist" not in record.done:
        planned.append(
            (
                "playlist",
                youtube.playlistItems().insert(
                    part="snippet",
                    body={
                        "snippet": {
                            "playlistId": meta.playlist(loaded),
                            "resourceId": {"kind": "youtube#video", "videoId": video_id},
                        }
                    },
                ),
                None,
            )
        )
    for step, request, path in planned:
        text = f"{request.method} {request.uri}"
        if request.body and not (request.resumable or "multipart" in request.uri):
            text += "\n" + json.dumps(json.loads(request.body), indent=2, ensure_ascii=False)
        elif request.resumable:
            text += "\n" + json.dumps(body, indent=2, ensure_ascii=False)
        if path is not None:
            size = path.stat().st_size if path.exists() else None
            text += f"\n(with the file {path}" + (f", {size} bytes" if size else "") + ")"
        result.requests.append(f"[{step}] {text}")
    result.left = record.left(steps)
    return result
