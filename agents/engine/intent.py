"""The typed meaning of a question, as the offline engine (or a model) understood it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from agents.resolve.entities import Area, Industry, Occupation

Shape = Literal["lookup", "ranking", "compare", "trend", "growth", "snapshot"]
Change = Literal["relative", "absolute", "both"]
RankBy = Literal["area", "occupation", "industry"]

PERCENTILES = ("pct10", "pct25", "median", "pct75", "pct90")


@dataclass(frozen=True)
class Threshold:
    """A population filter: rows whose ``measure`` is above (or below) ``value``."""

    measure: str  # a fact column, e.g. "a_median", "h_mean", "tot_emp"
    value: float
    above: bool = True
    typed: str = ""  # as the user typed it ("over $110k")
    upper: float | None = None  # a range ("between $50k and $80k"): ``value`` is its lower end


@dataclass(frozen=True)
class Intent:
    """What to look up. Empty entity tuples mean "not said" (defaults apply)."""

    shape: Shape = "lookup"
    measures: tuple[str, ...] = ()  # fact columns, e.g. ("a_median",); empty = a sensible default
    occupations: tuple[Occupation, ...] = ()
    areas: tuple[Area, ...] = ()
    industry: Industry | None = None
    years: tuple[int, ...] = ()  # empty = latest
    rank_by: RankBy | None = None
    rank_area_kind: str | None = None  # state | metro | nonmetro
    rank_industry_level: str | None = None  # sector | 3-digit | ...
    top_n: int = 0
    descending: bool = True
    basis: Literal["annual", "hourly"] | None = None
    notes: tuple[str, ...] = ()  # assumptions made while reading the question
    chart: bool = False  # a chart was asked for ("as a chart"), even for a single value
    threshold: Threshold | None = None  # "over $110k": a filter on the rows ranked or listed
    change: Change = "relative"  # how growth rankings are ordered ("most workers" -> absolute)
    industries: tuple[Industry, ...] = ()  # every industry named; ``industry`` is the first
    unapplied: tuple[str, ...] = ()  # parts of the question this answer does not use, said plainly
    near_scope: tuple[str, ...] = ()  # what OEWS does not measure that the question touched
    position: float | None = None  # "is 75k good for …": an amount placed in the wage distribution
    family: str = ""  # "nurse jobs": the occupations are those with these words in their titles
    excluded: tuple[Area, ...] = ()  # "excluding alaska": places a ranking of places leaves out

    def with_(self, **changes: Any) -> Intent:
        return replace(self, **changes)


@dataclass(frozen=True)
class Choice:
    """A phrase of the question with several readings: the user must choose.

    Each reading replaces ``phrase`` in the question to make the option's question."""

    phrase: str
    readings: tuple[str, ...]  # "Portland, OR", "Portland-South Portland, ME"; "over $45 an hour"
    sentence: str = ""  # what is asked; by default, the phrase matches several places

    @classmethod
    def of_places(cls, phrase: str, areas: tuple[Area, ...]) -> Choice:
        return cls(phrase, tuple(a.title for a in areas))


@dataclass(frozen=True)
class Parsed:
    """The parser's verdict: an intent, a clarification, or a refusal."""

    intent: Intent | None = None
    clarify: Choice | None = None
    refusal: str | None = None  # user-facing explanation
    refusal_kind: Literal["out_of_scope", "unsafe", "not_found", "no_data", "help", ""] = ""
    unknown: tuple[str, ...] = field(default=())  # phrases that matched nothing
