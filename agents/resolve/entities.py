"""The things a question can name: areas, occupations, industries, and how a name resolved.

A ``Vocabulary`` holds every area, occupation and industry of the OEWS database.  It is read
once (``Vocabulary.load`` with any row source, or ``Vocabulary.from_sqlite``) and handed to
``EntityResolver``, which indexes it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

AreaKind = Literal["national", "state", "territory", "metro", "nonmetro"]
EntityKind = Literal["area", "occupation", "industry"]

AREAS_SQL = "SELECT area_code, kind, title, state, states FROM areas"
# With its national cross-industry employment in its last year: which of several occupations
# sharing an initialism people most likely mean.
OCCUPATIONS_SQL = (
    "SELECT o.occ_code, o.title, o.o_group, o.first_year, o.last_year, "
    "(SELECT f.tot_emp FROM facts f WHERE f.occ_code = o.occ_code AND f.naics = '000000' "
    "AND f.year = o.last_year AND f.area_code = '99') AS tot_emp FROM occupations o"
)
INDUSTRIES_SQL = "SELECT naics, title, i_group FROM industries"

# O_GROUP from the most to the least detailed, for tie-breaks.
OCC_GROUP_DETAIL = {"detailed": 0, "broad": 1, "minor": 2, "major": 3, "total": 4}
# I_GROUP from the most to the least aggregated, for tie-breaks.
INDUSTRY_GROUP_SCOPE = {
    "cross-industry": 0,
    "sector": 1,
    "3-digit": 2,
    "4-digit": 3,
    "5-digit": 4,
    "6-digit": 5,
}


@dataclass(frozen=True, slots=True)
class Area:
    """An OEWS area: the nation (code ``99``), a state or territory, a metro or nonmetro area.

    ``state`` is the primary postal code (``"OR"``; ``"US"`` for the nation) and ``states``
    every postal code the area touches (``("OR", "WA")`` for Portland-Vancouver-Hillsboro).
    """

    code: str
    title: str
    kind: str
    state: str
    states: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Occupation:
    """A SOC occupation (or group) as OEWS publishes it, with the years it appears in and its
    national employment in the last of them (0 when unknown)."""

    code: str
    title: str
    o_group: str
    first_year: int
    last_year: int
    tot_emp: int = 0


@dataclass(frozen=True, slots=True)
class Industry:
    """An OEWS industry: NAICS code as in the data (``"52"``, ``"31-33"``, ``"622000"``)."""

    naics: str
    title: str
    i_group: str

    @property
    def code(self) -> str:
        return self.naics


Entity = Area | Occupation | Industry
T = TypeVar("T", bound=Area | Occupation | Industry)


@dataclass(frozen=True, slots=True)
class Match(Generic[T]):
    """One candidate: the entity, a score out of 100, the indexed phrase it matched, and how.

    ``via`` says which kind of name matched: ``code``, ``alias`` (hand-written), ``title``,
    ``variant`` (a generated spelling of a title), ``everyday`` (an industry named the way people
    say it, see ``agents/resolve/names.py``), ``component`` (one occupation listed in a
    title), ``city`` (a metro's principal or secondary city), ``qualified`` (a city narrowed by
    its state), ``region`` (a nonmetropolitan area's region name), ``postal`` (a code typed in
    capitals), ``fuzzy`` (a misspelling) or ``partial`` (a known name inside a longer phrase).
    """

    entity: T
    score: float
    matched: str
    via: str


@dataclass(frozen=True, slots=True)
class Resolution(Generic[T]):
    """The answer to "what does this phrase name?".

    ``matches`` are ordered best first.  ``ambiguous`` means the phrase names several
    entities equally well and the user should be asked which one they meant.
    """

    query: str
    matches: tuple[Match[T], ...]
    ambiguous: bool

    @property
    def best(self) -> T | None:
        return self.matches[0].entity if self.matches else None

    @property
    def found(self) -> bool:
        return bool(self.matches)

    @property
    def entities(self) -> tuple[T, ...]:
        return tuple(m.entity for m in self.matches)


RowSource = Callable[[str], list[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Every area, occupation and industry the database knows."""

    areas: tuple[Area, ...]
    occupations: tuple[Occupation, ...]
    industries: tuple[Industry, ...]

    @classmethod
    def load(cls, rows_for: RowSource) -> Vocabulary:
        """Read the three dimension tables through ``rows_for(sql) -> records``."""
        return cls(
            areas=tuple(area_from_row(r) for r in rows_for(AREAS_SQL)),
            occupations=tuple(occupation_from_row(r) for r in rows_for(OCCUPATIONS_SQL)),
            industries=tuple(industry_from_row(r) for r in rows_for(INDUSTRIES_SQL)),
        )

    @classmethod
    def from_sqlite(cls, path: Path | str) -> Vocabulary:
        """Read the vocabulary from an OEWS SQLite database, opened read-only."""
        uri = f"{Path(path).resolve().as_uri()}?mode=ro"
        connection = sqlite3.connect(uri, uri=True)
        connection.row_factory = sqlite3.Row
        try:

            def rows_for(sql: str) -> list[dict[str, Any]]:
                return [dict(row) for row in connection.execute(sql)]

            return cls.load(rows_for)
        finally:
            connection.close()


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def _states_from_title(title: str) -> tuple[str, ...]:
    """``"Portland-Vancouver-Hillsboro, OR-WA"`` -> ``("OR", "WA")``."""
    _, comma, suffix = title.rpartition(", ")
    if not comma:
        return ()
    codes = tuple(part for part in suffix.split("-") if len(part) == 2 and part.isupper())
    return codes if len(codes) == len(suffix.split("-")) else ()


def area_from_row(row: Mapping[str, Any]) -> Area:
    title = _text(row, "title")
    state = _text(row, "state").upper()
    states = tuple(_text(row, "states").upper().split())
    if not states:
        states = _states_from_title(title) or ((state,) if state else ())
    if not state and states:
        state = states[0]
    return Area(
        code=_text(row, "area_code"),
        title=title,
        kind=_text(row, "kind"),
        state=state,
        states=states,
    )


def occupation_from_row(row: Mapping[str, Any]) -> Occupation:
    return Occupation(
        code=_text(row, "occ_code"),
        title=_text(row, "title"),
        o_group=_text(row, "o_group"),
        first_year=int(row.get("first_year") or 0),
        last_year=int(row.get("last_year") or 0),
        tot_emp=int(row.get("tot_emp") or 0),
    )


def industry_from_row(row: Mapping[str, Any]) -> Industry:
    return Industry(
        naics=_text(row, "naics"),
        title=_text(row, "title"),
        i_group=_text(row, "i_group"),
    )
