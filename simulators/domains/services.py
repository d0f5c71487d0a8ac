"""Public-service dossiers: received online or in person in office hours, resolved or overdue.

One source per ward (``dvc-{ward}``, the one-stop desk and the online portal).
Dossiers arrive in office hours (Mon–Fri 07:30–11:30, 13:30–17:00) at a rate
set by the ward's population, ~65 % online, level 3 or 4.  At receipt each
dossier draws when it will be resolved: ~98.5 % before its due date.  Every
event (received / resolved / overdue) is stamped in office hours: work that
falls due outside them is seen at the next office tick.

Scenario modifiers (``dossier_backlog``): ``arrival_mult``, ``on_time_p``, ``delay_days``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from simulators.domains.base import (
    Book,
    GenState,
    Out,
    empty_books,
    event,
    event_id,
    in_office_hours,
    local,
    poisson,
    run_due,
)
from simulators.fleet import Device

# (procedure, working days to resolve)
PROCEDURES: tuple[tuple[str, int], ...] = (
    ("Chứng thực bản sao từ bản chính", 1),
    ("Đăng ký khai sinh", 1),
    ("Đăng ký kết hôn", 3),
    ("Đăng ký thường trú", 5),
    ("Cấp giấy phép xây dựng nhà ở riêng lẻ", 10),
    ("Cấp giấy chứng nhận quyền sử dụng đất", 10),
    ("Đăng ký hộ kinh doanh", 3),
    ("Xác nhận tình trạng hôn nhân", 3),
    ("Trích lục hộ tịch", 1),
    ("Cấp phép đào đường", 7),
)
HOURLY_PER_10K = 2.5
ONLINE_SHARE = 0.65


@dataclass(frozen=True, slots=True)
class Dossier:
    id: str
    procedure: str
    channel: str
    level: int
    due: datetime
    resolve_at: datetime
    overdue_sent: bool = False


Memory = Mapping[str, Book[Dossier]]
State = GenState[Memory]
init = empty_books


def add_working_days(ts: datetime, days: int) -> datetime:
    lt = local(ts)
    while days > 0:
        lt += timedelta(days=1)
        if lt.weekday() < 5:
            days -= 1
    return lt.replace(hour=17, minute=0, second=0, microsecond=0)


def _attrs(d: Dossier, **extra: Any) -> dict[str, Any]:
    return {
        "dossier": d.id,
        "procedure": d.procedure,
        "channel": d.channel,
        "level": d.level,
        "due": local(d.due).isoformat(timespec="seconds"),
        **extra,
    }


def _new(dev: Device, ts: datetime, seq: int, rng: random.Random, st: State) -> Dossier:
    ov = st.overlay
    procedure, days = rng.choice(PROCEDURES)
    received = local(ts)
    due = add_working_days(ts, days)
    if rng.random() < ov.value("services", dev.ward, ts, "on_time_p", 0.985):
        span = max(1800.0, (due - received).total_seconds() - 3600)
        resolve_at = received + timedelta(seconds=rng.uniform(1800, span))
    else:
        resolve_at = due + timedelta(hours=rng.uniform(1, 72))
    resolve_at += timedelta(days=ov.value("services", dev.ward, ts, "delay_days", 0.0))
    return Dossier(
        id=f"HS-{dev.ward}-{received:%y%m%d}-{seq:05d}",
        procedure=procedure,
        channel="online" if rng.random() < ONLINE_SHARE else "in_person",
        level=4 if rng.random() < 0.55 else 3,
        due=due,
        resolve_at=resolve_at,
    )


def _sample(
    dev: Device, ts: datetime, mem: Memory, rng: random.Random, st: State, pos: bool
) -> tuple[Memory, list[Out]]:
    if not in_office_hours(ts):
        return mem, []
    desk = mem.get(dev.id, Book[Dossier]())
    seq, out, keep = desk.seq, [], []
    for d in desk.open:
        if d.resolve_at <= ts:
            seq += 1
            attrs = _attrs(d, on_time=ts <= d.due)
            out.append(event(dev, ts, event_id(dev, ts, seq), "dossier.resolved", attrs))
            continue
        if d.due <= ts and not d.overdue_sent:
            seq += 1
            out.append(event(dev, ts, event_id(dev, ts, seq), "dossier.overdue", _attrs(d)))
            d = replace(d, overdue_sent=True)
        keep.append(d)
    mult = st.overlay.value("services", dev.ward, ts, "arrival_mult", 1.0)
    lam = HOURLY_PER_10K * dev.population / 10_000 * mult * dev.interval_s / 3600
    for _ in range(poisson(rng, lam)):
        seq += 1
        d = _new(dev, ts, seq, rng, st)
        keep.append(d)
        out.append(event(dev, ts, event_id(dev, ts, seq), "dossier.received", _attrs(d)))
    return {**mem, dev.id: Book(seq, tuple(keep))}, out


def step(state: State, rng: random.Random, now: datetime) -> tuple[State, list[Out]]:
    return run_due(state, rng, now, _sample)
