"""Assembling ward polygons from a hand-written Overpass ``out geom`` response."""

from __future__ import annotations

from typing import Any

import pytest

from geodata.errors import BoundaryError
from geodata.osm import assemble_relation, overpass_query, relations_to_frame
from geodata.registry import ward

P1, P2 = ward("27694"), ward("27688")


def _way(ref: int, role: str, coords: list[tuple[float, float]]) -> dict[str, Any]:
    return {
        "type": "way",
        "ref": ref,
        "role": role,
        "geometry": [{"lat": lat, "lon": lon} for lon, lat in coords],
    }


# Two adjacent squares sharing the edge x = 106.41; the first is split into two
# member ways (as OSM relations are), the second has an inner ring (a hole).
RESPONSE: dict[str, Any] = {
    "version": 0.6,
    "elements": [
        {
            "type": "relation",
            "id": P1.osm_relation,
            "tags": {"name": "Phường 1", "boundary": "administrative"},
            "members": [
                _way(1, "outer", [(106.40, 10.53), (106.41, 10.53), (106.41, 10.54)]),
                _way(2, "outer", [(106.41, 10.54), (106.40, 10.54), (106.40, 10.53)]),
                {"type": "node", "ref": 9, "role": "admin_centre", "lat": 10.535, "lon": 106.405},
            ],
        },
        {
            "type": "relation",
            "id": P2.osm_relation,
            "tags": {"name": "Phường 2"},
            "members": [
                _way(
                    3,
                    "outer",
                    [
                        (106.41, 10.53),
                        (106.42, 10.53),
                        (106.42, 10.54),
                        (106.41, 10.54),
                        (106.41, 10.53),
                    ],
                ),
                _way(
                    4,
                    "inner",
                    [
                        (106.414, 10.534),
                        (106.416, 10.534),
                        (106.416, 10.536),
                        (106.414, 10.536),
                        (106.414, 10.534),
                    ],
                ),
            ],
        },
        {"type": "relation", "id": 1, "members": []},  # not one of ours: ignored
    ],
}


def test_query_names_relations() -> None:
    q = overpass_query([8405646, 8405647])
    assert q.startswith("[out:json]") and "relation(id:8405646,8405647)" in q
    assert q.endswith("out geom;")


def test_assembles_split_outer_and_inner() -> None:
    first = assemble_relation(RESPONSE["elements"][0])
    assert first.is_valid and first.area == pytest.approx(0.0001)
    second = assemble_relation(RESPONSE["elements"][1])
    assert second.geom_type == "Polygon" and len(second.interiors) == 1
    assert second.area == pytest.approx(0.0001 - 0.000004)
    assert first.touches(second)


def test_frame_maps_relations_to_codes() -> None:
    frame = relations_to_frame(RESPONSE)
    assert list(frame["code"]) == ["27694", "27688"]
    assert frame.crs.to_epsg() == 4326


def test_open_ring_is_an_error() -> None:
    broken = {"id": 5, "members": [_way(1, "outer", [(0, 0), (1, 0), (1, 1)])]}
    with pytest.raises(BoundaryError, match="relation 5: outer ways do not close"):
        assemble_relation(broken)


def test_response_without_our_relations() -> None:
    with pytest.raises(BoundaryError, match="none of the wards"):
        relations_to_frame({"elements": []})
