"""The answer workflow, compiled once: planner -> executor -> agents -> answer.

    START -> planner -> executor --(route)--> text_to_sql | chart | web_research | synthesizer
                 ^          |                     |            |          |              |
                 |          +--> planner (replan) <-----------+----------+--------------+
                 |          +--> END (answer ready)          (every agent returns to the executor)

- **planner** reads the question with the offline engine, then plans: offline (no model, the
  fast path, or a fallback) or with the reasoning model (a validated plan).  On a replan it
  broadens the failed query (offline) or asks the model again with the reason.
- **executor** routes the next plan step to its agent, and sends control back to the planner
  when a data step failed or returned no rows (at most ``max_replans`` times) or a model failed
  (then the offline engine answers the whole question).
- **text_to_sql**, **chart**, **web_research**, **synthesizer**: see their modules.

Dependencies (engine, models, research provider, trace recorder) come per call through the
LangGraph runtime context (``Deps``); the state is typed (``WorkflowState``).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from langgraph.errors import GraphRecursionError
from langgraph.graph import START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from agents.answer import ChartSpec, EngineAnswer, Row
from agents.engine.context import ThreadContext
from agents.engine.engine import OewsEngine
from agents.errors import ChartSpecError, ModelError, OewsError
from agents.followups import suggest_followups
from agents.research import ResearchError, ResearchProvider, TavilySearch
from agents.reshape import reshape_options
from agents.trace import Trace, TraceRecorder
from agents.workflow import chart_spec
from agents.workflow.config import OFFLINE_ENGINE, WorkflowConfig
from agents.workflow.llm import Budget, ChatClients, ModelCaller
from agents.workflow.planner import model_start, offline_start, replan, uses_offline_planner
from agents.workflow.registry import ModelRejected, ModelSpec, RoleModels, choose_models, load_registry
from agents.workflow.sql_agent import model_sql, offline_sql
from agents.workflow.state import Deps, Draft, NextNode, ReplanRequest, StateUpdate, StepResult, WorkflowState
from agents.workflow.synthesizer import (
    data_rows,
    evidence_for,
    finish,
    framed_results,
    model_narrative,
    narrative_answer,
    narrative_base,
    offline_draft,
)

logger = logging.getLogger(__name__)
RECURSION_LIMIT = 80
UNAVAILABLE = "Web research was unavailable, so this answer uses OEWS data only."


# -- nodes -----------------------------------------------------------------------------------------


def planner(state: WorkflowState, runtime: Runtime[Deps]) -> StateUpdate:
    deps = runtime.context
    if state.replan is not None:
        return replan(state, deps)
    parsed = deps.engine.parse(state.question, state.context)
    if uses_offline_planner(parsed, state.question, deps, overridden=deps.overridden):
        return offline_start(state, parsed, deps, label=" (fast path)" if deps.reasoning else "")
    return model_start(state, parsed, deps)


def executor(state: WorkflowState, runtime: Runtime[Deps]) -> StateUpdate:
    if state.answer is not None:
        return {"next": "__end__"}  # END
    if state.replan is not None:
        return {"next": "planner"}
    failed = state.last
    if failed is not None and not failed.usable and state.replans < runtime.context.max_replans:
        return {"next": "planner", "last": None, "replan": ReplanRequest(_why(failed), failed=failed)}
    plan = state.plan
    if plan is None or state.cursor >= len(plan.steps):
        return {"next": "synthesizer", "last": None, "current": None}
    step = plan.steps[state.cursor]
    return {"next": step.agent, "cursor": state.cursor + 1, "current": step, "last": None}


def route(state: WorkflowState) -> NextNode:
    return state.next


def text_to_sql(state: WorkflowState, runtime: Runtime[Deps]) -> StateUpdate:
    deps = runtime.context
    step = state.current
    assert step is not None
    caller = None if state.offline else deps.implementation
    if step.framing is not None or caller is None:
        result = offline_sql(step, deps.engine, deps.recorder)
    else:
        try:
            result = model_sql(step, state.question, caller, deps.engine, deps.recorder)
        except ModelError as e:
            return {"replan": ReplanRequest(str(e), fallback=True)}
    return {"results": (*state.results, result), "last": result}


def chart(state: WorkflowState, runtime: Runtime[Deps]) -> StateUpdate:
    deps = runtime.context
    spec, rows, draft = _choose_chart(state, deps)
    if spec is not None and not chart_spec.chart_is_grounded(spec, rows):
        with deps.recorder.step("chart", "validate") as step:
            step.error = "chart shows values that are not in the rows: dropped"
        spec = None
    if spec is None:
        return {"chart": None, "chart_png": None, "draft": draft}
    deps.recorder.trace.chart = spec
    return {"chart": spec, "chart_png": _draw(spec, deps) if deps.render_chart else None, "draft": draft}


def web_research(state: WorkflowState, runtime: Runtime[Deps]) -> StateUpdate:
    deps = runtime.context
    if deps.research is None or state.current is None:
        return {}
    query = state.question if state.offline else state.current.goal
    with deps.recorder.step("web_research", "search", model=deps.research.name) as step:
        try:
            hits = deps.research.search(query)
        except ResearchError as e:
            logger.warning("web research failed: %s", e, extra={"trace_id": deps.recorder.trace.id})
            step.error = str(e)
            return {"notes": (*state.notes, UNAVAILABLE)}
        step.detail = f"{len(hits)} result(s): " + ", ".join(h.url for h in hits)
    return {"research": (*state.research, *hits)}


def synthesizer(state: WorkflowState, runtime: Runtime[Deps]) -> StateUpdate:
    deps = runtime.context
    caller = None if state.offline else deps.implementation
    if caller is None:
        with deps.recorder.step("synthesizer", "synthesis", model=OFFLINE_ENGINE) as step:
            answer = offline_draft(state, deps.engine, deps.recorder).answer
            step.detail = answer.kind
    else:
        answer = _write_with_model(state, deps, caller)
    return {"answer": finish(answer, state)}


# -- node helpers ----------------------------------------------------------------------------------


def _why(failed: StepResult) -> str:
    framing = failed.step.framing
    if framing is not None:
        who = " / ".join(o.title for o in framing.intent.occupations) or "the ranking"
        where = " / ".join(a.title for a in framing.intent.areas) or "the U.S."
        subject = f"{who} in {where}"
    else:
        subject = f"“{failed.step.goal}”"
    return (
        f"step {failed.step.id} found no rows for {subject}"
        if failed.error is None
        else f"step {failed.step.id} ({subject}) failed: {failed.error}"
    )


def _choose_chart(state: WorkflowState, deps: Deps) -> tuple[ChartSpec | None, list[Row], Draft | None]:
    """The chart spec, the rows it must be grounded in, and the offline draft if one was built."""
    framed = framed_results(state)
    if len(framed) == 1:
        draft = offline_draft(state, deps.engine, deps.recorder)
        return draft.answer.chart, framed[0].rows, draft
    rows = data_rows(state)
    caller = None if state.offline else deps.implementation
    if caller is None or not rows:
        return chart_spec.auto_chart(rows), rows, state.draft
    try:
        return chart_spec.model_chart(caller, state.question, rows), rows, state.draft
    except ModelError as e:
        with deps.recorder.step("chart", "fallback", model=OFFLINE_ENGINE) as step:
            step.detail = f"{e}; chart chosen by the offline engine"
        return chart_spec.auto_chart(rows), rows, state.draft


def _draw(spec: ChartSpec, deps: Deps) -> bytes | None:
    from agents.engine.chart import render_chart  # matplotlib (~0.5 s to import) only once a chart is drawn

    with deps.recorder.step("chart", "chart", model=OFFLINE_ENGINE) as step:
        try:
            png = render_chart(spec)
        except ChartSpecError as e:
            step.error = f"could not draw: {e}"
            return None
        step.detail = f"{spec.kind} chart, {len(spec.categories)} categories, {len(png):,} bytes"
    return png


def _write_with_model(state: WorkflowState, deps: Deps, caller: ModelCaller) -> EngineAnswer:
    if not data_rows(state) and not state.research:
        with deps.recorder.step("synthesizer", "synthesis", model=OFFLINE_ENGINE) as step:
            step.detail = "no rows: the offline engine answers"
            return offline_draft(state, deps.engine, deps.recorder).answer
    try:
        narrative = model_narrative(caller, state, evidence_for(state, deps.engine), deps.recorder)
    except ModelError as e:
        logger.warning("synthesizer model failed: %s", e, extra={"trace_id": deps.recorder.trace.id})
        narrative = None
    if narrative is None:
        with deps.recorder.step("synthesizer", "fallback", model=OFFLINE_ENGINE) as step:
            answer = offline_draft(state, deps.engine, deps.recorder).answer
            step.detail = f"model answer unusable: deterministic template ({answer.kind})"
        return answer
    return narrative_answer(state, narrative, narrative_base(state, deps.engine, deps.recorder))


# -- wiring ----------------------------------------------------------------------------------------


def build_graph() -> CompiledStateGraph[WorkflowState, Deps, WorkflowState, WorkflowState]:
    graph = StateGraph(WorkflowState, context_schema=Deps)
    graph.add_node("planner", planner)
    graph.add_node("executor", executor)
    graph.add_node("text_to_sql", text_to_sql)
    graph.add_node("chart", chart)
    graph.add_node("web_research", web_research)
    graph.add_node("synthesizer", synthesizer)
    graph.add_edge(START, "planner")
    graph.add_edge("planner", "executor")
    graph.add_conditional_edges("executor", route)
    for agent in ("text_to_sql", "chart", "web_research", "synthesizer"):
        graph.add_edge(agent, "executor")
    return graph.compile()


@lru_cache(maxsize=1)
def compiled_graph() -> CompiledStateGraph[WorkflowState, Deps, WorkflowState, WorkflowState]:
    """The graph, compiled once per process."""
    return build_graph()


# -- the entry point -------------------------------------------------------------------------------


class Workflow:
    """Answers one question per ``run``, filling its trace.  Built once; safe across threads."""

    def __init__(
        self,
        engine: OewsEngine,
        *,
        config: WorkflowConfig | None = None,
        research: ResearchProvider | None = None,
    ) -> None:
        self.engine = engine
        self.config = config or WorkflowConfig()
        self.registry = load_registry(self.config.models_file).with_defaults(self.config)
        self.clients = ChatClients(self.config)
        self.research = research or _research(self.config)
        self.graph = compiled_graph()

    def run(
        self,
        question: str,
        *,
        trace: Trace,
        context: dict[str, Any] | None = None,
        render_chart: bool = True,
        suggest: bool = True,
        model: str | None = None,
        reasoning_model: str | None = None,
    ) -> EngineAnswer:
        recorder = TraceRecorder(trace)
        trace.question = question
        chosen = choose_models(self.registry, self.config, model=model, reasoning_model=reasoning_model)
        if isinstance(chosen, ModelRejected):
            answer = _rejected(chosen, recorder)
        else:
            answer = self._answer(question, context, self._deps(chosen, recorder, render_chart))
        if suggest and answer.kind == "answer" and (thread := ThreadContext.read(answer.context)):
            answer = answer.model_copy(
                update={
                    "followups": suggest_followups(self.engine, thread),
                    "reshapes": reshape_options(self.engine, thread),
                }
            )
        trace.models = models_used(trace)
        trace.answer_kind, trace.answer_text = answer.kind, answer.text
        trace.tables = list(answer.tables)
        recorder.finish()
        return answer

    def _answer(self, question: str, context: dict[str, Any] | None, deps: Deps) -> EngineAnswer:
        trace = deps.recorder.trace
        try:
            final = self.graph.invoke(
                WorkflowState(question=question, context=context),
                context=deps,
                config={"recursion_limit": RECURSION_LIMIT},
            )
            answer: EngineAnswer | None = final["answer"]
            if answer is None:
                raise GraphRecursionError("the workflow ended without an answer")
            return answer
        except OewsError as e:
            logger.warning("workflow failed: %s", e, extra={"trace_id": trace.id})
            trace.error = f"{type(e).__name__}: {e}"
            return EngineAnswer(kind="error", text=f"{e.user_message} (trace {trace.id})")
        except GraphRecursionError as e:
            logger.error("workflow did not finish: %s", e, extra={"trace_id": trace.id})
            trace.error = "the workflow did not finish (step limit)"
            return EngineAnswer(
                kind="error", text=f"Sorry, I could not finish this answer (trace {trace.id})."
            )

    def _deps(self, chosen: RoleModels, recorder: TraceRecorder, render_chart: bool) -> Deps:
        budget = Budget(self.config.max_model_calls)
        return Deps(
            engine=self.engine,
            recorder=recorder,
            render_chart=render_chart,
            reasoning=self._caller(chosen.reasoning, recorder, budget),
            implementation=self._caller(chosen.implementation, recorder, budget),
            research=self.research,
            max_replans=self.config.max_replans,
            fast_path=self.config.fast_path,
            overridden=chosen.overridden,
        )

    def _caller(self, spec: ModelSpec | None, recorder: TraceRecorder, budget: Budget) -> ModelCaller | None:
        if spec is None:
            return None
        return ModelCaller(spec=spec, chat=self.clients.get(spec), recorder=recorder, budget=budget)


def _research(config: WorkflowConfig) -> ResearchProvider | None:
    if not config.web_search_url:
        return None
    return TavilySearch(
        base_url=config.web_search_url, api_key=config.web_search_key, timeout_s=config.timeout_s
    )


def _rejected(rejected: ModelRejected, recorder: TraceRecorder) -> EngineAnswer:
    with recorder.step("planner", "models") as step:
        step.error = "model override rejected"
        step.detail = rejected.message
    return EngineAnswer(kind="refusal", text=rejected.message)


_ROLE_KINDS = frozenset({"llm", "plan", "sql", "synthesis", "fallback"})


def models_used(trace: Trace) -> dict[str, str]:
    """Role -> the models that actually did that role's work, in order."""
    used: dict[str, list[str]] = {"reasoning": [], "implementation": []}
    for step in trace.steps:
        if step.model is None or step.kind not in _ROLE_KINDS:
            continue
        names = used["reasoning" if step.agent == "planner" else "implementation"]
        if step.model not in names:
            names.append(step.model)
    return {role: ", ".join(names) or "none" for role, names in used.items()}
