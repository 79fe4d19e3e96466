"""The chart generator: a ``ChartSpec`` chosen from the actual result rows.

Offline: the deterministic spec the answer template draws.  With a model: the model only
*chooses* (kind, category column, value columns, title); code reads every value from the rows.
``chart_is_grounded`` then checks that each value drawn is a number in the rows, so a chart
can never show a number that is not there; a spec that fails is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from agents.answer import ChartSeries, ChartSpec, Row
from agents.engine import format as fmt
from agents.engine.synthesis import caption
from agents.workflow.grounding import evidence, ungrounded
from agents.workflow.llm import ModelCaller, call_tool, tool_schema
from agents.workflow.prompts import rows_block, template

MAX_BARS = 15
PERCENTILE_NAMES = ("10th", "25th", "Median", "75th", "90th")
LABEL_COLUMNS = ("name", "occupation", "area", "industry", "year")


class ChartChoice(BaseModel):
    """The arguments of the chart model's ``choose_chart`` call."""

    kind: Literal["bar", "hbar", "line", "range", "none"]
    category_column: str = Field(default="", max_length=40)
    value_columns: list[str] = Field(default_factory=list, max_length=5)
    title: str = Field(default="", max_length=120)


CHOOSE_CHART = tool_schema("choose_chart", "Choose the chart for the result rows.", ChartChoice)


def model_chart(caller: ModelCaller, question: str, rows: Sequence[Row]) -> ChartSpec | None:
    """Ask the model which chart to draw; build it from the rows (None: no chart, or invalid)."""
    columns = ", ".join(rows[0]) if rows else ""
    prompt = f"Question: {question}\nColumns: {columns}\nRow count: {len(rows)}\nFirst rows:\n" + rows_block(
        rows, limit=3
    )
    choice = call_tool(
        caller,
        [SystemMessage(template("chart")), HumanMessage(prompt)],
        CHOOSE_CHART,
        ChartChoice,
        agent="chart",
    )
    return build_chart(choice, rows)


def build_chart(choice: ChartChoice, rows: Sequence[Row]) -> ChartSpec | None:
    """The spec ``choice`` describes, with every value read from ``rows``; None if it cannot be."""
    if choice.kind == "none" or not rows or not choice.value_columns:
        return None
    columns = set(rows[0])
    if choice.category_column not in columns or not set(choice.value_columns) <= columns:
        return None
    if choice.kind == "range" and len(choice.value_columns) != len(PERCENTILE_NAMES):
        return None
    ordered = sorted(rows, key=lambda r: str(r.get("year"))) if choice.kind == "line" else list(rows)
    shown = ordered[:MAX_BARS] if choice.kind != "line" else ordered
    names = PERCENTILE_NAMES if choice.kind == "range" else tuple(fmt.label(c) for c in choice.value_columns)
    series = tuple(
        ChartSeries(name=n, values=tuple(_number(r.get(c)) for r in shown))
        for n, c in zip(names, choice.value_columns, strict=True)
    )
    if sum(v is not None for s in series for v in s.values) < (1 if choice.kind == "range" else 2):
        return None
    first = choice.value_columns[0]
    return ChartSpec(
        kind=choice.kind,
        title=_title(choice.title, first, rows),
        categories=tuple(_label(r.get(choice.category_column)) for r in shown),
        series=series,
        unit=_unit(first),
        y_label=fmt.label(first).capitalize(),
        caption=caption(_years(rows)),
    )


def auto_chart(rows: Sequence[Row]) -> ChartSpec | None:
    """A deterministic choice for rows without an offline template (fallback)."""
    if len(rows) < 2:
        return None
    measures = [c for c in rows[0] if c in fmt.LABELS and not c.endswith("_prse")]
    if not measures:
        return None
    years = {r.get("year") for r in rows}
    if len(years) > 1:
        return build_chart(ChartChoice(kind="line", category_column="year", value_columns=measures[:1]), rows)
    label = next((c for c in LABEL_COLUMNS if c in rows[0] and len({r.get(c) for r in rows}) > 1), None)
    if label is None:
        return None
    kind: Literal["bar", "hbar"] = "hbar" if len(rows) > 5 else "bar"
    return build_chart(ChartChoice(kind=kind, category_column=label, value_columns=measures[:1]), rows)


def chart_is_grounded(spec: ChartSpec, rows: Sequence[Row]) -> bool:
    """Every value drawn is a number of the rows (exactly)."""
    numbers = {
        float(v) for r in rows for v in r.values() if isinstance(v, int | float) and not isinstance(v, bool)
    }
    return all(v is None or float(v) in numbers for s in spec.series for v in s.values)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _label(value: Any) -> str:
    return "U.S." if value == "U.S." else str(value)[:60]


def _unit(column: str) -> Literal["usd_annual", "usd_hourly", "count", "ratio"]:
    if column.startswith("a_"):
        return "usd_annual"
    if column.startswith("h_"):
        return "usd_hourly"
    return "count" if column == "tot_emp" else "ratio"


def _title(title: str, measure: str, rows: Sequence[Row]) -> str:
    fallback = fmt.label(measure).capitalize()
    if not title.strip() or ungrounded(title, evidence([], years=_year_values(rows))):
        return fallback
    return title.strip()


def _year_values(rows: Sequence[Row]) -> list[int]:
    return [int(r["year"]) for r in rows if isinstance(r.get("year"), int)]


def _years(rows: Sequence[Row]) -> str:
    years = sorted(set(_year_values(rows)))
    if not years:
        return "latest"
    return str(years[0]) if len(years) == 1 else f"{years[0]}–May {years[-1]}"
