"""The channel adapters: one function per kind that delivers one message or raises.

* webhook — JSON POST of the body; with a secret, ``X-IOC-Signature: sha256=<hex>``
  is the HMAC-SHA256 of ``"{X-IOC-Timestamp}." + body``; ``X-IOC-Delivery`` is the
  outbox id (the same on a retry: receivers deduplicate on it);
* email — SMTP, STARTTLS (default) or SMTPS, optional login;
* telegram — Bot API ``POST {base_url}/bot{token}/sendMessage``;
* zalo — Official Account API ``POST {base_url}/v3.0/oa/message/cs`` with the
  ``access_token`` header, once per follower id.

Standard library only (urllib, smtplib).  Errors leave as :class:`DeliveryError`
with secrets scrubbed from the text (a bot token is part of Telegram's URL).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from typing import Any

from notify.config import Email, Telegram, Webhook, Zalo
from notify.plan import text

__all__ = ["DeliveryError", "send", "sign"]

USER_AGENT = "tanan-ioc-notify/1"


class DeliveryError(Exception):
    """The channel did not take the message; ``retry_after`` when it said how long to wait."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The webhook signature header's value."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _post(
    url: str, body: bytes, headers: dict[str, str], timeout: float, secrets: list[str]
) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, method="POST")
    req.add_header("Content-Type", "application/json; charset=utf-8")
    req.add_header("User-Agent", USER_AGENT)
    for k, v in headers.items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(
            req, timeout=timeout
        ) as resp:  # http(s) only, checked by the config
            return int(resp.status), resp.read(65536)
    except urllib.error.HTTPError as exc:
        answer = exc.read(2048).decode("utf-8", "replace")
        wait = _retry_after(exc.headers.get("Retry-After")) if exc.headers else None
        raise DeliveryError(_scrub(f"HTTP {exc.code}: {answer[:300]}", secrets), wait) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(_scrub(f"{type(exc).__name__}: {reason}", secrets)) from None


def _scrub(message: str, secrets: list[str]) -> str:
    for s in secrets:
        if s:
            message = message.replace(s, "***")
    return message


def _webhook(ch: Webhook, body: dict[str, Any], delivery: int, timeout: float) -> str:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    ts = str(int(time.time()))
    headers = dict(ch.headers)
    headers.update(
        {"X-IOC-Event": str(body.get("event", "")), "X-IOC-Delivery": str(delivery),
         "X-IOC-Timestamp": ts}
    )  # fmt: skip
    secrets = []
    if ch.secret is not None:
        secret = ch.secret.get_secret_value()
        headers["X-IOC-Signature"] = sign(secret, ts, data)
        secrets.append(secret)
    status, _ = _post(ch.url, data, headers, timeout, secrets)
    return f"HTTP {status}"


def _telegram(ch: Telegram, body: dict[str, Any], timeout: float) -> str:
    token = ch.token.get_secret_value()
    url = f"{ch.base_url.rstrip('/')}/bot{token}/sendMessage"
    msg = {"chat_id": ch.chat_id, "text": text(body, ch.lang), "disable_web_page_preview": True}
    data = json.dumps(msg, ensure_ascii=False).encode()
    try:
        status, raw = _post(url, data, {}, timeout, [token])
    except DeliveryError as exc:
        raise DeliveryError(str(exc), exc.retry_after or _telegram_wait(str(exc))) from None
    answer = json.loads(raw or b"{}")
    if not answer.get("ok"):
        raise DeliveryError(_scrub(f"Telegram: {answer.get('description', answer)}", [token]))
    return f"HTTP {status} message {answer.get('result', {}).get('message_id', '?')}"


def _telegram_wait(error: str) -> float | None:
    """Telegram says how long to wait on 429 in the JSON body (parameters.retry_after)."""
    _, _, doc = error.partition(": ")
    try:
        return float(json.loads(doc).get("parameters", {}).get("retry_after"))
    except (ValueError, TypeError, AttributeError):
        return None


def _zalo(ch: Zalo, body: dict[str, Any], timeout: float) -> str:
    token = ch.access_token.get_secret_value()
    url = f"{ch.base_url.rstrip('/')}/v3.0/oa/message/cs"
    sent = []
    for user in ch.user_ids:
        msg = {"recipient": {"user_id": user}, "message": {"text": text(body, ch.lang)}}
        _, raw = _post(url, json.dumps(msg, ensure_ascii=False).encode(),
                       {"access_token": token}, timeout, [token])  # fmt: skip
        answer = json.loads(raw or b"{}")
        if answer.get("error") != 0:
            raise DeliveryError(
                _scrub(f"Zalo {answer.get('error')}: {answer.get('message', '')}", [token])
            )
        sent.append(str(answer.get("data", {}).get("message_id", "?")))
    return "Zalo messages " + ", ".join(sent)


def _email(ch: Email, body: dict[str, Any], delivery: int, timeout: float) -> str:
    msg = EmailMessage()
    lang = "vi" if ch.lang == "both" else ch.lang
    sev = body.get("severity", "")
    msg["Subject"] = f"[IOC Tân An] [{sev}] {body.get(f'title_{lang}', '')}"
    msg["From"] = ch.sender
    msg["To"] = ", ".join(ch.to)
    msg["X-IOC-Delivery"] = str(delivery)
    msg["X-IOC-Event"] = str(body.get("event", ""))
    msg.set_content(text(body, ch.lang))
    context = ssl.create_default_context(cafile=str(ch.ca_file) if ch.ca_file else None)
    password = ch.password.get_secret_value() if ch.password else ""
    try:
        smtp: smtplib.SMTP
        if ch.ssl:
            smtp = smtplib.SMTP_SSL(ch.host, ch.port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(ch.host, ch.port, timeout=timeout)
        with smtp:
            if ch.starttls and not ch.ssl:
                smtp.starttls(context=context)
            if ch.username:
                smtp.login(ch.username, password)
            refused = smtp.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(_scrub(f"SMTP {type(exc).__name__}: {exc}", [password])) from None
    if refused:
        raise DeliveryError(f"SMTP refused {', '.join(sorted(refused))}")
    return f"SMTP accepted for {len(ch.to)}"


def send(
    channel: Webhook | Email | Telegram | Zalo, body: dict[str, Any], delivery: int, timeout: float
) -> str:
    """Deliver ``body`` (outbox id ``delivery``) on ``channel``; a short description of the
    channel's answer, or :class:`DeliveryError`."""
    if isinstance(channel, Webhook):
        return _webhook(channel, body, delivery, timeout)
    if isinstance(channel, Email):
        return _email(channel, body, delivery, timeout)
    if isinstance(channel, Telegram):
        return _telegram(channel, body, timeout)
    return _zalo(channel, body, timeout)
