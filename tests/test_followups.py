"""Suggested follow-ups: short next questions under an answer, each one the data can answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.cli import cli
from agents.engine.engine import OewsEngine
from bot.app import build_service
from bot.config import Settings
from bot.service import BotService
from bot.types import Question


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, oews_db: Path, engine: OewsEngine) -> BotService:
    settings = Settings(oews_home=tmp_path_factory.mktemp("home"), oews_database=oews_db)
    return build_service(settings, engine=engine)


def ask(service: BotService, text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    answer = service.answer(Question(text=text, platform="cli", workspace="local"), render_chart=False)
    return answer.status, tuple((o.label, o.question) for o in answer.followups)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("median pay for electricians in texas", ("Largest metros of Texas", "Nationally")),
        ("what do registered nurses make in Seattle?", ("All of Washington", "Nationally")),
        ("how has cashier employment changed since 2021", ("Salary range", "Top-paying states")),
        ("top 5 highest paying jobs in texas", ("Most jobs", "Nationally")),
    ],
)
def test_an_answer_suggests_two_or_three_next_questions_that_are_answered(
    service: BotService, question: str, expected: tuple[str, ...]
) -> None:
    status, followups = ask(service, question)
    assert status == "answer" and 2 <= len(followups) <= 3
    labels = [label for label, _ in followups]
    assert all(label in labels for label in expected), labels
    for _, next_question in followups:
        assert next_question != question
        assert ask(service, next_question)[0] == "answer", next_question


def test_the_largest_metros_of_the_state_are_a_real_ranking(service: BotService) -> None:
    _, followups = ask(service, "median pay for electricians in texas")
    metros = dict(followups)["Largest metros of Texas"]
    answer = service.answer(Question(text=metros, platform="cli", workspace="local"), render_chart=False)
    assert "Houston" in answer.text and "Dallas" in answer.text and "Electricians" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "accountants vs financial managers, median salary nationally",
        "what's the weather in Paris?",
        "Portland",
    ],
)
def test_no_suggestions_where_the_next_question_is_not_obvious(service: BotService, question: str) -> None:
    assert ask(service, question)[1] == ()


def test_an_answer_asked_without_suggestions_is_the_same_answer_without_them(service: BotService) -> None:
    """As ``oews-bot eval`` asks: the answer is scored, nothing is offered under it."""
    question = Question(text="median pay for electricians in texas", platform="cli", workspace="local")
    full = service.answer(question, render_chart=False)
    bare = service.answer(question, render_chart=False, suggest=False)
    assert full.followups and full.reshapes and (bare.followups, bare.reshapes) == ((), ())
    assert bare.text.split(" (trace ")[0] == full.text.split(" (trace ")[0] and bare.tables == full.tables


def test_the_cli_prints_them_as_commands(tmp_path: Path, oews_db: Path) -> None:
    env = {"OEWS_HOME": str(tmp_path), "OEWS_DATABASE": str(oews_db)}
    human = CliRunner().invoke(cli, ["ask", "--no-chart", "median pay for electricians in texas"], env=env)
    assert 'Next:\n  oews-bot ask "Electricians in the largest metros of Texas"' in human.stdout
    machine = CliRunner().invoke(cli, ["ask", "--json", "median pay for electricians in texas"], env=env)
    assert "median pay for Electricians nationally" in json.loads(machine.stdout)["followups"]
