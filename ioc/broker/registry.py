"""The broker registry: who may connect to the broker and what each may do.

``config/gateways.toml`` (the path is up to the operator)::

    [broker]                        # all optional
    topic_root = "tanan/v1"         # default: IOC_TOPIC_ROOT
    share_group = "ioc-ingest"      # default: IOC_INGEST__SHARE_GROUP

    [[ingest]]                      # one entry per worker: its user name is its client id
    name = "ioc-ingest-1"
    secret_file = "secrets/ioc-ingest-1"   # relative to this file; made by `render --create-secrets`

    [[gateways]]
    name = "gw-phuong-1"
    password_hash = "$7$101$..."    # from `mosquitto_passwd` or `ioc broker hash`
    wards = ["27694"]               # ["*"] = every ward (a city-wide system, the simulator)
    domains = ["air", "water"]      # optional: default every domain
    devices = ["aq-001"]            # optional: default any device / source id

Each entry has exactly one of ``password_hash`` (a Mosquitto ``$7$`` hash) or
``secret_file`` (a file holding the password itself; the client needs it too).
Names are MQTT user names and, because the generated broker replaces every client
id by the user name, the client ids: ``[A-Za-z0-9_-]{1,64}``, unique.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ioc.broker.passwd import MIN_SECRET_CHARS, PasswordHash, hash_password, new_secret
from ioc.contract.catalogue import CATALOGUE
from ioc.errors import ConfigError

__all__ = ["BrokerOptions", "Gateway", "IngestUser", "Registry", "load_registry"]

_NAME = r"^[A-Za-z0-9_-]{1,64}$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _User(_Model):
    name: str = Field(pattern=_NAME)
    password_hash: str | None = None
    secret_file: Path | None = None

    @model_validator(mode="after")
    def _one_secret(self) -> _User:
        if (self.password_hash is None) == (self.secret_file is None):
            raise ValueError(f"{self.name}: give exactly one of password_hash or secret_file")
        if self.password_hash is not None:
            PasswordHash.parse(self.password_hash)  # ValueError names the problem
        return self


class IngestUser(_User):
    """An ingest worker: reads the whole topic root, alone in the share group."""


class Gateway(_User):
    """A publisher: writes its wards' (domains', devices') topics, reads its own status."""

    wards: list[str] = Field(min_length=1)
    domains: list[str] | None = None
    devices: list[str] | None = None

    @model_validator(mode="after")
    def _known(self) -> Gateway:
        if "*" in self.wards and len(self.wards) > 1:
            raise ValueError(f'{self.name}: wards is either ["*"] or a list of codes')
        for d in self.domains or []:
            if d not in CATALOGUE:
                raise ValueError(f"{self.name}: domain {d!r} is not in the contract catalogue")
        for dev in self.devices or []:
            if not re.fullmatch(_NAME, dev):
                raise ValueError(f"{self.name}: device id {dev!r} breaks the contract's grammar")
        return self


class BrokerOptions(_Model):
    topic_root: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$")
    share_group: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]*$")


class Registry(_Model):
    broker: BrokerOptions = BrokerOptions()
    ingest: list[IngestUser] = Field(default_factory=list)
    gateways: list[Gateway] = Field(default_factory=list)
    base: Path = Field(default=Path("."), exclude=True)  # secret files are relative to it

    @model_validator(mode="after")
    def _unique(self) -> Registry:
        seen: set[str] = set()
        for user in [*self.ingest, *self.gateways]:
            if user.name in seen:
                raise ValueError(f"user {user.name!r} appears twice (names are client ids)")
            seen.add(user.name)
        if not self.ingest:
            raise ValueError("no [[ingest]] user: nothing could read the feeds")
        return self

    def check_wards(self, known: Collection[str]) -> None:
        for gw in self.gateways:
            unknown = [w for w in gw.wards if w != "*" and w not in known]
            if unknown:
                raise ConfigError(f"gateway {gw.name}: unknown ward(s) {', '.join(unknown)}")

    def secret_path(self, user: _User) -> Path | None:
        if user.secret_file is None:
            return None
        return user.secret_file if user.secret_file.is_absolute() else self.base / user.secret_file

    def password_hash(self, user: _User, *, create: bool = False) -> PasswordHash:
        """The user's hash: parsed, or computed from its secret file (made when ``create``)."""
        if user.password_hash is not None:
            return PasswordHash.parse(user.password_hash)
        path = self.secret_path(user)
        assert path is not None
        if not path.exists() and create:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(new_secret() + "\n", encoding="utf-8")
            path.chmod(0o600)
        try:
            secret = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"{user.name}: cannot read secret file {path}: {exc.strerror}"
                " (run `ioc broker render --create-secrets` to make it)"
            ) from exc
        if len(secret) < MIN_SECRET_CHARS:
            raise ConfigError(
                f"{user.name}: the secret in {path} has {len(secret)} characters; use at least"
                f" {MIN_SECRET_CHARS} random ones (delete it and render with --create-secrets)"
            )
        return hash_password(secret)


def load_registry(path: Path) -> Registry:
    """Read and validate the registry; :class:`ConfigError` names the failing entry."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    try:
        return Registry(**doc, base=path.parent)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(root)"
            lines.append(f"{path}: {where}: {err['msg']}")
        raise ConfigError("\n".join(lines)) from exc
