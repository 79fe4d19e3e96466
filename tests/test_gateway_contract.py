"""One contract for every ``SqlGateway``: SQLite (embedded) and ODBC (PostgreSQL through psqlODBC).

Both gateways read the same OEWS data, loaded by the product's own writers from one shipped
BLS file, and must give the same results, the same rejections, the same row cap and typed
errors, and a time limit that really stops a statement. The adversarial statements at the end
must be harmless on both: no write, nothing read beyond the OEWS tables, nothing past the time
limit, no value over the size limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyodbc
import pytest

from agents.errors import DatabaseUnavailable, SqlError, SqlExecutionError, SqlRejected, SqlTimeout
from agents.oews.database import build_database, shipped_files
from agents.oews.server import build_server_database
from agents.sql.dburl import parse_database_url
from agents.sql.gateway import SqlGateway, database_ok
from agents.sql.guard import Checked
from agents.sql.odbc import MAX_VALUE_BYTES, OdbcGateway
from agents.sql.sqlite import SqliteGateway
from tests import postgres as pg

TIME_LIMIT_MS = 300
MAX_ROWS = 5
SLACK_S = 1.5  # a stopped statement returns within the limit plus this (a busy shared machine)
BACKENDS = ("sqlite", "postgresql")


def national_2025() -> Path:
    return next(f for f in shipped_files() if f.name.startswith("national_M2025"))


@pytest.fixture(scope="module")
def sqlite_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("contract") / "oews.sqlite"
    build_database(path, files=[national_2025()])
    return path


@pytest.fixture(scope="module")
def pg_url(postgres: pg.PostgresServer) -> str:
    url = postgres.create_database("oews_contract")
    build_server_database(parse_database_url(url), files=[national_2025()])
    return url


Factory = Callable[..., SqlGateway]


@pytest.fixture(params=BACKENDS)
def make_gateway(request: pytest.FixtureRequest) -> Iterator[Factory]:
    opened: list[Any] = []

    def make(**limits: int) -> SqlGateway:
        settings = {"max_rows": MAX_ROWS, "time_limit_ms": TIME_LIMIT_MS, **limits}
        gw: Any
        if request.param == "sqlite":
            gw = SqliteGateway(path=request.getfixturevalue("sqlite_path"), **settings)
        else:
            gw = OdbcGateway(url=parse_database_url(request.getfixturevalue("pg_url")), **settings)
        opened.append(gw)
        return gw  # type: ignore[no-any-return]

    yield make
    for gw in opened:
        gw.close()


@pytest.fixture
def gateway(make_gateway: Factory) -> SqlGateway:
    return make_gateway()


def unguarded(gateway: SqlGateway) -> SqlGateway:
    """The same gateway with the guard switched off: the database's own walls only."""
    gateway.guard.check = lambda sql: Checked(sql, frozenset())  # type: ignore[attr-defined]
    return gateway


ENGINE_QUERIES: list[tuple[str, tuple[Any, ...]]] = [
    (
        "SELECT f.year, f.area_code, a.title AS area, f.occ_code, o.title AS occupation, f.a_median, "
        "f.a_median_flag, f.h_median, f.h_median_flag, f.tot_emp, f.annual_only, f.hourly_only\n"
        "FROM facts f JOIN areas a ON a.area_code = f.area_code\n"
        "JOIN occupations o ON o.occ_code = f.occ_code\n"
        "WHERE f.year = ? AND f.naics = ? AND f.area_code IN (?) AND f.occ_code IN (?, ?, ?)\n"
        "ORDER BY f.occ_code",
        (2025, "000000", "99", "29-1141", "11-1011", "25-2021"),
    ),
    (
        "SELECT o.title AS name, o.occ_code AS code, f.a_median, f.a_median_flag FROM facts f "
        "JOIN occupations o ON o.occ_code = f.occ_code WHERE f.year = ? AND f.naics = ? "
        "AND o.o_group = 'detailed' ORDER BY CASE WHEN f.a_median IS NULL THEN 1 ELSE 0 END, "
        "f.a_median DESC, o.title",
        (2025, "000000"),
    ),
    ("SELECT kind, cross_industry, year FROM coverage ORDER BY year", ()),
    (
        "SELECT count(*) AS n, sum(f.tot_emp) AS jobs, max(f.h_mean) AS top FROM facts f "
        "JOIN occupations o ON o.occ_code = f.occ_code WHERE o.o_group = ?",
        ("major",),
    ),
    (
        "WITH d AS (SELECT occ_code, a_pct90 - a_pct10 AS spread FROM facts WHERE a_pct90 IS NOT NULL) "
        "SELECT o.title, d.spread FROM d JOIN occupations o ON o.occ_code = d.occ_code "
        "ORDER BY d.spread DESC, o.title",
        (),
    ),
    ("SELECT area_code, kind, title, (' ' || states || ' ') AS padded FROM areas ORDER BY area_code", ()),
]


