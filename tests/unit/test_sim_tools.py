"""Pure parts of the load generator and record / replay: schedules, payloads, JSON lines."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from geodata.registry import ward_codes
from ioc.contract import Reason, Rejected, Validator
from simulators.loadgen import LoadPlan, RateStep, allowed, parse_step, rate_at
from simulators.record import Line, retarget, rewrite_payload_ts


def test_parse_step_and_schedule() -> None:
    assert parse_step("4000@5") == RateStep(4000, 5)
    with pytest.raises(ValueError):
        parse_step("4000")
    steps = [RateStep(300, 2)]
    assert rate_at(1, 100, steps) == 100 and rate_at(3, 100, steps) == 300
    assert allowed(1, 100, steps) == pytest.approx(100)
    assert allowed(4, 100, steps) == pytest.approx(200 + 600)


def test_loadgen_valid_messages_pass_and_bad_ones_are_rejected() -> None:
    root = "lg/v1"
    v = Validator(ward_codes(), root)
    now = datetime.now(UTC)
    good = LoadPlan(root, 50, seed=1)
    for n in range(200):
        topic, payload, bad = good.message(n, now.timestamp())
        assert bad is None
        v.decode(topic, payload, now)
    mixed = LoadPlan(root, 50, seed=2, bad_share=0.5)
    reasons = set()
    expected = {
        "bad_json": Reason.MALFORMED_JSON,
        "out_of_range": Reason.OUT_OF_RANGE,
        "unknown_metric": Reason.UNKNOWN_METRIC,
        "not_utf8": Reason.NOT_UTF8,
        "unknown_ward": Reason.UNKNOWN_WARD,
        "non_finite": Reason.NON_FINITE,
    }
    for n in range(600):
        topic, payload, bad = mixed.message(n, now.timestamp())
        if bad is None:
            v.decode(topic, payload, now)
            continue
        with pytest.raises(Rejected) as exc:
            v.decode(topic, payload, now)
        assert exc.value.reason == expected[bad]
        reasons.add(bad)
    assert reasons == set(expected)


def test_line_round_trip_text_and_binary() -> None:
    for payload in ('{"ts": "x", "v": "Phường"}'.encode(), b"\xff\xfe\x00"):
        line = Line(1.5, "a/b", payload, 1, False)
        back = Line.from_json(line.to_json())
        assert back == line
    assert json.loads(Line(1, "t", b"\xff", 1, True).to_json())["b64"] is True


def test_rewrite_ts_and_retarget() -> None:
    p = b'{"ts": "2026-01-01T08:00:00.000+07:00", "values": {"pm25": 1}}'
    out = json.loads(rewrite_payload_ts(p, timedelta(hours=1)))
    assert out["ts"] == "2026-01-01T09:00:00.000+07:00"
    assert rewrite_payload_ts(b"not json", timedelta(hours=1)) == b"not json"
    assert retarget("tanan/v1/27694/air/aq-1/telemetry", "x/v2") == "x/v2/27694/air/aq-1/telemetry"
    assert retarget("tanan/v1/27694/air/aq-1/telemetry", None).startswith("tanan/v1/")
