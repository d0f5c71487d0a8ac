"""``ioc geodata import`` / ``status`` / ``fetch-osm`` against a real PostgreSQL schema."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import psycopg
import pytest
from shapely.affinity import translate
from shapely.geometry import box, mapping

from cli.main import main
from geodata.features import ward_features
from geodata.registry import wards
from ioc.config import Settings
from ioc.store.wards import load_boundaries
from tests.fix_data import union_km2


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("IOC_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("IOC_DB_SCHEMA", settings.db_schema)
    return settings


def test_schematic_until_imported(db: psycopg.Connection[object]) -> None:
    rows = load_boundaries(db)
    assert len(rows) == 14 and all(r["geometry_simplified"] is None for r in rows)
    assert ward_features(rows)["schematic"] is True


def test_import_a_boundary_file(
    cli_env: Settings,
    db: psycopg.Connection[object],
    ward_geojson: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["geodata", "import", str(ward_geojson)]) == 0
    out = capsys.readouterr().out
    assert f"union {union_km2():.3f} km²" in out and "stored 14 ward boundaries" in out
    rows = load_boundaries(db)
    assert all(r["geometry_simplified"] for r in rows)
    assert {r["boundary_source"] for r in rows} == {f"file:{ward_geojson}"}
    fc = ward_features(rows)
    assert fc["schematic"] is False and len(fc["features"]) == 14
    assert main(["geodata", "status"]) == 0
    status = capsys.readouterr().out
    assert "27694" in status and "schematic" not in status.split("\n")[-2]


def test_import_a_utm_shapefile_with_its_own_field_names(
    cli_env: Settings, db: psycopg.Connection[object], ward_shapefile: Path
) -> None:
    argv = ["geodata", "import", str(ward_shapefile), "--code-field", "MA_XA",
            "--name-field", "TEN", "--population-field", "DAN_SO"]  # fmt: skip
    assert main(argv) == 0
    rows = db.execute("SELECT code, population, population_is_estimate FROM wards ORDER BY code")
    assert [(p, est) for _c, p, est in rows] == [(10_000 + i, False) for i in range(14)]
    fc = ward_features(load_boundaries(db))
    lons = [x for f in fc["features"] for x, _y in f["geometry"]["coordinates"][0]]
    assert 106.3 < min(lons) < max(lons) < 106.5  # reprojected from UTM metres to degrees


def test_population_field_replaces_estimates(
    cli_env: Settings, db: psycopg.Connection[object], ward_geojson: Path, tmp_path: Path
) -> None:
    frame = gpd.read_file(ward_geojson)
    frame["dan_so"] = 20_000
    path = tmp_path / "with_population.gpkg"
    frame.to_file(path, driver="GPKG")
    assert main(["geodata", "import", str(path), "--population-field", "dan_so"]) == 0
    rows = db.execute("SELECT population, population_is_estimate FROM wards").fetchall()
    assert set(rows) == {(20_000, False)}


def test_overlapping_file_is_refused_unless_allowed(
    cli_env: Settings,
    db: psycopg.Connection[object],
    ward_geojson: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    frame = gpd.read_file(ward_geojson)
    i = int((frame["code"] == "27694").to_numpy().nonzero()[0][0])
    frame.loc[i, "geometry"] = translate(frame.geometry.iloc[i], xoff=0.004)
    path = tmp_path / "overlap.geojson"
    frame.to_file(path)
    assert main(["geodata", "import", str(path)]) == 1
    assert "27694" in capsys.readouterr().err
    assert all(r["geometry_simplified"] is None for r in load_boundaries(db))
    assert main(["geodata", "import", str(path), "--allow-overlaps"]) == 0
    assert "overlap" in capsys.readouterr().out


def test_missing_field_is_a_clear_error(
    cli_env: Settings, ward_geojson: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["geodata", "import", str(ward_geojson), "--code-field", "MA_XA"]) == 1
    assert "no code field 'MA_XA'" in capsys.readouterr().err


@pytest.fixture
def overpass() -> Iterator[str]:
    """A local stand-in for an Overpass endpoint: one square relation per ward."""
    elements = []
    for i, w in enumerate(wards()):
        x0 = 106.33 + 0.01 * i
        ring = list(box(x0, 10.50, x0 + 0.01, 10.51).exterior.coords)
        elements.append(
            {
                "type": "relation",
                "id": w.osm_relation,
                "members": [
                    {
                        "type": "way",
                        "role": "outer",
                        "geometry": [{"lon": x, "lat": y} for x, y in ring],
                    }
                ],
            }
        )
    body = json.dumps({"elements": elements}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api/interpreter"
    server.shutdown()


def test_fetch_osm_from_local_endpoint(
    cli_env: Settings, db: psycopg.Connection[object], overpass: str
) -> None:
    assert main(["geodata", "fetch-osm", "--overpass-url", overpass]) == 0
    rows = load_boundaries(db)
    assert {r["boundary_source"] for r in rows} == {"osm"}
    assert (
        mapping(box(106.33, 10.50, 106.34, 10.51))["type"] == rows[0]["geometry_simplified"]["type"]
    )
