"""Every reading counts once in ``readings_1m`` and ``readings_1h``, whenever it arrives.

Runs on both flavours.  On TimescaleDB the rollups used to be continuous
aggregates refreshed over a recent window only, and lost 38-69 % of the
readings that arrived late or before the first refresh; now the write path
folds the new rows of each insert into both rollups, on both flavours.

- Through the ingest path (broker -> worker -> database): readings 5 hours,
  3 days and 30 days old arrive after newer ones, then a day of readings is
  published twice (a replay).
- Through the write path, as a property: any readings, in any order, split
  into any batches, with any redeliveries.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ioc.config import Settings
from ioc.contract import build_topic, encode_telemetry
from ioc.model import BatchRows, ReadingRow
from ioc.store.writer import write_batch
from tests.ingest_helpers import count, publish_all, running_ingest, wait_for

Key = tuple[str, str, datetime]  # ward, metric, bucket
Agg = tuple[int, float, float, float]  # count, sum, min, max


def _buckets(readings: Iterable[tuple[str, str, datetime, float]], unit: str) -> dict[Key, Agg]:
    groups: dict[Key, list[float]] = defaultdict(list)
    for ward, metric, ts, value in readings:
        ts = ts.astimezone(UTC).replace(second=0, microsecond=0)
        groups[(ward, metric, ts.replace(minute=0) if unit == "hour" else ts)].append(value)
    return {k: (len(v), sum(v), min(v), max(v)) for k, v in groups.items()}


def _rollup(db: psycopg.Connection[Any], table: str, where: str = "true") -> dict[Key, Agg]:
    rows = db.execute(
        f"SELECT ward_code, metric, bucket, count, sum, min, max FROM {table} WHERE {where}"
    ).fetchall()
    return {(w, m, b): (int(c), s, lo, hi) for w, m, b, c, s, lo, hi in rows}


def _raw(db: psycopg.Connection[Any], unit: str, where: str = "true") -> dict[Key, Agg]:
    rows = db.execute(
        f"SELECT ward_code, metric, date_trunc('{unit}', time, 'UTC'), "
        f"count(*), sum(value), min(value), max(value) FROM readings WHERE {where} GROUP BY 1, 2, 3"
    ).fetchall()
    return {(w, m, b): (int(c), s, lo, hi) for w, m, b, c, s, lo, hi in rows}


def test_late_and_replayed_readings_count_once_through_ingest(
    settings: Settings, db: psycopg.Connection[Any]
) -> None:
    root = settings.topic_root
    now = datetime.now(UTC).replace(microsecond=0)
    published: dict[tuple[str, str, datetime], tuple[str, float]] = {}  # (device, metric, ts)

    def messages(ward: str, device: str, times: Iterable[datetime]) -> list[tuple[str, bytes]]:
        out = []
        for i, ts in enumerate(times):
            values = {"pm25": float(10 + (i * 7) % 90), "pm10": float(20 + (i * 11) % 150)}
            for metric, value in values.items():
                published[(device, metric, ts)] = (ward, value)
            out.append(
                (build_topic(ward, "air", device, "telemetry", root), encode_telemetry(ts, values))
            )
        return out

    wards = ["27694", "27688", "27697"]
    fresh = [
        m
        for k, ward in enumerate(wards)
        for m in messages(ward, f"aq-new-{k}", (now - timedelta(seconds=30 * i) for i in range(40)))
    ]
    late = [
        m
        for age in (timedelta(hours=5), timedelta(days=3), timedelta(days=30))
        for k, ward in enumerate(wards)
        for m in messages(
            ward, f"aq-late-{k}", (now - age + timedelta(seconds=20 * i) for i in range(9))
        )
    ]
    day_start = (now - timedelta(days=2)).replace(hour=0, minute=0, second=0)
    day = [
        m
        for k, ward in enumerate(wards[:2])
        for m in messages(
            ward, f"aq-day-{k}", (day_start + timedelta(minutes=10 * i) for i in range(144))
        )
    ]
    sent = len(fresh) + len(late) + 2 * len(day)
    with running_ingest(settings, "test-late") as svc:
        publish_all(settings, fresh)
        assert wait_for(lambda: svc.counters["messages"] >= len(fresh), 30)
        publish_all(settings, late)  # older than everything already stored
        publish_all(settings, day)
        publish_all(settings, day)  # the replay: every message of the day again
        assert wait_for(lambda: svc.counters["messages"] >= sent, 60), dict(svc.counters)
        assert svc.counters["duplicate_readings"] == 2 * len(day)
    assert count(db, "SELECT count(*) FROM readings") == len(published)
    assert count(db, "SELECT count(*) FROM dead_letters") == 0
    readings = [(w, m, ts, v) for (_d, m, ts), (w, v) in published.items()]
    for table, unit in (("readings_1m", "minute"), ("readings_1h", "hour")):
        want = _buckets(readings, unit)
        assert _rollup(db, table) == want, table
        assert _raw(db, unit) == want  # and the raw readings say the same
    total = db.execute("SELECT sum(count), sum(sum) FROM readings_1h").fetchone()
    assert total == (len(published), sum(v for _w, v in published.values()))


_example = itertools.count()
_T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@st.composite
def _arrivals(draw: st.DrawFn) -> tuple[list[ReadingRow], list[list[ReadingRow]]]:
    """Distinct readings, and the batches they arrive in: any order, with redeliveries."""
    keys = draw(
        st.lists(
            st.tuples(
                st.integers(0, 3),  # device
                # minutes before _T0: clusters in one minute / hour, and stragglers up to 40 days
                st.one_of(st.integers(0, 3), st.integers(0, 180), st.integers(0, 60 * 24 * 40)),
                st.integers(0, 59),  # second
            ),
            min_size=1,
            max_size=60,
            unique=True,
        )
    )
    readings = [
        ReadingRow(
            _T0 - timedelta(minutes=m) + timedelta(seconds=s),
            ("27694", "27688")[dev % 2],
            f"dev-{dev}",
            "x",  # replaced by the example's own metric
            float(draw(st.integers(-50, 200))),
        )
        for dev, m, s in keys
    ]
    extra = draw(st.lists(st.sampled_from(readings), max_size=30))  # redeliveries
    arrival = draw(st.permutations(readings + extra))
    cuts = sorted(draw(st.lists(st.integers(0, len(arrival)), max_size=5)))
    edges = [0, *cuts, len(arrival)]
    return readings, [arrival[a:b] for a, b in itertools.pairwise(edges) if b > a]


def test_any_arrival_order_and_redelivery_counts_each_reading_once(
    db: psycopg.Connection[Any],
) -> None:
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(_arrivals())
    def check(case: tuple[list[ReadingRow], list[list[ReadingRow]]]) -> None:
        readings, batches = case
        metric = f"m{next(_example)}"  # each example its own rollup rows
        for batch in batches:
            rows = [ReadingRow(r.time, r.ward_code, r.device_id, metric, r.value) for r in batch]
            write_batch(db, BatchRows(readings=rows))
        distinct = [(r.ward_code, metric, r.time, r.value) for r in readings]
        where = f"metric = '{metric}'"
        for table, unit in (("readings_1m", "minute"), ("readings_1h", "hour")):
            assert _rollup(db, table, where) == _buckets(distinct, unit), table

    check()
