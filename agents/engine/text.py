"""Cleaning, tokenizing and screening question text (no data access here)."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUESTION_CHARS = 500

_SLACK_LINK = re.compile(r"<(?:https?|mailto):[^|>]*\|([^>]*)>")
_SLACK_MARKUP = re.compile(r"<[@#!][^>]*>|<(?:https?|mailto):[^>]*>")
_CODE = re.compile(r"`{1,3}")
_EMOJI = re.compile(r":[a-z0-9_+\-]+:")
_SPACES = re.compile(r"\s+")
_TOKEN = re.compile(
    r"\d\d-\d{4}"  # SOC code
    r"|\d+(?:,\d{3})+(?:\.\d+)?"  # 1,000
    r"|\d+(?:st|nd|rd|th)\b"  # 90th
    r"|\d+(?:\.\d+)?%?"  # 10, 2.5, 10%
    r"|[A-Za-z]{1,2}&[A-Za-z]{1,2}\b"  # initials joined by "&": "A&E", "h&r", "R&D"
    r"|[A-Za-z]+(?:['’][A-Za-z]+)*"  # words, what's, sheriff's
    r"|%|&",  # "&" is "and" inside names ("healthcare practitioners & technical")
)


@dataclass(frozen=True)
class Token:
    text: str  # as typed
    lower: str
    start: int  # character offsets in the cleaned question
    end: int


def clean(text: str) -> str:
    """Remove chat markup (mentions, links, code ticks, emoji codes) and squeeze spaces."""
    text = _SLACK_LINK.sub(r"\1", text)
    text = _SLACK_MARKUP.sub(" ", text)
    text = _CODE.sub(" ", text)
    text = _EMOJI.sub(" ", text)
    text = _PLUS.sub(r"\1 and ", text)  # "construction + extraction jobs" (not "100k+ workers")
    return _SPACES.sub(" ", text).strip()


_PLUS = re.compile(r"\b([A-Za-z]{2,})\s*\+\s*(?=[A-Za-z])")


_SHORT_YEAR = re.compile(r"(?<![\w$])['’]([12]\d)\b(?!\s*(?:k\b|%|s\b))")


def full_years(text: str) -> str:
    """ "'24 vs '25" -> "2024 vs 2025" (never "'90s", "'24k")."""
    return _SHORT_YEAR.sub(r"20\1", text) if "'" in text or "’" in text else text


_SINCE_LAST_YEAR = re.compile(
    r"\b(since|from|vs\.?|versus|than|compared\s+(?:to|with))\s+last\s+(?:year|yr)\b", re.IGNORECASE
)


def last_year_as_a_year(text: str, latest: int) -> str:
    """ "since last yr" -> "since 2024" when the latest release is 2025: the release before it."""
    return _SINCE_LAST_YEAR.sub(lambda m: f"{m.group(1)} {latest - 1}", text)


def tokenize(text: str) -> list[Token]:
    return [
        Token(m.group(), m.group().lower().replace("’", "'"), m.start(), m.end())
        for m in _TOKEN.finditer(text)
    ]


_UNSAFE = tuple(
    re.compile(p)
    for p in (
        r"\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|prompts?|rules)\b",
        r"\bsystem\s+prompt\b|\bjailbreak\b|\bdeveloper\s+mode\b|\bprompt\s+injection\b",
        r"\b(api[\s_-]*keys?|passwords?|secrets?|credentials?|access\s+tokens?|tokens?)\b",
        r";\s*(drop|delete|insert|update|alter|create|truncate|attach|pragma)\b",
        r"\b(drop|truncate)\s+(all\s+)?(the\s+)?tables?\b|\bunion\s+(all\s+)?select\b|\binsert\s+into\b",
        r"\bdelete\s+from\b|'\s*or\s+'?1'?\s*=\s*'?1|--\s*$|/\*",
        r"\b(other|others|everyone|everybody|someone|somebody|anyone|users?|colleagues?|coworkers?)"
        r"\b.{0,40}\b(asked|ask|asking|questions?|queries|history|searched|usage)\b",
        r"\b(who|what)\s+(else\s+)?(has\s+)?asked\b",
    )
)

# Measures OEWS does not have: refused even when an occupation is named.
_NOT_OEWS = (
    (
        r"\b(write|compose|make\s+up|tell|give)\b.{0,25}\b(poems?|jokes?|stor(y|ies)|songs?|essays?|haikus?"
        r"|limericks?|raps?|cover\s+letters?|resumes?)\b",
        "I answer with published OEWS figures; I don't write poems, jokes, stories or letters.",
    ),
    (
        r"\b(household|family|personal|per\s+capita)\s+income\b|\bminimum\s+wages?\b|\bpoverty\b|\bgdp\b",
        "OEWS measures what jobs pay by occupation, not household income, legal minimum wages or "
        "poverty (those come from the Census Bureau and the Department of Labor).",
    ),
    (
        r"\bunemploy",
        "OEWS does not measure unemployment; that comes from other BLS programs "
        "(LAUS for states and metros, CPS nationally).",
    ),
    (
        r"\b(job\s+openings?|vacanc\w*|hiring\s+rate|quit\s+rate|layoffs?)\b",
        "OEWS counts jobs filled, not openings, hires or layoffs (that is BLS JOLTS).",
    ),
)
# Near-scope topics refused only when no occupation is named (with one, the closest OEWS figure is given).
# A filter OEWS cannot apply to a count past a threshold ("how many jobs in Utah pay over $100k for
# people with a bachelor's degree") is named as not applied and the count given; a ranking with it
# ("best-paying jobs without a degree") is refused: its top would be the very jobs the filter excludes.
_FILTER_ALONE = (
    (
        r"\b(without|no|with(out)?\s+an?|requir\w+\s+an?)\s+(college\s+)?degrees?\b"
        r"|\beducation(al)?\s+(level|requirements?)\b|\b(bachelor|master)'?s\s+degree\b",
        "OEWS does not record the education or training jobs require; the BLS Employment "
        "Projections program publishes typical entry-level education by occupation.",
    ),
)
_NEAR_SCOPE_ALONE = (
    (
        r"\b(inflation|cpi|housing\s+prices?|home\s+prices?)\b",
        "OEWS has wages and employment, not prices or the cost of living.",
    ),
    (
        r"\bcost\s+of\s+living\b",
        "OEWS has wages and employment, not prices or the cost of living.",
    ),
    (
        r"\b(projections?|projected|outlook|future\s+demand|will\s+.{0,20}grow)\b",
        "OEWS measures the present, not projections (that is the BLS Employment Projections program).",
    ),
    (
        r"\b(gender|sex|racial|race|ethnicity)\b.{0,20}\b(gap|differences?|breakdown|split)\b"
        r"|\b(men|women)\s+(vs|versus|and|or)\s+(men|women)\b",
        "OEWS does not publish wages or employment by sex, race or ethnicity (the BLS Current "
        "Population Survey does); name an occupation for its OEWS pay.",
    ),
)
# Topics that are not about jobs and pay at all: refused when no occupation is named.
_OFF_TOPIC = (
    (r"\b(weather|forecast|temperature|rain|snow)\b", "I can't help with the weather."),
    (
        r"\b(flights?|hotels?|book\s+me|reservations?|travel\s+to)\b",
        "I can't book travel or make reservations.",
    ),
    (
        r"\b(stocks?|share\s+price|crypto|bitcoin|interest\s+rates?|mortgage)\b",
        "I don't have financial-market data.",
    ),
    (
        r"\b(population|census|crime|news|recipes?|jokes?|poems?|scores?|rent)\b",
        "That isn't something the OEWS wage and employment data covers.",
    ),
)
_NOT_OEWS_RE = tuple((re.compile(p), why) for p, why in _NOT_OEWS)
_OFF_TOPIC_RE = tuple((re.compile(p), why) for p, why in _OFF_TOPIC + _NEAR_SCOPE_ALONE)
_FILTER_ALONE_RE = tuple((re.compile(p), why) for p, why in _FILTER_ALONE)
_OFF_TOPIC_ONLY_RE = tuple((re.compile(p), why) for p, why in _OFF_TOPIC)


def is_unsafe(lower: str) -> bool:
    """Prompt injection, SQL injection or a request for other people's data."""
    return any(p.search(lower) for p in _UNSAFE)


