"""Plans: the offline engine's plan, broadening after an empty result, and model-plan checks.

A model's plan (``PlanDraft``, the arguments of its ``submit_plan`` call) is checked by
``check_plan``: known agents only (common aliases are mapped), data steps first, at most one
chart after them, exactly one synthesizer, last.  What can be repaired is repaired and noted;
what cannot (an unknown agent, no data step, too many steps) is returned as errors so the
planner can ask again (bounded).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from agents.engine.engine import OewsEngine
from agents.engine.framing import Framing
from agents.engine.intent import Parsed
from agents.oews.schema import NATIONAL
from agents.resolve.entities import Area
from agents.workflow.config import OFFLINE_ENGINE
from agents.workflow.state import AGENTS, AgentName, Step, WorkPlan

MAX_DATA_STEPS = 4
_ALIASES: dict[str, AgentName] = {
    "sql": "text_to_sql", "text-to-sql": "text_to_sql", "texttosql": "text_to_sql", "query": "text_to_sql",
    "database": "text_to_sql", "charts": "chart", "chart_generator": "chart", "visualization": "chart",
    "research": "web_research", "web": "web_research", "web_search": "web_research", "search": "web_research",
    "synthesis": "synthesizer", "synthesise": "synthesizer", "synthesize": "synthesizer",
    "answer": "synthesizer", "writer": "synthesizer",
}  # fmt: skip


# -- the offline engine's plans --------------------------------------------------------------------


def offline_plan(parsed: Parsed, framing: Framing | None, *, research: bool, first_id: int = 1) -> WorkPlan:
    """The offline plan: query, (research), chart, write; or (research and) write alone when
    there is nothing to query (a refusal, a clarification)."""
    if framing is None:
        reason = parsed.refusal_kind or ("clarification" if parsed.clarify else "no query")
        if research:
            search = Step(first_id, "web_research", "search the web for what OEWS does not cover")
            return WorkPlan(OFFLINE_ENGINE, (search, _synthesis(first_id + 1)), f"no query: {reason}")
        return WorkPlan(OFFLINE_ENGINE, (_synthesis(first_id),), f"no query: {reason}")
    shape = framing.intent.shape
    agents: list[tuple[AgentName, str]] = [("text_to_sql", f"query OEWS for the {shape}")]
    if research:
        agents.append(("web_research", "search the web for the context OEWS does not cover"))
    agents.append(("chart", "chart the result rows when there is more than one value"))
    steps = [
        Step(first_id + i, agent, goal, framing if agent == "text_to_sql" else None)
        for i, (agent, goal) in enumerate(agents)
    ]
    steps.append(_synthesis(first_id + len(steps)))
    return WorkPlan(OFFLINE_ENGINE, tuple(steps), f"question shape: {shape}")


def _synthesis(n: int) -> Step:
    return Step(n, "synthesizer", "write the answer from the result rows")


def broaden(engine: OewsEngine, framing: Framing) -> Framing | None:
    """The same question one level up (metro -> its state -> the nation), or None."""
    intent = framing.intent
    if intent.shape == "ranking" and intent.rank_by != "occupation":
        return None
    areas = intent.areas
    parents = tuple(dict.fromkeys(_parent(engine, a) for a in areas))
    if not areas or any(p is None for p in parents):
        return None
    return engine.frame(intent.with_(areas=tuple(p for p in parents if p is not None)))


def _parent(engine: OewsEngine, area: Area) -> Area | None:
    if area.kind in ("metro", "nonmetro"):
        state = next(
            (a for a in engine.vocabulary.areas if a.kind == "state" and a.state == area.state), None
        )
        return state or _national(engine)
    if area.kind in ("state", "territory"):
        return _national(engine)
    return None


def _national(engine: OewsEngine) -> Area | None:
    return next((a for a in engine.vocabulary.areas if a.code == NATIONAL), None)


def place_names(framing: Framing) -> str:
    return (
        " / ".join("the U.S." if a.code == NATIONAL else a.title for a in framing.intent.areas) or "the U.S."
    )


def broadened_lead(framing: Framing, skipped: tuple[str, ...]) -> tuple[str, str]:
    """(lead sentence, caveat) for an answer given one level up from the places asked about."""
    occupations = " / ".join(f"{o.title} ({o.code})" for o in framing.intent.occupations) or "this occupation"
    shown = place_names(framing)
    asked = " or ".join(skipped)
    lead = f"BLS publishes no estimate for {occupations} in {asked}, so this answer is for {shown} instead."
    caveat = f"These figures are for {shown}, not {skipped[0]}: BLS publishes no estimate there."
    return lead, caveat


# -- a model's plan --------------------------------------------------------------------------------


class StepDraft(BaseModel):
    agent: str = Field(description="text_to_sql | chart | web_research | synthesizer")
    goal: str = Field(default="", max_length=400, description="what this step must do, self-contained")


class PlanDraft(BaseModel):
    """The arguments of the planner's ``submit_plan`` call."""

    action: Literal["answer", "clarify", "refuse"] = Field(
        default="answer", description="answer with a plan, ask a clarifying question, or refuse"
    )
    steps: list[StepDraft] = Field(default_factory=list, max_length=12)
    message: str = Field(default="", max_length=600, description="the clarifying question or why refused")
    rationale: str = Field(default="", max_length=600)


