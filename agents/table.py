"""Answer tables: typed columns, raw values, and the one place a cell is written as text.

A ``Table`` holds what the query returned (``128260``, ``61.66``), not how it reads. Each
``Column`` has a kind (dollars a year, dollars an hour, a count, a ratio, a percent, ...) and
every renderer (Slack blocks, Teams cards, the terminal, CSV export) writes cells through
``cell_text`` / ``csv_value`` and aligns them by ``is_numeric``: nothing guesses from the text.

Values BLS did not publish as a number are ``Special`` markers: ``#`` top-coded (with the
top-code: "≥ $239,200"), ``*`` / ``**`` not published. ``None`` is a figure that does not apply
here ("n/a"), such as a location quotient for the nation.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

ColumnKind = Literal[
    "text",  # labels: a place, an occupation, "May 2025"
    "rank",  # 1, 2, 3
    "usd_annual",  # $128,260
    "usd_hourly",  # $61.66
    "count",  # 1,234,560 (employment)
    "per_1000",  # 12.345 (jobs per 1,000 jobs)
    "ratio",  # 1.23 (location quotient)
    "percent",  # 2.5% (a relative standard error, a percent change)
    "number",  # any other figure, as Python writes it with thousands separators
]
NOT_PUBLISHED = "not published"
NOT_APPLICABLE = "n/a"
_USD = ("usd_annual", "usd_hourly")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Column(_Frozen):
    name: str
    kind: ColumnKind = "text"
    signed: bool = False  # a change: "+$4,120", "-1,050", "+5.3%"


class Special(_Frozen):
    """A cell BLS published as a special value instead of a number."""

    flag: Literal["#", "*", "**"]  # top-coded; not published
    at_least: float | None = None  # top-coded: the BLS top-code the value is at or above


Cell = str | int | float | Special | None


class Table(_Frozen):
    """A table of an answer; the first column is the row's label."""

    title: str | None = None
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]

    @field_validator("columns", mode="before")
    @classmethod
    def _plain_names(cls, value: Any) -> Any:
        """Answers stored before columns had kinds name them only: text columns."""
        return tuple(Column(name=c) if isinstance(c, str) else c for c in value)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def text_rows(self) -> tuple[tuple[str, ...], ...]:
        """Every cell as the user reads it."""
        return tuple(
            tuple(cell_text(c, v) for c, v in zip(self.columns, row, strict=False)) for row in self.rows
        )


def is_numeric(column: Column) -> bool:
    """Right-aligned by every renderer."""
    return column.kind != "text"


def number_text(kind: ColumnKind, value: float, *, signed: bool = False) -> str:
    """ "$128,260", "$61.66", "1,234", "1.23", "2.5%"; with ``signed``, "+"/"-" in front."""
    if signed:
        sign = "-" if value < 0 else "+"
        return sign + number_text(kind, abs(value))
    return _FORMATS[kind].format(value)


_FORMATS: dict[ColumnKind, str] = {
    "text": "{}",
    "rank": "{}",
    "usd_annual": "${:,.0f}",
    "usd_hourly": "${:,.2f}",
    "count": "{:,.0f}",
    "per_1000": "{:,.3f}",
    "ratio": "{:.2f}",
    "percent": "{:.1f}%",
    "number": "{:,}",
}


def cell_text(column: Column, value: Cell) -> str:
    """One cell as the user reads it: the number, "≥ $239,200", "not published" or "n/a"."""
    if isinstance(value, Special):
        if value.flag == "#" and value.at_least is not None:
            return f"≥ {number_text(column.kind, value.at_least)}"
        return "top-coded" if value.flag == "#" else NOT_PUBLISHED
    if value is None:
        return "" if column.kind == "text" else NOT_APPLICABLE
    if isinstance(value, str):
        return value
    return number_text(column.kind, value, signed=column.signed)


def csv_value(column: Column, value: Cell) -> tuple[str, str | None]:
    """A plain number a spreadsheet can use (``128260``, ``61.66``) and, for an empty cell, why."""
    if isinstance(value, Special) or (value is None and column.kind != "text"):
        return "", _note(column, value)
    if value is None or isinstance(value, str):
        return value or "", None
    if column.kind == "usd_hourly":
        return f"{value:.2f}", None
    if isinstance(value, float) and value.is_integer() and column.kind in ("usd_annual", "count", "rank"):
        return str(int(value)), None
    return repr(round(value, 6)) if isinstance(value, float) else str(value), None


def _note(column: Column, value: Special | None) -> str:
    if value is None:
        return "not applicable (no such BLS figure here)"
    if value.flag == "#":
        return f"top-coded, at or above {cell_text(column, value).removeprefix('≥ ')} (BLS '#')"
    return "not published (BLS '*' or '**')"


def unit(column: Column) -> str | None:
    """The unit a CSV header names: ``USD`` or ``%``."""
    return "USD" if column.kind in _USD else "%" if column.kind == "percent" else None


def table_json(table: Table) -> dict[str, Any]:
    """For scripts (``--json``, webhooks): the cells as shown and the raw values beside them."""
    return {
        "title": table.title,
        "columns": list(table.names),
        "kinds": [c.kind for c in table.columns],
        "rows": [list(r) for r in table.text_rows()],
        "values": [[v.model_dump() if isinstance(v, Special) else v for v in r] for r in table.rows],
    }
