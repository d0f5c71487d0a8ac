"""Point-in-ward lookup against synthetic ward polygons (tests/fix_data.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from geodata.features import FeatureCollection, load_file_features
from geodata.index import WardIndex
from geodata.registry import wards


@pytest.fixture(scope="module")
def features(ward_geojson: Path) -> FeatureCollection:
    return load_file_features(ward_geojson)


def test_every_facts_centroid_falls_in_its_ward(features: FeatureCollection) -> None:
    # all 14 approximate centroids lie inside their real (simplified) polygon
    index = WardIndex(features)
    for w in wards():
        assert index.locate(w.lon, w.lat) == w.code, w.name
    assert index.locate_many([w.lon for w in wards()], [w.lat for w in wards()]) == [
        w.code for w in wards()
    ]


def test_outside_the_city_is_none(features: FeatureCollection) -> None:
    index = WardIndex(features)
    assert index.locate(106.70, 10.78) is None  # Hồ Chí Minh City
    assert index.locate_many([106.70, 0.0], [10.78, 0.0]) == [None, None]


def test_points_just_outside_snap_to_nearest(features: FeatureCollection) -> None:
    geoms = {f["properties"]["code"]: shape(f["geometry"]) for f in features["features"]}
    union = unary_union(list(geoms.values()))
    # walk west from the westernmost vertex: 100 m out snaps, 1 km out does not
    west = min(union.exterior.coords, key=lambda c: c[0])
    near = (west[0] - 100 / 111_320, west[1])
    far = (west[0] - 1000 / 111_320, west[1])
    nearest = min(geoms, key=lambda c: geoms[c].distance(Point(near)))
    snapping = WardIndex(features)
    assert snapping.locate(*near) == nearest
    assert snapping.locate(*far) is None
    assert WardIndex(features, snap_m=0).locate(*near) is None
    assert snapping.locate_many([near[0], far[0]], [near[1], far[1]]) == [nearest, None]


def test_vectorised_matches_single(features: FeatureCollection) -> None:
    rng = np.random.default_rng(7)
    lons = rng.uniform(106.33, 106.48, 2000)
    lats = rng.uniform(10.47, 10.60, 2000)
    index = WardIndex(features)
    assert index.locate_many(lons, lats) == [
        index.locate(x, y) for x, y in zip(lons, lats, strict=True)
    ]
