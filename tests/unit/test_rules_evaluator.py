"""The pure rule evaluator: state machine, hysteresis, hold and clear times, steps, silence.

Property tests pin the promises the operators rely on: a noisy signal around a
level opens one incident, not many; two incidents of one key are at least
``hold + clear.after`` apart; how readings are batched changes nothing.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ioc.rules.evaluator import Evaluator, FeedState, Finding, Observation
from ioc.rules.loader import load_rules
from ioc.rules.render import cause, render
from ioc.rules.schema import RuleSet

T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 08:00 in Tân An


def ruleset(**rule: Any) -> RuleSet:
    base: dict[str, Any] = {
        "id": "r",
        "name_vi": "Mực nước",
        "name_en": "Level",
        "source": "test",
        "scope": {"domain": "water", "metric": "level_m"},
        "condition": "above",
        "steps": [
            {"level": 1.0, "severity": "medium", "label_vi": "BĐ I", "label_en": "I"},
            {"level": 2.0, "severity": "high", "label_vi": "BĐ II", "label_en": "II"},
        ],
        "hold": 60,
        "clear": {"hysteresis": 0.05, "after": 600},
        "message": {"vi": "{metric} {value} {unit} tại {ward} ({step})", "en": "{value} {step}"},
    }
    base.update(rule)
    return RuleSet.parse({"version": 1, "rules": [base]})


def obs(minute: float, value: float, device: str = "wl-1", ward: str = "27694") -> Observation:
    return Observation("water", "level_m", ward, device, T0 + timedelta(minutes=minute), value)


def run(ev: Evaluator, batches: list[list[Observation]]) -> list[Finding]:
    out: list[Finding] = []
    for batch in batches:
        out += ev.observe(batch)
        ev.commit()
    return out


def changes(findings: list[Finding]) -> list[str]:
    return [f.change for f in findings if f.change != "update"]


def test_fires_after_hold_escalates_and_clears_after_clear_time() -> None:
    ev = Evaluator(ruleset())
    got = run(ev, [[obs(0, 1.2)], [obs(0.5, 1.3)], [obs(1, 1.25)], [obs(2, 2.1)], [obs(3, 2.2)],
                   [obs(4, 0.9)], [obs(10, 0.9)], [obs(14.5, 0.9)]])  # fmt: skip
    assert changes(got) == ["fire", "escalate", "clear"]
    fire, esc, clear = (f for f in got if f.change != "update")
    assert (fire.step, fire.severity, fire.time) == (1, "medium", T0 + timedelta(minutes=1))
    assert (esc.step, esc.severity, esc.level) == (2, "high", 2.0)
    assert clear.time == T0 + timedelta(minutes=14.5) and clear.peak == 2.2
    assert fire.key == "rule:r:27694"


def test_pending_that_falls_back_before_the_hold_never_fires() -> None:
    ev = Evaluator(ruleset())
    assert run(ev, [[obs(0, 1.5)], [obs(0.5, 0.5)], [obs(1.2, 1.5)], [obs(1.9, 0.8)]]) == []


def test_hysteresis_keeps_a_firing_step_until_the_value_is_past_it() -> None:
    ev = Evaluator(ruleset(hold=0, clear={"hysteresis": 0.1, "after": 0}))
    got = run(ev, [[obs(0, 1.0)], [obs(1, 0.95)], [obs(2, 0.91)], [obs(3, 0.89)]])
    assert changes(got) == ["fire", "clear"] and got[-1].time == T0 + timedelta(minutes=3)


def test_late_readings_do_not_move_the_state() -> None:
    ev = Evaluator(ruleset(hold=0, clear={"after": 0}))
    got = run(ev, [[obs(5, 1.5)], [obs(1, 0.1)], [obs(2, 0.2)]])
    assert changes(got) == ["fire"]


def test_a_ward_key_follows_its_worst_device_and_a_device_override() -> None:
    rules = ruleset(hold=0, clear={"after": 0}, overrides={"wl-2": [0.5, 0.8]})
    ev = Evaluator(rules)
    got = run(ev, [[obs(0, 0.6, "wl-2"), obs(0, 0.2, "wl-1")]])
    assert changes(got) == ["fire"] and got[0].device == "wl-2" and got[0].level == 0.5
    got = run(ev, [[obs(1, 0.1, "wl-2")], [obs(2, 0.3, "wl-1")]])
    assert changes(got) == ["clear"]  # wl-1's 0.3 is under its own level 1.0
    other = run(ev, [[obs(3, 1.5, "wl-9", ward="27697")]])
    assert [f.key for f in other] == ["rule:r:27697"]


def test_an_uncommitted_batch_is_judged_again_from_the_state_before_it() -> None:
    ev = Evaluator(ruleset(hold=0))
    first = ev.observe([obs(0, 1.5)])
    again = ev.observe([obs(0, 1.5)])  # the write failed and the batch is tried again
    assert changes(first) == changes(again) == ["fire"]
    ev.commit()
    assert changes(ev.observe([obs(1, 1.6)])) == []


def test_one_finding_per_key_and_call_with_the_newest_value() -> None:
    ev = Evaluator(ruleset(hold=0))
    got = ev.observe([obs(0, 1.2), obs(1, 2.5), obs(2, 1.4)])
    assert [(f.change, f.step, f.value, f.peak) for f in got] == [("fire", 2, 1.4, 2.5)]


def test_seeded_keys_clear_instead_of_opening_again() -> None:
    ev = Evaluator(ruleset(hold=0, clear={"after": 0}))
    ev.seed([("rule:r:27694", 2)], T0.timestamp())
    assert changes(run(ev, [[obs(0, 2.5)]])) == []
    assert changes(run(ev, [[obs(1, 0.2)]])) == ["clear"]


def test_below_rules_and_the_time_of_day_periods() -> None:
    rules = RuleSet.parse({"version": 1, "rules": [{
        "id": "noise", "name_vi": "Ồn", "name_en": "Noise", "source": "QCVN 26:2010/BTNMT",
        "scope": {"domain": "noise", "metric": "laeq_db"}, "condition": "above", "per": "device",
        "steps": [{"level": 70, "severity": "low", "label_vi": "a", "label_en": "a"}],
        "periods": [{"from": "06:00", "to": "21:00", "levels": [70]},
                    {"from": "21:00", "to": "06:00", "levels": [55]}],
        "message": {"vi": "{value}", "en": "{value}"}}]})  # fmt: skip
    ev = Evaluator(rules)
    day = T0  # 08:00 local
    night = T0 + timedelta(hours=14)  # 22:00 local
    assert ev.observe([Observation("noise", "laeq_db", "27694", "ns-1", day, 60.0)]) == []
    got = ev.observe([Observation("noise", "laeq_db", "27694", "ns-1", night, 60.0)])
    assert [(f.change, f.level, f.key) for f in got] == [("fire", 55, "rule:noise:ns-1")]
    speed = ruleset(scope={"domain": "traffic", "metric": "speed_kmh"}, condition="below",
                    hold=0, steps=[{"level": 15, "severity": "low", "label_vi": "a", "label_en": "a"},
                                   {"level": 8, "severity": "medium", "label_vi": "b", "label_en": "b"}])  # fmt: skip
    ev = Evaluator(speed)
    got = ev.observe([Observation("traffic", "speed_kmh", "27694", "tf-1", T0, 7.0)])
    assert [(f.change, f.step) for f in got] == [("fire", 2)]


def test_rise_over_a_window() -> None:
    ev = Evaluator(ruleset(condition="rise", window=3600, hold=0,
                           steps=[{"level": 0.3, "severity": "medium", "label_vi": "a", "label_en": "a"}]))  # fmt: skip
    got = run(ev, [[obs(0, 1.0)], [obs(20, 1.1)], [obs(40, 1.35)]])
    assert changes(got) == ["fire"] and abs(got[-1].value - 0.35) < 1e-9


def test_lighting_fault_share_against_the_size_learnt_at_night() -> None:
    rules = load_rules()
    ev = Evaluator(rules)

    def cabinet(hours: float, on: float, fault: float) -> list[Observation]:
        at = T0 + timedelta(hours=hours)
        return [Observation("lighting", "lamps_on", "27694", "ls-1", at, on),
                Observation("lighting", "lamps_fault", "27694", "ls-1", at, fault)]  # fmt: skip

    assert run(ev, [cabinet(0, 0, 3)]) == []  # daylight, size unknown: nothing to say
    night = [cabinet(12 + i / 6, 55, 5) for i in range(8)]  # 5 of 60 out: 8 %, under 10 %
    assert run(ev, night) == []
    day = [cabinet(24 + i / 6, 0, 20) for i in range(8)]  # 20 of 60 out in daylight: 33 %
    got = changes(run(ev, day))
    assert got == ["fire"]


def test_silence_opens_a_lost_feed_and_data_clears_it() -> None:
    ev = Evaluator(load_rules())
    now = T0 + timedelta(hours=2)
    feeds = [FeedState("aq-1", "27694", "air", (now - timedelta(minutes=51)).timestamp(), 3000),
             FeedState("aq-2", "27694", "air", (now - timedelta(minutes=10)).timestamp(), 3000),
             FeedState("covid-27694", "27694", "health", (now - timedelta(hours=12)).timestamp(),
                       864_000)]  # fmt: skip
    got = ev.silence(now, feeds)
    ev.commit()
    assert [(f.change, f.device, f.key) for f in got] == [("fire", "aq-1", "rule:feed.lost:aq-1")]
    assert render(got[0].rule, cause(got[0]), "vi") == "Mất tín hiệu aq-1 (im lặng 51 phút)"
    assert render(got[0].rule, cause(got[0]), "en") == "Signal lost: aq-1 (silent 51 min)"
    assert ev.silence(now + timedelta(minutes=1), feeds) == []  # still silent: no second one
    ev.commit()
    back = [FeedState("aq-1", "27694", "air", now.timestamp() + 120, 3000)]
    assert ev.silence(now + timedelta(minutes=3), back) == []  # clear after 5 min of data
    ev.commit()
    got = ev.silence(now + timedelta(minutes=9), back)
    assert [f.change for f in got] == ["clear"]
    lost = ev.silence(now, [FeedState("x", "27694", "air", now.timestamp(), 3000, True)])
    assert [f.change for f in lost] == ["fire"]  # a last will says offline: at once


# ---- properties -------------------------------------------------------------------------

LEVEL, HYST, HOLD, CLEAR = 1.0, 0.05, 120.0, 600.0
gaps = st.floats(min_value=1, max_value=300)


def simple() -> Evaluator:
    return Evaluator(ruleset(
        steps=[{"level": LEVEL, "severity": "high", "label_vi": "a", "label_en": "a"}],
        hold=HOLD, clear={"hysteresis": HYST, "after": CLEAR}))  # fmt: skip


def series(values: list[float], step_s: list[float]) -> list[Observation]:
    out, t = [], 0.0
    for v, dt in zip(values, step_s, strict=False):
        t += dt
        out.append(obs(t / 60, v))
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=-0.0499, max_value=0.0499), min_size=1, max_size=300),
       st.lists(gaps, min_size=300, max_size=300), st.integers(1, 50))  # fmt: skip
def test_noise_around_a_level_opens_one_incident_not_many(
    noise: list[float], dt: list[float], batch: int
) -> None:
    observations = series([LEVEL + n for n in noise], dt)
    batches = [observations[i : i + batch] for i in range(0, len(observations), batch)]
    got = changes(run(simple(), batches))
    assert got.count("fire") <= 1 and "clear" not in got


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=2.0), min_size=1, max_size=300),
       st.lists(gaps, min_size=300, max_size=300))  # fmt: skip
def test_two_incidents_of_one_key_are_hold_plus_clear_time_apart(
    values: list[float], dt: list[float]
) -> None:
    got = [f for f in run(simple(), [[o] for o in series(values, dt)]) if f.change == "fire"]
    for a, b in itertools.pairwise(got):
        assert (b.time - a.time).total_seconds() >= HOLD + CLEAR


@settings(max_examples=150, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=2.5), min_size=1, max_size=200),
       st.lists(gaps, min_size=200, max_size=200), st.integers(2, 40))  # fmt: skip
def test_batching_does_not_change_what_opens_and_clears(
    values: list[float], dt: list[float], batch: int
) -> None:
    observations = series(values, dt)
    one = changes(run(simple(), [[o] for o in observations]))
    many = changes(run(simple(), [observations[i : i + batch]
                                  for i in range(0, len(observations), batch)]))  # fmt: skip
    assert [c for c in one if c != "escalate"] == [c for c in many if c != "escalate"]
