"""A local HTTP server playing a webhook receiver, Telegram or Zalo, for the notifier's tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


# An answer: (status, JSON body, extra headers)
Answer = tuple[int, Any, dict[str, str]]


@dataclass
class Remote:
    """What the server received, and how it answers: ``answers`` first, then ``default``."""

    url: str
    received: list[Received] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    default: Answer = (200, {"ok": True}, {})
    before_answer: Callable[[Received], None] | None = None  # e.g. block to simulate a hang
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def remote_server() -> Iterator[Remote]:
    remote = Remote(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            size = int(self.headers.get("Content-Length", 0))
            got = Received(self.path, {k.lower(): v for k, v in self.headers.items()},
                           self.rfile.read(size))  # fmt: skip
            with remote.lock:
                remote.received.append(got)
                status, doc, headers = remote.answers.pop(0) if remote.answers else remote.default
            if remote.before_answer is not None:
                remote.before_answer(got)
            data = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    remote.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield remote
    finally:
        server.shutdown()
        server.server_close()
