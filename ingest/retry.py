"""Write a prepared batch until it commits, deciding by the kind of failure.

- :class:`~ioc.errors.ServiceUnavailable` (the database is down): back off
  0.5 s, doubling to 10 s, and write the same batch again;
- :class:`~ioc.errors.WriteConflict` (deadlock, serialization failure): again
  after 50 ms;
- :class:`~ioc.errors.DataRejected` (a value or constraint refused): write the
  batch in parts (:data:`Split`); a part of one message that is still refused
  goes to ``dead_letters`` as ``store_rejected`` in its place;
- anything else propagates and stops the worker.

Either the batch is committed and the result returned, or ``None`` (stopping)
or an exception: in neither case may its messages be acknowledged.  The
functions take the write as a callable, so tests script its failures.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, TypeVar

from ingest.decode import Decoded
from ingest.pipeline import Pipeline, Prepared, merge_results, store_rejected
from ioc.errors import DataRejected, ServiceUnavailable, WriteConflict
from ioc.model import WriteResult

__all__ = ["Split", "Stop", "one_by_one", "retry", "write_with_retry"]

log = logging.getLogger(__name__)

T = TypeVar("T")

OUTAGE_FIRST_S = 0.5
OUTAGE_MAX_S = 10.0
CONFLICT_S = 0.05

# How a refused batch is cut into parts.  Each part of a batch of several must be
# smaller than it (a refused part of several is split again); a refused part of
# one message is dead-lettered.  Message by message today; bisection would be
# ``lambda items: [items[: len(items) // 2], items[len(items) // 2 :]]``.
Split = Callable[[Sequence[Decoded]], Iterable[Sequence[Decoded]]]


def one_by_one(items: Sequence[Decoded]) -> list[Sequence[Decoded]]:
    return [[item] for item in items]


class Stop(Protocol):
    """A :class:`threading.Event` set when the worker stops."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


def retry(call: Callable[[], T], *, stop: Stop, counters: Counter[str], what: str) -> T | None:
    """``call()`` until it returns, through outages and conflicts; ``None`` once stopping."""
    delay = OUTAGE_FIRST_S
    while not stop.is_set():
        try:
            return call()
        except ServiceUnavailable as exc:
            counters["db_errors"] += 1
            log.warning("%s (%s); retrying in %.1fs", what, str(exc).strip()[:200], delay)
            stop.wait(delay)
            delay = min(delay * 2, OUTAGE_MAX_S)
        except WriteConflict:
            counters["db_retries"] += 1
            stop.wait(CONFLICT_S)
    return None


def write_with_retry(
    prepared: Prepared,
    write: Callable[[Prepared], WriteResult],
    pipeline: Pipeline,
    *,
    stop: Stop,
    counters: Counter[str],
    split: Split = one_by_one,
) -> WriteResult | None:
    """Write ``prepared`` (made by ``pipeline``) until committed; ``None`` when stopping first.

    After each committed write the pipeline's alarm state moves on.
    """
    what = f"batch of {len(prepared.items)} not written"
    try:
        result = retry(functools.partial(write, prepared), stop=stop, counters=counters, what=what)
    except DataRejected as exc:
        log.warning("batch refused by the database (%s); writing it in parts", exc)
        return _write_parts(prepared.items, write, pipeline, stop, counters, split)
    if result is not None:
        pipeline.committed()
    return result


def _write_parts(
    items: Sequence[Decoded],
    write: Callable[[Prepared], WriteResult],
    pipeline: Pipeline,
    stop: Stop,
    counters: Counter[str],
    split: Split,
) -> WriteResult | None:
    results = []
    for part in split(items):
        prepared = pipeline.prepare(part)
        what = f"part of {len(part)} not written"
        try:
            result = retry(
                functools.partial(write, prepared), stop=stop, counters=counters, what=what
            )
            if result is not None:
                pipeline.committed()
        except DataRejected as exc:
            if len(part) > 1:
                result = _write_parts(part, write, pipeline, stop, counters, split)
            else:
                # Refused again, on its own: keep it aside.  A dead letter the
                # database refuses too is a bug: DataRejected stops the worker.
                dead = store_rejected(part[0], str(exc))
                result = retry(
                    functools.partial(write, dead), stop=stop, counters=counters, what=what
                )
                if result is not None:
                    counters["dead.store_rejected"] += 1
                    counters["dead_letters"] += 1
        if result is None:
            return None
        results.append(result)
    return merge_results(results)
