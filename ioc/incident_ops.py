"""Incident operations as a user: read one incident (with its log and causes) and act on it.

The one path the pages' callbacks and the HTTP API both take, so they enforce
the same rules (:mod:`ioc.permissions`): the role is checked before anything is
read, the ward again inside the transaction that locks the incident
(:func:`ioc.store.incident_actions.perform`), so a refused action changes
nothing.  Refusals are :class:`~ioc.errors.ActionRefused` subclasses whose
message :func:`ioc.incident_text.describe_refusal` renders in the reader's
language; the API maps them to 400 / 403 / 404 / 409.  After a change the
incidents revision moves (every screen re-reads at once).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from ioc.errors import Forbidden, NotFound, ServiceUnavailable
from ioc.permissions import ROLE_ACTIONS, allowed_actions, may_read, refusal
from ioc.readmodel import ReadModel
from ioc.store import incident_queries as iq
from ioc.store.incident_actions import ActionRequest, perform
from ioc.store.records import IncidentCauseRow, IncidentLogRow, IncidentRow
from vocab.severity import Action, next_status

__all__ = ["Actor", "IncidentView", "act", "available", "view"]

log = logging.getLogger(__name__)


class Actor(Protocol):
    """Who acts: :class:`ioc.auth.User` is one."""

    @property
    def name(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def wards(self) -> Collection[str]: ...


@dataclass(frozen=True, slots=True)
class IncidentView:
    incident: IncidentRow
    log: list[IncidentLogRow]
    causes: list[IncidentCauseRow]


def view(read: ReadModel, user: Actor, incident_id: int) -> IncidentView:
    """The incident, its log (oldest first) and causes; NotFound, or Forbidden outside the
    user's wards."""
    row = read.incident_query(iq.incident, incident_id)
    if row is None:
        raise NotFound("act.err.not_found", id=incident_id)
    if not may_read(user.role, user.wards, row.ward_code):
        raise Forbidden("act.err.ward")
    return IncidentView(
        row,
        read.incident_query(iq.incident_log, incident_id),
        read.incident_query(iq.incident_causes, incident_id),
    )


def available(user: Actor, row: IncidentRow) -> list[Action]:
    """The actions this user may take on the incident now (role, wards and status)."""
    return [
        a
        for a in allowed_actions(user.role, user.wards, row.ward_code)
        if next_status(row.status, a) is not None
    ]


def act(
    read: ReadModel,
    user: Actor,
    incident_id: int,
    action: Action,
    *,
    note: str = "",
    team: str | None = None,
    assignee: str | None = None,
    version: int | None = None,
) -> IncidentView:
    """Take ``action`` as ``user``; the incident as it is afterwards."""
    if action not in ROLE_ACTIONS.get(user.role, frozenset()):
        log.info("refused %s of incident %d to %s (%s)", action, incident_id, user.name, user.role)
        raise Forbidden("act.err.role", action=action)

    def authorize(ward: str | None) -> None:
        why = refusal(user.role, user.wards, action, ward)
        if why is not None:
            log.info("refused %s of incident %d to %s: %s", action, incident_id, user.name, why)
            raise Forbidden(f"act.err.{why}", action=action)

    request = ActionRequest(action, user.name, note, team, assignee, version)
    new_version = read.db.run(perform, incident_id, request, authorize)
    log.info("%s: %s incident %d (version %d)", user.name, action, incident_id, new_version)
    try:
        read.live.incidents_changed()
    except ServiceUnavailable as exc:  # the screens catch up within the cache's TTL
        log.warning("incident %d changed, live state not told: %s", incident_id, exc)
    return view(read, user, incident_id)
