"""A test server on 127.0.0.1 that a stand-in (YouTube's, archive.org's) runs in a thread."""

from __future__ import annotations

import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Faults:
    """A stand-in's shared state: a lock, and faults queued as (request kind, fault), each
    served once to the first request of its kind."""

    def __init__(self):
        self.lock = threading.Lock()
        self.faults: deque[tuple[str, object]] = deque()

    def fault(self, kind: str):
        with self.lock:
            if self.faults and self.faults[0][0] == kind:
                return self.faults.popleft()[1]
        return None


def drop_half(handler: BaseHTTPRequestHandler) -> None:
    """The "drop" fault: read half of the request's body, then break the connection."""
    length = int(handler.headers.get("Content-Length") or 0)
    handler.rfile.read(length // 2)
    handler.close_connection = True
    handler.connection.shutdown(2)


class LocalServer:
    """Serve handler (given the shared state as `state`) on a free port of 127.0.0.1 while
    the `with` block runs."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], state):
        self.state = state
        bound = type("BoundHandler", (handler,), {"state": state})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), bound)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # A short poll: shutting down waits for the next one (0.5 s by default, most of a
        # fuzz example's time).
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
