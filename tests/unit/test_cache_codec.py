"""The query cache's keys come from the function and its arguments; its codec keeps the types."""

from __future__ import annotations

import typing
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ioc.cache import _codec, cache_key
from ioc.live import LiveState
from ioc.store import incident_queries, queries
from ioc.store.records import IncidentCauseRow, IncidentLogRow, IncidentRow, SeriesPoint

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def test_key_binds_defaults_and_keyword_order() -> None:
    key = cache_key(queries.incidents, (None,), {}, skip=1)
    assert key.startswith("ioc.store.incident_queries.incidents:")
    assert key == cache_key(queries.incidents, (None,), {"limit": 200}, skip=1)
    assert key == cache_key(queries.incidents, (), {"wards": None, "active_only": False}, skip=1)
    a = cache_key(queries.incidents, (None,), {"domain": "air", "severity": "high"}, skip=1)
    b = cache_key(queries.incidents, (None,), {"severity": "high", "domain": "air"}, skip=1)
    assert a == b


def test_every_argument_is_part_of_the_key() -> None:
    base = cache_key(queries.open_reports, (["27694"], NOW), {}, skip=1)
    others = [
        cache_key(queries.open_reports, (["27697"], NOW), {}, skip=1),
        cache_key(queries.open_reports, (None, NOW), {}, skip=1),
        cache_key(queries.open_reports, (["27694"], NOW + timedelta(seconds=5)), {}, skip=1),
        cache_key(queries.open_reports, (["27694"], NOW), {"limit": 50}, skip=1),
        cache_key(queries.overdue_dossiers, (["27694"], NOW), {}, skip=1),  # another function
    ]
    assert len({base, *others}) == len(others) + 1


def test_a_bound_method_keys_without_its_instance() -> None:
    one = LiveState.from_url("redis://127.0.0.1:1/0", "a")
    two = LiveState.from_url("redis://127.0.0.1:1/0", "b")
    assert cache_key(one.devices, (), {}) == cache_key(two.devices, (), {})
    assert cache_key(one.devices, (), {}).startswith("ioc.live.LiveState.devices:")
    with pytest.raises(TypeError):
        cache_key(one.ward_summaries, (["27694"], "extra"), {})  # not a call the method takes
    hashes = {"aq-1": {"ward": "27694", "domain": "air", "last_seen": "1.7e9", "online": "0"}}
    codec = _codec(LiveState.devices)  # through the adapter's error-mapping wrapper
    assert codec.validate_json(codec.dump_json(hashes)) == hashes


def _aware() -> st.SearchStrategy[datetime]:
    zones = st.sampled_from([UTC, timezone(timedelta(hours=7))])
    return st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=zones
    )


_FINITE = st.floats(allow_nan=False, allow_infinity=False)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | _FINITE | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
_BOUNDARY = st.fixed_dictionaries(
    {
        "code": st.text(), "name": st.text(), "name_en": st.text(), "kind": st.text(),
        "population": st.none() | st.integers(), "area_km2": st.none() | _FINITE,
        "geometry_simplified": st.none() | st.dictionaries(st.text(), _JSON, max_size=3),
        "boundary_source": st.text(),
    }
)  # fmt: skip


def _answers(fn: typing.Callable[..., object]) -> st.SearchStrategy[object]:
    """Answers of the query's return type: aware datetimes (as the database gives them) and
    finite floats (readings are validated finite; NaN is not equal to itself)."""
    hint = typing.get_type_hints(fn)["return"]
    if fn is queries.boundary_rows:  # GeoJSON: any JSON object
        return st.lists(_BOUNDARY, max_size=3)
    return st.from_type(hint)


st.register_type_strategy(datetime, _aware())
st.register_type_strategy(float, _FINITE)
# Records with a stored JSON document (an incident's cause, a log row's data): any JSON object.
for _cls, _field in ((IncidentRow, "cause"), (IncidentLogRow, "data"), (IncidentCauseRow, "cause")):
    st.register_type_strategy(
        _cls, st.builds(_cls, **{_field: st.dictionaries(st.text(), _JSON, max_size=3)})
    )


_QUERIES = {n: getattr(queries, n) for n in set(queries.__all__) - {"Window"}} | {
    n: getattr(incident_queries, n) for n in incident_queries.__all__
}


@pytest.mark.parametrize("name", sorted(_QUERIES))
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_every_query_answer_round_trips_through_the_cache_codec(
    name: str, data: st.DataObject
) -> None:
    fn = _QUERIES[name]
    value = data.draw(_answers(fn))
    codec = _codec(fn)
    back = codec.validate_json(codec.dump_json(value))
    assert back == value
    assert type(back) is type(value)
    if isinstance(value, list) and value:
        assert type(back[0]) is type(value[0])


def test_records_come_back_as_records_with_aware_times() -> None:
    row = IncidentRow(7, NOW, NOW, None, "air", "pm25.alarm", "high", "open", "Bụi", None, 1.5)
    codec = _codec(queries.incidents)
    (back,) = codec.validate_json(codec.dump_json([row]))
    assert back == row and isinstance(back, IncidentRow)
    assert back.opened_at.utcoffset() == timedelta(0)
    series = _codec(queries.metric_series).validate_json(
        _codec(queries.metric_series).dump_json([SeriesPoint(NOW, 1.0, 0.5, 2.0, 3)])
    )
    assert series == [SeriesPoint(NOW, 1.0, 0.5, 2.0, 3)] and isinstance(series[0].count, int)
    latest = {"aq-1": {"pm25": (12.0, 1.7e9)}}
    assert (
        _codec(queries.latest_readings).validate_json(
            _codec(queries.latest_readings).dump_json(latest)
        )
        == latest
    )  # tuples stay tuples
