"""Structured execution traces, collected from the workflow's own events.

A ``TraceRecorder`` is handed to every node; each node records what it did as a
``TraceStep`` (agent, kind, model, timing, tokens, cost, SQL with parameters, rows, error).
The finished ``Trace`` is stored by the bot and shown by "Show trace" / ``oews-bot trace``.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agents.answer import ChartSpec
from agents.sql.dburl import mask_secrets
from agents.table import Table

SAMPLE_ROWS = 5
OFFLINE_ENGINE = "offline engine"  # the model name of steps the offline engine does

# Secrets that error messages of HTTP clients and drivers may carry (API keys, tokens, passwords).
_SECRETS = re.compile(
    r"(sk-[A-Za-z0-9_\-*]{6,}|xox[abposr]-[A-Za-z0-9\-]+|xapp-[A-Za-z0-9\-]+|Bearer\s+\S+"
    r"|(?:api[_-]?key|token|password|passwd|pwd|secret)\s*[=:]\s*[^\s;,&]+)",
    re.IGNORECASE,
)


def scrub(text: str | None) -> str | None:
    """The text with anything that looks like a secret replaced, for traces users can see."""
    if text is None:
        return None
    return _SECRETS.sub("[redacted]", mask_secrets(text))  # database URLs and ODBC strings first


def new_trace_id() -> str:
    return "tr-" + secrets.token_hex(6)


class PlanStep(BaseModel):
    id: int
    agent: str  # text_to_sql | chart | web_research | synthesizer
    goal: str


class Plan(BaseModel):
    source: str  # "offline engine" or the model name
    steps: list[PlanStep]
    rationale: str = ""


class Replan(BaseModel):
    attempt: int
    reason: str
    plan: Plan | None = None


class TraceStep(BaseModel):
    model_config = ConfigDict(validate_assignment=True)

    agent: str
    kind: str
    model: str | None = None
    started_at: datetime
    duration_ms: float = 0.0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    sql: str | None = None
    params: list[Any] = Field(default_factory=list)
    row_count: int | None = None
    truncated: bool = False
    sample_rows: list[list[Any]] = Field(default_factory=list)
    detail: str | None = None
    error: str | None = None

    @field_validator("error", "detail")
    @classmethod
    def _no_secrets(cls, value: str | None) -> str | None:
        return scrub(value)


class Trace(BaseModel):
    model_config = ConfigDict(validate_assignment=True)

    id: str = Field(default_factory=new_trace_id)
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    question: str = ""
    platform: str = "cli"
    workspace: str = ""
    channel: str = ""
    thread: str | None = None
    user: str = ""
    models: dict[str, str] = Field(default_factory=dict)  # role -> model actually used
    plan: Plan | None = None
    replans: list[Replan] = Field(default_factory=list)
    steps: list[TraceStep] = Field(default_factory=list)
    chart: ChartSpec | None = None
    answer_kind: str = ""
    answer_text: str = ""
    tables: list[Table] = Field(default_factory=list)  # the answer's tables (for CSV export later)
    error: str | None = None
    total_ms: float = 0.0

    @field_validator("error")
    @classmethod
    def _no_secrets(cls, value: str | None) -> str | None:
        return scrub(value)

    @property
    def tokens_in(self) -> int:
        return sum(s.tokens_in for s in self.steps)

    @property
    def tokens_out(self) -> int:
        return sum(s.tokens_out for s in self.steps)

    @property
    def cost_usd(self) -> float:
        return sum(s.cost_usd for s in self.steps)


class TraceRecorder:
    """Collects steps for one trace; nodes call ``step()`` around their work."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self._start = time.perf_counter()

    @contextlib.contextmanager
    def step(self, agent: str, kind: str, *, model: str | None = None) -> Iterator[TraceStep]:
        step = TraceStep(agent=agent, kind=kind, model=model, started_at=datetime.now(UTC))
        began = time.perf_counter()
        try:
            yield step
        except Exception as e:
            step.error = type(e).__name__ + (f": {e}" if str(e) else "")
            raise
        finally:
            step.duration_ms = round((time.perf_counter() - began) * 1000, 3)
            self.trace.steps.append(step)

    def finish(self) -> Trace:
        self.trace.total_ms = round((time.perf_counter() - self._start) * 1000, 3)
        return self.trace


def sample(rows: tuple[tuple[Any, ...], ...] | list[list[Any]]) -> list[list[Any]]:
    return [list(r) for r in rows[:SAMPLE_ROWS]]
