"""The batch stage: collect items until a size or age threshold, with the clock injected.

Pure: the caller says what time it is, so tests drive it without sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Batcher"]

T = TypeVar("T")


class Batcher(Generic[T]):
    """Closes a batch at ``max_size`` items or ``max_age`` seconds after its first item."""

    def __init__(self, max_size: int, max_age: float, clock: Callable[[], float]) -> None:
        if max_size < 1 or max_age <= 0:
            raise ValueError("max_size must be >= 1 and max_age > 0")
        self.max_size = max_size
        self.max_age = max_age
        self._clock = clock
        self._items: list[T] = []
        self._opened_at = 0.0

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: T) -> list[T] | None:
        """Add an item; returns the closed batch when this item filled it."""
        if not self._items:
            self._opened_at = self._clock()
        self._items.append(item)
        if len(self._items) >= self.max_size:
            return self.take()
        return None

    def time_left(self) -> float | None:
        """Seconds until the open batch is due, or None when empty."""
        if not self._items:
            return None
        return max(0.0, self._opened_at + self.max_age - self._clock())

    def due(self) -> list[T] | None:
        """The open batch if its age threshold has passed."""
        left = self.time_left()
        if left is not None and left <= 0:
            return self.take()
        return None

    def take(self) -> list[T]:
        items, self._items = self._items, []
        return items
