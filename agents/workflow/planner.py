"""The planner: the offline engine's plan, the fast path, the model's plan, and replanning.

**Fast path (the confidence rule).**  With a model configured, a question goes to the offline
engine alone when no per-question model override was given and the offline parser read it
with confidence, which means one of:

- a complete intent (an occupation, or a ranking of occupations) with every content phrase
  resolved (no unknown words left), every part of the question applied (no threshold, place,
  industry, measure or year the engine would drop: ``OewsEngine.unapplied``) and no topic OEWS
  does not cover (cost of living, taxes, population … see ``agents.research.research_topics``);
- an ambiguous place (it asks which one, with buttons);
- unsafe input, a request for help, or a year that is not loaded.

Everything else (unknown words, out-of-scope guesses, topics needing web research) goes to
the planner model.  An explicit ``model`` / ``reasoning_model`` override uses the models for
every question except unsafe input, help and years that are not loaded, which the offline
engine always answers (a prompt injection never reaches a model).
"""

from __future__ import annotations

import logging

from langchain_core.messages import HumanMessage, SystemMessage

from agents.answer import EngineAnswer
from agents.engine import replies
from agents.engine.intent import Parsed
from agents.errors import ModelError
from agents.research import research_topics
from agents.trace import Replan
from agents.workflow.config import OFFLINE_ENGINE
from agents.workflow.grounding import evidence, ungrounded
from agents.workflow.llm import InvalidModelOutput, ModelCaller, call_tool, tool_schema
from agents.workflow.plan import PlanDraft, broaden, check_plan, offline_plan, place_names
from agents.workflow.prompts import context_block, planner_system
from agents.workflow.state import Deps, ReplanRequest, StateUpdate, Step, WorkflowState, WorkPlan

logger = logging.getLogger(__name__)

PLAN_ATTEMPTS = 2
MAX_STEPS = 6
SUBMIT_PLAN = tool_schema(
    "submit_plan", "Submit the plan (or a clarifying question, or a refusal).", PlanDraft
)


def confident(parsed: Parsed, question: str) -> bool:
    """The fast-path rule (see the module docstring)."""
    if parsed.clarify is not None or parsed.refusal_kind in ("unsafe", "help", "no_data"):
        return True
    complete = parsed.intent is not None and not parsed.refusal_kind and not parsed.unknown
    return complete and not research_topics(question)


def uses_offline_planner(parsed: Parsed, question: str, deps: Deps, *, overridden: bool) -> bool:
    """Unsafe input never reaches a model, even when the question names one."""
    if deps.reasoning is None or parsed.refusal_kind in ("unsafe", "help", "no_data"):
        return True
    if not deps.fast_path or overridden or not confident(parsed, question):
        return False
    return not deps.engine.unapplied(parsed)  # a part the engine would drop: the model reads it


# -- first plan ------------------------------------------------------------------------------------


def offline_start(state: WorkflowState, parsed: Parsed, deps: Deps, *, label: str = "") -> StateUpdate:
    with deps.recorder.step("planner", "plan", model=OFFLINE_ENGINE) as step:
        data = parsed.intent is not None and not parsed.refusal_kind and parsed.clarify is None
        framing = deps.engine.frame(parsed.intent) if data and parsed.intent is not None else None
        searchable = framing is not None or parsed.refusal_kind == "out_of_scope"
        topics = research_topics(state.question) if searchable else ()
        plan = offline_plan(parsed, framing, research=bool(topics) and deps.research is not None)
        step.detail = (
            f"{framing.intent.shape}: {len(framing.queries)} query(ies)"
            if framing
            else f"no query: {parsed.refusal_kind or 'clarification'}"
        ) + label
    if deps.recorder.trace.plan is None:
        deps.recorder.trace.plan = plan.to_trace()
    said = framing is not None and bool(framing.intent.near_scope)  # the answer says what OEWS lacks
    notes = research_off_notes(topics) if topics and deps.research is None and framing and not said else ()
    return {"parsed": parsed, "offline": True, "plan": plan, "cursor": 0, "notes": notes}


def research_off_notes(topics: tuple[str, ...]) -> tuple[str, ...]:
    return (
        f"OEWS has employment and wage data only; it does not cover {', '.join(topics)}. Web research "
        "is not configured, so this answer uses OEWS data alone.",
    )


def model_start(state: WorkflowState, parsed: Parsed, deps: Deps) -> StateUpdate:
    assert deps.reasoning is not None
    try:
        outcome = ask_planner(deps.reasoning, state, deps)
    except ModelError as e:
        return fall_back(state, parsed, deps, e)
    if isinstance(outcome, EngineAnswer):
        return {"parsed": parsed, "answer": outcome}
    deps.recorder.trace.plan = outcome.to_trace()
    topics = research_topics(state.question)
    notes = research_off_notes(topics) if topics and deps.research is None else ()
    return {"parsed": parsed, "offline": False, "plan": outcome, "cursor": 0, "notes": notes}


def fall_back(state: WorkflowState, parsed: Parsed, deps: Deps, error: ModelError) -> StateUpdate:
    """A model failed: answer the whole question with the offline engine, and say so."""
    logger.warning(
        "model failed, falling back to the offline engine: %s",
        error,
        extra={"trace_id": deps.recorder.trace.id},
    )
    update = offline_start(state, parsed, deps, label=" (fallback)")
    reason = f"model failure ({error}); answering with the offline engine"
    _record_replan(deps, reason, update["plan"])
    return {
        **update,
        "results": (),
        "last": None,
        "replan": None,
        "chart": None,
        "chart_png": None,
        "research": (),
        "skipped": (),
    }


