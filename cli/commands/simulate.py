"""``ioc simulate`` / ``ioc record`` / ``ioc replay`` / ``ioc loadgen``: the simulator tools."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ioc.config import Settings
from ioc.mqtt import Publisher
from simulators.domains.base import TZ
from simulators.engine import HISTORY_DOMAINS, Simulation, domain_names, history_start
from simulators.fleet import build_fleet, parse_counts
from simulators.loadgen import LoadPlan, parse_step, run_loadgen
from simulators.record import Recorder, replay
from simulators.runner import RunStats, run
from simulators.scenario import ScenarioError, available, load_scenario, parse_duration

# Ingest drops messages older than its 400-day retention; keep a margin for the
# history's alignment to midnight and COVID's report of the day before.
RETENTION = timedelta(days=400)
RETENTION_MARGIN = timedelta(days=2)


def _client_id(kind: str) -> str:
    return f"ioc-{kind}-{os.getpid()}"


def _seconds(text: str) -> float:
    return parse_duration(text).total_seconds()


def _start(text: str) -> datetime:
    ts = datetime.fromisoformat(text)
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=TZ)
    return ts


def register(sub: Any) -> None:
    p = sub.add_parser(
        "simulate", help="run the simulated Tân An fleet, optionally with a scenario"
    )
    p.add_argument(
        "--scenario", action="append", default=[], help=f"name or YAML path; one of {available()}"
    )
    p.add_argument("--speed", type=float, default=1.0, help="simulated seconds per wall second")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--duration", type=_seconds, default=None, help="wall time, e.g. 90s, 10m")
    p.add_argument("--start", type=_start, default=None, help="simulated start (ISO datetime)")
    p.add_argument("--backfill", type=float, default=0.0, help="hours to publish before start")
    p.add_argument(
        "--history-days",
        type=float,
        default=0.0,
        help="days of the daily-scale domains to publish before the backfill",
    )
    p.add_argument(
        "--history-domains",
        default=",".join(HISTORY_DOMAINS),
        metavar="NAME,...",
        help="domains or device kinds (covid = health) of the history phase",
    )
    p.add_argument(
        "--devices-per-domain", default="", metavar="KIND=N,...", help="e.g. air=40,traffic=80"
    )
    p.set_defaults(func=cmd_simulate)

    r = sub.add_parser("record", help="record messages to a JSON-lines file")
    r.add_argument("--out", type=Path, required=True)
    r.add_argument("--filter", default=None, help="topic filter (default {root}/#)")
    r.add_argument("--duration", type=_seconds, default=None)
    r.add_argument("--count", type=int, default=None)
    r.set_defaults(func=cmd_record)

    rp = sub.add_parser("replay", help="republish a recording with its original spacing")
    rp.add_argument("file", type=Path)
    rp.add_argument("--speed", type=float, default=1.0, help="0 = as fast as possible")
    rp.add_argument("--rewrite-ts", action="store_true", help="shift ts so the first is now")
    rp.add_argument("--root", default=None, help="publish under this topic root instead")
    rp.set_defaults(func=cmd_replay)

    lg = sub.add_parser("loadgen", help="steady or stepped load of valid (and bad) telemetry")
    lg.add_argument("--devices", type=int, default=1000)
    lg.add_argument("--rate", type=float, default=1000.0, help="messages per second")
    lg.add_argument("--duration", type=_seconds, default=10.0)
    lg.add_argument("--step", action="append", default=[], type=parse_step, metavar="RATE@S")
    lg.add_argument("--bad-share", type=float, default=0.0)
    lg.add_argument("--qos", type=int, choices=(0, 1), default=1)
    lg.add_argument("--seed", type=int, default=0)
    lg.set_defaults(func=cmd_loadgen)


def _print_progress(stats: RunStats) -> None:
    print(stats.line(), flush=True)


def cmd_simulate(settings: Settings, args: argparse.Namespace) -> int:
    try:
        scenarios = [load_scenario(s) for s in args.scenario]
        counts = parse_counts(args.devices_per_domain)
        history = domain_names(n.strip() for n in args.history_domains.split(",") if n.strip())
    except (ScenarioError, ValueError) as exc:
        print(f"ioc simulate: {exc}", file=sys.stderr)
        return 2
    now = datetime.now(UTC)
    start = args.start
    if start is None:
        # Ahead of the wall clock by more than 5 minutes, ingest rejects messages:
        # a time-compressed run with a duration starts early enough to end at "now".
        start = now
        if args.speed > 1 and args.duration:
            start = now - timedelta(seconds=(args.speed - 1) * args.duration)
    backfill = timedelta(hours=args.backfill)
    since = history_start(start - backfill, args.history_days) if args.history_days > 0 else None
    if since is not None and since - RETENTION_MARGIN < now - RETENTION:
        print(
            f"ioc simulate: the history would begin {since:%Y-%m-%d}, beyond ingest's"
            f" {RETENTION.days}-day retention; use fewer --history-days",
            file=sys.stderr,
        )
        return 2
    sim = Simulation(
        args.seed,
        start - backfill,
        build_fleet(args.seed, counts),
        scenarios,
        scenario_origin=start,
        history_from=since,
        history_domains=history,
    )
    print(
        f"simulating {len(sim.fleet)} devices from {start.astimezone(TZ).isoformat(timespec='seconds')}"
        f" at ×{args.speed:g}, seed {args.seed}, root {settings.topic_root!r}"
        + (f", scenario {', '.join(s.name for s in scenarios)}" if scenarios else "")
        + (f"; history of {', '.join(history)} from {since:%Y-%m-%d %H:%M}" if since else ""),
        flush=True,
    )
    pub = Publisher(settings.mqtt, _client_id("sim"), max_inflight=1000)
    try:
        stats = run(
            sim,
            pub,
            settings.topic_root,
            speed=args.speed,
            duration_s=args.duration,
            backfill=backfill,
            progress=_print_progress,
            statuses=True,
        )
    finally:
        pub.close()
    print(stats.summary(), flush=True)
    return 0


def cmd_record(settings: Settings, args: argparse.Namespace) -> int:
    flt = args.filter or f"{settings.topic_root}/#"
    deadline = None if args.duration is None else args.duration
    with args.out.open("w", encoding="utf-8") as fh:
        rec = Recorder(settings.mqtt, flt, fh, _client_id("record"))
        print(f"recording {flt} → {args.out} (Ctrl-C stops)", flush=True)
        t0 = datetime.now(UTC)
        try:
            while True:
                elapsed = (datetime.now(UTC) - t0).total_seconds()
                if deadline is not None and elapsed >= deadline:
                    break
                if args.count is not None and rec.count >= args.count:
                    break
                rec.changed.wait(0.2)
                rec.changed.clear()
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
        finally:
            rec.close()
    print(f"recorded {rec.count} messages to {args.out}", flush=True)
    return 0


def cmd_replay(settings: Settings, args: argparse.Namespace) -> int:
    pub = Publisher(settings.mqtt, _client_id("replay"))
    stop = threading.Event()
    try:
        n = replay(
            args.file,
            pub,
            speed=args.speed,
            rewrite_ts=args.rewrite_ts,
            new_root=args.root,
            stop=stop,
            progress=lambda k: print(f"replayed {k} (acked {pub.acked})", flush=True),
        )
    except KeyboardInterrupt:
        stop.set()
        pub.flush(10)
        n = pub.sent
    finally:
        pub.close()
    print(f"replayed {n} messages; acked {pub.acked}", flush=True)
    return 0


def cmd_loadgen(settings: Settings, args: argparse.Namespace) -> int:
    plan = LoadPlan(settings.topic_root, args.devices, args.seed, args.bad_share)
    pub = Publisher(settings.mqtt, _client_id("loadgen"), max_inflight=1000)
    print(
        f"loadgen: {args.devices} devices, {args.rate:g} msg/s for {args.duration:g}s"
        + (f", steps {[f'{s.rate:g}@{s.at_s:g}' for s in args.step]}" if args.step else ""),
        flush=True,
    )

    def progress(t: float, sent: int, acked: int, rate: float) -> None:
        print(f"t={t:5.1f}s sent {sent} acked {acked} rate {rate:.0f} msg/s", flush=True)

    try:
        stats = run_loadgen(
            pub,
            plan,
            rate=args.rate,
            duration_s=args.duration,
            steps=args.step,
            qos=args.qos,
            progress=progress,
        )
    finally:
        pub.close()
    print(stats.summary(), flush=True)
    return 0
