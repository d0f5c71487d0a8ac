"""COVID-19 levels per ward and day, from the daily rows of :func:`ioc.store.queries.covid_daily`.

Cases per 100,000 per week: the sum of new cases over the 7 days ending on the
day, times 100,000 over the ward's population.  Vaccination coverage: the
day's (or latest earlier) first-dose count over the population, in percent.
The level comes from :func:`vocab.indicators.epidemic_level` with the city's thresholds; a ward
without vaccination data keeps the level of its cases (unknown coverage is not low coverage).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ioc.config import CovidSettings
from ioc.store.records import CovidDay
from vocab.indicators import epidemic_level

__all__ = ["WardLevel", "covid_levels", "covid_table", "days_between"]


@dataclass(frozen=True, slots=True)
class WardLevel:
    """One ward on one day: the week's new cases, per 100,000, first-dose coverage, level."""

    code: str
    new_7d: float
    cases_per_100k_week: float | None
    vaccination_pct: float | None
    level: int | None


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _index(
    rows: Sequence[CovidDay],
) -> tuple[dict[str, dict[date, float]], dict[str, dict[date, float]]]:
    """ward -> day -> new cases, and ward -> day -> first-dose count, read once."""
    cases: dict[str, dict[date, float]] = defaultdict(dict)
    dose1: dict[str, dict[date, float]] = defaultdict(dict)
    for r in rows:
        d = date.fromisoformat(r.day)
        if r.new_cases is not None:
            cases[r.ward_code][d] = float(r.new_cases)
        if r.dose1 is not None:
            dose1[r.ward_code][d] = float(r.dose1)
    return cases, dose1


def _ward_day(
    code: str,
    pop: int | None,
    day: date,
    cases: Mapping[date, float],
    vacc: float | None,
    cfg: CovidSettings,
) -> WardLevel:
    new_7d = sum(cases.get(day - timedelta(days=i), 0.0) for i in range(7))
    per100k = new_7d * 100_000 / pop if pop else None
    vacc_pct = min(100.0, 100.0 * vacc / pop) if pop and vacc is not None else None
    # Unknown coverage stays None: epidemic_level raises the level only for a known low coverage.
    level = (
        epidemic_level(per100k, vacc_pct, cfg.cases_per_100k_week, cfg.vaccination_threshold_pct)
        if per100k is not None
        else None
    )
    return WardLevel(code, new_7d, per100k, vacc_pct, level)


def covid_table(
    rows: Sequence[CovidDay],
    populations: Mapping[str, int | None],
    day: date,
    cfg: CovidSettings,
) -> list[WardLevel]:
    """One row per ward of ``populations``, on ``day``."""
    cases, dose1 = _index(rows)
    out = []
    for code, pop in populations.items():
        earlier = [d for d in dose1[code] if d <= day]
        vacc = dose1[code][max(earlier)] if earlier else None
        out.append(_ward_day(code, pop, day, cases[code], vacc, cfg))
    return out


def covid_levels(
    rows: Sequence[CovidDay],
    code: str,
    population: int | None,
    days: Sequence[date],
    cfg: CovidSettings,
) -> list[int | None]:
    """One ward's level on each of ``days`` (ascending): ``covid_table`` per day, in one pass."""
    cases, dose1 = _index(rows)
    doses = sorted(dose1[code].items())
    out: list[int | None] = []
    vacc: float | None = None
    i = 0
    for day in days:
        while i < len(doses) and doses[i][0] <= day:
            vacc = doses[i][1]
            i += 1
        out.append(_ward_day(code, population, day, cases[code], vacc, cfg).level)
    return out
