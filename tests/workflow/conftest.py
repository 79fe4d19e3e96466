"""Fixtures for the workflow tests: one real engine, and a fake OpenAI-compatible server.

``script`` builds a per-role script for the fake: each role (planner, text_to_sql, chart,
synthesizer) gets a list of replies used in order; the last one repeats.  A reply may also be a
function of the request, for answers that depend on what the model was sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from agents.trace import Trace
from agents.workflow.config import WorkflowConfig
from agents.workflow.graph import Workflow
from tests.workflow.fake_llm import FakeLLM, Reply, Request, content, tool

ReplyLike = Reply | Callable[[Request], Reply]


class Script:
    """Replies per role, in order; the last reply of a role repeats."""

    def __init__(self, **roles: list[ReplyLike]) -> None:
        self.roles = {role: list(replies) for role, replies in roles.items()}
        self.served: dict[str, int] = {}

    def __call__(self, request: Request) -> Reply:
        replies = self.roles.get(request.role)
        if not replies:
            return content(f"no script for {request.role}")
        n = self.served.get(request.role, 0)
        self.served[request.role] = n + 1
        reply = replies[min(n, len(replies) - 1)]
        return reply(request) if callable(reply) else reply


@pytest.fixture
def fake() -> Iterator[Callable[..., FakeLLM]]:
    """``fake(**roles)`` starts a fake server scripted per role (see ``Script``)."""
    started: list[FakeLLM] = []

    def start(**roles: list[ReplyLike]) -> FakeLLM:
        server = FakeLLM(Script(**roles)).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def model_config(server: FakeLLM, **changes: Any) -> WorkflowConfig:
    """A config whose default provider is the fake (no key: an OpenAI-compatible local server)."""
    settings: dict[str, Any] = {
        "base_url": server.base_url,
        "api_key": "test",
        "timeout_s": 5.0,
        "reasoning_model": "gpt-4.1",
        "implementation_model": "gpt-4.1-mini",
    }
    settings.update(changes)
    return WorkflowConfig(**settings)


def ask(workflow: Workflow, question: str, **kwargs: Any) -> tuple[Any, Trace]:
    trace = Trace()
    answer = workflow.run(question, trace=trace, render_chart=kwargs.pop("render_chart", False), **kwargs)
    return answer, trace


def plan(*steps: tuple[str, str], **extra: Any) -> Reply:
    return tool("submit_plan", steps=[{"agent": a, "goal": g} for a, g in steps], **extra)


def run_sql(sql: str, *params: Any) -> Reply:
    return tool("run_sql", sql=sql, params=list(params))


def write(text: str, *caveats: str) -> Reply:
    return tool("write_answer", text=text, caveats=list(caveats))


LOOKUP_SQL = (
    "SELECT f.year, f.area_code, a.title AS area, f.occ_code, o.title AS occupation, f.naics, "
    "f.a_median, f.a_median_flag, f.tot_emp, f.tot_emp_flag, f.annual_only, f.hourly_only "
    "FROM facts f JOIN areas a ON a.area_code = f.area_code JOIN occupations o ON o.occ_code = f.occ_code "
    "WHERE f.year = ? AND f.naics = ? AND f.area_code = ? AND f.occ_code = ?"
)
