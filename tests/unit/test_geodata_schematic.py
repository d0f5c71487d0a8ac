"""The schematic fallback layout and the features built from table rows."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, shape

from geodata.features import is_schematic, ward_features
from geodata.registry import wards
from geodata.schematic import schematic_area_errors, schematic_cells


def test_fourteen_cells_tile_a_city_sized_disc() -> None:
    cells = schematic_cells()
    assert sorted(cells) == sorted(w.code for w in wards())
    frame = gpd.GeoDataFrame({"code": list(cells)}, geometry=list(cells.values()), crs=4326).to_crs(
        32648
    )
    union = frame.union_all().area / 1e6
    assert union == pytest.approx(81.8, rel=0.10)
    assert frame.area.sum() / 1e6 == pytest.approx(union, rel=1e-4)  # no overlaps
    for a in range(len(frame)):
        for b in range(a + 1, len(frame)):
            assert frame.geometry.iloc[a].intersection(frame.geometry.iloc[b]).area < 1.0


def test_each_centroid_in_its_own_cell() -> None:
    cells = schematic_cells()
    for w in wards():
        assert cells[w.code].contains(Point(w.lon, w.lat)), w.code


def test_areas_roughly_proportional() -> None:
    errors = schematic_area_errors()
    assert max(abs(e) for e in errors.values()) < 0.10
    assert sorted(abs(e) for e in errors.values())[-2] < 0.03


def test_ward_features_falls_back_per_ward() -> None:
    rows = [
        {
            "code": "27694",
            "name": "Phường 1",
            "name_en": "Ward 1",
            "kind": "ward",
            "population": 1,
            "area_km2": 0.68,
            "geometry_simplified": {
                "type": "Polygon",
                "coordinates": [
                    [[106.41, 10.53], [106.42, 10.53], [106.42, 10.54], [106.41, 10.53]]
                ],
            },
            "boundary_source": "file:x.geojson",
        },
        {"code": "27688", "name": "Phường 2", "geometry_simplified": None},
    ]
    fc = ward_features(rows)
    props = {f["properties"]["code"]: f["properties"] for f in fc["features"]}
    assert props["27694"]["schematic"] is False and props["27694"]["source"] == "file:x.geojson"
    assert props["27688"]["schematic"] is True and props["27688"]["source"] == "schematic"
    assert is_schematic(fc)
    for f in fc["features"]:
        geom = shape(f["geometry"])
        assert geom.contains(Point(f["properties"]["label_lon"], f["properties"]["label_lat"]))
        assert geom.exterior.is_ccw  # RFC 7946 winding


def test_empty_rows_give_the_whole_schematic() -> None:
    fc = ward_features([])
    assert len(fc["features"]) == 14
    assert fc["schematic"] is True
    assert all(f["properties"]["schematic"] for f in fc["features"])
