"""The App Home tab: what to ask, what data is loaded, how traces work, your own usage."""

from __future__ import annotations

from typing import Any

from adapters.slack.blocks import EXAMPLES, Block, context, escape, section
from bot.store import UsageRow


def home_view(*, vintage: str | None, today: UsageRow | None, total: UsageRow | None) -> dict[str, Any]:
    examples = "\n".join(f"• {e}" for e in EXAMPLES)
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": "U.S. jobs and pay, from BLS OEWS"}},
        section(
            "Ask me about wages and employment by occupation for the nation, states and metro areas. "
            "Mention me in a channel, send me a direct message, or use `/oews`. "
            "Follow-up questions in the thread of an answer keep its context.\n\n"
            f"*Try*\n{examples}"
        ),
        {"type": "divider"},
        section(f"*Data*\n{escape(vintage or 'The data vintage is not available right now.')}"),
        section(
            "*Traces*\nEvery answer has a trace id and a *Show trace* button: it shows the plan, "
            "each step with its model and duration, the SQL with its parameters and row counts, "
            "and the time taken. Only people in this workspace can open it, and nothing is re-run."
        ),
        {"type": "divider"},
        section(f"*Your usage*\n{_usage_line('Today', today)}\n{_usage_line('All time', total)}"),
        context(
            "Numbers come from the Bureau of Labor Statistics' Occupational Employment and Wage Statistics."
        ),
    ]
    return {"type": "home", "blocks": blocks}


def _usage_line(label: str, row: UsageRow | None) -> str:
    if row is None or row.questions == 0:
        return f"{label}: no questions yet"
    return (
        f"{label}: {_count(row.questions, 'question')}, {_count(row.answers, 'answer')}"
        f" · average {row.avg_latency_ms:,.0f} ms"
    )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
