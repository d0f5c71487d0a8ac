"""Ingest counters in the Prometheus text format, served over HTTP when a port is configured.

``render`` is pure; ``MetricsServer`` is a small stdlib HTTP server on its own
thread (``GET /metrics``), so no extra dependency is needed to scrape a worker.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["MetricsServer", "render"]

log = logging.getLogger(__name__)

_GAUGES = {"queue_depth", "subscribed", "generation"}
_HELP = {
    "received": "messages received from the broker",
    "messages": "messages processed (stored or dead-lettered)",
    "acked": "messages acknowledged after commit",
    "readings": "new reading rows",
    "events": "new event rows",
    "dead_letters": "messages rejected into dead_letters",
    "duplicate_readings": "redelivered readings skipped by the unique key",
    "db_errors": "database connection failures",
    "redis_errors": "live-state writes that failed",
}


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render(worker: str, counters: Mapping[str, int | float]) -> str:
    w = _escape(worker)
    lines: list[str] = []
    reasons = {k[len("dead.") :]: v for k, v in counters.items() if k.startswith("dead.")}
    if reasons:
        lines += ["# HELP ioc_ingest_rejected_total rejected messages by reason",
                  "# TYPE ioc_ingest_rejected_total counter"]  # fmt: skip
        for reason, v in sorted(reasons.items()):
            lines.append(
                f'ioc_ingest_rejected_total{{worker="{w}",reason="{_escape(reason)}"}} {v}'
            )
    for name, v in sorted(counters.items()):
        if name.startswith("dead."):
            continue
        gauge = name in _GAUGES
        metric = f"ioc_ingest_{name}" + ("" if gauge else "_total")
        lines.append(f"# HELP {metric} {_HELP.get(name, name.replace('_', ' '))}")
        lines.append(f"# TYPE {metric} {'gauge' if gauge else 'counter'}")
        lines.append(f'{metric}{{worker="{w}"}} {v}')
    return "\n".join(lines) + "\n"


class MetricsServer:
    def __init__(self, host: str, port: int, body: Callable[[], str]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?")[0] != "/metrics":
                    self.send_error(404)
                    return
                data = body().encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                log.debug(format, *args)

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name="ingest-metrics", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
