"""Text from the field, made safe to show: one place for what the wall may display.

Citizen reports, alert titles and device names arrive from outside.  :func:`display_text`
drops bidirectional controls (U+202E "right-to-left override" turned text around on the
wall) and other control and invisible formatting characters; :func:`plotly_text` also
escapes ``&``, ``<`` and ``>`` for Plotly, whose hover labels and annotations render a
subset of HTML (``<b>``, ``<a href>``, ``<span style>``).  Pure: no I/O.
"""

from __future__ import annotations

import html
import re

__all__ = ["display_text", "plotly_text"]

# C0/C1 controls except tab and line breaks, the bidi embeddings / overrides / isolates and
# marks, zero-width characters, line / paragraph separators and the byte-order mark.
_HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)


def display_text(value: object) -> str:
    """``value`` as text without bidi or control characters (``None`` is empty)."""
    return "" if value is None else _HIDDEN.sub("", str(value))


def plotly_text(value: object) -> str:
    """:func:`display_text`, escaped so Plotly shows markup as text instead of rendering it."""
    return html.escape(display_text(value), quote=False)
