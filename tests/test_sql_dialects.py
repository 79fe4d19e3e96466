"""The guard, schema, bulk writes and prompts per dialect, without a server.

SQL Server cannot run here: its dialect is tested as text (what the guard accepts and refuses,
the DDL and upserts the writer sends, what the model is told). PostgreSQL's rules are also run
against a real server in tests/test_gateway_contract.py.
"""

from __future__ import annotations

import time

import pytest

from agents.errors import SqlRejected
from agents.oews.database import FACT_COLUMNS
from agents.oews.schema import QUERYABLE_TABLES, ddl_statements
from agents.oews.server import bulk_upsert
from agents.sql.guard import SqlGuard, validate_select
from agents.workflow.prompts import sql_system


def check(sql: str, dialect: str) -> str:
    return validate_select(sql, allowed_tables=QUERYABLE_TABLES, dialect=dialect)


MSSQL_ALLOWED = [
    "SELECT TOP (5) o.title AS name, f.a_median FROM facts f JOIN occupations o ON o.occ_code = f.occ_code "
    "WHERE f.year = ? ORDER BY f.a_median DESC",
    "SELECT [title] FROM [dbo].[occupations] WHERE [occ_code] = ?",
    "SELECT occ_code FROM facts ORDER BY a_median DESC OFFSET 0 ROWS FETCH NEXT 10 ROWS ONLY",
    "SELECT CONCAT(' ', a.states, ' ') AS s, CAST(AVG(CAST(f.tot_emp AS FLOAT)) AS FLOAT) AS m "
    "FROM facts f JOIN areas a ON a.area_code = f.area_code GROUP BY a.states",
    "WITH d AS (SELECT occ_code FROM facts) SELECT count(*) FROM d",
]
MSSQL_REFUSED = [
    "EXEC xp_cmdshell 'dir'",
    "SELECT 1 FROM facts; EXEC xp_cmdshell 'dir'",
    "SELECT xp_cmdshell('dir')",
    "SELECT * FROM OPENROWSET('SQLNCLI', 'Server=x;Trusted_Connection=yes;', 'SELECT 1')",
    "SELECT * FROM OPENQUERY(linked, 'SELECT 1')",
    "SELECT * FROM OPENDATASOURCE('SQLNCLI', 'Data Source=x').db.dbo.t",
    "SELECT 1 FROM facts WAITFOR DELAY '00:00:30'",
    "SELECT * FROM facts BULK INSERT facts FROM 'c:/x.csv'",
    "SELECT @@version",
    "SELECT 1 FROM facts DECLARE @x INT",
    "SELECT 1 FROM facts SET NOCOUNT ON",
    "SELECT * FROM sys.objects",
    "SELECT * FROM master.dbo.sysdatabases",
    "SELECT * FROM INFORMATION_SCHEMA.TABLES",
    "SELECT SYSTEM_USER",
    "SELECT DB_NAME()",
    "SELECT SERVERPROPERTY('MachineName')",
    "SELECT REPLICATE('x', 100000000)",
    "SELECT SPACE(100000000)",
    "SELECT STRING_AGG(title, ',') FROM occupations",
    "SELECT 1 FROM facts OPTION (MAXRECURSION 0)",
    "SELECT 1 FROM facts WHILE 1 = 1 SELECT 1",
    "SELECT * FROM facts /* /* */ ORDER BY 1 */",
    "SELECT 1 FROM facts USE master",
    "SELECT * FROM meta",
]


@pytest.mark.parametrize("sql", MSSQL_ALLOWED)
def test_tsql_the_engine_and_models_write_is_accepted(sql: str) -> None:
    assert check(sql, "mssql") == sql