# --- results -----------------------------------------------------------------------------------


def test_it_is_a_sql_gateway_with_a_dialect(gateway: SqlGateway) -> None:
    assert gateway.dialect in ("sqlite", "postgresql")
    assert database_ok(gateway)


@pytest.mark.parametrize(("sql", "params"), ENGINE_QUERIES)
def test_both_backends_return_the_same_rows(
    sqlite_path: Path, pg_url: str, sql: str, params: tuple[Any, ...]
) -> None:
    with (
        SqliteGateway(path=sqlite_path, max_rows=2000) as lite,
        OdbcGateway(url=parse_database_url(pg_url), max_rows=2000) as server,
    ):
        expected, got = lite.execute(sql, params), server.execute(sql, params)
    assert got.columns == expected.columns
    assert got.rows == expected.rows
    assert [tuple(map(type, r)) for r in got.rows] == [tuple(map(type, r)) for r in expected.rows]
    assert got.truncated == expected.truncated
    assert len(got.rows) > 0


def test_bound_parameters_are_values_never_sql(gateway: SqlGateway) -> None:
    result = gateway.execute("SELECT title FROM occupations WHERE occ_code = ?", ["29-1141"])
    assert result.rows == (("Registered Nurses",),) and result.params == ("29-1141",)
    assert gateway.execute("SELECT title FROM occupations WHERE occ_code = ?", ["x' OR '1'='1"]).rows == ()


@pytest.mark.parametrize("cap", [3, 5000])
def test_row_cap_sets_truncated_only_when_more_rows_exist(make_gateway: Factory, cap: int) -> None:
    gateway = make_gateway(max_rows=cap)
    total = int(gateway.execute("SELECT count(*) FROM occupations").rows[0][0])
    result = gateway.execute("SELECT occ_code FROM occupations ORDER BY occ_code")
    assert len(result.rows) == min(cap, total)
    assert result.truncated is (cap < total)


def test_commented_out_limit_and_per_call_cap(gateway: SqlGateway) -> None:
    result = gateway.execute("SELECT occ_code FROM occupations -- LIMIT 100000")
    assert len(result.rows) == MAX_ROWS and result.truncated
    assert len(gateway.execute("SELECT occ_code FROM occupations", max_rows=2).rows) == 2
    assert len(gateway.execute("SELECT occ_code FROM occupations", max_rows=500).rows) == MAX_ROWS


def test_database_errors_are_typed_and_carry_the_sql(gateway: SqlGateway) -> None:
    sql = "SELECT no_such_column FROM facts WHERE year = ?"
    with pytest.raises(SqlExecutionError) as caught:
        gateway.execute(sql, [2025])
    assert caught.value.sql == sql and caught.value.params == (2025,)
    assert gateway.execute("SELECT count(*) FROM areas").rows == ((1,),)  # the session still works


def test_rejections_carry_the_sql(gateway: SqlGateway) -> None:
    with pytest.raises(SqlRejected) as caught:
        gateway.execute("DELETE FROM facts WHERE year = ?", [2025])
    assert caught.value.sql == "DELETE FROM facts WHERE year = ?" and caught.value.params == (2025,)


CROSS_JOIN = "SELECT count(*) FROM facts a, facts b, facts c"


def test_a_runaway_statement_is_stopped_at_the_time_limit(gateway: SqlGateway) -> None:
    started = time.perf_counter()
    with pytest.raises(SqlTimeout) as caught:
        gateway.execute(CROSS_JOIN)
    assert time.perf_counter() - started < TIME_LIMIT_MS / 1000 + SLACK_S
    assert caught.value.sql == CROSS_JOIN and caught.value.limit_ms == TIME_LIMIT_MS
    assert gateway.execute("SELECT count(*) FROM areas").rows == ((1,),)


