"""What the rule evaluator finds, as the store's incident changes.  Pure.

A fire, an escalation or an update of a rule's key becomes an
:class:`~ioc.model.IncidentCandidate` under the key's dedup key (the store opens
it, raises its severity, or refreshes its value); a clear becomes a
:class:`~ioc.model.Resolution`.  The incident keeps the finding's cause as data
(:func:`ioc.rules.render.cause`), so its title can be rendered in any language.
"""

from __future__ import annotations

from collections.abc import Iterable

from ioc.model import IncidentCandidate, Resolution
from ioc.rules.evaluator import Finding
from ioc.rules.render import cause, render

__all__ = ["incident_changes"]


def incident_changes(
    findings: Iterable[Finding],
) -> tuple[list[IncidentCandidate], list[Resolution]]:
    candidates: list[IncidentCandidate] = []
    resolutions: list[Resolution] = []
    for f in findings:
        if f.change == "clear":
            resolutions.append(Resolution(f.key, f.time, f"{f.rule.id}: back to normal"))
            continue
        detail = cause(f)
        candidates.append(
            IncidentCandidate(
                dedup_key=f.key,
                ward_code=f.ward,
                domain=f.domain,
                kind=f.rule.id,
                severity=f.severity,
                title=render(f.rule, detail, "vi"),
                detail=detail,
                source=f.device or None,
                time=f.time,
            )
        )
    return candidates, resolutions
