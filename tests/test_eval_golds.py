"""The project's evaluation questions: golds come from the shipped BLS files, by a script anyone reruns."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

from agents.engine.engine import OewsEngine
from tests.offline import ask_offline
from tests.shipped import EVAL_QUESTIONS, script


@pytest.fixture(scope="module")
def golds() -> ModuleType:
    return script("eval_golds")


def test_the_question_file_is_what_the_script_computes(golds: ModuleType) -> None:
    """By its stamp: computed from today's question file, script and shipped files, and not edited
    since (``scripts/check`` computes every gold again: ``eval_golds.py --check``)."""
    text = EVAL_QUESTIONS.read_text(encoding="utf-8")
    recorded = EVAL_QUESTIONS.with_suffix(".stamp").read_text(encoding="utf-8")
    assert golds.stamp(golds.QUESTIONS, text) == recorded, "run python scripts/eval_golds.py"


def test_a_stamp_changes_with_the_questions_and_with_the_output(golds: ModuleType, tmp_path: Path) -> None:
    questions = tmp_path / "q.toml"
    questions.write_text('[[case]]\nid = "x"\ncategory = "c"\nquestion = "q"\nrefuse = true\n')
    text = golds.build(questions)
    first = golds.stamp(questions, text)
    assert golds.stamp(questions, text + " ") != first
    questions.write_text(questions.read_text().replace('"q"', '"q2"'))
    assert golds.stamp(questions, text).splitlines()[0] != first.splitlines()[0]


def test_every_category_has_questions_and_every_gold_says_where_it_came_from() -> None:
    cases = [json.loads(line) for line in EVAL_QUESTIONS.read_text(encoding="utf-8").splitlines()]
    categories = {c["category"] for c in cases}
    assert {"point_lookup", "ranking", "trend", "suppressed_topcoded", "out_of_scope"} <= categories
    for case in cases:
        if not case["expect"].get("refuse"):
            assert case["notes"], case["id"]


def test_a_recipe_naming_an_unpublished_cell_is_refused(golds: ModuleType, tmp_path: Path) -> None:
    bad = tmp_path / "q.toml"
    bad.write_text(
        '[[case]]\nid = "x"\ncategory = "c"\nquestion = "q"\n'
        'numbers = ["state AREA=06 OCC_CODE=27-1022 A_MEDIAN"]\n'  # '*' in the May 2025 state file
    )
    with pytest.raises(golds.RecipeError, match="not a published number"):
        golds.build(bad)


def test_a_ranking_reads_the_published_order(golds: ModuleType) -> None:
    names, note = golds.ranking(
        {
            "source": "state",
            "where": "OCC_CODE=29-1141 AREA_TYPE=2",
            "by": "TOT_EMP",
            "show": "AREA_TITLE",
            "n": 1,
        }
    )
    assert names == ["California"] and "TOT_EMP" in note


def test_a_threshold_count_splits_the_published_rows(golds: ModuleType) -> None:
    where = {"source": "state", "where": "AREA=08 O_GROUP=detailed", "by": "A_MEDIAN"}
    above, note = golds.count({**where, "above": 120_000.5})
    below, _ = golds.count({**where, "below": 120_000.5})
    rows = golds.select("state", ["AREA=08", "O_GROUP=detailed"])
    unpublished = [r for r in rows if r["A_MEDIAN"] in {"*", "**"}]
    assert above + below + len(unpublished) == len(rows) and above > 0 and below > 0
    assert "top-coded counted as above" in note
    with pytest.raises(golds.RecipeError, match="top-code"):
        golds.count({**where, "above": 250_000})


def test_a_change_is_the_difference_of_two_published_values(golds: ModuleType) -> None:
    later, earlier = "national:2025 OCC_CODE=15-1252 TOT_EMP", "national:2021 OCC_CODE=15-1252 TOT_EMP"
    assert golds.value(f"{later} - {earlier}") == golds.published(later) - golds.published(earlier)


def test_a_growth_ranking_matches_the_products(golds: ModuleType, engine: OewsEngine) -> None:
    names, _ = golds.ranking(
        {"source": "national:2025", "where": "O_GROUP=detailed", "by": "TOT_EMP", "minus": "national:2021",
         "change": "percent", "at_least": ["TOT_EMP", 10_000], "n": 5}
    )  # fmt: skip
    answer = ask_offline(engine, "which jobs grew fastest since 2021? top 5")
    assert [row[1] for row in answer.tables[0].rows] == names


@pytest.mark.parametrize(
    ("expected", "text", "shown"),
    [
        (-228_610, "fell from 3,318,020 to 3,089,410 (-228,610, -6.9%)", True),
        (-228_610, "fell by 228,610 jobs", True),
        (-228_610, "−228,610", True),
        (228_610, "-228,610", False),
        (46.52, "$46.52 an hour", True),
        (25.897, "25.9 per 1,000", True),
        (58_570, "$58,570", True),
        (58_570, "$58.6K", False),
    ],
)
def test_the_scorer_reads_numbers_as_people_write_them(expected: float, text: str, shown: bool) -> None:
    from bot.evaluation import is_shown

    assert is_shown(expected, text) is shown
