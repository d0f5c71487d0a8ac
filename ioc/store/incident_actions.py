"""Operator actions on one incident: acknowledge, dispatch, comment, resolve, close, reopen.

:func:`perform` runs one action in one transaction with the incident's row
locked, so two people acting at once are serialised: the first wins and the
second is judged against what the first left.  An action names the version it
was based on (``ActionRequest.version``); when the incident moved on since, it
is refused with :class:`~ioc.errors.Conflict` (409) naming who changed it and
how.  Comments never conflict: both land.  Every refusal raises before anything
is written (the transaction rolls back); every success writes exactly one
``incident_log`` row and moves the version by one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg

from ioc.errors import Conflict, InvalidAction, NotFound
from ioc.store.incidents import log_change
from vocab.severity import Action, IncidentStatus, next_status

__all__ = ["MAX_NAME", "MAX_NOTE", "ActionRequest", "Authorize", "perform"]

MAX_NOTE = 2000
MAX_NAME = 120
# Called with the locked incident's ward (None: city-level); raises Forbidden to refuse.
Authorize = Callable[[str | None], None]


@dataclass(frozen=True, slots=True)
class ActionRequest:
    action: Action
    actor: str
    note: str = ""
    team: str | None = None
    assignee: str | None = None
    version: int | None = None  # the version the actor saw; None: take the incident as it is


def _check_fields(req: ActionRequest) -> None:
    note = req.note.strip()
    if len(req.note) > MAX_NOTE:
        raise InvalidAction("act.err.too_long", field="note", n=MAX_NOTE)
    for name in ("team", "assignee"):
        value = getattr(req, name)
        if value is not None and len(value) > MAX_NAME:
            raise InvalidAction("act.err.too_long", field=name, n=MAX_NAME)
    if req.action == "resolve" and not note:
        raise InvalidAction("act.err.note_required")
    if req.action == "comment" and not note:
        raise InvalidAction("act.err.comment_empty")
    if req.action == "dispatch" and not (req.team or "").strip():
        raise InvalidAction("act.err.team_required")


_UPDATE = """
UPDATE incidents SET
    status = %(to)s,
    version = version + 1,
    updated_at = now(),
    acknowledged_at = CASE WHEN %(action)s IN ('ack', 'dispatch', 'resolve')
                           THEN coalesce(acknowledged_at, now()) ELSE acknowledged_at END,
    dispatched_at = CASE WHEN %(action)s = 'dispatch' THEN now() ELSE dispatched_at END,
    team = CASE WHEN %(action)s = 'dispatch' THEN %(team)s ELSE team END,
    assignee = CASE WHEN %(action)s = 'dispatch' THEN %(assignee)s ELSE assignee END,
    resolved_at = CASE WHEN %(action)s = 'resolve' THEN now()
                       WHEN %(action)s = 'reopen' THEN NULL ELSE resolved_at END,
    resolution = CASE WHEN %(action)s = 'resolve' THEN %(note)s
                      WHEN %(action)s = 'reopen' THEN NULL ELSE resolution END,
    closed_at = CASE WHEN %(action)s = 'close' THEN now()
                     WHEN %(action)s = 'reopen' THEN NULL ELSE closed_at END
WHERE id = %(id)s
RETURNING version
"""


def perform(
    conn: psycopg.Connection[Any], incident_id: int, req: ActionRequest, authorize: Authorize
) -> int:
    """Take ``req`` on the incident; returns its new version.

    Raises :class:`~ioc.errors.NotFound` (404), whatever ``authorize`` raises (403),
    :class:`~ioc.errors.Conflict` (409) or :class:`~ioc.errors.InvalidAction` (400).
    """
    with conn.transaction(), conn.cursor() as cur:
        row = cur.execute(
            "SELECT status, version, ward_code FROM incidents WHERE id = %s FOR UPDATE",
            (incident_id,),
        ).fetchone()
        if row is None:
            raise NotFound("act.err.not_found", id=incident_id)
        status: IncidentStatus = row[0]
        version, ward = int(row[1]), row[2]
        authorize(ward)
        if req.version is not None and req.version != version and req.action != "comment":
            last = cur.execute(
                "SELECT actor, action FROM incident_log WHERE incident_id = %s"
                " ORDER BY id DESC LIMIT 1",
                (incident_id,),
            ).fetchone()
            actor, action = (str(last[0]), str(last[1])) if last else ("?", "?")
            raise Conflict(
                "act.err.conflict", actor=actor, did=action, status=status, version=version
            )
        to = next_status(status, req.action)
        if to is None:
            raise InvalidAction("act.err.transition", action=req.action, status=status)
        _check_fields(req)
        note = req.note.strip()
        team = (req.team or "").strip() or None
        assignee = (req.assignee or "").strip() or None
        (new_version,) = cur.execute(
            _UPDATE,
            {"to": to, "action": req.action, "team": team, "assignee": assignee,
             "note": note, "id": incident_id},
        ).fetchone() or (version + 1,)  # fmt: skip
        data: dict[str, Any] = {}
        if req.action == "dispatch":
            data = {"team": team, "assignee": assignee}
        log_change(
            cur, incident_id, req.actor, req.action, version=int(new_version),
            from_status=status, to_status=to, note=note, data=data,
        )  # fmt: skip
        return int(new_version)
