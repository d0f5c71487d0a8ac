"""The incident store against a real database: escalation is never silent, correlation
respects ward, group and window, and every change is exactly one log row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from ingest.rules import event_candidates
from ioc.errors import Conflict, Forbidden
from ioc.model import BatchRows, EventRow
from ioc.store import incident_queries as iq
from ioc.store.incident_actions import ActionRequest, perform
from ioc.store.writer import write_batch
from tests.incident_helpers import alarm, open_incident, state

Conn = psycopg.Connection[Any]
T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=30)


def _write(db: Conn, *candidates: Any) -> None:
    write_batch(db, BatchRows(), incidents=list(candidates), correlation_window=WINDOW)


def _event(ward: str, domain: str, eid: str, type_: str, at: datetime, **attrs: Any) -> EventRow:
    return EventRow(at, ward, domain, f"src-{ward}", eid, type_, attrs)


def test_escalation_logs_the_severity_change_and_keeps_the_peak(db: Conn) -> None:
    key = "alarm:27694:water:flood_depth_cm"
    iid = open_incident(db, alarm("27694", 36.8, key=key, at=T0))
    _write(db, alarm("27694", 111.6, severity="critical", key=key, at=T0 + timedelta(minutes=5)))
    _write(db, alarm("27694", 50.0, severity="high", key=key, at=T0 + timedelta(minutes=9)))
    row = iq.incident(db, iid)
    assert row is not None
    assert (row.severity, row.current_value, row.peak_value, row.version) == (
        "critical", 50.0, 111.6, 2
    )  # fmt: skip
    log = [(e.action, e.severity_from, e.severity_to, e.version) for e in iq.incident_log(db, iid)]
    assert log == [("open", None, "high", 1), ("escalate", "high", "critical", 2)]


@pytest.mark.parametrize(
    ("ward", "minutes", "attached"),
    [("27694", 10, True), ("27694", 45, False), ("27697", 10, False)],
    ids=["same-ward-in-window", "outside-window", "other-ward"],
)
def test_a_field_alert_attaches_to_the_flood_alarm_of_its_ward_within_the_window(
    db: Conn, ward: str, minutes: int, attached: bool
) -> None:
    iid = open_incident(db, alarm("27694", 40.0, at=T0))
    alert = event_candidates(
        [_event(ward, "alerts", "f1", "flood.reported", T0 + timedelta(minutes=minutes))]
    )
    _write(db, *alert)
    causes = iq.incident_causes(db, iid)
    assert [c.kind for c in causes] == (
        ["flood_depth_cm.alarm", "flood.reported"] if attached else ["flood_depth_cm.alarm"]
    )
    opened = db.execute("SELECT count(*) FROM incidents").fetchone()
    assert opened == (1 if attached else 2,)
    if attached:
        last = iq.incident_log(db, iid)[-1]
        assert (last.action, last.version, last.data["cause_key"]) == (
            "attach",
            2,
            "event:src-27694:f1",
        )


def test_a_citizen_report_attaches_but_never_opens_and_other_groups_stay_apart(db: Conn) -> None:
    lone = event_candidates(
        [_event("27700", "reports", "r0", "report.created", T0, category="ngap_ung")]
    )
    _write(db, *lone)
    assert db.execute("SELECT count(*) FROM incidents").fetchone() == (0,)
    iid = open_incident(db, alarm("27694", 40.0, at=T0))
    events = [
        _event("27694", "reports", "r1", "report.created", T0 + timedelta(minutes=3), category="ngap_ung"),
        _event("27694", "alerts", "a1", "traffic.accident", T0 + timedelta(minutes=4)),  # traffic
    ]  # fmt: skip
    _write(db, *event_candidates(events))
    assert [c.kind for c in iq.incident_causes(db, iid)] == [
        "flood_depth_cm.alarm",
        "report.created",
    ]
    assert db.execute("SELECT count(*) FROM incidents").fetchone() == (2,)
    # The same report again (a redelivery or an update) is a refresh, not a second cause.
    _write(db, *event_candidates(events[:1]))
    assert len(iq.incident_causes(db, iid)) == 2 and state(db, iid)[1:] == (2, 2)


def test_refusals_change_nothing(db: Conn) -> None:
    iid = open_incident(db, alarm("27694", 40.0))
    before = state(db, iid)

    def refuse(_ward: str | None) -> None:
        raise Forbidden("act.err.ward")

    with pytest.raises(Forbidden):
        perform(db, iid, ActionRequest("ack", "x"), refuse)
    with pytest.raises(Conflict) as conflict:
        perform(db, iid, ActionRequest("ack", "x", version=7), lambda _w: None)
    assert conflict.value.params["actor"] == "ingest" and conflict.value.params["did"] == "open"
    assert state(db, iid) == before
