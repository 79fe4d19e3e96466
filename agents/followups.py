"""Suggested follow-ups: two or three short next questions under an answer.

They are chosen from the answer's context (its occupation, place, measures and shape) and from
what the loaded data holds (metro areas of a state, years of national data, industry data),
and each one is kept only if the question engine reads it as a question it can answer. They are
whole questions, so they work outside the thread too (the CLI prints them as commands).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from agents.answer import ClarifyOption
from agents.engine.context import ThreadContext
from agents.engine.engine import OewsEngine
from agents.engine.intent import Intent
from agents.resolve.entities import Area

MAX_FOLLOWUPS = 3
_PERCENTILES = {"a_pct10", "a_pct25", "a_pct75", "a_pct90", "h_pct10", "h_pct25", "h_pct75", "h_pct90"}


def suggest_followups(engine: OewsEngine, context: ThreadContext) -> tuple[ClarifyOption, ...]:
    """Up to three next questions the data can answer, best first; none when nothing fits."""
    chosen: list[ClarifyOption] = []
    codes = list(context.occupations)
    for option in _candidates(engine, context):
        if len(chosen) == MAX_FOLLOWUPS:
            break
        if option.label in {c.label for c in chosen}:
            continue  # another wording of a suggestion already made
        if _reads_as_meant(engine, option.question, codes[:1], _places_named(engine, option.question)):
            chosen.append(option)
    return tuple(chosen)


@lru_cache(maxsize=4096)
def reading(engine: OewsEngine, question: str) -> Intent | None:
    """How the engine reads a suggested question (cached: the same suggestions recur)."""
    try:
        return engine.parse(question).intent
    except Exception:  # a suggestion is never worth failing an answer
        return None


def _places_named(engine: OewsEngine, question: str) -> list[str]:
    """The area codes a suggestion names (by title), so that its reading can be checked."""
    named = [a for a in engine.vocabulary.areas if a.kind != "national" and f" {a.title}" in question]
    return [a.code for a in named if not any(a.title in b.title and a is not b for b in named)]


def _reads_as_meant(engine: OewsEngine, question: str, occupations: list[str], areas: list[str]) -> bool:
    """The engine answers the suggestion, about the same occupation and the place it names."""
    intent = reading(engine, question)
    if intent is None:
        return False
    names_it = bool(occupations) and f" {_occupation_title(engine, occupations[0])}" in f" {question}"
    if names_it and [o.code for o in intent.occupations] != occupations:
        return False
    return all(code in {a.code for a in intent.areas} for code in areas)


def _candidates(engine: OewsEngine, context: ThreadContext) -> Iterator[ClarifyOption]:
    codes = context.occupations
    occupation = _occupation_title(engine, codes[0]) if len(codes) == 1 else None
    if len(codes) > 1:
        return  # comparisons of several jobs: the next question is the reader's to choose
    areas = [a for c in context.areas if (a := _area(engine, c)) is not None]
    area = areas[0] if areas else None
    shape = context.shape
    measures = set(context.measures)
    if occupation is None:
        yield from _without_occupation(area, measures)
        return
    if shape == "lookup" and area is not None:
        yield from _around(engine, occupation, area)
    where = _place(area) if area else "nationally"
    if not measures & _PERCENTILES:
        yield ClarifyOption(label="Salary range", question=f"salary range for {occupation} {where}")
    if "tot_emp" not in measures:
        yield ClarifyOption(label="How many work there", question=f"how many {occupation} work {where}")
    if shape != "trend" and _national_years(engine) > 1:
        first = min(engine.coverage.years_for("national", industry=False))
        yield ClarifyOption(
            label=f"Trend since {first}",
            question=f"how has the median pay of {occupation} changed since {first}?",
        )
    if shape != "ranking":
        yield ClarifyOption(label="Top-paying states", question=f"which states pay {occupation} the most?")
        yield ClarifyOption(
            label="Top industries", question=f"which industries employ the most {occupation}?"
        )


def _around(engine: OewsEngine, occupation: str, area: Area) -> Iterator[ClarifyOption]:
    """The same job at the next level down (largest metros of a state) or up (state, nation)."""
    if area.kind == "state" and _has_metros(engine, area.state):
        for place in _state_places(area):
            yield ClarifyOption(
                label=f"Largest metros of {area.title}",
                question=f"{occupation} in the largest metros of {place.removeprefix('in ')}",
            )
    if area.kind in ("metro", "nonmetro"):
        state = next(
            (a for a in engine.vocabulary.areas if a.kind == "state" and a.state == area.state), None
        )
        if state is not None:
            label = f"All of {state.title}"
            for place in _state_places(state):
                yield ClarifyOption(label=label, question=f"median pay for {occupation} {place}")
    if area.kind != "national":
        yield ClarifyOption(label="Nationally", question=f"median pay for {occupation} nationally")


def _without_occupation(area: Area | None, measures: set[str]) -> Iterator[ClarifyOption]:
    where = _place(area) if area else "nationally"
    if "tot_emp" not in measures:
        yield ClarifyOption(label="Most jobs", question=f"which jobs employ the most people {where}")
    else:
        yield ClarifyOption(label="Best paid", question=f"top 5 highest paying jobs {where}")
    if area is not None and area.kind != "national":
        yield ClarifyOption(label="Nationally", question="top 5 highest paying jobs nationally")


def _place(area: Area) -> str:
    return "nationally" if area.kind == "national" else f"in {area.title}"


def _state_places(area: Area) -> tuple[str, str]:
    """Two ways to name a state; "Washington state" is read where "Washington" needs a choice."""
    return f"in {area.title}", f"in {area.title} state"


def _occupation_title(engine: OewsEngine, code: str) -> str | None:
    return next((o.title for o in engine.vocabulary.occupations if o.code == code), None)


def _area(engine: OewsEngine, code: str) -> Area | None:
    return next((a for a in engine.vocabulary.areas if a.code == code), None)


def _has_metros(engine: OewsEngine, state: str) -> bool:
    return any(a.kind == "metro" and state in a.states for a in engine.vocabulary.areas)


def _national_years(engine: OewsEngine) -> int:
    return len(engine.coverage.years_for("national", industry=False))
