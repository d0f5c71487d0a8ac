"""Test data that lives outside the repository: the shared/ folder beside the checkout.

The Tân An boundary files have an unclear licence, so they are read from
there, never copied in.  A missing file fails the test with a clear message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_GEODATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "geodata"


@pytest.fixture(scope="session")
def real_file() -> Path:
    """The real ward boundaries (14 polygons, WGS84)."""
    path = SHARED_GEODATA / "tan_an_wards.geojson"
    if not path.exists():
        pytest.fail(f"test data missing: {path} (put the shared/ folder beside the checkout)")
    return path
