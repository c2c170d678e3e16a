"""`publish`: render if needed, then upload a compilation with its thumbnail, captions and
playlist entry, recording each finished step so that a re-run only finishes what is left."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import youtube_rules
from ..batch import Storyboard
from ..checking import check
from ..digest import sha256_file
from ..errors import SlideshowError
from ..loader import LoadedStoryboard
from ..outputs import Outputs
from ..timeline import Timeline
from . import description as meta
from . import quota
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
    uploads: int = 0  # the uploads and quota units it spent (--dry-run: would spend)
    units: int = 0


def publish(
    storyboard: Storyboard,
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
    checked = check(storyboard)
    loaded, timeline = checked.valid()
    out = Path(out)
    base = endpoint()
    body = meta.video_body(loaded, timeline)
    what = "the YouTube description (description, chapters and credits)"
    problems = youtube_rules.description_problems(body["snippet"]["description"], what)
    for tag, local in body.get("localizations", {}).items():
        if "description" in local:
            problems += youtube_rules.description_problems(
                local["description"], f"the {tag} description (with chapters and credits)"
            )
    if problems:
        raise SlideshowError(f"{loaded.path}: {problems[0]}. Shorten the description.")
    files = Outputs.for_timeline(out, timeline)
    record = Record.load(files.youtube_record)
    if "captions" in record.done:  # a record from before captions per language
        record.done = [
            f"captions:{timeline.language}" if d == "captions" else d for d in record.done
        ]
    steps = ["upload", "thumbnail", *caption_steps(timeline)]
    steps += ["playlist"] if meta.playlist(loaded) else []
    result = PublishResult(timeline.id, record.video_id)
    if dry_run:
        return _dry_run(loaded, timeline, files, record, body, steps, update, base, result)

    from ..renderer import render

    render(checked, out)  # skips itself when the outputs are up to date
    digest = sha256_file(files.mp4)
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
        requests = Requests(youtube, loaded, timeline, files, body, record.video_id)
        done_now = [] if "upload" in record.done else ["insert"]  # for the quota spent
        if "upload" not in record.done:
            _upload(requests, retry, record, digest, chunk_size)
            record.metadata = body
            record.mark("upload")
            requests.video_id = record.video_id
        elif record.metadata != body and not update:
            result.notes.append(
                "the details changed since the upload: run with --update to send them"
            )
        for step in _steps_left(record, steps, update, timeline):
            done_now.append(step)
            requests.caption_ids = {t: c.get("id") for t, c in record.captions.items()}
            answer = retry.call(doing(step), requests.build(step, media=_file_media).execute)
            if step == "update":
                record.metadata = body
                record.save()
                result.notes.append("sent the changed title, description and settings")
            elif step.startswith(("captions:", "recaptions:")):
                tag = step.split(":", 1)[1]
                caption_id = answer.get("id") if isinstance(answer, dict) else None
                record.captions[tag] = {
                    "id": caption_id or record.captions.get(tag, {}).get("id"),
                    "sha256": sha256_file(_caption_file(files, tag)),
                }
                if step.startswith("re"):
                    record.save()
                    result.notes.append(f"sent the changed captions in {tag}")
                else:
                    record.mark(step)
            else:
                record.mark(step)
    except QuotaExhausted as exc:
        left = [label(step) for step in record.left(steps)]
        raise QuotaExhausted(
            f"{loaded.path}: {exc}. Left for this compilation: {', '.join(left)}. "
            "Run the same command again after the quota resets (midnight Pacific time); "
            "it continues where it stopped."
        ) from None
    result.video_id = record.video_id
    result.done = list(record.done)
    result.left = record.left(steps)
    result.uploads, result.units = quota.spend(done_now)
    return result


WHAT = {
    "update": "updating the video's details",
    "thumbnail": "setting the thumbnail",
    "captions": "adding the captions",
    "recaptions": "replacing the captions",
    "playlist": "adding the video to the playlist",
}


def doing(step: str) -> str:
    kind, _, tag = step.partition(":")
    return WHAT[kind] + (f" in {tag}" if tag else "")


def label(step: str) -> str:
    """A step as a person reads it: captions (ru)."""
    kind, _, tag = step.partition(":")
    return f"{kind} ({tag})" if tag else kind


def caption_steps(timeline: Timeline) -> list[str]:
    """A caption track per transcript language (else the one caption file, in the spoken
    language)."""
    languages = [t.language for t in timeline.tracks] or [timeline.spoken]
    return [f"captions:{tag}" for tag in languages]


def _caption_file(files: Outputs, tag: str) -> Path:
    captions = files.captions(tag)
    return captions.vtt if captions is not None else files.vtt


def _steps_left(record: Record, steps: list[str], update: bool, timeline: Timeline) -> list[str]:
    """The steps after the upload still to do, in order (with --update, the ones it repeats:
    the details, the thumbnail, and each caption track whose file changed)."""
    left = []
    if update and "upload" in record.done:
        left.append("update")
    if "thumbnail" not in record.done or update:
        left.append("thumbnail")
    for step in steps:
        if not step.startswith("captions:"):
            continue
        tag = step.split(":", 1)[1]
        sent = record.captions.get(tag, {})
        if step not in record.done:
            left.append(step)
        elif update and sent.get("id") and sent.get("sha256") != _caption_digest(timeline, tag):
            left.append(f"re{step}")
    if "playlist" in steps and "playlist" not in record.done:
        left.append("playlist")
    return left


def _caption_digest(timeline: Timeline, tag: str) -> str:
    """SHA-256 of a language's WebVTT as the render writes it (so a dry run, before the
    render, already sees a changed transcript)."""
    import hashlib

    from ..renderer.container import sidecars

    track = timeline.track(tag)
    text = sidecars.vtt(timeline, track.cues, tag) if track else sidecars.vtt(timeline)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Requests:
    """Builds each step's request with the real client; executing it is the caller's choice."""

    youtube: Any  # the discovery client's resource
    loaded: LoadedStoryboard
    timeline: Timeline
    files: Outputs
    body: dict
    video_id: str | None
    caption_ids: dict[str, str | None] = field(default_factory=dict)  # by language

    def metadata(self, step: str) -> dict | None:
        """The JSON resource a step sends (beside its file, for uploads)."""
        video_id = self.video_id
        if step == "insert":
            return self.body
        if step == "update":
            return {"id": video_id, **self.body}
        if step.startswith(("captions:", "recaptions:")):
            from ..languages import autonym

            tag = step.split(":", 1)[1]
            snippet = {"videoId": video_id, "language": tag, "name": autonym(tag), "isDraft": False}
            if step.startswith("re"):
                return {"id": self.caption_ids.get(tag) or "<its caption id>", "snippet": snippet}
            return {"snippet": snippet}
        if step == "playlist":
            resource = {"kind": "youtube#video", "videoId": video_id}
            return {"snippet": {"playlistId": meta.playlist(self.loaded), "resourceId": resource}}
        return None

    def build(self, step: str, media):
        """The request for a step; media(path, mimetype, resumable) makes its upload body."""
        youtube, body = self.youtube, self.metadata(step)
        if step == "insert":
            return youtube.videos().insert(
                part=meta.parts(self.body),
                body=body,
                notifySubscribers=False,
                media_body=media(self.files.mp4, "video/mp4", True),
            )
        if step == "update":
            return youtube.videos().update(part=meta.parts(self.body), body=body)
        if step == "thumbnail":
            return youtube.thumbnails().set(
                videoId=self.video_id, media_body=media(self.files.thumbnail, "image/jpeg", False)
            )
        if step.startswith(("captions:", "recaptions:")):
            vtt = _caption_file(self.files, step.split(":", 1)[1])
            method = (
                self.youtube.captions().update
                if step.startswith("re")
                else (self.youtube.captions().insert)
            )
            return method(part="snippet", body=body, media_body=media(vtt, "text/vtt", False))
        if step == "playlist":
            return youtube.playlistItems().insert(part="snippet", body=body)
        raise ValueError(step)


def _file_media(path: Path, mimetype: str, resumable: bool, chunk_size: int = CHUNK):
    from googleapiclient.http import MediaFileUpload

    class ChunksAsBytes(MediaFileUpload):
        """Each chunk sent as bytes, not as a slice of the open file: the client library's
        slice cannot rewind, so a chunk sent again after a token refresh (a 401) went out
        empty under the chunk's Content-Length, and the upload hung until its timeout."""

        def has_stream(self) -> bool:
            return False

    return ChunksAsBytes(
        str(path), mimetype=mimetype, resumable=resumable, chunksize=chunk_size if resumable else -1
    )


