"""SqliteGateway against real SQLite files: read-only, row cap, time limit, threads."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from agents.errors import DataError, SqlExecutionError, SqlRejected, SqlTimeout
from agents.oews.schema import DDL
from agents.sql.gateway import QueryResult, SqlGateway
from agents.sql.sqlite import SqliteGateway

YEARS = (2022, 2023, 2024)
AREAS = (
    ("99", 1, "national", "U.S."),
    ("06", 2, "state", "California"),
    ("53", 2, "state", "Washington"),
)
OCCUPATIONS = (
    ("00-0000", "All Occupations", "total"),
    ("29-1141", "Registered Nurses", "detailed"),
    ("15-1252", "Software Developers", "detailed"),
)
FACT_ROWS = len(YEARS) * len(AREAS) * len(OCCUPATIONS)  # 27

RUNAWAY = (
    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 1000000000) "
    "SELECT count(*) FROM c"
)
CROSS_JOIN = (
    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 100000) "
    "SELECT count(*) FROM c AS a, c AS b"
)


def a_median(year: int, area: str, occ: str) -> int:
    return 40_000 + (year - 2020) * 1_000 + int(area) * 10 + int(occ[:2])


def build_database(path: Path) -> Path:
    conn = sqlite3.connect(path)
    with conn:
        conn.executescript(DDL)
        conn.executemany("INSERT INTO areas (area_code, area_type, kind, title) VALUES (?, ?, ?, ?)", AREAS)
        conn.executemany(
            "INSERT INTO occupations VALUES (?, ?, ?, '29-0000', NULL, NULL, 2019, 2024)",
            OCCUPATIONS,
        )
        conn.execute("INSERT INTO industries VALUES ('000000', 'Cross-industry', 'total', NULL)")
        conn.execute("INSERT INTO meta VALUES ('secret', 'not for the model')")
        conn.executemany(
            "INSERT INTO facts (year, area_code, naics, occ_code, a_median, h_median) "
            "VALUES (?, ?, '000000', ?, ?, ?)",
            [
                (y, a[0], o[0], a_median(y, a[0], o[0]), a_median(y, a[0], o[0]) / 2080)
                for y in YEARS
                for a in AREAS
                for o in OCCUPATIONS
            ],
        )
    conn.close()
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return build_database(tmp_path / "oews.sqlite")


@pytest.fixture
def gateway(db_path: Path) -> Iterator[SqliteGateway]:
    with SqliteGateway(path=db_path, max_rows=5, time_limit_ms=100) as gw:
        yield gw


# --- results ---------------------------------------------------------------------------------


def test_it_is_a_sql_gateway(gateway: SqliteGateway) -> None:
    gw: SqlGateway = gateway
    assert gw.dialect == "sqlite"


def test_select_returns_columns_rows_and_native_numbers(gateway: SqliteGateway) -> None:
    sql = (
        "SELECT year, a_median, h_median, occ_code FROM facts "
        "WHERE area_code = '53' AND occ_code = '29-1141' ORDER BY year"
    )
    result = gateway.execute(sql)
    assert isinstance(result, QueryResult)
    assert result.columns == ("year", "a_median", "h_median", "occ_code")
    assert [r[0] for r in result.rows] == list(YEARS)
    assert result.rows[0][1] == a_median(2022, "53", "29-1141")
    assert type(result.rows[0][1]) is int
    assert type(result.rows[0][2]) is float
    assert result.records()[2] == {
        "year": 2024,
        "a_median": a_median(2024, "53", "29-1141"),
        "h_median": a_median(2024, "53", "29-1141") / 2080,
        "occ_code": "29-1141",
    }
    assert result.truncated is False
    assert result.elapsed_ms > 0
    assert result.sql == sql
    assert result.params == ()


def test_bound_parameters(gateway: SqliteGateway) -> None:
    result = gateway.execute(
        "SELECT a_median FROM facts WHERE year = ? AND area_code = ? AND occ_code = ?",
        [2023, "06", "15-1252"],
    )
    assert result.rows == ((a_median(2023, "06", "15-1252"),),)
    assert result.params == (2023, "06", "15-1252")


def test_a_parameter_is_a_value_never_sql(gateway: SqliteGateway) -> None:
    result = gateway.execute("SELECT count(*) FROM facts WHERE occ_code = ?", ("x' OR '1'='1",))
    assert result.rows == ((0,),)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "WITH wa AS (SELECT * FROM facts WHERE area_code = '53') "
            "SELECT o.title, max(wa.a_median) FROM wa JOIN occupations o USING (occ_code) "
            "WHERE o.o_group = 'detailed' GROUP BY o.title ORDER BY 2 DESC LIMIT 1",
            (("Registered Nurses", a_median(2024, "53", "29-1141")),),
        ),
        ("WITH t AS (SELECT * FROM facts) SELECT count(*) FROM t", ((FACT_ROWS,),)),
        (
            "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 3) "
            "SELECT sum(n) FROM c",
            ((6,),),
        ),
        ("SELECT count(*) FROM facts f, areas a WHERE f.area_code = a.area_code", ((27,),)),
        (
            "SELECT count(*) FROM facts WHERE occ_code IN "
            "(SELECT occ_code FROM occupations WHERE o_group = 'detailed')",
            ((18,),),
        ),
        (
            "SELECT title FROM areas WHERE area_code IN "
            "(SELECT area_code FROM facts GROUP BY area_code HAVING max(a_median) > 44600)",
            (("U.S.",),),
        ),
        (
            "SELECT year, rank() OVER (PARTITION BY year ORDER BY a_median DESC) AS r "
            "FROM facts WHERE area_code = '99' AND occ_code = '29-1141' AND year = 2024",
            ((2024, 1),),
        ),
        (
            "SELECT replace(title, 'Registered ', '') FROM occupations WHERE occ_code = '29-1141'",
            (("Nurses",),),
        ),
        (
            "SELECT round(avg(a_median), 1), coalesce(NULL, 'x'), date('2024-05-01') "
            "FROM facts WHERE year = 2022 AND occ_code = '00-0000'",
            (
                (
                    round(sum(a_median(2022, a[0], "00-0000") for a in AREAS) / 3, 1),
                    "x",
                    "2024-05-01",
                ),
            ),
        ),
    ],
)
def test_joins_subqueries_ctes_and_functions_work(
    gateway: SqliteGateway, sql: str, expected: tuple[tuple[object, ...], ...]
) -> None:
    assert gateway.execute(sql).rows == expected


# --- row cap ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "rows", "truncated"),
    [(4, 4, False), (5, 5, False), (6, 5, True), (FACT_ROWS, 5, True)],
)
def test_row_cap_sets_truncated_only_when_more_rows_exist(
    gateway: SqliteGateway, limit: int, rows: int, truncated: bool
) -> None:
    result = gateway.execute("SELECT * FROM facts LIMIT ?", (limit,))
    assert len(result.rows) == rows
    assert result.truncated is truncated


def test_commenting_out_limit_does_not_lift_the_cap(gateway: SqliteGateway) -> None:
    result = gateway.execute("SELECT * FROM facts -- LIMIT 2")
    assert result.sql == "SELECT * FROM facts"
    assert len(result.rows) == 5
    assert result.truncated is True


def test_per_call_max_rows_lowers_but_never_raises_the_cap(gateway: SqliteGateway) -> None:
    lowered = gateway.execute("SELECT * FROM facts", max_rows=2)
    assert (len(lowered.rows), lowered.truncated) == (2, True)
    exact = gateway.execute("SELECT * FROM facts LIMIT 2", max_rows=2)
    assert (len(exact.rows), exact.truncated) == (2, False)
    raised = gateway.execute("SELECT * FROM facts", max_rows=1000)
    assert (len(raised.rows), raised.truncated) == (5, True)
    nothing = gateway.execute("SELECT * FROM facts", max_rows=0)
    assert (nothing.rows, nothing.truncated) == ((), True)
    with pytest.raises(ValueError):
        gateway.execute("SELECT * FROM facts", max_rows=-1)


# --- time limit ------------------------------------------------------------------------------


@pytest.mark.parametrize("sql", [RUNAWAY, CROSS_JOIN])
def test_runaway_query_is_interrupted(gateway: SqliteGateway, sql: str) -> None:
    started = time.perf_counter()
    with pytest.raises(SqlTimeout) as info:
        gateway.execute(sql, ())
    elapsed = time.perf_counter() - started
    assert 0.09 < elapsed < 0.75
    assert info.value.limit_ms == 100
    assert info.value.sql == sql
    assert info.value.params == ()
    # The connection is still usable and the next query gets a fresh deadline.
    assert gateway.execute("SELECT count(*) FROM facts").rows == ((FACT_ROWS,),)


def test_time_limit_also_covers_fetching_rows(db_path: Path) -> None:
    slow_rows = (
        "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 1000000000) "
        "SELECT n FROM c WHERE n % 50000000 = 0"
    )
    with SqliteGateway(path=db_path, max_rows=5, time_limit_ms=50) as gw:
        started = time.perf_counter()
        with pytest.raises(SqlTimeout):
            gw.execute(slow_rows)
        assert time.perf_counter() - started < 0.75


# --- errors ----------------------------------------------------------------------------------


def test_rejected_statement_carries_sql_and_params(gateway: SqliteGateway) -> None:
    sql = "SELECT * FROM meta WHERE key = ?"
    with pytest.raises(SqlRejected) as info:
        gateway.execute(sql, ("secret",))
    assert info.value.sql == sql
    assert info.value.params == ("secret",)
    assert "meta" in str(info.value)


@pytest.mark.parametrize(
    ("sql", "params", "message"),
    [
        ("SELECT no_such_column FROM facts", (), "no such column"),
        ("SELECT * FROM facts WHERE year = ?", (), "bindings"),
        ("SELECT * FROM facts WHERE year = ?", (1, 2), "bindings"),
        ("SELECT * FROM facts WHERE WHERE", (), "syntax error"),
    ],
)
def test_database_errors_carry_sql_and_params(
    gateway: SqliteGateway, sql: str, params: tuple[object, ...], message: str
) -> None:
    with pytest.raises(SqlExecutionError, match=message) as info:
        gateway.execute(sql, params)
    assert info.value.sql == sql
    assert info.value.params == params
    assert "SELECT" not in info.value.user_message


# --- what SQLite itself refuses --------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO meta VALUES ('k', 'v')",
        "UPDATE facts SET a_median = 0",
        "DELETE FROM facts",
        "CREATE TABLE x (a)",
        "DROP TABLE facts",
    ],
)
def test_connection_is_read_only_even_without_the_guard(
    gateway: SqliteGateway, db_path: Path, sql: str
) -> None:
    conn = gateway._connection()
    conn.set_authorizer(None)  # bypass both the guard and the authorizer
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute(sql)
    check = sqlite3.connect(db_path)
    assert check.execute("SELECT count(*) FROM facts").fetchone() == (FACT_ROWS,)
    check.close()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM meta",
        "SELECT count(*) FROM meta",
        "SELECT name FROM sqlite_master",
        "SELECT * FROM pragma_table_info('facts')",
        "SELECT * FROM facts WHERE occ_code IN (SELECT key FROM meta)",
        "ATTACH DATABASE ':memory:' AS x",
        "PRAGMA user_version = 5",
        "SELECT * FROM (WITH meta AS (SELECT 1) SELECT * FROM meta), meta",
    ],
)
def test_authorizer_refuses_what_the_guard_would_even_without_the_guard(
    gateway: SqliteGateway, sql: str
) -> None:
    with pytest.raises(sqlite3.DatabaseError, match=r"prohibited|not authorized"):
        gateway._connection().execute(sql).fetchall()


# --- files -----------------------------------------------------------------------------------


def test_missing_database_file_is_a_data_error_and_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nope.sqlite"
    with pytest.raises(DataError, match="not found"):
        SqliteGateway(path=missing)
    assert not missing.exists()
    with pytest.raises(DataError):
        SqliteGateway(path=tmp_path)  # a directory


def test_a_file_that_is_not_sqlite_is_a_data_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(DataError, match="not a readable SQLite database"):
        SqliteGateway(path=junk)


def test_path_with_uri_special_characters(tmp_path: Path) -> None:
    odd = build_database(tmp_path / "my data?mode=rwc#1 %20.sqlite")
    with SqliteGateway(path=odd) as gw:
        assert gw.execute("SELECT count(*) FROM facts").rows == ((FACT_ROWS,),)
    assert sorted(p.name for p in tmp_path.iterdir()) == [odd.name]


def test_constructor_rejects_nonsense_limits(db_path: Path) -> None:
    with pytest.raises(ValueError):
        SqliteGateway(path=db_path, max_rows=0)
    with pytest.raises(ValueError):
        SqliteGateway(path=db_path, time_limit_ms=0)


# --- threads and closing ---------------------------------------------------------------------


def test_one_gateway_serves_eight_threads_at_once(db_path: Path) -> None:
    gateway = SqliteGateway(path=db_path, max_rows=100, time_limit_ms=2000)
    barrier = threading.Barrier(8)
    cases = [(y, a[0], o[0]) for y in YEARS for a in AREAS for o in OCCUPATIONS][:8]
    connections: set[int] = set()

    def ask(case: tuple[int, str, str]) -> list[int]:
        barrier.wait(timeout=5)
        connections.add(id(gateway._connection()))
        answers = []
        for _ in range(50):
            result = gateway.execute(
                "SELECT a_median FROM facts WHERE year = ? AND area_code = ? AND occ_code = ?",
                case,
            )
            answers.append(result.rows[0][0])
        return answers

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(ask, cases))
    assert results == [[a_median(*case)] * 50 for case in cases]
    assert len(connections) == 8
    gateway.close()


def test_close_closes_every_thread_connection_and_execute_reopens(db_path: Path) -> None:
    gateway = SqliteGateway(path=db_path)
    opened: list[sqlite3.Connection] = [gateway._connection()]

    def use() -> None:
        opened.append(gateway._connection())
        gateway.execute("SELECT 1 FROM facts LIMIT 1")

    worker = threading.Thread(target=use)
    worker.start()
    worker.join()
    gateway.close()
    for conn in opened:
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            conn.execute("SELECT 1")
    gateway.close()  # closing twice is fine
    assert gateway.execute("SELECT count(*) FROM facts").rows == ((FACT_ROWS,),)
    gateway.close()
