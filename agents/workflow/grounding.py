"""The grounding check: every number in a written answer must come from the result rows.

A number written in an answer is *grounded* when, at the precision it is written with
(``$128,260``, ``46.52``, ``2.8``, ``58.6K``, ``1.2 million``, ``12.5%``), it equals:

- a value in the result rows (any column; numbers inside text cells such as SOC codes count);
- a stated derivation of two row values: the difference, ratio or percent change of one
  measure across two rows, or of two measures of one row (mean vs median); the share of a
  row's ``jobs_past`` (the jobs past a pay threshold) in its ``all_jobs``;
- a structural number: a loaded year, a BLS top-code, the 2,080 hours of an annual wage, the
  growth ranking's employment floor,
  a percentile name (10th, 90th), "per 1,000", a list position or count up to 25, a count
  of rows up to the number of rows (how many occupations pass a threshold, "and 57 more");
- a number in the question or in cited research text.

Codes are identifiers, not figures: SOC codes (``29-1141``) and ``NAICS 622000`` are skipped.
A percentage (``12.5%``) is grounded only by a percent change, a percent-valued column (the
relative standard errors) or a percentile name, never by an unrelated plain number.

Anything else is invented: ``ungrounded`` returns it, and the synthesizer regenerates the answer
once or replaces it with the deterministic template.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from agents.answer import Row
from agents.engine.queries import GROWTH_FLOOR
from agents.oews.schema import TOP_CODES

NUMBER = re.compile(
    r"(?<![\w.])\$?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?"
    r"(?:\s?(%|percent\b|[kK]\b|[mM]\b|million\b|thousand\b|billion\b|bn\b))?"
)
CODES = re.compile(r"\b\d{2}-\d{4}(?:\.\d{2})?\b|\bNAICS\s+\d[\d-]*", re.IGNORECASE)
_SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "billion": 1e9, "bn": 1e9}
PERCENTILES = (10.0, 25.0, 50.0, 75.0, 90.0, 100.0)
SMALL_COUNT = 25
MAX_DERIVATION_ROWS = 60


@dataclass(frozen=True)
class Written:
    raw: str
    value: float
    decimals: int
    scale: float = 1.0
    percent: bool = False


def written_numbers(text: str) -> list[Written]:
    found = []
    for m in NUMBER.finditer(CODES.sub(" ", text)):
        whole, fraction, suffix = m.group(1), m.group(2), (m.group(3) or "").lower()
        value = float(whole.replace(",", "") + (fraction or ""))
        decimals = len(fraction) - 1 if fraction else 0
        percent = suffix in ("%", "percent")
        found.append(Written(m.group(0).strip(), value, decimals, _SCALES.get(suffix, 1.0), percent))
    return found


@dataclass
class Evidence:
    """The numbers an answer may use, in three pools, each kept sorted for lookups once asked.

    The derivations of pairs of row values (``_derive``) are many; they are computed the first time
    a number is not grounded without them (half the template answers need none)."""

    values: set[float] = field(default_factory=set)  # row values and other plain numbers
    percents: set[float] = field(default_factory=set)  # percent changes, percent columns, percentiles
    _sorted: dict[int, list[float]] = field(default_factory=dict)  # pool -> its numbers, sorted
    _underived: tuple[dict[str, list[float]], Sequence[Row]] | None = field(default=None, repr=False)

    def grounded(self, number: Written) -> bool:
        if self._found(number):
            return True
        if self._underived is None:
            return False
        columns, rows = self._underived
        self._underived = None
        _derive(self, columns, rows)
        self._sorted.clear()
        return self._found(number)

    def _found(self, number: Written) -> bool:
        """Some number of the pool, at the written scale and precision, is the written value.

        Only the numbers within one unit of the last written digit can round to it: they are found
        by bisection in the sorted pool, then rounded (the same test as rounding the whole pool)."""
        pool = 1 if number.percent else 0
        if pool not in self._sorted:
            self._sorted[pool] = sorted(self.percents if pool == 1 else self.values)
        numbers, scale, decimals = self._sorted[pool], number.scale, number.decimals
        unit = 10.0**-decimals
        start = bisect.bisect_left(numbers, (number.value - unit) * scale)
        end = bisect.bisect_right(numbers, (number.value + unit) * scale, lo=start)
        return any(round(v / scale, decimals) == number.value for v in numbers[start:end])


def evidence(
    rows: Sequence[dict[str, Any]], *, texts: Iterable[str] = (), years: Iterable[int] = ()
) -> Evidence:
    """The evidence of ``rows``, plus numbers in ``texts`` (question, research) and ``years``."""
    ev = Evidence()
    ev.values.update(float(y) for y in years)
    ev.values.update(float(v) for v in range(SMALL_COUNT + 1))
    ev.values.update(_structural())
    ev.percents.update(PERCENTILES)
    ev.values.update(PERCENTILES)  # "75th", "90th"
    ev.values.update(float(n) for n in range(len(rows) + 1))  # counts of rows
    columns: dict[str, list[float]] = {}
    for row in rows:
        for key, value in row.items():
            _collect(ev, columns, key, value)
    ev.values.update(float(len(v)) for v in columns.values())
    for text in texts:
        for w in written_numbers(text):
            (ev.percents if w.percent else ev.values).add(w.value * w.scale)
        asked = [int(y) for y in _YEAR.findall(text)]
        if asked:  # "from 2016 to 2025": each year between may be named (as not loaded, say)
            ev.values.update(float(y) for y in range(min(asked), max(asked) + 1))
    ev._underived = (columns, rows[:MAX_DERIVATION_ROWS])
    return ev


def _structural() -> set[float]:
    values = {1000.0, 2080.0, float(GROWTH_FLOOR)}  # per 1,000; BLS's 2,080 hours a year
    for hourly, annual in TOP_CODES.values():
        values.update((float(hourly), float(annual)))
    return values


def _collect(ev: Evidence, columns: dict[str, list[float]], key: str, value: Any) -> None:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float):
        ev.values.update((float(value), abs(float(value))))  # a decrease is written as "fell by 5,000"
        columns.setdefault(key, []).append(float(value))
        if key.endswith("_prse") or key.startswith("pct_"):
            ev.percents.add(float(value))
        if key == "change":  # a relative change computed in SQL, written as a percent
            ev.percents.update((float(value) * 100, abs(float(value)) * 100))
    elif isinstance(value, str):
        ev.values.update(w.value * w.scale for w in written_numbers(value))


def _derive(ev: Evidence, columns: dict[str, list[float]], rows: Sequence[dict[str, Any]]) -> None:
    """Differences, ratios and percent changes a writer may state."""
    for values in columns.values():
        first = values[:MAX_DERIVATION_ROWS]
        distinct = list(dict.fromkeys(first))  # each pair of values once (the derivations are symmetric)
        for a, b in itertools.combinations(distinct, 2):
            _pair(ev, a, b)
        if len(distinct) < len(first):  # a value twice: a difference of 0, a ratio of 1
            for a in {a for a in distinct if first.count(a) > 1}:
                _pair(ev, a, a)
    for row in rows:
        wages = [float(v) for k, v in row.items() if k[:2] in ("a_", "h_") and _numeric(v)]
        for a, b in itertools.combinations(wages, 2):
            _pair(ev, a, b)
        part, whole = row.get("jobs_past"), row.get("all_jobs")
        if _numeric(part) and _numeric(whole) and whole:
            ev.percents.add(part / whole * 100)  # the jobs past a threshold, as a share of all jobs


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _pair(ev: Evidence, a: float, b: float) -> None:
    ev.values.add(abs(a - b))
    if a and b:
        ev.values.update((a / b, b / a))
        ev.percents.update((abs(b - a) / abs(a) * 100, abs(a - b) / abs(b) * 100))


def ungrounded(text: str, ev: Evidence) -> list[str]:
    """The numbers of ``text`` that ``ev`` does not support (empty: the text is grounded)."""
    return [w.raw for w in written_numbers(text) if not ev.grounded(w)]


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def dropped_parts(text: str, parts: Iterable[tuple[str, tuple[str, ...]]]) -> list[str]:
    """The parts of a question (name, ways it may be written) that ``text`` never mentions.

    An answer uses a part of the question or says it did not: either way it names it. A number
    (a threshold) is matched by value, at any precision it is written with."""
    lowered = text.lower()
    written = {round(w.value * w.scale, 2) for w in written_numbers(text)}
    missing = []
    for name, ways in parts:
        if not any(_mentions(way, lowered, written) for way in ways):
            missing.append(name)
    return missing


def _mentions(way: str, lowered: str, written: set[float]) -> bool:
    if _YEAR.fullmatch(way):
        return way in lowered
    try:
        return round(float(way), 2) in written
    except ValueError:
        return way.lower() in lowered
