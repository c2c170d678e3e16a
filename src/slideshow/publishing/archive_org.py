"""Publishing to the Internet Archive, through its own `internetarchive` library: an item per
compilation, with its metadata and files (the MP4, every caption file, the thumbnail, the render
manifest, the IIIF manifest when there is one), MD5-verified on upload.

A record beside the outputs (`<id>.archive-org.json`) makes it idempotent, like YouTube's:
files already there (same MD5) are skipped, an interrupted run finishes what was left, an
identifier that this archive never published is refused rather than written into, and
`--update` sends only the metadata that changed (through modify_metadata).

Credentials come from the library's own configuration (`ia configure`) or from
IA_ACCESS_KEY_ID and IA_SECRET_ACCESS_KEY.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from ..checking import Checked, check
from ..errors import SlideshowError
from ..loader import LoadedStoryboard
from ..outputs import Outputs
from ..timeline import Timeline
from .record import Ledger

IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
# For tests: talk to a stand-in of archive.org (an HTTP proxy on this machine) instead.
STANDIN = "SLIDESHOW_ARCHIVE_ORG_STANDIN"
NO_CREDENTIALS = (
    "no Internet Archive credentials: run `ia configure` (from the internetarchive package, "
    "installed with slideshow) or set IA_ACCESS_KEY_ID and IA_SECRET_ACCESS_KEY"
)


@dataclass
class ArchiveRecord(Ledger):
    """What was sent to archive.org for one compilation."""

    LOST: ClassVar[str] = "it says which item this compilation is on archive.org"
    identifier: str | None = None
    files: dict[str, str] = field(default_factory=dict)  # name: MD5 of what was uploaded
    metadata: dict | None = None  # last sent


@dataclass
class ArchiveResult:
    id: str
    identifier: str
    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"https://archive.org/details/{self.identifier}"


def identifier_of(loaded: LoadedStoryboard, timeline: Timeline) -> str:
    """`publish.archive_org.identifier`, else the collection prefix and the storyboard's id."""
    settings = _settings(loaded)
    if settings.identifier:
        return settings.identifier
    return f"{settings.prefix}{timeline.id}" if settings.prefix else timeline.id


def check_identifier(identifier: str) -> str | None:
    if not IDENTIFIER.match(identifier):
        return (
            f"the archive.org identifier {identifier!r} may hold only ASCII letters, digits, "
            "'_', '-' and '.', start with a letter or digit, and be at most 100 characters"
        )
    return None


def metadata(loaded: LoadedStoryboard, timeline: Timeline) -> dict:
    """The item's metadata, from the storyboard."""
    model, settings = loaded.model, _settings(loaded)
    data: dict = {
        "mediatype": "movies",
        "collection": settings.collection,
        "title": model.title,
        "language": _language(model.language),
    }
    if model.description:
        data["description"] = model.description.strip()
    creator = settings.creator or (model.credits[0] if model.credits else None)
    if creator:
        data["creator"] = creator
    if settings.date:
        data["date"] = settings.date
    subjects = settings.subjects or (
        model.publish.youtube.tags if model.publish and model.publish.youtube else []
    )
    if subjects:
        data["subject"] = list(subjects)
    if settings.licenseurl:
        data["licenseurl"] = settings.licenseurl
    if model.credits:
        data["credits"] = "\n".join(model.credits)
    if timeline.captions:
        data["closed_captioning"] = "yes"
    return data


def publish_archive(
    storyboard: str | Path | LoadedStoryboard | Checked,
    out: str | Path = "output",
    *,
    update: bool = False,
    dry_run: bool = False,
    tries: int = 5,
    pause: float = 2.0,
) -> ArchiveResult:
    """Publish one compilation to archive.org (rendering first what is missing)."""
    checked = check(storyboard)
    loaded, timeline = checked.valid()
    out = Path(out)
    identifier = identifier_of(loaded, timeline)
    problem = check_identifier(identifier)
    if problem:
        raise SlideshowError(f"{loaded.path}: {problem}")
    wanted = metadata(loaded, timeline)
    record = ArchiveRecord.load(Outputs.of(out, timeline.id).archive_record)
    result = ArchiveResult(timeline.id, identifier)
    if dry_run:
        result.notes.append(f"would publish as {result.url} with {json.dumps(wanted)}")
        return result
    from ..renderer import render

    render(checked, out)  # skips itself when the outputs are up to date
    files = _files(Outputs.for_timeline(out, timeline))
    session = _session()
    item = _call("reading the item", lambda: session.get_item(identifier), tries, pause)
    if item.exists and record.identifier != identifier:
        raise SlideshowError(
            f"{loaded.path}: the archive.org identifier {identifier!r} is taken (by another "
            "upload, or by this compilation with its record "
            f"{record.path.name} lost); choose another with publish.archive_org.identifier"
        )
    record.identifier = identifier
    there = {f.get("name"): f.get("md5") for f in (item.files or []) if isinstance(f, dict)}
    first = not item.exists
    for name, path in files.items():
        digest = _md5(path)
        if there.get(name) == digest:
            result.skipped.append(name)
            record.files[name] = digest
            continue
        _upload(item, path, name, wanted if first else None, tries, pause)
        first = False
        record.files[name] = digest
        if record.metadata is None:
            record.metadata = wanted
        record.save()
        result.uploaded.append(name)
    if record.metadata is None:
        record.metadata = wanted
    changed = {k: v for k, v in wanted.items() if (record.metadata or {}).get(k) != v}
    if changed and update:
        _call(
            "sending the changed metadata",
            lambda: _checked(item.modify_metadata(changed)),
            tries,
            pause,
        )
        record.metadata = wanted
        result.notes.append("sent the changed metadata: " + ", ".join(sorted(changed)))
    elif changed:
        result.notes.append("the metadata changed since it was sent: run with --update")
    record.save()
    return result


