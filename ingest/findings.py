"""What the rule evaluator finds, as the store's incident changes.  Pure.

A fire or an escalation of a rule's key becomes an
:class:`~ioc.model.IncidentCandidate` under the key's dedup key, which the store
opens or escalates (with a log row); an update of the value refreshes the active
incident and never opens one (``opens`` False: an incident an operator resolved
while the value stayed high is not opened again by the next reading).  A clear
becomes a :class:`~ioc.model.Resolution`.  The cause is data
(:class:`~ioc.model.IncidentCause` naming the rule and step), so the screens and
the notifier render the rule's message in the reader's language; findings of a
metric join its correlation group (:data:`ingest.rules.METRIC_GROUPS`).
"""

from __future__ import annotations

from collections.abc import Iterable

from ingest.rules import METRIC_GROUPS
from ioc.incident_text import cause_title
from ioc.model import IncidentCandidate, IncidentCause, Resolution
from ioc.rules.evaluator import Finding
from ioc.rules.render import metric_unit

__all__ = ["incident_changes"]


def _cause(f: Finding) -> IncidentCause:
    silent = f.rule.condition == "no_data"
    return IncidentCause(
        domain=f.domain, kind=f.rule.id, ward_code=f.ward or None,
        metric=None if silent else f.metric, value=f.value,
        unit=None if silent else metric_unit(f.domain, f.metric) or None,
        threshold=f.level, device=f.device or None, rule=f.rule.id, step=f.step,
    )  # fmt: skip


def incident_changes(
    findings: Iterable[Finding],
) -> tuple[list[IncidentCandidate], list[Resolution]]:
    candidates: list[IncidentCandidate] = []
    resolutions: list[Resolution] = []
    for f in findings:
        if f.change == "clear":
            note = "feed_back" if f.rule.condition == "no_data" else "alarm_cleared"
            resolutions.append(Resolution(f.key, f.time, note))
            continue
        cause = _cause(f)
        candidates.append(
            IncidentCandidate(
                dedup_key=f.key,
                ward_code=f.ward or None,
                domain=f.domain,
                kind=f.rule.id,
                severity=f.severity,
                title=cause_title(cause, "vi"),
                cause=cause,
                group=None if f.rule.condition == "no_data" else METRIC_GROUPS.get(f.metric),
                opens=f.change != "update",
                detail={"time": f.time.isoformat(), **f.cause},
                source=f.device or None,
                time=f.time,
            )
        )
    return candidates, resolutions
