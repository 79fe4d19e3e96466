"""``OdbcGateway``: the ``SqlGateway`` for server databases (PostgreSQL, SQL Server) over pyodbc.

The same walls as the SQLite gateway, built from what each server offers:

1. ``SqlGuard`` for the server's dialect (its dangerous functions and statements: ``pg_sleep``,
   ``set_config``, ``lo_import``, ``COPY``…; ``xp_cmdshell``, ``OPENROWSET``, ``WAITFOR``…) and
   the allowed tables, so catalogs (``information_schema``, ``pg_settings``, ``sys.*``) fail;
2. a read-only session: on PostgreSQL ``default_transaction_read_only`` is set by psqlODBC's
   ``ConnSettings`` when the connection opens (a ``SET`` through pyodbc would be rolled back);
   every statement runs in a transaction that is rolled back afterwards, on every server; and
   the database role should only be able to ``SELECT`` the OEWS tables (README);
3. a time limit the server enforces: PostgreSQL ``statement_timeout`` (also in ``ConnSettings``),
   SQL Server's query timeout (``SQL_ATTR_QUERY_TIMEOUT``, whole seconds);
4. at most ``max_rows + 1`` rows are read, through a server-side cursor on PostgreSQL
   (``UseDeclareFetch``), so a huge result never reaches the client; no value larger than
   ``MAX_VALUE_BYTES`` is returned.

Each thread has its own connection (reused: connecting costs milliseconds). A connection that
breaks is dropped and the next statement opens a new one; errors never show the password.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

import pyodbc

from agents.errors import (
    ConfigurationError,
    DatabaseUnavailable,
    SqlError,
    SqlExecutionError,
    SqlRejected,
    SqlTimeout,
)
from agents.oews.schema import QUERYABLE_TABLES
from agents.sql.dburl import DatabaseUrl, Dialect, dialect_of_driver, mask_secrets
from agents.sql.gateway import DEFAULT_MAX_ROWS, DEFAULT_TIME_LIMIT_MS, QueryResult
from agents.sql.guard import SqlGuard

logger = logging.getLogger(__name__)

MAX_VALUE_BYTES = 4_000_000
CONNECT_TIMEOUT_S = 5
_TIMEOUT_STATES = frozenset({"57014", "HYT00", "HYT01"})
_CONNECTION_STATES = frozenset(
    {"08001", "08003", "08006", "08S01", "08004", "08007", "57P01", "57P02", "57P03"}
)
_LOGIN_STATES = frozenset({"28000", "28P01"})


def _state(e: pyodbc.Error) -> str:
    return str(e.args[0]) if e.args else ""


def describe(e: pyodbc.Error) -> str:
    """The first line of a driver's message, passwords masked."""
    text = str(e.args[1]) if len(e.args) > 1 else str(e)
    lines = [line.strip() for line in text.replace("\\n", "\n").splitlines() if line.strip()]
    return mask_secrets(lines[0] if lines else type(e).__name__)


def connect_error(e: pyodbc.Error, url: DatabaseUrl, *, setting: str = "OEWS_DATABASE_URL") -> Exception:
    """A one-line, password-free error for a failed connection, naming the setting to fix."""
    state, message = _state(e), describe(e)
    lower = message.lower()
    if state in ("IM002", "01000") and ("can't open lib" in lower or "not found" in lower):
        installed = ", ".join(pyodbc.drivers()) or "none"
        return ConfigurationError(
            f"{setting}: the ODBC driver for {url} is not installed (installed drivers: {installed}); "
            "install it (PostgreSQL: odbc-postgresql; SQL Server: msodbcsql18 or tdsodbc) or name "
            "another with ?driver=",
            setting=setting,
        )
    if state in _LOGIN_STATES or "password authentication failed" in lower or "login failed" in lower:
        return ConfigurationError(
            f"{setting}: the server refused the login for {url}: {message}", setting=setting
        )
    unreachable = "unavailable" in lower or "unable to connect" in lower  # FreeTDS: "… or does not exist"
    if ("does not exist" in lower and not unreachable) or "cannot open database" in lower:
        return ConfigurationError(f"{setting}: {message} ({url})", setting=setting)
    return DatabaseUnavailable(f"cannot reach the OEWS database {url} (check {setting}): {message}")


def connect(
    url: DatabaseUrl,
    *,
    setting: str = "OEWS_DATABASE_URL",
    autocommit: bool = False,
    attributes: dict[str, str | int] | None = None,
) -> pyodbc.Connection:
    """Open a pyodbc connection; failures become ``ConfigurationError`` / ``DatabaseUnavailable``."""
    text = url.odbc_connection_string(**(attributes or {}))
    try:
        return pyodbc.connect(text, autocommit=autocommit, timeout=CONNECT_TIMEOUT_S)
    except pyodbc.Error as e:
        raise connect_error(e, url, setting=setting) from None


def detect_dialect(url: DatabaseUrl, *, setting: str = "OEWS_DATABASE_URL") -> Dialect:
    """The URL's dialect, or for a bare ``odbc:`` DSN the one the server names."""
    if url.dialect is not None:
        return url.dialect
    conn = connect(url, setting=setting, autocommit=True)
    try:
        name = str(conn.getinfo(pyodbc.SQL_DBMS_NAME))
    finally:
        conn.close()
    dialect = dialect_of_driver(name)
    if dialect is None:
        raise ConfigurationError(f"{setting}: unsupported database server {name!r} ({url})", setting=setting)
    return dialect


