"""``ioc notify``: run the notification worker; ``ioc notify check [FILE]``: validate channels."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from cli.signals import stop_on_signals
from ioc import logsafe
from ioc.config import Settings

log = logging.getLogger(__name__)


def register(sub: Any) -> None:
    p = sub.add_parser("notify", help="send incident changes to webhooks, e-mail and chat")
    p.add_argument("action", nargs="?", choices=["run", "check"], default="run")
    p.add_argument(
        "file", nargs="?", type=Path, help="check: a channels file (default: configured)"
    )
    p.set_defaults(func=cmd_notify)


def cmd_notify(settings: Settings, args: argparse.Namespace) -> int:
    from notify.config import NotifyError, load_notify

    cfg = settings.notify
    if args.action == "check" and args.file is not None:
        cfg = cfg.model_copy(update={"path": args.file})
    try:
        config = load_notify(cfg)
    except NotifyError as exc:
        print(f"notifications refused:\n{exc}", file=sys.stderr)
        return 1
    logsafe.install(config.secrets())  # tokens and passwords never reach a log line
    if args.action == "check":
        for c in config.channels:
            print(f"channel {c.id}: {c.kind}")
        for r in config.routes:
            print(f"route {r.id}: {r.min_severity}+ -> {', '.join(r.channels)}")
        print(f"notifications OK: {len(config.channels)} channels, {len(config.routes)} routes")
        return 0
    return _run(settings, config)


def _run(settings: Settings, config: Any) -> int:
    from ioc.rules.loader import RuleSource
    from ioc.store.db import Database
    from notify.worker import Notifier

    if not config.channels:
        log.warning("no channels configured (IOC_NOTIFY__WEBHOOK_URL or IOC_NOTIFY__PATH)")
    db = Database.open(settings.database_url, settings.db_schema, max_size=2, name="notify")
    rules = RuleSource(settings.rules.path, every_s=settings.rules.reload_s)
    notifier = Notifier(db, config, settings.notify, rules)
    stop = stop_on_signals(log, "this pass")
    log.info("notifier running: %d channels, %d routes", len(config.channels), len(config.routes))
    try:
        notifier.run(stop)
    finally:
        db.close()
    log.info("stopped; %s", notifier.counters)
    return 0
