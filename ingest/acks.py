"""Acknowledge a committed batch's messages at the broker, counting the stale ones.

Called only after the batch's transaction has committed.  A message that came
on an earlier connection cannot be acknowledged (its packet id now means
something else): the broker redelivers it and the unique keys absorb it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Protocol

from ingest.decode import Decoded

__all__ = ["Acker", "ack_batch"]


class Acker(Protocol):
    def ack(self, mid: int, generation: int) -> bool: ...


def ack_batch(consumer: Acker, batch: Sequence[Decoded], counters: Counter[str]) -> None:
    for item in batch:
        if item.raw.qos == 0:
            continue  # QoS 0 has nothing to acknowledge
        if consumer.ack(item.raw.mid, item.raw.generation):
            counters["acked"] += 1
        else:
            counters["ack_stale"] += 1
