"""Block Kit for answers and the short messages around them.

Everything here is a pure function of neutral types (``Answer``, ``Table``...) and stays
within Slack's limits: 50 blocks per message, 3,000 characters per section text, 10
elements per context block, 25 elements per actions block, 75 characters per button label
and 2,000 per button value.
"""

from __future__ import annotations

from typing import Any

from agents.answer import Clarification, ClarifyOption, Reshape
from agents.table import Table, is_numeric
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
ACTION_RESHAPE = "oews_reshape"  # the "change this answer" menu
ACTION_FOLLOWUP = "oews_followup"  # + "_<n>": a suggested next question
ACTION_SUBSCRIBE = "oews_subscribe"  # "Notify me of new data"
RESHAPE_BLOCK = "oews_reshape"  # + ":<trace id>": the answer a control belongs to
FOLLOWUP_BLOCK = "oews_followups"  # + ":<trace id>"
ASK_PREFIX = "ask:"  # a menu option that asks its question (the rest of the value)
CSV_VALUE = "csv"  # the menu option that attaches the answer's table as a CSV file
OPTION_TEXT_LIMIT = 75
OPTION_VALUE_LIMIT = 150
RESHAPE_GROUPS = (
    ("place", "Another place"),
    ("year", "Another year"),
    ("measure", "Another measure"),
    ("view", "Show it"),
)

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
        blocks.extend(reshape_controls(answer))
        blocks.append(context(f"Source: BLS OEWS · trace `{answer.trace_id}`"))
        blocks.append(answer_actions(answer.trace_id, subscribe=_reshapeable(answer)))
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
    """Header, rule and rows, padded; numeric columns right-aligned."""
    rows = [table.names, *table.text_rows()]
    widths = [max(len(r[i]) if i < len(r) else 0 for r in rows) for i in range(len(table.columns))]
    numeric = [is_numeric(c) for c in table.columns]

    def line(cells: tuple[str, ...]) -> str:
        padded = []
        for i, width in enumerate(widths):
            cell = cells[i] if i < len(cells) else ""
            padded.append(cell.rjust(width) if numeric[i] else cell.ljust(width))
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return [line(rows[0]), rule, *(line(r) for r in rows[1:])]


def clarification_actions(clarification: Clarification) -> Block:
    elements = [
        button(option.label, f"{ACTION_CLARIFY}_{n}", option.question)
        for n, option in enumerate(clarification.options[:MAX_OPTIONS])
    ]
    return {"type": "actions", "block_id": "oews_clarify", "elements": elements}


def answer_actions(trace_id: str, *, subscribe: bool = False) -> Block:
    elements = [
        button("Show trace", ACTION_TRACE, trace_id),
        button(":+1:", ACTION_UP, trace_id),
        button(":-1:", ACTION_DOWN, trace_id),
    ]
    if subscribe:
        elements.append(button(":bell: Notify me of new data", ACTION_SUBSCRIBE, trace_id))
    return {"type": "actions", "block_id": "oews_answer_actions", "elements": elements}


def _reshapeable(answer: Answer) -> bool:
    return answer.status == "answer" and not answer.private


def reshape_controls(answer: Answer) -> list[Block]:
    """The "change this answer" menu and the suggested next questions as buttons (answers only)."""
    if not _reshapeable(answer):
        return []
    blocks: list[Block] = []
    menu = reshape_menu(answer)
    if menu is not None:
        blocks.append(
            {"type": "actions", "block_id": f"{RESHAPE_BLOCK}:{answer.trace_id}", "elements": [menu]}
        )
    if answer.followups:
        blocks.append(followup_actions(answer.followups, answer.trace_id))
    return blocks


def reshape_menu(answer: Answer) -> Block | None:
    """A select menu: another place, year, measure or view, and the CSV file of the table."""
    groups = []
    for kind, label in RESHAPE_GROUPS:
        asked = [_ask_option(r) for r in answer.reshapes if r.kind == kind]
        if kind == "view" and answer.tables:
            asked.append(_option("CSV file of the table", CSV_VALUE))
        options = [o for o in asked if o is not None][:MAX_OPTIONS]
        if options:
            groups.append({"label": {"type": "plain_text", "text": label}, "options": options})
    if not groups:
        return None
    return {
        "type": "static_select",
        "action_id": ACTION_RESHAPE,
        "placeholder": {"type": "plain_text", "text": "Change this answer…", "emoji": True},
        "option_groups": groups,
    }


def _ask_option(reshape: Reshape) -> Block | None:
    value = ASK_PREFIX + reshape.question
    return _option(reshape.label, value) if len(value) <= OPTION_VALUE_LIMIT else None


def _option(text: str, value: str) -> Block:
    return {"text": {"type": "plain_text", "text": clip(text, OPTION_TEXT_LIMIT)}, "value": value}


def followup_actions(followups: tuple[ClarifyOption, ...], trace_id: str) -> Block:
    elements = [
        button(f.label, f"{ACTION_FOLLOWUP}_{n}", f.question) for n, f in enumerate(followups[:MAX_OPTIONS])
    ]
    return {"type": "actions", "block_id": f"{FOLLOWUP_BLOCK}:{trace_id}", "elements": elements}


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
            f"• `{command} subscribe QUESTION`: a direct message with the answer again when newer "
            "OEWS data is loaded\n"
            f"• `{command} subscriptions`: list and remove your subscriptions\n"
            f"• `{command} help`: this message\n"
            "You can also mention me in a channel, send me a direct message, and ask follow-ups "
            'in the thread of an answer ("and in Portland, OR?"), or change it with its menu.'
        ),
    ]
