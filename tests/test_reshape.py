"""Reshape options: the same question for another place, year or measure, each one answerable."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.engine.engine import OewsEngine
from bot.app import build_service
from bot.config import Settings
from bot.service import BotService
from bot.types import Answer, Question


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, oews_db: Path, engine: OewsEngine) -> BotService:
    settings = Settings(oews_home=tmp_path_factory.mktemp("home"), oews_database=oews_db)
    return build_service(settings, engine=engine)


def ask(service: BotService, text: str) -> Answer:
    return service.answer(Question(text=text, platform="cli", workspace="local"), render_chart=False)


def options(answer: Answer, kind: str) -> dict[str, str]:
    return {r.label: r.question for r in answer.reshapes if r.kind == kind}


def test_a_metro_answer_offers_its_state_and_nearby_metros_and_other_measures(service: BotService) -> None:
    answer = ask(service, "what do registered nurses make in Seattle?")
    places, measures = options(answer, "place"), options(answer, "measure")
    assert next(iter(places)) == "Washington" and "Spokane-Spokane Valley, WA" in places
    assert len(places) <= 5 and not options(answer, "year")  # metro data: one year only
    assert {"90th percentile annual wage", "employment", "median hourly wage"} <= set(measures)
    state = ask(service, places["Washington"])
    assert state.status == "answer" and "in Washington" in state.text and "Registered Nurses" in state.text
    top = ask(service, measures["90th percentile annual wage"])
    assert "90th percentile" in top.text and "Seattle-Tacoma-Bellevue, WA" in top.text


def test_a_national_answer_offers_every_other_year_and_the_largest_states(service: BotService) -> None:
    answer = ask(service, "registered nurses median pay nationally")
    assert list(options(answer, "year")) == ["2024", "2023", "2022", "2021", "2020", "2019"]
    assert list(options(answer, "place"))[:2] == ["California", "Texas"]
    earlier = ask(service, options(answer, "year")["2021"])
    assert earlier.status == "answer" and "May 2021" in earlier.text


def test_places_without_data_for_that_year_are_not_offered(service: BotService) -> None:
    answer = ask(service, "90th percentile pay for software developers in 2021")
    assert not options(answer, "place")  # states and metros are loaded for May 2025 only
    assert "2025" in options(answer, "year")


@pytest.mark.parametrize(
    "question", ["top 5 highest paying jobs in texas", "do RNs make more in california or texas?", "Portland"]
)
def test_rankings_comparisons_and_clarifications_have_no_reshape_menu(
    service: BotService, question: str
) -> None:
    assert ask(service, question).reshapes == ()


def test_a_lookup_can_be_asked_again_as_a_chart_or_as_a_table(service: BotService) -> None:
    answer = ask(service, "what do registered nurses make in Seattle?")
    views = options(answer, "view")
    assert list(views) == ["As a chart", "As a table (wage range)"]
    chart = service.answer(Question(text=views["As a chart"], platform="cli", workspace="local"))
    assert chart.status == "answer" and chart.chart_png is not None
    assert "Seattle-Tacoma-Bellevue, WA" in (chart.chart_title or "") + chart.text
    table = ask(service, views["As a table (wage range)"])
    assert table.status == "answer" and len(table.tables[0].rows) == 5
    assert "Seattle-Tacoma-Bellevue, WA" in table.text
