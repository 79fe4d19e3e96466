"""Questions in the words people use: abbreviations, initialisms of titles, typos in ordinary
words.  The answer must be about the occupation meant, say how the words were read, and show the
published figure (read here from the shipped BLS files)."""

from __future__ import annotations

import pytest

from agents.engine.engine import OewsEngine
from tests.offline import ask_offline
from tests.shipped import shipped_rows


def state_cell(area: str, code: str, column: str) -> str:
    rows = shipped_rows("state_M2025_dl")
    return next(r[column] for r in rows if r["AREA"] == area and r["OCC_CODE"] == code)


def national_cell(code: str, column: str) -> str:
    rows = shipped_rows("national_M2025_dl")
    return next(r[column] for r in rows if r["OCC_CODE"] == code and r["NAICS"] == "000000")


@pytest.mark.parametrize(
    ("question", "area", "code", "title"),
    [
        ("median annual pay for OTs in ohio", "39", "29-1122", "Occupational Therapists"),
        ("what do HR mgrs make in colorado? median salary", "08", "11-3121", "Human Resources Managers"),
        ("median salary of construction mgrs in nevada", "32", "11-9021", "Construction Managers"),
        ("food prep workers median annual wage in florida", "12", "35-2021", "Food Preparation Workers"),
    ],
)
def test_abbreviations_answer_the_occupation_meant(
    engine: OewsEngine, question: str, area: str, code: str, title: str
) -> None:
    answer = ask_offline(engine, question)
    assert f"{title} ({code})" in answer.text
    assert f"${int(state_cell(area, code, 'A_MEDIAN')):,}" in answer.text
    assert any(c.startswith("Read “") and code in c for c in answer.caveats)


def test_a_misspelled_ordinary_word_still_asks_the_same_question(engine: OewsEngine) -> None:
    answer = ask_offline(engine, "emplyment of plumbers in utah")
    assert f"{int(state_cell('49', '47-2152', 'TOT_EMP')):,} people were employed" in answer.text
    answer = ask_offline(engine, "waitresses avrage hourly wage")
    mean = national_cell("35-3031", "H_MEAN")
    assert f"mean hourly wage of Waiters and Waitresses (35-3031) in the U.S. was ${mean}" in answer.text
    answer = ask_offline(engine, "what's the medain salery for RTs nationally")
    median = f"${int(national_cell('29-1126', 'A_MEDIAN')):,}"
    assert f"median annual wage of Respiratory Therapists (29-1126) in the U.S. was {median}" in answer.text
