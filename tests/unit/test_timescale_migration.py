"""Both flavours' migrations, read with PostgreSQL's own parser (pglast, libpg_query).

The TimescaleDB flavour runs against a real server only in CI
(``IOC_TEST_FLAVOUR=timescale``); here, without the extension, the migrations
are parsed and replayed in outline: the relations callers see must end with the
same columns in the same order on both flavours, the rollups must end as tables
(hypertables on TimescaleDB, no continuous aggregate left), every hypertable
must end with one retention and one columnstore policy, and the write path's
fold must match the rollups' keys and the migration's refill on both.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pglast
import pytest
from pglast import ast, enums
from pglast.stream import RawStream

from ioc.store import writer
from ioc.store.migrate import migrations

CALLER_TABLES = ("readings", "events", "readings_1m", "readings_1h")
HYPERTABLES = {"readings", "events", "readings_1m", "readings_1h"}
ROLLUP_KEY = ["ward_code", "metric", "bucket"]


def _stmts(flavour: str) -> list[Any]:
    return [raw.stmt for m in migrations(flavour) for raw in pglast.parse_sql(m.sql)]  # type: ignore[arg-type]


def _nodes(node: Any) -> Iterator[Any]:
    """Every AST node under ``node`` (depth first)."""
    if isinstance(node, tuple | list):
        for item in node:
            yield from _nodes(item)
    elif isinstance(node, ast.Node):
        yield node
        for name in node:
            yield from _nodes(getattr(node, name))


def _calls(stmt: Any) -> Iterator[tuple[str, str | None]]:
    """(function, first argument if a string constant) of every function call in ``stmt``."""
    for node in _nodes(stmt):
        if isinstance(node, ast.FuncCall):
            first = node.args[0] if node.args else None
            arg = None
            if isinstance(first, ast.A_Const) and isinstance(first.val, ast.String):
                arg = first.val.sval
            yield node.funcname[-1].sval, arg


class Schema:
    """The outline of a schema after replaying a flavour's migrations in order."""

    def __init__(self, flavour: str) -> None:
        self.columns: dict[str, list[str]] = {}
        self.kind: dict[str, str] = {}  # table / view
        self.keys: dict[str, list[str]] = {}
        self.hypertables: set[str] = set()
        self.policies: set[tuple[str, str]] = set()  # (relation, retention|columnstore|refresh)
        self.functions: dict[str, list[str]] = {}
        for stmt in _stmts(flavour):
            self._apply(stmt)

    def _apply(self, stmt: Any) -> None:
        if isinstance(stmt, ast.CreateStmt):
            name = stmt.relation.relname
            cols = [e.colname for e in stmt.tableElts or () if isinstance(e, ast.ColumnDef)]
            for e in stmt.tableElts or ():
                if isinstance(e, ast.TableLikeClause):
                    cols += self.columns[e.relation.relname]
                    self.keys[name] = self.keys.get(e.relation.relname, [])
                if isinstance(e, ast.Constraint) and e.contype == enums.ConstrType.CONSTR_PRIMARY:
                    self.keys[name] = [k.sval for k in e.keys]
            self.columns[name], self.kind[name] = cols, "table"
        elif isinstance(stmt, ast.CreateTableAsStmt):
            name = stmt.into.rel.relname
            self.columns[name] = [t.name or t.val.fields[-1].sval for t in stmt.query.targetList]
            self.kind[name] = "view"
        elif isinstance(stmt, ast.DropStmt):
            for obj in stmt.objects:
                name = obj[-1].sval
                self.columns.pop(name, None)
                self.kind.pop(name, None)
                self.policies = {p for p in self.policies if p[0] != name}
        elif isinstance(stmt, ast.CreateFunctionStmt):
            self.functions[stmt.funcname[-1].sval] = [
                RawStream()(p.argType) for p in stmt.parameters or ()
            ]
        else:
            for fn, rel in _calls(stmt):
                self._call(fn, rel)

    def _call(self, fn: str, rel: str | None) -> None:
        if rel is None:
            return
        if fn == "create_hypertable":
            self.hypertables.add(rel)
        elif fn == "add_retention_policy":
            self.policies.add((rel, "retention"))
        elif fn == "remove_retention_policy":
            self.policies.discard((rel, "retention"))
        elif fn in ("add_compression_policy", "add_columnstore_policy"):
            self.policies.add((rel, "columnstore"))
        elif fn in ("remove_compression_policy", "remove_columnstore_policy"):
            self.policies.discard((rel, "columnstore"))
        elif fn == "add_continuous_aggregate_policy":
            self.policies.add((rel, "refresh"))


