"""An Internet Archive stand-in on 127.0.0.1 for tests, reached as an HTTP proxy: the real
`internetarchive` client talks to archive.org and s3.us.archive.org, and every request comes
here instead. It speaks enough of the S3-like upload API (PUT with x-archive-meta headers and
Content-MD5), the metadata read and write API, and the overload check, and injects faults."""

from __future__ import annotations

import hashlib
import json
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlparse

from standin import Faults, LocalServer, drop_half


class State(Faults):
    def __init__(self):
        super().__init__()
        self.items: dict[str, dict] = {}  # identifier: {"metadata": {}, "files": {name: bytes}}
        self.puts: list[str] = []  # "identifier/name" of every upload that arrived whole
        self.patches: list[list] = []
        self.keys = ("access", "secret")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: State

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: bytes = b"", kind: str = "application/json"):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data) -> None:
        self._send(status, json.dumps(data).encode())

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _item(self, identifier: str) -> dict | None:
        return self.state.items.get(identifier)

    def do_GET(self):
        url = urlparse(self.path)
        if url.netloc == "s3.us.archive.org":  # the overload check
            self._json(200, {"over_limit": 0, "detail": {}})
            return
        if url.netloc == "archive.org" and url.path.startswith("/metadata/"):
            item = self._item(url.path.split("/")[2])
            if item is None:
                self._json(200, {})
                return
            files = [
                {"name": n, "md5": hashlib.md5(b).hexdigest(), "size": str(len(b))}
                for n, b in item["files"].items()
            ]
            self._json(200, {"metadata": item["metadata"], "files": files, "created": 1})
            return
        self._json(404, {"error": f"no route {url.netloc}{url.path}"})

    def do_POST(self):
        url = urlparse(self.path)
        if url.netloc == "archive.org" and url.path.startswith("/metadata/"):
            form = parse_qs(self._body().decode())
            fault = self.state.fault("metadata")
            if fault == "503":
                self._json(503, {"success": False, "error": "busy"})
                return
            item = self._item(url.path.split("/")[2])
            if item is None or "secret" not in form.get("secret", [""])[0]:
                self._json(403, {"success": False, "error": "not allowed"})
                return
            patch = json.loads(form["-patch"][0])
            self.state.patches.append(patch)
            for change in patch:
                key = change["path"].lstrip("/")
                if change["op"] in ("add", "replace"):
                    item["metadata"][key] = change["value"]
                elif change["op"] == "remove":
                    item["metadata"].pop(key, None)
            self._json(200, {"success": True, "task_id": 1})
            return
        self._json(404, {"error": "no route"})

    def do_PUT(self):
        url = urlparse(self.path)
        if url.netloc != "s3.us.archive.org":
            self._json(404, {"error": "no route"})
            return
        identifier, _, name = url.path.lstrip("/").partition("/")
        name = unquote(name)
        if self.headers.get("Authorization") != "LOW {}:{}".format(*self.state.keys):
            self._body()
            self._send(403, b"<Error><Code>InvalidAccessKeyId</Code></Error>", "text/xml")
            return
        fault = self.state.fault("put")
        if fault == "drop":  # part of the file arrives, then the connection breaks
            drop_half(self)
            return
        body = self._body()
        if fault == "503":
            self._send(503, b"<Error><Code>SlowDown</Code></Error>", "text/xml")
            return
        declared = self.headers.get("Content-MD5")
        if fault == "md5":  # what arrived differs from what was sent
            body = body[:-1] + bytes([body[-1] ^ 1]) if body else b"x"
        if declared and declared != hashlib.md5(body).hexdigest():
            self._send(400, b"<Error><Code>BadDigest</Code></Error>", "text/xml")
            return
        with self.state.lock:
            item = self._item(identifier)
            if item is None:
                if self.headers.get("x-archive-auto-make-bucket") != "1":
                    self._send(404, b"<Error><Code>NoSuchBucket</Code></Error>", "text/xml")
                    return
                item = self.state.items[identifier] = {"metadata": {}, "files": {}}
                item["metadata"].update(_metadata(self.headers))
                item["metadata"]["uploader"] = "archivist@example.org"
            elif item["metadata"].get("uploader") != "archivist@example.org":
                self._send(403, b"<Error><Code>AccessDenied</Code></Error>", "text/xml")
                return
            item["files"][name] = body
            self.state.puts.append(f"{identifier}/{name}")
        self._send(200, b"")


def _metadata(headers) -> dict:
    """x-archive-metaNN-key: value headers (uri(...) for text beyond ASCII) back to metadata."""
    found: dict[str, list[str]] = {}
    for key, value in headers.items():
        lower = key.lower()
        if not lower.startswith("x-archive-meta"):
            continue
        name = lower.split("-", 3)[3] if lower.count("-") >= 3 else lower
        name = name.replace("--", "_")
        if value.startswith("uri(") and value.endswith(")"):
            value = unquote(value[4:-1])
        found.setdefault(name, []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in found.items()}


class ArchiveStandIn(LocalServer):
    def __init__(self):
        super().__init__(Handler, State())
