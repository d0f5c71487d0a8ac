"""write_with_retry with scripted failures: outage, conflict, refused data, a bug, stopping.

No database: the write is a callable that fails as each test says.  What must
hold: a batch is prepared once and written until it commits; refused data is
written in parts with the offender dead-lettered; any other error propagates;
the alarm state moves on only after a commit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geodata.registry import ward_codes
from ingest.decode import Decoded, RawMessage, decode
from ingest.pipeline import Pipeline, Prepared
from ingest.retry import write_with_retry
from ioc.contract import Validator, encode_telemetry
from ioc.errors import DataRejected, ServiceUnavailable, WriteConflict
from ioc.model import WriteResult
from ioc.rules.schema import RuleSet

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
VALIDATOR = Validator(ward_codes())
POISON = 666.0  # a value the scripted database refuses


def item(i: int, pm25: float = 10.0, at: datetime = NOW) -> Decoded:
    topic = f"tanan/v1/27694/air/aq-{i}/telemetry"
    raw = RawMessage(topic, encode_telemetry(at, {"pm25": pm25}), at.timestamp(), mid=i + 1)
    return decode(VALIDATOR, raw)


class FakeStop:
    """Records each back-off instead of sleeping; set after ``after`` waits."""

    def __init__(self, after: int | None = None) -> None:
        self.waits: list[float] = []
        self.after = after

    def is_set(self) -> bool:
        return self.after is not None and len(self.waits) >= self.after

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(float(timeout or 0))
        return self.is_set()


class ScriptedWrite:
    """Raises the scripted outcomes in turn (None: no failure), then refuses poison, else commits."""

    def __init__(self, *outcomes: BaseException | None, refuse_dead: bool = False) -> None:
        self.outcomes = list(outcomes)
        self.refuse_dead = refuse_dead
        self.calls: list[Prepared] = []
        self.committed: list[Prepared] = []

    def __call__(self, prepared: Prepared) -> WriteResult:
        self.calls.append(prepared)
        if self.outcomes:
            exc = self.outcomes.pop(0)
            if exc is not None:
                raise exc
        rows = prepared.rows
        if any(r.value == POISON for r in rows.readings) or (
            self.refuse_dead and rows.dead_letters
        ):
            raise DataRejected("NumericValueOutOfRange: refused")
        self.committed.append(prepared)
        return WriteResult(
            list(rows.readings), list(rows.events), 0, 0, len(rows.dead_letters),
            len(prepared.incidents), len(prepared.resolutions),
        )  # fmt: skip

    def stored(self) -> list[str]:
        """Each committed message: a device's reading or a dead letter's topic."""
        out = [r.device_id for p in self.committed for r in p.rows.readings]
        out += [
            f"dead:{d.topic.split('/')[4]}" for p in self.committed for d in p.rows.dead_letters
        ]
        return sorted(out)


def run(
    batch: Sequence[Decoded], write: ScriptedWrite, stop: FakeStop | None = None, **kw: object
) -> tuple[WriteResult | None, Counter[str], Pipeline]:
    pipeline, counters = Pipeline(), Counter[str]()
    prepared = pipeline.prepare(batch)
    result = write_with_retry(
        prepared,
        write,
        pipeline,
        stop=stop or FakeStop(),
        counters=counters,
        **kw,  # type: ignore[arg-type]
    )
    return result, counters, pipeline


def test_an_outage_backs_off_and_writes_the_same_prepared_batch() -> None:
    write = ScriptedWrite(ServiceUnavailable("down"), ServiceUnavailable("down"))
    stop = FakeStop()
    result, counters, _ = run([item(1), item(2)], write, stop)
    assert result is not None and len(result.new_readings) == 2
    assert stop.waits == [0.5, 1.0]
    assert counters["db_errors"] == 2
    assert len(write.calls) == 3 and all(p is write.calls[0] for p in write.calls)


def test_backoff_doubles_up_to_ten_seconds() -> None:
    stop = FakeStop()
    run([item(1)], ScriptedWrite(*[ServiceUnavailable("down")] * 8), stop)
    assert stop.waits == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]


def test_a_conflict_is_retried_at_once() -> None:
    stop = FakeStop()
    result, counters, _ = run([item(1)], ScriptedWrite(WriteConflict("deadlock")), stop)
    assert result is not None
    assert stop.waits == [0.05] and counters["db_retries"] == 1 and counters["db_errors"] == 0


def test_stopping_during_an_outage_writes_nothing() -> None:
    write = ScriptedWrite(*[ServiceUnavailable("down")] * 100)
    result, _, _ = run([item(1)], write, FakeStop(after=3))
    assert result is None and write.committed == []


def test_refused_data_is_written_in_parts_and_the_offender_dead_lettered() -> None:
    batch = [item(0), item(1), item(2, POISON), item(3)]
    write = ScriptedWrite()
    result, counters, _ = run(batch, write)
    assert result is not None
    assert write.stored() == ["aq-0", "aq-1", "aq-3", "dead:aq-2"]
    (dead,) = [d for p in write.committed for d in p.rows.dead_letters]
    assert dead.reason == "store_rejected" and dead.detail.startswith("NumericValueOutOfRange")
    assert dead.payload == batch[2].raw.payload
    # The totals a single write would have reported.
    assert len(result.new_readings) == 3 and result.dead_letters == 1
    assert counters["dead.store_rejected"] == 1 and counters["dead_letters"] == 1


def test_a_dead_letter_the_database_refuses_too_stops_the_worker() -> None:
    with pytest.raises(DataRejected):
        run([item(0), item(1, POISON)], ScriptedWrite(refuse_dead=True))


def test_any_other_error_propagates_and_commits_nothing() -> None:
    write = ScriptedWrite(RuntimeError("a bug"))
    with pytest.raises(RuntimeError):
        run([item(1)], write)
    assert write.committed == []


def test_an_outage_inside_a_split_retries_that_part_alone() -> None:
    # Whole batch refused; then the first part meets an outage.
    write = ScriptedWrite(None, ServiceUnavailable("down"))
    result, counters, _ = run([item(0), item(1, POISON), item(2)], write)
    assert result is not None and counters["db_errors"] == 1
    assert write.stored() == ["aq-0", "aq-2", "dead:aq-1"]  # each once


def test_bisection_is_a_drop_in_split() -> None:
    def halves(items: Sequence[Decoded]) -> list[Sequence[Decoded]]:
        return [items[: len(items) // 2], items[len(items) // 2 :]]

    batch = [item(i, POISON if i == 5 else 10.0) for i in range(8)]
    write = ScriptedWrite()
    result, _, _ = run(batch, write, split=halves)
    assert result is not None and len(result.new_readings) == 7
    assert write.stored() == sorted([f"aq-{i}" for i in range(8) if i != 5] + ["dead:aq-5"])


# One rule that fires and clears at once, so one batch of each shows the state's commit.
PM25_RULE = RuleSet.parse({"version": 1, "rules": [{
    "id": "pm25", "name_vi": "Bụi", "name_en": "PM2.5", "source": "test",
    "scope": {"domain": "air", "metric": "pm25"}, "condition": "above",
    "steps": [{"level": 150, "severity": "high", "label_vi": "cao", "label_en": "high"}],
    "message": {"vi": "{value}", "en": "{value}"},
}]})  # fmt: skip


def test_alarm_state_moves_on_only_after_commit() -> None:
    t0 = NOW
    alarm, clear = [item(1, 200.0, t0)], [item(1, 20.0, t0 + timedelta(minutes=1))]
    # The alarm batch is never committed: the clearing batch resolves nothing.
    pipeline = Pipeline(rules=PM25_RULE)
    with pytest.raises(RuntimeError):
        write_with_retry(
            pipeline.prepare(alarm), ScriptedWrite(RuntimeError("bug")), pipeline,
            stop=FakeStop(), counters=Counter(),
        )  # fmt: skip
    assert pipeline.prepare(clear).resolutions == []
    # Committed after an outage (rules judged once, before it): now it clears.
    pipeline = Pipeline(rules=PM25_RULE)
    prepared = pipeline.prepare(alarm)
    assert [c.dedup_key for c in prepared.incidents] == ["rule:pm25:27694"]
    write = ScriptedWrite(ServiceUnavailable("down"))
    write_with_retry(prepared, write, pipeline, stop=FakeStop(), counters=Counter())
    assert [p.incidents for p in write.calls] == [prepared.incidents] * 2
    (res,) = pipeline.prepare(clear).resolutions
    assert res.dedup_key == "rule:pm25:27694"


FAILURES = st.sampled_from([None, ServiceUnavailable("down"), WriteConflict("deadlock")])


@settings(max_examples=60, deadline=None)
@given(
    poison=st.lists(st.booleans(), min_size=1, max_size=12),
    script=st.lists(FAILURES, max_size=20),
    bisect=st.booleans(),
)
def test_every_message_is_committed_exactly_once(
    poison: list[bool], script: list[BaseException | None], bisect: bool
) -> None:
    """Whatever the failures, each message is stored or dead-lettered once, never both."""

    def halves(items: Sequence[Decoded]) -> list[Sequence[Decoded]]:
        return [items[: len(items) // 2], items[len(items) // 2 :]]

    batch = [item(i, POISON if bad else 10.0) for i, bad in enumerate(poison)]
    write = ScriptedWrite(*script)
    kw = {"split": halves} if bisect else {}
    result, counters, _ = run(batch, write, **kw)
    expected = sorted(f"dead:aq-{i}" if bad else f"aq-{i}" for i, bad in enumerate(poison))
    assert write.stored() == expected
    assert result is not None
    assert len(result.new_readings) + result.dead_letters == len(batch)
    assert counters["dead.store_rejected"] == sum(poison)
