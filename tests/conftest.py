"""Shared fixtures: a clean environment and one real OEWS database per test session.

The database is built from the shipped BLS files once and cached under
``~/.cache/oews-bot-tests/`` (or ``$OEWS_TEST_CACHE``) keyed by the shipped files and the schema
version, so repeated local runs skip the ~20 s build. CI builds it fresh. The build holds a file
lock, so parallel test workers (pytest-xdist) and parallel test runs build it once and share it;
under xdist the controller starts the build in the background while the workers start, collect
and run the tests that do not use it, so no worker sits idle waiting for it.

Scheduling (``pytest -n 2``): tests marked ``slow`` are handed out first, longest first, so the
two workers finish together instead of one starting a long test at the end (during a build, after
the tests that do not use the database).

``postgres`` is a throwaway PostgreSQL server on loopback (see ``tests/postgres.py``), one per
test session and worker; it skips locally when PostgreSQL is not installed, and fails on CI.

Bytecode: with ``PYTHONDONTWRITEBYTECODE`` set (as here and on many CI images) every process of
a run (the controller, each xdist worker, each ``serve``/``worker`` process a test starts)
would compile the project's modules again and pytest would rewrite every test module again:
about 5 s of CPU per process. A test run writes bytecode as Python does by default (into the
ignored ``__pycache__`` folders, which ``.ci/run``'s copy and git leave out), and so do the
processes it starts.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.dont_write_bytecode = False  # before the project's modules are imported (see above)
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # the workers and processes started from here

import pytest  # noqa: E402

from agents.engine.engine import OewsEngine  # noqa: E402
from agents.oews.database import DATABASE_NAME, build_database, shipped_files  # noqa: E402
from agents.oews.schema import DDL, SCHEMA_VERSION  # noqa: E402
from bot.evaluation import Report  # noqa: E402
from tests import postgres as pg  # noqa: E402
from tests.cache import cache_dir  # noqa: E402
from tests.offline import Stages  # noqa: E402

_SCRUBBED_PREFIXES = ("OEWS_", "OPENAI_", "SLACK_", "TEAMS_", "MICROSOFTAPP", "TO_BOT_")


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No setting leaks into a test from the developer's environment."""
    for key in list(os.environ):
        if key.upper().startswith(_SCRUBBED_PREFIXES):
            monkeypatch.delenv(key)
    monkeypatch.setenv("MPLCONFIGDIR", str(matplotlib_dir()))
    monkeypatch.chdir(tmp_path)  # no stray .env file is read


def matplotlib_dir() -> Path:
    """matplotlib's folder for the processes tests start: its font cache is built once (~0.4 s a
    process otherwise), and nothing else is written there."""
    folder = cache_dir() / "matplotlib"
    folder.mkdir(exist_ok=True)
    return folder


def _cache_key() -> str:
    h = hashlib.sha256(f"{SCHEMA_VERSION}:{DDL}".encode())
    for f in shipped_files():
        h.update(f.name.encode())
        h.update(str(f.stat().st_size).encode())
    return h.hexdigest()[:16]


