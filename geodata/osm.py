"""Ward boundaries from OpenStreetMap through an Overpass endpoint.

:func:`overpass_query` asks for the relations named in the facts table with
``out geom`` (member ways carry their coordinates), :func:`fetch_overpass`
posts it with the standard library, and :func:`relations_to_frame` assembles
each relation's polygon from its member ways: ``outer`` and ``inner`` ways are
merged into rings (``linemerge`` + ``polygonize``), the area is the outer
polygons minus the inner ones.  The frame then goes through
:func:`geodata.boundaries.import_frame` like any file.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry
from shapely.ops import linemerge, polygonize

from geodata.errors import BoundaryError
from geodata.registry import wards

__all__ = [
    "DEFAULT_OVERPASS_URL",
    "assemble_relation",
    "fetch_overpass",
    "overpass_query",
    "relations_to_frame",
]

log = logging.getLogger(__name__)

DEFAULT_OVERPASS_URL = "https://overpass-api.de/api/interpreter"


def overpass_query(relation_ids: Iterable[int], timeout_s: int = 90) -> str:
    ids = ",".join(str(i) for i in relation_ids)
    return f"[out:json][timeout:{timeout_s}];relation(id:{ids});out geom;"


def fetch_overpass(
    url: str = DEFAULT_OVERPASS_URL,
    relation_ids: Iterable[int] | None = None,
    timeout_s: float = 120.0,
) -> dict[str, Any]:
    """POST the query for ``relation_ids`` (default: every ward's) and return the JSON."""
    ids = list(relation_ids) if relation_ids is not None else [w.osm_relation for w in wards()]
    body = urllib.parse.urlencode({"data": overpass_query(ids)}).encode()
    request = urllib.request.Request(
        url, data=body, headers={"User-Agent": "tanan-ioc geodata fetch-osm"}
    )
    log.info("fetching %d relations from %s", len(ids), url)
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            payload: dict[str, Any] = json.load(response)
    except (OSError, ValueError) as exc:
        raise BoundaryError(f"Overpass {url}: {exc}") from exc
    return payload


def _rings(ways: list[LineString]) -> BaseGeometry:
    if not ways:
        return shapely.Polygon()
    merged = linemerge(ways)
    polygons = list(polygonize(merged))
    if not polygons:
        return shapely.Polygon()
    # polygonize also returns the faces between nested rings; the symmetric
    # difference keeps what is enclosed an odd number of times
    area: BaseGeometry = polygons[0]
    for p in polygons[1:]:
        area = area.symmetric_difference(p)
    return area


def assemble_relation(relation: Mapping[str, Any]) -> BaseGeometry:
    """The polygonal area of one Overpass relation element fetched with ``out geom``."""
    outer: list[LineString] = []
    inner: list[LineString] = []
    for member in relation.get("members", []):
        if member.get("type") != "way" or len(member.get("geometry") or []) < 2:
            continue
        line = LineString([(pt["lon"], pt["lat"]) for pt in member["geometry"]])
        (inner if member.get("role") == "inner" else outer).append(line)
    if not outer:
        raise BoundaryError(f"OSM relation {relation.get('id')}: no outer ways")
    area = _rings(outer).difference(_rings(inner))
    if area.is_empty:
        raise BoundaryError(
            f"OSM relation {relation.get('id')}: outer ways do not close into a ring"
        )
    return area


def relations_to_frame(payload: Mapping[str, Any]) -> gpd.GeoDataFrame:
    """A frame (code, name, geometry; EPSG:4326) of the wards found in an Overpass response."""
    by_relation = {w.osm_relation: w for w in wards()}
    codes, names, geoms = [], [], []
    for element in payload.get("elements", []):
        if element.get("type") != "relation":
            continue
        w = by_relation.get(int(element["id"]))
        if w is None:
            log.info("ignoring OSM relation %s: not in the facts table", element["id"])
            continue
        codes.append(w.code)
        names.append(element.get("tags", {}).get("name", w.name))
        geoms.append(assemble_relation(element))
    if not codes:
        raise BoundaryError("Overpass response holds none of the wards' relations")
    return gpd.GeoDataFrame({"code": codes, "name": names}, geometry=geoms, crs="EPSG:4326")