@pytest.fixture(scope="module")
def plain() -> Schema:
    return Schema("plain")


@pytest.fixture(scope="module")
def timescale() -> Schema:
    return Schema("timescale")


def test_call_stmt_is_walked() -> None:
    """add_columnstore_policy is a procedure (CALL): the outline must see it."""
    stmt = pglast.parse_sql("CALL add_columnstore_policy('t', after => INTERVAL '1 day')")[0].stmt
    assert list(_calls(stmt)) == [("add_columnstore_policy", "t")]


@pytest.mark.parametrize("flavour", ["plain", "timescale"])
def test_migrations_parse(flavour: str) -> None:
    for mig in migrations(flavour):  # type: ignore[arg-type]
        assert pglast.parse_sql(mig.sql), f"{mig.version:03d}_{mig.name} is empty"


def test_both_flavours_number_alike() -> None:
    assert [m.version for m in migrations("plain")] == [m.version for m in migrations("timescale")]


def test_callers_see_the_same_columns(plain: Schema, timescale: Schema) -> None:
    for rel in CALLER_TABLES:
        assert timescale.columns[rel] == plain.columns[rel], rel
        assert timescale.kind[rel] == plain.kind[rel] == "table", rel
    assert plain.columns["readings_1h"] == [
        "ward_code", "metric", "bucket", "avg", "min", "max", "count", "sum",
    ]  # fmt: skip


def test_rollups_are_hypertables_with_policies_and_no_aggregates_left(timescale: Schema) -> None:
    assert timescale.hypertables == HYPERTABLES
    assert not [r for r, k in timescale.kind.items() if k == "view"]
    assert timescale.policies == {
        (t, kind) for t in HYPERTABLES for kind in ("retention", "columnstore")
    }


def test_both_flavours_prepare_partitions_with_one_signature(
    plain: Schema, timescale: Schema
) -> None:
    assert plain.functions["ensure_time_partitions"] == ["timestamptz[]"]
    assert timescale.functions["ensure_time_partitions"] == ["timestamptz[]"]
    assert "SELECT ensure_time_partitions(" in inspect.getsource(writer._prepare_partitions)


def test_002_aggregates_were_created_without_data() -> None:
    """Kept as they were: CREATE ... WITH DATA cannot run in the migration's transaction."""
    sql = migrations("timescale")[1].sql
    for raw in pglast.parse_sql(sql):
        if isinstance(raw.stmt, ast.CreateTableAsStmt):
            assert raw.stmt.into.skipData


def test_004_locks_readings_before_it_drops_and_refills() -> None:
    stmts = [raw.stmt for raw in pglast.parse_sql(migrations("timescale")[3].sql)]
    kinds = [type(s).__name__ for s in stmts]
    lock = kinds.index("LockStmt")
    assert stmts[lock].relations[0].relname == "readings"
    assert stmts[lock].mode >= 5  # SHARE: no writes until the refill commits
    drops = [i for i, k in enumerate(kinds) if k == "DropStmt"]
    refills = [s for s in stmts if isinstance(s, ast.InsertStmt)]
    assert drops and lock < min(drops)
    assert {s.relation.relname for s in refills} == {"readings_1m", "readings_1h"}
    assert all(lock < stmts.index(s) for s in refills)


def _bucket_exprs(stmt: Any) -> dict[str, str]:
    """Target table -> the deparsed expression its bucket column is filled from."""
    out = {}
    for node in _nodes(stmt):
        if isinstance(node, ast.InsertStmt):
            cols = [c.name for c in node.cols]
            if "bucket" not in cols:
                continue
            target = node.selectStmt.targetList[cols.index("bucket")].val
            out[node.relation.relname] = RawStream()(target)
    return out


def test_the_fold_matches_the_refill_and_the_rollup_keys(plain: Schema, timescale: Schema) -> None:
    fold = pglast.parse_sql(writer._INSERT_READINGS_WITH_ROLLUPS)[0].stmt
    refill = [raw.stmt for raw in pglast.parse_sql(migrations("timescale")[3].sql)]
    refilled: dict[str, str] = {}
    for stmt in refill:
        refilled.update(_bucket_exprs(stmt))
    folded = _bucket_exprs(fold)
    for table in ("readings_1m", "readings_1h"):
        assert folded[table] == refilled[table], table
        assert plain.keys[table] == timescale.keys[table] == ROLLUP_KEY
    conflicts = [
        [e.name for e in node.infer.indexElems]
        for node in _nodes(fold)
        if isinstance(node, ast.OnConflictClause) and node.infer is not None
    ]
    assert conflicts == [ROLLUP_KEY, ROLLUP_KEY]
