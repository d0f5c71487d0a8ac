"""The ingest worker's database adapter: one connection, the schema's flavour, partitions, batch writes.

:class:`IngestStore` wraps :func:`~ioc.store.writer.write_batch` so that the
worker sees the project's errors, never psycopg's:

- :class:`~ioc.errors.ServiceUnavailable`: the server cannot be reached; the
  connection is dropped and :meth:`IngestStore.open` makes a new one;
- :class:`~ioc.errors.WriteConflict`: a deadlock or serialization failure
  rolled the transaction back; the connection stays usable;
- :class:`~ioc.errors.DataRejected`: a value or constraint was refused; the
  transaction was rolled back and the connection stays usable;
- anything else (a bug, a schema that is not what the code expects) is raised
  as it is.

On the plain flavour each write first creates the weekly partitions its rows
fall in (remembered per connection) and folds the rollups in the same statement.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from ioc.errors import DataRejected, ServiceUnavailable, StoreError, WriteConflict
from ioc.model import BatchRows, IncidentCandidate, Resolution, WriteResult
from ioc.store.db import connect
from ioc.store.migrate import flavour
from ioc.store.wards import known_ward_codes, load_boundaries
from ioc.store.writer import ensure_partitions, write_batch

__all__ = ["IngestStore", "StoreSetup", "week_starts"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StoreSetup:
    """What the worker learns from the database when it connects."""

    flavour: str  # "plain" or "timescale"
    ward_codes: frozenset[str]  # the wards table (empty before the registry is seeded)
    boundaries: list[dict[str, Any]] = field(default_factory=list)  # rows for ward_features()


def week_starts(rows: BatchRows) -> list[datetime]:
    """The distinct Monday-00:00-UTC weeks that the batch's rows fall in."""
    weeks: set[datetime] = set()
    for ts in [r.time for r in rows.readings] + [e.time for e in rows.events]:
        day = ts.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        weeks.add(day - timedelta(days=day.weekday()))
    return sorted(weeks)


class IngestStore:
    """One connection to the schema, opened by :meth:`open` and again after an outage."""

    def __init__(self, dsn: str, schema: str = "public") -> None:
        self._dsn, self._schema = dsn, schema
        self._conn: psycopg.Connection[Any] | None = None
        self._plain = True
        self._weeks_ready: set[datetime] = set()

    @property
    def is_open(self) -> bool:
        return self._conn is not None and not self._conn.closed

    def open(self) -> StoreSetup:
        """Connect (closing any previous connection) and read what the worker needs."""
        self.close()
        with self._translated():
            conn = connect(self._dsn, self._schema)
            try:
                flav = flavour(conn)
                if flav is None:
                    raise StoreError("the schema has no migrations: run 'ioc db upgrade'")
                setup = StoreSetup(flav, known_ward_codes(conn), load_boundaries(conn))
                conn.rollback()
            except BaseException:
                conn.close()
                raise
        self._conn, self._plain = conn, setup.flavour == "plain"
        self._weeks_ready.clear()
        return setup

    def write(
        self,
        rows: BatchRows,
        *,
        incidents: Sequence[IncidentCandidate] = (),
        resolutions: Sequence[Resolution] = (),
    ) -> WriteResult:
        """Write one batch in one transaction (see :func:`~ioc.store.writer.write_batch`)."""
        if self._conn is None or self._conn.closed:
            raise ServiceUnavailable("PostgreSQL: not connected")
        conn = self._conn
        with self._translated():
            if self._plain:
                weeks = [w for w in week_starts(rows) if w not in self._weeks_ready]
                ensure_partitions(conn, weeks)
                self._weeks_ready.update(weeks)
            return write_batch(
                conn, rows, rollups=self._plain, incidents=incidents, resolutions=resolutions
            )

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                log.debug("closing a broken connection failed", exc_info=True)

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure) as exc:
            raise WriteConflict(_describe(exc)) from exc
        except psycopg.OperationalError as exc:  # after the two above: they are operational too
            self.close()
            raise ServiceUnavailable(f"PostgreSQL: {str(exc).strip()}") from exc
        except (psycopg.DataError, psycopg.IntegrityError) as exc:
            raise DataRejected(_describe(exc)) from exc


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
