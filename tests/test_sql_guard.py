"""The allow-list guard and its tokenizer: what passes, what is rejected and why."""

from __future__ import annotations

import time

import pytest

from agents.errors import SqlRejected
from agents.oews.schema import QUERYABLE_TABLES
from agents.sql.guard import cte_names, validate_select


def check(sql: str) -> str:
    return validate_select(sql, allowed_tables=QUERYABLE_TABLES)


def rejection(sql: str) -> SqlRejected:
    with pytest.raises(SqlRejected) as info:
        check(sql)
    assert info.value.sql == sql
    return info.value


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM facts",
        "select year, a_median from facts where occ_code = ? and area_code = ?",
        "SELECT f.a_median, o.title FROM facts f JOIN occupations o ON o.occ_code = f.occ_code",
        "SELECT * FROM facts f LEFT OUTER JOIN areas a USING (area_code) NATURAL JOIN industries",
        "SELECT * FROM facts f CROSS JOIN areas a INNER JOIN occupations o ON 1",
        "SELECT * FROM facts f, areas a, occupations o WHERE f.area_code = a.area_code",
        'SELECT * FROM (facts) AS f, [areas] a, main."industries" i, `occupations`',
        "SELECT * FROM facts WHERE occ_code IN (SELECT occ_code FROM occupations)",
        "SELECT * FROM facts WHERE occ_code IN ('29-1141', '15-1252')",
        "SELECT * FROM facts WHERE occ_code IN occupations",
        "SELECT n FROM (SELECT count(*) AS n FROM facts) AS t",
        "SELECT * FROM facts f WHERE EXISTS (SELECT 1 FROM areas a WHERE a.title = f.year)",
        "WITH t AS (SELECT * FROM facts) SELECT * FROM t JOIN areas USING (area_code)",
        "WITH t AS (SELECT * FROM facts), u AS MATERIALIZED (SELECT * FROM t) SELECT * FROM u",
        "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c LIMIT 5) SELECT * FROM c",
        "SELECT replace(title, 'Nurses', 'RNs') FROM occupations",
        "SELECT a_median IS DISTINCT FROM h_median FROM facts",
        "SELECT year, rank() OVER w FROM facts WINDOW w AS (PARTITION BY year ORDER BY tot_emp)",
        "SELECT 1 FROM facts UNION ALL SELECT 2 FROM areas ORDER BY 1 LIMIT 10 OFFSET 5",
        "SELECT title FROM occupations WHERE title = 'edit' OR title LIKE '%DROP%'",
        "SELECT 'it''s', \"title\" FROM occupations",
        "SELECT * FROM FACTS",
    ],
)
def test_allowed_selects_pass_unchanged(sql: str) -> None:
    assert check(sql) == sql


