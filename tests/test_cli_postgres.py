"""``oews-bot data …`` and ``ask`` with ``OEWS_DATABASE_URL`` pointing at PostgreSQL, and what a
wrong setting looks like: one line naming the setting, the password masked, exit code 2."""

from __future__ import annotations

import asyncio
import json
import lzma
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from adapters.cli import cli
from agents.oews.database import shipped_files
from tests import postgres as pg


def run(monkeypatch: pytest.MonkeyPatch, url: str, *args: str, home: Path) -> Result:
    monkeypatch.setenv("OEWS_HOME", str(home))
    monkeypatch.setenv("OEWS_DATABASE_URL", url)
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def national(year: int) -> Path:
    return next(f for f in shipped_files() if f.name.startswith(f"national_M{year}"))


def test_data_load_build_and_info_on_postgresql(
    postgres: pg.PostgresServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = postgres.create_database("oews_cli")
    from agents.oews.server import build_server_database
    from agents.sql.dburl import parse_database_url

    build_server_database(parse_database_url(url), files=[national(2025)])
    first = run(monkeypatch, url, "data", "load", str(national(2024)), home=tmp_path)
    assert first.exit_code == 0 and "loaded" in first.output and "2024" in first.output
    again = run(monkeypatch, url, "data", "load", str(national(2024)), home=tmp_path)
    assert again.exit_code == 0 and "already loaded" in again.output
    broken = tmp_path / "national_M2023_dl.csv"
    text = lzma.decompress(national(2023).read_bytes()).decode("utf-8").splitlines()
    broken.write_text("\n".join([*text[:50], text[50].replace(",", ",not-a-number,", 1)]) + "\n")
    failed = run(monkeypatch, url, "data", "load", str(broken), home=tmp_path)
    assert failed.exit_code == 2 and "Nothing from this file was loaded" in failed.output
    info = run(monkeypatch, url, "data", "info", "--json", home=tmp_path)
    data = json.loads(info.output)
    assert data["backend"] == "postgresql" and data["years"] == [2024, 2025]  # nothing of 2023
    assert data["database"] == url.replace(":x@", ":***@")
    built = run(monkeypatch, url, "data", "build", home=tmp_path)
    assert built.exit_code == 0 and "***" in built.output and ":x@" not in built.output
    answer = run(
        monkeypatch, url, "ask", "--no-chart", "median pay of registered nurses nationally", home=tmp_path
    )
    assert answer.exit_code == 0 and "Registered Nurses (29-1141)" in answer.output


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("mysql://oews:hunter2@db/oews", "unsupported database URL"),
        ("postgresql://oews:hunter2@127.0.0.1:1/oews", "cannot reach the OEWS database"),
        ("postgresql://postgres:hunter2@127.0.0.1:{port}/oews?driver=No+Such+Driver", "ODBC driver"),
        (
            "odbc:DRIVER={{No Such Driver}};SERVER=127.0.0.1;PORT={port};DATABASE=oews;"
            "UID=postgres;PWD=hunter2",
            "ODBC driver",
        ),
        ("postgresql://postgres:hunter2@127.0.0.1:{port}/no_such_db", "does not exist"),
        ("postgresql://postgres:hunter2@127.0.0.1:{port}/postgres", "has no OEWS data"),
    ],
)
@pytest.mark.parametrize(
    "command", [("data", "info"), ("ask", "nurses pay"), ("serve", "--port", "0", "--workers", "0")]
)
def test_a_wrong_database_setting_is_one_masked_line_and_exit_code_2(
    postgres: pg.PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    url: str,
    problem: str,
    command: tuple[str, ...],
) -> None:
    result = run(monkeypatch, url.format(port=postgres.port), *command, home=tmp_path)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and problem in lines[0]
    assert "OEWS_DATABASE_URL" in lines[0] and "hunter2" not in result.output


def test_healthz_reports_the_database_down_instead_of_failing(tmp_path: Path) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from adapters.server import build_web_app
    from bot.config import Settings

    class Service:  # the part of BotService /healthz reads
        def health(self) -> dict[str, object]:
            return {"status": "ok"}

    async def status(database_ok: bool) -> tuple[int, object]:
        app = build_web_app(Settings(oews_home=tmp_path), Service(), database_ok=lambda: database_ok)  # type: ignore[arg-type]
        async with TestClient(TestServer(app)) as client:
            response = await client.get("/healthz")
            return response.status, await response.json()

    assert asyncio.run(status(True)) == (200, {"status": "ok"})
    assert asyncio.run(status(False)) == (503, {"status": "degraded", "database": "down"})


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("mssql://sa:hunter2@127.0.0.1:1/oews", "ODBC driver"),  # Microsoft's driver is not installed
        ("mssql://sa:hunter2@127.0.0.1:1/oews?driver=FreeTDS&TDS_Version=7.4", "cannot reach"),
    ],
)
def test_sql_server_settings_fail_with_one_masked_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str, problem: str
) -> None:
    """The SQL Server path up to the network, through the real driver manager (and FreeTDS)."""
    import pyodbc

    if "FreeTDS" in url and "FreeTDS" not in pyodbc.drivers():
        pytest.skip("FreeTDS is not installed (apt-get install tdsodbc)")
    result = run(monkeypatch, url, "data", "info", home=tmp_path)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and problem in lines[0] and "OEWS_DATABASE_URL" in lines[0]
    assert "sa:***@" in lines[0] and "hunter2" not in result.output


