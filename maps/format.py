"""Vietnamese number formatting (1.234,5) shared by the map figures and the app."""

from __future__ import annotations

import math

__all__ = ["vn_number"]


def vn_number(x: float, decimals: int = 1) -> str:
    """``1234.5`` → ``"1.234,5"`` (Vietnamese: ``.`` groups thousands, ``,`` is the decimal mark).

    NaN and infinity come back as ``"—"``.
    """
    if not math.isfinite(x):
        return "—"
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def number(x: float, lang: str, decimals: int = 1) -> str:
    """``vn_number`` in Vietnamese, ``1,234.5`` in English."""
    if lang == "vi" or not math.isfinite(x):
        return vn_number(x, decimals)
    return f"{x:,.{decimals}f}"
