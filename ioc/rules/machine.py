"""The state machine of one rule for one scope key (a ward or a device): pure functions.

``idle → pending → firing ⇄ clearing → idle``:

* a step is *crossed* when the value is at or past its level (``above``,
  ``rise``; at or under it for ``below``).  While firing at step *s*, steps up
  to *s* stay crossed until the value is back past their level by the
  hysteresis: a value wobbling around a level does not clear it;
* **pending**: a step is crossed; it fires once it has been crossed for ``hold``
  (at once when ``hold`` is 0); falling back before that returns to idle;
* **firing** at step *s*: a higher step crossed for ``hold`` escalates
  (severity only ever rises while an incident lives); nothing crossed starts
  clearing;
* **clearing**: crossed again goes back to firing (no second incident); clear
  for ``clear.after`` ends it.

An observation older than the key's last one is ignored (late data does not
move the state).  Times are epoch seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

__all__ = ["Change", "KeyState", "advance", "crossed_step"]

Phase = Literal["pending", "firing", "clearing"]
Change = Literal["fire", "escalate", "update", "clear"]


@dataclass(frozen=True, slots=True)
class KeyState:
    phase: Phase
    since: float  # when this phase began
    step: int  # 1-based: the step pending or firing
    last_t: float  # the newest observation's time
    value: float  # the newest observation's value
    peak: float  # the worst value since it fired (or since pending)
    up_since: float | None = None  # a higher step has been crossed since then


def crossed_step(
    levels: Sequence[float], value: float, current: int, hysteresis: float, below: bool
) -> int:
    """The highest step (1-based, 0 for none) the value crosses; the ``current`` step and
    those under it keep their level minus the hysteresis."""
    step = 0
    for k, level in enumerate(levels, 1):
        margin = hysteresis if k <= current else 0.0
        if (value <= level + margin) if below else (value >= level - margin):
            step = k
        else:
            break
    return step


def _worse(a: float, b: float, below: bool) -> float:
    if a != a:  # NaN: a key restored after a restart has seen no value yet
        return b
    return min(a, b) if below else max(a, b)


def advance(
    st: KeyState | None,
    t: float,
    value: float,
    crossed: int,
    *,
    hold: float,
    clear_after: float,
    below: bool = False,
) -> tuple[KeyState | None, Change | None]:
    """The key's next state after an observation at ``t`` whose crossed step is ``crossed``
    (computed with :func:`crossed_step` against the current firing step), and the change to
    report, if any."""
    if st is not None and t < st.last_t:
        return st, None  # late data does not move the state
    if st is None:
        if crossed == 0:
            return None, None
        st = KeyState("pending", t, crossed, t, value, value)
    else:
        st = replace(st, last_t=t, value=value)
    if st.phase == "pending":
        if crossed == 0:
            return None, None
        st = replace(st, step=crossed, peak=_worse(st.peak, value, below))
        if t - st.since >= hold:
            return replace(st, phase="firing", since=t), "fire"
        return st, None
    peak = _worse(st.peak, value, below)
    if crossed == 0:
        if st.phase == "firing":
            st = replace(st, phase="clearing", since=t, up_since=None)
        if t - st.since >= clear_after:
            return None, "clear"
        return replace(st, peak=peak), None
    # crossed again, or still: firing
    st = replace(st, phase="firing", peak=peak)
    if crossed > st.step:
        up = st.up_since if st.up_since is not None else t
        if t - up >= hold:
            return replace(st, step=crossed, since=t, up_since=None), "escalate"
        return replace(st, up_since=up), "update"
    return replace(st, up_since=None), "update"
