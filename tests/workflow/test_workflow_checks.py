"""Plan validation and the grounding check, on their own."""

from __future__ import annotations

import pytest

from agents.engine.engine import OewsEngine
from agents.workflow.grounding import dropped_parts, evidence, ungrounded, written_numbers
from agents.workflow.plan import PlanDraft, StepDraft, check_plan
from agents.workflow.synthesizer import question_parts
from tests.offline import Stages


def draft(*steps: tuple[str, str]) -> PlanDraft:
    return PlanDraft(steps=[StepDraft(agent=a, goal=g) for a, g in steps])


def agents_of(*steps: tuple[str, str], research_on: bool = False) -> list[str]:
    checked = check_plan(draft(*steps), source="m", question="q", research_on=research_on)
    assert checked.plan is not None, checked.errors
    return [s.agent for s in checked.plan.steps]


def test_a_good_plan_passes_unchanged() -> None:
    checked = check_plan(
        draft(("text_to_sql", "a"), ("text_to_sql", "b"), ("chart", "c"), ("synthesizer", "d")),
        source="gpt",
        question="q",
        research_on=False,
        first_id=4,
    )
    assert checked.plan is not None and checked.repairs == ()
    assert [s.id for s in checked.plan.steps] == [4, 5, 6, 7]
    assert checked.plan.to_trace().source == "gpt"


def test_repairs_aliases_order_missing_and_duplicate_steps() -> None:
    assert agents_of(("SQL", "a")) == ["text_to_sql", "synthesizer"]
    assert agents_of(("synthesis", "w"), ("chart", "c"), ("query", "a")) == [
        "text_to_sql",
        "chart",
        "synthesizer",
    ]
    assert agents_of(
        ("text_to_sql", "a"), ("chart", "1"), ("chart", "2"), ("writer", "w"), ("answer", "x")
    ) == ["text_to_sql", "chart", "synthesizer"]


def test_web_research_is_dropped_when_off_and_kept_when_on() -> None:
    checked = check_plan(
        draft(("text_to_sql", "a"), ("web_research", "cost of living"), ("synthesizer", "")),
        source="m",
        question="q",
        research_on=False,
    )
    assert checked.plan is not None and "dropped web_research" in checked.repairs[0]
    assert agents_of(("web", "rent in Austin"), ("synthesizer", ""), research_on=True) == [
        "web_research",
        "synthesizer",
    ]


def test_a_chart_with_no_data_before_it_is_dropped() -> None:
    checked = check_plan(
        draft(("chart", "c"), ("web_research", "x"), ("synthesizer", "")),
        source="m",
        question="q",
        research_on=True,
    )
    assert checked.plan is not None and [s.agent for s in checked.plan.steps] == [
        "web_research",
        "synthesizer",
    ]


@pytest.mark.parametrize(
    ("steps", "error"),
    [
        ((("telepathy", "x"),), "unknown agent 'telepathy'"),
        ((("chart", "c"), ("synthesizer", "s")), "no text_to_sql"),
        ((), "no text_to_sql"),
        (tuple(("text_to_sql", str(i)) for i in range(5)), "5 data steps; use at most 4"),
    ],
)
def test_plans_that_cannot_be_repaired_are_reported(steps: tuple[tuple[str, str], ...], error: str) -> None:
    checked = check_plan(draft(*steps), source="m", question="q", research_on=False)
    assert checked.plan is None and error in "; ".join(checked.errors)


def test_empty_goals_become_the_question() -> None:
    checked = check_plan(
        draft(("text_to_sql", " ")), source="m", question="nurses in Ohio", research_on=False
    )
    assert checked.plan is not None and checked.plan.steps[0].goal == "nurses in Ohio"


# -- grounding --------------------------------------------------------------------------------


