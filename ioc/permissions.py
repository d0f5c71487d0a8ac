"""Who may do what to an incident: the one role × action table, for the pages and the API.

Pure (no Flask): the callers pass the user's role and wards.  Every callback and
API call asks :func:`refusal` on the server before anything changes; the store
asks it again inside the transaction that changes the incident, with the ward it
has locked, so a refused action changes nothing.

=============  =====  ===  ========  =======  =======  =====  ======
role           read   ack  dispatch  comment  resolve  close  reopen
=============  =====  ===  ========  =======  =======  =====  ======
viewer         all
ward_staff     own                   own      own
operator       all    all  all       all      all      all    all
admin          all    all  all       all      all      all    all
=============  =====  ===  ========  =======  =======  =====  ======

"own": incidents of the user's wards; ward staff never see city-level incidents
(they have no ward).  Admins also manage users and API tokens (``ioc users``,
``ioc tokens``).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

from vocab.severity import ACTIONS, Action

__all__ = ["ROLE_ACTIONS", "Refusal", "allowed_actions", "may_read", "refusal"]

Refusal = Literal["role", "ward"]

ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    "viewer": frozenset(),
    "ward_staff": frozenset({"comment", "resolve"}),
    "operator": frozenset(ACTIONS),
    "admin": frozenset(ACTIONS),
}


def may_read(role: str, wards: Collection[str], ward_code: str | None) -> bool:
    """Ward staff read the incidents of their wards; every other role reads all of them."""
    if role not in ROLE_ACTIONS:
        return False
    return role != "ward_staff" or (ward_code is not None and ward_code in wards)


def refusal(
    role: str, wards: Collection[str], action: Action, ward_code: str | None
) -> Refusal | None:
    """Why this user may not take ``action`` on an incident of ``ward_code``; None if they may.

    ``"ward"``: the incident is outside the user's wards (or city-level, for ward staff);
    ``"role"``: the user's role does not allow the action anywhere.
    """
    if not may_read(role, wards, ward_code):
        return "ward"
    if action not in ROLE_ACTIONS.get(role, frozenset()):
        return "role"
    return None


def allowed_actions(role: str, wards: Collection[str], ward_code: str | None) -> list[Action]:
    """The actions this user may take on an incident of ``ward_code`` (in lifecycle order)."""
    return [a for a in ACTIONS if refusal(role, wards, a, ward_code) is None]