def test_one_gateway_serves_eight_threads_at_once(make_gateway: Factory) -> None:
    gateway = make_gateway(max_rows=2000)

    def count(i: int) -> int:
        return int(gateway.execute("SELECT count(*) FROM facts WHERE year = ?", [2025]).rows[0][0])

    with ThreadPoolExecutor(8) as pool:
        counts = list(pool.map(count, range(32)))
    assert len(set(counts)) == 1 and counts[0] > 800


def test_close_then_execute_reopens(gateway: SqlGateway) -> None:
    gateway.execute("SELECT 1 AS one FROM areas")
    gateway.close()
    assert gateway.execute("SELECT 1 AS one FROM areas").rows == ((1,),)


# --- adversarial statements ----------------------------------------------------------------------

ADVERSARIAL = [
    "WITH x AS (DELETE FROM facts RETURNING *) SELECT * FROM x",
    "WITH x AS (SELECT 1) DELETE FROM facts",
    "SELECT 1 FROM areas; DELETE FROM facts",
    "SELECT 1 FROM areas; SET statement_timeout = 0; SELECT pg_sleep(30)",
    "SET statement_timeout = 0",
    "SELECT set_config('statement_timeout', '0', false)",
    "SELECT current_setting('data_directory')",
    "SELECT pg_sleep(30)",
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT * FROM pg_ls_dir('.')",
    "SELECT lo_import('/etc/passwd')",
    "SELECT lo_from_bytea(0, 'x')",
    "SELECT pg_terminate_backend(1)",
    "SELECT * FROM dblink('host=example.org', 'SELECT 1') AS t(a int)",
    "COPY facts TO STDOUT",
    "SELECT version()",
    "SELECT inet_server_addr()",
    "SELECT * FROM information_schema.tables",
    "SELECT * FROM pg_settings",
    "SELECT * FROM pg_catalog.pg_authid",
    "SELECT * FROM pg_stat_activity",
    "SELECT * FROM meta",
    "SELECT * FROM data_files",
    "SELECT * FROM sqlite_master",
    "SELECT query_to_xml('SELECT * FROM meta', true, true, '')",
    "SELECT * FROM facts /* /* */ LIMIT 1 */",
    "SELECT repeat('x', 100000000)",
    "SELECT lpad('x', 100000000, 'y')",
    "SELECT string_agg(a.title, ',') FROM occupations a, occupations b",
    "SELECT randomblob(1000000000)",
    "SELECT zeroblob(1000000000)",
    "SELECT printf('%.*c', 1000000000, 'x')",
    "SELECT length(group_concat(a.title)) FROM occupations a, occupations b, occupations c",
    "WITH RECURSIVE r(s) AS (SELECT 'x' UNION ALL SELECT s || s FROM r WHERE length(s) < 1000000000) "
    "SELECT max(length(s)) FROM r",
    "SELECT * FROM facts a, facts b, facts c",
    "SELECT count(*) FROM facts a, facts b, facts c",
    "BEGIN",
    "PRAGMA writable_schema = 1",
    "ATTACH DATABASE '/tmp/x.db' AS x",
    "SELECT * INTO stolen FROM facts",
    "DISCARD ALL",
    "CREATE TEMP TABLE facts AS SELECT 1",
    "SELECT * FROM facts FOR UPDATE",
]


def _facts(gateway: SqlGateway) -> int:
    return int(gateway.execute("SELECT count(*) FROM facts").rows[0][0])


@pytest.mark.parametrize("sql", ADVERSARIAL)
def test_adversarial_statements_are_harmless(gateway: SqlGateway, sql: str) -> None:
    before = _facts(gateway)
    started = time.perf_counter()
    try:
        result = gateway.execute(sql)
    except SqlError:
        result = None
    assert time.perf_counter() - started < TIME_LIMIT_MS / 1000 + SLACK_S
    if result is not None:  # allowed to run: then only OEWS rows, capped, no huge value
        assert len(result.rows) <= MAX_ROWS
        assert all(len(str(v)) <= MAX_VALUE_BYTES for row in result.rows for v in row)
        assert "stolen" not in sql  # SELECT INTO must never succeed
    assert _facts(gateway) == before  # nothing written, the session is as it was
    assert gateway.execute("SELECT count(*) FROM areas").rows == ((1,),)


# --- the database's own walls, without the guard ------------------------------------------------

WRITES = [
    "DELETE FROM facts",
    "CREATE TABLE stolen (x INTEGER)",
    "UPDATE areas SET title = 'x'",
]