def plain_value(value: Any) -> Any:
    """Values as the SQLite gateway returns them: ``Decimal`` -> int (integral) or float."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)
    return value


class OdbcGateway:
    """Runs one validated, read-only SELECT on a PostgreSQL or SQL Server database."""

    def __init__(
        self,
        *,
        url: DatabaseUrl,
        allowed_tables: Collection[str] = QUERYABLE_TABLES,
        max_rows: int = DEFAULT_MAX_ROWS,
        time_limit_ms: int = DEFAULT_TIME_LIMIT_MS,
        setting: str = "OEWS_DATABASE_URL",
    ) -> None:
        if max_rows < 1 or time_limit_ms < 1:
            raise ValueError("max_rows and time_limit_ms must be positive")
        self.url = url
        self.setting = setting
        self.dialect: str = detect_dialect(url, setting=setting)
        self.allowed_tables = frozenset(t.lower() for t in allowed_tables)
        self.guard = SqlGuard(allowed_tables=self.allowed_tables, dialect=self.dialect)
        self.max_rows = max_rows
        self.time_limit_ms = time_limit_ms
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[pyodbc.Connection] = []
        self._connection()  # fail now, not on the first question

    def execute(self, sql: str, params: Sequence[Any] = (), *, max_rows: int | None = None) -> QueryResult:
        """Validate and run ``sql``; ``QueryResult.sql`` is the comment-free text that ran."""
        cap = self._cap(max_rows)
        bound = tuple(params)
        checked = self.guard.admit(sql, bound)
        started = time.perf_counter()
        columns, rows = self._run(checked.statement, bound, cap + 1, sql=sql)
        self._check_sizes(rows, sql=sql, params=bound)
        return QueryResult.capped(checked.statement, bound, columns, rows, cap=cap, started=started)

    def ping(self) -> bool:
        """Whether the database answers now (for health checks)."""
        try:
            self._run("SELECT 1", (), 1, sql="SELECT 1")
        except (SqlError, DatabaseUnavailable):
            return False
        return True

    def close(self) -> None:
        """Close every connection this gateway opened; a later ``execute`` opens new ones."""
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            with contextlib.suppress(pyodbc.Error):
                conn.close()
        self._local = threading.local()

    def __enter__(self) -> OdbcGateway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- running --------------------------------------------------------------------------

    def _run(
        self, statement: str, params: tuple[Any, ...], fetch: int, *, sql: str
    ) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        conn = self._connection()
        try:
            cursor = conn.cursor()
            try:
                cursor.execute(statement, params)
                columns = tuple(d[0] for d in cursor.description or ())
                rows = [tuple(plain_value(v) for v in row) for row in cursor.fetchmany(fetch)]
            finally:
                cursor.close()
            conn.rollback()  # nothing a statement did outlives it
        except pyodbc.Error as e:
            raise self._error(e, conn, sql=sql, params=params) from None
        return columns, rows

    def _error(
        self, e: pyodbc.Error, conn: pyodbc.Connection, *, sql: str, params: tuple[Any, ...]
    ) -> Exception:
        state = _state(e)
        if state in _CONNECTION_STATES or not self._alive(conn):
            self._drop(conn)
            logger.warning("OEWS database connection lost: %s", describe(e))
            return DatabaseUnavailable(f"the OEWS database {self.url} went away (check {self.setting})")
        if state in _TIMEOUT_STATES:
            return SqlTimeout(sql=sql, params=params, limit_ms=self.time_limit_ms)
        if state in ("25006", "42501"):  # read-only transaction, permission denied
            return SqlRejected(f"refused by the database: {describe(e)}", sql=sql, params=params)
        return SqlExecutionError(describe(e), sql=sql, params=params)

    def _alive(self, conn: pyodbc.Connection) -> bool:
        try:
            conn.rollback()
            cursor = conn.execute("SELECT 1")
            cursor.fetchall()
            conn.rollback()
        except pyodbc.Error:
            return False
        return True

    def _check_sizes(self, rows: list[tuple[Any, ...]], *, sql: str, params: tuple[Any, ...]) -> None:
        for row in rows:
            for value in row:
                if isinstance(value, str | bytes) and len(value) > MAX_VALUE_BYTES:
                    raise SqlRejected(
                        f"a value of {len(value):,} characters is larger than allowed", sql=sql, params=params
                    )

    def _cap(self, max_rows: int | None) -> int:
        if max_rows is None:
            return self.max_rows
        if max_rows < 0:
            raise ValueError(f"max_rows must not be negative, got {max_rows}")
        return min(max_rows, self.max_rows)

    # -- connections ----------------------------------------------------------------------

    def _connection(self) -> pyodbc.Connection:
        conn: pyodbc.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _drop(self, conn: pyodbc.Connection) -> None:
        self._local.conn = None
        with self._lock:
            if conn in self._connections:
                self._connections.remove(conn)
        with contextlib.suppress(pyodbc.Error):
            conn.close()

    def _connect(self) -> pyodbc.Connection:
        conn = connect(self.url, setting=self.setting, attributes=self._session_attributes())
        if self.dialect == "mssql":  # the driver cancels a statement after this many seconds
            conn.timeout = math.ceil(self.time_limit_ms / 1000)
        return conn

    def _session_attributes(self) -> dict[str, str | int]:
        if self.dialect != "postgresql":
            return {}
        settings = (  # jit off: compiling a huge plan takes a second that statement_timeout cannot stop
            f"SET default_transaction_read_only=on;SET statement_timeout={self.time_limit_ms};SET jit=off"
        )
        return {
            "ConnSettings": settings.replace("=", "%3D").replace(";", "%3B"),
            "UseDeclareFetch": 1,
            "Fetch": min(self.max_rows + 1, 1001),
        }
