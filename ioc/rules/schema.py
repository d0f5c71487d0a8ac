"""The rules file's schema: one small pydantic model per section, unknown keys refused.

A rules file (YAML) has ``version: 1``, a ``feeds`` section (how late a feed may
be) and a list of ``rules``.  A rule watches one metric of one domain in a
scope (wards, devices), fires when its condition has held for ``hold``, and
clears when the value is back past its level by ``clear.hysteresis`` for
``clear.after``.  Several levels of one metric are the rule's ``steps``, each
with a severity.  The full format, with the default set as the example, is in
``docs/rules.md``.  Pure: pydantic only.
"""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Sequence
from datetime import time
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from ioc.contract.catalogue import CATALOGUE
from vocab.severity import Severity

__all__ = [
    "DERIVED",
    "TEMPLATE_FIELDS",
    "Clear",
    "Feeds",
    "Message",
    "Period",
    "Rule",
    "RuleSet",
    "Scope",
    "Step",
    "parse_duration",
]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


def parse_duration(value: object) -> float:
    """Seconds from ``90``, ``"90s"``, ``"15m"``, ``"2h"``, ``"1d"``."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or a text like 15m, 2h, 1d")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (m := _DURATION.match(value)):
        seconds = float(m.group(1)) * _UNIT_S[m.group(2)]
    else:
        raise ValueError("a duration is a number of seconds or a text like 15m, 2h, 1d")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]

# Metrics computed from others, per device, for the rules that watch them.
DERIVED: dict[str, dict[str, str]] = {
    # share of a cabinet's lamps that are out: lamps_fault / (lamps_on + lamps_fault), in %
    "lighting": {"fault_pct": "%"},
    # the hourly VN_AQI of a ward (Quyết định 1459/QĐ-TCMT), judged by the periodic checks
    "air": {"vn_aqi": ""},
}

# The fields a message template may name; anything else is refused when the file loads.
TEMPLATE_FIELDS: frozenset[str] = frozenset(
    {"ward", "ward_code", "device", "metric", "value", "unit", "level", "step", "rule", "silent"}
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scope(_Model):
    """Which readings a rule watches: one metric of one domain, optionally some wards / devices."""

    domain: str
    metric: str
    wards: tuple[str, ...] = ()  # empty: every ward
    devices: tuple[str, ...] = ()  # empty: every device

    @model_validator(mode="after")
    def _known(self) -> Scope:
        if self.domain == "*":
            if self.metric != "*":
                raise ValueError("every domain ('*') goes with every metric ('*')")
            return self
        if self.domain not in CATALOGUE or CATALOGUE[self.domain].kind != "telemetry":
            raise ValueError(f"unknown telemetry domain {self.domain!r}")
        known = set(CATALOGUE[self.domain].metrics) | set(DERIVED.get(self.domain, {}))
        if self.metric not in known and self.metric != "*":
            raise ValueError(f"unknown metric {self.metric!r} of {self.domain!r}")
        return self

    @field_validator("wards")
    @classmethod
    def _codes(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for code in v:
            if not re.fullmatch(r"\d{5}", code):
                raise ValueError(f"{code!r} is not a 5-digit ward code")
        return v


class Step(_Model):
    """One level of a rule: crossing ``level`` (or, for ``no_data``, silence) means ``severity``."""

    level: float | None = None  # None only for no_data rules
    severity: Severity
    label_vi: str = Field(min_length=1, max_length=80)
    label_en: str = Field(min_length=1, max_length=80)


class Period(_Model):
    """Other levels in a time window of the day (local time), e.g. night-time noise limits."""

    start: time = Field(alias="from")
    end: time = Field(alias="to")
    levels: tuple[float, ...]

    def covers(self, at: time) -> bool:
        if self.start <= self.end:
            return self.start <= at < self.end
        return at >= self.start or at < self.end  # across midnight


class Clear(_Model):
    hysteresis: float = Field(0.0, ge=0)  # back past the level by this much to count as clear
    after: Duration = 0.0  # ... for this long (no flapping)


class Message(_Model):
    vi: str = Field(min_length=1, max_length=300)
    en: str = Field(min_length=1, max_length=300)

    @field_validator("vi", "en")
    @classmethod
    def _fields(cls, v: str) -> str:
        try:
            parts = list(string.Formatter().parse(v))
        except ValueError as exc:
            raise ValueError(f"bad template: {exc}") from None
        for _, name, spec, conversion in parts:
            if name is None:
                continue
            if name not in TEMPLATE_FIELDS or spec or conversion:
                known = ", ".join(sorted(TEMPLATE_FIELDS))
                raise ValueError(f"unknown field {{{name}}} (known: {known})")
        return v


class Rule(_Model):
    id: str = Field(pattern=r"^[a-z0-9_.-]{1,64}$")
    name_vi: str = Field(min_length=1, max_length=120)
    name_en: str = Field(min_length=1, max_length=120)
    source: str = Field(min_length=1, description="the standard or decision the levels come from")
    scope: Scope
    condition: Literal["above", "below", "rise", "no_data"]
    per: Literal["ward", "device"] = "ward"  # one incident per ward, or per device
    window: Duration = 3600.0  # for "rise": the change over this window
    steps: tuple[Step, ...] = Field(min_length=1)
    # for "no_data": silent this long; "auto" = the feed's offline limit from its cadence
    silence: Duration | Literal["auto"] = "auto"
    periods: tuple[Period, ...] = ()
    overrides: dict[str, tuple[float, ...]] = {}  # device id or ward code -> levels
    hold: Duration = 0.0
    clear: Clear = Clear()
    message: Message
    enabled: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        n = len(self.steps)
        if self.condition == "no_data":
            if n > 1 or self.steps[0].level is not None:
                raise ValueError("a no_data rule has one step, without a level (see silence)")
            if self.per != "device":
                raise ValueError("a no_data rule is per device")
        else:
            if self.scope.metric == "*":
                raise ValueError("only a no_data rule may watch every metric ('*')")
            if any(s.level is None for s in self.steps):
                raise ValueError("every step needs a level")
            self._ordered("steps", [s.level for s in self.steps if s.level is not None])
        for name, own in self.overrides.items():
            if len(own) != n:
                raise ValueError(f"overrides.{name}: {len(own)} levels for {n} steps")
            self._ordered(f"overrides.{name}", own)
        for i, p in enumerate(self.periods):
            if len(p.levels) != n:
                raise ValueError(f"periods.{i}: {len(p.levels)} levels for {n} steps")
            self._ordered(f"periods.{i}", p.levels)
        return self

    def _ordered(self, where: str, levels: Sequence[float]) -> None:
        """Steps go from the mildest to the worst: rising levels, falling for ``below``."""
        pairs = list(itertools.pairwise(levels))
        ok = (
            all(b < a for a, b in pairs)
            if self.condition == "below"
            else all(b > a for a, b in pairs)
        )
        if not ok:
            order = "falling" if self.condition == "below" else "rising"
            raise ValueError(f"{where}: step levels must be strictly {order}")

    def label(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi

    def matches(self, ward: str, device: str) -> bool:
        return (not self.scope.wards or ward in self.scope.wards) and (
            not self.scope.devices or device in self.scope.devices
        )

    @cached_property
    def step_levels(self) -> tuple[float, ...]:
        return tuple(s.level for s in self.steps if s.level is not None)

    def levels(self, ward: str, device: str, local: time | None = None) -> tuple[float, ...]:
        """The step levels that apply: a device's override, else its ward's, else the period's
        of the local time of day, else the steps'."""
        if self.overrides:
            own = self.overrides.get(device) or self.overrides.get(ward)
            if own:
                return own
        if local is not None:
            for p in self.periods:
                if p.covers(local):
                    return p.levels
        return self.step_levels


class Feeds(_Model):
    """How late a feed may be: late after ``late_after`` cadences, offline after ``offline_after``.

    The cadence of each domain and metric is in the catalogue
    (:attr:`ioc.contract.catalogue.Metric.cadence_s`); ``devices`` overrides it per device.
    """

    late_after: float = Field(3.0, gt=0)
    offline_after: float = Field(10.0, gt=0)
    min_offline: Duration = 900.0  # never offline sooner than this, whatever the cadence
    devices: dict[str, Duration] = {}

    @model_validator(mode="after")
    def _order(self) -> Feeds:
        if self.offline_after <= self.late_after:
            raise ValueError("offline_after must be more cadences than late_after")
        return self


class RuleSet(_Model):
    version: Literal[1]
    feeds: Feeds = Feeds()
    rules: tuple[Rule, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> RuleSet:
        seen: set[str] = set()
        for r in self.rules:
            if r.id in seen:
                raise ValueError(f"rule id {r.id!r} is used twice")
            seen.add(r.id)
        return self

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    @classmethod
    def parse(cls, data: Any) -> RuleSet:
        return cls.model_validate(data)
