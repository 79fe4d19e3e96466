"""How figures are written: labels of OEWS measures, their column kinds and special values."""

from __future__ import annotations

from typing import Any

from agents.oews.schema import top_code
from agents.table import NOT_PUBLISHED as NOT_PUBLISHED
from agents.table import Cell, Column, ColumnKind, Special, cell_text, number_text

LABELS = {
    "tot_emp": "employment",
    "emp_prse": "employment relative standard error",
    "jobs_1000": "jobs per 1,000 jobs",
    "loc_quotient": "location quotient",
    "mean_prse": "wage relative standard error",
    "a_mean": "mean annual wage",
    "h_mean": "mean hourly wage",
    "a_median": "median annual wage",
    "h_median": "median hourly wage",
    "a_pct10": "10th percentile annual wage",
    "a_pct25": "25th percentile annual wage",
    "a_pct75": "75th percentile annual wage",
    "a_pct90": "90th percentile annual wage",
    "h_pct10": "10th percentile hourly wage",
    "h_pct25": "25th percentile hourly wage",
    "h_pct75": "75th percentile hourly wage",
    "h_pct90": "90th percentile hourly wage",
}
SHORT = {
    "tot_emp": "Employment",
    "jobs_1000": "Jobs per 1,000",
    "loc_quotient": "Location quotient",
    "emp_prse": "Employment RSE",
    "mean_prse": "Wage RSE",
    "a_mean": "Mean (annual)",
    "h_mean": "Mean (hourly)",
    "a_median": "Median (annual)",
    "h_median": "Median (hourly)",
    "a_pct10": "10th pct (annual)",
    "a_pct25": "25th pct (annual)",
    "a_pct75": "75th pct (annual)",
    "a_pct90": "90th pct (annual)",
    "h_pct10": "10th pct (hourly)",
    "h_pct25": "25th pct (hourly)",
    "h_pct75": "75th pct (hourly)",
    "h_pct90": "90th pct (hourly)",
}


def label(measure: str) -> str:
    return LABELS.get(measure, measure)


def short(measure: str) -> str:
    return SHORT.get(measure, measure)


def is_wage(measure: str) -> bool:
    return measure[:2] in ("a_", "h_")


def is_hourly(measure: str) -> bool:
    return measure.startswith("h_")


def kind(measure: str) -> ColumnKind:
    """How a measure's figures are written (see ``agents.table``)."""
    if measure.startswith("a_"):
        return "usd_annual"
    if measure.startswith("h_"):
        return "usd_hourly"
    return _KINDS.get(measure, "percent" if measure.endswith("_prse") else "number")


_KINDS: dict[str, ColumnKind] = {"tot_emp": "count", "jobs_1000": "per_1000", "loc_quotient": "ratio"}


def column(measure: str, *, name: str | None = None, signed: bool = False) -> Column:
    """The table column of a measure, named by its short label."""
    return Column(name=name or short(measure), kind=kind(measure), signed=signed)


def number(measure: str, value: float | int) -> str:
    return number_text(kind(measure), value)


def top_coded(measure: str, year: int) -> str:
    hourly, annual = top_code(year)
    return f"${hourly:,.2f}" if is_hourly(measure) else f"${annual:,.0f}"


def cell(measure: str, row: dict[str, Any]) -> Cell:
    """A table cell: the value, a top-coded or not-published marker, or None (no such figure)."""
    value, flag = row.get(measure), row.get(f"{measure}_flag")
    if value is not None:
        return value  # type: ignore[no-any-return]
    if flag == "#":
        hourly, annual = top_code(int(row["year"]))
        return Special(flag="#", at_least=hourly if is_hourly(measure) else annual)
    if flag in ("*", "**"):
        return Special(flag=flag)
    return None


def shown(measure: str, row: dict[str, Any]) -> str:
    """The table cell of ``measure`` as the user reads it ("$128,260", "≥ $239,200", "n/a")."""
    return cell_text(column(measure), cell(measure, row))


def percent_change(old: float, new: float) -> str:
    change = (new - old) / old * 100
    return f"{change:+.1f}%"
