"""Device states, defined once for the read model, the maps, the tables and the counts.

``ok`` / ``warning`` / ``alarm`` come from the rules (the step the device's newest
value crosses); ``late`` / ``offline`` from the feed's cadence or a last-will
status; ``no_data`` for a device that has sent no reading.  Computed in
:func:`ioc.rules.feeds.device_state`; colours fixed here so every screen agrees.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["DEVICE_STATES", "STATE_COLORS", "DeviceStateName", "is_up"]

DeviceStateName = Literal["ok", "warning", "alarm", "late", "offline", "no_data"]
# Worst first: the order legends and counts list them in.
DEVICE_STATES: tuple[DeviceStateName, ...] = (
    "alarm", "warning", "late", "offline", "no_data", "ok",
)  # fmt: skip
STATE_COLORS: dict[DeviceStateName, str] = {
    "ok": "#22c55e",
    "warning": "#f59e0b",
    "alarm": "#ef4444",
    "late": "#a78bfa",
    "offline": "#6b7280",
    "no_data": "#d1d5db",
}


def is_up(state: DeviceStateName) -> bool:
    """Counts as online: reporting on time, whatever its values say."""
    return state in ("ok", "warning", "alarm")
