"""Boundary import against synthetic ward files (tests/fix_data.py) and broken copies of them."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.affinity import translate
from shapely.geometry import Polygon

from geodata.boundaries import ImportOptions, import_boundaries, import_frame
from geodata.errors import BoundaryError
from geodata.registry import ward_codes, wards
from tests.fix_data import union_km2


@pytest.fixture
def real_frame(ward_frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return ward_frame.copy()


CITY_KM2 = union_km2()


def test_geojson_imports_cleanly(ward_geojson: Path, ward_frame: gpd.GeoDataFrame) -> None:
    result = import_boundaries(ward_geojson)
    report = result.report
    assert report.ok
    assert sorted(result.frame["code"]) == sorted(ward_codes())
    assert not report.overlaps and not report.gaps_m2 and not report.repaired
    assert report.union_km2 == pytest.approx(CITY_KM2, rel=1e-6)
    drawn = ward_frame.to_crs(32648)
    want = {c: float(g.area) / 1e6 for c, g in zip(drawn["code"], drawn.geometry, strict=True)}
    assert report.area_km2 == pytest.approx(want, rel=1e-6)
    official = {w.code: w.area_km2 for w in wards()}
    assert report.area_ratio == pytest.approx({c: want[c] / official[c] for c in want})
    rows = result.rows()
    assert len(rows) == 14
    _code, geom, simple = rows[0]
    assert geom["type"] in ("Polygon", "MultiPolygon") and simple["type"] == geom["type"]


def test_simplified_geometry_keeps_shared_edges(ward_geojson: Path) -> None:
    result = import_boundaries(ward_geojson)
    assert all(
        len(result.simplified[c].exterior.coords) < len(g.exterior.coords)
        for c, g in zip(result.frame["code"], result.frame.geometry, strict=True)
    ), "the staircase borders should simplify"
    simple = gpd.GeoDataFrame(
        {"code": list(result.simplified)}, geometry=list(result.simplified.values()), crs=4326
    ).to_crs(32648)
    assert simple.union_all().area / 1e6 == pytest.approx(CITY_KM2, rel=0.01)
    total = simple.area.sum()
    assert total == pytest.approx(simple.union_all().area, rel=1e-6)  # no overlaps


def test_shapefile_in_utm_with_other_field_names(ward_shapefile: Path) -> None:
    options = ImportOptions(code_field="MA_XA", name_field="TEN", population_field="DAN_SO")
    result = import_boundaries(ward_shapefile, options)
    assert result.report.ok
    assert result.report.union_km2 == pytest.approx(CITY_KM2, rel=1e-6)
    assert sorted(result.populations().values()) == [10_000 + i for i in range(14)]
    assert set(result.frame["name"]) == {w.name for w in wards()}


def test_geopackage_with_numeric_codes(ward_geopackage: Path) -> None:
    assert sorted(import_boundaries(ward_geopackage).frame["code"]) == sorted(ward_codes())


def test_no_crs_needs_assume_crs(real_frame: gpd.GeoDataFrame, tmp_path: Path) -> None:
    shp = tmp_path / "nocrs.shp"
    real_frame.to_crs(32648).to_file(shp)
    shp.with_suffix(".prj").unlink()
    with pytest.raises(BoundaryError, match=r"no coordinate reference system.*--assume-crs"):
        import_boundaries(shp)
    result = import_boundaries(shp, ImportOptions(assume_crs="EPSG:32648"))
    assert result.report.union_km2 == pytest.approx(CITY_KM2, rel=1e-6)


def test_projected_coordinates_declared_as_wgs84(
    real_frame: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "wrong.geojson"
    real_frame.to_crs(32648).set_crs(4326, allow_override=True).to_file(path)
    with pytest.raises(BoundaryError, match="declared CRS is wrong"):
        import_boundaries(path)


def test_wrong_projected_crs_lands_far_away(real_frame: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "wrong.gpkg"
    # metres of UTM 48N declared as UTM 49N: the city moves ~600 km east
    real_frame.to_crs(32648).set_crs(32649, allow_override=True).to_file(path)
    with pytest.raises(BoundaryError, match="not near Tân An"):
        import_boundaries(path)


def test_missing_code_field(real_frame: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "nocode.geojson"
    real_frame.drop(columns=["code"]).to_file(path)
    with pytest.raises(BoundaryError, match="no code field 'code'; fields are: name"):
        import_boundaries(path)


def test_invalid_polygon_is_repaired_and_reported(real_frame: gpd.GeoDataFrame) -> None:
    frame = real_frame.copy()
    i = int((frame["code"] == "27709").to_numpy().nonzero()[0][0])
    c = frame.geometry.iloc[i].representative_point()
    bowtie = Polygon(
        [(c.x - 0.01, c.y - 0.01), (c.x + 0.01, c.y + 0.01), (c.x + 0.01, c.y - 0.01),
         (c.x - 0.01, c.y + 0.01)]
    )  # fmt: skip
    assert not bowtie.is_valid
    frame.loc[i, "geometry"] = bowtie
    result = import_frame(frame, source="bowtie")
    assert result.report.repaired == ["27709"]
    repaired = result.frame.geometry.iloc[i]
    assert repaired.is_valid and repaired.geom_type == "MultiPolygon"
    assert result.report.area_ratio["27709"] < 0.5  # the bowtie is small: reported, not fatal
    assert result.report.union_km2 < CITY_KM2 - 5  # the rest of the ward is no longer covered


def test_overlapping_units_name_both_codes(real_frame: gpd.GeoDataFrame) -> None:
    frame = real_frame.copy()
    i = int((frame["code"] == "27694").to_numpy().nonzero()[0][0])
    frame.loc[i, "geometry"] = translate(frame.geometry.iloc[i], xoff=0.004)
    with pytest.raises(BoundaryError, match=r"units overlap: .*27694") as err:
        import_frame(frame, source="shifted")
    assert "--allow-overlaps" in str(err.value)
    result = import_frame(frame, source="shifted", options=ImportOptions(allow_overlaps=True))
    assert any("27694" in (a, b) for a, b, _ in result.report.overlaps)


def test_missing_and_unknown_wards(real_frame: gpd.GeoDataFrame) -> None:
    frame = real_frame.copy()
    frame.loc[0, "code"] = "99999"
    missing = real_frame["code"].iloc[0]
    with pytest.raises(BoundaryError, match=f"missing \\['{missing}'\\]"):
        import_frame(frame, source="unknown")


def test_duplicated_ward(real_frame: gpd.GeoDataFrame) -> None:
    frame = real_frame.copy()
    frame.loc[1, "code"] = frame["code"].iloc[0]
    with pytest.raises(BoundaryError, match="duplicated"):
        import_frame(frame, source="dup")


def test_registry_centroids_lie_in_their_synthetic_wards(real_frame: gpd.GeoDataFrame) -> None:
    """What the point-in-ward tests rely on."""
    by_code = dict(zip(real_frame["code"], real_frame.geometry, strict=True))
    from shapely.geometry import Point

    assert all(by_code[w.code].contains(Point(w.lon, w.lat)) for w in wards())
