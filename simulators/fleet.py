"""The simulated device fleet: which devices exist, where, and how often they publish.

Devices are spread round-robin over Tân An's wards and placed around each
ward's centroid with a seeded jitter proportional to the square root of its
area.  Ids are stable for a seed and count (``aq-27694-01``).  Per-ward event
sources (public-service portal, citizen reports, e-government, field alerts,
COVID reporting) and the city-level sources complete the fleet: the security
operations centre (``soc-city``) and the city's own e-government office
(``egov-city``) publish with the reserved city code in the ward position
(:data:`ioc.contract.CITY`), placed at the city hall.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from geodata.registry import Ward, wards
from ioc.contract import CITY

__all__ = ["DEFAULT_COUNTS", "KINDS", "Device", "DeviceKind", "build_fleet", "parse_counts"]

DAY = 86_400.0
LOCAL_MIDNIGHT_UTC = 17 * 3600.0


@dataclass(frozen=True, slots=True)
class DeviceKind:
    prefix: str
    domain: str
    interval_s: float
    default_count: int  # for per-ward sources: per ward (0 or 1)
    per_ward: bool = False
    wards: tuple[str, ...] = ()  # restrict placement (river gauges on the Vàm Cỏ Tây)
    city: bool = False  # one city-level source (count 0 or 1), at the city hall


# Riverside wards of the Vàm Cỏ Tây through Tân An (approximate).
RIVER_WARDS = ("27694", "27685", "27697", "27706", "27712")
CITY_HALL_WARD = "27694"

KINDS: dict[str, DeviceKind] = {
    "air": DeviceKind("aq", "air", 300, 28),
    "river": DeviceKind("wl", "water", 300, 3, wards=RIVER_WARDS),
    "rain": DeviceKind("rg", "water", 300, 14),
    "salinity": DeviceKind("sal", "water", 900, 3, wards=RIVER_WARDS),
    "flood": DeviceKind("fd", "water", 120, 28),
    "traffic": DeviceKind("tf", "traffic", 60, 56),
    "lighting": DeviceKind("ls", "lighting", 300, 84),
    "noise": DeviceKind("ns", "noise", 120, 28),
    "covid": DeviceKind("covid", "health", DAY, 1, per_ward=True),
    "services": DeviceKind("dvc", "services", 60, 1, per_ward=True),
    "reports": DeviceKind("pakn", "reports", 300, 1, per_ward=True),
    "egov": DeviceKind("egov", "egov", 3600, 1, per_ward=True),
    "alerts": DeviceKind("field", "alerts", 60, 1, per_ward=True),
    "security": DeviceKind("soc", "security", 300, 1, city=True),
    "egov_city": DeviceKind("egov", "egov", 3600, 1, city=True),
}

DEFAULT_COUNTS: dict[str, int] = {k: v.default_count for k, v in KINDS.items()}


@dataclass(frozen=True, slots=True)
class Device:
    id: str
    kind: str
    domain: str
    ward: str
    lat: float
    lon: float
    interval_s: float
    phase_s: float  # offset within the interval, so devices do not publish in lock-step
    scale: float  # a per-site factor around 1 (busier road, lower street, bigger cabinet)
    population: int


def _place(w: Ward, rng: random.Random) -> tuple[float, float]:
    radius_km = math.sqrt(w.area_km2) / 2.5
    dlat = max(-2.0, min(2.0, rng.gauss(0, 0.5))) * radius_km / 111.0
    dlon = (
        max(-2.0, min(2.0, rng.gauss(0, 0.5))) * radius_km / (111.0 * math.cos(math.radians(w.lat)))
    )
    return round(w.lat + dlat, 6), round(w.lon + dlon, 6)


def parse_counts(text: str) -> dict[str, int]:
    """``"air=40,traffic=80"`` → counts over the defaults; unknown kinds raise ValueError."""
    counts = dict(DEFAULT_COUNTS)
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, num = part.partition("=")
        if name not in KINDS or not num.isdigit():
            raise ValueError(f"bad device count {part!r}; kinds: {', '.join(KINDS)}")
        counts[name] = int(num)
    return counts


def build_fleet(seed: int = 0, counts: Mapping[str, int] | None = None) -> tuple[Device, ...]:
    """Every simulated device, in a stable order."""
    counts = {**DEFAULT_COUNTS, **(counts or {})}
    rng = random.Random(f"fleet:{seed}")
    all_wards = wards()
    devices: list[Device] = []
    for name, kind in KINDS.items():
        if kind.city:
            devices += _city_sources(name, kind, counts[name], all_wards)
            continue
        pool = [w for w in all_wards if not kind.wards or w.code in kind.wards]
        total = counts[name] * len(pool) if kind.per_ward else counts[name]
        per_ward: dict[str, int] = {}
        for i in range(total):
            w = pool[i % len(pool)]
            per_ward[w.code] = per_ward.get(w.code, 0) + 1
            if kind.per_ward or (kind.wards and len(pool) == 1):
                dev_id = f"{kind.prefix}-{w.code}"
            else:
                dev_id = f"{kind.prefix}-{w.code}-{per_ward[w.code]:02d}"
            lat, lon = _place(w, rng) if not kind.per_ward else (w.lat, w.lon)
            # Daily sources report at local midnight (17:00 UTC).
            phase = (
                LOCAL_MIDNIGHT_UTC if kind.interval_s >= DAY else rng.uniform(0, kind.interval_s)
            )
            devices.append(
                Device(
                    dev_id,
                    name,
                    kind.domain,
                    w.code,
                    lat,
                    lon,
                    kind.interval_s,
                    round(phase, 3),
                    round(math.exp(rng.gauss(0, 0.2)), 3),
                    w.population,
                )
            )
    return tuple(devices)


def _city_sources(
    name: str, kind: DeviceKind, count: int, all_wards: Sequence[Ward]
) -> list[Device]:
    """A city-level source at the city hall, reporting for the whole city's population."""
    if count <= 0:
        return []
    hall = next(w for w in all_wards if w.code == CITY_HALL_WARD)
    population = sum(w.population for w in all_wards)
    phase = LOCAL_MIDNIGHT_UTC if kind.interval_s >= DAY else kind.interval_s / 2
    return [
        Device(f"{kind.prefix}-city", name, kind.domain, CITY, hall.lat, hall.lon,
               kind.interval_s, phase, 1.0, population)
    ]  # fmt: skip
