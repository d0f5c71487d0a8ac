"""HTTP compression of the app's responses (gzip through flask-compress, Dash's ``compress``).

Wall screens load ~6 MB of JavaScript on a cold start (plotly.min.js alone is
4.8 MB, ~1.4 MB gzipped) and map figures carry the ward GeoJSON on every redraw.
Dash's bundles never change while the app runs, so each is compressed once and
kept in memory; callback answers and pages are compressed per request.
"""

from __future__ import annotations

import flask

__all__ = ["STATIC_PREFIXES", "StaticCompressCache", "configure"]

STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/")


class StaticCompressCache:
    """flask-compress cache backend that keeps only the static bundles' compressed bytes."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    @staticmethod
    def _static(key: str) -> bool:
        return any(prefix in key for prefix in STATIC_PREFIXES)

    def get(self, key: str) -> bytes | None:
        return self.data.get(key) if self._static(key) else None

    def set(self, key: str, value: bytes) -> None:
        if self._static(key):
            self.data[key] = value


def _cache_key(request: flask.Request) -> str:
    # Only GETs of static paths are stored (see StaticCompressCache); the query string
    # (Dash's ``?m=`` modification time) is part of the key so a changed asset is not stale.
    return f"{request.method} {request.full_path}"


def configure(server: flask.Flask) -> None:
    """Settings read by flask-compress when Dash (``compress=True``) installs it."""
    server.config.setdefault("COMPRESS_ALGORITHM", ["gzip"])
    server.config.setdefault("COMPRESS_LEVEL", 6)
    server.config.setdefault("COMPRESS_CACHE_BACKEND", StaticCompressCache)
    server.config.setdefault("COMPRESS_CACHE_KEY", _cache_key)