@pytest.mark.parametrize("sql", WRITES)
def test_the_session_is_read_only_even_without_the_guard(gateway: SqlGateway, sql: str) -> None:
    before = _facts(gateway)
    with pytest.raises(SqlError):
        unguarded(gateway).execute(sql)
    assert _facts(gateway) == before


def test_postgres_time_limit_cancels_a_sleep_without_the_guard(pg_url: str) -> None:
    with OdbcGateway(url=parse_database_url(pg_url), time_limit_ms=TIME_LIMIT_MS) as gateway:
        started = time.perf_counter()
        with pytest.raises(SqlTimeout):
            unguarded(gateway).execute("SELECT pg_sleep(5)")
        assert time.perf_counter() - started < TIME_LIMIT_MS / 1000 + SLACK_S


def test_postgres_huge_values_are_refused_without_the_guard(pg_url: str) -> None:
    with (
        OdbcGateway(url=parse_database_url(pg_url)) as gateway,
        pytest.raises(SqlRejected, match="larger than allowed"),
    ):
        unguarded(gateway).execute("SELECT repeat('x', 5000000)")


@pytest.mark.parametrize(
    "sql", ["SELECT randomblob(1000000000)", "SELECT zeroblob(1000000000)", "SELECT hex(zeroblob(3000000))"]
)
def test_sqlite_huge_values_fail_at_once_without_the_guard(sqlite_path: Path, sql: str) -> None:
    with SqliteGateway(path=sqlite_path, time_limit_ms=TIME_LIMIT_MS) as gateway:
        started = time.perf_counter()
        with pytest.raises(SqlError):
            unguarded(gateway).execute(sql)
        assert time.perf_counter() - started < TIME_LIMIT_MS / 1000 + SLACK_S


# Run in a child process: SQLite's heap limit is process-wide and can only be lowered, and peak
# memory (ru_maxrss) is only meaningful for a fresh process.
MEMORY_PROBE = """
import json, resource, sqlite3, sys, time
from pathlib import Path
from agents.errors import SqlError
from agents.sql.guard import Checked
from agents.sql.sqlite import SqliteGateway

gateway = SqliteGateway(path=Path(sys.argv[1]), time_limit_ms=int(sys.argv[2]))
gateway.guard.check = lambda sql: Checked(sql, frozenset())  # the database's own walls only
other = sqlite3.connect(":memory:")  # the heap limit is the process's, seen from any connection
report = {"heap_limit": other.execute("PRAGMA hard_heap_limit").fetchone()[0], "runs": []}
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for sql in sys.stdin.read().split("\x1e"):
    started = time.perf_counter()
    try:
        rows = gateway.execute(sql).rows
        outcome, biggest = "ran", max((len(str(v)) for row in rows for v in row), default=0)
    except SqlError as e:
        outcome, biggest = type(e).__name__, 0
    report["runs"].append([sql, outcome, time.perf_counter() - started, biggest])
report["peak_growth_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
other.execute("PRAGMA hard_heap_limit = 8000000")  # a tiny limit: SQLite must stop, not crash
try:
    gateway.execute("SELECT length(replace(hex(zeroblob(1999999)), '0', '00'))")
except SqlError as e:
    report["tiny_heap"] = [type(e).__name__, str(e)]
report["after"] = gateway.execute("SELECT count(*) FROM areas").rows[0][0]
print(json.dumps(report))
"""
HUGE = [
    "SELECT randomblob(1000000000)",
    "SELECT zeroblob(1000000000)",
    "SELECT printf('%.*c', 1000000000, 'x')",
    "SELECT length(group_concat(a.title)) FROM occupations a, occupations b, occupations c",
    "WITH RECURSIVE r(s) AS (SELECT 'x' UNION ALL SELECT s || s FROM r WHERE length(s) < 1000000000) "
    "SELECT max(length(s)) FROM r",
    "SELECT max(x) FROM (SELECT zeroblob(3000000) || a.title AS x FROM occupations a, occupations b "
    "ORDER BY 1)",
    "SELECT count(*) FROM (SELECT DISTINCT hex(zeroblob(1000000)) || a.occ_code FROM occupations a)",
    "SELECT length(replace(hex(zeroblob(1999999)), '0', '00'))",
    "SELECT group_concat(hex(zeroblob(1000000))) FROM occupations",
]


