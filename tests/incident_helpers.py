"""Incidents for tests, made through the write path (never INSERTed by hand) and moved
through their lifecycle by the store's own actions."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import psycopg

from ioc.model import BatchRows, IncidentCandidate, IncidentCause
from ioc.store.incident_actions import ActionRequest, perform
from ioc.store.writer import write_batch
from vocab.severity import Action, IncidentStatus, Severity

Conn = psycopg.Connection[Any]
_SEQ = itertools.count(1)

# The actions that take a fresh (open) incident to each status.
PATH: dict[IncidentStatus, tuple[Action, ...]] = {
    "open": (),
    "acknowledged": ("ack",),
    "dispatched": ("ack", "dispatch"),
    "resolved": ("ack", "dispatch", "resolve"),
    "closed": ("ack", "dispatch", "resolve", "close"),
}


def alarm(
    ward: str | None,
    value: float = 40.0,
    *,
    severity: Severity = "high",
    key: str | None = None,
    at: datetime | None = None,
) -> IncidentCandidate:
    """A street-flooding alarm finding (alarm level 30 cm) as the rules make it."""
    cause = IncidentCause(
        domain="water", kind="flood_depth_cm.alarm", ward_code=ward, metric="flood_depth_cm",
        value=value, unit="cm", threshold=30.0, device=f"fd-{ward}-01",
    )  # fmt: skip
    return IncidentCandidate(
        dedup_key=key or f"alarm:{ward}:water:flood_depth_cm:{next(_SEQ)}",
        ward_code=ward, domain="water", kind="flood_depth_cm.alarm", severity=severity,
        title="Ngập đường", cause=cause, group="flood", time=at or datetime.now(UTC),
    )  # fmt: skip


def security_alert(severity: Severity = "high") -> IncidentCandidate:
    """A city-level alert of the security centre."""
    n = next(_SEQ)
    cause = IncidentCause(
        domain="security", kind="alert.raised", source="soc-city", event_ids=(f"a{n}",),
        text="Dò quét mật khẩu",
    )  # fmt: skip
    return IncidentCandidate(
        dedup_key=f"event:soc-city:a{n}", ward_code=None, domain="security",
        kind="alert.raised", severity=severity, title="Cảnh báo ATTT", cause=cause,
        time=datetime.now(UTC),
    )  # fmt: skip


def open_incident(conn: Conn, candidate: IncidentCandidate) -> int:
    """Write the finding through the batch write path; the id of the incident holding it."""
    write_batch(conn, BatchRows(), incidents=[candidate])
    row = conn.execute(
        "SELECT incident_id FROM incident_causes WHERE cause_key = %s ORDER BY id DESC LIMIT 1",
        (candidate.dedup_key,),
    ).fetchone()
    assert row is not None
    return int(row[0])


def move_to(conn: Conn, incident_id: int, status: IncidentStatus, actor: str = "setup") -> None:
    """Take the incident from open to ``status`` with the actions an operator would take."""
    fields = {"dispatch": {"team": "Đội 1"}, "resolve": {"note": "đã xử lý"}}
    for action in PATH[status]:
        req = ActionRequest(action, actor, **fields.get(action, {}))  # type: ignore[arg-type]
        perform(conn, incident_id, req, lambda _ward: None)


def state(conn: Conn, incident_id: int) -> tuple[str, int, int]:
    """(status, version, log rows) of an incident: what "nothing changed" compares."""
    row = conn.execute(
        "SELECT status, version, (SELECT count(*) FROM incident_log WHERE incident_id = i.id)"
        " FROM incidents i WHERE id = %s",
        (incident_id,),
    ).fetchone()
    assert row is not None
    return str(row[0]), int(row[1]), int(row[2])
