"""Topic grammar of the wire contract: ``{root}/{ward}/{domain}/{device}/{kind}``.

``{ward}`` is a ward's 5-digit GSO code, or the reserved :data:`CITY` code
``00000`` for sources that belong to the whole city (the security operations
centre, city-wide e-government counters): an additive extension of ``tanan/v1``,
accepted for the event domains the catalogue marks city-level.

Pure and cached: the same few thousand topics arrive over and over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from ioc.contract.errors import Reason, Rejected

__all__ = ["CITY", "DEFAULT_ROOT", "Topic", "build_topic", "parse_topic", "subscription"]

DEFAULT_ROOT = "tanan/v1"
# The ward position of a city-level source: no ward has this GSO code.
CITY = "00000"
TopicKind = Literal["telemetry", "event", "status"]
_KINDS = frozenset(("telemetry", "event", "status"))
_WARD = re.compile(r"^\d{5}$")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DOMAIN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


@dataclass(frozen=True, slots=True)
class Topic:
    ward: str
    domain: str
    device: str
    kind: TopicKind

    @property
    def city(self) -> bool:
        """A city-level source (:data:`CITY` in the ward position)."""
        return self.ward == CITY

    def build(self, root: str = DEFAULT_ROOT) -> str:
        return f"{root}/{self.ward}/{self.domain}/{self.device}/{self.kind}"


@lru_cache(maxsize=65536)
def parse_topic(topic: str, root: str = DEFAULT_ROOT) -> Topic:
    """Parse a topic or raise :class:`Rejected` with reason ``bad_topic``."""
    prefix = root + "/"
    if not topic.startswith(prefix):
        raise Rejected(Reason.BAD_TOPIC, f"topic is not under {root}/")
    parts = topic[len(prefix) :].split("/")
    if len(parts) != 4:
        raise Rejected(Reason.BAD_TOPIC, "expected {ward}/{domain}/{device}/{kind}")
    ward, dom, device, kind = parts
    if not _WARD.match(ward):
        raise Rejected(Reason.BAD_TOPIC, f"ward {ward[:16]!r} is not a 5-digit code")
    if not _DOMAIN.match(dom):
        raise Rejected(Reason.BAD_TOPIC, f"domain {dom[:32]!r} is malformed")
    if not _ID.match(device):
        raise Rejected(Reason.BAD_TOPIC, "device/source id must match [A-Za-z0-9_-]{1,64}")
    if kind not in _KINDS:
        raise Rejected(Reason.BAD_TOPIC, f"kind {kind[:16]!r} is not telemetry/event/status")
    return Topic(ward, dom, device, kind)  # type: ignore[arg-type]


def build_topic(
    ward: str, domain: str, device: str, kind: TopicKind, root: str = DEFAULT_ROOT
) -> str:
    topic = Topic(ward, domain, device, kind).build(root)
    parse_topic(topic, root)  # never publish what we would reject
    return topic


def subscription(root: str = DEFAULT_ROOT, share_group: str | None = None) -> str:
    """The subscription filter for every message under ``root``."""
    flt = f"{root}/#"
    return f"$share/{share_group}/{flt}" if share_group else flt
