"""The pure middle of ingest: a decoded batch becomes rows, incident candidates and resolutions.

:meth:`Pipeline.prepare` runs once per batch, before any write is tried, so a
batch retried through an outage is written exactly as it was judged.  Readings
are judged by the alarm rules (:class:`ioc.rules.evaluator.Evaluator`, turned
into incident changes by :mod:`ingest.findings`), events by :mod:`ingest.rules`.
The pipeline keeps what it learns across batches: each device's domain (readings
do not carry it) and the rules' state, which moves on only when the worker
reports the batch committed (:meth:`Pipeline.committed`).  No I/O: the worker
hands the rules in (and new ones when the file changes) and the result to the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from geodata.features import ward_features
from geodata.index import WardIndex
from ingest.decode import Decoded
from ingest.findings import incident_changes
from ingest.rows import dead_letter, to_rows
from ingest.rules import event_candidates, event_resolutions
from ioc.model import BatchRows, IncidentCandidate, Resolution, WriteResult
from ioc.rules.evaluator import Evaluator
from ioc.rules.loader import load_rules
from ioc.rules.schema import RuleSet

__all__ = ["Pipeline", "Prepared", "merge_results", "store_rejected", "ward_index"]


@dataclass(frozen=True, slots=True)
class Prepared:
    """One batch (or part of one) ready to write: the store writes all of it or none."""

    items: Sequence[Decoded]
    rows: BatchRows
    incidents: list[IncidentCandidate] = field(default_factory=list)
    resolutions: list[Resolution] = field(default_factory=list)


class Pipeline:
    """Rows and rules for each batch; the domain map and the rules' state carried between batches."""

    def __init__(self, index: WardIndex | None = None, rules: RuleSet | None = None) -> None:
        self.index = index  # point-in-ward over imported boundaries; None: schematic only
        self.domain_of: dict[str, str] = {}
        self.rules = Evaluator(rules if rules is not None else load_rules())

    def prepare(self, items: Sequence[Decoded]) -> Prepared:
        """Rows, incidents and resolutions of ``items``, judged against the committed state."""
        rows = to_rows(items, self.index)
        for d in rows.devices:
            self.domain_of[d.device_id] = d.domain
        found = self.rules.observe_readings(rows.readings, self.domain_of)
        incidents, resolutions = incident_changes(found)
        incidents += event_candidates(rows.events)
        resolutions += event_resolutions(rows.events)
        return Prepared(items, rows, incidents, resolutions)

    def committed(self) -> None:
        """The batch last prepared is in the database: adopt its rules' state."""
        self.rules.commit()


def store_rejected(item: Decoded, detail: str) -> Prepared:
    """A message the database refused, as a dead letter to write in its place."""
    rows = BatchRows(dead_letters=[dead_letter(item.raw, "store_rejected", detail[:300])])
    return Prepared([item], rows)


def merge_results(results: Iterable[WriteResult]) -> WriteResult:
    """One result for a batch written in parts: the totals a single write would report."""
    parts = list(results)
    return WriteResult(
        new_readings=[r for res in parts for r in res.new_readings],
        new_events=[e for res in parts for e in res.new_events],
        duplicate_readings=sum(res.duplicate_readings for res in parts),
        duplicate_events=sum(res.duplicate_events for res in parts),
        dead_letters=sum(res.dead_letters for res in parts),
        incidents_opened=sum(res.incidents_opened for res in parts),
        incidents_resolved=sum(res.incidents_resolved for res in parts),
        incidents_escalated=sum(res.incidents_escalated for res in parts),
        causes_attached=sum(res.causes_attached for res in parts),
    )


def ward_index(rows: Iterable[Mapping[str, Any]]) -> WardIndex | None:
    """A point-in-ward index over the imported boundaries; None while only the schematic exists."""
    real = [r for r in rows if r.get("geometry_simplified") is not None]
    return WardIndex(ward_features(real)) if real else None
