"""Every read query of the control room against real PostgreSQL and simulated data.

Two and a half simulated days (Monday 00:00 to Wednesday 12:00, Asia/Ho_Chi_Minh)
of a reduced default fleet go through the ingest write path without a broker
(decode → to_rows → write_batch, which folds the rollups, with incident
rules).  Each query's answer is checked against a computation made directly from
the generated messages, for all wards and for a ward-staff list of one ward.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from statistics import fmean
from typing import Any

import psycopg
import pytest

from geodata.registry import ward_codes, wards
from ingest.decode import RawMessage, decode
from ingest.pipeline import Pipeline
from ioc.contract import CITY, Validator
from ioc.model import BatchRows, ReadingRow
from ioc.rules.schema import RuleSet
from ioc.store import queries
from ioc.store.db import connect
from ioc.store.incident_actions import ActionRequest, perform
from ioc.store.wards import upsert_boundaries
from ioc.store.writer import write_batch
from simulators.domains.base import TZ, Out, event, telemetry
from simulators.engine import Simulation
from simulators.fleet import RIVER_WARDS, build_fleet
from tests.fix_db import make_schema, remove_schema

Conn = psycopg.Connection[Any]
ROOT = "tanan/v1"
START = datetime(2026, 3, 2, 0, 0, tzinfo=TZ)  # a Monday, local midnight
END = START + timedelta(days=2, hours=12)  # Wednesday noon: one morning of overdue dossiers
# Every per-ward source, one air monitor per ward, two river gauges in the first river ward.
COUNTS = {
    "air": 14,
    "river": 6,
    "rain": 2,
    "salinity": 1,
    "flood": 2,
    "traffic": 3,
    "lighting": 2,
    "noise": 2,
    "covid": 1,
    "services": 1,
    "reports": 1,
    "egov": 1,
    "alerts": 1,
    "security": 1,
}
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


@dataclass(frozen=True, slots=True)
class Msg:
    """A generated message as the wire carries it, parsed by the test itself."""

    ts: datetime  # UTC
    ward: str
    domain: str
    device: str
    kind: str
    doc: dict[str, Any]

    @property
    def type(self) -> str:
        return str(self.doc["type"])

    @property
    def attrs(self) -> dict[str, Any]:
        return dict(self.doc["attrs"])


@dataclass(frozen=True, slots=True)
class Loaded:
    conn: Conn
    msgs: tuple[Msg, ...]

    def events(
        self, domain: str, since: datetime = START, wards: Sequence[str] | None = None
    ) -> list[Msg]:
        return [
            m
            for m in self.msgs
            if m.kind == "event"
            and m.domain == domain
            and m.ts >= since
            and (wards is None or m.ward in wards)
        ]

    def values(self, metric: str, ward: str | None = None) -> list[tuple[datetime, float]]:
        return [
            (m.ts, float(m.doc["values"][metric]))
            for m in self.msgs
            if m.kind == "telemetry"
            and metric in m.doc["values"]
            and (ward is None or m.ward == ward)
        ]


def parse(out: Out) -> Msg:
    doc = json.loads(out.payload)
    ts = datetime.fromisoformat(doc["ts"]).astimezone(UTC)
    return Msg(ts, out.ward, out.domain, out.device, out.kind, doc)


NO_RULES = RuleSet(version=1)


def write_messages(
    conn: Conn,
    outs: Sequence[Out],
    batch: int = 2000,
    rules: RuleSet | None = None,
    *,
    resolve: bool = True,
) -> None:
    """The ingest service's decode → prepare (rows, the alarm rules — the default set unless
    ``rules`` — and the event rules) → write stages, one batch at a time, no broker.
    ``resolve`` False: incidents are opened but never resolved automatically."""
    validator = Validator(ward_codes(), ROOT)
    pipeline = Pipeline(rules=rules)
    for i in range(0, len(outs), batch):
        decoded = [
            decode(validator, RawMessage(o.topic(ROOT), o.payload, o.ts.timestamp()))
            for o in outs[i : i + batch]
        ]
        rejected = [(d.raw.topic, d.reason, d.detail) for d in decoded if d.message is None]
        assert not rejected, rejected[:3]
        prepared = pipeline.prepare(decoded)
        resolutions = prepared.resolutions if resolve else []
        write_batch(conn, prepared.rows, incidents=prepared.incidents, resolutions=resolutions)
        pipeline.committed()


def local_day(ts: datetime) -> str:
    return ts.astimezone(TZ).date().isoformat()


def trunc(ts: datetime, unit: str) -> datetime:
    ts = ts.astimezone(UTC).replace(second=0, microsecond=0)
    return ts.replace(minute=0) if unit == "hour" else ts


@pytest.fixture(scope="module")
def sim(database_url: str) -> Iterator[Loaded]:
    """The simulated days in a schema of their own, shared by the module's read-only tests."""
    schema = make_schema(database_url)
    try:
        with connect(database_url, schema, autocommit=True) as conn:
            outs = Simulation(5, START, build_fleet(5, COUNTS)).advance(END)
            # No alarm rules and no automatic resolution here: the incident queries are
            # checked against the event rules' incidents, all active (the rules file and
            # the resolutions have tests of their own).
            write_messages(conn, outs, rules=NO_RULES, resolve=False)
            yield Loaded(conn, tuple(parse(o) for o in outs))
    finally:
        remove_schema(database_url, schema)


