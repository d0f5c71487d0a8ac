"""The rules applied to what arrives: which incidents to open, raise, refresh or clear.

Pure.  :class:`Evaluator` keeps one :class:`~ioc.rules.machine.KeyState` per
rule and scope key — ``rule:{id}:{ward}`` for a rule ``per: ward`` (the worst of
the ward's devices decides), ``rule:{id}:{device}`` for ``per: device`` — and the
newest value of each device under a ward key.  It is fed:

* :meth:`Evaluator.observe` — readings of a batch (ingest) or computed values
  such as a ward's VN_AQI (the periodic checks);
* :meth:`Evaluator.silence` — how long each feed has been silent (the periodic
  checks), for ``no_data`` rules.

Both only *propose* the new state and return :class:`Finding` s; :meth:`commit`
adopts it once the findings are stored, so a batch written again after an
outage is judged against the state from before it.  At most one finding per key
and call: the state change that matters (fire, escalate, clear) carrying the
newest value, else an ``update`` of the value.  :meth:`seed` restores keys whose
incidents are still active after a restart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ioc.model import ReadingRow
from ioc.rules.machine import Change, KeyState, advance, crossed_step
from ioc.rules.schema import Rule, RuleSet
from vocab.severity import Severity

__all__ = ["Evaluator", "FeedState", "Finding", "Observation", "rule_key"]

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def rule_key(rule_id: str, scope: str) -> str:
    """The incident dedup key of a rule's scope key."""
    return f"rule:{rule_id}:{scope}"


@dataclass(frozen=True, slots=True)
class Observation:
    domain: str
    metric: str
    ward: str
    device: str  # "" for a ward's computed value
    time: datetime
    value: float


@dataclass(frozen=True, slots=True)
class FeedState:
    """A device's feed as the periodic check sees it."""

    device: str
    ward: str
    domain: str
    last_seen: float  # epoch seconds of its newest message
    offline_after_s: float  # its limit from the cadence ("auto" silence)
    reported_offline: bool = False  # its last status message (last will) said offline


@dataclass(frozen=True, slots=True)
class Finding:
    change: Change
    rule: Rule
    key: str
    ward: str
    device: str
    domain: str
    metric: str
    step: int  # 1-based; the step it was at when it clears
    value: float
    peak: float
    level: float | None
    time: datetime
    cause: dict[str, object] = field(default_factory=dict)

    @property
    def severity(self) -> Severity:
        return self.rule.steps[self.step - 1].severity


def _epoch(at: datetime) -> float:
    return at.timestamp()


