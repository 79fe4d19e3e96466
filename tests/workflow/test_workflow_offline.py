"""With no model configured the workflow is the offline engine: same answers, plus replanning."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from agents.answer import EngineAnswer
from agents.engine import replies
from agents.engine.context import ThreadContext
from agents.engine.engine import OewsEngine
from agents.errors import SqlExecutionError
from agents.followups import suggest_followups
from agents.reshape import reshape_options
from agents.sql.gateway import QueryResult
from agents.trace import Trace
from agents.workflow.config import WorkflowConfig
from agents.workflow.graph import Workflow
from tests.offline import Stages, engine_stages
from tests.workflow.conftest import ask


def _comparable(answer: EngineAnswer) -> dict[str, Any]:
    data = answer.model_dump()
    data["sql"] = [{**record, "elapsed_ms": 0} for record in data["sql"]]
    return data


def one_of_each_shape(evaluation: list[Stages]) -> list[Stages]:
    """The first question of each shape of answer: its kind, chart, number of tables and the SQL
    statements it ran (their text, parameters aside).

    What the graph adds to the engine's answer (the plan, the chart and synthesizer nodes, the
    follow-ups and reshapes) depends on that shape, not on the parameters: another question with
    the same statements runs the same nodes on other rows. About one question in ten; the same
    sample every run, and a new shape joins it as the engine grows. An answer whose statements
    found no rows is left out: there the graph asks one level up (``test_no_rows_…``), the engine's
    stages do not."""
    chosen: dict[object, Stages] = {}
    for stage in evaluation:
        if stage.results is not None and not stage.results.rows:
            continue
        a = stage.answer
        key = (a.kind, a.chart.kind if a.chart else None, len(a.tables), *(r.sql for r in a.sql))
        chosen.setdefault(key, stage)
    return list(chosen.values())


@pytest.mark.slow(seconds=4)
def test_every_shape_of_eval_answer_is_the_engines_answer(
    engine: OewsEngine, evaluation_stages: list[Stages]
) -> None:
    workflow = Workflow(engine)
    sample = one_of_each_shape(evaluation_stages)
    assert len(evaluation_stages) / 20 < len(sample) < len(evaluation_stages) / 2  # shapes grow slower
    for stage in sample:
        question, direct = stage.question, stage.answer
        answer, trace = ask(workflow, question)
        thread = ThreadContext.read(direct.context) or ThreadContext()
        added = (
            {
                "followups": suggest_followups(engine, thread),
                "reshapes": reshape_options(engine, thread),
            }
            if direct.kind == "answer"
            else {}
        )
        assert _comparable(answer) == _comparable(direct.model_copy(update=added)), question
        assert trace.models == {"reasoning": "offline engine", "implementation": "offline engine"}
        assert trace.plan is not None and trace.plan.steps[-1].agent == "synthesizer"
        assert trace.replans == []


def test_the_graph_is_compiled_once(engine: OewsEngine) -> None:
    assert Workflow(engine).graph is Workflow(engine).graph


def test_the_offline_plan_and_trace(engine: OewsEngine) -> None:
    answer, trace = ask(
        Workflow(engine), "electricians hourly median new york state vs florida", render_chart=True
    )
    assert [s.agent for s in trace.plan.steps] == ["text_to_sql", "chart", "synthesizer"]  # type: ignore[union-attr]
    assert [(s.agent, s.kind) for s in trace.steps] == [
        ("planner", "plan"),
        ("text_to_sql", "sql"),
        ("chart", "chart"),
        ("synthesizer", "synthesis"),
    ]
    assert answer.chart is not None and answer.chart_png and answer.chart_png.startswith(b"\x89PNG")
    assert trace.chart == answer.chart


def test_no_rows_in_a_metro_replans_to_its_state(engine: OewsEngine) -> None:
    answer, trace = ask(Workflow(engine), "median pay for funeral attendants in boise")
    assert answer.kind == "answer"
    assert answer.text.startswith(
        "BLS publishes no estimate for Funeral Attendants (39-4021) in Boise City, ID, "
        "so this answer is for Idaho instead."
    )
    assert "$33,280" in answer.text
    assert (
        "These figures are for Idaho, not Boise City, ID: BLS publishes no estimate there." in answer.caveats
    )
    assert [r.reason for r in trace.replans] == [
        "step 1 found no rows for Funeral Attendants in Boise City, ID; trying Idaho"
    ]
    sql_steps = [s for s in trace.steps if s.kind == "sql"]
    assert [s.row_count for s in sql_steps] == [0, 1]
    assert answer.context["areas"] == ["16"]  # a follow-up continues in Idaho


def test_no_rows_in_the_state_either_goes_to_the_nation(engine: OewsEngine) -> None:
    answer, trace = ask(Workflow(engine), "how many event planners in boise")
    assert answer.text.startswith(
        "BLS publishes no estimate for Meeting, Convention, and Event Planners (13-1121) "
        "in Boise City, ID or Idaho, so this answer is for the U.S. instead."
    )
    assert "142,860" in answer.text
    assert len(trace.replans) == 2 and trace.replans[1].reason.endswith("trying the U.S.")
    assert trace.replans[1].plan is not None and trace.replans[1].plan.steps[-1].agent == "synthesizer"


def test_replanning_is_bounded_by_max_replans(engine: OewsEngine) -> None:
    once = Workflow(engine, config=WorkflowConfig(max_replans=1))
    answer, trace = ask(once, "how many event planners in boise")
    assert answer.kind == "not_found" and len(trace.replans) == 1
    assert "BLS publishes no estimate" in answer.text and "Idaho" in answer.text
    never = Workflow(engine, config=WorkflowConfig(max_replans=0))
    answer, trace = ask(never, "median pay for funeral attendants in boise")
    assert answer.kind == "not_found" and trace.replans == []
    assert answer.text == engine_stages(engine, "median pay for funeral attendants in boise").text


def test_a_national_question_with_no_rows_has_nothing_broader(engine: OewsEngine) -> None:
    """A ranking of states has no broader place: the empty result is answered as it is."""
    trace = Trace()
    answer = Workflow(engine).run(
        "which states have the most funeral attendants in 2019", trace=trace, render_chart=False
    )
    assert answer.kind in ("answer", "not_found")
    assert trace.replans == []


@pytest.mark.parametrize("question", ["", "   ", "?"])
def test_empty_questions_get_help(engine: OewsEngine, question: str) -> None:
    answer, _ = ask(Workflow(engine), question)
    assert answer.kind == "refusal" and "OEWS" in answer.text


class BrokenGateway:
    """A gateway whose database fails every statement (as a corrupt file or a lost server would)."""

    dialect = "sqlite"

    def execute(self, sql: str, params: Sequence[Any] = (), *, max_rows: int | None = None) -> QueryResult:
        raise SqlExecutionError("disk I/O error at /srv/secret/path", sql=sql, params=params)

    def close(self) -> None:
        pass


def test_a_database_failure_is_a_safe_message_with_the_trace_id(engine: OewsEngine) -> None:
    broken = OewsEngine(gateway=BrokenGateway(), vocabulary=engine.vocabulary, coverage=engine.coverage)
    answer, trace = ask(Workflow(broken), "median pay for electricians in texas")
    assert answer.kind == "error" and trace.id in answer.text
    assert "secret" not in answer.text and "select" not in answer.text.lower()
    assert trace.error and "SqlExecutionError" in trace.error


@pytest.mark.parametrize(
    "question",
    [
        "electricians hourly median new york state vs florida",  # text_to_sql, chart, synthesizer
        "top 5 highest paying jobs in the seattle metro",
        "median pay for funeral attendants in boise",  # a replan to a broader place
    ],
)
def test_the_offline_answer_is_written_once_per_question(
    engine: OewsEngine, question: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chart agent and the synthesizer read one draft: the template runs once."""

    calls: list[str] = []
    compose = replies.compose

    def counted(*args: Any, **kwargs: Any) -> EngineAnswer:
        calls.append(question)
        return compose(*args, **kwargs)

    monkeypatch.setattr(replies, "compose", counted)
    answer, trace = ask(Workflow(engine), question, render_chart=True)
    assert answer.kind == "answer"
    assert [s.agent for s in trace.plan.steps].count("chart") == 1  # type: ignore[union-attr]
    assert calls == [question]
