"""The ward registry: Tân An's 14 wards and communes from the facts table shipped with the package.

``data/wards_facts.csv`` holds plain facts (GSO codes, names, kind, OSM relation
ids, official areas, approximate centroids).  ``data/population_estimate.csv``
is *not* an official figure: it spreads the city's 2019 census total (145,120)
over the wards by an assumed density (urban core dense, communes sparse) so
that per-100k rates have a denominator until the city supplies real figures
(``ioc geodata import`` accepts a population field).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

__all__ = ["CITY_NAME", "DISTRICT", "Ward", "ward", "ward_codes", "wards"]

CITY_NAME = "Thành phố Tân An"
DISTRICT = CITY_NAME
CITY_POPULATION_2019 = 145_120


@dataclass(frozen=True, slots=True)
class Ward:
    code: str
    name: str
    name_en: str
    kind: Literal["ward", "commune"]
    osm_relation: int
    area_km2: float
    lat: float
    lon: float
    population: int
    population_is_estimate: bool = True

    def label(self, lang: str = "vi") -> str:
        return self.name if lang == "vi" else self.name_en


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("geodata").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def wards() -> tuple[Ward, ...]:
    """All wards, ordered by GSO code."""
    population = {r["code"]: int(r["population_est"]) for r in _read("population_estimate.csv")}
    out = []
    for r in _read("wards_facts.csv"):
        kind = r["kind"]
        if kind not in ("ward", "commune"):
            raise ValueError(f"wards_facts.csv: {r['code']} has kind {kind!r}")
        out.append(
            Ward(
                code=r["code"],
                name=r["name"],
                name_en=r["name_en"],
                kind=kind,  # type: ignore[arg-type]
                osm_relation=int(r["osm_relation"]),
                area_km2=float(r["area_km2_official"]),
                lat=float(r["lat"]),
                lon=float(r["lon"]),
                population=population[r["code"]],
            )
        )
    return tuple(sorted(out, key=lambda w: w.code))


@cache
def ward_codes() -> frozenset[str]:
    return frozenset(w.code for w in wards())


def ward(code: str) -> Ward:
    for w in wards():
        if w.code == code:
            return w
    raise KeyError(code)
