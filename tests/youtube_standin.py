"""A YouTube Data API stand-in on 127.0.0.1 for tests: the resumable upload protocol
(POST -> Location, PUT with Content-Range -> 308 + Range ... 200), thumbnails, captions,
playlist items, video updates, OAuth token refresh, and faults injected on demand."""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import re
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

from standin import Faults, LocalServer, drop_half


class State(Faults):
    def __init__(self):
        super().__init__()
        self.tokens = {"good"}
        self.videos: dict[str, dict] = {}
        self.sessions: dict[str, dict] = {}
        self.inserts = 0  # resumable sessions opened for videos.insert
        self.thumbnails: list[tuple[str, bytes]] = []
        self.captions: list[tuple[dict, bytes]] = []
        self.caption_updates: list[tuple[dict, bytes]] = []
        self.playlist_items: list[dict] = []
        self.updates: list[dict] = []
        self.refreshes = 0
        self.requests: list[str] = []
        self.ids = itertools.count(1)
        # Requests that broke the protocol (a body shorter than its Content-Length): a test
        # asserts there are none.
        self.broken: list[str] = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: State

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status: int, body: dict | None = None, headers: dict | None = None):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        """The request's body; one shorter than its Content-Length is recorded as broken
        (the client would otherwise wait for its own timeout) and the connection closed."""
        length = int(self.headers.get("Content-Length") or 0)
        if not length:
            return b""
        self.connection.settimeout(2)
        try:
            return self.rfile.read(length)
        except TimeoutError:
            self.state.broken.append(f"{self.command} {self.path}: body shorter than declared")
            self.close_connection = True
            raise

    def _error(self, status: int, reason: str, message: str):
        self._send(
            status,
            {
                "error": {
                    "code": status,
                    "message": message,
                    "errors": [{"reason": reason, "message": message}],
                }
            },
        )

    def _multipart(self, body: bytes) -> tuple[dict, bytes]:
        """(the JSON part, the file) of a multipart upload."""
        head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        first, second = message.iter_parts()
        return json.loads(first.get_content()), second.get_payload(decode=True)

    def _authorised(self) -> bool:
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        if token in self.state.tokens:
            return True
        self._body()
        self._send(
            401,
            {"error": {"code": 401, "message": "Invalid Credentials", "status": "UNAUTHENTICATED"}},
        )
        return False

    def _answer(self, fault) -> bool:
        """A fault ("answer", status, body bytes, content type): whatever answer a broken
        proxy or a changed API might give, for the fuzzer."""
        if not (isinstance(fault, tuple) and fault and fault[0] == "answer"):
            return False
        _, status, body, kind = fault
        self._body()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return True

    def _api_fault(self, kind: str) -> bool:
        fault = self.state.fault(kind)
        if self._answer(fault):
            return True
        if fault == "quota":
            self._body()
            self._error(403, "quotaExceeded", "The request cannot be completed: quota exceeded.")
            return True
        if fault == "expired":
            self.state.tokens.clear()  # the access token runs out now
            self._body()
            self._send(401, {"error": {"code": 401, "message": "Invalid Credentials"}})
            return True
        if fault == "503":
            self._body()
            self._error(503, "backendError", "Backend Error")
            return True
        return False

    def do_POST(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        self.state.requests.append(f"POST {url.path}")
        if url.path == "/token":
            if self._answer(self.state.fault("token")):
                return
            form = parse_qs(self._body().decode())
            assert form["grant_type"] == ["refresh_token"]
            with self.state.lock:
                self.state.refreshes += 1
                token = f"fresh-{self.state.refreshes}"
                self.state.tokens.add(token)
            self._send(200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"})
            return
        if not self._authorised():
            return
        if url.path == "/upload/youtube/v3/videos":
            if self._api_fault("insert"):
                return
            assert query["uploadType"] == ["resumable"], query
            metadata = json.loads(self._body() or b"{}")
            with self.state.lock:
                self.state.inserts += 1
                sid = f"s{next(self.state.ids)}"
                self.state.sessions[sid] = {
                    "metadata": metadata,
                    "data": bytearray(),
                    "query": query,
                    "video": None,
                }
            host = self.headers["Host"]
            self._send(200, {}, {"Location": f"http://{host}/upload/session/{sid}"})
            return
        if url.path == "/upload/youtube/v3/thumbnails/set":
            if self._api_fault("thumbnail"):
                return
            body = self._body()
            self.state.thumbnails.append((query["videoId"][0], body))
            self._send(200, {"kind": "youtube#thumbnailSetResponse", "items": []})
            return
        if url.path == "/upload/youtube/v3/captions":
            if self._api_fault("captions"):
                return
            meta, content = self._multipart(self._body())
            self.state.captions.append((meta, content))
            self._send(200, {"id": f"caption{next(self.state.ids)}", **meta})
            return
        if url.path == "/youtube/v3/playlistItems":
            if self._api_fault("playlist"):
                return
            item = json.loads(self._body())
            self.state.playlist_items.append(item)
            self._send(200, {"id": "item1", **item})
            return
        self._send(404, {"error": {"code": 404, "message": f"no route {url.path}"}})

    def do_PUT(self):
        url = urlparse(self.path)
        self.state.requests.append(f"PUT {url.path}")
        if not self._authorised():
            return
        if url.path == "/youtube/v3/videos":
            if self._api_fault("update"):
                return
            resource = json.loads(self._body())
            self.state.updates.append(resource)
            self._send(200, resource)
            return
        if url.path == "/upload/youtube/v3/captions":  # captions.update
            if self._api_fault("recaptions"):
                return
            meta, content = self._multipart(self._body())
            self.state.caption_updates.append((meta, content))
            self._send(200, meta)
            return
        match = re.fullmatch(r"/upload/session/(\w+)", url.path)
        if not match or match[1] not in self.state.sessions:
            self._body()
            self._send(404, {"error": {"code": 404, "message": "no such upload session"}})
            return
        session = self.state.sessions[match[1]]
        content_range = self.headers.get("Content-Range", "")
        fault = self.state.fault("put")
        if fault == "drop":  # read part of the chunk, then the connection breaks
            drop_half(self)
            return
        if self._answer(fault):
            return
        if fault == "expired":
            self.state.tokens.clear()  # the access token runs out now
            self._body()
            self._send(401, {"error": {"code": 401, "message": "Invalid Credentials"}})
            return
        body = self._body()
        if fault == "503":
            self._error(503, "backendError", "Backend Error")
            return
        if fault == "400":
            self._error(400, "badRequest", "Something went wrong")
            return
        if fault == "308-no-range":  # the server lost what it had: start again from byte 0
            session["data"] = bytearray()
            self._send(308, None, {"Content-Length": "0"})
            return
        status = re.fullmatch(r"bytes \*/(\d+)", content_range)
        if status:
            self._progress(session, int(status[1]))
            return
        chunk = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+|\*)", content_range)
        assert chunk, content_range
        first, last = int(chunk[1]), int(chunk[2])
        assert first == len(session["data"]), (first, len(session["data"]))
        assert last - first + 1 == len(body)
        session["data"] += body
        total = int(chunk[3]) if chunk[3] != "*" else None
        self._progress(session, total)

    def _progress(self, session: dict, total: int | None):
        data = session["data"]
        if total is not None and len(data) == total:
            if session["video"] is None:
                vid = f"vid{next(self.state.ids)}"
                self.state.videos[vid] = {"metadata": session["metadata"], "bytes": bytes(data)}
                session["video"] = vid
            self._send(
                200, {"kind": "youtube#video", "id": session["video"], **session["metadata"]}
            )
            return
        headers = {"Range": f"bytes=0-{len(data) - 1}"} if data else {}
        self.send_response(308)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", "0")
        self.end_headers()


class StandIn(LocalServer):
    def __init__(self):
        super().__init__(Handler, State())


def write_token(path, server_url: str) -> str:
    """A signed-in user's token for the stand-in, valid for an hour; its path as text."""
    expiry = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(
        json.dumps(
            {
                "token": "good",
                "refresh_token": "refresh",
                "client_id": "client",
                "client_secret": "secret",
                "token_uri": f"{server_url}/token",
                "expiry": expiry,
                "scopes": [
                    "https://www.googleapis.com/auth/youtube.upload",
                    "https://www.googleapis.com/auth/youtube.force-ssl",
                ],
            }
        )
    )
    return str(path)
