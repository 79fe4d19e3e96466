"""The answer workflow: planner -> text-to-SQL -> chart -> synthesizer, compiled once.

With no model configured the offline engine plays every role, deterministically.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from agents.engine.chart import render_chart
from agents.errors import OewsError
from agents.models import EngineAnswer
from agents.trace import Plan, PlanStep, Trace, TraceRecorder
from agents.workflow.state import Deps, WorkflowState

logger = logging.getLogger(__name__)
OFFLINE = "offline engine"


def plan(state: WorkflowState, runtime: Runtime[Deps]) -> dict[str, Any]:
    deps = runtime.context
    with deps.recorder.step("planner", "plan", model=OFFLINE) as step:
        parsed = deps.engine.parse(state.question, state.context)
        if parsed.intent is None or parsed.refusal_kind or parsed.clarify:
            step.detail = f"no query: {parsed.refusal_kind or 'clarification'}"
            deps.recorder.trace.plan = Plan(source=OFFLINE, steps=[_synthesis_step(1)])
            return {"parsed": parsed}
        framing = deps.engine.frame(parsed.intent)
        step.detail = f"{framing.intent.shape}: {len(framing.queries)} query(ies)"
    deps.recorder.trace.plan = _plan_of(framing.intent.shape)
    return {"parsed": parsed, "framing": framing}


def _synthesis_step(n: int) -> PlanStep:
    return PlanStep(id=n, agent="synthesizer", goal="write the answer from the result rows")


def _plan_of(shape: str) -> Plan:
    return Plan(
        source=OFFLINE,
        rationale=f"question shape: {shape}",
        steps=[
            PlanStep(id=1, agent="text_to_sql", goal=f"query OEWS for the {shape}"),
            PlanStep(id=2, agent="chart", goal="chart the result rows when there is more than one value"),
            _synthesis_step(3),
        ],
    )


def route_after_plan(state: WorkflowState) -> Literal["text_to_sql", "synthesizer"]:
    return "text_to_sql" if state.framing is not None else "synthesizer"


def text_to_sql(state: WorkflowState, runtime: Runtime[Deps]) -> dict[str, Any]:
    assert state.framing is not None
    return {"results": runtime.context.engine.run(state.framing, runtime.context.recorder)}


def synthesizer(state: WorkflowState, runtime: Runtime[Deps]) -> dict[str, Any]:
    deps = runtime.context
    assert state.parsed is not None
    with deps.recorder.step("synthesizer", "synthesis", model=OFFLINE) as step:
        answer = deps.engine.synthesize(state.parsed, state.framing, state.results, state.question)
        step.detail = answer.kind
    return {"answer": answer}


def chart(state: WorkflowState, runtime: Runtime[Deps]) -> dict[str, Any]:
    deps = runtime.context
    answer = state.answer
    if answer is None or answer.chart is None or not deps.render_chart:
        return {}
    with deps.recorder.step("chart", "chart", model=OFFLINE) as step:
        png = render_chart(answer.chart)
        step.detail = f"{answer.chart.kind} chart, {len(answer.chart.categories)} categories, {len(png):,} bytes"
    deps.recorder.trace.chart = answer.chart
    return {"answer": answer.model_copy(update={"chart_png": png})}


def build_graph() -> Any:
    graph = StateGraph(WorkflowState, context_schema=Deps)
    graph.add_node("planner", plan)
    graph.add_node("text_to_sql", text_to_sql)
    graph.add_node("synthesizer", synthesizer)
    graph.add_node("chart", chart)
    graph.add_edge(START, "planner")
    graph.add_conditional_edges("planner", route_after_plan)
    graph.add_edge("text_to_sql", "synthesizer")
    graph.add_edge("synthesizer", "chart")
    graph.add_edge("chart", END)
    return graph.compile()


class Workflow:
    """Compiled once; ``run`` answers one question and fills its trace."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.graph = build_graph()

    def run(self, question: str, *, trace: Trace, context: dict[str, Any] | None = None,
            render_chart: bool = True, model: str | None = None,
            reasoning_model: str | None = None) -> EngineAnswer:
        recorder = TraceRecorder(trace)
        trace.question = question
        trace.models = {"reasoning": OFFLINE, "implementation": OFFLINE}
        deps = Deps(engine=self.engine, recorder=recorder, render_chart=render_chart)
        try:
            final = self.graph.invoke(WorkflowState(question=question, context=context), context=deps)
            answer: EngineAnswer = final["answer"]
        except OewsError as e:
            logger.warning("workflow failed: %s", e, extra={"trace_id": trace.id})
            trace.error = f"{type(e).__name__}: {e}"
            answer = EngineAnswer(kind="error", text=f"{e.user_message} (trace {trace.id})")
        trace.answer_kind, trace.answer_text = answer.kind, answer.text
        recorder.finish()
        return answer