def cached_database() -> Path:
    """The cached build of the shipped data, built first if it is not there yet."""
    cached = cache_dir() / f"oews-{_cache_key()}.sqlite"
    with (cache_dir() / "build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not cached.exists():
            build_database(cached)  # atomic: written aside, then renamed
    return cached


_background_build: subprocess.Popen[bytes] | None = None


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under xdist, the controller builds a missing database while the workers start up."""
    global _background_build
    xdist_controller = getattr(session.config.option, "numprocesses", None) and not hasattr(
        session.config, "workerinput"
    )
    if xdist_controller and not (cache_dir() / f"oews-{_cache_key()}.sqlite").exists():
        root = Path(__file__).resolve().parents[1]
        code = "from tests.conftest import cached_database; cached_database()"
        _background_build = subprocess.Popen([sys.executable, "-c", code], cwd=root)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _background_build is not None:
        if exitstatus == pytest.ExitCode.INTERRUPTED:
            _background_build.terminate()  # the build is written aside: nothing half-built is kept
        _background_build.wait()


# Tests that read one shared pass over the evaluation questions (a session fixture) run on one
# xdist worker, so the pass is made once per run; so do the tests that read the metro file (~2 s to
# parse; these are the only ones), those that read the industry file (~2 s), the chart tests
# (each sample is rendered once per process) and the process tests sharing one host's processes.
# Node id prefixes (the controller sees ids, not marks; xdist's own ``--dist loadgroup`` does not
# group under pytest 9).
SAME_WORKER = {
    "tests/test_cli.py::test_eval_scores_the_projects_questions": "eval",
    "tests/test_eval_postgres.py::": "eval",  # and its copy of the database: made once
    "tests/workflow/test_workflow_offline.py::test_every_shape_of_eval_answer": "eval",
    "tests/workflow/test_workflow_checks.py::test_every_deterministic_eval_answer": "eval",
    "tests/test_engine.py::test_hourly_median_by_principal_city_and_state": "metro-rows",
    "tests/test_engine_shapes.py::test_a_city_of_several_states_is_the_one_in_a_state": "metro-rows",
    "tests/test_engine_shapes.py::test_back_in_a_year_not_published_for_a_place": "metro-rows",
    "tests/test_engine_shapes.py::test_a_state_a_metro_reaches_into_is_a_place": "metro-rows",
    "tests/test_engine_shapes.py::test_a_shift_is_named_as_not_measured": "metro-rows",
    "tests/test_engine_shapes.py::test_two_industries_are_compared_side_by_side": "industry-rows",
    "tests/test_engine_shapes.py::test_an_industry_without_an_estimate_is_named": "industry-rows",
    "tests/test_engine_shapes.py::test_an_industry_is_read_from_the_words_of_its_title": "industry-rows",
    "tests/test_engine_shapes.py::test_industries_named_by_shortened_titles": "industry-rows",
    "tests/test_chart.py::": "charts",
    "tests/test_queue_processes.py::test_kill_9_of_a_worker_mid_teams_job": "one-host",
    "tests/test_queue_processes.py::test_kill_9_of_a_worker_posting_a_command": "one-host",
}


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # an xdist hook: fine without xdist
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist load`` (the default with ``-n``), but the ``SAME_WORKER`` groups go to one worker.

    Tests are handed out in collection order (slowest first) as workers free up: each worker
    holds the test it runs and the next one (an xdist worker runs a test once it knows the next)."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedPassScheduling(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return next((g for prefix, g in SAME_WORKER.items() if nodeid.startswith(prefix)), nodeid)

        def _reschedule(self, node: Any) -> None:
            if node.shutting_down:
                return
            if not self.workqueue:
                node.shutdown()
            elif self._pending_of(self.assigned_work[node]) <= 1:
                self._assign_work_unit(node)

    config.option.loadscopereorder = False  # keep the slowest-first order
    return SharedPassScheduling(config, log)


@pytest.hookimpl(optionalhook=True)  # an xdist hook: fine without xdist
def pytest_configure_node(node: Any) -> None:
    """Every worker learns whether the controller is building the database (they must all collect the
    same order, so none of them looks for itself)."""
    node.workerinput["oews_database_building"] = _background_build is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The slowest tests first (``slow(seconds=...)``, a rough guess), the rest in file order.

    While the controller builds the database (a cold cache, ~20 s), the tests that do not use it go
    first: the workers run them instead of waiting for the build. A stable sort, so every worker
    collects the same order."""
    building = getattr(config, "workerinput", {}).get("oews_database_building", False)

    def order(item: pytest.Item) -> tuple[bool, float]:
        slow = item.get_closest_marker("slow")
        seconds = float(slow.kwargs.get("seconds", 5)) if slow else 0.0
        return building and "oews_db" in item.fixturenames, -seconds

    items.sort(key=order)


@pytest.fixture(scope="session")
def oews_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A complete OEWS database built from the shipped data (read-only use, please)."""
    home = tmp_path_factory.mktemp("oews-home")
    shutil.copy(cached_database(), home / DATABASE_NAME)
    yield home / DATABASE_NAME


@pytest.fixture(scope="session")
def oews_home(oews_db: Path) -> Path:
    """An OEWS_HOME whose database is already built."""
    return oews_db.parent


@pytest.fixture(scope="session")
def engine(oews_db: Path) -> Iterator[OewsEngine]:
    """One offline engine per test process (opening one loads the vocabularies and indexes, ~0.5 s):
    services over the session's database share it (``build_service(settings, engine=engine)``), as
    the threads of one serving process do; tests that load data into a private copy open their own."""
    engine = OewsEngine.open(oews_db, time_limit_ms=2000)
    yield engine
    engine.gateway.close()


@pytest.fixture(scope="session")
def postgres() -> Iterator[pg.PostgresServer]:
    """A PostgreSQL server on loopback for this test session, reached through pyodbc."""
    why = pg.missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL tests must run on CI, but {why}")
        pytest.skip(why)
    server = pg.PostgresServer.start()
    yield server
    server.stop()


@pytest.fixture
def home(tmp_path: Path, oews_db: Path) -> Path:
    """An ``OEWS_HOME`` with a private copy of the built database, for tests that load into it."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(oews_db, home / DATABASE_NAME)
    return home


@pytest.fixture(scope="session")
def evaluation_stages(engine: OewsEngine) -> list[Stages]:
    """Every evaluation question through the engine's stages, once per run (tests using it share a
    worker: ``SAME_WORKER``)."""
    from tests.offline import stages
    from tests.shipped import EVAL_QUESTIONS

    lines = EVAL_QUESTIONS.read_text(encoding="utf-8").splitlines()
    return [stages(engine, json.loads(line)["question"]) for line in lines if line.strip()]


@pytest.fixture(scope="session")
def evaluation_report(evaluation_stages: list[Stages]) -> Report:
    """The project's evaluation scored on the engine's answers (the graph's offline answer is the
    engine's: ``test_every_shape_of_eval_answer_is_the_engines_answer``)."""
    from bot.evaluation import evaluate, load_cases
    from bot.types import Answer
    from tests.shipped import EVAL_QUESTIONS

    answers = {stage.question: stage.answer for stage in evaluation_stages}

    def ask(question: str) -> Answer:
        answer = answers[question]
        return Answer(**answer.parts(), status=answer.kind, trace_id="")  # type: ignore[arg-type]

    return evaluate(load_cases(EVAL_QUESTIONS), ask)


@dataclass(frozen=True)
class EvalPass:
    """Evaluation questions answered by a service: each answer's text and the SQL it ran."""

    texts: dict[str, str]  # question -> answer text, without its trace id
    outcomes: dict[str, bool]  # question -> passed
    sql: dict[str, tuple[str, ...]]  # question -> the statements its answer ran (from its trace)


def parity_sample(evaluation_stages: list[Stages], report: Report) -> list[str]:
    """The questions a service answers from both databases: the first of every category and the
    first to run each distinct SQL statement (parameters aside), in file order.

    What can differ between the two databases is the SQL: its dialect (placeholders, casts,
    functions, ordering of ties, numeric types coming back as ``Decimal``) and the rows it reads.
    Another question with the same statement and other parameters runs the same dialect code over
    the same copied rows. Deterministic: the same sample every run, new shapes join as the engine
    grows."""
    statements = {stage.question: {r.sql for r in stage.answer.sql} for stage in evaluation_stages}
    chosen: list[str] = []
    seen: set[object] = set()
    for outcome in report.outcomes:
        question = outcome.case.question
        keys = {("category", outcome.case.category), *statements[question]}
        if not keys <= seen:
            chosen.append(question)
            seen |= keys
    return chosen


def answer_the_evaluation(service: Any, questions: list[str]) -> EvalPass:
    """Ask the service each question as ``oews-bot eval`` does (no chart, no follow-ups or
    reshapes: the answer is what is scored)."""
    from bot.evaluation import load_cases, score
    from bot.types import Question
    from tests.shipped import EVAL_QUESTIONS

    expected = {c.question: c.expect for c in load_cases(EVAL_QUESTIONS)}
    texts: dict[str, str] = {}
    outcomes: dict[str, bool] = {}
    sql: dict[str, tuple[str, ...]] = {}
    for text in questions:
        answer = service.answer(
            Question(text=text, platform="cli", workspace="local", channel="cli"),
            render_chart=False,
            suggest=False,
        )
        texts[text] = answer.text.split(" (trace ")[0]
        outcomes[text] = score(expected[text], answer)[0]
        trace = service.store.get_trace(answer.trace_id)
        sql[text] = tuple(s.sql for s in trace.steps if s.sql) if trace else ()
    return EvalPass(texts, outcomes, sql)


@pytest.fixture(scope="session")
def sqlite_evaluation(
    oews_db: Path,
    engine: OewsEngine,
    evaluation_stages: list[Stages],
    evaluation_report: Report,
    tmp_path_factory: pytest.TempPathFactory,
) -> EvalPass:
    """The parity sample answered by a service from the SQLite build (``SAME_WORKER``)."""
    from bot.app import build_service
    from bot.config import Settings

    home = tmp_path_factory.mktemp("eval-home")
    service = build_service(Settings(oews_home=home, oews_database=oews_db), engine=engine)
    return answer_the_evaluation(service, parity_sample(evaluation_stages, evaluation_report))
