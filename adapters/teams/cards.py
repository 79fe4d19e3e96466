"""Adaptive Cards (plain JSON) for answers, clarifications and traces.

Pure functions from the neutral ``Answer`` / ``Trace`` to card dicts: no SDK types here.
Every ``Action.Submit`` carries ``{"oews": <action>, "trace_id": ...}`` (see ``incoming``).
Teams caps a message at about 28 KB, so cards are measured and trimmed to ``CARD_LIMIT``.
"""

from __future__ import annotations

import json
from typing import Any

from adapters.teams.chart_images import ChartImage
from agents.table import Table, is_numeric
from agents.trace import Trace, TraceStep
from bot.types import Answer

Card = dict[str, Any]
Element = dict[str, Any]

CARD_LIMIT = 26_000  # characters of card JSON; Teams rejects messages over ~28 KB in all
MAX_TABLE_ROWS = 20
MAX_CELL_CHARS = 80
MAX_OPTIONS = 6
MAX_SQL_CHARS = 1_500
MAX_PARAMS_CHARS = 300
CHART_MISSING = "Chart not available in Teams: it is too large to embed in a card."


def card_size(card: Card) -> int:
    return len(json.dumps(card, ensure_ascii=False))


def _card(body: list[Element], actions: list[Element] | None = None) -> Card:
    card: Card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "msteams": {"width": "Full"},
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def _text(text: str, **style: Any) -> Element:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _submit(title: str, data: dict[str, str]) -> Element:
    return {"type": "Action.Submit", "title": title, "data": data}


# -- answers -----------------------------------------------------------------------------------------


def answer_card(answer: Answer, *, chart: ChartImage | None = None, chart_missing: bool = False) -> Card:
    """Text, tables, chart, caveats, trace id, and the Show trace / 👍 / 👎 actions."""
    body = [_text(answer.text)]
    for table in answer.tables:
        body.extend(table_elements(table))
    if chart is not None:
        body.append(
            {"type": "Image", "url": chart.url, "altText": answer.chart_title or "Chart", "size": "Stretch"}
        )
    elif chart_missing:
        body.append(_text(CHART_MISSING, isSubtle=True, size="Small"))
    body.extend(
        _text(f"• {caveat}", isSubtle=True, size="Small", spacing="Small") for caveat in answer.caveats
    )
    body.append(_text(f"Source: BLS OEWS · trace {answer.trace_id}", isSubtle=True, size="Small"))
    body.extend(reshape_elements(answer))
    subscribe = answer.status == "answer" and not answer.private
    return _card(body, answer_actions(answer.trace_id, csv=bool(answer.tables), subscribe=subscribe))


def answer_actions(trace_id: str, *, csv: bool = False, subscribe: bool = False) -> list[Element]:
    actions = [
        _submit("Show trace", {"oews": "show_trace", "trace_id": trace_id}),
        _submit("👍", {"oews": "feedback", "vote": "up", "trace_id": trace_id}),
        _submit("👎", {"oews": "feedback", "vote": "down", "trace_id": trace_id}),
    ]
    if csv:
        actions.append(_submit("CSV", {"oews": "csv", "trace_id": trace_id}))
    if subscribe:
        actions.append(_submit("🔔 Notify me of new data", {"oews": "subscribe", "trace_id": trace_id}))
    return actions


RESHAPE_GROUPS = {"place": "Place", "year": "Year", "measure": "Measure", "view": "Show"}


def reshape_elements(answer: Answer) -> list[Element]:
    """A "change one thing" menu (place, year, measure) and the suggested follow-ups as buttons;
    either asks its question again in this thread."""
    elements: list[Element] = []
    if answer.reshapes:
        choices = [
            {"title": f"{RESHAPE_GROUPS[r.kind]}: {r.label}"[:80], "value": r.question}
            for r in answer.reshapes
        ]
        elements.append(
            {
                "type": "ColumnSet",
                "columns": [
                    {
                        "type": "Column",
                        "width": "stretch",
                        "items": [
                            {
                                "type": "Input.ChoiceSet",
                                "id": "reshape",
                                "style": "compact",
                                "placeholder": "Change the place, year, measure or view…",
                                "choices": choices,
                            }
                        ],
                    },
                    {
                        "type": "Column",
                        "width": "auto",
                        "items": [
                            {
                                "type": "ActionSet",
                                "actions": [_submit("Ask", {"oews": "reshape", "trace_id": answer.trace_id})],
                            }
                        ],
                    },
                ],
            }
        )
    if answer.followups:
        buttons = [
            _submit(f.label[:40], {"oews": "reshape", "trace_id": answer.trace_id, "reshape": f.question})
            for f in answer.followups
        ]
        elements.append(_text("Next questions", size="Small", weight="Bolder", spacing="Medium"))
        elements.append({"type": "ActionSet", "actions": buttons})
    return elements


def clarification_card(answer: Answer) -> Card:
    """The clarifying question with one button per option; a click asks ``option.question``."""
    assert answer.clarification is not None
    options = answer.clarification.options[:MAX_OPTIONS]
    actions = [
        _submit(
            option.label[:60], {"oews": "clarify", "trace_id": answer.trace_id, "question": option.question}
        )
        for option in options
    ]
    return _card([_text(answer.text)], actions)


