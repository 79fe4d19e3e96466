"""The parts of an answer the engine hands to its callers (and that traces record).

``EngineAnswer`` is what the workflow returns; ``AnswerParts`` are the parts a person is shown,
shared with the service's ``bot.types.Answer``; the table type is ``agents.table.Table``.
(Language models are configured in ``agents/workflow/registry.py``.)
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agents.table import Table

Row = dict[str, Any]  # one result row: column name -> value, as the SQL gateway returns it


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Reshape(Frozen):
    """One change to an answer, asked again by a click (see ``agents.reshape``)."""

    kind: Literal["place", "year", "measure", "view"]
    label: str  # what the menu shows: "Texas", "2021", "90th percentile annual wage", "As a chart"
    question: str  # the question asked when it is chosen


class ClarifyOption(Frozen):
    label: str  # what the button says
    question: str  # the question to answer when it is chosen


class Clarification(Frozen):
    question: str
    options: tuple[ClarifyOption, ...]


class SqlRecord(Frozen):
    """One statement actually executed through the gateway."""

    sql: str
    params: tuple[Any, ...] = ()
    row_count: int = 0
    truncated: bool = False
    elapsed_ms: float = 0.0


class ChartSeries(Frozen):
    name: str
    values: tuple[float | None, ...]


class ChartSpec(Frozen):
    """What to draw; every number comes from result rows."""

    kind: Literal["bar", "hbar", "line", "range"]
    title: str
    categories: tuple[str, ...]
    series: tuple[ChartSeries, ...]
    unit: Literal["usd_annual", "usd_hourly", "count", "ratio"]
    y_label: str
    caption: str  # source and year, e.g. "Source: BLS OEWS, May 2025"


AnswerKind = Literal["answer", "clarification", "refusal", "not_found", "error"]


class AnswerParts(Frozen):
    """What a person is shown of an answer, whoever hands it on.

    The workflow returns an ``EngineAnswer`` and the service an ``Answer`` (``bot/types.py``);
    both are these parts plus their own fields, so a new part is added here, once.
    """

    text: str
    tables: tuple[Table, ...] = ()
    caveats: tuple[str, ...] = ()
    clarification: Clarification | None = None
    sql: tuple[SqlRecord, ...] = ()
    chart_png: bytes | None = Field(default=None, exclude=True, repr=False)
    followups: tuple[ClarifyOption, ...] = ()  # suggested next questions the data can answer
    reshapes: tuple[Reshape, ...] = ()  # the same question for another place, year or measure

    def parts(self) -> dict[str, Any]:
        """The shared parts, to build the other answer type from."""
        return {name: getattr(self, name) for name in AnswerParts.model_fields}


class EngineAnswer(AnswerParts):
    """What the workflow produced for one question."""

    kind: AnswerKind
    chart: ChartSpec | None = None
    context: dict[str, Any] = Field(default_factory=dict)  # what a follow-up can reuse