SCOPES = [None, ["27694"], ["27685", "27697"]]
ONE = ["27688"]
MID = START + timedelta(days=1, hours=10)  # Tuesday 10:00 local


# ---- wards --------------------------------------------------------------------


def test_ward_rows_are_the_registry(sim: Loaded) -> None:
    rows = queries.ward_rows(sim.conn)
    assert [r.code for r in rows] == sorted(w.code for w in wards())
    for r, w in zip(rows, sorted(wards(), key=lambda w: w.code), strict=True):
        assert (r.name, r.name_en, r.kind, r.population) == (
            w.name,
            w.name_en,
            w.kind,
            w.population,
        )
        assert (r.area_km2, r.lat, r.lon) == pytest.approx((w.area_km2, w.lat, w.lon))
        assert r.boundary_source == "schematic"


def test_boundary_rows_carry_imported_geometry(db: Conn) -> None:
    from geodata.features import ward_features

    code = "27694"
    ring = [[106.4, 10.5], [106.41, 10.5], [106.4, 10.51], [106.4, 10.5]]
    poly: dict[str, object] = {"type": "Polygon", "coordinates": [ring]}
    full: dict[str, object] = {"type": "Polygon", "coordinates": [[*ring[:3], ring[0]]]}
    assert upsert_boundaries(db, [(code, full, poly)], "osm") == 1
    rows = queries.boundary_rows(db)
    assert len(rows) == len(wards())
    for r in rows:
        own = r["code"] == code
        assert r["geometry_simplified"] == (poly if own else None)
        assert r["boundary_source"] == ("osm" if own else "schematic")
    features = {f["id"]: f for f in ward_features(rows)["features"]}
    assert features[code]["properties"]["source"] == "osm"
    assert sum(1 for f in features.values() if f["properties"]["schematic"]) == len(wards()) - 1


# ---- incidents ------------------------------------------------------------------


def expected_incidents(sim: Loaded, wards: Sequence[str] | None) -> dict[str, tuple[str, ...]]:
    """dedup key -> (ward, domain, kind, severity), from the event rules as the contract states
    them: a field or security alert of medium severity or more opens one incident of its own
    (the security centre's are city-level).  Written without a correlation window (nothing
    attaches) and without alarm rules (readings open nothing: the rules file has tests of its
    own)."""
    found: dict[str, tuple[str, ...]] = {}
    for m in sim.msgs:
        if wards is not None and m.ward not in wards:
            continue
        if m.domain in ("alerts", "security") and not m.type.endswith(".resolved"):
            sev = str(m.attrs.get("severity"))
            if sev in ("medium", "high", "critical"):  # city-level sources: no ward
                ward = None if m.ward == CITY else m.ward
                found[f"{m.device}:{m.doc['id']}"] = (ward, m.domain, m.type, sev)
    return found


def count_by(items: Iterable[Any], key: Callable[[Any], Any]) -> dict[Any, int]:
    out: dict[Any, int] = defaultdict(int)
    for i in items:
        out[key(i)] += 1
    return dict(out)


@pytest.mark.parametrize("scope", SCOPES)
def test_incident_severity_counts(sim: Loaded, scope: list[str] | None) -> None:
    want = expected_incidents(sim, scope)
    if scope is None:
        assert {v[3] for v in want.values()} >= {"high", "critical"}
        assert {v[1] for v in want.values()} >= {"security", "alerts"}
    got = queries.incident_severity_counts(sim.conn, scope)
    assert got == count_by(want.values(), lambda v: v[3])


