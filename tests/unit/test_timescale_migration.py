"""The TimescaleDB flavour cannot run here (no extension), so check what can be checked without it.

Both flavours' migrations are parsed with PostgreSQL's own parser (pglast,
libpg_query), and the tables and views callers see must have the same columns
in the same order in both.  The plain flavour is exercised against a real
server by the integration tests.
"""

from __future__ import annotations

import pglast
import pytest
from pglast import ast

from ioc.store.migrate import migrations

CALLER_TABLES = ("readings", "events", "readings_1m", "readings_1h")


def _columns(sql: str) -> dict[str, list[str]]:
    """Relation -> column names, for CREATE TABLE (incl. LIKE) and CREATE MATERIALIZED VIEW."""
    out: dict[str, list[str]] = {}
    for raw in pglast.parse_sql(sql):
        stmt = raw.stmt
        if isinstance(stmt, ast.CreateStmt):
            cols = [e.colname for e in stmt.tableElts or () if isinstance(e, ast.ColumnDef)]
            likes = [e for e in stmt.tableElts or () if isinstance(e, ast.TableLikeClause)]
            for like in likes:
                cols += out[like.relation.relname]
            out[stmt.relation.relname] = cols
        elif isinstance(stmt, ast.CreateTableAsStmt):
            names = []
            for target in stmt.query.targetList:
                if target.name:
                    names.append(target.name)
                else:  # a bare column reference keeps its name
                    names.append(target.val.fields[-1].sval)
            out[stmt.into.rel.relname] = names
    return out


@pytest.mark.parametrize("flavour", ["plain", "timescale"])
def test_migrations_parse(flavour: str) -> None:
    for mig in migrations(flavour):  # type: ignore[arg-type]
        assert pglast.parse_sql(mig.sql), f"{mig.version:03d}_{mig.name} is empty"


def test_callers_see_the_same_columns() -> None:
    plain = _columns("\n".join(m.sql for m in migrations("plain")))
    timescale = _columns("\n".join(m.sql for m in migrations("timescale")))
    for rel in CALLER_TABLES:
        assert timescale[rel] == plain[rel], rel
    assert plain["readings_1h"] == [
        "ward_code",
        "metric",
        "bucket",
        "avg",
        "min",
        "max",
        "count",
        "sum",
    ]


def test_timescale_objects() -> None:
    sql = migrations("timescale")[1].sql
    views = {}
    for raw in pglast.parse_sql(sql):
        stmt = raw.stmt
        if isinstance(stmt, ast.CreateTableAsStmt):
            views[stmt.into.rel.relname] = {o.defname: o for o in stmt.into.options or ()}
            assert stmt.into.skipData, (
                "continuous aggregates are created WITH NO DATA (allowed in a transaction)"
            )
    assert set(views) == {"readings_1m", "readings_1h"}
    for opts in views.values():
        assert {"continuous", "materialized_only"} <= set(opts)
    calls = sql.count
    assert calls("create_hypertable(") == 2
    assert calls("add_compression_policy(") == 2
    assert calls("add_retention_policy(") == 3
    assert calls("add_continuous_aggregate_policy(") == 2