def _settings(loaded: LoadedStoryboard):
    from ..schema import ArchiveOrg

    publish = loaded.model.publish
    return publish.archive_org if publish and publish.archive_org else ArchiveOrg()


def _language(tag: str) -> str:
    """archive.org's language field takes MARC (ISO 639-2) codes."""
    from ..languages import iso639_2

    return iso639_2(tag)


def _files(outputs: Outputs) -> dict[str, Path]:
    """What goes into the item: the MP4, every caption file (each language's too), the text
    alternative, the thumbnail, the manifests."""
    files = [outputs.mp4, outputs.vtt, outputs.srt, outputs.thumbnail, outputs.manifest]
    for captions in outputs.languages:
        files += [captions.vtt, captions.srt]
    files += [p for p in (outputs.transcript_html, outputs.transcript_txt) if p is not None]
    if outputs.iiif.exists():
        files.append(outputs.iiif)
    return {path.name: path for path in files}


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _session():
    import internetarchive

    config: dict = {}
    standin = os.environ.get(STANDIN)
    if standin:
        config["general"] = {"secure": False}
    try:
        session = internetarchive.get_session(config=config)
    except ValueError as exc:  # one of the two environment variables without the other
        raise SlideshowError(f"{NO_CREDENTIALS} ({exc})") from None
    if not (session.access_key and session.secret_key):
        raise SlideshowError(NO_CREDENTIALS)
    if standin:
        session.proxies = {"http": standin}
    return session


def _upload(item, path: Path, name: str, metadata: dict | None, tries: int, pause: float):
    def send():
        response = item.upload_file(
            str(path),
            key=name,
            metadata=metadata,
            verify=True,  # Content-MD5: the server checks what it received
            retries=0,  # our own retries, below, cover dropped connections too
        )
        return _checked(response)

    _call(f"uploading {name}", send, tries, pause)


def _checked(response):
    if hasattr(response, "raise_for_status"):
        response.raise_for_status()
    return response


def _call(what: str, function, tries: int, pause: float):
    """function(), retried with backoff on 5xx answers and broken connections; every other
    failure becomes a message an archivist can act on."""
    import requests

    for attempt in range(tries):
        try:
            return function()
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else 0
            text = exc.response.text[:300] if exc.response is not None else ""
            disputed = status == 400 and "BadDigest" in text  # damaged on the way: send again
            if (status >= 500 or disputed) and attempt + 1 < tries:
                time.sleep(pause * 2**attempt * (0.5 + random.random() / 2))
                continue
            raise SlideshowError(_explain(what, status, text)) from None
        except (requests.ConnectionError, requests.Timeout, ConnectionError) as exc:
            if attempt + 1 < tries:
                time.sleep(pause * 2**attempt * (0.5 + random.random() / 2))
                continue
            raise SlideshowError(
                f"{what}: the connection to archive.org keeps failing ({exc})"
            ) from None
        except (ValueError, LookupError, TypeError, AttributeError) as exc:  # unreadable answer
            raise SlideshowError(
                f"{what}: archive.org's answer could not be understood ({exc}); try again later"
            ) from None
    raise SlideshowError(f"{what}: gave up after {tries} tries")


def _explain(what: str, status: int, text: str) -> str:
    if status in (401, 403) and ("InvalidAccessKeyId" in text or "SignatureDoesNotMatch" in text):
        return f"{what}: archive.org did not accept the credentials; " + NO_CREDENTIALS
    if status == 403:
        return (
            f"{what}: archive.org refused ({status}): the identifier may belong to another "
            "uploader; choose another with publish.archive_org.identifier"
        )
    if status == 400 and "BadDigest" in text:
        return (
            f"{what}: archive.org received the file with another checksum than was sent "
            "(BadDigest); run the same command again to send it again"
        )
    return f"{what}: archive.org answered {status}" + (f" ({text.strip()})" if text else "")
