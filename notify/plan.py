"""Which messages an incident change makes, and what they say.  Pure.

:func:`plan` turns new incident_log rows into outbox items: one per change and
channel (several routes naming one channel still send once), for the routes
whose severity, ward, domain and actions take it, held to the end of a route's
quiet hours when the change is below its ``except_severity``.
:func:`reminders` adds the repeat and escalation messages of incidents nobody
has acknowledged: one per round, so a restarted notifier never sends a round twice.
:func:`payload` is the JSON body every channel starts from (docs/notifications.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from geodata.registry import ward as ward_info
from geodata.registry import ward_codes
from ioc.store.records import IncidentChange, OutboxItem
from notify.config import NotifyConfig, QuietHours, Route
from vocab.fmt import TZ, fmt_datetime
from vocab.text import t

__all__ = ["Titles", "event_name", "payload", "plan", "reminders", "text"]

# (vi, en) titles of an incident change; the notifier renders them from the rules.
Titles = Callable[[IncidentChange], tuple[str, str]]


def _action(c: IncidentChange) -> str:
    """The log row's action, with a cause attached that raised the severity as an escalation."""
    return "escalate" if c.action == "attach" and c.severity_to else c.action


def event_name(c: IncidentChange, kind: str = "change") -> str:
    """``incident.opened``, ``incident.acknowledged``, … ``incident.reminder``."""
    if kind == "repeat":
        return "incident.reminder"
    if kind == "escalate":
        return "incident.escalation"
    if c.action == "open":
        return "incident.opened"
    if _action(c) == "escalate":
        return "incident.escalated"
    if c.to_status == "open" and c.from_status in ("resolved", "closed"):
        return "incident.reopened"
    if c.to_status:
        return f"incident.{c.to_status}"
    return f"incident.{c.action}"


def _ward(code: str | None, lang: str) -> str | None:
    if code is None or code not in ward_codes():
        return code
    w = ward_info(code)
    return w.name_en if lang == "en" else w.name


def payload(
    c: IncidentChange, titles: Titles, base_url: str, kind: str = "change", round_: int = 0
) -> dict[str, Any]:
    """The message body: the incident as it is, and the change that made the message."""
    title_vi, title_en = titles(c)
    return {
        "event": event_name(c, kind),
        "incident_id": c.incident_id,
        "ward_code": c.ward_code,
        "ward_vi": _ward(c.ward_code, "vi"),
        "ward_en": _ward(c.ward_code, "en"),
        "domain": c.domain,
        "kind": c.kind,
        "severity": c.severity,
        "status": c.status,
        "title_vi": title_vi,
        "title_en": title_en,
        "opened_at": c.opened_at.astimezone(UTC).isoformat(),
        "url": f"{base_url.rstrip('/')}/incidents/{c.incident_id}",
        "change": {
            "log_id": c.log_id or None,
            "action": c.action,
            "from_status": c.from_status,
            "to_status": c.to_status,
            "severity_from": c.severity_from,
            "severity_to": c.severity_to,
            "actor": c.actor,
            "note": c.note,
            "at": c.at.astimezone(UTC).isoformat(),
        },
        "round": round_,
    }


def _held(route: Route, severity: str, now: datetime) -> datetime | None:
    """The end of the route's quiet hours when a change of ``severity`` must wait for it."""
    q: QuietHours | None = route.quiet_hours
    if q is None:
        return None
    order = ("low", "medium", "high", "critical")
    if order.index(severity) >= order.index(q.except_severity):
        return None
    local = now.astimezone(TZ)
    if not q.covers(local.time().replace(tzinfo=None)):
        return None
    end = local.replace(hour=q.end.hour, minute=q.end.minute, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end.astimezone(UTC)


def plan(
    changes: Sequence[IncidentChange],
    config: NotifyConfig,
    titles: Titles,
    base_url: str,
    now: datetime,
) -> list[OutboxItem]:
    """The outbox items of these incident changes."""
    out: list[OutboxItem] = []
    for c in changes:
        body: dict[str, Any] | None = None
        sent_to: set[str] = set()
        for route in config.routes:
            if not route.takes(c.severity, c.ward_code, c.domain, _action(c)):
                continue
            held = _held(route, c.severity, now)
            for channel in route.channels:
                if channel in sent_to:
                    continue
                sent_to.add(channel)
                body = body or payload(c, titles, base_url)
                out.append(OutboxItem(f"log:{c.log_id}:{channel}", channel, route.id,
                                      c.incident_id, c.log_id, "change", c.severity, body, held))  # fmt: skip
    return out


def reminders(
    open_incidents: Sequence[IncidentChange],
    config: NotifyConfig,
    titles: Titles,
    base_url: str,
    now: datetime,
) -> list[OutboxItem]:
    """Repeat and escalation messages for incidents still unacknowledged."""
    out: list[OutboxItem] = []
    for c in open_incidents:
        age = (now - c.opened_at).total_seconds()
        for route in config.routes:
            if not route.takes(c.severity, c.ward_code, c.domain, "open"):
                continue
            if route.repeat_every and age >= route.repeat_every:
                n = int(age // route.repeat_every)
                body = payload(c, titles, base_url, "repeat", n)
                for channel in route.channels:
                    key = f"repeat:{route.id}:{c.incident_id}:{n}:{channel}"
                    out.append(OutboxItem(key, channel, route.id, c.incident_id, None, "repeat",
                                          c.severity, body, _held(route, c.severity, now)))  # fmt: skip
            if route.escalate and age >= route.escalate.after:
                body = payload(c, titles, base_url, "escalate", 1)
                for channel in route.escalate.channels:
                    key = f"escalate:{route.id}:{c.incident_id}:{channel}"
                    out.append(OutboxItem(key, channel, route.id, c.incident_id, None,
                                          "escalate", c.severity, body))  # fmt: skip
    return out


def text(body: dict[str, Any], lang: str) -> str:
    """A short plain-text message (chat, e-mail) in ``lang`` ("vi", "en" or "both")."""
    if lang == "both":
        return text(body, "vi") + "\n\n" + text(body, "en")
    event = str(body.get("event", "")).removeprefix("incident.")
    severity, status = str(body["severity"]), str(body["status"])
    title = str(body[f"title_{lang}"])
    lines = [
        f"[{t('sev.' + severity, lang)}] {title}",
        f"{t('notify.event.' + event, lang)} · {t('status.' + status, lang)}",
    ]
    ward = body.get(f"ward_{lang}")
    if ward:
        lines.append(f"{t('col.ward', lang)}: {ward}")
    change = body.get("change") or {}
    if change.get("note"):
        lines.append(f"{t('notify.note', lang)}: {change['note']}")
    opened = datetime.fromisoformat(str(body["opened_at"]))
    lines.append(f"{t('notify.opened', lang)}: {fmt_datetime(opened)}")
    lines.append(str(body["url"]))
    return "\n".join(lines)