@pytest.mark.parametrize("scope", SCOPES)
def test_incidents_are_the_alarms_and_alerts_of_the_data(
    sim: Loaded, scope: list[str] | None
) -> None:
    rows = queries.incidents(sim.conn, scope, limit=10_000)
    want = expected_incidents(sim, scope)
    got = count_by(rows, lambda r: (r.ward_code, r.domain, r.kind, r.severity))
    assert got == count_by(want.values(), lambda v: v)
    assert all(r.status == "open" for r in rows)
    for r in rows:
        if r.domain == "alerts":  # field alerts carry their position
            assert r.lat is not None and r.lon is not None


def test_incident_filters_and_limit(sim: Loaded) -> None:
    conn = sim.conn
    everything = queries.incidents(conn, None, limit=10_000)
    want = list(expected_incidents(sim, None).values())
    for domain in {v[1] for v in want}:
        rows = queries.incidents(conn, None, domain=domain, limit=10_000)
        assert len(rows) == sum(1 for v in want if v[1] == domain)
        assert {r.domain for r in rows} == {domain}
    for sev in ("low", "medium", "high", "critical"):
        rows = queries.incidents(conn, None, severity=sev, limit=10_000)
        assert len(rows) == sum(1 for v in want if v[3] == sev)
        assert all(r.severity == sev for r in rows)
    rows = queries.incidents(conn, ONE, domain="security", limit=10_000)
    assert rows == []  # the security centre is city-level: on no ward's list
    city = queries.incidents(conn, None, domain="security", limit=10_000)
    assert city and all(r.ward_code is None for r in city)
    assert queries.incidents(conn, None, limit=5) == everything[:5]
    assert queries.incidents(conn, None, active_only=True, limit=10_000) == everything


def test_incidents_newest_first_most_severe_first_within_a_minute(sim: Loaded) -> None:
    rows = queries.incidents(sim.conn, None, limit=10_000)
    keys = [(-trunc(r.opened_at, "minute").timestamp(), SEVERITY_RANK[r.severity]) for r in rows]
    assert keys == sorted(keys)


def test_incident_status_filters_follow_transitions(sim: Loaded) -> None:
    conn = sim.conn
    before = queries.incident_severity_counts(conn, None)
    with conn.transaction() as tx:
        first, second = queries.incidents(conn, None, limit=2)
        perform(conn, first.id, ActionRequest("ack", "test"), lambda _ward: None)
        perform(conn, second.id, ActionRequest("resolve", "test", note="ok"), lambda _ward: None)
        resolved = queries.incidents(conn, None, status="resolved")
        assert [r.id for r in resolved] == [second.id]
        acked = queries.incidents(conn, None, status="acknowledged")
        assert [r.id for r in acked] == [first.id]
        active = queries.incidents(conn, None, active_only=True, limit=10_000)
        assert first.id in {r.id for r in active}
        assert second.id not in {r.id for r in active}
        after = queries.incident_severity_counts(conn, None)
        assert after.get(second.severity, 0) == before[second.severity] - 1
        raise psycopg.Rollback(tx)
    assert queries.incident_severity_counts(conn, None) == before


# ---- citizen reports ---------------------------------------------------------------


def expected_open_reports(
    sim: Loaded, since: datetime, scope: Sequence[str] | None
) -> dict[str, Msg]:
    latest: dict[str, Msg] = {}
    for m in sim.events("reports", since, scope):
        rid = str(m.attrs.get("report", m.doc["id"]))
        if rid not in latest or m.ts > latest[rid].ts:
            latest[rid] = m
    return {
        rid: m
        for rid, m in latest.items()
        if m.type != "report.closed" and m.attrs.get("status") not in ("closed", "resolved")
    }


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("since", [START - timedelta(days=1), MID])
def test_open_reports_are_those_whose_latest_event_is_not_closing(
    sim: Loaded, scope: list[str] | None, since: datetime
) -> None:
    want = expected_open_reports(sim, since, scope)
    rows = queries.open_reports(sim.conn, scope, since, limit=10_000)
    assert {r.id for r in rows} == set(want)
    if scope is None:
        assert want and {m.attrs["status"] for m in want.values()} == {"new", "processing"}
        closed = {
            str(m.attrs["report"]) for m in sim.events("reports") if m.type == "report.closed"
        }
        assert closed and not closed & set(want)
    for r in rows:
        m = want[r.id]
        assert (r.time, r.ward_code, r.status) == (m.ts, m.ward, m.attrs["status"])
        assert (r.category, r.text) == (m.attrs["category"], m.attrs["text"])
        assert (r.lat, r.lon) == (m.attrs["lat"], m.attrs["lon"])
    assert [r.time for r in rows] == sorted((r.time for r in rows), reverse=True)
    assert queries.open_reports(sim.conn, scope, since, limit=3) == rows[:3]


