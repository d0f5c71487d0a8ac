"""Planning notifications (pure): routes, quiet hours, reminders, the body, the channels file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ioc.config import NotifySettings
from ioc.store.records import IncidentChange
from notify.config import NotifyError, load_notify, parse_notify
from notify.plan import event_name, payload, plan, reminders, text

NOW = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)  # 23:00 in Tân An


def change(**kw: Any) -> IncidentChange:
    base: dict[str, Any] = {
        "log_id": 10, "at": NOW, "actor": "ingest", "action": "open", "from_status": None,
        "to_status": "open", "severity_from": None, "severity_to": "high", "note": "",
        "incident_id": 5, "opened_at": NOW, "ward_code": "27694", "domain": "water",
        "kind": "level.alarm", "severity": "high", "status": "open", "title": "Mực nước",
        "cause": {}, "current_value": None,
    }  # fmt: skip
    base.update(kw)
    return IncidentChange(**base)


def titles(c: IncidentChange) -> tuple[str, str]:
    return c.title, "Water level"


CONFIG = parse_notify("""
channels:
  - {id: ops, kind: webhook, url: "http://127.0.0.1:9/ops"}
  - {id: boss, kind: webhook, url: "http://127.0.0.1:9/boss"}
routes:
  - id: night
    channels: [ops]
    min_severity: medium
    quiet_hours: {from: "22:00", to: "06:00", except_severity: critical}
    repeat_every: 10m
    escalate: {after: 30m, channels: [boss]}
""")


def test_quiet_hours_hold_all_but_critical_until_they_end() -> None:
    (held,) = plan([change()], CONFIG, titles, "http://ioc", NOW)
    assert held.not_before == datetime(2026, 11, 26, 23, 0, tzinfo=UTC)  # 06:00 local
    (now,) = plan([change(log_id=11, severity="critical")], CONFIG, titles, "http://ioc", NOW)
    assert now.not_before is None
    day = NOW + timedelta(hours=10)  # 09:00 local
    (sent,) = plan([change()], CONFIG, titles, "http://ioc", day)
    assert sent.not_before is None and sent.dedup_key == "log:10:ops"
    assert plan([change(severity="low")], CONFIG, titles, "http://ioc", day) == []
    assert plan([change(action="comment")], CONFIG, titles, "http://ioc", day) == []


def test_reminders_once_per_round_then_escalation() -> None:
    c = change()
    assert reminders([c], CONFIG, titles, "u", NOW + timedelta(minutes=5)) == []
    r1 = reminders([c], CONFIG, titles, "u", NOW + timedelta(minutes=12))
    again = reminders([c], CONFIG, titles, "u", NOW + timedelta(minutes=19))
    assert [i.dedup_key for i in r1] == [i.dedup_key for i in again] == ["repeat:night:5:1:ops"]
    late = reminders([c], CONFIG, titles, "u", NOW + timedelta(minutes=31))
    assert [(i.dedup_key, i.kind) for i in late] == [
        ("repeat:night:5:3:ops", "repeat"), ("escalate:night:5:boss", "escalate"),
    ]  # fmt: skip
    assert late[1].payload["event"] == "incident.escalation"


def test_the_body_and_its_text_in_both_languages() -> None:
    body = payload(change(note="đang xử lý", to_status="acknowledged", from_status="open",
                          action="transition", status="acknowledged"), titles, "http://ioc/")  # fmt: skip
    assert body["event"] == "incident.acknowledged"
    assert body["url"] == "http://ioc/incidents/5" and body["ward_vi"] == "Phường 1"
    assert (body["title_vi"], body["title_en"]) == ("Mực nước", "Water level")
    vi, en = text(body, "vi"), text(body, "en")
    assert vi.startswith("[Cao] Mực nước") and "Đã tiếp nhận" in vi and "đang xử lý" in vi
    assert en.startswith("[High] Water level") and "Acknowledged" in en
    assert text(body, "both") == vi + "\n\n" + en
    assert event_name(change(action="auto_resolve", to_status="resolved")) == "incident.resolved"
    attached = change(action="attach", severity_from="high", severity_to="critical")
    assert event_name(attached) == "incident.escalated"  # a cause that raised the severity
    assert (
        plan(
            [change(action="attach", severity_to=None)],
            CONFIG,
            titles,
            "u",
            NOW + timedelta(hours=10),
        )
        == []
    )  # a cause attached, nothing else: no message
    reopened = change(action="transition", from_status="resolved", to_status="open")
    assert event_name(reopened) == "incident.reopened"


def test_bad_channel_files_name_the_key_path() -> None:
    with pytest.raises(NotifyError, match=r"channels\.0\.webhook\.urll: Extra inputs"):
        parse_notify("channels: [{id: a, kind: webhook, urll: x}]")
    with pytest.raises(NotifyError, match="route 'r' names unknown channel 'nope'"):
        parse_notify("channels: []\nroutes: [{id: r, channels: [nope]}]")
    with pytest.raises(
        NotifyError, match=r"channels\.0\.token: environment variable TG is not set"
    ):
        parse_notify("channels: [{id: t, kind: telegram, token: '${TG}', chat_id: '1'}]", env={})
    with pytest.raises(NotifyError, match=r"channels\.0\.email\.to"):
        parse_notify("channels: [{id: m, kind: email, host: h, sender: a@b.vn, to: []}]")


def test_quick_wiring_is_a_webhook_route_of_high_or_worse() -> None:
    config = load_notify(NotifySettings(webhook_url="http://127.0.0.1:9/x"))
    (ch,) = config.channels
    (route,) = config.routes
    assert ch.kind == "webhook" and route.min_severity == "high" and route.channels == ("webhook",)
    assert load_notify(NotifySettings()).channels == ()
    secret = NotifySettings(webhook_url="http://h/x", webhook_secret="hush-4711")  # type: ignore[arg-type]
    assert "hush-4711" not in repr(secret) and "hush-4711" not in repr(load_notify(secret))


def test_channel_secrets_are_masked_in_log_lines() -> None:
    """Security: a bot token is part of Telegram's URL and an SMTP password may show in an
    error; the notifier hands every channel secret to the log redactor."""
    from ioc.logsafe import redact

    config = parse_notify(
        """
channels:
  - {id: tg, kind: telegram, token: "${TG}", chat_id: "1"}
  - {id: zl, kind: zalo, access_token: "${ZL}", user_ids: [u]}
  - {id: m, kind: email, host: h, sender: a@b.vn, to: [c@d.vn], password: "${PW}"}
  - {id: w, kind: webhook, url: "http://h/x", secret: "${WH}"}
""",
        env={
            "TG": "123456:AAbbCC",
            "ZL": "zalo-oa-token-9",
            "PW": "smtp-pass-77",
            "WH": "hook-key-55",
        },
    )
    assert sorted(config.secrets()) == sorted(
        ["123456:AAbbCC", "zalo-oa-token-9", "smtp-pass-77", "hook-key-55"]
    )
    line = "POST https://api.telegram.org/bot123456:AAbbCC/sendMessage failed; login smtp-pass-77"
    assert redact(line, config.secrets()) == (
        "POST https://api.telegram.org/bot***/sendMessage failed; login ***"
    )
