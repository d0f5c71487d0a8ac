"""Errors raised by the geodata package (it imports nothing from ``ioc``)."""

from __future__ import annotations

__all__ = ["BoundaryError"]


class BoundaryError(ValueError):
    """A boundary file or Overpass response cannot be used; ``str()`` says why and what to do."""
