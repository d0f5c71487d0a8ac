"""Drawing geometry for the map figures as a GeoJSON FeatureCollection.

:func:`ward_features` turns rows of the ``wards`` table into features and fills
any ward without geometry from the schematic layout; :func:`load_file_features`
does the same from a boundary file (``Settings.boundaries_file``).  Each
feature's properties: ``code``, ``name``, ``name_en``, ``kind``, ``population``,
``area_km2``, ``label_lon`` / ``label_lat`` (a point inside the polygon for the
name label), ``source`` and ``schematic`` (bool).  The collection carries a
top-level ``schematic`` flag, true when any feature is schematic.

Exterior rings are wound counter-clockwise (RFC 7946), which MapLibre expects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from geodata.boundaries import ImportOptions, import_boundaries
from geodata.registry import wards
from geodata.schematic import schematic_cells

__all__ = [
    "FeatureCollection",
    "feature_geometries",
    "is_schematic",
    "load_file_features",
    "ward_features",
]

FeatureCollection = dict[str, Any]


def _feature(props: dict[str, Any], geom: BaseGeometry) -> dict[str, Any]:
    geom = shapely.orient_polygons(geom, exterior_cw=False)
    label = geom.representative_point() if not geom.is_empty else geom.centroid
    props = {**props, "label_lon": round(label.x, 6), "label_lat": round(label.y, 6)}
    return {"type": "Feature", "id": props["code"], "properties": props, "geometry": mapping(geom)}


def _collection(features: list[dict[str, Any]]) -> FeatureCollection:
    return {
        "type": "FeatureCollection",
        "schematic": any(f["properties"]["schematic"] for f in features),
        "features": features,
    }


def ward_features(rows: Iterable[Mapping[str, Any]]) -> FeatureCollection:
    """Features from ``wards`` rows; wards with no ``geometry_simplified`` get a schematic cell.

    Each row needs ``code``, ``name``, ``name_en``, ``kind``, ``population``,
    ``area_km2``, ``geometry_simplified`` (GeoJSON dict or None) and
    ``boundary_source``.  An empty ``rows`` gives the schematic of the registry.
    """
    rows = list(rows)
    if not rows:
        rows = [
            {
                "code": w.code,
                "name": w.name,
                "name_en": w.name_en,
                "kind": w.kind,
                "population": w.population,
                "area_km2": w.area_km2,
                "geometry_simplified": None,
                "boundary_source": "schematic",
            }
            for w in wards()
        ]
    cells = schematic_cells()
    out = []
    for r in sorted(rows, key=lambda r: str(r["code"])):
        code = str(r["code"])
        geo = r.get("geometry_simplified")
        schematic = geo is None
        if schematic:
            if code not in cells:
                continue
            geom = cells[code]
        else:
            geom = shape(geo)
        props = {
            "code": code,
            "name": r.get("name") or code,
            "name_en": r.get("name_en") or r.get("name") or code,
            "kind": r.get("kind"),
            "population": r.get("population"),
            "area_km2": r.get("area_km2"),
            "source": "schematic" if schematic else (r.get("boundary_source") or "imported"),
            "schematic": schematic,
        }
        out.append(_feature(props, geom))
    return _collection(out)


def load_file_features(path: str | Path, *, code_field: str = "code") -> FeatureCollection:
    """Validated, simplified features straight from a boundary file (no database)."""
    result = import_boundaries(path, ImportOptions(code_field=code_field, allow_overlaps=True))
    facts = {w.code: w for w in wards()}
    rows = []
    for code in result.frame["code"]:
        w = facts[code]
        rows.append(
            {
                "code": code,
                "name": w.name,
                "name_en": w.name_en,
                "kind": w.kind,
                "population": result.populations().get(code, w.population),
                "area_km2": w.area_km2,
                "geometry_simplified": mapping(result.simplified[code]),
                "boundary_source": f"file:{Path(path).name}",
            }
        )
    return ward_features(rows)


def is_schematic(features: Mapping[str, Any]) -> bool:
    return bool(features.get("schematic")) or any(
        f.get("properties", {}).get("schematic") for f in features.get("features", [])
    )


def feature_geometries(features: Mapping[str, Any]) -> list[tuple[str, BaseGeometry]]:
    """``(code, shapely geometry)`` for each feature."""
    return [(str(f["properties"]["code"]), shape(f["geometry"])) for f in features["features"]]
