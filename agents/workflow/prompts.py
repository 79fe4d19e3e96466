"""Prompt texts (``prompts/*.md``, read once) and the compact blocks put into them.

Prompts stay small: concise schema notes instead of the DDL, at most ``MAX_PROMPT_ROWS`` rows
with only the columns that hold something, research snippets cut short.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from agents.oews.schema import SCHEMA_NOTES
from agents.research import ResearchHit

MAX_PROMPT_ROWS = 25
MAX_CELL_CHARS = 60


@cache
def template(name: str) -> str:
    return resources.files("agents.workflow").joinpath(f"prompts/{name}.md").read_text(encoding="utf-8")


@lru_cache(maxsize=8)
def planner_system(coverage: str, research_on: bool, max_steps: int) -> str:
    research = (
        "searches the web for context OEWS lacks (cost of living, population, taxes); its goal "
        "is the search query."
        if research_on
        else "not available (web research is off): do not plan it. OEWS has no cost-of-living, "
        "population, tax or unemployment data."
    )
    return template("planner").format(coverage=coverage, research=research, max_steps=max_steps)


# What the text-to-SQL model is told about the database it writes for, per gateway dialect.
DIALECTS: dict[str, tuple[str, str]] = {
    "sqlite": ("The database is SQLite: write standard SQL.", "LIMIT 50"),
    "postgresql": (
        "The database is PostgreSQL: write standard SQL (|| joins strings, CAST(x AS numeric) before "
        "ROUND with digits); no PostgreSQL-only functions.",
        "LIMIT 50",
    ),
    "mssql": (
        "The database is Microsoft SQL Server (T-SQL): limit rows with SELECT TOP (n) or ORDER BY … "
        "OFFSET 0 ROWS FETCH NEXT n ROWS ONLY, never LIMIT; CONCAT() joins strings; quote names with "
        "[brackets]; AVG of an integer column is an integer, so CAST it to FLOAT first.",
        "SELECT TOP (50) …",
    ),
}


@lru_cache(maxsize=8)
def sql_system(coverage: str, latest: int, dialect: str = "sqlite") -> str:
    note, limit = DIALECTS.get(dialect, DIALECTS["sqlite"])
    return template("text_to_sql").format(
        schema=SCHEMA_NOTES.strip(), coverage=coverage, latest=latest, dialect=note, limit=limit
    )


def context_block(context: dict[str, Any] | None) -> str:
    """Earlier turns of the thread, as the offline engine remembers them."""
    if not context:
        return ""
    parts = [f"{key}: {value}" for key, value in context.items() if value not in (None, [], "", 0)]
    return "Thread context (earlier question): " + "; ".join(parts)


def rows_block(rows: Sequence[dict[str, Any]], limit: int = MAX_PROMPT_ROWS) -> str:
    """Rows as a compact pipe table: only columns that hold a value, at most ``limit`` rows."""
    if not rows:
        return "(no rows)"
    shown = list(rows[:limit])
    columns = [c for c in shown[0] if any(r.get(c) not in (None, "") for r in shown)]
    lines = [" | ".join(columns)]
    lines += [" | ".join(_cell(r.get(c)) for c in columns) for r in shown]
    if len(rows) > limit:
        lines.append(f"(first {limit} of {len(rows)} rows)")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    return str(value)[:MAX_CELL_CHARS]


def research_block(hits: Sequence[ResearchHit]) -> str:
    if not hits:
        return ""
    lines = ["Web results (NOT OEWS data; cite by number):"]
    lines += [f"[{i}] {h.title} <{h.url}>: {h.content[:400]}" for i, h in enumerate(hits, 1)]
    return "\n".join(lines)
