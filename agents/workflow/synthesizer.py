"""The synthesizer: the answer, written from the result rows only.

Offline: ``replies.compose``, the deterministic template.  With a model: the model writes
text and caveats from a compact table of the rows (and numbered web results, if any); the
grounding check then verifies every number, and that every place, industry and threshold the
offline reading found in the question is used or named (never a different question).  An
answer that fails is regenerated once with what is wrong named; if it fails again it is
replaced by the deterministic answer, so an invented number or a silently dropped part is never
shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from agents.answer import EngineAnswer, Row
from agents.engine import format as fmt
from agents.engine import replies
from agents.engine.context import context_of
from agents.engine.engine import OewsEngine
from agents.engine.intent import Parsed
from agents.oews.schema import NATIONAL
from agents.research import ResearchHit
from agents.table import Column, Table
from agents.trace import TraceRecorder
from agents.workflow.grounding import Evidence, dropped_parts, evidence, ungrounded
from agents.workflow.llm import ModelCaller, call_tool, tool_schema
from agents.workflow.plan import broadened_lead
from agents.workflow.prompts import research_block, rows_block, template
from agents.workflow.state import Draft, Narrative, StepResult, WorkflowState

GROUNDING_ATTEMPTS = 2
MAX_TABLE_ROWS = 25
LABEL_COLUMNS = ("name", "occupation", "area", "industry")


class AnswerDraft(BaseModel):
    """The arguments of the synthesizer model's ``write_answer`` call."""

    text: str = Field(min_length=1, max_length=1500)
    caveats: list[str] = Field(default_factory=list, max_length=8)


WRITE_ANSWER = tool_schema("write_answer", "Write the answer for the user.", AnswerDraft)


# -- what the synthesizer works from ---------------------------------------------------------------


def framed_results(state: WorkflowState) -> list[StepResult]:
    """The results of offline-framed queries the template answers from: the latest one for an
    offline plan (a replan replaces it), every usable one when a model planned several."""
    framed = [r for r in state.results if r.step.framing is not None]
    usable = [r for r in framed if r.usable]
    return framed[-1:] if state.offline or len(usable) < 2 else usable


def template_answer(state: WorkflowState, parsed: Parsed, framed: list[StepResult]) -> EngineAnswer:
    """``replies.compose`` over each framed result (joined when a model planned several)."""
    answers = [
        replies.compose(parsed, r.step.framing, r.results, state.question) for r in framed if r.step.framing
    ]
    if len(answers) == 1:
        return answers[0]
    return answers[0].model_copy(
        update={
            "text": " ".join(a.text for a in answers),
            "tables": tuple(t for a in answers for t in a.tables),
            "caveats": tuple(dict.fromkeys(c for a in answers for c in a.caveats)),
            "sql": tuple(r for a in answers for r in a.sql),
            "chart": None,
        }
    )


def data_rows(state: WorkflowState) -> list[Row]:
    return [row for r in state.results if r.usable for row in r.rows]


def evidence_for(state: WorkflowState, engine: OewsEngine) -> Evidence:
    texts = [state.question, *(f"{h.title} {h.content}" for h in state.research)]
    return evidence(data_rows(state), texts=texts, years=engine.coverage.all_years)


# -- offline ---------------------------------------------------------------------------------------


def offline_draft(state: WorkflowState, engine: OewsEngine, recorder: TraceRecorder) -> Draft:
    """The deterministic answer over the state's results, built once (``state.draft``) and
    reused until a later step adds results."""
    if state.draft is not None and state.draft.results == state.results:
        return state.draft
    return Draft(offline_answer(state, engine, recorder), state.results)


def offline_answer(state: WorkflowState, engine: OewsEngine, recorder: TraceRecorder) -> EngineAnswer:
    """The deterministic answer: the template over the framed rows, else the engine's own answer
    to the question, else a table of whatever rows there are, else the engine's refusal."""
    parsed = state.parsed or engine.parse(state.question, state.context)
    framed = framed_results(state)
    if framed:
        return template_answer(state, parsed, framed)
    if parsed.intent is not None and not parsed.refusal_kind and not parsed.clarify:
        framing = engine.frame(parsed.intent)
        return replies.compose(parsed, framing, engine.run(framing, recorder), state.question)
    rows = data_rows(state)
    if rows:
        return rows_answer(state, rows, parsed)
    return replies.compose(parsed, None, None, state.question)