def _record_replan(deps: Deps, reason: str, plan: WorkPlan | None) -> None:
    trace = deps.recorder.trace
    trace.replans.append(
        Replan(attempt=len(trace.replans) + 1, reason=reason, plan=plan.to_trace() if plan else None)
    )


# -- asking the model ------------------------------------------------------------------------------


def ask_planner(
    caller: ModelCaller, state: WorkflowState, deps: Deps, *, replan: str = "", first_id: int = 1
) -> WorkPlan | EngineAnswer:
    """A checked plan from the model, or its clarification / refusal; re-asks once if invalid."""
    coverage = deps.engine.coverage.describe()
    system = planner_system(coverage, deps.research is not None, MAX_STEPS)
    user = "\n".join(p for p in (f"Question: {state.question}", context_block(state.context), replan) if p)
    problems: tuple[str, ...] = ()
    for _ in range(PLAN_ATTEMPTS):
        retry = (
            f"\nYour previous plan was invalid: {'; '.join(problems)}. Submit a corrected plan."
            if problems
            else ""
        )
        messages = [SystemMessage(system), HumanMessage(user + retry)]
        draft = call_tool(caller, messages, SUBMIT_PLAN, PlanDraft, agent="planner")
        if draft.action != "answer":
            return _not_a_plan(draft, state, deps)
        checked = check_plan(
            draft,
            source=caller.name,
            question=state.question,
            research_on=deps.research is not None,
            first_id=first_id,
        )
        if checked.plan is not None:
            _record_check(deps, checked.repairs)
            return checked.plan
        problems = checked.errors
    raise InvalidModelOutput(
        caller.name, f"invalid plan after {PLAN_ATTEMPTS} attempts: {'; '.join(problems)}"
    )


def _record_check(deps: Deps, repairs: tuple[str, ...]) -> None:
    with deps.recorder.step("planner", "validate") as step:
        step.detail = "plan valid" + (f"; repaired: {'; '.join(repairs)}" if repairs else "")


def _not_a_plan(draft: PlanDraft, state: WorkflowState, deps: Deps) -> EngineAnswer:
    with deps.recorder.step("planner", "validate") as step:
        step.detail = f"{draft.action}: {draft.message[:200]}"
    parsed = state.parsed or Parsed()
    if draft.action == "refuse":
        refused = (
            parsed
            if parsed.refusal_kind in ("out_of_scope", "unsafe")
            else Parsed(refusal_kind="out_of_scope")
        )
        return replies.refusal(refused)
    message = draft.message.strip()
    if not message or ungrounded(message, evidence([], texts=[state.question])):
        message = (
            "Which occupation and which place do you mean? Name a job title and a U.S. state or metro area."
        )
    return EngineAnswer(kind="clarification", text=message)


# -- replanning ------------------------------------------------------------------------------------


def replan(state: WorkflowState, deps: Deps) -> StateUpdate:
    request = state.replan
    assert request is not None
    parsed = state.parsed or deps.engine.parse(state.question, state.context)
    if request.fallback:
        return fall_back(state, parsed, deps, ModelError(request.reason))
    if state.offline or deps.reasoning is None:
        return _offline_replan(state, request, deps)
    return _model_replan(state, request, parsed, deps)


def _offline_replan(state: WorkflowState, request: ReplanRequest, deps: Deps) -> StateUpdate:
    failed = request.failed
    framing = failed.step.framing if failed else None
    wider = broaden(deps.engine, framing) if framing is not None else None
    if framing is None or wider is None or state.plan is None:
        with deps.recorder.step("planner", "replan", model=OFFLINE_ENGINE) as step:
            step.detail = f"{request.reason}; nothing broader to try"
        return {"replan": None}
    next_id = max(s.id for s in state.plan.steps) + 1
    query = Step(next_id, "text_to_sql", f"query OEWS one level up: {place_names(wider)}", wider)
    rest = tuple(
        Step(next_id + i, s.agent, s.goal) for i, s in enumerate(state.plan.steps[state.cursor :], 1)
    )
    plan = WorkPlan(OFFLINE_ENGINE, (query, *rest), f"replan: {request.reason}")
    _record_replan(deps, f"{request.reason}; trying {place_names(wider)}", plan)
    skipped = (*state.skipped, *(a.title for a in framing.intent.areas))
    return {"plan": plan, "cursor": 0, "replans": state.replans + 1, "skipped": skipped, "replan": None}


def _model_replan(state: WorkflowState, request: ReplanRequest, parsed: Parsed, deps: Deps) -> StateUpdate:
    assert deps.reasoning is not None and state.plan is not None
    done = [
        f"- step {r.step.id} {r.step.agent} “{r.step.goal}”: {len(r.rows)} rows"
        for r in state.results
        if r.usable
    ]
    text = (
        f"Replanning: {request.reason}\nAlready done (keep):\n"
        + ("\n".join(done) or "- nothing")
        + "\nPlan only the remaining work."
    )
    next_id = max(s.id for s in state.plan.steps) + 1
    try:
        outcome = ask_planner(deps.reasoning, state, deps, replan=text, first_id=next_id)
    except ModelError as e:
        return fall_back(state, parsed, deps, e)
    if isinstance(outcome, EngineAnswer):
        return {"answer": outcome, "replan": None}
    _record_replan(deps, request.reason, outcome)
    note = f"No OEWS data was found for “{request.failed.step.goal}”." if request.failed else ""
    notes = (*state.notes, note) if note else state.notes
    return {"plan": outcome, "cursor": 0, "replans": state.replans + 1, "replan": None, "notes": notes}