# ---- public services and e-government ------------------------------------------------

DOSSIER_KEYS = ("received", "online", "in_person", "level34", "resolved", "on_time", "overdue")


def dossier_counts(evs: Iterable[Msg]) -> dict[str, int]:
    c = dict.fromkeys(DOSSIER_KEYS, 0)
    for m in evs:
        a = m.attrs
        if m.type == "dossier.received":
            c["received"] += 1
            c["online"] += a["channel"] == "online"
            c["in_person"] += a["channel"] == "in_person"
            c["level34"] += a["level"] in (3, 4)
        elif m.type == "dossier.resolved":
            c["resolved"] += 1
            c["on_time"] += a["on_time"] is True
        elif m.type == "dossier.overdue":
            c["overdue"] += 1
    return c


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("since", [START, MID])
def test_dossier_summary(sim: Loaded, scope: list[str] | None, since: datetime) -> None:
    want = dossier_counts(sim.events("services", since, scope))
    if scope is None and since == START:
        assert all(want[k] > 0 for k in DOSSIER_KEYS)
        assert want["online"] + want["in_person"] == want["received"]
    assert asdict(queries.dossier_summary(sim.conn, scope, since)) == want


@pytest.mark.parametrize("scope", SCOPES)
def test_services_daily_by_local_day(sim: Loaded, scope: list[str] | None) -> None:
    evs = sim.events("services", START, scope)
    days = sorted({local_day(m.ts) for m in evs})
    assert scope is not None or days == ["2026-03-02", "2026-03-03", "2026-03-04"]
    want = [{"day": d, **dossier_counts(m for m in evs if local_day(m.ts) == d)} for d in days]
    assert [asdict(r) for r in queries.services_daily(sim.conn, scope, START)] == want


@pytest.mark.parametrize("scope", SCOPES)
def test_services_by_ward(sim: Loaded, scope: list[str] | None) -> None:
    evs = sim.events("services", MID, scope)
    codes = sorted({m.ward for m in evs})
    assert len(codes) == (len(wards()) if scope is None else len(scope))
    want = [{"ward_code": c, **dossier_counts(m for m in evs if m.ward == c)} for c in codes]
    assert [asdict(r) for r in queries.services_by_ward(sim.conn, scope, MID)] == want


@pytest.mark.parametrize("scope", [None, ONE])
def test_overdue_dossiers(sim: Loaded, scope: list[str] | None) -> None:
    evs = [m for m in sim.events("services", START, scope) if m.type == "dossier.overdue"]
    want = sorted(
        ((m.ts, m.ward, m.attrs["dossier"], m.attrs["procedure"], m.attrs["channel"]) for m in evs),
        reverse=True,
    )
    rows = queries.overdue_dossiers(sim.conn, scope, START, limit=1000)
    got = [(r.time, r.ward_code, r.dossier, r.procedure, r.channel) for r in rows]
    assert got == want
    assert scope is not None or got
    assert queries.overdue_dossiers(sim.conn, scope, START, limit=1) == rows[:1]


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("since", [START, MID])
def test_egov_summary_adds_document_counts(
    sim: Loaded, scope: list[str] | None, since: datetime
) -> None:
    evs = sim.events("egov", since, scope)
    want = {
        "issued": sum(int(m.attrs["count"]) for m in evs if m.type == "document.issued"),
        "signed": sum(int(m.attrs["count"]) for m in evs if m.type == "document.signed"),
        "meetings": sum(1 for m in evs if m.type == "meeting.held"),
    }
    if scope is None:
        assert want["issued"] > sum(1 for m in evs if m.type == "document.issued") > 0
        assert want["meetings"] > 0
    assert asdict(queries.egov_summary(sim.conn, scope, since)) == want


# ---- telemetry -------------------------------------------------------------------------


