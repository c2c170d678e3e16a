"""The YouTube Data API through google-api-python-client, with retries and resumable uploads.

SLIDESHOW_YOUTUBE_ENDPOINT (e.g. http://127.0.0.1:8080) sends every API, upload and token
request to another server: a stand-in for tests, or a proxy. Plain http is refused for
anything but this machine.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import random
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from ..errors import SlideshowError

RETRY_STATUS = {429, 500, 502, 503, 504}
QUOTA_REASONS = {"quotaExceeded", "uploadLimitExceeded", "dailyLimitExceeded", "rateLimitExceeded"}
CHUNK = 8 * 1024 * 1024  # resumable upload chunk: a multiple of 256 KiB, as the API requires


class QuotaExhausted(SlideshowError):
    """YouTube's daily quota or upload limit is reached: stop, and continue another day."""


class PublishError(SlideshowError):
    pass


def endpoint() -> str | None:
    """The stand-in server from SLIDESHOW_YOUTUBE_ENDPOINT, checked; None for Google's."""
    value = os.environ.get("SLIDESHOW_YOUTUBE_ENDPOINT")
    if not value:
        return None
    url = urlparse(value)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise SlideshowError(f"SLIDESHOW_YOUTUBE_ENDPOINT={value!r} is not an http(s) address")
    if url.scheme == "http" and not _loopback(url.hostname):
        raise SlideshowError(
            f"SLIDESHOW_YOUTUBE_ENDPOINT={value!r}: plain http is allowed only for this "
            "machine (127.0.0.1, localhost, ::1); use https"
        )
    return value.rstrip("/")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def discovery_document(base: str | None) -> dict:
    """The YouTube v3 discovery document shipped in google-api-python-client, pointed at base."""
    import googleapiclient

    path = (
        Path(googleapiclient.__file__).parent / "discovery_cache" / "documents" / "youtube.v3.json"
    )
    doc = json.loads(path.read_text(encoding="utf-8"))
    if base:
        doc["rootUrl"] = base + "/"
        doc["baseUrl"] = base + "/"
        doc["mtlsRootUrl"] = base + "/"
    return doc


def service(creds, base: str | None):
    """A googleapiclient Resource for YouTube; no network is used to build it."""
    import google_auth_httplib2
    from googleapiclient.discovery import build_from_document
    from googleapiclient.http import build_http

    # build_http: an httplib2 client that does not mistake the upload protocol's 308 for a
    # redirect.
    http = google_auth_httplib2.AuthorizedHttp(creds, http=build_http())
    return build_from_document(discovery_document(base), http=http)


@dataclass
class Retry:
    """Exponential backoff with jitter for 5xx, 429 and dropped connections."""

    tries: int = 8
    base: float = 1.0
    cap: float = 64.0

    def wait(self, attempt: int) -> None:
        delay = min(self.cap, self.base * 2**attempt)
        time.sleep(delay * (0.5 + random.random() / 2))

    def call(self, what: str, function):
        from googleapiclient.errors import HttpError

        for attempt in range(self.tries):
            try:
                return function()
            except HttpError as exc:
                status = exc.resp.status if exc.resp is not None else 0
                reason = _reason(exc)
                if reason in QUOTA_REASONS and reason != "rateLimitExceeded":
                    raise QuotaExhausted(
                        f"YouTube's {'upload limit' if 'upload' in reason else 'daily quota'} "
                        f"is used up ({reason})"
                    ) from None
                retryable = status in RETRY_STATUS or reason == "rateLimitExceeded"
                if retryable and attempt + 1 < self.tries:
                    self.wait(attempt)
                    continue
                raise PublishError(_explain(what, status, reason, exc)) from None
            except TRANSIENT as exc:
                if attempt + 1 < self.tries:
                    self.wait(attempt)
                    continue
                raise PublishError(
                    f"{what}: the connection to YouTube keeps failing ({exc})"
                ) from None
            except REFRESH_ERRORS as exc:
                from .auth import SIGN_IN_AGAIN

                raise PublishError(
                    f"YouTube sign-in has expired or was revoked ({exc}); " + SIGN_IN_AGAIN
                ) from None
            except (AttributeError, TypeError, LookupError, ValueError) as exc:
                # Google's client libraries fail this way on an answer that is not what they
                # expect (a proxy's error page, an empty or `null` body): not our bug to log,
                # but an answer to report.
                raise PublishError(
                    f"{what}: YouTube's answer could not be understood "
                    f"({type(exc).__name__}: {exc}); try again later"
                ) from None
        raise PublishError(f"{what}: gave up after {self.tries} tries")


def _transient():
    import httplib2

    return (
        httplib2.HttpLib2Error,
        ConnectionError,
        socket.timeout,
        TimeoutError,
        http.client.HTTPException,
    )


def _refresh_errors():
    from google.auth.exceptions import RefreshError, TransportError

    return (RefreshError, TransportError)


TRANSIENT = _transient()
REFRESH_ERRORS = _refresh_errors()


def _reason(exc) -> str:
    try:
        data = json.loads(exc.content.decode("utf-8"))
        errors = data.get("error", {}).get("errors") or []
        return errors[0].get("reason", "") if errors else data.get("error", {}).get("status", "")
    except (ValueError, AttributeError, IndexError, TypeError):
        return ""


def _explain(what: str, status: int, reason: str, exc) -> str:
    if status == 401:
        from .auth import SIGN_IN_AGAIN

        return f"{what}: YouTube did not accept the sign-in; " + SIGN_IN_AGAIN
    if status == 403 and reason in ("forbidden", "insufficientPermissions"):
        return (
            f"{what}: this account may not do that ({reason}); sign in with the account "
            "that owns the channel and the playlist"
        )
    detail = getattr(exc, "reason", "") or reason or "error"
    return f"{what}: YouTube answered {status} ({detail})"


def upload_status(http, session_uri: str, size: int) -> int | dict | None:
    """Ask an upload session how far it got: bytes confirmed, the finished video resource,
    or None when the session is gone (expired or unknown)."""
    response, content = http.request(
        session_uri,
        method="PUT",
        body=b"",
        headers={"Content-Range": f"bytes */{size}", "Content-Length": "0"},
    )
    if response.status in (200, 201):
        return json.loads(content.decode("utf-8"))
    if response.status == 308:
        confirmed = response.get("range")
        return int(confirmed.rsplit("-", 1)[1]) + 1 if confirmed else 0
    if response.status in (404, 410):
        return None
    raise PublishError(f"the upload session answered {response.status} to a status query")
