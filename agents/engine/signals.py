"""What the words of a question ask for: measures, years, ranking, comparison.

Works on the lower-cased cleaned question; knows nothing about places or occupations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "fifteen": 15, "twenty": 20,
}  # fmt: skip

_PCT_EXPLICIT = re.compile(
    r"\b(10|25|50|75|90)(?:st|nd|rd|th)?\s*(?:pct|percentile|%ile|perc|p)\b"
    r"|\bp(10|25|50|75|90)\b|\bpercentile\s*(10|25|50|75|90)\b"
)
_PCT_PHRASES = (
    (re.compile(r"\b(top|highest|upper|best[- ]paid)\s*(10\s*%|10 percent|ten percent|decile)"), 90),
    (re.compile(r"\b(bottom|lowest|lower)\s*(10\s*%|10 percent|ten percent|decile)"), 10),
    (re.compile(r"\b(top|upper|highest)\s*(25\s*%|25 percent|quartile)"), 75),
    (re.compile(r"\b(bottom|lower|lowest)\s*(25\s*%|25 percent|quartile)"), 25),
)
_PERCENTILE_WORD = re.compile(r"\b(percentiles?|pct|%ile)\b")
_ORDINAL = re.compile(r"\b(10|25|50|75|90)(?:st|nd|rd|th)\b")
_ENTRY = re.compile(r"\b(entry[- ]level|starting|beginners?|new grads?|junior)\b")
_RANGE = re.compile(r"\b(range|distribution|spread|percentiles|low\s+to\s+high|low\s+end|high\s+end)\b")
_MEDIAN = re.compile(r"\b(median|typical|typically|middle)\b")
_MEAN = re.compile(r"\b(mean|average|avg|averages)\b")
_HOURLY = re.compile(r"\b(hourly|per\s+hour|an\s+hour|by\s+the\s+hour|hour|per\s+hr|an\s+hr)\b|/\s*hr\b")
_ANNUAL = re.compile(r"\b(annual|annually|salary|salaries|yearly|per\s+year|a\s+year|/yr)\b")
_PAY = re.compile(
    r"\b(pay|pays|paid|paying|make|makes|making|earn|earns|earning|earnings|salary|salaries"
    r"|wage|wages|income|compensation|money|rate|comp)\b|\$"
)
_EMPLOYMENT = re.compile(
    r"\b(how\s+many|number\s+of|employment|employed|headcount|head\s+count|workforce"
    r"|employ|employs|employing|count\s+of|total\s+jobs|jobs\s+(are|were)\s+there"
    r"|jobs?\s+(growth|gains?|losses|grew|growing|shrank|changed?|increased?|decreased?))\b"
)
_MORE = re.compile(r"\b(more|fewer|most|less|bigger|larger)\b")
_LQ = re.compile(r"\b(location\s+quotient|lq|lqs)\b")
_PER_1000 = re.compile(
    r"\bper\s+(1,?000|thousand|1k)\b|\bjobs\s+per\b|\bper\s+capita\b"
    r"|\b(share|percent|percentage|proportion|fraction)\s+of\s+(all\s+)?(the\s+)?(jobs|employment|workers)\b"
)
_CONCENTRATION = re.compile(r"\b(concentrat\w*|dense|density|specializ\w*|over-?represented)\b")
_RSE = re.compile(r"\b(reliab\w*|standard\s+error|rse|prse|margin\s+of\s+error|precise|precision)\b")

_RANK = re.compile(
    r"\b(top|highest|lowest|most|least|fewest|best|worst|largest|biggest|smallest|rank\w*"
    r"|leading|bottom|fastest|slowest|quickest)\b|\bwhich\s+(states?|metros?|cities|areas?|industries|sectors?|jobs?"
    r"|occupations?|careers?|professions?)\b"
)
_ASCENDING = re.compile(r"\b(lowest|least|fewest|worst|smallest|bottom|cheapest|slowest)\b")
_TOP_N = re.compile(
    r"\b(?:top|bottom|first|best|worst|highest|lowest)\s+(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")\b"
    r"|\b(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")\s+(?:highest|lowest|best|worst|top|most|least"
    r"|states?|metros?|metro\s+areas|cities|areas|industries|sectors|jobs|occupations|careers)\b"
)
_RANK_STATES = re.compile(r"\b(states|which\s+state|what\s+state|state\s+(pays|has|with))\b")
_RANK_METROS = re.compile(
    r"\b(metros|metro\s+areas|metropolitan\s+areas|cities|which\s+(metro|city|area)"
    r"|what\s+(metro|city|area)|areas)\b"
)
_RANK_NONMETRO = re.compile(r"\b(nonmetro\w*|non-metro\w*|rural\s+areas)\b")
_RANK_INDUSTRIES = re.compile(r"\b(industries|industry|sectors|sector|employers|subsectors)\b")
_RANK_OCCUPATIONS = re.compile(
    r"\b(jobs|job|occupations|occupation|careers|career|professions|roles|positions|job\s+titles)\b"
)
_INDUSTRY_LEVEL = re.compile(r"\b([3-6])[- ]?digit\b|\b(sectors?|subsectors?)\b")
_COMPARE = re.compile(r"\b(vs\.?|versus|compared?\s+(to|with)?|comparison|or|than|difference|between)\b")
_TREND = re.compile(
    r"\b(chang\w*|trend\w*|over\s+time|over\s+the\s+years|grow\w*|grew|increas\w*|decreas\w*"
    r"|declin\w*|rise|rose|risen|fall|fell|went\s+up|gone\s+up|go\s+up|history|historical"
    r"|since|each\s+year|every\s+year|per\s+year\s+since|year\s+by\s+year|annually\s+since)\b"
)
_GROWTH = re.compile(
    r"\b(grew|grow\w*|growth|increas\w*|rose|risen|gain\w*|declin\w*|shr[iau]nk\w*|fell|drop\w*"
    r"|lost|losing|boom\w*)\b"
)
_SHRINK = re.compile(r"\b(declin\w*|shr[iau]nk\w*|fell|drop\w*|lost|losing)\b")
_ALL_YEARS = re.compile(r"\b(each|every)\s+year\b|\bover\s+(time|the\s+years)\b|\ball\s+years\b")
_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")
_SINCE = re.compile(r"\b(since|after|from)\s+(?:may\s+)?(20\d\d)\b")
_SPAN = re.compile(r"\b(?:from|between)?\s*(20\d\d)\s*(?:-|–|—|to|through|thru|until|and)\s*(20\d\d)\b")
_NOW = re.compile(r"\b(now|today|currently|current|latest|this\s+year|nowadays|these\s+days)\b")
_CHART = re.compile(r"\b(chart|graph|plot|visuali[sz]e)\b")


@dataclass(frozen=True)
class Signals:
    percentiles: tuple[int, ...] = ()
    entry_level: bool = False
    median: bool = False
    mean: bool = False
    hourly: bool = False
    annual: bool = False
    pay: bool = False
    employment: bool = False
    lq: bool = False
    per_1000: bool = False
    concentration: bool = False
    reliability: bool = False
    ranking: bool = False
    ascending: bool = False
    top_n: int | None = None
    rank_target: str | None = None  # state | metro | nonmetro | industry | occupation
    names_occupations: bool = False  # "jobs", "occupations", "careers" appear
    industry_level: str | None = None
    compare: bool = False
    trend: bool = False
    growth: bool = False  # "grew fastest", "biggest increase", "declined the most"
    shrink: bool = False
    years: tuple[int, ...] = ()
    year_span: tuple[int, int] | None = None
    since: int | None = None
    now: bool = False
    all_years: bool = False
    chart: bool = False
    year_tokens: frozenset[str] = field(default_factory=frozenset)

    @property
    def wants_wage(self) -> bool:
        return bool(
            self.pay
            or self.median
            or self.mean
            or self.percentiles
            or self.hourly
            or self.annual
            or self.entry_level
        )

    @property
    def any_measure(self) -> bool:
        return self.wants_wage or self.employment or self.lq or self.per_1000 or self.concentration


def read_signals(lower: str) -> Signals:
    percentiles = _percentiles(lower)
    ranking_text = _strip_percentile_phrases(lower)
    ranking = bool(_RANK.search(ranking_text))
    years = tuple(int(y) for y in _YEAR.findall(lower))
    span = _SPAN.search(lower)
    since = _SINCE.search(lower)
    return Signals(
        percentiles=percentiles,
        entry_level=bool(_ENTRY.search(lower)),
        median=bool(_MEDIAN.search(lower)),
        mean=bool(_MEAN.search(lower)),
        hourly=bool(_HOURLY.search(lower)),
        annual=bool(_ANNUAL.search(lower)),
        pay=bool(_PAY.search(lower)),
        employment=bool(_EMPLOYMENT.search(lower)) or (bool(_MORE.search(lower)) and not _PAY.search(lower)),
        lq=bool(_LQ.search(lower)),
        per_1000=bool(_PER_1000.search(lower)),
        concentration=bool(_CONCENTRATION.search(lower)),
        reliability=bool(_RSE.search(lower)),
        ranking=ranking,
        ascending=ranking and bool(_ASCENDING.search(ranking_text)),
        top_n=_top_n(ranking_text) if ranking else None,
        rank_target=_rank_target(ranking_text) if ranking else None,
        names_occupations=bool(_RANK_OCCUPATIONS.search(ranking_text)),
        industry_level=_industry_level(lower),
        compare=bool(_COMPARE.search(lower)),
        trend=bool(_TREND.search(lower)),
        growth=bool(_GROWTH.search(lower)),
        shrink=bool(_SHRINK.search(lower)),
        years=years,
        year_span=(int(span.group(1)), int(span.group(2))) if span else None,
        since=int(since.group(2)) if since and not span else None,
        now=bool(_NOW.search(lower)),
        all_years=bool(_ALL_YEARS.search(lower)),
        chart=bool(_CHART.search(lower)),
        year_tokens=frozenset(str(y) for y in years),
    )


def _percentiles(lower: str) -> tuple[int, ...]:
    found: list[int] = []
    for m in _PCT_EXPLICIT.finditer(lower):
        found.append(int(next(g for g in m.groups() if g)))
    for pattern, pct in _PCT_PHRASES:
        if pattern.search(lower):
            found.append(pct)
    if _RANGE.search(lower):
        found.extend((10, 25, 50, 75, 90))
    if found and _PERCENTILE_WORD.search(lower):  # "25th and 75th percentile": both ordinals count
        found.extend(int(n) for n in _ORDINAL.findall(lower))
    return tuple(sorted(set(found)))


def _strip_percentile_phrases(lower: str) -> str:
    text = _PCT_EXPLICIT.sub(" ", lower)
    for pattern, _ in _PCT_PHRASES:
        text = pattern.sub(" ", text)
    return text


def _top_n(text: str) -> int | None:
    m = _TOP_N.search(text)
    if not m:
        return None
    raw = next(g for g in m.groups() if g)
    return int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]


def _rank_target(text: str) -> str | None:
    for pattern, target in (
        (_RANK_NONMETRO, "nonmetro"),
        (_RANK_STATES, "state"),
        (_RANK_METROS, "metro"),
        (_RANK_INDUSTRIES, "industry"),
        (_RANK_OCCUPATIONS, "occupation"),
    ):
        if pattern.search(text):
            return target
    return None


def _industry_level(lower: str) -> str | None:
    m = _INDUSTRY_LEVEL.search(lower)
    if not m:
        return None
    if m.group(1):
        return f"{m.group(1)}-digit"
    return "sector" if m.group(2).startswith("sector") else "3-digit"