def buckets(
    points: Iterable[tuple[datetime, float]], since: datetime, now: datetime, unit: str
) -> dict[datetime, list[float]]:
    out: dict[datetime, list[float]] = defaultdict(list)
    for ts, v in points:
        if since <= ts <= now:
            out[trunc(ts, unit)].append(v)
    return dict(sorted(out.items()))


def busiest_ward(sim: Loaded, domain: str) -> str:
    devices = count_by({(m.ward, m.device) for m in sim.msgs if m.domain == domain}, lambda k: k[0])
    return str(max(sorted(devices), key=lambda w: devices[w]))


def assert_series(rows: Sequence[Any], want: dict[datetime, list[float]]) -> None:
    assert [r.bucket for r in rows] == list(want)
    for r, vs in zip(rows, want.values(), strict=True):
        assert (r.min, r.max, r.count) == (min(vs), max(vs), len(vs))
        assert r.avg == pytest.approx(fmean(vs))


@pytest.mark.parametrize(("window", "unit"), [("day", "minute"), ("week", "hour")])
@pytest.mark.parametrize(("domain", "metric"), [("water", "level_m"), ("air", "pm25")])
def test_metric_series_reads_the_rollup_and_agrees_with_raw(
    sim: Loaded, window: queries.Window, unit: str, domain: str, metric: str
) -> None:
    ward = busiest_ward(sim, "water") if domain == "water" else "27694"
    since = END - queries.WINDOWS[window]
    want = buckets(sim.values(metric, ward), since, END, unit)
    # Two gauges in the ward: an hour holds readings of both.
    assert want and (domain != "water" or unit == "minute" or max(map(len, want.values())) > 12)
    rows = queries.metric_series(sim.conn, ward, metric, window, END)
    assert_series(rows, want)
    raw = queries.raw_metric_series(sim.conn, ward, metric, window, END)
    assert_series(raw, want)
    # Without raw readings the series is unchanged: it comes from the rollup.
    with sim.conn.transaction() as tx:
        sim.conn.execute("DELETE FROM readings WHERE ward_code = %s", (ward,))
        assert queries.raw_metric_series(sim.conn, ward, metric, window, END) == []
        assert queries.metric_series(sim.conn, ward, metric, window, END) == rows
        raise psycopg.Rollback(tx)


@pytest.mark.parametrize("window", ["day", "week"])
@pytest.mark.parametrize(("metric", "agg"), [("pm25", "avg"), ("level_m", "max")])
def test_ward_metric_window(sim: Loaded, window: queries.Window, metric: str, agg: str) -> None:
    since = END - queries.WINDOWS[window]
    unit = "minute" if window == "day" else "hour"
    want: dict[str, float] = {}
    for ward in sorted({m.ward for m in sim.msgs}):
        b = buckets(sim.values(metric, ward), since, END, unit)
        if b:
            vals = [fmean(v) for v in b.values()] if agg == "avg" else [max(v) for v in b.values()]
            want[ward] = fmean(vals) if agg == "avg" else max(vals)
    assert len(want) == (len(wards()) if metric == "pm25" else len(RIVER_WARDS))
    got = queries.ward_metric_window(sim.conn, metric, window, END, None, agg)  # type: ignore[arg-type]
    assert got == pytest.approx(want)
    ward = next(iter(want))
    one = queries.ward_metric_window(sim.conn, metric, window, END, [ward], agg)  # type: ignore[arg-type]
    assert one == pytest.approx({ward: want[ward]})