ROWS = [
    {
        "year": 2025,
        "area": "Ohio",
        "occ_code": "29-1141",
        "occupation": "Registered Nurses",
        "a_median": 86070,
        "a_mean": 89590,
        "h_median": 41.38,
        "tot_emp": 131740,
        "jobs_1000": 25.897,
        "loc_quotient": 1.19,
        "mean_prse": 0.6,
    },
    {
        "year": 2025,
        "area": "Texas",
        "occ_code": "29-1141",
        "occupation": "Registered Nurses",
        "a_median": 95970,
        "a_mean": 99560,
        "h_median": 46.14,
        "tot_emp": 239200,
        "jobs_1000": 17.54,
        "loc_quotient": 0.8,
        "mean_prse": 0.9,
    },
]


@pytest.mark.parametrize(
    "text",
    [
        "In May 2025 the median annual wage of Registered Nurses (29-1141) in Ohio was $86,070.",
        "Texas is higher by $9,900 (+11.5%).",  # difference and percent change
        "Texas pays 1.12 times as much.",  # ratio
        "Ohio: 25.9 jobs per 1,000; about 26 per 1,000.",  # rounding at the precision written
        "Mean $89,590 vs median $86,070: a gap of $3,520.",  # two measures of one row
        "About $86.1K in Ohio and 131.7 thousand nurses.",  # abbreviations
        "The wage is at or above $239,200 (top-coded); 10% earned more; the wage RSE is 0.6%.",
        "Top 2 states: 1. Texas 2. Ohio.",
    ],
)
def test_numbers_from_the_rows_or_their_derivations_pass(text: str) -> None:
    assert ungrounded(text, evidence(ROWS, years=[2019, 2025])) == []


@pytest.mark.parametrize(
    ("text", "invented"),
    [
        ("Nurses in Ohio earn $91,000.", ["$91,000"]),
        ("Ohio pays 7% less than last year.", ["7%"]),
        ("Texas had 250,000 nurses in 2023.", ["250,000", "2023"]),
        ("The hourly median is $41.39.", ["$41.39"]),
        ("Roughly $1.2 million in total.", ["$1.2 million"]),
    ],
)
def test_invented_numbers_are_caught(text: str, invented: list[str]) -> None:
    assert ungrounded(text, evidence(ROWS, years=[2019, 2024, 2025])) == invented


def test_numbers_in_the_question_or_cited_research_are_allowed() -> None:
    ev = evidence(ROWS, texts=["compare with my offer of $92,500", "Austin rent rose 4.2% to $1,650 [1]"])
    assert ungrounded("Your $92,500 offer; rent is $1,650 after a 4.2% rise.", ev) == []


def test_written_numbers_reads_formats() -> None:
    found = [
        (w.value, w.decimals, w.scale, w.percent) for w in written_numbers("$1,234.50, 12%, 3.4M, 7 percent")
    ]
    assert found == [(1234.5, 2, 1.0, False), (12.0, 0, 1.0, True), (3.4, 1, 1e6, False), (7.0, 0, 1.0, True)]


@pytest.mark.slow(seconds=5)
def test_every_deterministic_eval_answer_is_grounded(
    engine: OewsEngine, evaluation_stages: list[Stages]
) -> None:
    """The check has no false alarms on the answers the templates write from real rows."""
    for stage in evaluation_stages:
        if stage.results is None:  # refused or asked back: nothing was run
            continue
        answer, question = stage.answer, stage.question
        written = "\n".join(
            [answer.text, *answer.caveats, *(c for t in answer.tables for r in t.text_rows() for c in r)]
        )
        ev = evidence(stage.results.rows, texts=[question], years=engine.coverage.all_years)
        assert ungrounded(written, ev) == [], question


def test_a_model_answer_must_name_the_years_and_percentiles_asked_for(engine: OewsEngine) -> None:
    parsed = engine.parse("25th percentile pay for welders in 2021 vs 2024")
    parts = question_parts(parsed)
    assert {"May 2021", "May 2024", "the 25th percentile"} <= {name for name, _ in parts}
    silent = "Welders earned $45,000 in 2024."
    assert dropped_parts(silent, parts) == ["May 2021", "the 25th percentile"]
    named = "At the 25th percentile welders earned $40,000 in 2021 and $45,000 in 2024."
    assert dropped_parts(named, parts) == []
