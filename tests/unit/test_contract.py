"""The wire contract: topics, validation and encoding, without services."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geodata.registry import ward_codes
from ioc.contract import (
    CATALOGUE,
    Event,
    Reason,
    Rejected,
    Status,
    Telemetry,
    Validator,
    build_topic,
    encode_event,
    encode_telemetry,
    parse_topic,
    subscription,
)

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
V = Validator(ward_codes())


def reason(topic: str, payload: bytes) -> Reason:
    with pytest.raises(Rejected) as exc:
        V.decode(topic, payload, NOW)
    return exc.value.reason


def test_topic_round_trip() -> None:
    topic = build_topic("27694", "air", "aq-1", "telemetry")
    assert topic == "tanan/v1/27694/air/aq-1/telemetry"
    t = parse_topic(topic)
    assert (t.ward, t.domain, t.device, t.kind) == ("27694", "air", "aq-1", "telemetry")


@pytest.mark.parametrize(
    "topic",
    [
        "tanan/v2/27694/air/aq-1/telemetry",
        "tanan/v1/2769/air/aq-1/telemetry",
        "tanan/v1/27694/air/aq 1/telemetry",
        "tanan/v1/27694/air/" + "x" * 65 + "/telemetry",
        "tanan/v1/27694/air/aq-1/metrics",
        "tanan/v1/27694/air/aq-1",
    ],
)
def test_bad_topics(topic: str) -> None:
    assert reason(topic, b"{}") is Reason.BAD_TOPIC


def test_build_refuses_what_ingest_would_reject() -> None:
    with pytest.raises(Rejected):
        build_topic("27694", "air", "bad id", "telemetry")


def test_shared_subscription() -> None:
    assert subscription("tanan/v1", "ioc-ingest") == "$share/ioc-ingest/tanan/v1/#"


def test_telemetry_decodes_with_offset_to_utc() -> None:
    payload = b'{"ts": "2026-11-26T08:00:00+07:00", "values": {"pm25": 35.2, "pm10": 61}}'
    msg = V.decode("tanan/v1/27694/air/aq-1/telemetry", payload, NOW)
    assert isinstance(msg, Telemetry)
    assert msg.ts == NOW and msg.values == {"pm25": 35.2, "pm10": 61.0}
    assert not msg.ts_from_receipt


def test_missing_ts_uses_receive_time() -> None:
    msg = V.decode("tanan/v1/27694/air/aq-1/telemetry", b'{"values": {"pm25": 1}}', NOW)
    assert isinstance(msg, Telemetry) and msg.ts == NOW and msg.ts_from_receipt


def test_event_and_status() -> None:
    ev = V.decode(
        "tanan/v1/27694/services/portal/event",
        encode_event(NOW, "D-1", "dossier.received", {"channel": "online"}),
        NOW,
    )
    assert isinstance(ev, Event) and ev.event_id == "D-1" and ev.attrs == {"channel": "online"}
    st_ = V.decode("tanan/v1/27694/air/aq-1/status", b'"offline"', NOW)
    assert isinstance(st_, Status) and not st_.online


def test_time_window() -> None:
    t = "tanan/v1/27694/air/aq-1/telemetry"
    ahead = encode_telemetry(NOW + timedelta(minutes=4), {"pm25": 1})
    assert isinstance(V.decode(t, ahead, NOW), Telemetry)
    assert (
        reason(t, encode_telemetry(NOW + timedelta(minutes=6), {"pm25": 1})) is Reason.TS_IN_FUTURE
    )
    assert reason(t, encode_telemetry(NOW - timedelta(days=401), {"pm25": 1})) is Reason.TS_TOO_OLD


def test_telemetry_domain_cannot_carry_events() -> None:
    assert (
        reason("tanan/v1/27694/air/x/event", b'{"id": "1", "type": "t"}') is Reason.UNKNOWN_DOMAIN
    )
    assert (
        reason("tanan/v1/27694/services/x/telemetry", b'{"values": {"a": 1}}')
        is Reason.UNKNOWN_DOMAIN
    )


def test_catalogue_covers_design_domains() -> None:
    for dom, metrics in {
        "air": {"pm25", "pm10", "no2", "so2", "co", "o3", "temperature_c", "humidity_pct"},
        "water": {"level_m", "salinity_ppt", "rain_mm", "flood_depth_cm"},
        "traffic": {"vehicles_per_min", "speed_kmh", "occupancy_pct"},
        "lighting": {"power_kw", "lamps_on", "lamps_fault"},
        "noise": {"laeq_db"},
        "health": {
            "covid_new_cases",
            "covid_active",
            "covid_recovered",
            "covid_deaths",
            "vaccinated_dose1",
            "vaccinated_dose2",
        },
    }.items():
        assert set(CATALOGUE[dom].metrics) >= metrics
    for dom in ("services", "reports", "security", "egov"):
        assert CATALOGUE[dom].kind == "event" and CATALOGUE[dom].events
    for d in CATALOGUE.values():
        for m in d.metrics.values():
            assert m.min < m.max and m.label_vi and m.label_en and m.unit


def test_metric_state_levels() -> None:
    pm25 = CATALOGUE["air"].metrics["pm25"]
    assert [pm25.state(v) for v in (10, 60, 200)] == ["ok", "warning", "alarm"]
    speed = CATALOGUE["traffic"].metrics["speed_kmh"]
    assert [speed.state(v) for v in (40, 12, 5)] == ["ok", "warning", "alarm"]


def test_encode_refuses_naive_time_and_nan() -> None:
    with pytest.raises(ValueError):
        encode_telemetry(datetime(2026, 1, 1), {"pm25": 1})
    with pytest.raises(ValueError):
        encode_telemetry(NOW, {"pm25": float("nan")})


@given(st.binary(max_size=300))
def test_any_bytes_decode_or_reject_cleanly(payload: bytes) -> None:
    try:
        V.decode("tanan/v1/27694/air/aq-1/telemetry", payload, NOW)
    except Rejected as exc:
        assert exc.reason in Reason


@given(
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
        lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=6), c, max_size=4),
        max_leaves=12,
    )
)
def test_any_json_decodes_or_rejects_cleanly(doc: object) -> None:
    payload = json.dumps({"values": doc}).encode()
    try:
        msg = V.decode("tanan/v1/27694/air/aq-1/telemetry", payload, NOW)
    except Rejected:
        return
    assert isinstance(msg, Telemetry)
    for name, value in msg.values.items():
        assert CATALOGUE["air"].metrics[name].in_range(value)


def test_contract_docs_are_current() -> None:
    from pathlib import Path

    from ioc.contract.docs import render_markdown

    doc = Path(__file__).resolve().parents[2] / "docs" / "contract.md"
    assert doc.read_text(encoding="utf-8") == render_markdown(), (
        "docs/contract.md is stale: run `ioc contract docs > docs/contract.md`"
    )


EVENT_TOPIC = "tanan/v1/27694/reports/app/event"


def _event(**fields: object) -> bytes:
    doc = {"id": "r-1", "type": "report.created", "attrs": {"text": "Rác tồn đọng"}, **fields}
    return json.dumps(doc, ensure_ascii=False).encode()


@pytest.mark.parametrize(
    "payload",
    [
        _event(id="r\u00001"),
        _event(id="r-1\u202e"),
        _event(type="report.created\u0000"),
        _event(attrs={"text": "rác\u0000"}),
        _event(attrs={"text": "a\u001bb"}),
        _event(attrs={"nested": {"list": ["ok", "bell\u0007"]}}),
        _event(attrs={"ke\u0000y": "v"}),
        _event(attrs={"text": "c1 control \u0085"}),
    ],
)
def test_control_characters_are_bad_shape(payload: bytes) -> None:
    """Finding 4: a NUL passed the validator and PostgreSQL refused the whole batch."""
    assert reason(EVENT_TOPIC, payload) is Reason.BAD_SHAPE


def test_text_keeps_line_breaks_and_bidi_is_left_to_display() -> None:
    msg = V.decode(EVENT_TOPIC, _event(attrs={"text": "hai\ndòng\tvà \u202eđảo"}), NOW)
    assert isinstance(msg, Event) and msg.attrs["text"] == "hai\ndòng\tvà \u202eđảo"


@given(st.text(min_size=1, max_size=20))
def test_control_rule_on_any_text(text: str) -> None:
    bad = any((ord(c) < 0x20 and c not in "\t\n\r") or 0x7F <= ord(c) <= 0x9F for c in text)
    try:
        V.decode(EVENT_TOPIC, _event(attrs={"text": text}), NOW)
    except Rejected as exc:
        assert bad and exc.reason is Reason.BAD_SHAPE, exc
    else:
        assert not bad


def test_negative_zero_is_zero() -> None:
    """Finding 12: -1e-400 passed as -0.0."""
    msg = V.decode("tanan/v1/27694/air/aq-1/telemetry", b'{"values": {"pm25": -1e-400}}', NOW)
    assert isinstance(msg, Telemetry)
    assert str(msg.values["pm25"]) == "0.0"


def test_lone_surrogate_is_bad_shape() -> None:
    assert reason(
        EVENT_TOPIC, b'{"id": "r", "type": "report.created", "attrs": {"t": "\\ud800"}}'
    ) is (Reason.BAD_SHAPE)
