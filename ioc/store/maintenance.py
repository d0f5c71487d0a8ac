"""Retention and compression on both flavours, as the settings say (``Settings.policies``).

- Plain PostgreSQL does its own housekeeping when ``ioc db maintain`` runs:
  it drops the weekly partitions of ``readings`` / ``events`` past retention
  and deletes rollup rows past theirs.  It has no compression.
- TimescaleDB does it in background jobs: :func:`apply_policies` makes the
  retention and columnstore (compression) policies of the four hypertables
  match the settings (``ioc db upgrade`` and ``ioc db maintain`` call it), and
  ``ioc db maintain`` reports how those jobs are doing.

On both, ``event_keys`` (the idempotence keys of events, not a hypertable) is
trimmed here: an event older than retention is rejected at the door anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import psycopg
from psycopg import sql

from ioc.errors import StoreError
from ioc.model import Policies
from ioc.store.migrate import SCHEMA_LOCK, Flavour, flavour

__all__ = [
    "JobState",
    "Maintenance",
    "apply_policies",
    "desired_policies",
    "job_states",
    "maintain",
]

Kind = Literal["retention", "columnstore"]
_PROC: dict[str, Kind] = {"policy_retention": "retention", "policy_compression": "columnstore"}
_CONFIG_KEY: dict[Kind, str] = {"retention": "drop_after", "columnstore": "compress_after"}
HYPERTABLES = ("readings", "events", "readings_1m", "readings_1h")


@dataclass(frozen=True, slots=True)
class JobState:
    """One TimescaleDB policy job of this schema, from ``timescaledb_information``."""

    job_id: int
    table: str
    kind: Kind
    after: timedelta | None
    next_start: datetime | None
    last_status: str | None  # Success / Failed / None (never ran)
    failures: int


@dataclass
class Maintenance:
    """What ``maintain`` did and found; ``lines()`` is what ``ioc db maintain`` prints."""

    flavour: Flavour
    dropped_partitions: int = 0
    deleted_rollups: int = 0
    deleted_event_keys: int = 0
    changed: list[str] = field(default_factory=list)
    jobs: list[JobState] = field(default_factory=list)

    @property
    def failing(self) -> list[JobState]:
        return [j for j in self.jobs if j.last_status == "Failed"]

    def lines(self) -> list[str]:
        out = [f"flavour: {self.flavour}"]
        if self.flavour == "plain":
            out.append(
                f"dropped {self.dropped_partitions} partitions and "
                f"{self.deleted_rollups} rollup rows past retention"
            )
            out.append(
                "no compression on plain PostgreSQL "
                "(IOC_DB_COMPRESS_AFTER_DAYS applies to TimescaleDB)"
            )
        else:
            out += [f"policy changed: {c}" for c in self.changed] or ["policies match the settings"]
            out.append("retention and compression run as TimescaleDB background jobs:")
            for j in self.jobs:
                nxt = j.next_start.isoformat(timespec="minutes") if j.next_start else "-"
                out.append(
                    f"  job {j.job_id}: {j.table} {j.kind} after {_days(j.after)}, "
                    f"last run {j.last_status or 'never'}, {j.failures} failures, next {nxt}"
                )
        out.append(f"deleted {self.deleted_event_keys} event keys past retention")
        return out


def _days(delta: timedelta | None) -> str:
    if delta is None:
        return "?"
    return f"{delta.days} days" if delta == timedelta(days=delta.days) else str(delta)


def desired_policies(policies: Policies) -> dict[tuple[str, Kind], timedelta]:
    """The policy each hypertable should have on TimescaleDB."""
    return {
        ("readings", "retention"): policies.raw,
        ("events", "retention"): policies.raw,
        ("readings_1h", "retention"): policies.raw,
        ("readings_1m", "retention"): policies.minute_rollups,
        **{(t, "columnstore"): policies.compress_after for t in HYPERTABLES},
    }


def job_states(conn: psycopg.Connection[Any]) -> list[JobState]:
    """The retention and columnstore jobs of the connection's schema (TimescaleDB)."""
    rows = conn.execute(
        """
        SELECT j.job_id, j.hypertable_name, j.proc_name,
               coalesce(j.config->>'drop_after', j.config->>'compress_after')::interval,
               s.next_start, s.last_run_status, coalesce(s.total_failures, 0)
        FROM timescaledb_information.jobs j
        LEFT JOIN timescaledb_information.job_stats s USING (job_id)
        WHERE j.hypertable_schema = current_schema()
          AND j.proc_name IN ('policy_retention', 'policy_compression')
        ORDER BY j.hypertable_name, j.proc_name
        """
    ).fetchall()
    return [JobState(r[0], r[1], _PROC[r[2]], r[3], r[4], r[5], int(r[6])) for r in rows]


def apply_policies(conn: psycopg.Connection[Any], policies: Policies) -> list[str]:
    """Make the TimescaleDB policies match ``policies``; the changes made (none on plain).

    A policy whose interval differs is replaced (remove, then add) in one
    transaction, under the lock migrations take, so two processes applying
    settings at once do not add a policy twice.
    """
    if flavour(conn) != "timescale":
        return []
    changes: list[str] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        have = {(j.table, j.kind): j.after for j in job_states(conn)}
        for (table, kind), after in desired_policies(policies).items():
            current = have.get((table, kind))
            if current == after:
                continue
            _replace_policy(conn, table, kind, after)
            changes.append(f"{table} {kind} after {_days(current)} -> {_days(after)}")
    return changes


def _replace_policy(
    conn: psycopg.Connection[Any], table: str, kind: Kind, after: timedelta
) -> None:
    rel, interval = sql.Literal(table), sql.Literal(after)
    if kind == "retention":
        conn.execute(sql.SQL("SELECT remove_retention_policy({}, if_exists => true)").format(rel))
        conn.execute(
            sql.SQL("SELECT add_retention_policy({}, drop_after => {})").format(rel, interval)
        )
    else:
        # Procedures since TimescaleDB 2.18 (add_compression_policy before).
        conn.execute(sql.SQL("CALL remove_columnstore_policy({}, if_exists => true)").format(rel))
        conn.execute(sql.SQL("CALL add_columnstore_policy({}, after => {})").format(rel, interval))


def maintain(
    conn: psycopg.Connection[Any], policies: Policies, now: datetime | None = None
) -> Maintenance:
    """Apply retention (and on TimescaleDB the policies) now; what was done and found."""
    flav = flavour(conn)
    if flav is None:
        raise StoreError("the schema has no migrations: run 'ioc db upgrade'")
    now = now or datetime.now(UTC)
    raw_cutoff = now - policies.raw
    done = Maintenance(flav)
    if flav == "plain":
        for table in ("readings", "events"):
            row = conn.execute(
                "SELECT drop_partitions_before(%s::regclass, %s)", (table, raw_cutoff)
            ).fetchone()
            done.dropped_partitions += int(row[0]) if row else 0
        for table, cutoff in (
            ("readings_1h", raw_cutoff),
            ("readings_1m", now - policies.minute_rollups),
        ):
            cur = conn.execute(
                sql.SQL("DELETE FROM {} WHERE bucket < %s").format(sql.Identifier(table)),
                (cutoff,),
            )
            done.deleted_rollups += cur.rowcount
    else:
        done.changed = apply_policies(conn, policies)
        done.jobs = job_states(conn)
    cur = conn.execute("DELETE FROM event_keys WHERE time < %s", (raw_cutoff,))
    done.deleted_event_keys = cur.rowcount
    return done
