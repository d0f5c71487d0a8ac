"""How numbers, percentages, dates and times read on screen, in Vietnamese and English.

``85,7 %`` and ``1.234,5`` in Vietnamese, ``85.7 %`` and ``1,234.5`` in English;
times are stored in UTC and shown in Asia/Ho_Chi_Minh as ``dd/mm/yyyy HH:MM``;
a missing value is :data:`MISSING` (``–``) everywhere.  Pure: standard library only.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

__all__ = [
    "MISSING",
    "TZ",
    "fmt_date",
    "fmt_datetime",
    "fmt_day_month",
    "fmt_duration",
    "fmt_number",
    "fmt_pct",
    "fmt_time",
    "local",
    "plotly_separators",
]

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MISSING = "–"


def fmt_number(value: float | None, decimals: int = 0, lang: str = "vi") -> str:
    """``1.234,5`` in Vietnamese, ``1,234.5`` in English; ``–`` for missing values."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    text = f"{value:,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def fmt_pct(value: float | None, decimals: int = 1, lang: str = "vi") -> str:
    return MISSING if value is None else f"{fmt_number(value, decimals, lang)} %"


def plotly_separators(lang: str) -> str:
    """Plotly's ``layout.separators`` (decimal mark, then thousands) for ``lang``."""
    return ".," if lang == "en" else ",."


def local(value: datetime | float) -> datetime:
    """An aware datetime (naive ones are UTC) or epoch seconds, in Asia/Ho_Chi_Minh."""
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(value, UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(TZ)


def fmt_datetime(
    value: datetime | float | None, *, seconds: bool = False, date_only: bool = False
) -> str:
    """``dd/mm/yyyy HH:MM`` in Asia/Ho_Chi_Minh, from an aware datetime or epoch seconds."""
    if value is None:
        return MISSING
    at = local(value)
    if date_only:
        return at.strftime("%d/%m/%Y")
    return at.strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def fmt_time(value: datetime | float, *, seconds: bool = False) -> str:
    """``HH:MM`` (or ``HH:MM:SS``) in Asia/Ho_Chi_Minh."""
    return local(value).strftime("%H:%M:%S" if seconds else "%H:%M")


def fmt_date(day: date | str) -> str:
    """``dd/mm/yyyy`` of a local calendar day (a ``date`` or ``"yyyy-mm-dd"``)."""
    return _day(day).strftime("%d/%m/%Y")


def fmt_day_month(day: date | str) -> str:
    """``dd/mm`` of a local calendar day (a ``date`` or ``"yyyy-mm-dd"``): chart axes."""
    return _day(day).strftime("%d/%m")


def _day(day: date | str) -> date:
    return date.fromisoformat(day) if isinstance(day, str) else day


# (seconds, Vietnamese, English) units of a duration, largest first.
_UNITS = ((86_400, "ngày", "d"), (3600, "giờ", "h"), (60, "phút", "min"), (1, "giây", "s"))


def fmt_duration(seconds: float | None, lang: str = "vi") -> str:
    """A response time in its largest unit and the next: ``1 giờ 5 phút`` / ``1 h 5 min``."""
    if seconds is None or not math.isfinite(seconds):
        return MISSING
    left = max(0, round(seconds))
    i = next(i for i, (size, _, _) in enumerate(_UNITS) if left >= size or size == 1)

    def unit(k: int, n: int) -> str:
        return f"{n} {_UNITS[k][2] if lang == 'en' else _UNITS[k][1]}"

    first, rest = divmod(left, _UNITS[i][0])
    if i + 1 < len(_UNITS) and rest // _UNITS[i + 1][0]:
        return f"{unit(i, first)} {unit(i + 1, rest // _UNITS[i + 1][0])}"
    return unit(i, first)
