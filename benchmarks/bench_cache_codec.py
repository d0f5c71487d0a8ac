"""The query cache's codec: typed records through a pydantic TypeAdapter vs the old plain JSON.

Builds answers the size the pages ask for (the incident list at its 500 limit, 97 days of
COVID rows for 14 wards, 30 days of services by day, one ward's 30-day hourly series), and
times encode + decode per answer, p50 over 200 rounds, for both in the same run:

* baseline: what ``ioc.cache`` did before typed reads: dict rows, ``json.dumps`` with a
  ``{"__dt__": iso}`` default, ``json.loads`` with an object hook (dicts come back);
* typed: ``TypeAdapter(<the query's return annotation>).dump_json`` / ``validate_json``
  (frozen records with aware datetimes come back).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_cache_codec.py
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from ioc.cache import _codec
from ioc.store import queries
from ioc.store.records import CovidDay, DossierDay, IncidentRow, SeriesPoint

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
WARDS = [f"2{7685 + 3 * i}" for i in range(14)]


def _default(obj: object) -> object:
    if isinstance(obj, datetime):
        return {"__dt__": obj.isoformat()}
    raise TypeError(type(obj).__name__)


def _hook(doc: dict[str, Any]) -> object:
    if len(doc) == 1 and "__dt__" in doc:
        return datetime.fromisoformat(doc["__dt__"])
    return doc


def answers() -> dict[str, tuple[Callable[..., Any], list[Any]]]:
    incidents = [
        IncidentRow(i, NOW - timedelta(minutes=i), NOW, WARDS[i % 14], "air", "pm25.alarm",
                    "high", "open", f"Bụi PM2.5 vượt ngưỡng {i}", 10.5, 106.4)
        for i in range(500)
    ]  # fmt: skip
    covid = [
        CovidDay(w, (NOW - timedelta(days=d)).date().isoformat(), 3.0, 1000.0 + d)
        for d in range(97)
        for w in WARDS
    ]
    daily = [
        DossierDay(day=(NOW - timedelta(days=d)).date().isoformat(), received=40, online=20,
                   in_person=20, level34=30, resolved=35, on_time=33, overdue=2)
        for d in range(30)
    ]  # fmt: skip
    series = [SeriesPoint(NOW - timedelta(hours=h), 30.0, 20.0, 60.0, 60) for h in range(720)]
    return {
        "incidents (500)": (queries.incidents, incidents),
        "covid_daily (97 d x 14)": (queries.covid_daily, covid),
        "services_daily (30 d)": (queries.services_daily, daily),
        "metric_series (720 h)": (queries.metric_series, series),
    }


def p50(fn: Callable[[], object], rounds: int = 200) -> float:
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return sorted(samples)[rounds // 2]


def main() -> None:
    print(f"{'answer':26s} {'baseline json':>14s} {'typed':>10s} {'ratio':>7s}   bytes base/typed")
    for name, (fn, rows) in answers().items():
        plain = [asdict(r) for r in rows]
        codec = _codec(fn)
        assert codec.validate_json(codec.dump_json(rows)) == rows

        def baseline(plain: list[Any] = plain) -> object:
            return json.loads(json.dumps(plain, default=_default), object_hook=_hook)

        def typed(rows: list[Any] = rows, codec: Any = codec) -> object:
            return codec.validate_json(codec.dump_json(rows))

        base, new = p50(baseline), p50(typed)
        size = len(json.dumps(plain, default=_default)), len(codec.dump_json(rows))
        print(f"{name:26s} {base:11.2f} ms {new:7.2f} ms {new / base:6.2f}x   {size[0]}/{size[1]}")


if __name__ == "__main__":
    main()
