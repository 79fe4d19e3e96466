"""Asking the offline engine the way production does: through the workflow (no model)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from agents.answer import EngineAnswer
from agents.engine import replies
from agents.engine.engine import OewsEngine
from agents.trace import Trace
from agents.workflow.graph import Workflow


@lru_cache(maxsize=8)
def _workflow(engine: OewsEngine) -> Workflow:
    return Workflow(engine)


def ask_offline(
    engine: OewsEngine, question: str, context: dict[str, Any] | None = None, *, render_chart: bool = False
) -> EngineAnswer:
    """The answer the service would give (planner, SQL, chart, synthesizer), without a model."""
    return _workflow(engine).run(question, trace=Trace(), context=context, render_chart=render_chart)


def engine_stages(engine: OewsEngine, question: str) -> EngineAnswer:
    """The engine's stages run in a row, without the graph: parse, frame, run, write."""
    parsed = engine.parse(question)
    if parsed.intent is None or parsed.refusal_kind or parsed.clarify:
        return replies.compose(parsed, None, None, question)
    framing = engine.frame(parsed.intent)
    return replies.compose(parsed, framing, engine.run(framing), question)
