"""Incident text at display time: titles from the structured cause, values, log entries and
refusals, in the reader's language and number format.

Pure (the catalogue, :mod:`vocab.text` and :mod:`vocab.fmt`): the pages, the wall
and the API render the same words.  A title never names the ward: lists show the
ward in its own column, and :func:`place` names it where there is none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ioc.contract.catalogue import CATALOGUE, EVENT_TYPES, Metric
from ioc.errors import ActionRefused
from ioc.model import IncidentCause
from ioc.rules.render import cause_message
from vocab.fmt import MISSING, fmt_number
from vocab.text import t, t_code

__all__ = [
    "action_label",
    "cause_title",
    "describe_refusal",
    "fmt_value",
    "log_label",
    "log_note",
    "place",
    "title",
]


def _metric(cause: IncidentCause) -> Metric | None:
    dom = CATALOGUE.get(cause.domain)
    return dom.metrics.get(cause.metric or "") if dom else None


def _decimals(level: float | None) -> int:
    """Digits a value is shown with, from its alarm level: 151 µg/m³, 36,8 cm, 1,92 m."""
    if level is None:
        return 1
    own = len(f"{abs(level):g}".partition(".")[2])  # 1.85 → 2: as precise as the level itself
    return min(3, max(own, 0 if abs(level) >= 100 else 1))


def fmt_value(value: float | None, cause: IncidentCause, lang: str) -> str:
    """``value`` in the cause's unit and the reader's number format: ``85,7 %`` in Vietnamese."""
    if value is None:
        return MISSING
    number = fmt_number(value, _decimals(cause.threshold), lang)
    return f"{number} {cause.unit}".strip() if cause.unit else number


def cause_title(cause: IncidentCause, lang: str) -> str:
    """What the cause is, in ``lang``: "Ngập đường vượt ngưỡng báo động: 36,8 cm (ngưỡng 30,0 cm)";
    for a finding of the rules file, its rule's message (from the rules in force)."""
    if cause.rule is not None:
        message = cause_message(cause.to_json(), lang)
        if message is not None:
            return message
    m = _metric(cause)
    if cause.metric is not None:
        label = m.label(lang) if m else cause.metric
        key = "title.alarm.low" if m is not None and m.bad == "low" else "title.alarm.high"
        return t(
            key,
            lang,
            metric=label,
            value=fmt_value(cause.value, cause, lang),
            threshold=fmt_value(cause.threshold, cause, lang),
        )
    et = EVENT_TYPES.get(cause.kind)
    label = et.label(lang) if et else cause.kind
    if cause.category:
        label = f"{label} ({t_code('cat', cause.category, lang)})"
    return f"{label}: {cause.text}" if cause.text else label


def title(cause: Mapping[str, Any], stored: str, lang: str, *, value: float | None = None) -> str:
    """An incident's title from its stored cause, with its current ``value`` when it has one;
    the stored text for incidents stored before causes were data."""
    parsed = IncidentCause.from_json(dict(cause))
    if parsed is None:
        return stored
    if value is not None and parsed.metric is not None:
        parsed = replace(parsed, value=value)
    return cause_title(parsed, lang)


def place(ward_code: str | None, names: Mapping[str, str], lang: str) -> str:
    """Where an incident is: its ward's name, or "Toàn thành phố" for a city-level one."""
    if ward_code is None:
        return t("city", lang)
    return names.get(ward_code, ward_code)


def action_label(action: str, lang: str) -> str:
    return t_code("act", action, lang)


def log_label(action: str, lang: str) -> str:
    """The timeline's word for a log row's action ("Đã tiếp nhận" / "Acknowledged")."""
    return t_code("log", action, lang)


def log_note(action: str, note: str, lang: str) -> str:
    """A log row's note: automatic notes are codes (translated), people's notes show as written."""
    if action == "auto_resolve" and f"autonote.{note}" in _KNOWN_NOTES:
        return t(f"autonote.{note}", lang)
    return note


_KNOWN_NOTES = {"autonote.alarm_cleared", "autonote.alert.resolved", "autonote.feed_back"}


def describe_refusal(exc: ActionRefused, lang: str) -> str:
    """Why an action was refused, in ``lang``, with its codes translated."""
    params: dict[str, object] = dict(exc.params)
    if isinstance(params.get("action"), str):
        params["action"] = action_label(str(params["action"]), lang)
    if isinstance(params.get("did"), str):
        params["did"] = log_label(str(params["did"]), lang)
    if isinstance(params.get("status"), str):
        params["status"] = t_code("status", str(params["status"]), lang)
    if isinstance(params.get("field"), str):
        params["field"] = t_code("inc", str(params["field"]), lang)
    return t(exc.key, lang, **params) if params else t(exc.key, lang)