def test_one_trailing_semicolon_and_comments_are_removed() -> None:
    assert check("  SELECT * FROM facts ;  ") == "SELECT * FROM facts"
    assert check("SELECT * -- all of it\nFROM facts;") == "SELECT *  FROM facts"
    assert check("SELECT /* hint */ year FROM facts") == "SELECT   year FROM facts"


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("INSERT INTO facts (year) VALUES (2024)", "INSERT"),
        ("UPDATE facts SET tot_emp = 0", "UPDATE"),
        ("DELETE FROM facts", "DELETE"),
        ("REPLACE INTO facts (year) VALUES (1)", "REPLACE"),
        ("MERGE INTO facts USING areas ON 1 WHEN MATCHED THEN DELETE", "MERGE"),
        ("UPSERT INTO facts VALUES (1)", "UPSERT"),
        ("CREATE TABLE x (a)", "CREATE"),
        ("DROP TABLE facts", "DROP"),
        ("ALTER TABLE facts ADD COLUMN x", "ALTER"),
        ("TRUNCATE TABLE facts", "TRUNCATE"),
        ("ATTACH DATABASE '/tmp/x.db' AS x", "ATTACH"),
        ("DETACH DATABASE x", "DETACH"),
        ("PRAGMA table_info(facts)", "PRAGMA"),
        ("VACUUM", "VACUUM"),
        ("REINDEX facts", "REINDEX"),
        ("ANALYZE facts", "ANALYZE"),
        ("GRANT SELECT ON facts TO bob", "GRANT"),
        ("REVOKE SELECT ON facts FROM bob", "REVOKE"),
        ("EXEC sp_tables", "EXEC"),
        ("EXECUTE sp_tables", "EXECUTE"),
        ("CALL refresh()", "CALL"),
        ("COPY facts TO '/tmp/x.csv'", "COPY"),
        ("SELECT * INTO backup FROM facts", "INTO"),
        ("WITH x AS (DELETE FROM facts RETURNING *) SELECT * FROM x", "DELETE"),
        ("WITH x AS (SELECT 1) DELETE FROM facts", "DELETE"),
        ("WITH x AS (SELECT 1) INSERT INTO facts SELECT * FROM x", "INSERT"),
        ("SELECT * FROM facts WHERE year IN (DELETE FROM facts RETURNING year)", "DELETE"),
        ("SELECT * FROM (SELECT * FROM (UPDATE facts SET year = 1))", "UPDATE"),
        ("BEGIN IMMEDIATE", "BEGIN"),
    ],
)
def test_data_changing_and_admin_keywords_are_rejected(sql: str, reason: str) -> None:
    assert f"{reason} is not allowed" in str(rejection(sql))


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ("SELECT * FROM sqlite_master", "sqlite_master"),
        ("SELECT name FROM sqlite_schema", "sqlite_schema"),
        ("SELECT * FROM facts, sqlite_master", "sqlite_master"),
        ("SELECT * FROM facts JOIN sqlite_temp_master ON 1", "sqlite_temp_master"),
        ("SELECT * FROM pragma_table_info('facts')", "pragma_table_info"),
        ("SELECT * FROM facts f, pragma_database_list", "pragma_database_list"),
        ("SELECT * FROM meta", "meta"),
        ("SELECT * FROM data_files", "data_files"),
        ('SELECT * FROM "meta"', "meta"),
        ("SELECT * FROM [meta]", "meta"),
        ("SELECT * FROM `meta`", "meta"),
        ("SELECT * FROM 'meta'", "meta"),
        ("SELECT * FROM (meta)", "meta"),
        ("SELECT * FROM (facts JOIN (meta) ON 1)", "meta"),
        ("SELECT * FROM facts WHERE year IN (SELECT value FROM meta)", "meta"),
        ("SELECT * FROM facts WHERE EXISTS (SELECT 1 FROM facts, meta)", "meta"),
        ("SELECT * FROM facts WHERE occ_code IN meta", "meta"),
        ("SELECT * FROM facts WHERE occ_code NOT IN main.meta", "meta"),
        ("SELECT * FROM facts UNION SELECT * FROM meta", "meta"),
        ("WITH t AS (SELECT * FROM meta) SELECT * FROM t", "meta"),
        ("SELECT * FROM json_each('[1]')", "json_each"),
        ("SELECT * FROM tables", "tables"),
    ],
)
def test_tables_outside_the_allow_list_are_rejected(sql: str, table: str) -> None:
    assert f"table {table} is not allowed" in str(rejection(sql))


@pytest.mark.parametrize(
    ("sql", "schema"),
    [
        ("SELECT * FROM information_schema.tables", "information_schema"),
        ("SELECT * FROM pg_catalog.pg_tables", "pg_catalog"),
        ("SELECT * FROM temp.facts", "temp"),
        ("SELECT * FROM other.facts", "other"),
    ],
)
def test_other_schemas_are_rejected(sql: str, schema: str) -> None:
    assert f"schema {schema} is not allowed" in str(rejection(sql))


def test_main_schema_qualifies_allowed_tables_only() -> None:
    assert check("SELECT * FROM main.facts") == "SELECT * FROM main.facts"
    with pytest.raises(SqlRejected, match="table t is not allowed"):
        check("WITH t AS (SELECT 1) SELECT * FROM main.t")


