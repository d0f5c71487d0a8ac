"""Why a message is rejected: the machine-readable reasons stored in ``dead_letters``."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Reason", "Rejected"]


class Reason(StrEnum):
    BAD_TOPIC = "bad_topic"
    TOO_LARGE = "too_large"
    NOT_UTF8 = "not_utf8"
    MALFORMED_JSON = "malformed_json"
    BAD_SHAPE = "bad_shape"
    UNKNOWN_WARD = "unknown_ward"
    UNKNOWN_DOMAIN = "unknown_domain"
    UNKNOWN_METRIC = "unknown_metric"
    UNKNOWN_EVENT_TYPE = "unknown_event_type"
    NON_FINITE = "non_finite"
    OUT_OF_RANGE = "out_of_range"
    BAD_TIMESTAMP = "bad_timestamp"
    TS_IN_FUTURE = "ts_in_future"
    TS_TOO_OLD = "ts_too_old"


class Rejected(Exception):
    """A message that breaks the wire contract; carries the reason and a short detail."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail
