"""The OEWS database on a server (PostgreSQL, SQL Server) through pyodbc.

The same schema, files and rules as the SQLite database (``agents.oews.database``): one
transaction per file, a file already loaded (same SHA-256) is skipped, special values kept.

Rows go over in bulk, not one statement per row: each batch of facts is one JSON text
parameter that the server unpacks (PostgreSQL ``json_populate_recordset``, SQL Server
``OPENJSON``) and upserts in one statement. Through psqlODBC this is about 30× faster than
``executemany`` and avoids its trouble with statements of thousands of parameters.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyodbc

from agents.errors import ConfigurationError, DatabaseUnavailable, DataError
from agents.oews import database as sqlite_db
from agents.oews.database import (
    AREA_COLUMNS,
    FACT_COLUMNS,
    FILE_COLUMNS,
    INDUSTRY_COLUMNS,
    OCCUPATION_COLUMNS,
    REFRESH_COVERAGE,
    DatabaseInfo,
    LoadReport,
    Progress,
    occupation_updates,
)
from agents.oews.schema import INTEGER_MEASURES, MEASURES, SCHEMA_VERSION, ddl_statements
from agents.sql.dburl import DatabaseUrl, Dialect
from agents.sql.odbc import connect, describe, detect_dialect

logger = logging.getLogger(__name__)

_FACT_KEY = ("year", "area_code", "naics", "occ_code")
_TABLES = ("coverage", "facts", "industries", "occupations", "areas", "data_files", "meta")


def _q(dialect: Dialect, name: str) -> str:
    return f"[{name}]" if dialect == "mssql" and name == "key" else name


def _column_type(dialect: Dialect, column: str) -> str:
    """The SQL type of a fact or dimension column (for SQL Server's ``OPENJSON … WITH``)."""
    measure = column.removesuffix("_flag")
    if column.endswith("_flag") or column not in (*MEASURES, "year", "annual_only", "hourly_only"):
        if column in ("area_type", "first_year", "last_year", "rows"):
            return "INT"
        return "NVARCHAR(400)"
    if measure in INTEGER_MEASURES or column in ("year", "annual_only", "hourly_only"):
        return "BIGINT"
    return "FLOAT"


def bulk_upsert(
    dialect: Dialect, table: str, columns: Sequence[str], keys: Sequence[str], updates: str
) -> str:
    """One statement that upserts a JSON array of row objects (the only parameter)."""
    names = ", ".join(columns)
    if dialect == "postgresql":
        action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
        return (
            f"INSERT INTO {table} ({names}) SELECT {names} FROM json_populate_recordset(NULL::{table}, ?) "
            f"ON CONFLICT ({', '.join(keys)}) {action}"
        )
    shape = ", ".join(f"{c} {_column_type(dialect, c)} '$.{c}'" for c in columns)
    on = " AND ".join(f"{table}.{k} = excluded.{k}" for k in keys)
    matched = f" WHEN MATCHED THEN UPDATE SET {updates}" if updates else ""
    return (
        f"MERGE INTO {table} USING (SELECT * FROM OPENJSON(?) WITH ({shape})) AS excluded ON {on}{matched} "
        f"WHEN NOT MATCHED THEN INSERT ({names}) VALUES ({', '.join(f'excluded.{c}' for c in columns)});"
    )


def _json(columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> str:
    """Rows as a JSON array of objects; NULLs left out (both servers read a missing key as NULL)."""
    return json.dumps(
        [{c: v for c, v in zip(columns, row, strict=True) if v is not None} for row in rows],
        separators=(",", ":"),
    )


class OdbcWriter:
    """``Writer`` (see ``agents.oews.database``) for a server database."""

    def __init__(self, conn: pyodbc.Connection, dialect: Dialect) -> None:
        self.conn = conn
        self.dialect = dialect
        fact_updates = ", ".join(f"{c} = excluded.{c}" for c in FACT_COLUMNS if c not in _FACT_KEY)
        occupation_set = occupation_updates("LEAST", "GREATEST")  # SQL Server: 2022 and Azure SQL
        self._sql = {
            "facts": bulk_upsert(dialect, "facts", FACT_COLUMNS, _FACT_KEY, fact_updates),
            "areas": bulk_upsert(dialect, "areas", AREA_COLUMNS, ("area_code",), "title = excluded.title"),
            "occupations": bulk_upsert(
                dialect, "occupations", OCCUPATION_COLUMNS, ("occ_code",), occupation_set
            ),
            "industries": bulk_upsert(
                dialect,
                "industries",
                INDUSTRY_COLUMNS,
                ("naics",),
                "title = excluded.title, i_group = excluded.i_group",
            ),
        }

    def loaded(self, digest: str) -> bool:
        return self.conn.execute("SELECT 1 FROM data_files WHERE sha256 = ?", digest).fetchone() is not None

    def begin(self) -> None:
        self.conn.rollback()  # autocommit is off: the next statement opens the transaction

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def insert_facts(self, rows: list[tuple[Any, ...]]) -> None:
        unique = {row[:4]: row for row in rows}  # one upsert may not touch a row twice
        self.upsert("facts", FACT_COLUMNS, list(unique.values()))

    def upsert_areas(self, rows: list[tuple[Any, ...]]) -> None:
        self.upsert("areas", AREA_COLUMNS, rows)

    def upsert_occupations(self, rows: list[tuple[Any, ...]]) -> None:
        self.upsert("occupations", OCCUPATION_COLUMNS, rows)

    def upsert_industries(self, rows: list[tuple[Any, ...]]) -> None:
        self.upsert("industries", INDUSTRY_COLUMNS, rows)

    def record_file(self, row: tuple[Any, ...]) -> None:
        self.conn.execute(
            f"INSERT INTO data_files ({', '.join(FILE_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)", *row
        )

    def refresh_coverage(self) -> None:
        self.conn.execute("DELETE FROM coverage")
        self.conn.execute(REFRESH_COVERAGE)
        self.conn.commit()

    def upsert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Insert or replace ``rows`` of ``table`` (one of the four OEWS tables) in one statement."""
        if rows:
            self.conn.execute(self._sql[table], _json(columns, rows))


def _open(url: DatabaseUrl) -> tuple[pyodbc.Connection, Dialect]:
    dialect = detect_dialect(url)
    return connect(url, autocommit=False), dialect


def _has_schema(conn: pyodbc.Connection, dialect: Dialect) -> dict[str, str] | None:
    """The ``meta`` table's values, or None when the database has no OEWS schema."""
    try:
        rows = conn.execute(f"SELECT {_q(dialect, 'key')}, value FROM meta").fetchall()
    except pyodbc.Error:
        conn.rollback()
        return None
    conn.rollback()
    return {str(k): str(v) for k, v in rows}


def check_schema(url: DatabaseUrl, *, setting: str = "OEWS_DATABASE_URL") -> None:
    """Raise ``ConfigurationError`` unless the database holds a complete OEWS schema of this version."""
    conn, dialect = _open(url)
    try:
        meta = _has_schema(conn, dialect)
    finally:
        conn.close()
    if meta is None or meta.get("complete") != "1":
        raise ConfigurationError(
            f"{setting}: {url} has no OEWS data; run `oews-bot data build` with {setting} set",
            setting=setting,
        )
    if meta.get("schema_version") != str(SCHEMA_VERSION):
        raise ConfigurationError(
            f"{setting}: {url} holds OEWS schema version {meta.get('schema_version')}, this oews-bot needs "
            f"{SCHEMA_VERSION}; run `oews-bot data build --force`",
            setting=setting,
        )


def build_server_database(
    url: DatabaseUrl,
    *,
    files: Sequence[Path] | None = None,
    progress: Progress | None = None,
    force: bool = False,
) -> list[LoadReport]:
    """Create the OEWS schema on the server (dropping it first with ``force``) and load ``files``."""
    conn, dialect = _open(url)
    try:
        meta = _has_schema(conn, dialect)
        if meta is not None and meta.get("complete") == "1" and not force:
            return []
        _run_ddl(
            conn,
            dialect,
            drop=force or (meta is not None and meta.get("schema_version") != str(SCHEMA_VERSION)),
        )
        sources = list(files) if files is not None else sqlite_db.shipped_files()
        reports = sqlite_db.load_into(OdbcWriter(conn, dialect), sources, progress=progress)
        _set_meta(conn, dialect, "complete", "1")
        conn.execute("ANALYZE" if dialect == "postgresql" else "EXEC sp_updatestats")
        conn.commit()
        return reports
    except pyodbc.Error as e:
        conn.rollback()
        raise _write_error(e, url) from None
    finally:
        conn.close()


def load_server_files(
    url: DatabaseUrl, files: Sequence[Path], *, progress: Progress | None = None, year: int | None = None
) -> list[LoadReport]:
    """Load BLS files into the server database; each file is all or nothing."""
    check_schema(url)
    conn, dialect = _open(url)
    try:
        return sqlite_db.load_into(OdbcWriter(conn, dialect), files, progress=progress, year=year)
    except pyodbc.Error as e:
        conn.rollback()
        raise _write_error(e, url) from None
    finally:
        conn.close()


def server_database_info(url: DatabaseUrl) -> DatabaseInfo:
    check_schema(url)
    conn, dialect = _open(url)
    try:
        return _info(conn, dialect, url)
    finally:
        conn.close()


def _info(conn: pyodbc.Connection, dialect: Dialect, url: DatabaseUrl) -> DatabaseInfo:
    def rows(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in conn.execute(sql).fetchall()]

    years_by_kind: dict[str, list[int]] = {}
    for kind, year in rows("SELECT kind, year FROM coverage WHERE cross_industry = 1 ORDER BY year"):
        years_by_kind.setdefault(str(kind), []).append(int(year))
    files = [
        dict(zip(FILE_COLUMNS, r, strict=True))
        for r in rows(f"SELECT {', '.join(FILE_COLUMNS)} FROM data_files ORDER BY loaded_at")
    ]
    count = {t: int(rows(f"SELECT count(*) FROM {t}")[0][0]) for t in ("facts", "occupations", "industries")}
    info = DatabaseInfo(
        backend=dialect,
        location=str(url),
        files=tuple(files),
        years=tuple(int(r[0]) for r in rows("SELECT DISTINCT year FROM facts ORDER BY year")),
        areas_by_kind={str(k): int(n) for k, n in rows("SELECT kind, count(*) FROM areas GROUP BY kind")},
        years_by_kind={k: tuple(v) for k, v in years_by_kind.items()},
        fact_rows=count["facts"],
        occupations=count["occupations"],
        industries=count["industries"],
    )
    conn.rollback()
    return info


def _run_ddl(conn: pyodbc.Connection, dialect: Dialect, *, drop: bool) -> None:
    if drop:
        for table in _TABLES:
            conn.execute(
                f"DROP TABLE IF EXISTS {table}"
                if dialect == "postgresql"
                else f"IF OBJECT_ID(N'{table}', N'U') IS NOT NULL DROP TABLE {table}"
            )
    for statement in ddl_statements(dialect):
        conn.execute(statement)
    _set_meta(conn, dialect, "schema_version", str(SCHEMA_VERSION))
    _set_meta(conn, dialect, "built_at", sqlite_db.now())
    conn.commit()


def _set_meta(conn: pyodbc.Connection, dialect: Dialect, key: str, value: str) -> None:
    k = _q(dialect, "key")
    conn.execute(f"DELETE FROM meta WHERE {k} = ?", key)
    conn.execute(f"INSERT INTO meta ({k}, value) VALUES (?, ?)", key, value)


def _write_error(e: pyodbc.Error, url: DatabaseUrl) -> DataError:
    state, message = str(e.args[0]) if e.args else "", describe(e)
    if state == "42501" or "permission denied" in message.lower():
        return DataError(
            f"the role in OEWS_DATABASE_URL ({url}) may not write the OEWS tables: {message}; "
            "build with a role that owns them (see README, Run on PostgreSQL)"
        )
    if state.startswith("08"):
        return DatabaseUnavailable(f"lost the OEWS database {url} while writing: {message}")
    return DataError(f"writing to {url} failed: {message}")