@pytest.mark.parametrize("sql", MSSQL_REFUSED)
def test_sql_server_dangers_are_refused(sql: str) -> None:
    with pytest.raises(SqlRejected):
        check(sql, "mssql")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT pg_sleep(1)",
        "SELECT pg_catalog.pg_sleep(1)",
        "SELECT set_config('statement_timeout', '0', false)",
        "SELECT current_setting('is_superuser')",
        "SELECT lo_import('/etc/passwd')",
        "SELECT * FROM dblink('h', 'q') AS t(a int)",
        "SELECT 1 FROM facts; SET statement_timeout = 0",
        "SELECT table_to_xml('meta', true, true, '')",
        "SELECT * FROM public.meta",
        "SELECT * FROM pg_catalog.pg_tables",
        "SELECT current_user",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r",
        "SELECT format('%1000000000s', 'x')",
    ],
)
def test_postgresql_dangers_are_refused(sql: str) -> None:
    with pytest.raises(SqlRejected):
        check(sql, "postgresql")


def test_schema_qualified_names_follow_each_servers_default_schema() -> None:
    assert check("SELECT * FROM public.facts", "postgresql")
    assert check("SELECT * FROM dbo.facts", "mssql")
    for sql, dialect in [("SELECT * FROM dbo.facts", "postgresql"), ("SELECT * FROM public.facts", "mssql")]:
        with pytest.raises(SqlRejected):
            check(sql, dialect)


def test_sql_server_ddl_has_indexable_keys_doubles_and_no_if_not_exists() -> None:
    statements = ddl_statements("mssql")
    facts = next(s for s in statements if "CREATE TABLE facts" in s)
    assert facts.startswith("IF OBJECT_ID(N'facts', N'U') IS NULL CREATE TABLE facts")
    assert "area_code NVARCHAR(64) NOT NULL" in facts and "a_median INTEGER" in facts
    assert "h_median FLOAT" in facts and " REAL" not in facts and "IF NOT EXISTS" not in " ".join(statements)
    assert "[key] NVARCHAR(64) PRIMARY KEY" in statements[0]
    assert any(
        s.startswith("IF INDEXPROPERTY(OBJECT_ID(N'facts'), N'facts_by_occupation'") for s in statements
    )
    assert all(" REAL" not in s for s in ddl_statements("postgresql"))
    assert "h_median DOUBLE PRECISION" in " ".join(ddl_statements("postgresql"))


def test_bulk_upserts_send_one_json_parameter() -> None:
    pg_sql = bulk_upsert(
        "postgresql", "facts", FACT_COLUMNS, ("year", "area_code"), "a_median = excluded.a_median"
    )
    assert pg_sql.count("?") == 1 and "json_populate_recordset(NULL::facts, ?)" in pg_sql
    assert pg_sql.endswith("ON CONFLICT (year, area_code) DO UPDATE SET a_median = excluded.a_median")
    ms_sql = bulk_upsert(
        "mssql", "facts", FACT_COLUMNS, ("year", "area_code"), "a_median = excluded.a_median"
    )
    assert ms_sql.count("?") == 1 and ms_sql.startswith(
        "MERGE INTO facts USING (SELECT * FROM OPENJSON(?) WITH ("
    )
    assert "year BIGINT '$.year'" in ms_sql and "h_median FLOAT '$.h_median'" in ms_sql
    assert "a_median_flag NVARCHAR(400) '$.a_median_flag'" in ms_sql
    assert "ON facts.year = excluded.year AND facts.area_code = excluded.area_code" in ms_sql
    assert ms_sql.endswith(");") and "WHEN NOT MATCHED THEN INSERT (year, area_code, naics" in ms_sql


def test_the_model_is_told_its_dialect() -> None:
    assert "SQLite" in sql_system("coverage", 2025, "sqlite")
    assert "PostgreSQL" in sql_system("coverage", 2025, "postgresql")
    tsql = sql_system("coverage", 2025, "mssql")
    assert "T-SQL" in tsql and "TOP" in tsql and "never LIMIT" in tsql and "LIMIT 50" not in tsql


def test_validation_is_cached_by_statement_text() -> None:
    guard = SqlGuard(allowed_tables=QUERYABLE_TABLES, dialect="postgresql")
    sql = MSSQL_ALLOWED[4]
    first = guard.check(sql)
    assert guard.check(sql) is first and first.ctes == {"d"}
    started = time.perf_counter()
    for _ in range(1000):
        guard.check(sql)
    assert (time.perf_counter() - started) / 1000 < 0.0003  # a cached statement: well under 0.3 ms
