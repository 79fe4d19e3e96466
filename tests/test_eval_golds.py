"""The project's evaluation questions: golds come from the shipped BLS files, by a script anyone reruns."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.shipped import EVAL_QUESTIONS

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "eval_golds.py"


@pytest.fixture(scope="module")
def golds() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_golds", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["eval_golds"] = module
    spec.loader.exec_module(module)
    return module


def test_the_question_file_is_what_the_script_computes(golds: ModuleType) -> None:
    assert golds.build() == EVAL_QUESTIONS.read_text(encoding="utf-8")


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
