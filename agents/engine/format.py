"""How figures are written: labels and formatting of OEWS measures and special values."""

from __future__ import annotations

from typing import Any

from agents.oews.schema import top_code

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
NOT_PUBLISHED = "not published"


def label(measure: str) -> str:
    return LABELS.get(measure, measure)


def short(measure: str) -> str:
    return SHORT.get(measure, measure)


def is_wage(measure: str) -> bool:
    return measure[:2] in ("a_", "h_")


def is_hourly(measure: str) -> bool:
    return measure.startswith("h_")


def number(measure: str, value: float | int) -> str:
    if measure.startswith("a_"):
        return f"${value:,.0f}"
    if measure.startswith("h_"):
        return f"${value:,.2f}"
    if measure == "tot_emp":
        return f"{value:,.0f}"
    if measure == "jobs_1000":
        return f"{value:,.3f}"
    if measure == "loc_quotient":
        return f"{value:.2f}"
    if measure.endswith("_prse"):
        return f"{value:.1f}%"
    return f"{value:,}"


def top_coded(measure: str, year: int) -> str:
    hourly, annual = top_code(year)
    return f"${hourly:,.2f}" if is_hourly(measure) else f"${annual:,.0f}"


def cell(measure: str, row: dict[str, Any]) -> str:
    """A table cell: the number, "≥ $239,200" when top-coded, or "not published"."""
    value, flag = row.get(measure), row.get(f"{measure}_flag")
    if value is not None:
        return number(measure, value)
    if flag == "#":
        return f"≥ {top_coded(measure, int(row['year']))}"
    if flag in ("*", "**"):
        return NOT_PUBLISHED
    return "n/a"


def percent_change(old: float, new: float) -> str:
    change = (new - old) / old * 100
    return f"{change:+.1f}%"