@pytest.fixture(scope="module")
def locked_postgres() -> Iterator[pg.PostgresServer]:
    """A server that checks passwords (the session's ``postgres`` trusts every login)."""
    why = pg.missing()
    if why:
        pytest.skip(why)
    server = pg.PostgresServer.start(password="s3cret-pw")
    yield server
    server.stop()


@pytest.mark.parametrize(
    "command",
    [("data", "info"), ("ask", "nurses pay"), ("data", "build"), ("serve", "--port", "0", "--workers", "0")],
)
def test_a_wrong_password_is_one_masked_line_and_exit_code_2(
    locked_postgres: pg.PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    command: tuple[str, ...],
) -> None:
    url = f"postgresql://postgres:hunter2@127.0.0.1:{locked_postgres.port}/postgres"
    result = run(monkeypatch, url, *command, home=tmp_path)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: OEWS_DATABASE_URL: ")
    assert "refused the login" in lines[0] and "password authentication failed" in lines[0]
    assert "postgres:***@" in lines[0] and "hunter2" not in result.output and "s3cret" not in result.output


@pytest.mark.slow(seconds=3)
def test_healthz_says_when_the_real_database_goes_down(tmp_path: Path) -> None:
    """/healthz over a real gateway: 200 while PostgreSQL answers, 503 once it is stopped,
    and the server keeps answering health checks."""
    from aiohttp.test_utils import TestClient, TestServer

    from adapters.server import build_web_app
    from agents.sql.dburl import parse_database_url
    from agents.sql.gateway import database_ok
    from agents.sql.odbc import OdbcGateway
    from bot.config import Settings

    if pg.missing():
        pytest.skip(str(pg.missing()))
    server = pg.PostgresServer.start(password="s3cret-pw")
    try:
        url = server.create_database("oews_health")
        import pyodbc

        with pyodbc.connect(server.odbc("oews_health"), autocommit=True) as admin:
            admin.execute("CREATE TABLE coverage (kind TEXT, cross_industry INTEGER, year INTEGER)")
        gateway = OdbcGateway(url=parse_database_url(url), time_limit_ms=2000)

        class Service:  # the part of BotService /healthz reads
            def health(self) -> dict[str, object]:
                return {"status": "ok"}

        async def probe(stop_between: bool) -> list[tuple[int, object]]:
            app = build_web_app(
                Settings(oews_home=tmp_path), Service(), database_ok=lambda: database_ok(gateway)
            )  # type: ignore[arg-type]
            async with TestClient(TestServer(app)) as client:
                replies = []
                for stop in (False, stop_between, False):
                    if stop:
                        await asyncio.to_thread(server.stop_only)
                    response = await client.get("/healthz")
                    replies.append((response.status, await response.json()))
                return replies

        up, down, still_down = asyncio.run(probe(stop_between=True))
        assert up == (200, {"status": "ok"})
        assert down == still_down == (503, {"status": "degraded", "database": "down"})
        gateway.close()
    finally:
        server.stop()


@pytest.mark.slow(seconds=3)
def test_the_bot_says_the_data_is_unavailable_while_the_server_is_down_then_recovers(tmp_path: Path) -> None:
    """The server stops under a running bot: answers say so (no crash, no secret), and the bot
    answers again from a new connection once the server is back."""
    from agents.oews.server import build_server_database
    from agents.sql.dburl import parse_database_url
    from bot.app import build_service
    from bot.config import Settings
    from bot.types import Question

    if pg.missing():
        pytest.skip(str(pg.missing()))
    server = pg.PostgresServer.start(password="s3cret-pw")
    try:
        url = server.create_database("oews_down")
        build_server_database(parse_database_url(url), files=[national(2025)])
        service = build_service(Settings(oews_home=tmp_path, oews_database_url=url))  # type: ignore[arg-type]

        def ask(text: str) -> str:
            question = Question(text=text, platform="cli", workspace="local")
            return service.answer(question, render_chart=False).text

        assert "Registered Nurses (29-1141)" in ask("median pay of registered nurses nationally")
        server.stop_only()
        for text in ("median pay of electricians nationally", "median pay of plumbers nationally"):
            down = ask(text)
            assert down.startswith("The OEWS database is not available right now. (trace ")
            assert "s3cret" not in down and "OEWS_DATABASE_URL" not in down
        server.start_again()
        assert "Electricians (47-2111)" in ask("median pay of electricians nationally")
    finally:
        server.stop()