def test_a_cte_name_only_covers_its_own_scope() -> None:
    inner_only = "SELECT * FROM (WITH sqlite_master AS (SELECT 1) SELECT * FROM sqlite_master), sqlite_master"
    assert "table sqlite_master is not allowed" in str(rejection(inner_only))
    shadowing = "WITH sqlite_master AS (SELECT 1 AS x) SELECT x FROM sqlite_master"
    assert check(shadowing) == shadowing  # SQLite reads the CTE, not the catalog


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT load_extension('/tmp/evil.so')",
        "SELECT readfile('/etc/passwd')",
        "SELECT writefile('/tmp/x', 'y')",
        "SELECT fts3_tokenizer('simple')",
        "SELECT \"load_extension\"('/tmp/evil.so')",
        "SELECT LOAD_EXTENSION('/tmp/evil.so') FROM facts",
        "SELECT title FROM occupations WHERE title = readfile('/etc/passwd')",
    ],
)
def test_dangerous_functions_are_rejected(sql: str) -> None:
    assert "function" in str(rejection(sql))


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1; SELECT 2",
        "SELECT * FROM facts; DROP TABLE facts",
        "SELECT * FROM facts;; ",
        "SELECT * FROM facts /* */; DROP TABLE facts",
        "SELECT * FROM facts; -- trailing comment\nDELETE FROM facts",
    ],
)
def test_more_than_one_statement_is_rejected(sql: str) -> None:
    rejection(sql)


@pytest.mark.parametrize("sql", ["", "   ", ";", "-- nothing here\n", "/* nothing */ ;"])
def test_empty_statements_are_rejected(sql: str) -> None:
    assert "empty" in str(rejection(sql))


@pytest.mark.parametrize(
    "sql",
    ["VALUES (1)", "EXPLAIN SELECT * FROM facts", "(SELECT 1)", "WITH x AS (SELECT 1) VALUES (1)"],
)
def test_only_select_statements_are_allowed(sql: str) -> None:
    assert "only SELECT" in str(rejection(sql))


def test_comments_cannot_hide_a_second_statement() -> None:
    # The comment is dropped, so what runs is exactly the checked text.
    assert check("SELECT * FROM facts -- ; DROP TABLE facts") == "SELECT * FROM facts"
    assert check("SELECT * FROM facts /* ; DROP TABLE facts */") == "SELECT * FROM facts"
    assert check("SELECT * FROM facts -- LIMIT 5") == "SELECT * FROM facts"


def test_comments_cannot_split_keywords_or_hide_tables() -> None:
    assert "one statement" in str(rejection("SELECT 1 /* x */ ; /**/DROP TABLE facts"))
    assert "only SELECT" in str(rejection("SEL/**/ECT * FROM facts"))
    assert "sqlite_master" in str(rejection("SELECT * FROM/* facts */sqlite_master"))
    assert "sqlite_master" in str(rejection("SELECT * FROM -- facts\n sqlite_master"))
    assert "unterminated" in str(rejection("SELECT * FROM facts /* ; DROP TABLE facts"))


@pytest.mark.parametrize(
    "sql",
    [
        # A backslash escape SQLite does not have (PostgreSQL's E'' strings do): SQLite would
        # see a string 'a\' followed by FROM sqlite_master and a comment.
        "SELECT 'a\\' FROM sqlite_master --'",
        'SELECT "a\\" FROM sqlite_master --"',
        # A PostgreSQL dollar-quoted string; SQLite reads two parameters.
        "SELECT $a$ FROM sqlite_master WHERE 1 = $a$",
        "SELECT 'unterminated FROM facts",
        # SQLite reads a non-ASCII space as part of a name, not as whitespace.
        "SELECT *\u00a0FROM facts",
    ],
)
def test_quoting_that_sqlite_reads_differently_is_rejected(sql: str) -> None:
    rejection(sql)


def test_cte_names_lists_every_cte() -> None:
    sql = 'WITH RECURSIVE a(n) AS (SELECT 1), "B" AS NOT MATERIALIZED (SELECT 2) SELECT * FROM a, b'
    assert cte_names(sql) == {"a", "b"}
    assert cte_names("SELECT * FROM (WITH c AS (SELECT 1) SELECT * FROM c)") == {"c"}
    assert cte_names("SELECT * FROM facts") == frozenset()


