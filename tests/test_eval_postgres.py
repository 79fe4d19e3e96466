"""The whole evaluation scores identically from PostgreSQL and from SQLite.

The PostgreSQL database is a copy of the session's SQLite build (the same rows, sent in bulk),
and every question of eval/questions.jsonl is answered from both: the same outcome per question
and the same answer text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.oews.server import copy_sqlite_database, server_database_info
from agents.sql.dburl import parse_database_url
from bot.app import build_service
from bot.config import Settings
from bot.evaluation import evaluate, load_cases
from bot.types import Question
from tests import postgres as pg

EVAL = Path(__file__).resolve().parents[1] / "eval" / "questions.jsonl"


@pytest.fixture(scope="module")
def pg_copy(postgres: pg.PostgresServer, oews_db: Path) -> str:
    url = postgres.create_database("oews_eval")
    copy_sqlite_database(oews_db, parse_database_url(url))
    return url


def test_the_copy_holds_the_same_data(pg_copy: str, oews_db: Path) -> None:
    from agents.oews.database import database_info

    lite, server = database_info(oews_db), server_database_info(parse_database_url(pg_copy))
    assert (server.backend, lite.backend) == ("postgresql", "sqlite")
    assert server.fact_rows == lite.fact_rows and server.years == lite.years
    assert server.areas_by_kind == lite.areas_by_kind and server.years_by_kind == lite.years_by_kind
    assert "x@" not in server.location and "***" in server.location


def test_every_eval_question_is_answered_the_same_from_postgresql(
    pg_copy: str, oews_db: Path, tmp_path: Path
) -> None:
    services = {
        "sqlite": build_service(Settings(oews_home=tmp_path / "a", oews_database=oews_db)),
        "postgresql": build_service(Settings(oews_home=tmp_path / "b", oews_database_url=pg_copy)),  # type: ignore[arg-type]
    }
    reports, texts = {}, {}
    for name, service in services.items():
        answers: dict[str, str] = {}

        def ask(question: str, service: object = service, answers: dict[str, str] = answers) -> object:
            answer = service.answer(  # type: ignore[attr-defined]
                Question(text=question, platform="cli", workspace="local"), render_chart=False
            )
            answers[question] = answer.text.split(" (trace ")[0]
            return answer

        reports[name] = evaluate(load_cases(EVAL), ask)  # type: ignore[arg-type]
        texts[name] = answers
    lite, server = reports["sqlite"], reports["postgresql"]
    assert len(lite.outcomes) == len(server.outcomes) >= 70
    assert [o.passed for o in server.outcomes] == [o.passed for o in lite.outcomes]
    assert server.score == lite.score
    different = [q for q in texts["sqlite"] if texts["sqlite"][q] != texts["postgresql"][q]]
    assert different == []
