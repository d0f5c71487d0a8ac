"""Migration 005 on a deployment that already has incidents: what happened is carried over."""

from __future__ import annotations

from ioc.store import incident_queries as iq
from ioc.store.db import connect
from ioc.store.migrate import upgrade
from tests.fix_db import make_schema, remove_schema
from tests.services import FLAVOUR


def test_existing_incidents_keep_their_history_in_the_new_columns(database_url: str) -> None:
    schema = make_schema(database_url, "t_v4", target=4)
    try:
        with connect(database_url, schema, autocommit=True) as conn:
            # Rows as the code before 005 wrote them (the incident tables are not rollups).
            iid = conn.execute(
                "INSERT INTO incidents (ward_code, domain, kind, severity, status, title, detail,"
                " dedup_key, opened_at, closed_at)"
                " VALUES ('27694', 'water', 'flood_depth_cm.alarm', 'critical', 'resolved',"
                " 'Ngập đường … tại Phường 1: 36.8 cm', '{\"value\": 36.8}',"
                " 'alarm:27694:water:flood_depth_cm', now() - interval '1 hour', now())"
                " RETURNING id"
            ).fetchone()[0]  # type: ignore[index]
            conn.execute(
                "INSERT INTO incident_log (incident_id, at, actor, action, from_status, to_status)"
                " VALUES (%s, now() - interval '50 minutes', 'an', 'transition', 'open',"
                " 'acknowledged')",
                (iid,),
            )
            upgrade(conn, schema, requested=FLAVOUR)
            row = iq.incident(conn, iid)
            assert row is not None
            assert row.title.startswith("Ngập đường") and row.cause == {}  # shown as stored
            assert (row.version, row.current_value, row.peak_value) == (1, 36.8, 36.8)
            assert row.ack_s is not None and 590 <= row.ack_s <= 610
            assert row.resolve_s is not None and row.resolve_s >= 3590
            (cause,) = iq.incident_causes(conn, iid)
            assert cause.is_primary and cause.cause_key == "alarm:27694:water:flood_depth_cm"
            assert [e.action for e in iq.incident_log(conn, iid)] == ["transition"]
    finally:
        remove_schema(database_url, schema)
