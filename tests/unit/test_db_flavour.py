"""The flavour decision (``ioc.store.flavour``): pure, so every server state is tested here,
including those no development machine has (TimescaleDB installed but not preloaded)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ioc.store.flavour import (
    PRELOAD_FIX,
    FlavourError,
    ServerFacts,
    choose,
    preloaded,
    when_create_fails,
)

NONE = ServerFacts(preload="", available=None, installed=None)
INSTALLED = ServerFacts(preload="", available="2.28.3", installed=None)
PRELOADED = ServerFacts(preload="timescaledb", available="2.28.3", installed=None)
UNREADABLE = ServerFacts(preload=None, available="2.28.3", installed=None)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("timescaledb", True),
        ("pg_stat_statements,timescaledb", True),
        ("pg_stat_statements, timescaledb ", True),
        ('"timescaledb", auto_explain', True),
        ("$libdir/timescaledb", True),
        ("timescaledb.so", True),
        ("", False),
        ("pg_stat_statements", False),
        ("timescaledb_toolkit", False),  # another library
        ("pg_timescaledb", False),
        (None, None),  # this role may not read the setting
    ],
)
def test_preloaded_reads_the_setting(setting: str | None, expected: bool | None) -> None:
    assert preloaded(setting) is expected


_OTHER = st.sampled_from(["pg_stat_statements", "auto_explain", "pgaudit", "timescaledb_toolkit"])
_SPACE = st.sampled_from(["", " ", "  "])


@given(st.lists(st.tuples(_SPACE, _OTHER, _SPACE)), st.integers(0, 10), st.booleans(), _SPACE)
def test_preloaded_anywhere_in_the_list(
    others: list[tuple[str, str, str]], at: int, quoted: bool, pad: str
) -> None:
    names = [f"{a}{n}{b}" for a, n, b in others]
    assert preloaded(",".join(names)) is False
    ts = f'{pad}"timescaledb"{pad}' if quoted else f"{pad}timescaledb{pad}"
    names.insert(min(at, len(names)), ts)
    assert preloaded(",".join(names)) is True


def test_auto_installed_but_not_preloaded_is_plain_and_says_the_fix() -> None:
    choice = choose("auto", None, INSTALLED)
    assert choice.flavour == "plain" and not choice.create_extension
    assert "2.28.3 is installed but not preloaded" in choice.reason
    assert PRELOAD_FIX in choice.reason


def test_auto_without_timescaledb_is_plain() -> None:
    choice = choose("auto", None, NONE)
    assert (choice.flavour, choice.reason) == (
        "plain",
        "TimescaleDB is not installed on the database server",
    )


def test_auto_preloaded_tries_the_extension() -> None:
    choice = choose("auto", None, PRELOADED)
    assert (choice.flavour, choice.create_extension) == ("timescale", True)
    assert "preloaded" in choice.reason


def test_auto_when_the_preload_cannot_be_read_stays_plain() -> None:
    # Creating the extension without the preload would end the session (FATAL).
    choice = choose("auto", None, UNREADABLE)
    assert choice.flavour == "plain" and "pg_read_all_settings" in choice.reason


def test_auto_falls_back_when_create_extension_fails() -> None:
    choice = when_create_fails("auto", "permission denied to create extension")
    assert choice.flavour == "plain"
    assert choice.reason == (
        "CREATE EXTENSION timescaledb failed (permission denied to create extension)"
    )


@pytest.mark.parametrize("facts", [NONE, INSTALLED, PRELOADED, UNREADABLE])
def test_plain_requested_is_plain(facts: ServerFacts) -> None:
    choice = choose("plain", None, facts)
    assert (choice.flavour, choice.create_extension) == ("plain", False)


def test_timescale_requested_but_not_installed() -> None:
    with pytest.raises(FlavourError, match="not installed") as err:
        choose("timescale", None, NONE)
    assert "shared_preload_libraries = 'timescaledb'" in str(err.value)


def test_timescale_requested_but_not_preloaded_names_the_preload_line() -> None:
    with pytest.raises(FlavourError, match="not preloaded") as err:
        choose("timescale", None, INSTALLED)
    assert "shared_preload_libraries = 'timescaledb'" in str(err.value)
    assert "restart PostgreSQL" in str(err.value)


def test_timescale_requested_tries_even_when_the_preload_cannot_be_read() -> None:
    assert choose("timescale", None, UNREADABLE).create_extension


def test_timescale_requested_and_create_fails() -> None:
    with pytest.raises(FlavourError, match="CREATE EXTENSION timescaledb failed: nope"):
        when_create_fails("timescale", "nope")


@pytest.mark.parametrize("facts", [NONE, INSTALLED, PRELOADED, UNREADABLE])
def test_a_schema_keeps_its_flavour(facts: ServerFacts) -> None:
    assert choose("auto", "plain", facts).flavour == "plain"
    assert choose("plain", "plain", facts).flavour == "plain"
    with pytest.raises(FlavourError, match="created plain, and a schema keeps its flavour"):
        choose("timescale", "plain", facts)
    with pytest.raises(FlavourError, match="created timescale, and a schema keeps its flavour"):
        choose("plain", "timescale", facts)


def test_a_timescale_schema_on_a_server_that_stopped_preloading() -> None:
    with pytest.raises(FlavourError, match="no longer preloads") as err:
        choose("auto", "timescale", INSTALLED)
    assert PRELOAD_FIX in str(err.value)
    assert not choose("auto", "timescale", PRELOADED).create_extension
    assert choose("timescale", "timescale", UNREADABLE).flavour == "timescale"


_FACTS = st.builds(
    ServerFacts,
    preload=st.one_of(st.none(), st.sampled_from(["", "timescaledb", "pgaudit", "a,timescaledb"])),
    available=st.one_of(st.none(), st.just("2.28.3")),
    installed=st.one_of(st.none(), st.just("2.28.3")),
)


@given(_FACTS, st.sampled_from([None, "plain", "timescale"]))
def test_auto_never_fails_for_a_new_schema_and_picks_timescale_only_when_it_can(
    facts: ServerFacts, recorded: str | None
) -> None:
    if recorded == "timescale" and preloaded(facts.preload) is False:
        return  # an existing TimescaleDB schema on a server without the preload: an error
    choice = choose("auto", recorded, facts)  # type: ignore[arg-type]
    if recorded is None and choice.flavour == "timescale":
        assert facts.available is not None and preloaded(facts.preload) is True
        assert choice.create_extension