def narrative_base(state: WorkflowState, engine: OewsEngine, recorder: TraceRecorder) -> EngineAnswer:
    """The deterministic parts a model's words go with: the template's tables, or the rows'."""
    parsed = state.parsed or Parsed()
    if framed_results(state):
        return offline_draft(state, engine, recorder).answer
    rows = data_rows(state)
    if rows:
        return rows_answer(state, rows, parsed)
    return EngineAnswer(kind="answer", text="", context=_context(parsed))


def rows_answer(state: WorkflowState, rows: Sequence[Row], parsed: Parsed) -> EngineAnswer:
    """Rows no template knows (a model's SQL): a table of the published values, no prose numbers."""
    years = sorted({r["year"] for r in rows if isinstance(r.get("year"), int)})
    when = f" (May {years[0]})" if len(years) == 1 else ""
    results = [r for r in state.results if r.usable]
    return EngineAnswer(
        kind="answer",
        text=f"Here is what the BLS OEWS data shows for your question{when}.",
        tables=(rows_table(rows),),
        sql=tuple(rec for r in results for rec in r.records),
        context=_context(parsed),
    )


def rows_table(rows: Sequence[Row]) -> Table:
    first = rows[0]
    cross_industry = all(r.get("naics") in (None, "000000") for r in rows)
    labels = [c for c in LABEL_COLUMNS if c in first and not (c == "industry" and cross_industry)] or ["year"]
    if "year" in first and "year" not in labels and len({r.get("year") for r in rows}) > 1:
        labels.append("year")
    measures = [m for m in fmt.SHORT if m in first and not m.endswith("_prse")]
    shown = rows[:MAX_TABLE_ROWS]
    return Table(
        columns=(*(Column(name=c.capitalize()) for c in labels), *(fmt.column(m) for m in measures)),
        rows=tuple(
            (*(str(r.get(c, "")) for c in labels), *(fmt.cell(m, r) for m in measures)) for r in shown
        ),
    )


def _context(parsed: Parsed | None) -> dict[str, Any]:
    if parsed is None or parsed.intent is None or parsed.refusal_kind or parsed.clarify:
        return {}
    return context_of(parsed.intent)


# -- with a model ----------------------------------------------------------------------------------


def model_narrative(
    caller: ModelCaller, state: WorkflowState, ev: Evidence, recorder: TraceRecorder
) -> Narrative | None:
    """The model's answer if it passes the grounding check (one regeneration), else None."""
    prompt = _prompt(state)
    feedback = ""
    for attempt in range(1, GROUNDING_ATTEMPTS + 1):
        messages = [SystemMessage(template("synthesizer")), HumanMessage(prompt + feedback)]
        draft = call_tool(caller, messages, WRITE_ANSWER, AnswerDraft, agent="synthesizer")
        written = "\n".join([draft.text, *draft.caveats])
        invented = ungrounded(written, ev)
        dropped = dropped_parts(written, question_parts(state.parsed))
        with recorder.step("synthesizer", "grounding") as step:
            step.detail = f"attempt {attempt}: " + _verdict(invented, dropped)
            if not invented and not dropped:
                return Narrative(draft.text.strip(), tuple(c.strip() for c in draft.caveats if c.strip()))
            step.error = "ungrounded numbers" if invented else "parts of the question not mentioned"
        feedback = _feedback(invented, dropped)
    return None


def _verdict(invented: list[str], dropped: list[str]) -> str:
    if invented:
        return "not in the rows: " + ", ".join(invented[:8])
    if dropped:
        return "not mentioned: " + ", ".join(dropped[:8])
    return "every number is in the rows"


