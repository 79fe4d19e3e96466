"""Typed workflow state and the per-call dependencies (LangGraph runtime context)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agents.engine.engine import Framing, OewsEngine, Results
from agents.engine.intent import Parsed
from agents.models import EngineAnswer
from agents.trace import TraceRecorder


@dataclass
class WorkflowState:
    question: str
    context: dict[str, Any] | None = None
    parsed: Parsed | None = None
    framing: Framing | None = None
    results: Results | None = None
    answer: EngineAnswer | None = None
    chart_png: bytes | None = None
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Deps:
    """What nodes need, passed per call: nothing heavy is built inside a node."""

    engine: OewsEngine
    recorder: TraceRecorder
    render_chart: bool = True
