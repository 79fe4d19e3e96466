"""Reshape controls: change one thing about an answer and ask again, without typing.

For an answer about one occupation in one place, the options are other places (the state of a
metro and its largest metros; the nation and the largest states), other years (where the data
has more than one for that kind of place), other measures (median, mean, hourly, the
percentiles, employment) and other views ("as a chart": the wage range drawn; "as a table":
the percentiles in a table). Each option is a whole question, kept only when the engine reads it
with the same occupation and the place, measure and year it names; adapters show them as a
menu and ask the chosen question in the same thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from agents.answer import Reshape
from agents.engine.context import ThreadContext
from agents.engine.engine import OewsEngine
from agents.followups import reading
from agents.resolve.entities import Area

MAX_PLACES = 5
MEASURES = {
    "a_median": "median annual wage",
    "a_mean": "mean annual wage",
    "h_median": "median hourly wage",
    "a_pct10": "10th percentile annual wage",
    "a_pct25": "25th percentile annual wage",
    "a_pct75": "75th percentile annual wage",
    "a_pct90": "90th percentile annual wage",
    "tot_emp": "employment",
}


def reshape_options(engine: OewsEngine, context: ThreadContext) -> tuple[Reshape, ...]:
    """Places, years and measures to ask about instead; none for rankings and comparisons."""
    occupations, areas = context.occupations, context.areas
    if context.shape != "lookup" or len(occupations) != 1 or len(areas) != 1:
        return ()
    occupation = next((o for o in engine.vocabulary.occupations if o.code == occupations[0]), None)
    area = _area(engine, areas[0])
    if occupation is None or area is None:
        return ()
    measures = list(context.measures) or ["a_median"]
    measure = measures[0] if measures[0] in MEASURES else "a_median"
    years = list(context.years)
    ask = _Asker(engine, occupation.code, occupation.title)
    options = [
        *ask.places(measure, area, years),
        *ask.years(measure, area, years),
        *ask.measures(set(measures), area, years),
        *ask.views(measure, area, years),
    ]
    return tuple(options)


class _Asker:
    def __init__(self, engine: OewsEngine, code: str, title: str) -> None:
        self.engine, self.code, self.title = engine, code, title

    def question(self, measure: str, area: Area, year: int | None) -> str:
        where = "nationally" if area.kind == "national" else f"in {area.title}"
        when = f" in {year}" if year else ""
        if measure == "tot_emp":
            return f"employment of {self.title} {where}{when}"
        return f"{MEASURES[measure]} for {self.title} {where}{when}"

    def option(self, kind: Any, label: str, measure: str, area: Area, year: int | None) -> Reshape | None:
        for question in self._wordings(measure, area, year):
            if self._reads_as_meant(question, measure, area, year):
                return Reshape(kind=kind, label=label, question=question)
        return None

    def _wordings(self, measure: str, area: Area, year: int | None) -> Iterator[str]:
        plain = self.question(measure, area, year)
        yield plain
        if area.kind == "state":  # "Washington" alone asks which one is meant
            yield plain.replace(f"in {area.title}", f"in {area.title} state", 1)

    def _reads_as_meant(self, question: str, measure: str, area: Area, year: int | None) -> bool:
        intent = reading(self.engine, question)
        if intent is None or [o.code for o in intent.occupations] != [self.code]:
            return False
        places = [a.code for a in intent.areas]
        same_place = places == [area.code] or (area.kind == "national" and not places)
        same_year = year is None or tuple(intent.years) == (year,)
        return same_place and same_year and measure in intent.measures

    def places(self, measure: str, area: Area, years: list[int]) -> Iterator[Reshape]:
        year = years[-1] if len(years) == 1 else None
        count = 0
        for other in _nearby(self.engine, area):
            if count == MAX_PLACES:
                return
            if year is not None and year not in self.engine.coverage.years_for(other.kind, industry=False):
                continue  # no estimate there that year
            label = "U.S." if other.kind == "national" else other.title
            if (option := self.option("place", label, measure, other, year)) is not None:
                count += 1
                yield option

    def years(self, measure: str, area: Area, years: list[int]) -> Iterator[Reshape]:
        available = self.engine.coverage.years_for(area.kind, industry=False)
        shown = years[-1] if len(years) == 1 else (available[-1] if available else None)
        for year in sorted(available, reverse=True):
            if year != shown and (option := self.option("year", str(year), measure, area, year)):
                yield option

    def measures(self, shown: set[str], area: Area, years: list[int]) -> Iterator[Reshape]:
        year = years[-1] if len(years) == 1 else None
        for measure, label in MEASURES.items():
            if measure not in shown and (option := self.option("measure", label, measure, area, year)):
                yield option

    def views(self, measure: str, area: Area, years: list[int]) -> Iterator[Reshape]:
        """The same answer drawn as a chart, and the wage percentiles as a table."""
        year = years[-1] if len(years) == 1 else None
        chart = f"{self.question(measure, area, year)} as a chart"
        intent = reading(self.engine, chart)
        if intent is not None and intent.chart and self._reads_as_meant(chart, measure, area, year):
            yield Reshape(kind="view", label="As a chart", question=chart)
        for question in self._wordings("a_pct10", area, year):
            table = question.replace(MEASURES["a_pct10"], "salary range", 1)
            if self._reads_as_meant(table, "a_pct90", area, year):
                yield Reshape(kind="view", label="As a table (wage range)", question=table)
                return


def _area(engine: OewsEngine, code: str) -> Area | None:
    return next((a for a in engine.vocabulary.areas if a.code == code), None)


def _nearby(engine: OewsEngine, area: Area) -> list[Area]:
    """A metro's state and the state's largest other metros; a state's nation and the largest
    states; the nation's largest states (size: all-occupation employment, latest year)."""
    sizes = _sizes(engine)
    by_size = sorted(engine.vocabulary.areas, key=lambda a: -sizes.get(a.code, 0))
    nation = [a for a in engine.vocabulary.areas if a.kind == "national"]
    states = [a for a in by_size if a.kind == "state" and a.code != area.code]
    if area.kind in ("metro", "nonmetro"):
        state = [a for a in states if a.state == area.state]
        metros = [a for a in by_size if a.kind == "metro" and area.state in a.states and a.code != area.code]
        return [*state, *metros]
    if area.kind == "state":
        return [*nation, *states]
    return states


@lru_cache(maxsize=4)
def _sizes(engine: OewsEngine) -> dict[str, int]:
    year = engine.coverage.latest
    result = engine.gateway.execute(
        "SELECT area_code, tot_emp FROM facts WHERE occ_code = '00-0000' AND naics = '000000' AND year = ?",
        (year,),
    )
    return {str(r["area_code"]): int(r["tot_emp"] or 0) for r in result.records()}
