"""``ioc ingest``: run an ingest worker; ``ioc ingest stats``: print every worker's counters."""

from __future__ import annotations

import argparse
import json
import logging
from typing import Any

from cli.signals import stop_on_signals
from ioc import logsafe
from ioc.config import Settings
from ioc.live import LiveState

log = logging.getLogger(__name__)


def register(sub: Any) -> None:
    p = sub.add_parser("ingest", help="run an MQTT ingest worker (several may share the load)")
    p.add_argument("action", nargs="?", choices=["run", "stats"], default="run")
    p.add_argument("--client-id", help="MQTT client id (stable per worker; default from settings)")
    p.add_argument(
        "--retire",
        action="store_true",
        help="take this worker's held messages, then end its broker session for good",
    )
    p.set_defaults(func=cmd_ingest)


def cmd_ingest(settings: Settings, args: argparse.Namespace) -> int:
    if args.action == "stats":
        live = LiveState.from_url(settings.redis_url, settings.redis_prefix)
        print(json.dumps(live.stats(), indent=2))
        return 0
    from ingest.assemble import build_worker

    if args.client_id:
        settings = settings.model_copy(
            update={"ingest": settings.ingest.model_copy(update={"client_id": args.client_id})}
        )
    worker = build_worker(settings)
    stop = stop_on_signals(log, "the current batch")
    worker.start()
    if args.retire:
        drained = worker.retire()
        log.info(
            "worker %s retired (%s)",
            settings.ingest.client_id,
            "drained" if drained else "timed out",
        )
        return 0 if drained else 1
    log.info(
        "ingest worker %s running on %s",
        settings.ingest.client_id,
        logsafe.redact_url(settings.mqtt_url),
    )
    while not stop.wait(1.0):
        if worker.error is not None:
            log.error("ingest writer failed: %s", worker.error)
            worker.stop()
            return 1
    worker.stop()
    log.info("stopped; counters %s", dict(worker.counters))
    return 0
