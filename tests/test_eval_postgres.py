"""The evaluation scores identically from PostgreSQL and from SQLite.

The PostgreSQL database is a copy of the session's SQLite build (the product's schema, made by
``build_server_database``, filled with the same rows by ``COPY``), and questions of
eval/questions.jsonl are answered from both by a service: the same outcome per question and the
same answer text, on a sample (``parity_sample``: every category and every SQL statement that the
engine's pass over the whole file ran).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.oews.server import build_server_database, server_database_info
from agents.sql.dburl import parse_database_url
from bot.app import build_service
from bot.config import Settings
from tests import postgres as pg
from tests.conftest import EvalPass, answer_the_evaluation
from tests.offline import Stages

COPIED_TABLES = ("areas", "occupations", "industries", "facts", "data_files", "coverage")


@pytest.fixture(scope="session")  # the module's tests may not run one after the other
def pg_copy(postgres: pg.PostgresServer, oews_db: Path) -> str:
    """A database ``oews_eval`` on the session's server, a copy of the build (``postgres`` skips or
    fails)."""
    url = postgres.create_database("oews_eval")
    build_server_database(parse_database_url(url), files=[])
    postgres.copy_rows("oews_eval", oews_db, COPIED_TABLES)
    postgres.run_sql("oews_eval", "ANALYZE")
    return url


def test_the_copy_holds_the_same_data(pg_copy: str, oews_db: Path) -> None:
    from agents.oews.database import database_info

    lite, server = database_info(oews_db), server_database_info(parse_database_url(pg_copy))
    assert (server.backend, lite.backend) == ("postgresql", "sqlite")
    assert server.fact_rows == lite.fact_rows and server.years == lite.years
    assert server.areas_by_kind == lite.areas_by_kind and server.years_by_kind == lite.years_by_kind
    assert "x@" not in server.location and "***" in server.location


@pytest.mark.slow(seconds=15)
def test_eval_questions_are_answered_the_same_from_postgresql(
    pg_copy: str, sqlite_evaluation: EvalPass, evaluation_stages: list[Stages], tmp_path: Path
) -> None:
    service = build_service(Settings(oews_home=tmp_path / "b", oews_database_url=pg_copy))  # type: ignore[arg-type]
    lite = sqlite_evaluation
    server = answer_the_evaluation(service, list(lite.texts))
    ran = {s for q in lite.texts for s in lite.sql[q]}
    assert ran == {r.sql for stage in evaluation_stages for r in stage.answer.sql} and len(ran) >= 50
    assert server.outcomes == lite.outcomes
    different = [q for q in server.texts if lite.texts[q] != server.texts[q]]
    assert different == []
