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

The write path is the same on both flavours (:func:`~ioc.store.writer.write_batch`
makes plain PostgreSQL's weekly partitions through the schema's own function and
folds the rollups in the insert statement); :meth:`IngestStore.open` refuses a
schema that is not fully migrated.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import psycopg

from ioc.errors import DataRejected, ServiceUnavailable, WriteConflict
from ioc.model import BatchRows, IncidentCandidate, Resolution, WriteResult
from ioc.store.db import connect
from ioc.store.feeds import active_rule_incidents
from ioc.store.migrate import require_current
from ioc.store.wards import known_ward_codes, load_boundaries
from ioc.store.writer import write_batch

__all__ = ["IngestStore", "StoreSetup"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StoreSetup:
    """What the worker learns from the database when it connects."""

    flavour: str  # "plain" or "timescale"
    ward_codes: frozenset[str]  # the wards table (empty before the registry is seeded)
    boundaries: list[dict[str, Any]] = field(default_factory=list)  # rows for ward_features()
    # The rules' incidents still active (dedup key, step): the rules continue them.
    active_rules: list[tuple[str, int]] = field(default_factory=list)


class IngestStore:
    """One connection to the schema, opened by :meth:`open` and again after an outage."""

    def __init__(
        self, dsn: str, schema: str = "public", *, correlation_window: timedelta | None = None
    ) -> None:
        self._dsn, self._schema = dsn, schema
        self._correlation_window = correlation_window
        self._conn: psycopg.Connection[Any] | None = None

    @property
    def is_open(self) -> bool:
        return self._conn is not None and not self._conn.closed

    def open(self) -> StoreSetup:
        """Connect (closing any previous connection) and read what the worker needs."""
        self.close()
        with self._translated():
            conn = connect(self._dsn, self._schema)
            try:
                setup = StoreSetup(
                    require_current(conn),
                    known_ward_codes(conn),
                    load_boundaries(conn),
                    [(a.dedup_key, a.step) for a in active_rule_incidents(conn)],
                )
                conn.rollback()
            except BaseException:
                conn.close()
                raise
        self._conn = conn
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
            return write_batch(
                conn,
                rows,
                incidents=incidents,
                resolutions=resolutions,
                correlation_window=self._correlation_window,
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
