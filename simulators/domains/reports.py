"""Citizen reports (phản ánh hiện trường): created with a category, text and location, then handled.

One source per ward (``pakn-{ward}``).  Reports arrive more by day than by
night; each is taken into processing within hours and closed within two days.
Scenario modifiers: ``rate_mult`` and ``flood_share`` (the share of new
reports about flooding, raised by the flood scenario).
"""

from __future__ import annotations

import math
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
    hour_of_day,
    poisson,
    run_due,
)
from simulators.fleet import Device

TEXTS: dict[str, tuple[str, ...]] = {
    "giao_thong": ("Đèn tín hiệu giao thông không hoạt động", "Xe đậu lấn chiếm lòng đường"),
    "moi_truong": ("Rác thải tồn đọng nhiều ngày", "Khói bụi từ công trình xây dựng"),
    "trat_tu_do_thi": ("Lấn chiếm vỉa hè buôn bán", "Xây dựng không phép"),
    "chieu_sang": ("Đèn đường bị hỏng", "Đèn chiếu sáng sáng cả ban ngày"),
    "ngap_ung": ("Đường ngập sau mưa", "Cống thoát nước bị tắc"),
    "khac": ("Cây xanh có nguy cơ gãy đổ", "Tiếng ồn karaoke về đêm"),
}
WEIGHTS = (0.2, 0.25, 0.2, 0.15, 0.05, 0.15)
DAILY_PER_10K = 2.0


@dataclass(frozen=True, slots=True)
class Report:
    id: str
    category: str
    text: str
    lat: float
    lon: float
    status: str
    next_at: datetime


Memory = Mapping[str, Book[Report]]
State = GenState[Memory]
init = empty_books


def _attrs(r: Report) -> dict[str, Any]:
    return {
        "report": r.id,
        "category": r.category,
        "text": r.text,
        "lat": r.lat,
        "lon": r.lon,
        "status": r.status,
    }


def _new(dev: Device, ts: datetime, seq: int, rng: random.Random, st: State) -> Report:
    flood = st.overlay.value("reports", dev.ward, ts, "flood_share", 0.0)
    cats = list(TEXTS)
    category = "ngap_ung" if rng.random() < flood else rng.choices(cats, WEIGHTS)[0]
    radius = 0.006
    return Report(
        # The creation time keeps ids unique when a restarted simulator counts from 1 again.
        id=f"PA-{dev.ward}-{ts:%y%m%d%H%M}-{seq:05d}",
        category=category,
        text=rng.choice(TEXTS[category]),
        lat=round(dev.lat + rng.uniform(-radius, radius), 6),
        lon=round(dev.lon + rng.uniform(-radius, radius), 6),
        status="new",
        next_at=ts + timedelta(hours=rng.uniform(0.5, 6)),
    )


def _sample(
    dev: Device, ts: datetime, mem: Memory, rng: random.Random, st: State, pos: bool
) -> tuple[Memory, list[Out]]:
    inbox = mem.get(dev.id, Book[Report]())
    seq, out, keep = inbox.seq, [], []
    for r in inbox.open:
        if r.next_at > ts:
            keep.append(r)
            continue
        seq += 1
        eid = event_id(dev, ts, seq)
        if r.status == "new":
            r = replace(r, status="processing", next_at=ts + timedelta(hours=rng.uniform(2, 40)))
            out.append(event(dev, ts, eid, "report.updated", _attrs(r)))
            keep.append(r)
        else:
            r = replace(r, status="closed")
            out.append(event(dev, ts, eid, "report.closed", _attrs(r)))
    h = hour_of_day(ts)
    daytime = 0.3 + 1.4 * math.exp(-0.5 * ((h - 12) / 4) ** 2)
    mult = st.overlay.value("reports", dev.ward, ts, "rate_mult", 1.0)
    lam = DAILY_PER_10K * dev.population / 10_000 * daytime * mult * dev.interval_s / 86400
    for _ in range(poisson(rng, lam)):
        seq += 1
        r = _new(dev, ts, seq, rng, st)
        keep.append(r)
        out.append(event(dev, ts, event_id(dev, ts, seq), "report.created", _attrs(r)))
    return {**mem, dev.id: Book(seq, tuple(keep))}, out


def step(state: State, rng: random.Random, now: datetime) -> tuple[State, list[Out]]:
    return run_due(state, rng, now, _sample)