@dataclass(frozen=True)
class Checked:
    plan: WorkPlan | None
    repairs: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()


def check_plan(
    draft: PlanDraft, *, source: str, question: str, research_on: bool, first_id: int = 1
) -> Checked:
    """Validate a model's plan; repair what is safe to repair, report the rest."""
    errors: list[str] = []
    repairs: list[str] = []
    steps: list[tuple[AgentName, str]] = []
    for i, s in enumerate(draft.steps, 1):
        agent = _agent(s.agent)
        if agent is None:
            errors.append(f"step {i}: unknown agent {s.agent!r} (use {', '.join(AGENTS)})")
        else:
            steps.append((agent, s.goal.strip() or question))
    if errors:
        return Checked(None, errors=tuple(errors))
    ordered = _ordered(steps, research_on, repairs)
    data = [a for a, _ in ordered if a in ("text_to_sql", "web_research")]
    if not data:
        return Checked(
            None, errors=("the plan has no text_to_sql (or web_research) step: nothing to answer from",)
        )
    if len(data) > MAX_DATA_STEPS:
        return Checked(None, errors=(f"{len(data)} data steps; use at most {MAX_DATA_STEPS}",))
    plan = tuple(Step(first_id + i, a, g) for i, (a, g) in enumerate(ordered))
    return Checked(WorkPlan(source, plan, draft.rationale), repairs=tuple(repairs))


def _agent(name: str) -> AgentName | None:
    key = name.strip().lower().replace(" ", "_")
    for agent in AGENTS:
        if key == agent:
            return agent
    return _ALIASES.get(key) or _ALIASES.get(key.replace("_", "-"))


def _ordered(
    steps: list[tuple[AgentName, str]], research_on: bool, repairs: list[str]
) -> list[tuple[AgentName, str]]:
    """Data steps in order, then at most one chart (only after data), then one synthesizer."""
    data = [(a, g) for a, g in steps if a == "text_to_sql" or (a == "web_research" and research_on)]
    if any(a == "web_research" for a, _ in steps) and not research_on:
        repairs.append("dropped web_research: web research is not configured")
    charts = [(a, g) for a, g in steps if a == "chart"]
    has_sql = any(a == "text_to_sql" for a, _ in data)
    if charts and not has_sql:
        repairs.append("dropped chart: no data step before it")
    if len(charts) > 1:
        repairs.append("kept one chart step")
    writers = [(a, g) for a, g in steps if a == "synthesizer"]
    if [a for a, _ in steps] != [a for a, _ in (*data, *charts, *writers)] or len(writers) != 1:
        repairs.append("reordered: data steps, then chart, then one synthesizer last")
    tail = [writers[-1] if writers else ("synthesizer", "write the answer from the result rows")]
    return [*data, *(charts[-1:] if has_sql else []), *tail]
