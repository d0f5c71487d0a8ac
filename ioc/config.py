"""Settings for every service, validated once at start-up and passed down.

Environment variables use the ``IOC_`` prefix; nested sections use ``__``
(``IOC_INGEST__BATCH_SIZE=500``).  The three service URLs have flat names
(``IOC_DATABASE_URL``, ``IOC_REDIS_URL``, ``IOC_MQTT_URL``) because they are
what operators set most.  A value may also come from a file: ``IOC_X_FILE=/run/secrets/x``
reads ``IOC_X`` from that file (Docker / Kubernetes secrets).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import MutableMapping
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ioc.errors import ConfigError
from ioc.model import Policies

__all__ = ["ConfigError", "Settings", "load_settings"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MqttUrl(_Section):
    """The parts of ``mqtt://user:pass@host:port`` (``mqtts://`` for TLS)."""

    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool
    cafile: str | None = None  # CA bundle for mqtts:// (None: the system's)


class IngestSettings(_Section):
    client_id: str = Field(
        default_factory=lambda: f"ioc-ingest-{os.uname().nodename}",
        description="MQTT client id; must be stable across restarts for the persistent session",
    )
    # "" subscribes without $share: one worker only, but Mosquitto 2.0 then keeps
    # the subscription across a broker restart (it does not restore shared ones).
    share_group: str = Field("ioc-ingest", pattern=r"^[A-Za-z0-9_-]*$")
    batch_size: int = Field(500, ge=1, le=50_000)
    batch_age_ms: int = Field(200, ge=1, le=60_000)
    queue_size: int = Field(4000, ge=10)
    receive_maximum: int = Field(1000, ge=1, le=65535)
    session_expiry_s: int = Field(7 * 24 * 3600, ge=0)
    max_future_s: int = Field(300, ge=0)
    retention_days: int = Field(400, ge=1)
    stats_interval_s: float = Field(10.0, gt=0)
    metrics_port: int = Field(0, ge=0, le=65535, description="Prometheus /metrics; 0 = off")
    metrics_host: str = "127.0.0.1"


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` cannot sign sessions, or None.  Whoever guesses it can forge any user.

    A cheap upper bound of its entropy: length times log2 of the character classes it
    uses, plus a floor on distinct characters (catches "aaaa…" and short repeats).
    """
    pools = ((r"[a-z]", 26), (r"[A-Z]", 26), (r"[0-9]", 10), (r"[^A-Za-z0-9]", 33))
    pool = sum(n for pattern, n in pools if re.search(pattern, key))
    bits = len(key) * math.log2(pool) if pool else 0.0
    if len(key) >= 32 and bits >= 128 and len(set(key)) >= 10:
        return None
    return (
        f"looks low-entropy ({len(key)} characters, {len(set(key))} distinct, at most"
        f" {bits:.0f} bits): use at least 32 random characters, e.g."
        " python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
    )


class LoginThrottle(_Section):
    """Failed logins: per client address and per user name (Redis counters, fixed windows)."""

    ip_max: int = Field(20, ge=1, description="attempts per address and window before HTTP 429")
    user_max: int = Field(5, ge=1, description="failures per user name before the lockout")
    window_s: int = Field(900, ge=1)
    lockout_s: int = Field(900, ge=1, description="lockout length; `ioc users unlock` ends it")
    checks_per_s: int = Field(
        3, ge=1, description="password checks per second for the whole app (scrypt CPU budget)"
    )


class AppSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8050, ge=1, le=65535)
    workers: int = Field(2, ge=1, le=64)
    language: Literal["vi", "en"] = "vi"
    freshness_s: float = Field(60.0, gt=0, description="feed age after which the badge turns red")
    poll_ms: int = Field(1000, ge=200)
    cache_ttl_s: float = Field(5.0, ge=0)
    tile_url: str | None = Field(None, description="optional XYZ tile URL; wards are the basemap")
    # Signs the session cookie: whoever knows it can forge any user.  No default:
    # `ioc serve` refuses to start without one; `ioc demo` makes one.
    secret_key: str | None = None
    users_file: Path | None = Field(None, description="TOML/JSON file of users, roles and wards")
    auth: Literal["on", "off"] = "on"
    device_offline_s: float = Field(
        900.0, gt=0, description="unused: late / offline come from the rules file's feeds section"
    )
    cookie_secure: bool = Field(False, description="session cookies only over HTTPS (production)")
    trusted_proxies: int = Field(
        0, ge=0, le=5, description="reverse proxies in front whose X-Forwarded-For is trusted"
    )
    idle_timeout_s: int = Field(1800, ge=60, description="a session unused this long ends")
    session_max_age_s: int = Field(
        24 * 3600, ge=300, description="a session ends this long after login"
    )
    login: LoginThrottle = LoginThrottle()

    @field_validator("secret_key")
    @classmethod
    def _check_key(cls, v: str | None) -> str | None:
        problem = None if v is None else secret_key_problem(v)
        if problem:
            raise ValueError(problem)
        return v


class IncidentSettings(_Section):
    """How ingest groups findings into incidents."""

    # A sensor alarm, citizen reports and field alerts of the same ward and group (flood,
    # traffic, lighting, environment) within this many seconds of an active incident's
    # newest cause attach to it as linked causes; 0 turns correlation off.
    correlation_window_s: float = Field(1800.0, ge=0, le=7 * 86400)

    @property
    def correlation_window(self) -> timedelta | None:
        return timedelta(seconds=self.correlation_window_s) if self.correlation_window_s else None


class RulesSettings(_Section):
    """The alarm rules file (docs/rules.md); none: the packaged default set."""

    path: Path | None = Field(None, description="rules YAML; checked by `ioc rules check`")
    reload_s: float = Field(5.0, gt=0, description="how often running services look for changes")


class MonitorSettings(_Section):
    """``ioc monitor``: the periodic checks (silent feeds, the hourly VN_AQI)."""

    interval_s: float = Field(30.0, gt=0)


class NotifySettings(_Section):
    """``ioc notify``: the outbox worker (docs/notifications.md)."""

    # Quick wiring: this URL alone receives every incident change of min_severity or worse.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = Field(
        None, description="HMAC-SHA256 key of the signature header"
    )
    min_severity: Literal["low", "medium", "high", "critical"] = "high"
    path: Path | None = Field(
        None, description="channels and routes YAML (checked by `ioc notify check`)"
    )
    base_url: str = Field("http://127.0.0.1:8050", description="the app's address, for links")
    poll_s: float = Field(1.0, gt=0)
    retry_base_s: float = Field(
        5.0, gt=0, description="first retry delay; doubles, up to retry_max_s"
    )
    retry_max_s: float = Field(300.0, gt=0)
    failing_after: int = Field(
        3, ge=1, description="consecutive failures that mark a channel failing"
    )
    timeout_s: float = Field(10.0, gt=0)


class CovidSettings(_Section):
    """Thresholds of the four epidemic levels.

    Defaults follow the shape of Nghị quyết 128/NQ-CP and Quyết định 4800/QĐ-BYT
    (October 2021): the level starts from new community cases per 100,000
    people per week (<20, 20-50, 50-150, >=150) and rises by one, up to 4,
    while first-dose coverage is under the threshold.  The city may override.
    """

    cases_per_100k_week: tuple[float, float, float] = (20.0, 50.0, 150.0)
    vaccination_threshold_pct: float = Field(70.0, ge=0, le=100)


class Settings(BaseSettings):
    """All settings.  Build with :func:`load_settings`, never at import time."""

    model_config = SettingsConfigDict(
        env_prefix="IOC_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    database_url: str = "postgresql://postgres@127.0.0.1:5432/ioc"
    redis_url: str = "redis://127.0.0.1:6379/0"
    mqtt_url: str = "mqtt://127.0.0.1:1884"
    # The broker password apart from the URL, so it can come from a secret file
    # (IOC_MQTT_PASSWORD_FILE); it wins over a password in IOC_MQTT_URL.
    mqtt_password: str | None = None
    mqtt_cafile: Path | None = Field(None, description="CA certificate(s) for mqtts://")
    topic_root: str = Field("tanan/v1", pattern=r"^[A-Za-z0-9_/-]+$")
    redis_prefix: str = Field("ioc", pattern=r"^[A-Za-z0-9_.:-]+$")
    db_schema: str = Field("public", pattern=r"^[a-z_][a-z0-9_]*$")
    # auto: TimescaleDB when the server preloads it and the extension can be
    # created, else plain PostgreSQL (ioc.store.flavour).  Read when a schema is
    # created; a schema keeps its flavour.
    db_flavour: Literal["auto", "plain", "timescale"] = "auto"
    # TimescaleDB: chunks of readings, events and rollups older than this move
    # to the columnstore (compressed).  Plain PostgreSQL has no compression.
    db_compress_after_days: int = Field(7, ge=1)
    # Minute rollups are kept this long (hourly rollups, readings and events
    # for IOC_INGEST__RETENTION_DAYS); both flavours.
    db_minute_rollup_days: int = Field(90, ge=1)
    boundaries_file: Path | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    ingest: IngestSettings = IngestSettings()  # type: ignore[call-arg]
    app: AppSettings = AppSettings()  # type: ignore[call-arg]
    covid: CovidSettings = CovidSettings()
    incidents: IncidentSettings = IncidentSettings()
    rules: RulesSettings = RulesSettings()
    monitor: MonitorSettings = MonitorSettings()
    notify: NotifySettings = NotifySettings()

    @field_validator("database_url")
    @classmethod
    def _check_db(cls, v: str) -> str:
        if urlsplit(v).scheme not in ("postgresql", "postgres"):
            raise ValueError("must be a postgresql:// URL")
        return v

    @field_validator("redis_url")
    @classmethod
    def _check_redis(cls, v: str) -> str:
        if urlsplit(v).scheme not in ("redis", "rediss", "unix"):
            raise ValueError("must be a redis:// URL")
        return v

    @field_validator("mqtt_url")
    @classmethod
    def _check_mqtt(cls, v: str) -> str:
        parts = urlsplit(v)
        if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
            raise ValueError("must be an mqtt:// or mqtts:// URL")
        if not parts.hostname:
            raise ValueError("has no host")
        _ = parts.port  # raises ValueError on a bad port
        return v

    @cached_property
    def mqtt(self) -> MqttUrl:
        parts = urlsplit(self.mqtt_url)
        tls = parts.scheme in ("mqtts", "ssl")
        return MqttUrl(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or (8883 if tls else 1883),
            username=unquote(parts.username) if parts.username else None,
            password=self.mqtt_password or (unquote(parts.password) if parts.password else None),
            tls=tls,
            cafile=str(self.mqtt_cafile) if self.mqtt_cafile else None,
        )

    @property
    def retention(self) -> timedelta:
        return timedelta(days=self.ingest.retention_days)

    @property
    def policies(self) -> Policies:
        """How long each kind of data is kept, and when TimescaleDB compresses it."""
        return Policies(
            raw=self.retention,
            minute_rollups=timedelta(days=self.db_minute_rollup_days),
            compress_after=timedelta(days=self.db_compress_after_days),
        )


def _apply_secret_files(environ: MutableMapping[str, str]) -> None:
    """Resolve ``IOC_X_FILE=/path`` into ``IOC_X=<contents>`` (Docker / Kubernetes secrets)."""
    for key in [k for k in environ if k.startswith("IOC_") and k.endswith("_FILE")]:
        target = key[: -len("_FILE")]
        if target.lower().removeprefix("ioc_") in _PATH_FIELDS:
            continue  # a setting that *is* a file path, not a secret
        path = environ[key]
        try:
            environ[target] = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{key}: cannot read {path}: {exc.strerror}") from exc
        del environ[key]


_PATH_FIELDS = {"boundaries", "app__users"}


def format_validation_error(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"]) or "(root)"
        env = "IOC_" + "__".join(str(p) for p in err["loc"]).upper()
        lines.append(f"{path} ({env}): {err['msg']}")
    return "\n".join(lines)


def load_settings(**overrides: Any) -> Settings:
    """Validate settings from the process environment plus ``overrides``."""
    _apply_secret_files(os.environ)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc)) from exc