def test_sqlite_memory_stays_bounded_for_huge_values_without_the_guard(sqlite_path: Path) -> None:
    import json
    import subprocess
    import sys

    from agents.sql.sqlite import HEAP_LIMIT_BYTES
    from agents.sql.sqlite import MAX_VALUE_BYTES as SQLITE_MAX_VALUE

    probe = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(sqlite_path), str(TIME_LIMIT_MS)],
        input="\x1e".join(HUGE), capture_output=True, text=True, timeout=120, check=True,
        cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    report = json.loads(probe.stdout)
    assert report["heap_limit"] == HEAP_LIMIT_BYTES
    for sql, outcome, seconds, biggest in report["runs"]:
        assert seconds < TIME_LIMIT_MS / 1000 + SLACK_S, sql
        assert biggest <= SQLITE_MAX_VALUE, sql
        assert outcome != "ran" or "1000000000" not in sql, sql
    assert report["peak_growth_kb"] < 64 * 1024  # each took 1-2 GB before the limits
    assert report["tiny_heap"][0] == "SqlExecutionError" and "out of memory" in report["tiny_heap"][1]
    assert report["after"] == 1  # the process and the connection survive


def test_a_dropped_connection_is_reported_and_the_next_statement_reconnects(
    postgres: pg.PostgresServer, pg_url: str
) -> None:
    with OdbcGateway(url=parse_database_url(pg_url), time_limit_ms=5000) as gateway:
        gateway.execute("SELECT count(*) FROM areas")
        with pyodbc.connect(postgres.odbc("oews_contract"), autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = 'oews_contract' AND pid <> pg_backend_pid()"
            )
        with pytest.raises(DatabaseUnavailable) as caught:
            gateway.execute("SELECT count(*) FROM areas")
        assert "x@" not in str(caught.value) and "***" in str(caught.value)
        assert not isinstance(caught.value, SqlError)
        assert gateway.execute("SELECT count(*) FROM areas").rows == ((1,),)


def test_a_connection_dropped_while_a_statement_runs_is_reported_and_the_next_reconnects(
    postgres: pg.PostgresServer, pg_url: str
) -> None:
    import threading

    with OdbcGateway(url=parse_database_url(pg_url), time_limit_ms=20000) as gateway:
        gateway.execute("SELECT count(*) FROM areas")

        def terminate_when_running() -> None:
            with pyodbc.connect(postgres.odbc("oews_contract"), autocommit=True) as admin:
                for _ in range(100):  # wait until the statement is running, then kill its backend
                    killed = admin.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                        "'oews_contract' AND state = 'active' AND query LIKE '%pg_sleep%' "
                        "AND pid <> pg_backend_pid()"
                    ).fetchall()
                    if killed:
                        return
                    time.sleep(0.05)

        killer = threading.Thread(target=terminate_when_running)
        killer.start()
        started = time.perf_counter()
        with pytest.raises(DatabaseUnavailable) as caught:
            unguarded(gateway).execute("SELECT pg_sleep(15)")
        killer.join()
        assert time.perf_counter() - started < 10  # told at once, not after the statement's 15 s
        message = str(caught.value)
        assert "went away" in message and "OEWS_DATABASE_URL" in message
        assert "postgres:***@" in message and ":x@" not in message and "\n" not in message
        assert caught.value.user_message == "The OEWS database is not available right now."
        assert gateway.execute("SELECT count(*) FROM areas").rows == ((1,),)


def test_the_readme_read_only_role_can_only_select_the_oews_tables(
    postgres: pg.PostgresServer, pg_url: str
) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("-- read-only role for oews-bot", 1)[1].split("```", 1)[0]
    with pyodbc.connect(postgres.odbc("oews_contract"), autocommit=True) as admin:
        for statement in block.replace("oews_password", "x").split(";"):
            if statement.strip() and not statement.strip().startswith("--"):
                admin.execute(statement.replace("DATABASE oews", "DATABASE oews_contract"))
    url = parse_database_url(pg_url.replace("postgres:x@", "oews_reader:x@"))
    with OdbcGateway(url=url) as gateway:
        assert gateway.execute("SELECT count(*) FROM areas").rows == ((1,),)
        raw = unguarded(gateway)
        for sql in ("SELECT * FROM pg_authid", "CREATE TABLE t (x int)", "DELETE FROM facts"):
            with pytest.raises(SqlError):
                raw.execute(sql)