_SQL_STATEMENT = re.compile(
    r"^[\s'\")(-]*(drop|delete|insert|update|alter|create|truncate|attach|pragma|select|union|exec)\b", re.I
)
_SQL_TAIL = re.compile(r"\bunion\s+(all\s+)?select\b.*|'\s*or\s+'?1'?\s*=\s*'?1'?|--|/\*|\*/", re.I)


def without_unsafe(text: str) -> tuple[str | None, tuple[str, ...]]:
    """The question around SQL or an instruction typed into it ("median hourly for cashiers in
    ohio'); DROP TABLE oews; --" -> "median hourly for cashiers in ohio"; "ignore all previous
    instructions and …. ok now whats the median plumber salary in vermont" -> its last sentence),
    or None when little more is left (a single word such as "nurse'" is not taken as the question);
    and the parts left out, as typed."""
    parts = text.split(";")
    left_out = [part for part in parts if _SQL_STATEMENT.match(part)]
    kept = [part for part in parts if not _SQL_STATEMENT.match(part)]
    left_out += [m.group() for part in kept for m in _SQL_TAIL.finditer(part)]
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(_SQL_TAIL.sub(" ", part) for part in kept))
    left_out += [part for part in sentences if is_unsafe(part.lower())]
    kept = [part for part in sentences if not is_unsafe(part.lower())]
    rest = " ".join(" ".join(kept).replace("'", " ").replace('"', " ").replace(")", " ").split())
    shown = tuple(_as_quoted(part) for part in left_out if len(re.findall(r"[a-zA-Z]", part)) >= 2)
    return (rest if len(re.findall(r"[a-zA-Z]{2,}", rest)) >= 3 else None), shown


def _as_quoted(part: str, limit: int = 60) -> str:
    """A left-out part trimmed for quoting: "'); DROP TABLE oews" -> "DROP TABLE oews"."""
    text = " ".join(part.split()).strip(" '\"();-")
    return text if len(text) <= limit else f"{text[:limit].rsplit(' ', 1)[0]}…"


def off_topic_reason(
    lower: str, *, names_occupation: bool, near_occupation: bool = False, lists_occupations: bool = False
) -> str | None:
    """Why OEWS cannot answer this, or None when it may be in scope. A near-scope topic is refused
    only when no occupation is named, even one matched loosely ("wind turbine technicians")."""
    patterns = _NOT_OEWS_RE
    if not names_occupation:
        patterns += _OFF_TOPIC_RE if not near_occupation else _OFF_TOPIC_ONLY_RE
    if not (names_occupation or near_occupation or lists_occupations):
        patterns += _FILTER_ALONE_RE
    for pattern, why in patterns:
        if pattern.search(lower):
            return why
    return None


def and_list(names: list[str]) -> str:
    """ "Alaska", "Alaska and Hawaii", "Alaska, Hawaii and Texas"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