def _upload(requests: Requests, retry: Retry, record: Record, digest: str, chunk_size: int) -> None:
    """Upload (or resume uploading) the MP4; inserts the video exactly once."""
    size = requests.files.mp4.stat().st_size
    request = requests.build(
        "insert",
        media=lambda path, mimetype, resumable: _file_media(path, mimetype, resumable, chunk_size),
    )
    http = requests.youtube._http
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
    from googleapiclient.http import MediaInMemoryUpload

    youtube = service(AnonymousCredentials(), base)
    missing = [str(p) for p in (files.mp4, files.thumbnail, files.vtt) if not p.exists()]
    if missing:
        result.notes.append("would render first: " + ", ".join(missing) + " missing")

    def media(path: Path, mimetype: str, resumable: bool):
        if path.exists():
            return _file_media(path, mimetype, resumable)
        # Not rendered yet: a stand-in body gives the same request line.
        return MediaInMemoryUpload(b"", mimetype=mimetype, resumable=resumable)

    requests = Requests(
        youtube, loaded, timeline, files, body, record.video_id or "<the new video's id>"
    )
    planned = ["insert"] if "upload" not in record.done else []
    planned += _steps_left(record, steps, update, timeline)
    attached = {"insert": files.mp4, "thumbnail": files.thumbnail}
    attached.update({s: _caption_file(files, s.split(":", 1)[1]) for s in planned if ":" in s})
    requests.caption_ids = {t: c.get("id") for t, c in record.captions.items()}
    for step in planned:
        request = requests.build(step, media)
        text = f"{request.method} {request.uri}"
        metadata = requests.metadata(step)
        if metadata is not None:
            text += "\n" + json.dumps(metadata, indent=2, ensure_ascii=False)
        if step in attached:
            path = attached[step]
            size = path.stat().st_size if path.exists() else None
            text += f"\n(with the file {path}" + (f", {size} bytes" if size else "") + ")"
        result.requests.append(f"[{'upload' if step == 'insert' else step}] {text}")
    result.left = record.left(steps)
    result.uploads, result.units = quota.spend(planned)
    return result
