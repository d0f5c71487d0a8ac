"""The wire contract: topics, message models and the metric catalogue (DESIGN.md §2).

Shared by ingest (which validates) and simulators (which publish); pure, no I/O.
"""

from ioc.contract.catalogue import CATALOGUE, EVENT_TYPES, Domain, EventType, Metric
from ioc.contract.errors import Reason, Rejected
from ioc.contract.messages import (
    MAX_PAYLOAD,
    Event,
    Message,
    Status,
    Telemetry,
    Validator,
    encode_event,
    encode_status,
    encode_telemetry,
)
from ioc.contract.topics import (
    CITY,
    DEFAULT_ROOT,
    Topic,
    build_topic,
    parse_topic,
    subscription,
)

__all__ = [
    "CATALOGUE",
    "CITY",
    "DEFAULT_ROOT",
    "EVENT_TYPES",
    "MAX_PAYLOAD",
    "Domain",
    "Event",
    "EventType",
    "Message",
    "Metric",
    "Reason",
    "Rejected",
    "Status",
    "Telemetry",
    "Topic",
    "Validator",
    "build_topic",
    "encode_event",
    "encode_status",
    "encode_telemetry",
    "parse_topic",
    "subscription",
]
