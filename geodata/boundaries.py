"""Reading boundary files (GeoJSON, Shapefile, GeoPackage) into ward units.

:func:`import_boundaries` is the whole pipeline used by ``ioc geodata import``:
read with pyogrio, pick the code / name / population fields, reproject to
EPSG:4326, repair invalid geometry, keep known wards, validate the tiling and
simplify for drawing.  Nothing here touches the database; the CLI stores the
:class:`ImportResult`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from geodata.errors import BoundaryError
from geodata.registry import ward_codes, wards
from geodata.validate import BoundaryReport, validate_units

__all__ = [
    "DRAW_TOLERANCE_DEG",
    "ImportOptions",
    "ImportResult",
    "import_boundaries",
    "import_frame",
    "normalise_code",
    "polygonal",
    "read_boundaries",
    "simplify_units",
]

log = logging.getLogger(__name__)

# ~20 m at Tân An's latitude: invisible at city zoom, shrinks files a lot.
DRAW_TOLERANCE_DEG = 0.0002
# A correct import lies within this many degrees (~30 km) of the registry centroids.
_NEAR_CITY_DEG = 0.3


@dataclass(frozen=True)
class ImportOptions:
    """Which fields hold what, and how forgiving to be (the ``ioc geodata import`` flags)."""

    code_field: str = "code"
    name_field: str | None = "name"
    population_field: str | None = None
    assume_crs: str | None = None
    allow_overlaps: bool = False


@dataclass
class ImportResult:
    """Validated units in EPSG:4326 and their simplified drawing geometry."""

    frame: gpd.GeoDataFrame  # columns code, name, population, geometry
    simplified: dict[str, BaseGeometry]
    report: BoundaryReport

    def rows(self) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
        """``(code, geometry GeoJSON, simplified GeoJSON)`` for ``upsert_boundaries``."""
        return [
            (code, dict(mapping(geom)), dict(mapping(self.simplified[code])))
            for code, geom in zip(self.frame["code"], self.frame.geometry, strict=True)
        ]

    def populations(self) -> dict[str, int]:
        if "population" not in self.frame:
            return {}
        return {
            c: int(p)
            for c, p in zip(self.frame["code"], self.frame["population"], strict=True)
            if pd.notna(p)
        }


def normalise_code(value: object) -> str:
    """GSO codes arrive as '27694', 27694, 27694.0 or '027694'; return '27694'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.isdigit():
        text = str(int(text)).zfill(5)
    return text