def _feedback(invented: list[str], dropped: list[str]) -> str:
    out = ""
    if invented:
        out += (
            "\n\nYour previous answer used numbers that are not in the rows ("
            + ", ".join(invented[:8])
            + "). Use only numbers from the rows."
        )
    if dropped:
        out += (
            "\n\nYour previous answer does not mention these parts of the question: "
            + ", ".join(dropped[:8])
            + ". Use each, or say plainly that it was not applied (never answer a different question)."
        )
    return out


def question_parts(parsed: Parsed | None) -> list[tuple[str, tuple[str, ...]]]:
    """What the offline reading found in the question that an answer must use or name:
    places, industries, a threshold, the years and the percentiles asked for (each with the ways it
    may be written)."""
    if parsed is None or parsed.intent is None:
        return []
    intent = parsed.intent
    parts = [(a.title, _short_names(a.title)) for a in intent.areas if a.code != NATIONAL]
    parts += [(i.title, _short_names(i.title.split(" - ", 1)[-1])) for i in intent.industries]
    if intent.threshold is not None:
        t = intent.threshold
        parts.append((t.typed or str(t.value), (str(t.value), t.typed)))
    parts += [(f"May {y}", (str(y),)) for y in intent.years]
    for pct in dict.fromkeys(m[-2:] for m in intent.measures if "_pct" in m):
        parts.append((f"the {pct}th percentile", (f"{pct}th", f"{pct} percent", f"{pct}%")))
    return parts


def _short_names(title: str) -> tuple[str, ...]:
    """ "Seattle-Tacoma-Bellevue, WA" -> (..., "Seattle"); "Boise City, ID" -> (..., "Boise")."""
    first = title.replace(",", "-").split("-")[0].split(" (")[0].strip()
    word = first.split()[0] if first else ""
    return tuple(n for n in dict.fromkeys((title, first, word if len(word) >= 4 else "")) if n)


def _prompt(state: WorkflowState) -> str:
    parts = [f"Question: {state.question}"]
    parts += [f"Note: {n}" for n in state.notes]
    for r in state.results:
        if r.usable:
            parts.append(f"Rows for “{r.step.goal}”:\n{rows_block(r.rows)}")
    if block := research_block(state.research):
        parts.append(block)
    return "\n\n".join(parts)


def narrative_answer(state: WorkflowState, narrative: Narrative, base: EngineAnswer) -> EngineAnswer:
    """The model's words over the deterministic parts (tables, SQL, context) of ``base``."""
    caveats = tuple(dict.fromkeys((*narrative.caveats, *base.caveats)))
    return base.model_copy(update={"kind": "answer", "text": narrative.text, "caveats": caveats})


# -- both ------------------------------------------------------------------------------------------


def finish(answer: EngineAnswer, state: WorkflowState) -> EngineAnswer:
    """Add what the workflow itself knows: a replan's lead, notes, web sources, the chart."""
    text, caveats = answer.text, list(answer.caveats)
    framed = next(iter(framed_results(state)[-1:]), None)
    if state.skipped and answer.kind == "answer" and framed and framed.usable and framed.step.framing:
        lead, caveat = broadened_lead(framed.step.framing, state.skipped)
        text, caveats = f"{lead} {text}", [caveat, *caveats]
    if state.research:
        text += "\n\n" + citations(state.research)
        caveats.append("Web sources are not BLS OEWS data and were not checked by oews-bot.")
    caveats += [n for n in state.notes if n not in caveats]
    update: dict[str, Any] = {"text": text, "caveats": tuple(caveats)}
    if state.chart is not None and answer.kind == "answer":
        update["chart"] = state.chart
        update["chart_png"] = state.chart_png
    elif answer.chart is not None and answer.chart != state.chart:
        update["chart"] = None  # no chart spec the chart agent did not validate
    return answer.model_copy(update=update)


def citations(hits: Sequence[ResearchHit]) -> str:
    lines = ["From the web (not OEWS data):"]
    for i, h in enumerate(hits, 1):
        snippet = h.content[:200] + ("…" if len(h.content) > 200 else "")
        lines.append(f"[{i}] {h.title or h.url}: {snippet} <{h.url}>")
    return "\n".join(lines)
