"""Rule messages in Vietnamese and English, from a finding's structured cause.

:func:`cause` is what an incident stores about a rule's finding (rule, step,
metric, value, level, device, ward…) as data; :func:`render` fills the rule's
template for one language from it, with names, numbers and durations in that
language (``85,7`` vi, ``85.7`` en).  Rendering at display time means a title
follows the reader's language and the incident's newest value.  Pure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from geodata.registry import ward as ward_info
from geodata.registry import ward_codes
from ioc.contract.catalogue import CATALOGUE
from ioc.rules.evaluator import Finding
from ioc.rules.loader import in_force
from ioc.rules.schema import DERIVED, Rule
from vocab.fmt import fmt_duration, fmt_number
from vocab.text import t

__all__ = ["cause", "cause_message", "decimals", "metric_label", "metric_unit", "render"]


def metric_label(domain: str, metric: str, lang: str) -> str:
    m = CATALOGUE[domain].metrics.get(metric) if domain in CATALOGUE else None
    if m is not None:
        return m.label(lang)
    return t("metric.any" if metric == "*" else f"metric.{metric}", lang)


def metric_unit(domain: str, metric: str) -> str:
    m = CATALOGUE[domain].metrics.get(metric) if domain in CATALOGUE else None
    if m is not None:
        return m.unit
    return DERIVED.get(domain, {}).get(metric, "")


def decimals(level: float | None) -> int:
    """Digits a value is shown with, from its level (as the incident titles show them):
    as precise as the level itself, at least one below 100 — 151, 36,8 cm, 1,92 m."""
    if level is None:
        return 1
    own = len(f"{abs(level):g}".partition(".")[2])
    return min(3, max(own, 0 if abs(level) >= 100 else 1))


def _ward_name(code: str, lang: str) -> str:
    if code not in ward_codes():
        return code
    w = ward_info(code)
    return w.name_en if lang == "en" else w.name


def cause(f: Finding) -> dict[str, Any]:
    """A finding as the data an incident keeps: enough to render its title in any language."""
    out: dict[str, Any] = {
        "rule": f.rule.id,
        "step": f.step,
        "domain": f.domain,
        "metric": f.metric,
        "unit": metric_unit(f.domain, f.metric),
        "value": f.value,
        "peak": f.peak,
        "level": f.level,
        "ward": f.ward,
        "device": f.device,
        "time": f.time.isoformat(),
    }
    out.update(f.cause)
    return out


def _num(value: object, lang: str, places: int) -> str:
    if not isinstance(value, int | float) or not math.isfinite(value):
        return "–"
    return fmt_number(float(value), places, lang)


def render(rule: Rule, detail: Mapping[str, Any], lang: str) -> str:
    """The rule's message in ``lang`` for a stored cause (:func:`cause`)."""
    domain, metric = str(detail.get("domain", "")), str(detail.get("metric", ""))
    step = int(detail.get("step") or 1)
    st = rule.steps[min(max(step, 1), len(rule.steps)) - 1]
    level = detail.get("level")
    places = (
        0 if metric in ("vn_aqi", "fault_pct")
        else decimals(float(level) if isinstance(level, int | float) else None)
    )  # fmt: skip
    silent = detail.get("value") if rule.condition == "no_data" else None
    fields = {
        "ward": _ward_name(str(detail.get("ward", "")), lang),
        "ward_code": str(detail.get("ward", "")),
        "device": str(detail.get("device", "")),
        "metric": metric_label(domain, metric, lang) if domain else "",
        "value": _num(detail.get("value"), lang, places),
        "unit": str(detail.get("unit", "")),
        "level": _num(detail.get("level"), lang, places),
        "step": st.label_en if lang == "en" else st.label_vi,
        "rule": rule.label(lang),
        "silent": fmt_duration(float(silent), lang) if isinstance(silent, int | float) else "",
    }
    template = rule.message.en if lang == "en" else rule.message.vi
    return template.format(**fields)


def cause_message(cause: Mapping[str, Any], lang: str) -> str | None:
    """The message of the rule a stored incident cause names (``rule``, ``step``), from the
    rules in force; None when it names none, or a rule no longer in force."""
    rule_id = cause.get("rule")
    if not isinstance(rule_id, str):
        return None
    rule = in_force().rule(rule_id)
    if rule is None:
        return None
    detail = {
        "domain": cause.get("domain", ""),
        "metric": cause.get("metric") or "*",
        "step": cause.get("step") or 1,
        "value": cause.get("value"),
        "level": cause.get("threshold"),
        "unit": cause.get("unit", ""),
        "ward": cause.get("ward_code") or "",
        "device": cause.get("device") or "",
    }
    return render(rule, detail, lang)
