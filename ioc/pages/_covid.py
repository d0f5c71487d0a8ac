"""COVID-19 levels per ward and day, from the daily rows of :func:`ioc.store.queries.covid_daily`.

Cases per 100,000 per week: the sum of new cases over the 7 days ending on the
day, times 100,000 over the ward's population.  Vaccination coverage: the
day's (or latest earlier) first-dose count over the population, in percent.
The level comes from :func:`maps.covid.epidemic_level` with the city's thresholds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from maps.covid import epidemic_level

from ioc.config import CovidSettings

__all__ = ["covid_table", "days_between"]


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def covid_table(
    rows: Sequence[Mapping[str, Any]],
    populations: Mapping[str, int | None],
    day: date,
    cfg: CovidSettings,
) -> list[dict[str, Any]]:
    """One row per ward: code, new_7d, cases_per_100k_week, vaccination_pct, level."""
    cases: dict[str, dict[date, float]] = defaultdict(dict)
    dose1: dict[str, dict[date, float]] = defaultdict(dict)
    for r in rows:
        d = date.fromisoformat(str(r["day"]))
        if r.get("new_cases") is not None:
            cases[r["ward_code"]][d] = float(r["new_cases"])
        if r.get("dose1") is not None:
            dose1[r["ward_code"]][d] = float(r["dose1"])
    week = [day - timedelta(days=i) for i in range(7)]
    out = []
    for code, pop in populations.items():
        new_7d = sum(cases[code].get(d, 0.0) for d in week)
        earlier = [d for d in dose1[code] if d <= day]
        vacc = dose1[code][max(earlier)] if earlier else None
        per100k = new_7d * 100_000 / pop if pop else None
        vacc_pct = min(100.0, 100.0 * vacc / pop) if pop and vacc is not None else None
        level = (
            epidemic_level(per100k, vacc_pct if vacc_pct is not None else 0.0,
                           cfg.cases_per_100k_week, cfg.vaccination_threshold_pct)
            if per100k is not None else None
        )  # fmt: skip
        out.append(
            {"code": code, "new_7d": new_7d, "cases_per_100k_week": per100k,
             "vaccination_pct": vacc_pct, "level": level}
        )  # fmt: skip
    return out
