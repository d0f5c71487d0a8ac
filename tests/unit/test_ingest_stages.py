"""The pure ingest stages: batcher, decode, rows, rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from geodata.registry import ward_codes
from ingest.batcher import Batcher
from ingest.decode import RawMessage, decode
from ingest.rows import to_rows
from ingest.rules import event_candidates
from ioc.contract import CITY, Reason, Validator, encode_event, encode_telemetry
from ioc.model import EventRow, IncidentCause, ReadingRow

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_batcher_closes_on_size() -> None:
    b: Batcher[int] = Batcher(3, 1.0, FakeClock())
    assert b.add(1) is None and b.add(2) is None
    assert b.add(3) == [1, 2, 3]
    assert len(b) == 0 and b.time_left() is None


def test_batcher_closes_on_age() -> None:
    clock = FakeClock()
    b: Batcher[int] = Batcher(100, 0.2, clock)
    b.add(1)
    clock.t += 0.1
    assert b.due() is None and b.time_left() == pytest.approx(0.1)
    clock.t += 0.15
    assert b.due() == [1]
    assert b.due() is None


def test_batcher_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        Batcher(0, 1.0, FakeClock())


def raw(topic: str, payload: bytes) -> RawMessage:
    return RawMessage(topic, payload, NOW.timestamp())


def test_rows_split_good_and_bad() -> None:
    v = Validator(ward_codes())
    batch = [
        decode(
            v,
            raw(
                "tanan/v1/27694/air/aq-1/telemetry",
                encode_telemetry(NOW, {"pm25": 1, "pm10": 2}, 10.5, 106.4),
            ),
        ),
        decode(
            v,
            raw("tanan/v1/27694/reports/app/event", encode_event(NOW, "r1", "report.created", {})),
        ),
        decode(v, raw("tanan/v1/27694/air/aq-1/status", b'"online"')),
        decode(v, raw("tanan/v1/27694/air/aq-1/telemetry", b"{oops")),
    ]
    rows = to_rows(batch)
    assert len(rows.readings) == 2 and len(rows.events) == 1
    assert [d.online for d in rows.devices] == [None, True]
    assert rows.devices[0].lat == 10.5
    assert [d.reason for d in rows.dead_letters] == [Reason.MALFORMED_JSON.value]


def test_readings_are_judged_by_the_rules_file() -> None:
    """The pipeline's reading rules: the rules file's evaluator, its findings as incidents
    whose cause names the rule and step, titled by the rule's message."""
    from datetime import timedelta

    from ingest.findings import incident_changes
    from ioc.rules.evaluator import Evaluator
    from ioc.rules.loader import load_rules

    ev = Evaluator(load_rules())
    domains = {"fd-1": "water", "fd-2": "water", "tr-1": "traffic", "aq-1": "air"}
    found = []
    for minute in range(0, 12, 2):  # flood depth holds 5 min, speed 10 min
        at = NOW + timedelta(minutes=minute)
        found += ev.observe_readings([
            ReadingRow(at, "27694", "fd-1", "flood_depth_cm", 36.8),
            ReadingRow(at, "27694", "fd-2", "flood_depth_cm", 12.0),
            ReadingRow(at, "27697", "tr-1", "speed_kmh", 3.0),  # low is bad for speed
            ReadingRow(at, "27694", "aq-1", "pm25", 240.0),  # judged as the hourly VN_AQI
        ], domains)  # fmt: skip
        ev.commit()
    candidates, resolutions = incident_changes(found)
    opened = {c.dedup_key: c for c in candidates if c.opens}
    assert set(opened) == {"rule:water.flood_depth:27694", "rule:traffic.congestion:tr-1"}
    assert resolutions == []
    flood = opened["rule:water.flood_depth:27694"]
    assert (flood.severity, flood.group, flood.kind) == ("high", "flood", "water.flood_depth")
    assert flood.cause == IncidentCause(
        domain="water", kind="water.flood_depth", ward_code="27694", metric="flood_depth_cm",
        value=36.8, unit="cm", threshold=30.0, device="fd-1", rule="water.flood_depth", step=2,
    )  # fmt: skip
    # The stored title is the rule's message in Vietnamese, without the ward's name
    # (lists show the ward in a column of its own).
    assert flood.title == "Ngập đường 36,8 cm (Ngập sâu)"
    speed = opened["rule:traffic.congestion:tr-1"]
    assert (speed.severity, speed.title) == ("medium", "Tốc độ 3,0 km/h tại tr-1 (Ùn tắc)")
    updates = [c for c in candidates if not c.opens]
    assert updates == []  # the value did not change: nothing to refresh


def test_rules_for_events() -> None:
    events = [
        EventRow(
            NOW, "27694", "alerts", "cam-1", "e1", "traffic.accident", {"lat": 10.5, "lon": 106.4}
        ),
        EventRow(NOW, "27694", "security", "soc", "e2", "alert.raised", {"severity": "low"}),
        EventRow(NOW, "27694", "services", "portal", "e3", "dossier.overdue", {}),
    ]
    found = event_candidates(events)
    assert [c.kind for c in found] == ["traffic.accident"]
    assert found[0].severity == "high" and found[0].lat == 10.5
    assert found[0].group == "traffic" and found[0].cause.event_ids == ("e1",)


def test_rules_city_level_alerts_and_reports_that_only_attach() -> None:
    events = [
        EventRow(NOW, CITY, "security", "soc-city", "e2", "alert.raised",
                 {"severity": "high", "text": "Dò quét mật khẩu"}),
        EventRow(NOW, "27694", "reports", "pakn", "r1", "report.created",
                 {"category": "ngap_ung", "text": "Ngập sâu"}),
        EventRow(NOW, "27694", "reports", "pakn", "r2", "report.created", {"category": "khac"}),
    ]  # fmt: skip
    found = {c.dedup_key: c for c in event_candidates(events)}
    assert set(found) == {"event:soc-city:e2", "report:pakn:r1"}
    soc = found["event:soc-city:e2"]
    assert soc.ward_code is None and soc.cause.ward_code is None and soc.group is None
    assert soc.title == "Cảnh báo ATTT: Dò quét mật khẩu"
    report = found["report:pakn:r1"]
    assert not report.opens and report.group == "flood" and report.severity == "low"
    assert report.cause.category == "ngap_ung" and report.cause.event_ids == ("r1",)


def test_metrics_render_prometheus_text() -> None:
    from prometheus_client.parser import text_string_to_metric_families

    from ingest.metrics import render

    text = render('w"1', {"messages": 10, "dead.out_of_range": 2, "queue_depth": 3})
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    worker = ("worker", 'w"1')
    assert samples[("ioc_ingest_rejected_total", (("reason", "out_of_range"), worker))] == 2
    assert samples[("ioc_ingest_messages_total", (worker,))] == 10
    assert samples[("ioc_ingest_queue_depth", (worker,))] == 3
    assert 'worker="w\\"1"' in text  # the label value is escaped
    assert "# TYPE ioc_ingest_messages_total counter" in text
    assert "# TYPE ioc_ingest_queue_depth gauge" in text


def test_alert_resolved_names_the_raised_alert() -> None:
    from ingest.rules import event_resolutions

    ev = EventRow(NOW, "27694", "security", "soc", "e9", "alert.resolved", {"alert": "e2"})
    (res,) = event_resolutions([ev])
    assert res.dedup_key == "event:soc:e2" and res.time == NOW
