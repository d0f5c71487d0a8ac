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
from ioc.rules.schema import DERIVED, Rule
from vocab.fmt import fmt_duration, fmt_number
from vocab.text import t

__all__ = ["cause", "decimals", "metric_label", "metric_unit", "render"]


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


def decimals(value: float) -> int:
    """Enough decimals to read a value: none from 100, one from 10, two below."""
    size = abs(value)
    return 0 if size >= 100 else 1 if size >= 10 else 2


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


def _num(value: object, lang: str, places: int | None = None) -> str:
    if not isinstance(value, int | float) or not math.isfinite(value):
        return "–"
    return fmt_number(float(value), decimals(float(value)) if places is None else places, lang)


def render(rule: Rule, detail: Mapping[str, Any], lang: str) -> str:
    """The rule's message in ``lang`` for a stored cause (:func:`cause`)."""
    domain, metric = str(detail.get("domain", "")), str(detail.get("metric", ""))
    step = int(detail.get("step") or 1)
    st = rule.steps[min(max(step, 1), len(rule.steps)) - 1]
    places = 0 if metric in ("vn_aqi", "fault_pct") else None
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
