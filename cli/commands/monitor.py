"""``ioc monitor``: the periodic rule checks (silent feeds, the hourly VN_AQI); run one."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from cli.signals import stop_on_signals
from ioc.config import Settings

log = logging.getLogger(__name__)


def register(sub: Any) -> None:
    p = sub.add_parser("monitor", help="open and resolve stale-feed and VN_AQI incidents")
    p.add_argument("--once", action="store_true", help="one check, then exit")
    p.set_defaults(func=cmd_monitor)


def cmd_monitor(settings: Settings, args: argparse.Namespace) -> int:
    from ingest.monitor import Monitor
    from ioc.live import LiveState
    from ioc.rules.loader import RuleSource
    from ioc.store.db import Database

    db = Database.open(settings.database_url, settings.db_schema, max_size=2, name="monitor")
    live = LiveState.from_url(settings.redis_url, settings.redis_prefix)
    rules = RuleSource(settings.rules.path, every_s=settings.rules.reload_s)
    monitor = Monitor(db, rules, live, correlation_window=settings.incidents.correlation_window)
    stop = stop_on_signals(log, "this check")
    try:
        if args.once:
            monitor.run_once()
        else:
            log.info("monitor running every %g s", settings.monitor.interval_s)
            monitor.run(stop, settings.monitor.interval_s)
    finally:
        db.close()
        live.close()
    log.info("stopped; %s", monitor.counters)
    return 0
