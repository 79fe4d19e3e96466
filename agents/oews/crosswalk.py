"""SOC codes across the 2018 SOC change: which May 2019–2020 code held an occupation.

OEWS published May 2019 and May 2020 under *hybrid* codes for some occupations ("15-1256
Software Developers and Software Quality Assurance Analysts and Testers") or under a broad code
standing in for its detailed occupations ("29-2040 Emergency Medical Technicians and
Paramedics"); the detailed 2018 SOC codes follow from May 2021.  ``soc_crosswalk.csv``
(shipped beside the BLS files, derived from them by ``scripts/soc_crosswalk.py``) links each
old code to its new codes; ``SocCrosswalk`` answers questions about those links.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from agents.errors import CrosswalkError

Relation = Literal["one-to-one", "one-to-many", "many-to-one", "many-to-many"]
RELATIONS: tuple[Relation, ...] = ("one-to-one", "one-to-many", "many-to-one", "many-to-many")
FIELDS = ("old_code", "old_title", "old_years", "new_code", "new_title", "new_years", "relation")


@dataclass(frozen=True, slots=True)
class SocLink:
    """One old code -> new code link with both titles and the years each code is published.

    ``relation`` is "one-to-many" when the old code covers several new occupations (it was
    split), "many-to-one" when several old codes were merged into the new one."""

    old_code: str
    old_title: str
    old_years: tuple[int, int]
    new_code: str
    new_title: str
    new_years: tuple[int, int]
    relation: Relation

    @property
    def split(self) -> bool:
        return self.relation in ("one-to-many", "many-to-many")


def _years(text: str) -> tuple[int, int]:
    first, _, last = text.partition("-")
    try:
        return int(first), int(last or first)
    except ValueError as e:
        raise CrosswalkError(f"bad year span {text!r}") from e


def _link(row: dict[str, str]) -> SocLink:
    missing = [f for f in FIELDS if not row.get(f)]
    if missing:
        raise CrosswalkError(f"crosswalk row without {', '.join(missing)}: {row}")
    relation = row["relation"]
    if relation not in RELATIONS:
        raise CrosswalkError(f"unknown relation {relation!r}")
    return SocLink(
        old_code=row["old_code"],
        old_title=row["old_title"],
        old_years=_years(row["old_years"]),
        new_code=row["new_code"],
        new_title=row["new_title"],
        new_years=_years(row["new_years"]),
        relation=relation,  # type: ignore[arg-type]  # checked against RELATIONS above
    )


class SocCrosswalk:
    """Old (May 2019–2020) and new (May 2021 on) SOC codes of the same occupations."""

    def __init__(self, links: Iterable[SocLink]) -> None:
        self.links = tuple(links)
        self._by_new: dict[str, list[SocLink]] = {}
        self._by_old: dict[str, list[SocLink]] = {}
        for link in self.links:
            self._by_new.setdefault(link.new_code, []).append(link)
            self._by_old.setdefault(link.old_code, []).append(link)

    @classmethod
    def parse(cls, text: str) -> SocCrosswalk:
        reader = csv.DictReader(io.StringIO(text))
        if tuple(reader.fieldnames or ()) != FIELDS:
            raise CrosswalkError(f"crosswalk columns must be {', '.join(FIELDS)}")
        return cls(_link(row) for row in reader)

    @classmethod
    def shipped(cls) -> SocCrosswalk:
        """The crosswalk shipped with the data (``agents/oews/shipped/soc_crosswalk.csv``)."""
        text = resources.files("agents.oews").joinpath("shipped/soc_crosswalk.csv").read_text("utf-8")
        return cls.parse(text)

    def predecessors(self, code: str) -> tuple[SocLink, ...]:
        """Links from the old codes that held this new occupation: 15-1252 -> 15-1256."""
        return tuple(self._by_new.get(code, ()))

    def successors(self, code: str) -> tuple[SocLink, ...]:
        """Links to the new codes an old one was split into: 15-1256 -> 15-1252, 15-1253."""
        return tuple(self._by_old.get(code, ()))

    def codes_by_year(self, code: str, years: Iterable[int]) -> dict[int, tuple[str, ...]]:
        """The code(s) publishing this occupation in each year: the old code(s) before the
        change, the code itself after it (an old code is followed to its new codes)."""
        found: dict[int, tuple[str, ...]] = {}
        before, after = self.predecessors(code), self.successors(code)
        for year in years:
            if before and year <= before[0].old_years[1]:
                found[year] = tuple(sorted({link.old_code for link in before}))
            elif after and year >= after[0].new_years[0]:
                found[year] = tuple(link.new_code for link in after)
            else:
                found[year] = (code,)
        return found

    def caveat(self, code: str, years: Iterable[int]) -> str | None:
        """What a trend of this occupation over ``years`` must say about the SOC change: the
        older code it was published under, or (asked about an old code) the codes it became."""
        shown = sorted(years)
        if not shown:
            return None
        before = [link for link in self.predecessors(code) if shown[0] <= link.old_years[1]]
        if before and shown[-1] >= before[0].new_years[0]:
            return " ".join(_caveat_for(link, self.successors(link.old_code)) for link in before)
        after = self.successors(code)
        if after and shown[-1] >= after[0].new_years[0]:
            return _split_caveat(after)
        return None


def _span(years: tuple[int, int]) -> str:
    return f"{years[0]}–{years[1]}" if years[0] != years[1] else str(years[0])


def _caveat_for(link: SocLink, siblings: tuple[SocLink, ...]) -> str:
    text = (
        f"SOC code change: for May {_span(link.old_years)} BLS published this occupation under "
        f"{link.old_code} “{link.old_title}”; from May {link.new_years[0]} under {link.new_code}."
    )
    others = [s for s in siblings if s.new_code != link.new_code]
    if not others:
        return text + " The two codes cover the same occupation."
    listed = _and([f"{s.new_title} ({s.new_code})" for s in others])
    group = " + ".join(s.new_code for s in siblings)
    return (
        f"{text} {link.old_code} also covers {listed}, so figures before and after the change "
        f"are not like with like: compare {link.old_code} with {group} together."
    )


def _split_caveat(links: tuple[SocLink, ...]) -> str:
    first = links[0]
    listed = _and([f"{link.new_title} ({link.new_code})" for link in links])
    return (
        f"SOC code change: {first.old_code} “{first.old_title}” was published for May "
        f"{_span(first.old_years)} only; from May {first.new_years[0]} BLS publishes it as {listed}. "
        "Ask about those occupations for later years."
    )


def _and(items: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
