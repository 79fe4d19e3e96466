"""Database URLs -> ODBC connection strings; passwords never shown."""

from __future__ import annotations

import pytest

from agents.errors import ConfigurationError
from agents.sql.dburl import mask_secrets, parse_database_url


def test_postgresql_url_becomes_a_psqlodbc_connection_string() -> None:
    url = parse_database_url("postgresql://oews:s3cret@db.example.org:6543/oews?sslmode=require")
    assert url.dialect == "postgresql"
    assert url.odbc_connection_string() == (
        "DRIVER=PostgreSQL Unicode;SERVER=db.example.org;PORT=6543;DATABASE=oews;"
        "UID=oews;PWD=s3cret;sslmode=require"
    )
    assert "s3cret" not in str(url) and "s3cret" not in repr(url)
    assert str(url) == "postgresql://oews:***@db.example.org:6543/oews?sslmode=require"


def test_default_port_and_percent_encoded_password_with_odbc_syntax() -> None:
    url = parse_database_url("postgres://me:p%40ss%3Bw%7Drd@localhost/oews")
    assert url.odbc_connection_string() == (
        "DRIVER=PostgreSQL Unicode;SERVER=localhost;PORT=5432;DATABASE=oews;UID=me;PWD={p@ss;w}}rd}"
    )
    assert "p%40ss" not in str(url)


def test_mssql_url_uses_microsofts_driver_and_host_comma_port() -> None:
    url = parse_database_url(
        "mssql://bot:pw@myserver.database.windows.net:1433/oews?driver=ODBC+Driver+18+for+SQL+Server"
        "&Encrypt=yes"
    )
    assert url.dialect == "mssql"
    assert url.odbc_connection_string() == (
        "DRIVER=ODBC Driver 18 for SQL Server;SERVER=tcp:myserver.database.windows.net,1433;"
        "DATABASE=oews;UID=bot;PWD=pw;Encrypt=yes"
    )


def test_mssql_through_freetds_names_host_and_port_apart() -> None:
    url = parse_database_url("sqlserver://bot:pw@sql1:14330/oews?driver=FreeTDS&TDS_Version=7.4")
    assert url.odbc_connection_string() == (
        "DRIVER=FreeTDS;SERVER=sql1;PORT=14330;DATABASE=oews;UID=bot;PWD=pw;TDS_Version=7.4"
    )


def test_extra_attributes_are_appended() -> None:
    url = parse_database_url("postgresql://u:pw@h:1/d")
    assert url.odbc_connection_string(UseDeclareFetch=1, Fetch=1001).endswith(";UseDeclareFetch=1;Fetch=1001")


@pytest.mark.parametrize(
    ("text", "dialect"),
    [
        ("odbc:DRIVER={PostgreSQL Unicode};SERVER=h;PORT=5;DATABASE=d;UID=u;PWD={se;cret}", "postgresql"),
        ("odbc:Driver={ODBC Driver 18 for SQL Server};Server=tcp:h,1433;Uid=u;Pwd=secret", "mssql"),
        ("odbc:DSN=oews;PWD=secret", None),
    ],
)
def test_odbc_strings_are_used_as_given_and_masked(text: str, dialect: str | None) -> None:
    url = parse_database_url(text)
    assert url.dialect == dialect
    assert url.odbc_connection_string() == text[5:]
    assert "secret" not in str(url) and "cret" not in repr(url)
    assert "***" in str(url)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("mysql://u:hunter2@h/d", "unsupported database URL"),
        ("sqlite:///tmp/x.db", "unsupported database URL"),
        ("postgresql://u:hunter2@/d", "needs a host and a database"),
        ("postgresql://u:hunter2@h:99999999/d", "invalid port"),
        ("postgresql://u:hunter2@h:5432", "needs a host and a database"),
        ("odbc:hunter2", "ODBC connection string"),
    ],
)
def test_bad_urls_name_the_setting_and_mask_the_password(text: str, problem: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_database_url(text, setting="OEWS_BOT_DATABASE_URL")
    message = str(caught.value)
    assert message.startswith("OEWS_BOT_DATABASE_URL: ") and problem in message
    assert "hunter2" not in message
    assert caught.value.setting == "OEWS_BOT_DATABASE_URL"


def test_mask_secrets_in_free_text() -> None:
    text = (
        "could not connect: DRIVER={PostgreSQL Unicode};UID=u;PWD={a;b};Fetch=1 "
        "and postgresql://u:pa:ss@h/d, password = topsecret"
    )
    masked = mask_secrets(text)
    assert "a;b" not in masked and "pa:ss" not in masked and "topsecret" not in masked
    assert "PWD=***;Fetch=1" in masked and "postgresql://u:***@h/d" in masked


def test_settings_read_oews_database_url_and_never_show_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.config import Settings

    assert Settings().database_url is None
    monkeypatch.setenv("OEWS_DATABASE_URL", "postgresql://oews:hunter2@db:5432/oews")
    settings = Settings()
    assert settings.database_url is not None and settings.database_url.dialect == "postgresql"
    assert "hunter2" not in repr(settings) and "hunter2" not in str(settings.database_url)
    monkeypatch.setenv("OEWS_DATABASE_URL", "mysql://oews:hunter2@db/oews")
    with pytest.raises(ConfigurationError, match="OEWS_DATABASE_URL") as caught:
        _ = Settings().database_url
    assert "hunter2" not in str(caught.value)


def test_traces_and_logs_scrub_database_passwords() -> None:
    from agents.trace import scrub

    text = "connect failed: postgresql://oews:hunter2@db/oews and DRIVER={X};UID=u;PWD={hunter;2};PORT=1"
    scrubbed = scrub(text) or ""
    assert "hunter" not in scrubbed and "postgresql://oews:***@db/oews" in scrubbed
