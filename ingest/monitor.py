"""``ioc monitor``: the rules no batch of readings can decide — silent feeds and the hourly VN_AQI.

Every ``interval_s`` the monitor reads every device's feed from the store (its
newest data and last status), asks the evaluator's ``no_data`` rules which feeds
fell silent or came back, and computes each ward's hourly VN_AQI from the hourly
rollup for the rules that watch ``air.vn_aqi``; what they find is written as
incidents (opened, raised, resolved, with their log rows) in one transaction per
check, and only then adopted by the evaluator.

It runs apart from ingest: it must see the whole fleet (an ingest worker sees its
share of the shared subscription) and keep working when every ingest worker is
down, which is exactly when every feed falls silent.  Run one.  At start it
continues the rule incidents still active, so a restart opens no duplicates.
The devices' metrics (for their cadence) come from live state when it is up,
else the domain's slowest cadence is assumed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ingest.findings import incident_changes
from ioc.errors import ServiceUnavailable
from ioc.live import LiveState
from ioc.model import NEVER
from ioc.periodic import run_periodic
from ioc.rules.evaluator import Evaluator, FeedState, Finding, Observation
from ioc.rules.feeds import cadence, limits
from ioc.rules.loader import RuleSource
from ioc.store import air, feeds
from ioc.store.db import Database
from vocab.indicators import hourly_aqi

__all__ = ["Monitor"]

log = logging.getLogger(__name__)


class Monitor:
    def __init__(
        self,
        db: Database,
        rules: RuleSource,
        live: LiveState | None = None,
        *,
        clock: Callable[[], float] = time.time,
        correlation_window: timedelta | None = None,
    ) -> None:
        self.db, self.rules, self.live, self.clock = db, rules, live, clock
        self.correlation_window = correlation_window
        self.evaluator = Evaluator(rules.current())
        self.counters = {"opened": 0, "resolved": 0, "passes": 0}
        self._seeded = False

    def _store(self, findings: list[Finding]) -> None:
        if findings:
            candidates, resolutions = incident_changes(findings)
            changes, resolved = self.db.run(
                feeds.record_findings, candidates, resolutions, self.correlation_window
            )
            self.counters["opened"] += changes.opened
            self.counters["resolved"] += resolved
        self.evaluator.commit()  # only once the store has them

    def _metrics(self, devices: list[str]) -> dict[str, list[str]]:
        if self.live is None:
            return {}
        try:
            latest = self.live.latest_many(devices)
        except ServiceUnavailable:
            return {}
        return {d: list(v) for d, v in latest.items()}

    def run_once(self) -> None:
        now = datetime.fromtimestamp(self.clock(), UTC)
        if self.rules.check():
            self.evaluator.set_rules(self.rules.current())
        if not self._seeded:
            active = self.db.run(feeds.active_rule_incidents)
            self.evaluator.seed(((a.dedup_key, a.step) for a in active), now.timestamp())
            self._seeded = True
        rules = self.rules.current()
        rows = [r for r in self.db.run(feeds.feed_rows) if r.last_seen > NEVER]
        metrics = self._metrics([r.device_id for r in rows])
        states = []
        for r in rows:
            cad = cadence(rules.feeds, r.device_id, r.domain, metrics.get(r.device_id, ()))
            states.append(
                FeedState(r.device_id, r.ward_code, r.domain, r.last_seen.timestamp(),
                          limits(rules.feeds, cad)[1], r.online is False)
            )  # fmt: skip
        self._store(self.evaluator.silence(now, states))
        if self.evaluator.watches("air", "vn_aqi"):
            hourly = self.db.run(air.ward_air_hourly, None, now)
            observed = []
            for ward, series in sorted(hourly.items()):
                result = hourly_aqi(series)
                if result is not None:
                    observed.append(Observation("air", "vn_aqi", ward, "", now, result.aqi))
            self._store(self.evaluator.observe(observed))
        self.counters["passes"] += 1

    def run(self, stop: threading.Event, interval_s: float) -> None:
        """Check after check until ``stop``; outages are logged and waited out."""
        run_periodic(self.run_once, stop, interval_s, log=log, what="checks")
