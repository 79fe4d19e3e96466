"""The "Show trace" modal: a stored trace, readable and within Slack's limits.

A modal holds at most 100 blocks and 3,000 characters per section; SQL and sample rows are
cut to fit, and when a trace has more steps than fit the rest is summarised in one line.
"""

from __future__ import annotations

import json
from typing import Any

from adapters.slack.blocks import SECTION_LIMIT, Block, clip, context, escape, section
from agents.trace import Plan, Trace, TraceStep

MODAL_BLOCKS = 100
STEP_BLOCKS_BUDGET = 80  # leaves room for the header, plan, replans and totals
SQL_LIMIT = 1800
PARAMS_LIMIT = 600
TITLE_LIMIT = 24


def trace_modal(trace: Trace) -> dict[str, Any]:
    blocks = [*_summary(trace), *_plan(trace.plan), *_replans(trace), *_steps(trace.steps)]
    if trace.error:
        blocks.append(section(f"*Error:* {escape(clip(trace.error, 500))}"))
    return _modal(f"Trace {trace.id}", blocks[:MODAL_BLOCKS])


def not_found_modal(trace_id: str) -> dict[str, Any]:
    text = (
        f"I couldn't find trace `{escape(clip(trace_id, 60))}` in this workspace. "
        "Traces are only shown in the workspace where the question was asked."
    )
    return _modal("Trace not found", [section(text)])


def trace_error_modal(trace_id: str) -> dict[str, Any]:
    text = f"I couldn't load trace `{escape(clip(trace_id, 60))}` right now. Please try again in a moment."
    return _modal("Trace unavailable", [section(text)])


def _modal(title: str, blocks: list[Block]) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": clip(title, TITLE_LIMIT)},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": blocks,
    }


def _summary(trace: Trace) -> list[Block]:
    models = ", ".join(f"{role}: {name}" for role, name in trace.models.items()) or "n/a"
    when = trace.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    return [
        section(f"*Question*\n{escape(clip(trace.question, 1500))}"),
        context(
            f"Trace `{trace.id}` · {when}",
            f"*Total* {trace.total_ms:,.0f} ms · *tokens* {trace.tokens_in:,} in / {trace.tokens_out:,} out"
            f" · *cost* ${trace.cost_usd:.4f}",
            f"*Models* {escape(models)} · *answer* {escape(trace.answer_kind or 'n/a')}",
        ),
        {"type": "divider"},
    ]


def _plan(plan: Plan | None) -> list[Block]:
    if plan is None:
        return [section("*Plan*\n_no plan was recorded_")]
    steps = "\n".join(f"{s.id}. `{escape(s.agent)}`: {escape(s.goal)}" for s in plan.steps)
    rationale = f" · {escape(plan.rationale)}" if plan.rationale else ""
    return [section(f"*Plan* ({escape(plan.source)}{rationale})\n{steps}")]


def _replans(trace: Trace) -> list[Block]:
    if not trace.replans:
        return []
    lines = "\n".join(f"• attempt {r.attempt}: {escape(clip(r.reason, 300))}" for r in trace.replans)
    return [section(f"*Replans*\n{lines}")]


def _steps(steps: list[TraceStep]) -> list[Block]:
    blocks: list[Block] = [section(f"*Steps* ({len(steps)})")]
    for n, step in enumerate(steps, start=1):
        rendered = _step(n, step)
        if len(blocks) + len(rendered) > STEP_BLOCKS_BUDGET:
            blocks.append(
                context(f"…{len(steps) - n + 1} more steps not shown; `oews-bot trace` prints all.")
            )
            break
        blocks.extend(rendered)
    return blocks


def _step(n: int, step: TraceStep) -> list[Block]:
    head = (
        f"*{n}. {escape(step.agent)}* · {escape(step.kind)} · {escape(step.model or 'no model')}"
        f" · {step.duration_ms:,.1f} ms"
    )
    facts = _step_facts(step)
    blocks = [section(head + (f"\n{facts}" if facts else ""))]
    if step.sql:
        blocks.append(section(_sql_text(step)))
    if step.sample_rows:
        rows = "\n".join(json.dumps(r, default=str, ensure_ascii=False) for r in step.sample_rows)
        blocks.append(section(f"Sample rows\n```\n{escape(clip(rows, SECTION_LIMIT - 40))}\n```"))
    return blocks


def _step_facts(step: TraceStep) -> str:
    facts = []
    if step.row_count is not None:
        facts.append(f"{step.row_count:,} rows" + (" (truncated)" if step.truncated else ""))
    if step.tokens_in or step.tokens_out:
        facts.append(f"{step.tokens_in:,}/{step.tokens_out:,} tokens, ${step.cost_usd:.4f}")
    if step.detail:
        facts.append(escape(clip(step.detail, 500)))
    if step.error:
        facts.append(f":warning: {escape(clip(step.error, 500))}")
    return " · ".join(facts)


def _sql_text(step: TraceStep) -> str:
    sql = escape(clip(step.sql or "", SQL_LIMIT))
    params = escape(clip(json.dumps(step.params, default=str, ensure_ascii=False), PARAMS_LIMIT))
    return f"```\n{sql}\n```\nParameters: `{params}`"
