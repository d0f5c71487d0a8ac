"""A schematic ward layout built from the facts table, for when no boundaries were imported.

Cells are a *power diagram* (weighted Voronoi) of the approximate centroids,
clipped to a circle around them whose area is the city's official total
(≈81.8 km²).  The weights are tuned for a few dozen iterations so that each
cell's area approaches the ward's official area while every centroid stays
inside its own cell.  With the shipped facts the largest remaining area error
is reported by :func:`schematic_area_errors`: about 9 % for Phường 1 (the
smallest, squeezed by its neighbours), 2 % or less for the rest.  It is *not* a map: every feature carries ``schematic: true``
and figures drawn from it say so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache

import shapely
from pyproj import Transformer
from shapely.affinity import translate
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from geodata.registry import Ward, wards

__all__ = ["schematic_area_errors", "schematic_cells"]

_METRIC = "EPSG:32648"
_BIG = 1e6  # metres; larger than the city many times over
_ITERATIONS = 60


def _half_plane(pi: tuple[float, float], pj: tuple[float, float], wi: float, wj: float) -> Polygon:
    """Points x with |x-pi|² - wi <= |x-pj|² - wj (the side of the power bisector towards pi)."""
    nx, ny = pj[0] - pi[0], pj[1] - pi[1]
    norm = math.hypot(nx, ny)
    ux, uy = nx / norm, ny / norm
    c = (pj[0] ** 2 + pj[1] ** 2 - pi[0] ** 2 - pi[1] ** 2 + wi - wj) / 2.0
    # point on the bisector, then a big rectangle on the pi side
    d = c / norm
    x0, y0 = ux * d, uy * d
    tx, ty = -uy, ux
    return Polygon(
        [
            (x0 + tx * _BIG, y0 + ty * _BIG),
            (x0 - tx * _BIG, y0 - ty * _BIG),
            (x0 - tx * _BIG - ux * _BIG, y0 - ty * _BIG - uy * _BIG),
            (x0 + tx * _BIG - ux * _BIG, y0 + ty * _BIG - uy * _BIG),
        ]
    )


def _power_cells(
    points: Sequence[tuple[float, float]], weights: Sequence[float], clip: BaseGeometry
) -> list[BaseGeometry]:
    cells = []
    for i, pi in enumerate(points):
        cell = clip
        for j, pj in enumerate(points):
            if i != j:
                cell = cell.intersection(_half_plane(pi, pj, weights[i], weights[j]))
        cells.append(cell)
    return cells


def _layout(ws: Sequence[Ward]) -> tuple[list[BaseGeometry], list[float]]:
    """Cells in metres and target areas in m²."""
    to_m = Transformer.from_crs("EPSG:4326", _METRIC, always_xy=True)
    xy = [to_m.transform(w.lon, w.lat) for w in ws]
    cx = sum(p[0] for p in xy) / len(xy)
    cy = sum(p[1] for p in xy) / len(xy)
    pts = [(x - cx, y - cy) for x, y in xy]
    targets = [w.area_km2 * 1e6 for w in ws]
    total = sum(targets)
    clip = Point(0.0, 0.0).buffer(math.sqrt(total / math.pi), quad_segs=32)
    weights = [0.0] * len(pts)
    best = _power_cells(pts, weights, clip)
    best_err = _max_rel_error(best, targets)
    for _ in range(_ITERATIONS):
        trial = [
            w + 0.6 * (t - c.area) * math.sqrt(t) / max(c.length, 1.0)
            for w, t, c in zip(weights, targets, best, strict=True)
        ]
        cells = _power_cells(pts, trial, clip)
        if not all(c.contains(Point(p)) for c, p in zip(cells, pts, strict=True)):
            break  # a centroid would leave its own cell: stop at the last good layout
        weights = trial
        err = _max_rel_error(cells, targets)
        if err < best_err:
            best, best_err = cells, err
    shifted = [translate(c, xoff=cx, yoff=cy) for c in best]
    return shifted, targets


def _max_rel_error(cells: Sequence[BaseGeometry], targets: Sequence[float]) -> float:
    return float(max(abs(c.area - t) / t for c, t in zip(cells, targets, strict=True)))


@cache
def _cells() -> tuple[tuple[str, BaseGeometry], ...]:
    ws = wards()
    cells, _ = _layout(ws)
    to_ll = Transformer.from_crs(_METRIC, "EPSG:4326", always_xy=True)
    out = []
    for w, cell in zip(ws, cells, strict=True):
        ll = shapely.transform(cell, to_ll.transform, interleaved=False)
        out.append((w.code, shapely.set_precision(ll, 1e-6)))
    return tuple(out)


def schematic_cells() -> dict[str, BaseGeometry]:
    """Schematic cell (EPSG:4326 polygon) for every registry ward, by code."""
    return dict(_cells())


def schematic_area_errors() -> dict[str, float]:
    """Relative area error of each schematic cell against the official area."""
    to_m = Transformer.from_crs("EPSG:4326", _METRIC, always_xy=True)
    official = {w.code: w.area_km2 * 1e6 for w in wards()}
    return {
        code: shapely.transform(cell, to_m.transform, interleaved=False).area / official[code] - 1.0
        for code, cell in _cells()
    }
