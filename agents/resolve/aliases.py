"""Names people use for occupations, places and industries, read from ``aliases.toml``.

The phrase -> code tables are data (``agents/resolve/aliases.toml``, shipped with the package);
this module loads and validates them once, at import, and keeps in code only how they are used.
See the TOML file's header for what each table means.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from agents.errors import OewsError

AliasTarget = str | tuple[str, ...]
AreaRef = tuple[str, str]

# "healthcare jobs", "healthcare occupations", "healthcare careers" for each group word.
GROUP_NOUNS = ("jobs", "occupations", "careers")


class AliasFileError(OewsError):
    """The alias file is malformed; ``where`` names the table and key."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"aliases: {where}: {problem}")
        self.where = where


@dataclass(frozen=True)
class AliasTables:
    occupations: dict[str, AliasTarget]
    areas: dict[str, tuple[AreaRef, ...]]
    within: dict[str, tuple[AreaRef, ...]]  # counties and towns, by the OEWS areas that hold them
    area_codes: dict[str, tuple[AreaRef, ...]]  # telephone area codes ("614"), by their areas
    national_phrases: tuple[str, ...]
    state_nicknames: dict[str, str]
    capitalized_nicknames: dict[str, tuple[AreaRef, ...]]
    word_postal_codes: frozenset[str]
    city_postal_codes: frozenset[str]
    word_cities: frozenset[str]
    industry_words: frozenset[str]
    industries: dict[str, AliasTarget]
    word_abbreviations: dict[str, tuple[str, ...]]
    not_initialisms: frozenset[str]
    initialisms: dict[str, str]
    employers: frozenset[str]


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise AliasFileError(f"{where}.{key}", "must be a table")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    items = (value,) if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items or not all(isinstance(v, str) and v for v in items):
        raise AliasFileError(where, "must be a non-empty string or list of strings")
    return tuple(items)


def _codes(table: Mapping[str, Any], where: str) -> dict[str, AliasTarget]:
    found: dict[str, AliasTarget] = {}
    for phrase, value in table.items():
        codes = _strings(value, f"{where}.{phrase!r}")
        found[phrase] = codes[0] if isinstance(value, str) else codes
    return found


def _area_refs(value: Any, where: str) -> tuple[AreaRef, ...]:
    if not isinstance(value, list) or not value:
        raise AliasFileError(where, "must be a list of [code, title prefix] pairs")
    refs = [_strings(ref, where) for ref in value]
    if any(len(ref) != 2 for ref in refs):
        raise AliasFileError(where, "must be a list of [code, title prefix] pairs")
    return tuple((ref[0], ref[1]) for ref in refs)


def _occupations(data: Mapping[str, Any]) -> dict[str, AliasTarget]:
    found: dict[str, AliasTarget] = {}
    for name, table in _table(data, "occupations", "").items():
        if not isinstance(table, Mapping):
            raise AliasFileError(f"occupations.{name}", "must be a table")
        found.update(_codes(table, f"occupations.{name}"))
    for words, code in _codes(_table(data, "occupation_groups", ""), "occupation_groups").items():
        found.update({f"{words} {noun}": code for noun in GROUP_NOUNS})
    return found


def _each(parent: Mapping[str, Any], key: str, where: str, read: Any) -> dict[str, Any]:
    """``read(value, where)`` for every entry of the table ``parent[key]``."""
    return {k: read(v, f"{where}.{key}.{k!r}") for k, v in _table(parent, key, where).items()}


def _state(value: Any, where: str) -> str:
    return _strings(value, where)[0]


def parse(data: Mapping[str, Any]) -> AliasTables:
    """Validate the parsed TOML document and build the tables."""
    areas = _table(data, "areas", "")
    industries = _table(data, "industries", "")

    def word_set(parent: Mapping[str, Any], key: str, where: str) -> frozenset[str]:
        return frozenset(_strings(parent.get(key, []), f"{where}.{key}"))

    return AliasTables(
        occupations=_occupations(data),
        areas=_each(areas, "aliases", "areas", _area_refs),
        within=_each(areas, "within", "areas", _area_refs),
        area_codes=_each(areas, "area_codes", "areas", _area_refs),
        national_phrases=_strings(areas.get("national", []), "areas.national"),
        state_nicknames=_each(areas, "state_nicknames", "areas", _state),
        capitalized_nicknames=_each(areas, "capitalized", "areas", _area_refs),
        word_postal_codes=word_set(areas, "word_postal_codes", "areas"),
        city_postal_codes=word_set(areas, "city_postal_codes", "areas"),
        word_cities=word_set(areas, "word_cities", "areas"),
        industry_words=word_set(industries, "words", "industries"),
        industries=_codes(_table(industries, "aliases", "industries"), "industries.aliases"),
        word_abbreviations=_each(_table(data, "words", ""), "abbreviations", "words", _strings),
        not_initialisms=word_set(_table(data, "words", ""), "not_initialisms", "words"),
        initialisms=_each(_table(data, "words", ""), "initialisms", "words", _state),
        employers=word_set(_table(data, "words", ""), "employers", "words"),
    )


def load(text: str | None = None) -> AliasTables:
    """The shipped alias tables (or ``text``, a TOML document of the same shape)."""
    if text is None:
        text = resources.files("agents.resolve").joinpath("aliases.toml").read_text("utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise AliasFileError("file", str(e)) from e
    return parse(data)


TABLES = load()

OCCUPATION_ALIASES = TABLES.occupations
AREA_ALIASES = TABLES.areas
WITHIN = TABLES.within
AREA_CODES = TABLES.area_codes
NATIONAL_PHRASES = TABLES.national_phrases
STATE_NICKNAMES = TABLES.state_nicknames
WORD_POSTAL_CODES = TABLES.word_postal_codes
INITIALISMS = TABLES.initialisms
CITY_POSTAL_CODES = TABLES.city_postal_codes
WORD_CITIES = TABLES.word_cities
CAPITALIZED_NICKNAMES = TABLES.capitalized_nicknames
INDUSTRY_WORDS = TABLES.industry_words
INDUSTRY_ALIASES = TABLES.industries
WORD_ABBREVIATIONS = TABLES.word_abbreviations
NOT_INITIALISMS = TABLES.not_initialisms
EMPLOYERS = TABLES.employers
