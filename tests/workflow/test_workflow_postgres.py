"""The model path on a server database: the workflow, the fake OpenAI server and PostgreSQL.

The text-to-SQL model is told it writes for PostgreSQL, its SQL runs through the ODBC gateway,
and what it may not do is refused there just as on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from agents.engine.engine import OewsEngine
from agents.oews.database import shipped_files
from agents.oews.server import build_server_database
from agents.sql.dburl import parse_database_url
from agents.workflow.graph import Workflow
from bot.app import open_server_engine
from bot.config import Settings
from tests import postgres as pg
from tests.workflow.conftest import LOOKUP_SQL, ask, model_config, plan, run_sql, write
from tests.workflow.fake_llm import FakeLLM

FakeFactory = Callable[..., FakeLLM]
RANKING_SQL = (
    "SELECT o.title AS name, o.occ_code AS code, f.year, f.a_median, f.a_median_flag "
    "FROM facts f JOIN occupations o ON o.occ_code = f.occ_code "
    "WHERE f.year = ? AND f.naics = ? AND f.area_code = ? AND o.o_group = 'detailed' "
    "AND f.a_median IS NOT NULL ORDER BY f.a_median DESC LIMIT 3"
)


@pytest.fixture(scope="module")
def pg_engine(postgres: pg.PostgresServer) -> Iterator[OewsEngine]:
    url = postgres.create_database("oews_workflow")
    national = [f for f in shipped_files() if f.name.startswith("national_M2025")]
    build_server_database(parse_database_url(url), files=national)
    engine = open_server_engine(parse_database_url(url), Settings(oews_sql_timeout_ms=2000))
    yield engine
    engine.gateway.close()


def test_the_model_writes_postgresql_and_its_rows_answer_the_question(
    pg_engine: OewsEngine, fake: FakeFactory
) -> None:
    median = pg_engine.gateway.execute(
        "SELECT a_median FROM facts WHERE year = 2025 AND area_code = '99' AND naics = '000000' "
        "AND occ_code = '29-1141'"
    ).rows[0][0]
    server = fake(
        planner=[
            plan(("text_to_sql", "median annual wage of registered nurses in the U.S."), ("synthesizer", ""))
        ],
        text_to_sql=[run_sql(LOOKUP_SQL, 2025, "000000", "99", "29-1141")],
        synthesizer=[
            write(f"In May 2025 the median annual wage of Registered Nurses (29-1141) was ${median:,}.")
        ],
    )
    answer, _ = ask(Workflow(pg_engine, config=model_config(server, fast_path=False)), "RN median pay, US")
    assert answer.kind == "answer" and f"${median:,}" in answer.text
    assert [r.row_count for r in answer.sql] == [1]
    sql_prompt = next(r for r in server.requests if r.role == "text_to_sql").messages[0]["content"]
    assert "PostgreSQL" in sql_prompt and "SQLite" not in sql_prompt


def test_postgresql_row_limits_run_and_dangerous_sql_goes_back_to_the_model(
    pg_engine: OewsEngine, fake: FakeFactory
) -> None:
    server = fake(
        planner=[plan(("text_to_sql", "best paid occupations in the U.S."), ("synthesizer", ""))],
        text_to_sql=[
            run_sql("SELECT pg_sleep(10), current_setting('data_directory') FROM facts"),
            run_sql(RANKING_SQL, 2025, "000000", "99"),
        ],
        synthesizer=[write("The best paid occupations are listed below.")],
    )
    answer, _ = ask(Workflow(pg_engine, config=model_config(server, fast_path=False)), "top paid jobs, US")
    assert answer.kind == "answer"
    assert [r.row_count for r in answer.sql] == [3]
    replies = [
        m for r in server.requests if r.role == "text_to_sql" for m in r.messages if m["role"] == "tool"
    ]
    assert any("not allowed" in str(m["content"]) for m in replies)  # the refusal went back to the model
    assert "data_directory" not in answer.text
