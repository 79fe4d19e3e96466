"""The whole evaluation scores identically from PostgreSQL and from SQLite.

The PostgreSQL database is a copy of the session's SQLite build (the same rows, sent in bulk by
``copy_sqlite_database``), and every question of eval/questions.jsonl is answered from both: the
same outcome per question and the same answer text. The SQLite answers are the session's one pass
over the evaluation (``sqlite_evaluation``, shared with the CLI's score test).

The copy takes a while, so the server's data directory is kept beside the cached SQLite build
(keyed by it and by the PostgreSQL version) and later runs start a server on a copy of it.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.oews.server import copy_sqlite_database, server_database_info
from agents.sql.dburl import parse_database_url
from bot.app import build_service
from bot.config import Settings
from tests import postgres as pg
from tests.cache import cache_dir
from tests.conftest import EvalPass, answer_the_evaluation, cached_database


@pytest.fixture(scope="module")
def pg_copy(postgres: pg.PostgresServer, oews_db: Path) -> Iterator[str]:
    """A server whose database ``oews_eval`` is a copy of the build (``postgres`` skips or fails)."""
    version = pg.server_version()
    saved = cache_dir() / f"pg{version}-{cached_database().stem}"
    with (cache_dir() / "pg.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not saved.exists():
            server = pg.PostgresServer.start()
            try:
                copy_sqlite_database(oews_db, parse_database_url(server.create_database("oews_eval")))
                server.save(saved)
            finally:
                server.stop()
    server = pg.PostgresServer.start_copy(saved)
    yield server.url("oews_eval")
    server.stop()


def test_the_copy_holds_the_same_data(pg_copy: str, oews_db: Path) -> None:
    from agents.oews.database import database_info

    lite, server = database_info(oews_db), server_database_info(parse_database_url(pg_copy))
    assert (server.backend, lite.backend) == ("postgresql", "sqlite")
    assert server.fact_rows == lite.fact_rows and server.years == lite.years
    assert server.areas_by_kind == lite.areas_by_kind and server.years_by_kind == lite.years_by_kind
    assert "x@" not in server.location and "***" in server.location


@pytest.mark.slow(seconds=30)
def test_every_eval_question_is_answered_the_same_from_postgresql(
    pg_copy: str, sqlite_evaluation: EvalPass, tmp_path: Path
) -> None:
    service = build_service(Settings(oews_home=tmp_path / "b", oews_database_url=pg_copy))  # type: ignore[arg-type]
    lite, server = sqlite_evaluation, answer_the_evaluation(service)
    assert len(lite.report.outcomes) == len(server.report.outcomes) >= 70
    assert [o.passed for o in server.report.outcomes] == [o.passed for o in lite.report.outcomes]
    assert server.report.score == lite.report.score
    different = [q for q in lite.texts if lite.texts[q] != server.texts[q]]
    assert different == []
