"""``ioc geodata import`` / ``fetch-osm`` / ``status``: ward boundaries into the ``wards`` table."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pyproj import Geod
from shapely.geometry import shape

from geodata.boundaries import ImportOptions, ImportResult, import_boundaries, import_frame
from geodata.errors import BoundaryError
from geodata.osm import DEFAULT_OVERPASS_URL, fetch_overpass, relations_to_frame
from ioc.config import Settings
from ioc.store.db import connect
from ioc.store.wards import boundary_status, update_populations, upsert_boundaries

__all__ = ["register"]

_GEOD = Geod(ellps="WGS84")


def register(sub: Any) -> None:
    p = sub.add_parser("geodata", help="ward boundaries")
    s = p.add_subparsers(dest="action", required=True)
    imp = s.add_parser("import", help="import a GeoJSON / Shapefile / GeoPackage of the wards")
    imp.add_argument("file")
    _add_import_options(imp)
    imp.add_argument("--code-field", default="code", help="field with the 5-digit GSO code")
    imp.add_argument("--name-field", default="name")
    imp.add_argument("--population-field", default=None, help="official population, if any")
    imp.add_argument("--assume-crs", default=None, help="CRS for a file that declares none")
    imp.set_defaults(func=cmd_import)
    osm = s.add_parser("fetch-osm", help="fetch the wards' OpenStreetMap relations and import")
    osm.add_argument("--overpass-url", default=DEFAULT_OVERPASS_URL)
    _add_import_options(osm)
    osm.set_defaults(func=cmd_fetch_osm)
    st = s.add_parser("status", help="per ward: boundary source and area")
    st.set_defaults(func=cmd_status)


def _add_import_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--allow-overlaps", action="store_true", help="store even if units overlap")
    p.add_argument("--dry-run", action="store_true", help="validate and report, store nothing")


def _store(settings: Settings, result: ImportResult, source: str, dry_run: bool) -> int:
    for line in result.report.lines():
        print(line)
    if dry_run:
        print("dry run: nothing stored")
        return 0
    with connect(settings.database_url, settings.db_schema) as conn:
        n = upsert_boundaries(conn, result.rows(), source)
        p = update_populations(conn, result.populations())
        conn.commit()
    print(f"stored {n} ward boundaries (source {source!r}), {p} populations")
    return 0


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    options = ImportOptions(
        code_field=args.code_field,
        name_field=args.name_field,
        population_field=args.population_field,
        assume_crs=args.assume_crs,
        allow_overlaps=args.allow_overlaps,
    )
    try:
        result = import_boundaries(args.file, options)
    except BoundaryError as exc:
        print(f"ioc geodata import: {exc}", file=sys.stderr)
        return 1
    return _store(settings, result, f"file:{args.file}", args.dry_run)


def cmd_fetch_osm(settings: Settings, args: argparse.Namespace) -> int:
    try:
        frame = relations_to_frame(fetch_overpass(args.overpass_url))
        result = import_frame(
            frame, source="osm", options=ImportOptions(allow_overlaps=args.allow_overlaps)
        )
    except BoundaryError as exc:
        print(f"ioc geodata fetch-osm: {exc}", file=sys.stderr)
        return 1
    return _store(settings, result, "osm", args.dry_run)


def cmd_status(settings: Settings, args: argparse.Namespace) -> int:
    with connect(settings.database_url, settings.db_schema) as conn:
        rows = boundary_status(conn)
    print(f"{'code':6} {'name':22} {'source':28} {'official':>9} {'measured':>9}")
    for r in rows:
        geom = r["geometry"]
        measured = (
            f"{abs(_GEOD.geometry_area_perimeter(shape(geom))[0]) / 1e6:9.3f}"
            if geom
            else "        —"
        )
        print(
            f"{r['code']:6} {r['name']:22} {r['boundary_source']:28} "
            f"{r['area_km2'] or 0:9.3f} {measured}"
        )
    schematic = sum(1 for r in rows if not r["has_geometry"])
    if schematic:
        print(f"{schematic} ward(s) without imported geometry are drawn as a schematic")
    return 0