class Evaluator:
    def __init__(self, rules: RuleSet) -> None:
        self._state: dict[str, KeyState] = {}
        self._devices: dict[str, dict[str, tuple[float, float]]] = {}
        self._history: dict[str, tuple[tuple[float, float], ...]] = {}
        self._new_state: dict[str, KeyState | None] = {}
        self._new_devices: dict[str, dict[str, tuple[float, float]]] = {}
        self._new_history: dict[str, tuple[tuple[float, float], ...]] = {}
        self._sizes: dict[str, float] = {}  # lighting cabinet -> lamps (see lamp_fault_pct)
        self.set_rules(rules)

    # ---- rules --------------------------------------------------------------------

    def set_rules(self, rules: RuleSet) -> None:
        """Adopt new rules; the keys of rules that are gone (or disabled) are dropped."""
        self.rules = rules
        self._by_metric: dict[tuple[str, str], list[Rule]] = {}
        self._silence: list[Rule] = []
        for r in rules.rules:
            if not r.enabled:
                continue
            if r.condition == "no_data":
                self._silence.append(r)
            else:
                self._by_metric.setdefault((r.scope.domain, r.scope.metric), []).append(r)
        self._inputs = set(self._by_metric)
        if ("lighting", "fault_pct") in self._by_metric:
            self._inputs |= {("lighting", "lamps_on"), ("lighting", "lamps_fault")}
        live = {rule_key(r.id, "") for r in rules.rules if r.enabled}
        for key in list(self._state):
            prefix = key.rsplit(":", 1)[0] + ":"
            if prefix not in live:
                self._state.pop(key, None)
                self._devices.pop(key, None)

    def watches(self, domain: str, metric: str) -> bool:
        return (domain, metric) in self._by_metric

    # ---- proposing and committing ---------------------------------------------------

    def _begin(self) -> None:
        self._new_state, self._new_devices, self._new_history = {}, {}, {}

    def commit(self) -> None:
        """The findings last returned are stored: adopt the state that produced them."""
        for key, st in self._new_state.items():
            if st is None:
                self._state.pop(key, None)
                self._devices.pop(key, None)
            else:
                self._state[key] = st
        self._devices.update(self._new_devices)
        self._history.update(self._new_history)
        self._begin()

    def _get(self, key: str) -> KeyState | None:
        return self._new_state[key] if key in self._new_state else self._state.get(key)

    def seed(self, active: Iterable[tuple[str, int]], now: float) -> None:
        """Keys whose incidents are active (after a restart): firing at their step, so the
        values that follow clear or raise them instead of opening a second incident."""
        for key, step in active:
            if key not in self._state and step >= 1:
                self._state[key] = KeyState("firing", now, step, 0.0, float("nan"), float("nan"))

    def active(self) -> dict[str, KeyState]:
        """The committed state of every key that is pending, firing or clearing."""
        return dict(self._state)

    # ---- observations ---------------------------------------------------------------

    def observe_readings(
        self, readings: Iterable[ReadingRow], domain_of: Mapping[str, str]
    ) -> list[Finding]:
        """Findings for a batch's new readings (``domain_of``: device -> domain); only the
        readings some rule watches (or derives from) are looked at."""
        wanted = self._inputs
        return self.observe(
            Observation(dom, r.metric, r.ward_code, r.device_id, r.time, r.value)
            for r in readings
            if (dom := domain_of.get(r.device_id, "")) and (dom, r.metric) in wanted
        )

    def observe(self, observations: Iterable[Observation]) -> list[Finding]:
        """Findings for these observations (a batch's readings, or computed values)."""
        self._begin()
        found: dict[str, list[Finding]] = {}
        given = list(observations)
        if ("lighting", "fault_pct") in self._by_metric:
            given += derived(given, self._sizes)
        todo = [o for o in given if (o.domain, o.metric) in self._by_metric]
        todo.sort(key=lambda o: o.time)
        for o in todo:
            for rule in self._by_metric[(o.domain, o.metric)]:
                if rule.matches(o.ward, o.device):
                    f = self._one(rule, o)
                    if f is not None:
                        _merge(found.setdefault(f.key, []), f)
        return [f for fs in found.values() for f in fs]

    def _one(self, rule: Rule, o: Observation) -> Finding | None:
        scope = o.ward if rule.per == "ward" else (o.device or o.ward)
        key = rule_key(rule.id, scope)
        t = _epoch(o.time)
        value = o.value
        if rule.condition == "rise":
            rise = self._rise(rule, o.device or o.ward, t, o.value)
            if rise is None:
                return None
            value = rise
        devices = self._new_devices.get(key)
        if devices is None:
            devices = self._new_devices[key] = dict(self._devices.get(key, {}))
        prev = devices.get(o.device)
        if prev is not None and t < prev[0]:
            return None
        devices[o.device] = (t, value)
        st = self._get(key)
        current = st.step if st is not None and st.phase != "pending" else 0
        below = rule.condition == "below"
        local = o.time.astimezone(TZ).time() if rule.periods else None
        best, who, shown = 0, o.device, value
        for dev, (_, v) in devices.items():
            levels = rule.levels(o.ward, dev, local)
            k = crossed_step(levels, v, current, rule.clear.hysteresis, below)
            if k > best or (k == best and ((v < shown) if below else (v > shown))):
                best, who, shown = k, dev, v
        new, change = advance(
            st, t, shown, best, hold=rule.hold, clear_after=rule.clear.after, below=below
        )
        self._new_state[key] = new
        if change is None or (change == "update" and st is not None and st.value == shown):
            return None
        step = new.step if new is not None else (st.step if st is not None else 1)
        levels = rule.levels(o.ward, who, local)
        return Finding(
            change, rule, key, o.ward, who, o.domain, o.metric, step, shown,
            new.peak if new is not None else (st.peak if st is not None else shown),
            levels[step - 1] if step <= len(levels) else None, o.time,
        )  # fmt: skip

    def _rise(self, rule: Rule, who: str, t: float, v: float) -> float | None:
        """The change over the rule's window at this device, once half the window is seen."""
        hkey = f"{rule.id}:{who}"
        hist = self._new_history.get(hkey, self._history.get(hkey, ()))
        hist = (*(p for p in hist if p[0] >= t - rule.window), (t, v))
        self._new_history[hkey] = hist
        oldest_t, oldest_v = hist[0]
        return v - oldest_v if t - oldest_t >= rule.window / 2 else None

    # ---- silence (no_data rules) ------------------------------------------------------

    def silence(self, now: datetime, feeds: Iterable[FeedState]) -> list[Finding]:
        """Findings of the ``no_data`` rules for these feeds at ``now``."""
        self._begin()
        t = _epoch(now)
        out: list[Finding] = []
        feeds = list(feeds)
        for rule in self._silence:
            for f in feeds:
                if rule.scope.domain not in ("*", f.domain) or not rule.matches(f.ward, f.device):
                    continue
                limit = f.offline_after_s if rule.silence == "auto" else float(rule.silence)
                silent = max(0.0, t - f.last_seen)
                crossed = 1 if f.reported_offline or silent >= limit else 0
                key = rule_key(rule.id, f.device)
                st = self._get(key)
                new, change = advance(
                    st, t, silent, crossed, hold=rule.hold, clear_after=rule.clear.after
                )
                self._new_state[key] = new
                if change is not None and change != "update":
                    at = datetime.fromtimestamp(f.last_seen, UTC) if f.last_seen else now
                    out.append(
                        Finding(change, rule, key, f.ward, f.device, f.domain, "*", 1, silent,
                                silent, limit, now, {"last_seen": at.isoformat(),
                                                     "reported_offline": f.reported_offline})
                    )  # fmt: skip
        return out