def test_ward_devices_are_the_telemetry_sources_of_the_ward(sim: Loaded) -> None:
    for ward in ("27694", busiest_ward(sim, "water")):
        want: dict[str, dict[str, Any]] = {}
        for m in sim.msgs:
            if m.kind != "telemetry" or m.ward != ward:
                continue
            d = want.setdefault(m.device, {"domain": m.domain, "lat": None, "lon": None})
            d["last_seen"] = max(d.get("last_seen", m.ts), m.ts)
            if "lat" in m.doc:
                d["lat"], d["lon"] = m.doc["lat"], m.doc["lon"]
        rows = queries.ward_devices(sim.conn, ward)
        assert [r.device_id for r in rows] == sorted(want, key=lambda k: (want[k]["domain"], k))
        for r in rows:
            got = {"domain": r.domain, "lat": r.lat, "lon": r.lon, "last_seen": r.last_seen}
            assert got == want[r.device_id]
            assert r.online is None  # the simulators publish no status messages


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("since", [START - timedelta(days=2), MID])
def test_covid_daily_by_ward_and_local_day(
    sim: Loaded, scope: list[str] | None, since: datetime
) -> None:
    cases: dict[tuple[str, str], float] = defaultdict(float)
    dose1: dict[tuple[str, str], float] = {}
    for m in sim.msgs:
        if m.domain != "health" or not since <= m.ts <= END or (scope and m.ward not in scope):
            continue
        key = (m.ward, local_day(m.ts))
        cases[key] += m.doc["values"]["covid_new_cases"]
        dose1[key] = max(dose1.get(key, 0.0), m.doc["values"]["vaccinated_dose1"])
        # Reports come at local midnight: 17:00 UTC of the day before.
        assert m.ts.date() != date.fromisoformat(key[1])
    want = [
        {"ward_code": w, "day": d, "new_cases": cases[w, d], "dose1": dose1[w, d]}
        for d, w in sorted((d, w) for w, d in cases)
    ]
    assert want
    assert [asdict(r) for r in queries.covid_daily(sim.conn, scope, since, END)] == want


# ---- local days --------------------------------------------------------------------------


def test_local_day_boundaries(db: Conn) -> None:
    """23:30 and 00:30 local are both 3 March in UTC, but two different local days."""
    fleet = build_fleet(5, COUNTS)
    desk = next(d for d in fleet if d.kind == "services" and d.ward == "27694")
    health = next(d for d in fleet if d.kind == "covid" and d.ward == "27694")
    late = datetime(2026, 3, 3, 23, 30, tzinfo=TZ)
    early = datetime(2026, 3, 4, 0, 30, tzinfo=TZ)
    assert late.astimezone(UTC).date() == early.astimezone(UTC).date()
    dossier = {"procedure": "Đăng ký khai sinh", "level": 4}
    outs = [
        event(
            desk, late, "e1", "dossier.received", {**dossier, "dossier": "A", "channel": "online"}
        ),
        event(
            desk,
            early,
            "e2",
            "dossier.received",
            {**dossier, "dossier": "B", "channel": "in_person"},
        ),
        telemetry(health, late, {"covid_new_cases": 3, "vaccinated_dose1": 100}, True),
        telemetry(health, early, {"covid_new_cases": 5, "vaccinated_dose1": 110}, True),
    ]
    write_messages(db, outs)
    rows = queries.services_daily(db, None, late - timedelta(days=1))
    got = [(r.day, r.received, r.online, r.in_person) for r in rows]
    assert got == [("2026-03-03", 1, 1, 0), ("2026-03-04", 1, 0, 1)]
    midnight = datetime(2026, 3, 4, tzinfo=TZ)
    assert queries.dossier_summary(db, ["27694"], midnight).in_person == 1
    assert [r.day for r in queries.services_daily(db, None, midnight)] == ["2026-03-04"]
    covid = [
        asdict(r)
        for r in queries.covid_daily(db, None, late - timedelta(days=1), early + timedelta(hours=1))
    ]
    assert covid == [
        {"ward_code": "27694", "day": "2026-03-03", "new_cases": 3.0, "dose1": 100.0},
        {"ward_code": "27694", "day": "2026-03-04", "new_cases": 5.0, "dose1": 110.0},
    ]


def test_latest_readings_are_the_newest_per_device_and_metric(db: Conn) -> None:
    t0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    rows = [
        (t0, "aq-1", "pm25", 10.0), (t0 + timedelta(minutes=5), "aq-1", "pm25", 12.0),
        (t0, "aq-1", "pm10", 30.0), (t0 + timedelta(minutes=1), "aq-2", "pm25", 7.0),
        (t0 - timedelta(days=2), "aq-3", "pm25", 99.0),  # older than the window
    ]  # fmt: skip
    write_batch(db, BatchRows(readings=[ReadingRow(t, "27694", d, m, v) for t, d, m, v in rows]))
    got = queries.latest_readings(db, ["aq-1", "aq-2", "aq-3"], t0 - timedelta(hours=1))
    assert got == {
        "aq-1": {
            "pm25": (12.0, (t0 + timedelta(minutes=5)).timestamp()),
            "pm10": (30.0, t0.timestamp()),
        },
        "aq-2": {"pm25": (7.0, (t0 + timedelta(minutes=1)).timestamp())},
        "aq-3": {},
    }