def test_allowed_tables_are_case_insensitive_and_configurable() -> None:
    assert validate_select("SELECT * FROM Meta", allowed_tables=["META"]) == "SELECT * FROM Meta"
    with pytest.raises(SqlRejected, match="table facts is not allowed"):
        validate_select("SELECT * FROM facts", allowed_tables=["meta"])


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        # PostgreSQL's E'' string ends at the second quote; a '' reader would see one long string
        # and miss the subquery.
        ("SELECT E'\\'' , (SELECT value FROM meta) AS v -- '", "postgresql"),
        ("SELECT E'\\\\' , (SELECT value FROM meta) AS v -- '", "postgresql"),
        ("SELECT $1 FROM facts", "postgresql"),
        ("SELECT $$ FROM meta $$", "postgresql"),
        ("SELECT a[1] FROM facts", "postgresql"),  # an array subscript there, a name elsewhere
        ("SELECT `title` FROM occupations", "postgresql"),
        ("SELECT `title` FROM occupations", "mssql"),
        ("SELECT {fn user()}", "sqlite"),
        ("SELECT 1 # comment in MySQL only", "sqlite"),
        ("SELECT 1\\", "sqlite"),
        ("SELECT 1\x00; DELETE FROM facts", "sqlite"),
        ("SELECT 1\u2028FROM facts", "sqlite"),
        ("SELECT [a] FROM [meta]]x]", "sqlite"),  # SQLite ends [meta] at the first ]
    ],
)
def test_forms_a_server_reads_differently_are_refused(sql: str, dialect: str) -> None:
    with pytest.raises(SqlRejected) as info:
        validate_select(sql, allowed_tables=QUERYABLE_TABLES, dialect=dialect)
    assert info.value.sql == sql


def test_sql_server_brackets_escape_a_closing_bracket() -> None:
    sql = "SELECT [a]]b] FROM [facts]"
    assert validate_select(sql, allowed_tables=QUERYABLE_TABLES, dialect="mssql") == sql
    with pytest.raises(SqlRejected, match=r"table meta\]x is not allowed"):
        validate_select("SELECT * FROM [meta]]x]", allowed_tables=QUERYABLE_TABLES, dialect="mssql")


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("SELECT * FROM facts window, meta", "sqlite"),  # SQLite lets WINDOW name a table
        ("SELECT * FROM facts AS window, meta", "sqlite"),
        ("SELECT * FROM facts values, meta", "postgresql"),  # and PostgreSQL VALUES
        ("SELECT * FROM facts AS values (a), meta", "postgresql"),
        ("SELECT * FROM facts limit, meta", "mssql"),  # LIMIT is no T-SQL keyword
        ("SELECT * FROM facts f JOIN areas limit ON 1 = 1, meta", "mssql"),
    ],
)
def test_a_keyword_that_can_name_a_table_does_not_end_the_from_list(sql: str, dialect: str) -> None:
    with pytest.raises(SqlRejected, match="table meta is not allowed"):
        validate_select(sql, allowed_tables=QUERYABLE_TABLES, dialect=dialect)


def test_window_definitions_and_order_by_lists_still_pass() -> None:
    sql = "SELECT year, rank() OVER w FROM facts WINDOW w AS (ORDER BY tot_emp) ORDER BY year, tot_emp"
    assert check(sql) == sql
    tsql = "SELECT TOP (3) year, tot_emp FROM facts ORDER BY year, tot_emp"
    assert validate_select(tsql, allowed_tables=QUERYABLE_TABLES, dialect="mssql") == tsql


def test_validating_a_new_statement_takes_well_under_3_ms() -> None:
    from bench.bench_gateway import LOOKUP

    times = []
    for _ in range(20):
        started = time.perf_counter()
        check(LOOKUP)
        times.append(time.perf_counter() - started)
    assert min(times) < 0.003  # the fastest of 20: about 0.4 ms on a quiet machine