def polygonal(geom: BaseGeometry | None) -> BaseGeometry | None:
    """The polygonal part of ``geom`` (after make_valid a collection may hold lines)."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    return shapely.union_all(parts)


def read_boundaries(path: str | Path) -> gpd.GeoDataFrame:
    """Read any OGR vector file with the pyogrio engine; errors become :class:`BoundaryError`."""
    path = Path(path)
    if not path.exists():
        raise BoundaryError(f"{path}: no such file")
    try:
        return gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several unrelated types
        raise BoundaryError(f"{path}: cannot read as a vector file: {exc}") from exc


def _to_wgs84(gdf: gpd.GeoDataFrame, source: str, assume_crs: str | None) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        if assume_crs is None:
            raise BoundaryError(
                f"{source}: the file declares no coordinate reference system; "
                "pass --assume-crs (e.g. EPSG:4326 or EPSG:32648) if you know it"
            )
        gdf = gdf.set_crs(assume_crs)
    if gdf.crs.is_geographic:
        minx, miny, maxx, maxy = gdf.total_bounds
        if min(minx, miny) < -180 or maxx > 180 or maxy > 90 or miny < -90:
            raise BoundaryError(
                f"{source}: declared CRS {gdf.crs.to_string()} is geographic but the "
                f"coordinates ({minx:.0f}, {miny:.0f}) … ({maxx:.0f}, {maxy:.0f}) look projected; "
                "the declared CRS is wrong — fix the file or pass --assume-crs"
            )
    out = gdf.to_crs("EPSG:4326")
    cx = sum(w.lon for w in wards()) / len(wards())
    cy = sum(w.lat for w in wards()) / len(wards())
    minx, miny, maxx, maxy = out.total_bounds
    if (
        maxx < cx - _NEAR_CITY_DEG
        or minx > cx + _NEAR_CITY_DEG
        or maxy < cy - _NEAR_CITY_DEG
        or miny > cy + _NEAR_CITY_DEG
    ):
        raise BoundaryError(
            f"{source}: after reprojection to EPSG:4326 the units lie at "
            f"({minx:.3f}, {miny:.3f}) … ({maxx:.3f}, {maxy:.3f}), not near Tân An "
            f"({cx:.3f}, {cy:.3f}); the declared CRS ({gdf.crs.to_string()}) is probably wrong"
        )
    return out


def import_frame(
    gdf: gpd.GeoDataFrame, *, source: str, options: ImportOptions | None = None
) -> ImportResult:
    """Normalise, repair, validate and simplify an already-read frame."""
    opts = options or ImportOptions()
    code_field, name_field = opts.code_field, opts.name_field
    population_field = opts.population_field
    for label, fld in (("code", code_field), ("population", population_field)):
        if fld is not None and fld not in gdf.columns:
            fields = ", ".join(c for c in gdf.columns if c != "geometry")
            raise BoundaryError(
                f"{source}: no {label} field {fld!r}; fields are: {fields or '(none)'}"
            )
    if len(gdf) == 0:
        raise BoundaryError(f"{source}: the file has no features")
    gdf = _to_wgs84(gdf, source, opts.assume_crs)
    data: dict[str, Any] = {"code": [normalise_code(v) for v in gdf[code_field]]}
    data["name"] = (
        [str(v) for v in gdf[name_field]]
        if name_field and name_field in gdf.columns
        else [None] * len(gdf)
    )
    if population_field:
        data["population"] = pd.to_numeric(gdf[population_field], errors="coerce").to_list()
    frame = gpd.GeoDataFrame(data, geometry=list(gdf.geometry), crs="EPSG:4326")

    known = ward_codes()
    unknown = sorted(set(frame["code"]) - known)
    frame = frame[frame["code"].isin(known)].reset_index(drop=True)
    repaired: list[str] = []
    geoms: list[BaseGeometry] = []
    for code, geom in zip(frame["code"], frame.geometry, strict=True):
        if geom is not None and not geom.is_valid:
            repaired.append(code)
            log.info("%s: repairing invalid geometry of %s", source, code)
            geom = shapely.make_valid(geom)
        fixed = polygonal(geom)
        if fixed is None:
            raise BoundaryError(f"{source}: ward {code} has no polygonal geometry")
        geoms.append(fixed)
    frame = frame.set_geometry(geoms)
    report = validate_units(frame, source=source, allow_overlaps=opts.allow_overlaps)
    report.unknown = unknown
    report.repaired = repaired
    return ImportResult(frame=frame, simplified=simplify_units(frame), report=report)


def import_boundaries(path: str | Path, options: ImportOptions | None = None) -> ImportResult:
    """Read ``path`` and run :func:`import_frame` on it."""
    return import_frame(read_boundaries(path), source=str(path), options=options)


def simplify_units(
    frame: gpd.GeoDataFrame, tolerance: float = DRAW_TOLERANCE_DEG
) -> dict[str, BaseGeometry]:
    """Simplified drawing geometry by code.

    A valid coverage is simplified as a whole (shared edges stay shared, so no
    slivers appear between neighbours); otherwise each unit on its own with
    ``preserve_topology``.
    """
    geoms = list(frame.geometry)
    codes = list(frame["code"])
    if shapely.coverage_is_valid(geoms):
        simple = list(shapely.coverage_simplify(geoms, tolerance))
    else:
        simple = [g.simplify(tolerance, preserve_topology=True) for g in geoms]
    return {
        c: (s if s is not None and not s.is_empty and s.is_valid else g)
        for c, s, g in zip(codes, simple, geoms, strict=True)
    }