def table_elements(table: Table) -> list[Element]:
    """An Adaptive Card ``Table`` (header row + at most MAX_TABLE_ROWS rows)."""
    rows = table.text_rows()[:MAX_TABLE_ROWS]
    widths = [_column_width(c.name, [r[i] for r in rows if i < len(r)]) for i, c in enumerate(table.columns)]
    right = [is_numeric(c) for c in table.columns]
    elements: list[Element] = []
    if table.title:
        elements.append(_text(table.title, weight="Bolder", spacing="Medium"))
    elements.append(
        {
            "type": "Table",
            "firstRowAsHeaders": True,
            "showGridLines": False,
            "columns": [{"width": w} for w in widths],
            "rows": [_row(table.names, [False] * len(right), header=True), *(_row(r, right) for r in rows)],
        }
    )
    if len(table.rows) > len(rows):
        elements.append(
            _text(f"… {len(table.rows) - len(rows)} more rows not shown.", isSubtle=True, size="Small")
        )
    return elements


def _row(cells: tuple[str, ...], right: list[bool], *, header: bool = False) -> Element:
    def cell(value: str, align_right: bool) -> Element:
        block = _text(value[:MAX_CELL_CHARS], size="Small")
        if header:
            block["weight"] = "Bolder"
        if align_right:
            block["horizontalAlignment"] = "Right"
        return {"type": "TableCell", "items": [block]}

    return {"type": "TableRow", "cells": [cell(c, r) for c, r in zip(cells, right, strict=False)]}


def _column_width(header: str, values: list[str]) -> int:
    longest = max([len(header), *(len(v) for v in values)])
    return max(1, min(4, round(longest / 8)))


# -- traces ------------------------------------------------------------------------------------------


def trace_card(trace: Trace, *, limit: int = CARD_LIMIT) -> Card:
    """The stored trace: summary facts, plan, replans, then steps until the card is full."""
    body = [
        _text(f"Trace {trace.id}", weight="Bolder", size="Medium"),
        _text(f"“{trace.question[:300]}”", isSubtle=True),
        {"type": "FactSet", "facts": _trace_facts(trace)},
    ]
    body.extend(_plan_elements(trace))
    body.append(_text("Steps", weight="Bolder", spacing="Medium"))
    card = _card(body)
    for shown, step in enumerate(trace.steps):
        blocks = _step_elements(shown + 1, step)
        if card_size(card) + card_size({"b": blocks}) > limit - 300:
            body.append(
                _text(
                    f"… {len(trace.steps) - shown} more steps not shown; run `oews-bot trace "
                    f"{trace.id}` for all of them.",
                    isSubtle=True,
                    size="Small",
                )
            )
            break
        body.extend(blocks)
    return card


def _trace_facts(trace: Trace) -> list[dict[str, str]]:
    facts = [
        ("Answer", trace.answer_kind or "-"),
        ("Models", ", ".join(f"{role}: {model}" for role, model in trace.models.items()) or "-"),
        ("Total time", f"{trace.total_ms:,.0f} ms"),
        ("Tokens", f"{trace.tokens_in:,} in / {trace.tokens_out:,} out"),
        ("Cost", f"${trace.cost_usd:.4f}"),
        ("Asked", trace.created_at.strftime("%Y-%m-%d %H:%M UTC")),
    ]
    if trace.error:
        facts.append(("Error", trace.error[:300]))
    return [{"title": title, "value": value} for title, value in facts]


def _plan_elements(trace: Trace) -> list[Element]:
    elements: list[Element] = []
    if trace.plan is not None:
        lines = [f"{s.id}. {s.agent}: {s.goal}" for s in trace.plan.steps]
        rationale = f" ({trace.plan.rationale})" if trace.plan.rationale else ""
        elements.append(_text(f"Plan by {trace.plan.source}{rationale}", weight="Bolder", spacing="Medium"))
        elements.append(_text("\r".join(lines)[:2_000], size="Small"))
    for replan in trace.replans:
        elements.append(
            _text(f"Replan {replan.attempt}: {replan.reason[:300]}", size="Small", color="Warning")
        )
    return elements


def _step_elements(n: int, step: TraceStep) -> list[Element]:
    parts = [f"{n}. {step.agent} · {step.kind}", step.model or "", f"{step.duration_ms:,.1f} ms"]
    if step.row_count is not None:
        parts.append(f"{step.row_count:,} rows" + (" (truncated)" if step.truncated else ""))
    if step.tokens_in or step.tokens_out:
        parts.append(f"{step.tokens_in + step.tokens_out:,} tokens, ${step.cost_usd:.4f}")
    blocks = [_text(" · ".join(p for p in parts if p), weight="Bolder", size="Small", spacing="Medium")]
    if step.detail:
        blocks.append(_text(step.detail[:300], size="Small", isSubtle=True, spacing="None"))
    if step.sql:
        blocks.append(_text(_clip(step.sql, MAX_SQL_CHARS), fontType="Monospace", size="Small"))
        if step.params:
            params = json.dumps(step.params, default=str, ensure_ascii=False)
            blocks.append(
                _text("params: " + _clip(params, MAX_PARAMS_CHARS), fontType="Monospace", size="Small")
            )
    if step.error:
        blocks.append(_text(step.error[:500], color="Attention", size="Small"))
    return blocks


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
