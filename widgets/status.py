"""The data-freshness badge, a device's state badge and the wall clock."""

from __future__ import annotations

from dash import html

from vocab.states import STATE_COLORS, DeviceStateName

__all__ = ["clock", "freshness_badge", "freshness_state", "state_badge"]


def state_badge(state: DeviceStateName, label: str) -> html.Span:
    """A device's state: its fixed colour (:data:`vocab.states.STATE_COLORS`) and its name."""
    return html.Span(
        [html.Span("●", style={"color": STATE_COLORS[state]}), f" {label}"],
        className=f"state state-{state}",
    )


def freshness_state(last_update: float | None, now: float, max_age_s: float) -> str:
    """fresh | stale | never: stale once no update has arrived for ``max_age_s``."""
    if last_update is None:
        return "never"
    return "fresh" if now - last_update <= max_age_s else "stale"


def freshness_badge(state: str, label: str, detail: str) -> html.Span:
    return html.Span(
        [html.Span("●", className="dot"), f" {label}", html.Small(f" {detail}" if detail else "")],
        className=f"badge badge-{state}",
        id="ioc-fresh-badge",
        title=state,
    )


def clock(time_text: str, date_text: str) -> html.Div:
    return html.Div(
        [html.Div(time_text, className="clock-time"), html.Div(date_text, className="clock-date")],
        className="clock",
    )
