"""CSV export of an answer's tables, for spreadsheets and scripts.

The tables of an answer hold raw values in typed columns (``agents.table``). The CSV holds
them as numbers a spreadsheet can compute with (``128260``), units in the column names, and
never a silent blank: a cell BLS did not publish as a number is left empty
and a ``Notes`` column says why (top-coded, not published, not applicable). Comment lines at
the top (``#``) name the table, the source, the trace id, the caveats and the BLS special values.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from agents.table import Cell, Column, Table, csv_value, unit
from bot.errors import CsvExportError as CsvExportError  # where the adapters import it from
from bot.types import Answer

SOURCE = "U.S. Bureau of Labor Statistics, Occupational Employment and Wage Statistics (OEWS)"
NO_TABLE = "This answer has no table to export as CSV; ask for several places, occupations or years."

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
    header = [_header(c) for c in table.columns]
    body: list[list[str]] = []
    any_notes = False
    for row in table.rows:
        values, notes = _row(table.columns, row)
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


def _header(column: Column) -> str:
    name = column.name
    if name.startswith("#"):  # a header starting with "#" would read as a comment line
        name = "Rank" if name == "#" else name.lstrip("# ") or "Rank"
    return f"{name} [{unit(column)}]" if unit(column) else name


def _row(columns: Sequence[Column], row: Sequence[Cell]) -> tuple[list[str], list[str]]:
    values: list[str] = []
    notes: list[str] = []
    for column, cell in zip(columns, row, strict=True):
        value, note = csv_value(column, cell)
        values.append(value)
        if note:
            notes.append(f"{column.name}: {note}")
    return values, notes
