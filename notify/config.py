"""Channels and routes as data: the notifications file, and the quick wiring from the settings.

The file (YAML, ``IOC_NOTIFY__PATH``) lists ``channels`` (webhook, email,
telegram, zalo) and ``routes`` (which incident changes go to which channels: by
severity, ward and domain; quiet hours; repeat and escalate while unacknowledged).
``${NAME}`` in a value is replaced by the environment variable NAME, so tokens and
passwords stay out of the file.  Unknown keys are refused with their key path,
as in the rules file.  ``IOC_NOTIFY__WEBHOOK_URL`` alone adds a webhook channel
and a route of every change of ``IOC_NOTIFY__MIN_SEVERITY`` (high) or worse.
Pure: pydantic and PyYAML only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from ioc.config import NotifySettings
from ioc.errors import ConfigError
from ioc.rules.schema import Duration
from vocab.severity import Severity, severity_rank

__all__ = [
    "Channel",
    "Email",
    "NotifyConfig",
    "NotifyError",
    "Route",
    "Telegram",
    "Webhook",
    "Zalo",
    "load_notify",
    "parse_notify",
]

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class NotifyError(ConfigError):
    """A notifications file that cannot be used; ``str()`` lists each failing key path."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Channel(_Model):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    lang: Literal["vi", "en", "both"] = "both"


class Webhook(_Channel):
    """JSON POST of the incident change, signed with HMAC-SHA256 when a secret is set."""

    kind: Literal["webhook"]
    url: str = Field(pattern=r"^https?://")
    secret: SecretStr | None = None
    headers: dict[str, str] = {}


class Email(_Channel):
    kind: Literal["email"]
    host: str
    port: int = Field(587, ge=1, le=65535)
    starttls: bool = True
    ssl: bool = False  # SMTPS (port 465) instead of STARTTLS
    ca_file: Path | None = None  # trust this CA (a private mail relay)
    username: str | None = None
    password: SecretStr | None = None
    sender: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    to: tuple[str, ...] = Field(min_length=1)


class Telegram(_Channel):
    """Telegram Bot API ``sendMessage``; ``base_url`` points tests at a local server."""

    kind: Literal["telegram"]
    base_url: str = Field("https://api.telegram.org", pattern=r"^https?://")
    token: SecretStr
    chat_id: str


class Zalo(_Channel):
    """Zalo Official Account API v3 customer-service message to each follower id."""

    kind: Literal["zalo"]
    base_url: str = Field("https://openapi.zalo.me", pattern=r"^https?://")
    access_token: SecretStr
    user_ids: tuple[str, ...] = Field(min_length=1)


Channel = Annotated[Webhook | Email | Telegram | Zalo, Field(discriminator="kind")]


class QuietHours(_Model):
    """Between ``from`` and ``to`` (local time) messages below ``except_severity`` wait."""

    start: time = Field(alias="from")
    end: time = Field(alias="to")
    except_severity: Severity = "critical"

    def covers(self, at: time) -> bool:
        if self.start <= self.end:
            return self.start <= at < self.end
        return at >= self.start or at < self.end


class Escalate(_Model):
    after: Duration
    channels: tuple[str, ...] = Field(min_length=1)


class Route(_Model):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    channels: tuple[str, ...] = Field(min_length=1)
    min_severity: Severity = "high"
    wards: tuple[str, ...] = ()  # empty: every ward
    domains: tuple[str, ...] = ()  # empty: every domain
    # the incident_log actions that make a message; by default every state change, not
    # comments and not a cause attached without raising the severity
    actions: tuple[str, ...] = ()
    quiet_hours: QuietHours | None = None
    repeat_every: Duration | None = None  # remind while unacknowledged
    escalate: Escalate | None = None  # and tell more people after a while

    def takes(self, severity: str, ward: str | None, domain: str, action: str) -> bool:
        if severity_rank(severity) < severity_rank(self.min_severity):  # type: ignore[arg-type]
            return False
        if self.wards and ward not in self.wards:
            return False
        if self.domains and domain not in self.domains:
            return False
        return action in self.actions if self.actions else action not in ("comment", "attach")


class NotifyConfig(_Model):
    channels: tuple[Channel, ...] = ()
    routes: tuple[Route, ...] = ()

    @model_validator(mode="after")
    def _refs(self) -> NotifyConfig:
        ids = [c.id for c in self.channels]
        if len(ids) != len(set(ids)):
            raise ValueError("channel ids must be unique")
        routes = [r.id for r in self.routes]
        if len(routes) != len(set(routes)):
            raise ValueError("route ids must be unique")
        for r in self.routes:
            named = r.channels + (r.escalate.channels if r.escalate else ())
            for c in named:
                if c not in ids:
                    raise ValueError(f"route {r.id!r} names unknown channel {c!r}")
        return self

    def channel(self, channel_id: str) -> Webhook | Email | Telegram | Zalo | None:
        return next((c for c in self.channels if c.id == channel_id), None)

    def secrets(self) -> list[str]:
        """Every secret of the channels (webhook keys, SMTP passwords, bot and OA tokens), for
        :func:`ioc.logsafe.install` to mask in every log line."""
        found: list[str] = []
        for c in self.channels:
            for name in ("secret", "password", "token", "access_token"):
                value = getattr(c, name, None)
                if isinstance(value, SecretStr) and value.get_secret_value():
                    found.append(value.get_secret_value())
        return found


def _substitute(doc: Any, env: Mapping[str, str], where: str = "") -> Any:
    if isinstance(doc, dict):
        return {k: _substitute(v, env, f"{where}.{k}" if where else str(k)) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_substitute(v, env, f"{where}.{i}") for i, v in enumerate(doc)]
    if isinstance(doc, str):

        def var(m: re.Match[str]) -> str:
            if m.group(1) not in env:
                raise NotifyError(f"{where}: environment variable {m.group(1)} is not set")
            return env[m.group(1)]

        return _VAR.sub(var, doc)
    return doc


def parse_notify(
    text: str, origin: str = "notify", env: Mapping[str, str] | None = None
) -> NotifyConfig:
    """Validate a notifications file; :class:`NotifyError` names every failing key path."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise NotifyError(f"{origin}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise NotifyError(f"{origin}: (root): the file must be a mapping with channels and routes")
    data = _substitute(data, os.environ if env is None else env)
    try:
        return NotifyConfig.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or "(root)"
            lines.append(f"{origin}: {loc}: {err['msg'].removeprefix('Value error, ')}")
        raise NotifyError("\n".join(lines)) from None


def load_notify(settings: NotifySettings, env: Mapping[str, str] | None = None) -> NotifyConfig:
    """The file's channels and routes, plus the quick-wiring webhook of the settings."""
    config = NotifyConfig()
    if settings.path is not None:
        try:
            text = settings.path.read_text(encoding="utf-8")
        except OSError as exc:
            raise NotifyError(f"{settings.path}: cannot read: {exc.strerror}") from None
        config = parse_notify(text, str(settings.path), env)
    if settings.webhook_url:
        quick = Webhook(
            id="webhook",
            kind="webhook",
            url=settings.webhook_url,
            secret=settings.webhook_secret,
        )
        route = Route(id="webhook", channels=("webhook",), min_severity=settings.min_severity)
        if config.channel("webhook") is not None:
            raise NotifyError("IOC_NOTIFY__WEBHOOK_URL: the file already has a channel 'webhook'")
        config = NotifyConfig(channels=(*config.channels, quick), routes=(*config.routes, route))
    return config
