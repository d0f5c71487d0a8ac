"""``ioc notify``: the worker that fills the outbox from incident_log and drains it channel by channel.

Each pass (every ``poll_s``):

1. **fill** — new incident_log rows become outbox messages (:func:`notify.plan.plan`)
   in the transaction that marks them seen (:func:`ioc.store.outbox.fill`);
2. **remind** — every ``remind_every_s``, incidents still unacknowledged get their
   repeat and escalation messages (:func:`notify.plan.reminders`);
3. **drain** — for each channel not backing off, its due messages are sent in
   order inside the transaction that locks them; the first failure stops that
   channel's batch and backs the channel off (doubling from ``retry_base_s`` to
   ``retry_max_s``, or what the channel asked for); after ``failing_after``
   failures in a row it is marked failing on the admin view.  Its messages wait.

The ingest worker is never involved: it only writes the incidents and their log
as before.  Database outages are logged and waited out.  The worker receives its
database adapter and configuration (built by the CLI).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ioc.config import NotifySettings
from ioc.incident_text import title
from ioc.periodic import run_periodic
from ioc.rules.loader import RuleSource
from ioc.store import outbox
from ioc.store.db import Connection, Database
from ioc.store.records import IncidentChange, OutboxRow
from notify.channels import DeliveryError, send
from notify.config import Email, NotifyConfig, Telegram, Webhook, Zalo
from notify.plan import plan, reminders

__all__ = ["Notifier", "titles"]

log = logging.getLogger(__name__)
Channel = Webhook | Email | Telegram | Zalo


def titles(c: IncidentChange) -> tuple[str, str]:
    """An incident's (vi, en) title as the screens render it now: from its cause (the rule's
    message for a rule's finding) with its current value (:func:`ioc.incident_text.title`)."""
    return (
        title(c.cause, c.title, "vi", value=c.current_value),
        title(c.cause, c.title, "en", value=c.current_value),
    )


class Notifier:
    def __init__(
        self,
        db: Database,
        config: NotifyConfig,
        settings: NotifySettings,
        rules: RuleSource,
        *,
        clock: Callable[[], float] = time.time,
        remind_every_s: float = 30.0,
        batch: int = 50,
    ) -> None:
        self.db, self.config, self.settings = db, config, settings
        self.titles = titles
        self.rules = rules  # the rules in force for the titles (reloaded on change)
        self.clock = clock
        self.remind_every_s = remind_every_s
        self.batch = batch
        self._reminded = 0.0
        self.counters: dict[str, int] = {"planned": 0, "sent": 0, "failed": 0}

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def backoff(self, failures: int) -> float:
        s = self.settings
        return float(min(s.retry_max_s, s.retry_base_s * 2 ** max(0, failures - 1)))

    # ---- one pass ------------------------------------------------------------------

    def run_once(self) -> None:
        now = self.now()
        self.rules.check()
        base = self.settings.base_url
        while True:
            read, added = self.db.run(
                outbox.fill, lambda ch: plan(ch, self.config, self.titles, base, now)
            )
            self.counters["planned"] += added
            if read < 500:
                break
        if self.clock() - self._reminded >= self.remind_every_s:
            self._remind(now)
            self._reminded = self.clock()
        for channel in self.config.channels:
            self.db.run(self._drain, channel)

    def _remind(self, now: datetime) -> None:
        waits = [r.repeat_every for r in self.config.routes if r.repeat_every] + [
            r.escalate.after for r in self.config.routes if r.escalate
        ]
        if not waits:
            return
        stale = self.db.run(outbox.unacknowledged, now - timedelta(seconds=min(waits)))
        items = reminders(stale, self.config, self.titles, self.settings.base_url, now)
        if items:
            self.counters["planned"] += self.db.run(outbox.enqueue, items)

    def _drain(self, conn: Connection, channel: Channel) -> None:
        with outbox.claim(conn, channel.id, channel.kind, self.batch) as rows:
            for row in rows:
                if not self._send(conn, channel, row):
                    break

    def _send(self, conn: Connection, channel: Channel, row: OutboxRow) -> bool:
        started = time.monotonic()
        try:
            detail = send(channel, row.payload, row.id, self.settings.timeout_s)
        except DeliveryError as exc:
            ms = int((time.monotonic() - started) * 1000)
            wait = exc.retry_after or 0.0
            outbox.record_failure(
                conn, row, ms, str(exc), lambda n: max(self.backoff(n), wait),
                self.settings.failing_after,
            )  # fmt: skip
            self.counters["failed"] += 1
            log.warning("channel %s: message %d not delivered: %s", channel.id, row.id, exc)
            return False
        outbox.record_success(conn, row, int((time.monotonic() - started) * 1000), detail)
        self.counters["sent"] += 1
        log.info("channel %s: message %d delivered (%s)", channel.id, row.id, detail)
        return True

    # ---- the loop --------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Pass after pass until ``stop`` is set; outages are logged and waited out."""
        run_periodic(self.run_once, stop, self.settings.poll_s, log=log, what="notifications")
