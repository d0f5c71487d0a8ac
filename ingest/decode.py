"""The decode and validate stages: a raw delivery becomes a contract message or a rejection.

Pure apart from the clock value it is handed; never raises for bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ioc.contract import Message, Reason, Rejected, Validator

__all__ = ["Decoded", "RawMessage", "decode"]


@dataclass(frozen=True, slots=True)
class RawMessage:
    """What the network thread hands over: enough to decode and to acknowledge."""

    topic: str
    payload: bytes
    received_at: float  # epoch seconds
    mid: int = 0
    qos: int = 1
    generation: int = 0  # connection generation, so stale acks are never sent


@dataclass(frozen=True, slots=True)
class Decoded:
    raw: RawMessage
    message: Message | None
    reason: Reason | None = None
    detail: str = ""


def decode(validator: Validator, raw: RawMessage) -> Decoded:
    now = datetime.fromtimestamp(raw.received_at, UTC)
    try:
        return Decoded(raw, validator.decode(raw.topic, raw.payload, now))
    except Rejected as exc:
        return Decoded(raw, None, exc.reason, exc.detail)
    except Exception as exc:  # a bug in the validator must not lose the message
        return Decoded(
            raw, None, Reason.BAD_SHAPE, f"validator error: {type(exc).__name__}: {exc}"[:200]
        )
