"""Block Kit for answers and the short messages around them.

Everything here is a pure function of neutral types (``Answer``, ``Table``...) and stays
within Slack's limits: 50 blocks per message, 3,000 characters per section text, 10
elements per context block, 25 elements per actions block, 75 characters per button label
and 2,000 per button value.
"""

from __future__ import annotations

from typing import Any

from agents.models import Clarification, Table
from bot.types import Answer

Block = dict[str, Any]

SECTION_LIMIT = 3000
TEXT_SECTIONS = 3  # an answer longer than 9,000 characters is cut
MAX_TABLES = 3
BUTTON_LABEL_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000
MAX_OPTIONS = 20
FALLBACK_LIMIT = 3000

ACTION_TRACE = "oews_trace"
ACTION_UP = "oews_feedback_up"
ACTION_DOWN = "oews_feedback_down"
ACTION_CLARIFY = "oews_clarify"  # + "_<n>": action ids are unique within a message

WORKING_TEXT = ":hourglass_flowing_sand: Looking that up…"
EXAMPLES = (
    "What do registered nurses make in Seattle?",
    "Median pay for electricians in Texas",
    "Top 10 highest paying occupations",
    "How has software developer pay changed since 2019?",
    "90th percentile wage of accountants in New York",
)
_FEEDBACK_STATUSES = ("answer", "clarification", "not_found", "refusal")


def escape(text: str) -> str:
    """Slack mrkdwn treats ``&``, ``<`` and ``>`` as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}}


def context(*texts: str) -> Block:
    elements = [{"type": "mrkdwn", "text": clip(t, SECTION_LIMIT)} for t in texts[:10] if t]
    return {"type": "context", "elements": elements}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": clip(text, BUTTON_LABEL_LIMIT), "emoji": True},
        "value": value[:BUTTON_VALUE_LIMIT],
    }
    if style:
        element["style"] = style
    return element


def answer_blocks(answer: Answer, *, asked_by: str | None = None, question: str | None = None) -> list[Block]:
    """One message: text, tables, clarification buttons, caveats, trace id and actions."""
    blocks: list[Block] = []
    if asked_by and question is not None:
        blocks.append(context(f"<@{asked_by}> asked: {escape(clip(question, 500))}"))
    blocks.extend(text_sections(answer.text))
    blocks.extend(table_section(t) for t in answer.tables[:MAX_TABLES] if len(t.rows) > 1)
    if answer.clarification is not None and answer.clarification.options:
        blocks.append(clarification_actions(answer.clarification))
    if answer.caveats:
        blocks.append(context(*(f"⚠️ {escape(c)}" for c in answer.caveats)))
    if answer.status in _FEEDBACK_STATUSES:
        blocks.append(context(f"Source: BLS OEWS · trace `{answer.trace_id}`"))
        blocks.append(answer_actions(answer.trace_id))
    else:
        blocks.append(context(f"trace `{answer.trace_id}`"))
    return blocks


def text_sections(text: str) -> list[Block]:
    body = escape(text.strip()) or "_(no answer text)_"
    chunks = [body[i : i + SECTION_LIMIT] for i in range(0, len(body), SECTION_LIMIT)]
    if len(chunks) > TEXT_SECTIONS:
        chunks = chunks[:TEXT_SECTIONS]
        chunks[-1] = clip(chunks[-1], SECTION_LIMIT - 20) + " _(cut)_"
    return [section(c) for c in chunks]


def table_section(table: Table) -> Block:
    """A monospace table, as many rows as fit in one section."""
    header = f"*{escape(table.title)}*\n" if table.title else ""
    budget = SECTION_LIMIT - len(header) - 60
    lines = format_table(table)
    shown: list[str] = []
    for line in lines:
        if sum(len(s) + 1 for s in shown) + len(line) + 1 > budget:
            break
        shown.append(line)
    hidden = len(lines) - len(shown)
    more = f"\n_…and {hidden} more rows_" if hidden else ""
    body = escape("\n".join(shown))
    return section(f"{header}```\n{body}\n```{more}")


def format_table(table: Table) -> list[str]:
    """Header, rule and rows, padded; numbers (cells ending in a digit or %) right-aligned."""
    rows = [tuple(table.columns), *table.rows]
    widths = [max(len(r[i]) if i < len(r) else 0 for r in rows) for i in range(len(table.columns))]
    numeric = [all(_looks_numeric(r[i]) for r in table.rows if i < len(r)) for i in range(len(widths))]

    def line(cells: tuple[str, ...]) -> str:
        padded = []
        for i, width in enumerate(widths):
            cell = cells[i] if i < len(cells) else ""
            padded.append(cell.rjust(width) if numeric[i] else cell.ljust(width))
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return [line(rows[0]), rule, *(line(r) for r in rows[1:])]


def _looks_numeric(cell: str) -> bool:
    stripped = cell.strip().lstrip("$").replace(",", "").rstrip("%")
    return bool(stripped) and stripped.replace(".", "", 1).isdigit()


def clarification_actions(clarification: Clarification) -> Block:
    elements = [
        button(option.label, f"{ACTION_CLARIFY}_{n}", option.question)
        for n, option in enumerate(clarification.options[:MAX_OPTIONS])
    ]
    return {"type": "actions", "block_id": "oews_clarify", "elements": elements}


def answer_actions(trace_id: str) -> Block:
    return {
        "type": "actions",
        "block_id": "oews_answer_actions",
        "elements": [
            button("Show trace", ACTION_TRACE, trace_id),
            button(":+1:", ACTION_UP, trace_id),
            button(":-1:", ACTION_DOWN, trace_id),
        ],
    }


def fallback_text(answer: Answer) -> str:
    """The plain ``text`` of a message: notifications and screen readers."""
    return clip(answer.text.strip() or "OEWS answer", FALLBACK_LIMIT)


def notice_blocks(text: str) -> list[Block]:
    return [section(escape(text))]


def chosen_blocks(original: list[Block], user: str, label: str) -> list[Block]:
    """The clarification message after a click: its buttons replaced by who chose what."""
    kept = [b for b in original if b.get("block_id") != "oews_clarify"]
    return [*kept, context(f"<@{user}> chose *{escape(clip(label, 200))}*")]


def help_blocks(command: str = "/oews") -> list[Block]:
    examples = "\n".join(f"• `{command} {e}`" for e in EXAMPLES)
    return [
        section(
            f"*Ask me about U.S. jobs and pay* (BLS Occupational Employment and Wage Statistics).\n{examples}"
        ),
        section(
            "*Options*\n"
            f"• `{command} -p …` or `--private`: only you see the answer\n"
            f"• `{command} --model NAME …` / `--reasoning-model NAME …`: choose the models\n"
            f"• `{command} help`: this message\n"
            "You can also mention me in a channel, send me a direct message, and ask follow-ups "
            'in the thread of an answer ("and in Portland, OR?").'
        ),
    ]
