"""The whole evaluation scores identically from PostgreSQL and from SQLite.

The PostgreSQL database is a copy of the session's SQLite build (the product's schema, made by
``build_server_database``, filled with the same rows by ``COPY``), and questions of
eval/questions.jsonl are answered from both: the same outcome per question and the same answer
text. The SQLite answers are the session's one pass over the evaluation (``sqlite_evaluation``,
shared with the CLI's score test); PostgreSQL answers a stratified sample of it (``parity_sample``).
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


def parity_sample(lite: EvalPass) -> set[str]:
    """The questions PostgreSQL answers: the first of every category and the first to run each
    distinct SQL statement (the SQLite pass's statements, parameters aside), in file order.

    What can differ between the two databases is the SQL: its dialect (placeholders, casts,
    functions, ordering of ties, numeric types coming back as ``Decimal``) and the rows it reads.
    Another question with the same statement and other parameters runs the same dialect code over
    the same copied rows; answering all ~1,000 again from PostgreSQL cost ~20 s of CPU a run for no
    further statement. Deterministic: the same sample every run, new shapes join as the engine grows."""
    chosen: set[str] = set()
    seen: set[object] = set()
    for outcome in lite.report.outcomes:
        question = outcome.case.question
        keys = {("category", outcome.case.category), *lite.sql[question]}
        if not keys <= seen:
            chosen.add(question)
            seen |= keys
    return chosen


@pytest.mark.slow(seconds=30)
def test_eval_questions_are_answered_the_same_from_postgresql(
    pg_copy: str, sqlite_evaluation: EvalPass, tmp_path: Path
) -> None:
    service = build_service(Settings(oews_home=tmp_path / "b", oews_database_url=pg_copy))  # type: ignore[arg-type]
    lite, sample = sqlite_evaluation, parity_sample(sqlite_evaluation)
    server = answer_the_evaluation(service, sample)
    statements = {s for q in lite.texts for s in lite.sql[q]}
    assert {s for q in sample for s in lite.sql[q]} == statements and len(statements) >= 50
    assert {o.case.category for o in server.report.outcomes} == lite.report.by_category().keys()
    assert [o.case.question for o in server.report.outcomes] == [
        o.case.question for o in lite.report.outcomes if o.case.question in sample
    ]
    passed = {o.case.question: o.passed for o in lite.report.outcomes}
    assert [o.passed for o in server.report.outcomes] == [
        passed[o.case.question] for o in server.report.outcomes
    ]
    different = [q for q in server.texts if lite.texts[q] != server.texts[q]]
    assert different == []
