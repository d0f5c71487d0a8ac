"""Point-in-ward lookup for devices and citizen reports (STRtree of the ward polygons).

``WardIndex(features)`` takes the FeatureCollection from
:mod:`geodata.features`.  A point on a shared border goes to one of the
wards (the first the tree returns).  A point outside every ward but within
``snap_m`` metres (default 200) of one snaps to the nearest ward: device
coordinates from GPS and phones wobble, and the thinned boundaries are
coarse.  Pass ``snap_m=0`` to disable.  The snap distance is converted to
degrees with 111 320 m per degree, which is exact for latitude and about
1.7 % generous for longitude at 10.5° N.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point

from geodata.features import feature_geometries

__all__ = ["DEFAULT_SNAP_M", "WardIndex"]

DEFAULT_SNAP_M = 200.0
_M_PER_DEG = 111_320.0
# Up to this many wards a single lookup tests every prepared polygon in one
# vectorised call, which beats a tree query's per-call overhead.
_SCAN_MAX = 64


class WardIndex:
    """Ward codes by coordinates.  Build once; lookups are thread-safe reads."""

    def __init__(self, features: Mapping[str, Any], *, snap_m: float = DEFAULT_SNAP_M) -> None:
        pairs = feature_geometries(features)
        self.codes: list[str] = [c for c, _ in pairs]
        self.geometries = np.array([g for _, g in pairs], dtype=object)
        shapely.prepare(self.geometries)
        self._tree = shapely.STRtree(self.geometries)
        self.snap_deg = snap_m / _M_PER_DEG
        # Points farther than the snap distance from every ward are rejected by
        # one test against this buffered union before any nearest-ward search.
        self._near = shapely.union_all(self.geometries).buffer(self.snap_deg)
        shapely.prepare(self._near)

    def locate(self, lon: float, lat: float) -> str | None:
        """The ward containing (lon, lat), the nearest within the snap distance, or None."""
        if len(self.codes) <= _SCAN_MAX:
            hits = np.flatnonzero(shapely.intersects_xy(self.geometries, lon, lat))
        else:
            hits = self._tree.query(Point(lon, lat), predicate="intersects")
        if len(hits):
            return self.codes[int(hits.min())]
        if self.snap_deg > 0 and shapely.intersects_xy(self._near, lon, lat):
            near = self._tree.query_nearest(Point(lon, lat), max_distance=self.snap_deg)
            if len(near):
                return self.codes[int(near.min())]
        return None

    def locate_many(self, lons: Sequence[float], lats: Sequence[float]) -> list[str | None]:
        """Vectorised :meth:`locate`: one tree query for all points."""
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        none = len(self.codes)
        found = np.full(len(points), none, dtype=np.int64)
        src, tgt = self._tree.query(points, predicate="intersects")
        np.minimum.at(found, src, tgt)  # lowest ward index wins, as in locate()
        missing = np.flatnonzero(found == none)
        if len(missing):
            missing = missing[shapely.intersects(self._near, points[missing])]
        if self.snap_deg > 0 and len(missing):
            s, t = self._tree.query_nearest(points[missing], max_distance=self.snap_deg)
            np.minimum.at(found, missing[s], t)
        found[found == none] = -1
        return [self.codes[i] if i >= 0 else None for i in found.tolist()]
