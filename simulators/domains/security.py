"""Information-security alerts from the city's security operations centre (``soc-27694``).

A few alerts a day against the city's systems, each resolved after a while.
Scenario modifier: ``rate_mult``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from simulators.domains.base import (
    Book,
    GenState,
    Out,
    empty_books,
    event,
    event_id,
    poisson,
    run_due,
)
from simulators.fleet import Device

KINDS = {
    "malware": "Phát hiện mã độc trên máy trạm",
    "brute_force": "Dò quét mật khẩu đăng nhập",
    "phishing": "Thư điện tử giả mạo",
    "ddos": "Lưu lượng bất thường, nghi tấn công từ chối dịch vụ",
    "vulnerability": "Phát hiện lỗ hổng chưa vá",
    "defacement": "Thay đổi nội dung trang web trái phép",
}
SYSTEMS = (
    "Cổng dịch vụ công",
    "Hệ thống quản lý văn bản",
    "Thư điện tử công vụ",
    "Cổng thông tin điện tử thành phố",
    "Hệ thống một cửa điện tử",
    "Trung tâm dữ liệu",
)
SEVERITIES = (("low", 0.45), ("medium", 0.35), ("high", 0.15), ("critical", 0.05))
DAILY = 3.0


@dataclass(frozen=True, slots=True)
class Alert:
    id: str
    attrs: Mapping[str, Any]
    resolve_at: datetime


Memory = Mapping[str, Book[Alert]]
State = GenState[Memory]
init = empty_books


def _sample(
    dev: Device, ts: datetime, mem: Memory, rng: random.Random, st: State, pos: bool
) -> tuple[Memory, list[Out]]:
    desk = mem.get(dev.id, Book[Alert]())
    seq, out, keep = desk.seq, [], []
    for a in desk.open:
        if a.resolve_at <= ts:
            seq += 1
            attrs = {**a.attrs, "alert": a.id}
            out.append(event(dev, ts, event_id(dev, ts, seq), "alert.resolved", attrs))
        else:
            keep.append(a)
    mult = st.overlay.value("security", dev.ward, ts, "rate_mult", 1.0)
    for _ in range(poisson(rng, DAILY * mult * dev.interval_s / 86400)):
        seq += 1
        kind = rng.choice(list(KINDS))
        severity = rng.choices([s for s, _ in SEVERITIES], [w for _, w in SEVERITIES])[0]
        attrs = {"severity": severity, "kind": kind, "system": rng.choice(SYSTEMS)}
        attrs["text"] = KINDS[kind]
        eid = event_id(dev, ts, seq)
        keep.append(Alert(eid, attrs, ts + timedelta(hours=rng.uniform(0.5, 8))))
        out.append(event(dev, ts, eid, "alert.raised", {**attrs, "alert": eid}))
    return {**mem, dev.id: Book(seq, tuple(keep))}, out


def step(state: State, rng: random.Random, now: datetime) -> tuple[State, list[Out]]:
    return run_due(state, rng, now, _sample)
