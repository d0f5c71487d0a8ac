"""Checks that imported units tile the city: presence, overlaps, gaps and areas.

Areas and overlaps are measured in metres in EPSG:32648 (UTM 48N, which covers
Long An).  The result is a :class:`BoundaryReport`; only structural faults
(missing or duplicated wards, overlaps unless allowed) raise :class:`BoundaryError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import shapely

from geodata.errors import BoundaryError
from geodata.registry import ward_codes, wards

__all__ = ["METRIC_CRS", "OVERLAP_TOLERANCE_M2", "BoundaryReport", "validate_units"]

METRIC_CRS = "EPSG:32648"
# Coordinate rounding alone leaves slivers of a few m² between neighbours.
OVERLAP_TOLERANCE_M2 = 100.0
GAP_TOLERANCE_M2 = 100.0


@dataclass
class BoundaryReport:
    """What an import found; ``lines()`` renders it for the CLI."""

    source: str
    units: int = 0
    missing: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    overlaps: list[tuple[str, str, float]] = field(default_factory=list)  # code, code, m²
    gaps_m2: list[float] = field(default_factory=list)
    area_km2: dict[str, float] = field(default_factory=dict)
    area_ratio: dict[str, float] = field(default_factory=dict)  # measured / official
    union_km2: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.missing or self.duplicated or self.overlaps)

    def lines(self) -> list[str]:
        out = [f"source: {self.source}", f"units: {self.units}, union {self.union_km2:.3f} km²"]
        if self.unknown:
            out.append(f"unknown codes (ignored): {', '.join(self.unknown)}")
        if self.missing:
            out.append(f"missing wards: {', '.join(self.missing)}")
        if self.duplicated:
            out.append(f"duplicated codes: {', '.join(self.duplicated)}")
        if self.repaired:
            out.append(f"repaired invalid geometry: {', '.join(self.repaired)}")
        for a, b, m2 in self.overlaps:
            out.append(f"overlap {a} / {b}: {m2:,.0f} m²")
        if self.gaps_m2:
            out.append(
                f"gaps inside the union: {len(self.gaps_m2)}, total {sum(self.gaps_m2):,.0f} m²"
            )
        for code in sorted(self.area_km2):
            out.append(
                f"  {code}: {self.area_km2[code]:7.3f} km²  ratio to official "
                f"{self.area_ratio.get(code, float('nan')):.3f}"
            )
        return out


def validate_units(
    gdf: gpd.GeoDataFrame, *, source: str, allow_overlaps: bool = False
) -> BoundaryReport:
    """Validate ``gdf`` (columns ``code``, ``geometry`` in EPSG:4326, known codes only).

    Raises :class:`BoundaryError` for missing or duplicated wards, and for
    overlaps above ``OVERLAP_TOLERANCE_M2`` unless ``allow_overlaps``.
    """
    report = BoundaryReport(source=source, units=len(gdf))
    codes = list(gdf["code"])
    report.duplicated = sorted({c for c in codes if codes.count(c) > 1})
    report.missing = sorted(ward_codes() - set(codes))
    metric = gdf.to_crs(METRIC_CRS)
    geoms = list(metric.geometry)
    official = {w.code: w.area_km2 for w in wards()}
    for code, geom in zip(codes, geoms, strict=True):
        km2 = float(geom.area) / 1e6
        report.area_km2[code] = report.area_km2.get(code, 0.0) + km2
    for code, km2 in report.area_km2.items():
        if official.get(code):
            report.area_ratio[code] = km2 / official[code]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i >= j:
            continue
        m2 = float(shapely.intersection(geoms[i], geoms[j]).area)
        if m2 > OVERLAP_TOLERANCE_M2:
            report.overlaps.append((codes[i], codes[j], m2))
    union = shapely.union_all(geoms)
    report.union_km2 = float(union.area) / 1e6
    for poly in getattr(union, "geoms", [union]):
        for ring in poly.interiors:
            m2 = float(shapely.Polygon(ring).area)
            if m2 > GAP_TOLERANCE_M2:
                report.gaps_m2.append(m2)
    if report.missing or report.duplicated:
        raise BoundaryError(
            f"{source}: every ward must appear exactly once; "
            f"missing {report.missing or 'none'}, duplicated {report.duplicated or 'none'}"
        )
    if report.overlaps and not allow_overlaps:
        pairs = "; ".join(f"{a} / {b} ({m2:,.0f} m²)" for a, b, m2 in report.overlaps)
        raise BoundaryError(
            f"{source}: units overlap: {pairs}. Fix the file or pass --allow-overlaps"
        )
    return report
