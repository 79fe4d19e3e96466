"""The text-to-SQL agent.

Offline: the step carries the engine's prepared queries (``Framing``) and they run through the
gateway; a step without them (a model planner with the offline engine as implementation
model) is read by the offline parser.  With a model: a bounded tool loop over ``resolve``
(the fuzzy entity resolver), ``glossary`` (BLS terms) and ``run_sql`` (the SQL gateway, the
only way SQL runs).  Database errors go back to the model for repair, at most
``MAX_SQL_ERRORS`` times; the step ends at the first statement that runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import BaseModel, Field, ValidationError

from agents.engine.engine import OewsEngine
from agents.engine.framing import Results, run_traced
from agents.errors import SqlError
from agents.trace import TraceRecorder
from agents.workflow.llm import ModelCaller, tool_schema
from agents.workflow.prompts import sql_system
from agents.workflow.state import SqlDraft, Step, StepResult

logger = logging.getLogger(__name__)

MAX_ROUNDS = 6
MAX_SQL_ERRORS = 3
MAX_MATCHES = 5

GLOSSARY = {
    "location quotient": "loc_quotient: the occupation's share of jobs in the area divided by its share "
    "nationally; above 1 means more concentrated than in the nation.",
    "jobs per 1,000": "jobs_1000: jobs in the occupation per 1,000 jobs of all kinds in the area.",
    "top-coded": "flag '#': the wage is at or above the BLS top-code ($239,200 a year / $115.00 an hour "
    "in 2022-2025; $208,000 / $100.00 before); no exact value is published.",
    "not published": "flag '*' (wage) or '**' (employment): BLS did not publish the value.",
    "hybrid soc": "2019-2020 use some hybrid SOC codes (e.g. 15-1256 for software developers); later "
    "years use the 2018 SOC codes.",
    "o_group": "SOC level: total, major, minor, broad, detailed. Rank and compare detailed occupations.",
    "nonmetro": "nonmetropolitan areas: the rural parts of a state (7-digit codes), kind = 'nonmetro'.",
    "annual_only": "1 when BLS publishes only annual wages (e.g. teachers); hourly wages are '*'.",
    "prse": "emp_prse / mean_prse: relative standard error in percent; above 20 is less reliable.",
    "percentile": "h_pct10 … h_pct90 / a_pct10 … a_pct90: 10% of workers earn less than pct10.",
    "cross-industry": "naics '000000': all industries together; the default.",
}


class ResolveArgs(BaseModel):
    kind: Literal["occupation", "area", "industry"]
    phrase: str = Field(min_length=1, max_length=120, description="as the user wrote it")


class GlossaryArgs(BaseModel):
    term: str = Field(min_length=1, max_length=60)


class RunSqlArgs(BaseModel):
    sql: str = Field(min_length=1, max_length=4000, description="one SELECT with ? placeholders")
    params: list[str | int | float] = Field(default_factory=list, description="the placeholder values")


TOOLS = [
    tool_schema(
        "resolve",
        "Find the OEWS code of an occupation, area or industry (fuzzy: nicknames, "
        "misspellings, SOC/NAICS codes).",
        ResolveArgs,
    ),
    tool_schema("glossary", "Explain a BLS/OEWS term or column.", GlossaryArgs),
    tool_schema(
        "run_sql", "Run one read-only SELECT through the SQL gateway and return its rows.", RunSqlArgs
    ),
]


# -- offline ---------------------------------------------------------------------------------------


def offline_sql(step: Step, engine: OewsEngine, recorder: TraceRecorder) -> StepResult:
    framing = step.framing
    if framing is None:
        parsed = engine.parse(step.goal)
        if parsed.intent is None or parsed.refusal_kind or parsed.clarify:
            return StepResult(step, error="the offline engine could not read this step's goal")
        framing = engine.frame(parsed.intent)
        step = Step(step.id, step.agent, step.goal, framing)
    return StepResult(step, engine.run(framing, recorder))  # database errors propagate: no model to fix them


# -- with a model ----------------------------------------------------------------------------------


@dataclass
class _Run:
    """One agent run: the conversation so far, the errors, and the result when there is one."""

    messages: list[BaseMessage]
    sql_errors: int = 0
    results: Results | None = None
    problems: list[str] = field(default_factory=list)


def model_sql(
    step: Step, question: str, caller: ModelCaller, engine: OewsEngine, recorder: TraceRecorder
) -> StepResult:
    """Let the model resolve, write and repair SQL for ``step``; bounded rounds and repairs."""
    coverage = engine.coverage
    run = _Run(
        [
            SystemMessage(sql_system(coverage.describe(), coverage.latest, engine.gateway.dialect)),
            HumanMessage(f"Goal: {step.goal}\nThe user's question, for context: {question}"),
        ]
    )
    for _ in range(MAX_ROUNDS):
        reply = caller.call(run.messages, TOOLS, agent="text_to_sql")
        run.messages.append(reply)
        _answer_calls(reply, run, engine, recorder, caller.name)
        if run.results is not None:
            return StepResult(step, run.results)
        if run.sql_errors >= MAX_SQL_ERRORS:
            return StepResult(
                step, error=f"SQL still failing after {MAX_SQL_ERRORS} repairs: {run.problems[-1]}"
            )
    return StepResult(step, error=f"no statement ran within {MAX_ROUNDS} model turns")


def _answer_calls(
    reply: AIMessage, run: _Run, engine: OewsEngine, recorder: TraceRecorder, model: str
) -> None:
    if not reply.tool_calls and not reply.invalid_tool_calls:
        run.messages.append(HumanMessage("Call run_sql with your statement; do not answer in text."))
        return
    for bad in reply.invalid_tool_calls:
        run.messages.append(
            ToolMessage(
                f"The arguments of {bad.get('name')} were not valid JSON; call it again with a JSON object.",
                tool_call_id=bad.get("id") or "",
            )
        )
    for call in reply.tool_calls:
        if run.results is not None:
            return
        text = _tool(call["name"], call["args"], run, engine, recorder, model)
        run.messages.append(ToolMessage(text, tool_call_id=call.get("id") or ""))


def _tool(
    name: str, args: dict[str, Any], run: _Run, engine: OewsEngine, recorder: TraceRecorder, model: str
) -> str:
    try:
        if name == "resolve":
            return resolve(engine, ResolveArgs.model_validate(args))
        if name == "glossary":
            return glossary(GlossaryArgs.model_validate(args).term)
        if name == "run_sql":
            parsed = RunSqlArgs.model_validate(args)
            return _run_sql(SqlDraft(parsed.sql, tuple(parsed.params)), run, engine, recorder, model)
    except ValidationError as e:
        return f"Invalid arguments for {name}: {e.errors()[0]['msg']}. Call it again."
    return f"Unknown tool {name!r}. The tools are: resolve, glossary, run_sql."


def resolve(engine: OewsEngine, args: ResolveArgs) -> str:
    resolution = getattr(engine.resolver, args.kind)(args.phrase)
    if not resolution.found:
        return f"No {args.kind} matches {args.phrase!r}. Try another wording or a code."
    lines = [_describe(m.entity) + f" (score {m.score:.0f})" for m in resolution.matches[:MAX_MATCHES]]
    head = "Ambiguous; candidates" if resolution.ambiguous else "Matches, best first"
    return f"{head}:\n" + "\n".join(lines)


def _describe(entity: Any) -> str:
    kind = getattr(entity, "kind", None) or getattr(entity, "o_group", None) or getattr(entity, "i_group", "")
    return f"{entity.code} | {entity.title} | {kind}"


def glossary(term: str) -> str:
    key = term.strip().lower()
    hits = [f"{k}: {v}" for k, v in GLOSSARY.items() if key in k or k in key]
    return "\n".join(hits) if hits else "Unknown term. Known terms: " + ", ".join(GLOSSARY)


def _run_sql(draft: SqlDraft, run: _Run, engine: OewsEngine, recorder: TraceRecorder, model: str) -> str:
    try:
        result = run_traced(engine.gateway, draft.sql, draft.params, recorder, model=model)
    except SqlError as e:
        run.sql_errors += 1
        run.problems.append(f"{type(e).__name__}: {e}")
        logger.info("model SQL failed (%s), asking for a repair", type(e).__name__)
        return f"SQL error ({type(e).__name__}): {e}. Fix the statement and call run_sql again."
    run.results = Results()
    run.results.add(result)
    return f"{len(result.rows)} rows."
