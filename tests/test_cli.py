"""The ``oews-bot`` command as a user runs it: real data, exit codes, output.

Most tests invoke the command in-process with click's runner (same code, same exit codes, no
interpreter start-up); the ones about what only a real process shows (the installed entry point,
standard input, output streams) run ``python -m adapters.cli``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.cli import cli
from bot.evaluation import Report
from tests.shipped import EVAL_QUESTIONS


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def run(*args: str, home: Path, db: Path, stdin: str | None = None) -> Result:
    """The command in this process, as click runs it for a user."""
    result = CliRunner().invoke(
        cli, list(args), input=stdin, env={"OEWS_HOME": str(home), "OEWS_DATABASE": str(db)}
    )
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, result.stdout, result.stderr)


def run_process(
    *args: str, home: Path, db: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The command as a separate process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OEWS_", "OPENAI_", "SLACK_"))}
    env.update(OEWS_HOME=str(home), OEWS_DATABASE=str(db))
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.mark.slow(seconds=5)
def test_ask_prints_answer_chart_and_trace(home: Path, oews_db: Path) -> None:
    result = run_process("ask", "what do registered nurses make in Seattle?", home=home, db=oews_db)
    assert result.returncode == 0, result.stderr
    assert "$128,260" in result.stdout and "Registered Nurses (29-1141)" in result.stdout
    trace_id = result.stdout.split("Trace: ")[1].split()[0]
    shown = run("trace", trace_id, home=home, db=oews_db)
    assert shown.returncode == 0 and "SELECT" in shown.stdout and "29-1141" in shown.stdout


def test_ask_json_has_the_documented_fields_and_saves_the_chart(home: Path, oews_db: Path) -> None:
    result = run("ask", "--json", "top 5 highest-paying jobs in Texas", home=home, db=oews_db)
    answer = json.loads(result.stdout)
    assert {"text", "tables", "caveats", "clarification", "sql", "chart", "trace_id", "error"} <= set(answer)
    assert answer["tables"][0]["columns"] and len(answer["tables"][0]["rows"]) == 5
    assert answer["sql"][0]["params"] and answer["error"] is None
    png = Path(answer["chart"])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow(seconds=5)
def test_ask_json_stdin_answers_each_line_in_order(home: Path, oews_db: Path) -> None:
    lines = "median pay for electricians in texas\n\npharmacist pay in washington\nwhats the weather\n"
    result = run_process("ask", "--json", "-", home=home, db=oews_db, stdin=lines)
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["status"] for a in answers] == ["answer", "clarification", "refusal"]
    assert "$58,570" in answers[0]["text"]
    assert "Washington-Arlington-Alexandria, DC-VA-MD-WV" in answers[1]["clarification"]["options"]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("ask", "median pay for wizards in Atlantis"), 1),
        (("ask", "what is the weather in denver"), 1),
        (("ask", "how did nurse pay change from 2012 to 2016"), 1),
        (("ask", ""), 2),
        (("ask", "Portland electricians"), 0),
    ],
)
def test_exit_codes_scripts_can_rely_on(home: Path, oews_db: Path, args: tuple[str, ...], code: int) -> None:
    result = run(*args, home=home, db=oews_db)
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_data_load_of_an_unrelated_file_is_a_clear_error(home: Path, oews_db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "state_M2024_dl.csv"
    bad.write_text("name,age\nbob,3\n")
    result = run("data", "load", str(bad), home=home, db=oews_db)
    assert result.returncode == 2
    assert "state_M2024_dl.csv" in result.stderr and "Nothing from this file was loaded" in result.stderr
    assert "Traceback" not in result.stderr


def test_data_info_lists_what_is_loaded(home: Path, oews_db: Path) -> None:
    info = json.loads(run("data", "info", "--json", home=home, db=oews_db).stdout)
    assert info["years"] == list(range(2019, 2026)) and info["areas"]["metro"] == 393
    assert any(f["name"] == "MSA_M2025_dl.csv" for f in info["files"])


def test_usage_reports_cli_questions(home: Path, oews_db: Path) -> None:
    run("ask", "median pay for electricians in texas", home=home, db=oews_db)
    report = json.loads(run("usage", "--json", home=home, db=oews_db).stdout)
    assert report[0]["platform"] == "cli" and report[0]["answers"] == 1


def test_eval_scores_the_projects_questions(evaluation_report: Report) -> None:
    """Every question of the project's file, scored on the session's one pass through the engine
    (``oews-bot eval`` itself: below, and the service's answers: ``test_eval_postgres``)."""
    assert len(evaluation_report.outcomes) == len(EVAL_QUESTIONS.read_text(encoding="utf-8").splitlines())
    assert evaluation_report.score >= 0.95
    assert evaluation_report.by_category()["ranking"] == (6, 6)


def test_eval_prints_the_scores_by_category_the_total_and_each_failure(
    home: Path, oews_db: Path, tmp_path: Path
) -> None:
    cases = [json.loads(line) for line in EVAL_QUESTIONS.read_text(encoding="utf-8").splitlines()]
    rankings = [c for c in cases if c["category"] == "ranking"][:2]
    wrong = {**cases[0], "id": "wrong-gold", "expect": {"numbers": [1.5]}}  # no answer shows $1.50
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps(c) + "\n" for c in [cases[0], *rankings, wrong]))
    quiet = run("eval", str(questions), "--quiet", home=home, db=oews_db)
    assert quiet.stdout.splitlines() == [
        "point_lookup           1/2",
        "ranking                2/2",
        "TOTAL                  3/4 (75.0%)",
    ]
    result = run("eval", str(questions), home=home, db=oews_db)
    assert result.stdout.startswith(quiet.stdout)
    [failure] = result.stdout.splitlines()[3:]
    assert failure.startswith(f"FAIL wrong-gold: {cases[0]['question']!r}: ")


def test_log_lines_carry_the_trace_id_and_never_a_secret() -> None:
    import logging

    from adapters.cli import _LogFormatter

    formatter = _LogFormatter("%(levelname)s [trace=%(trace)s] %(message)s")
    record = logging.LogRecord(
        "bot", logging.ERROR, __file__, 1, "call failed: key sk-live-abcdef123456", None, None
    )
    record.trace_id = "tr-1234"
    line = formatter.format(record)
    assert line == "ERROR [trace=tr-1234] call failed: key [redacted]"
