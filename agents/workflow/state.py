"""Typed workflow state, the hand-offs between agents, and the per-call dependencies.

Every hand-off is a typed value: a ``WorkPlan`` of ``Step``s, the ``SqlDraft`` a model
wrote, the ``StepResult`` of a step (rows and the SQL that produced them), ``ResearchHit``s,
a ``ChartSpec`` and a ``Narrative``.  Nothing travels as JSON inside message text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

from agents.answer import ChartSpec, EngineAnswer, Row, SqlRecord
from agents.engine.engine import OewsEngine
from agents.engine.framing import Framing, Results
from agents.engine.intent import Parsed
from agents.research import ResearchHit, ResearchProvider
from agents.trace import Plan, PlanStep, TraceRecorder
from agents.workflow.llm import ModelCaller

AgentName = Literal["text_to_sql", "chart", "web_research", "synthesizer"]
AGENTS: tuple[AgentName, ...] = ("text_to_sql", "chart", "web_research", "synthesizer")
NextNode = Literal["planner", "text_to_sql", "chart", "web_research", "synthesizer", "__end__"]


@dataclass(frozen=True)
class Step:
    """One plan step.  ``framing`` holds the offline engine's prepared queries, if any."""

    id: int
    agent: AgentName
    goal: str
    framing: Framing | None = None


@dataclass(frozen=True)
class WorkPlan:
    source: str  # "offline engine" or the planner model's name
    steps: tuple[Step, ...]
    rationale: str = ""

    def to_trace(self) -> Plan:
        return Plan(
            source=self.source,
            rationale=self.rationale,
            steps=[PlanStep(id=s.id, agent=s.agent, goal=s.goal) for s in self.steps],
        )


@dataclass(frozen=True)
class SqlDraft:
    """A statement the text-to-SQL model wrote: ``?`` placeholders and their values."""

    sql: str
    params: tuple[Any, ...] = ()


@dataclass(frozen=True)
class StepResult:
    """What a data step produced: rows and the SQL behind them, or why it failed."""

    step: Step
    results: Results = field(default_factory=Results)
    error: str | None = None

    @property
    def rows(self) -> list[Row]:
        return self.results.rows

    @property
    def records(self) -> list[SqlRecord]:
        return self.results.records

    @property
    def usable(self) -> bool:
        """Rows came back, or none were past a pay threshold: "0 occupations" is the answer there,
        not a reason to try one level up."""
        counted = self.step.framing is not None and self.step.framing.intent.threshold is not None
        return self.error is None and (bool(self.results.rows) or counted)


@dataclass(frozen=True)
class Narrative:
    """The synthesizer's words, before they become an answer."""

    text: str
    caveats: tuple[str, ...] = ()


@dataclass(frozen=True)
class Draft:
    """The offline engine's answer over ``results``: built once, read by the chart agent and the
    synthesizer (rebuilt only when a later step added results)."""

    answer: EngineAnswer
    results: tuple[StepResult, ...]


@dataclass(frozen=True)
class ReplanRequest:
    """Why control goes back to the planner."""

    reason: str
    failed: StepResult | None = None
    fallback: bool = False  # a model failed: answer with the offline engine from scratch


@dataclass
class WorkflowState:
    question: str
    context: dict[str, Any] | None = None
    parsed: Parsed | None = None  # the offline engine's reading (also used by the fast path)
    offline: bool = True  # True: the offline engine plans and answers
    plan: WorkPlan | None = None
    cursor: int = 0  # the next step of ``plan`` to run
    current: Step | None = None  # the step being run
    results: tuple[StepResult, ...] = ()
    last: StepResult | None = None  # the step the executor has not looked at yet
    replan: ReplanRequest | None = None
    replans: int = 0
    research: tuple[ResearchHit, ...] = ()
    chart: ChartSpec | None = None
    chart_png: bytes | None = None
    draft: Draft | None = None  # the offline answer, once built
    notes: tuple[str, ...] = ()  # caveats the workflow itself adds (replans, research)
    skipped: tuple[str, ...] = ()  # places an offline replan moved away from (no rows there)
    next: NextNode = "__end__"
    answer: EngineAnswer | None = None


class StateUpdate(TypedDict, total=False):
    """What a node returns: only the ``WorkflowState`` fields it changes, each with its type."""

    parsed: Parsed | None
    offline: bool
    plan: WorkPlan | None
    cursor: int
    current: Step | None
    results: tuple[StepResult, ...]
    last: StepResult | None
    replan: ReplanRequest | None
    replans: int
    research: tuple[ResearchHit, ...]
    chart: ChartSpec | None
    chart_png: bytes | None
    draft: Draft | None
    notes: tuple[str, ...]
    skipped: tuple[str, ...]
    next: NextNode
    answer: EngineAnswer | None


@dataclass(frozen=True)
class Deps:
    """What nodes need, per call (LangGraph runtime context): nothing is built inside a node."""

    engine: OewsEngine
    recorder: TraceRecorder
    render_chart: bool = True
    reasoning: ModelCaller | None = None  # None: the offline engine plans
    implementation: ModelCaller | None = None  # None: the offline engine writes SQL and answers
    research: ResearchProvider | None = None
    max_replans: int = 2
    fast_path: bool = True
    overridden: bool = False  # the question named its model(s): no fast path
