"""The live state keeps a device's position from whichever reading carried it."""

from __future__ import annotations

from ioc.live import DeviceValue, positions


def test_position_survives_a_newer_reading_without_one() -> None:
    # Two coalesced batches: the first message carried the position, the next did not.
    values = [
        DeviceValue("aq-1", "27694", "air", "pm25", 12.0, 100.0, 10.53, 106.41),
        DeviceValue("aq-1", "27694", "air", "pm25", 13.0, 160.0),
        DeviceValue("aq-2", "27694", "air", "pm25", 9.0, 160.0),
    ]
    assert positions(values) == {"aq-1": (10.53, 106.41)}


def test_newest_position_wins() -> None:
    values = [
        DeviceValue("tf-1", "27694", "traffic", "speed_kmh", 30.0, 200.0, 10.6, 106.5),
        DeviceValue("tf-1", "27694", "traffic", "speed_kmh", 31.0, 100.0, 10.5, 106.4),
    ]
    assert positions(values) == {"tf-1": (10.6, 106.5)}
