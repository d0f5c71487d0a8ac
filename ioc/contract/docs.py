"""Render the metric catalogue as Markdown (docs/contract.md is generated from it)."""

from __future__ import annotations

from ioc.contract.catalogue import CATALOGUE
from ioc.contract.errors import Reason
from ioc.contract.messages import MAX_PAYLOAD
from ioc.contract.topics import CITY

__all__ = ["render_markdown"]

_REASONS = {
    Reason.BAD_TOPIC: "topic outside `{root}/{ward}/{domain}/{device}/{kind}` or a malformed part",
    Reason.TOO_LARGE: f"payload over {MAX_PAYLOAD // 1024} KiB, or event attrs over 16 KiB",
    Reason.NOT_UTF8: "payload is not UTF-8",
    Reason.MALFORMED_JSON: "payload is not JSON",
    Reason.BAD_SHAPE: "JSON of the wrong shape (missing `values`, `id`, `type`; wrong types;"
    " a control character in an id, a type or a text attribute)",
    Reason.UNKNOWN_WARD: "ward code not in the registry, or the city code on something not city-level",
    Reason.UNKNOWN_DOMAIN: "domain not in the catalogue, or telemetry on an event domain",
    Reason.UNKNOWN_METRIC: "metric not in the domain's catalogue",
    Reason.UNKNOWN_EVENT_TYPE: "event type not in the domain's catalogue",
    Reason.NON_FINITE: "NaN, Infinity, or a number that overflows a double",
    Reason.OUT_OF_RANGE: "value outside the metric's valid physical range",
    Reason.BAD_TIMESTAMP: "`ts` not RFC 3339, or without a UTC offset",
    Reason.TS_IN_FUTURE: "`ts` more than 5 minutes ahead of the receive time",
    Reason.TS_TOO_OLD: "`ts` older than the retention window",
}


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def _cadence(seconds: float) -> str:
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size:g} {unit}"
    return f"{seconds:g} s"


def render_markdown() -> str:
    out = [
        "# Wire contract: catalogue",
        "",
        "Generated from `ioc/contract/catalogue.py` by `ioc contract docs`; a test checks it",
        "is current. Topics and payloads: see README.md § Wire contract.",
        "",
        "## Telemetry metrics",
        "",
        "Cadence: how often a device is expected to send the metric; a feed is late, then",
        "offline, after several cadences without a message (`feeds` in the rules file,",
        "docs/rules.md). Warning and alarm levels here colour the maps' defaults; alarms and",
        "incidents come from the rules file.",
        "",
        "| domain | metric | unit | valid range | warning | alarm | bad when | cadence | tiếng Việt"
        " | English |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for d in CATALOGUE.values():
        for m in d.metrics.values():
            out.append(
                f"| {d.name} | `{m.name}` | {m.unit} | {_num(m.min)} – {_num(m.max)} | "
                f"{_num(m.warning)} | {_num(m.alarm)} | {m.bad} | {_cadence(d.cadence(m.name))} | "
                f"{m.label_vi} | {m.label_en} |"
            )
    out += ["", "## Event types", "", "| domain | type | severity | tiếng Việt | English |",
            "|---|---|---|---|---|"]  # fmt: skip
    for d in CATALOGUE.values():
        for e in d.events.values():
            out.append(f"| {d.name} | `{e.name}` | {e.severity} | {e.label_vi} | {e.label_en} |")
    city = ", ".join(f"`{d.name}`" for d in CATALOGUE.values() if d.city)
    out += [
        "",
        "## City-level sources",
        "",
        "A source that belongs to the whole city, not to one ward, publishes with the reserved",
        f"code `{CITY}` in the ward position: `tanan/v1/{CITY}/security/soc/event`. It is accepted",
        f"for events of the city-level domains ({city}) only; telemetry, status messages and",
        "other domains under it are rejected as `unknown_ward`. Such events are stored with",
        f"`events.ward_code = '{CITY}'`; the incidents they open have no ward",
        "(`incidents.ward_code` NULL) and show as city-level, never on a ward's page. Added to",
        "`tanan/v1` without changing anything a ward source sends.",
    ]
    out += [
        "",
        "## Rejection reasons (`dead_letters.reason`)",
        "",
        "| reason | when |",
        "|---|---|",
    ]
    for reason in Reason:
        out.append(f"| `{reason.value}` | {_REASONS[reason]} |")
    out.append("| `store_rejected` | the database refused the row (kept with its error) |")
    return "\n".join(out) + "\n"
