"""Passwords and tokens never reach a log line.

:func:`redact` masks the password of every ``scheme://user:password@host`` URL, the value
of ``password=`` / ``token=`` / ``secret=`` style pairs (DSNs, query strings, headers),
``Authorization: Bearer …``, and any of the known secret values it is given.
:func:`install` puts it in front of every handler: a log record factory redacts each
record's message (arguments merged in) and its exception and stack text as the record is
made, so it holds for the project's loggers, paho's, psycopg's and gunicorn's alike.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterable
from typing import Any

__all__ = ["MASK", "install", "redact", "redact_url", "secrets_of"]

MASK = "***"
_URL = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]*:)(?P<pw>[^\s@/]+)(?=@)")
_PAIR = re.compile(
    r"(?P<head>\b(?:password|passwd|pwd|secret|secret_key|token|api_key|apikey|access_token)"
    r"[\"']?\s*[=:]\s*[\"']?)(?P<pw>[^\s\"'&,;)}]+)",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(?P<head>\bBearer\s+)(?P<pw>[A-Za-z0-9._~+/=-]+)", re.IGNORECASE)
_MIN_SECRET = 6  # shorter "secrets" would mask ordinary words


def redact(text: str, known: Iterable[str] = ()) -> str:
    for pattern in (_URL, _PAIR, _BEARER):
        text = pattern.sub(lambda m: m.group("head") + MASK, text)
    for value in known:
        if len(value) >= _MIN_SECRET and value in text:
            text = text.replace(value, MASK)
    return text


def redact_url(url: str) -> str:
    """``mqtt://ioc:…@host`` with the password masked (for messages about a URL)."""
    return _URL.sub(lambda m: m.group("head") + MASK, url)


def secrets_of(settings: Any) -> list[str]:
    """The secret values in the settings: passwords of the service URLs, keys, passwords."""
    from urllib.parse import unquote, urlsplit

    found: list[str] = []
    for url in (settings.database_url, settings.redis_url, settings.mqtt_url):
        try:
            password = urlsplit(url).password
        except ValueError:
            continue
        if password:
            found += [password, unquote(password)]
    for value in (settings.mqtt_password, settings.app.secret_key):
        if value:
            found.append(value)
    hook = settings.notify.webhook_secret  # the quick-wiring webhook's key (SecretStr)
    if hook is not None and hook.get_secret_value():
        found.append(hook.get_secret_value())
    return found


_installed: list[str] = []


def install(known: Iterable[str] = ()) -> None:
    """Redact every log record made from now on in this process (idempotent; adds secrets)."""
    _installed.extend(v for v in known if v and v not in _installed)
    factory = logging.getLogRecordFactory()
    if getattr(factory, "_ioc_redacting", False):
        return

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        _scrub(record)
        return record

    make._ioc_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make)


def _scrub(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: leave it to the handler to report
        return
    clean = redact(message, _installed)
    if clean != message or record.args:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[0] is not None:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_text = redact(text, _installed)
    if record.stack_info:
        record.stack_info = redact(record.stack_info, _installed)
