"""Ward boundary test data, made by the tests: synthetic polygons for the 14 registry wards.

The real Tân An boundary files have an unclear licence and are not part of the
project (a fresh clone has no ``../shared``), so the tests draw their own
city: every 100 m square of a grid in UTM 48N (EPSG:32648) goes to the ward
whose registry centroid is nearest to it -- after a smooth, seeded warp of the
square's position, which makes the borders wander like real ones -- and the
squares of a ward are merged into its polygon.  So:

- neighbours share their borders exactly (the corners are whole metres on one
  grid), the units tile the city without gaps or overlaps, and the borders
  have thousands of vertices for simplification to work on;
- every registry centroid lies well inside its own ward (the nearest other
  centroid is more than 900 m away, the warp moves a square by at most 150 m).

The same units are written as GeoJSON (EPSG:4326, fields ``code`` / ``name``),
as a Shapefile in EPSG:32648 with the field names a city GIS office might use
(``MA_XA``, ``TEN``, ``DAN_SO``) and as a GeoPackage with numeric codes.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Transformer

from geodata.registry import wards

METRIC_CRS = "EPSG:32648"
CELL_M = 100.0
REACH_M = 2400.0  # squares farther than this from every centroid are outside the city
WARP_M = 150.0


@cache
def _units() -> tuple[tuple[str, ...], tuple[str, ...], tuple[shapely.Polygon, ...]]:
    facts = sorted(wards(), key=lambda w: w.code)
    to_metric = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    cx, cy = to_metric.transform([w.lon for w in facts], [w.lat for w in facts])
    sites = np.column_stack([cx, cy])
    x0 = np.floor((sites[:, 0].min() - REACH_M - WARP_M) / CELL_M) * CELL_M
    y0 = np.floor((sites[:, 1].min() - REACH_M - WARP_M) / CELL_M) * CELL_M
    nx = int((sites[:, 0].max() + REACH_M + WARP_M - x0) / CELL_M) + 1
    ny = int((sites[:, 1].max() + REACH_M + WARP_M - y0) / CELL_M) + 1
    gx, gy = np.meshgrid(x0 + CELL_M * np.arange(nx), y0 + CELL_M * np.arange(ny))
    mx, my = gx.ravel() + CELL_M / 2, gy.ravel() + CELL_M / 2
    # A smooth warp (two wavelengths per axis): borders bend, squares near a site stay put.
    wx = mx + WARP_M * 0.6 * np.sin(my / 700.0 + 0.3) + WARP_M * 0.4 * np.sin(my / 230.0)
    wy = my + WARP_M * 0.6 * np.cos(mx / 900.0 + 1.1) + WARP_M * 0.4 * np.sin(mx / 310.0)
    dist = np.hypot(wx[:, None] - sites[None, :, 0], wy[:, None] - sites[None, :, 1])
    owner, nearest = dist.argmin(axis=1), dist.min(axis=1)
    polygons = []
    for i, w in enumerate(facts):
        pick = (owner == i) & (nearest <= REACH_M)
        boxes = shapely.box(gx.ravel()[pick], gy.ravel()[pick], gx.ravel()[pick] + CELL_M,
                            gy.ravel()[pick] + CELL_M)  # fmt: skip
        unit = shapely.union_all(boxes)
        if unit.geom_type != "Polygon" or unit.interiors:
            raise AssertionError(f"synthetic ward {w.code} is not one simple polygon")
        polygons.append(unit)
    city = shapely.union_all(polygons)
    if city.geom_type != "Polygon" or city.interiors:
        raise AssertionError("the synthetic city has holes or pieces")
    return (
        tuple(w.code for w in facts),
        tuple(w.name for w in facts),
        tuple(polygons),
    )


def synthetic_frame(crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    """The 14 synthetic wards (columns ``code``, ``name``, ``geometry``) in ``crs``."""
    codes, names, polygons = _units()
    frame = gpd.GeoDataFrame(
        {"code": list(codes), "name": list(names)}, geometry=list(polygons), crs=METRIC_CRS
    )
    return frame.to_crs(crs)


def union_km2() -> float:
    """The synthetic city's area, measured where it was drawn."""
    return float(shapely.union_all(_units()[2]).area) / 1e6


@pytest.fixture(scope="session")
def ward_frame() -> gpd.GeoDataFrame:
    return synthetic_frame()


@pytest.fixture(scope="session")
def ward_geojson(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """GeoJSON, EPSG:4326, fields ``code`` and ``name``: what ``ioc geodata import`` expects."""
    path = tmp_path_factory.mktemp("wards") / "tan_an_wards.geojson"
    synthetic_frame().to_file(path, driver="GeoJSON")
    return path


@pytest.fixture(scope="session")
def ward_shapefile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shapefile in EPSG:32648 with other field names (``MA_XA``, ``TEN``, ``DAN_SO``)."""
    path = tmp_path_factory.mktemp("wards") / "ranh_gioi_xa.shp"
    frame = synthetic_frame(METRIC_CRS).rename(columns={"code": "MA_XA", "name": "TEN"})
    frame["DAN_SO"] = [10_000 + i for i in range(len(frame))]
    frame.to_file(path)
    return path


@pytest.fixture(scope="session")
def ward_geopackage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """GeoPackage, EPSG:4326, with the codes stored as integers."""
    path = tmp_path_factory.mktemp("wards") / "wards.gpkg"
    frame = synthetic_frame()
    frame["code"] = frame["code"].astype(int)
    frame.to_file(path, driver="GPKG")
    return path
