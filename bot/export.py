"""CSV export of an answer's tables, for spreadsheets and scripts.

The tables of an answer hold cells as people read them (``$128,260``, ``≥ $239,200``, ``not
published``). The CSV holds numbers a spreadsheet can compute with (``128260``), units in the
column names, and never a silent blank: a cell BLS did not publish as a number is left empty
and a ``Notes`` column says why (top-coded, not published, not applicable). Comment lines at
the top (``#``) name the table, the source, the trace id, the caveats and the BLS special values.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from agents.models import Table
from bot.errors import CsvExportError as CsvExportError  # where the adapters import it from
from bot.types import Answer

SOURCE = "U.S. Bureau of Labor Statistics, Occupational Employment and Wage Statistics (OEWS)"
NO_TABLE = "This answer has no table to export as CSV; ask for several places, occupations or years."

_MONEY = re.compile(r"^-?\$(-?[\d,]+(?:\.\d+)?)$")
_NUMBER = re.compile(r"^[+-]?[\d,]+(?:\.\d+)?$")
_PERCENT = re.compile(r"^([+-]?[\d,]+(?:\.\d+)?)%$")
_TOP_CODED = re.compile(r"^≥\s*\$([\d,]+(?:\.\d+)?)$")
_SPECIAL_NOTES = {
    "top": "top-coded, at or above {value} (BLS '#')",
    "not published": "not published (BLS '*' or '**')",
    "n/a": "not applicable (no such BLS figure here)",
}
_LEGEND = (
    "Empty cells are explained in the Notes column. BLS special values: '#' top-coded wage "
    "(at or above the BLS ceiling, no exact figure); '*' or '**' not published (too few "
    "responses, or not reliable enough)."
)


def answer_csv(answer: Answer) -> str:
    """Every table of ``answer`` as CSV text (tables separated by a blank line)."""
    if not answer.tables:
        raise CsvExportError(NO_TABLE)
    parts = [table_csv(t, caveats=answer.caveats, trace_id=answer.trace_id) for t in answer.tables]
    return "\n".join(parts)


def table_csv(table: Table, *, caveats: Sequence[str] = (), trace_id: str = "") -> str:
    kinds = [_column_kind([row[i] for row in table.rows]) for i in range(len(table.columns))]
    header = [_header(name, kind) for name, kind in zip(table.columns, kinds, strict=True)]
    body: list[list[str]] = []
    any_notes = False
    for row in table.rows:
        values, notes = _row(table.columns, kinds, row)
        any_notes = any_notes or bool(notes)
        body.append([*values, "; ".join(notes)])
    out = io.StringIO()
    for line in _comments(table, caveats, trace_id, any_notes):
        out.write(f"# {line}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*header, "Notes"] if any_notes else header)
    writer.writerows(body if any_notes else [r[:-1] for r in body])
    return out.getvalue()


def _comments(table: Table, caveats: Sequence[str], trace_id: str, notes: bool) -> list[str]:
    lines = [table.title] if table.title else []
    lines.append(f"Source: {SOURCE}, https://www.bls.gov/oes/")
    if trace_id:
        lines.append(f"oews-bot trace id: {trace_id}")
    if notes:
        lines.append(_LEGEND)
    lines += [f"Note: {c}" for c in caveats]
    return [" ".join(line.split()) for line in lines]


def _column_kind(cells: Sequence[str]) -> str:
    """``usd``, ``percent``, ``number`` or ``text``: what the column's published cells hold."""
    published = [c.strip() for c in cells if _special(c) is None and c.strip()]
    for kind, pattern in (("usd", _MONEY), ("percent", _PERCENT), ("number", _NUMBER)):
        if published and all(pattern.match(c) for c in published):
            return kind
    if not published and any(_special(c) == "top" for c in cells):
        return "usd"
    return "text"


def _header(name: str, kind: str) -> str:
    if name.startswith("#"):  # a header starting with "#" would read as a comment line
        name = "Rank" if name == "#" else name.lstrip("# ") or "Rank"
    return {"usd": f"{name} [USD]", "percent": f"{name} [%]"}.get(kind, name)


def _special(cell: str) -> str | None:
    text = cell.strip()
    if _TOP_CODED.match(text):
        return "top"
    return text if text in ("not published", "n/a") else None


def _row(columns: Sequence[str], kinds: Sequence[str], row: Sequence[str]) -> tuple[list[str], list[str]]:
    values: list[str] = []
    notes: list[str] = []
    for name, kind, cell in zip(columns, kinds, row, strict=True):
        special = _special(cell)
        if special is None or (kind == "text" and special != "top"):
            values.append(_number(cell, kind))
            continue
        values.append("")
        notes.append(f"{name}: {_SPECIAL_NOTES[special].format(value=cell.strip().lstrip('≥ '))}")
    return values, notes


def _number(cell: str, kind: str) -> str:
    text = cell.strip()
    if kind == "usd" and (m := _MONEY.match(text)):
        return ("-" if text.startswith("-") else "") + m.group(1).replace(",", "")
    if kind == "percent" and (m := _PERCENT.match(text)):
        return m.group(1).replace(",", "").lstrip("+")
    if kind == "number":
        return text.replace(",", "").lstrip("+")
    return text