def _merge(seen: list[Finding], f: Finding) -> None:
    """A key's findings in one call: each change that matters once, in order, the last one
    carrying the newest value; updates fold into what came before them."""
    last = seen[-1] if seen else None
    if last is None or (last.change == "update" and f.change != "clear"):
        seen[-1:] = [f]
    elif f.change == "update" or (f.change == "escalate" and last.change in ("fire", "escalate")):
        step = max(last.step, f.step)
        level = f.level if f.step >= last.step else last.level
        seen[-1] = replace(last, value=f.value, peak=f.peak, time=f.time, step=step, level=level)
    else:
        seen.append(f)


def lamp_fault_pct(
    sizes: dict[str, float], device: str, lamps_on: float | None, lamps_fault: float | None
) -> float | None:
    """The share of a cabinet's lamps that are out, in %.

    A cabinet's size is the most lamps (on + faulty) seen while it was lit; in daylight
    ``lamps_on`` is 0, so the size learnt at night is what the faults are counted against.
    ``sizes`` is updated in place.  None until the size is known.
    """
    if lamps_on is not None and lamps_fault is not None and lamps_on > 0:
        sizes[device] = max(sizes.get(device, 0.0), lamps_on + lamps_fault)
    size = sizes.get(device)
    if not size or lamps_fault is None:
        return None
    return min(100.0, 100.0 * lamps_fault / size)


def derived(observations: Iterable[Observation], sizes: dict[str, float]) -> list[Observation]:
    """The derived observations of a batch: each lighting cabinet's fault share."""
    cabinets: dict[str, dict[str, Observation]] = {}
    for o in observations:
        if o.domain == "lighting" and o.metric in ("lamps_on", "lamps_fault"):
            cabinets.setdefault(o.device, {})[o.metric] = o
    out = []
    for device, got in cabinets.items():
        on, fault = got.get("lamps_on"), got.get("lamps_fault")
        pct = lamp_fault_pct(
            sizes, device, on.value if on else None, fault.value if fault else None
        )
        if pct is not None and fault is not None:
            out.append(Observation("lighting", "fault_pct", fault.ward, device, fault.time, pct))
    return out
