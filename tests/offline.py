"""Asking the offline engine the way production does: through the workflow (no model)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from agents.answer import EngineAnswer
from agents.engine import replies
from agents.engine.engine import OewsEngine
from agents.engine.framing import Framing, Results
from agents.engine.intent import Parsed
from agents.trace import Trace
from agents.workflow.graph import Workflow


@lru_cache(maxsize=8)
def _workflow(engine: OewsEngine) -> Workflow:
    return Workflow(engine)


def ask_offline(
    engine: OewsEngine, question: str, context: dict[str, Any] | None = None, *, render_chart: bool = False
) -> EngineAnswer:
    """The answer the service would give (planner, SQL, chart, synthesizer), without a model.

    Without the follow-ups and reshapes offered under it (their own tests ask the service; the
    workflow's offline test checks them for one eval question of each shape of answer)."""
    workflow = _workflow(engine)
    return workflow.run(question, trace=Trace(), context=context, render_chart=render_chart, suggest=False)


@dataclass(frozen=True)
class Stages:
    """What each of the engine's stages made of one question (no framing or rows for a refusal)."""

    question: str
    parsed: Parsed
    framing: Framing | None
    results: Results | None
    answer: EngineAnswer


def stages(engine: OewsEngine, question: str) -> Stages:
    """The engine's stages run in a row, without the graph: parse, frame, run, write."""
    parsed = engine.parse(question)
    if parsed.intent is None or parsed.refusal_kind or parsed.clarify:
        return Stages(question, parsed, None, None, replies.compose(parsed, None, None, question))
    framing = engine.frame(parsed.intent)
    results = engine.run(framing)
    return Stages(question, parsed, framing, results, replies.compose(parsed, framing, results, question))


def engine_stages(engine: OewsEngine, question: str) -> EngineAnswer:
    """The answer of the engine's stages run in a row (``stages``)."""
    return stages(engine, question).answer
