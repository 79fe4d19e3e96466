"""Database URLs -> pyodbc connection strings, with the password kept out of every text.

Accepted forms (the value of ``OEWS_DATABASE_URL`` or any other database setting):

- ``postgresql://user:password@host:port/db`` (also ``postgres://``): psqlODBC, driver
  ``PostgreSQL Unicode`` unless ``?driver=`` names another;
- ``mssql://user:password@host:port/db?driver=ODBC+Driver+18+for+SQL+Server`` (also
  ``sqlserver://``; SQL Server and Azure SQL): Microsoft's ODBC driver by default, FreeTDS when
  ``driver=FreeTDS``;
- ``odbc:<any ODBC connection string>``: used as given; the dialect is read from ``DRIVER=``
  (or, for a DSN, from the server once connected).

Other query parameters become ODBC attributes (``?sslmode=require``, ``?Encrypt=yes``).
User names and passwords may be percent-encoded. ``DatabaseUrl`` never shows the password: its
``str``/``repr``, ``masked`` and every error show ``***`` instead; only
``odbc_connection_string()`` holds it, for ``pyodbc.connect``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from agents.errors import ConfigurationError

Dialect = Literal["postgresql", "mssql"]

POSTGRES_DRIVER = "PostgreSQL Unicode"
MSSQL_DRIVER = "ODBC Driver 18 for SQL Server"
_SCHEMES: dict[str, Dialect] = {
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "mssql": "mssql",
    "sqlserver": "mssql",
}
_DEFAULT_PORTS: dict[Dialect, int] = {"postgresql": 5432, "mssql": 1433}
_SECRET_KEYS = ("pwd", "password")
_ODBC_SECRET = re.compile(r"(?i)\b(pwd|password)\s*=\s*(\{(?:[^}]|\}\})*\}|[^;]*)")
_URL_SECRET = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/@\s]*:)([^@\s]*)@")


def mask_secrets(text: str) -> str:
    """``text`` with every password of a URL (``//user:***@``) or ODBC string (``PWD=***``) masked."""
    text = _ODBC_SECRET.sub(lambda m: f"{m.group(1)}=***", text)
    return _URL_SECRET.sub(lambda m: f"{m.group(1)}***@", text)


@dataclass(frozen=True)
class DatabaseUrl:
    """A parsed server database URL. Printing it never shows the password."""

    dialect: Dialect | None  # None: an ``odbc:`` string whose driver does not say
    masked: str
    _connection_string: str = field(repr=False, compare=False)

    def odbc_connection_string(self, **extra: str | int) -> str:
        """The ODBC connection string (with the password) plus ``extra`` attributes."""
        parts = [self._connection_string.rstrip(";")]
        parts += [f"{key}={_odbc_value(str(value))}" for key, value in extra.items()]
        return ";".join(parts)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"DatabaseUrl({self.masked!r})"


def parse_database_url(url: str, *, setting: str = "OEWS_DATABASE_URL") -> DatabaseUrl:
    """Parse ``url``; a ``ConfigurationError`` names ``setting`` and never the password."""
    text = url.strip()
    if text.lower().startswith("odbc:"):
        return _parse_odbc(text[5:], setting)
    scheme = text.split("://", 1)[0].lower() if "://" in text else ""
    dialect = _SCHEMES.get(scheme)
    if dialect is None:
        shown = mask_secrets(text)[:60]
        raise ConfigurationError(
            f"{setting}: unsupported database URL {shown!r}; use postgresql://user:password@host:port/db, "
            "mssql://user:password@host:port/db?driver=..., or odbc:<ODBC connection string>",
            setting=setting,
        )
    return _parse_server(text, dialect, setting)


def _parse_server(text: str, dialect: Dialect, setting: str) -> DatabaseUrl:
    parts = urlsplit(text)
    masked = mask_secrets(text)
    try:
        port = parts.port or _DEFAULT_PORTS[dialect]
    except ValueError:
        raise ConfigurationError(f"{setting}: invalid port in {masked!r}", setting=setting) from None
    database = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not database:
        raise ConfigurationError(
            f"{setting}: {masked!r} needs a host and a database name (…://user:password@host:port/db)",
            setting=setting,
        )
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    driver = options.pop("driver", None) or (POSTGRES_DRIVER if dialect == "postgresql" else MSSQL_DRIVER)
    attributes = {"DRIVER": driver, **_server_attributes(dialect, driver, parts.hostname, port)}
    attributes["DATABASE"] = database
    if parts.username:
        attributes["UID"] = unquote(parts.username)
    if parts.password is not None:
        attributes["PWD"] = unquote(parts.password)
    attributes.update(options)
    connection = ";".join(f"{key}={_odbc_value(value)}" for key, value in attributes.items())
    return DatabaseUrl(dialect=dialect, masked=masked, _connection_string=connection)


def _server_attributes(dialect: Dialect, driver: str, host: str, port: int) -> dict[str, str]:
    if dialect == "postgresql" or "freetds" in driver.lower():
        return {"SERVER": host, "PORT": str(port)}
    return {"SERVER": f"tcp:{host},{port}"}  # Microsoft's driver: host and port in one attribute


def _parse_odbc(connection: str, setting: str) -> DatabaseUrl:
    connection = connection.strip()
    if "=" not in connection:
        raise ConfigurationError(
            f"{setting}: 'odbc:' must be followed by an ODBC connection string (DRIVER=…;SERVER=…)",
            setting=setting,
        )
    return DatabaseUrl(
        dialect=dialect_of_driver(_attribute(connection, "driver") or ""),
        masked="odbc:" + mask_secrets(connection),
        _connection_string=connection,
    )


def dialect_of_driver(name: str) -> Dialect | None:
    """The dialect an ODBC driver or DBMS name stands for (None when it says neither)."""
    lower = name.lower()
    if "postgres" in lower or "psql" in lower:
        return "postgresql"
    if "sql server" in lower or "freetds" in lower or "tds" in lower or "azure sql" in lower:
        return "mssql"
    return None


def _attribute(connection: str, key: str) -> str | None:
    for item in connection.split(";"):
        name, _, value = item.partition("=")
        if name.strip().lower() == key:
            return value.strip().strip("{}")
    return None


def _odbc_value(value: str) -> str:
    """An attribute value, in braces when it holds characters ODBC would read as syntax."""
    if any(c in value for c in ";{}=") or value != value.strip():
        return "{" + value.replace("}", "}}") + "}"
    return value
