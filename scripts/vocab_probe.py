#!/usr/bin/env python3
"""How well are SOC groups and industries found when named the way people name them?

For every current SOC group (major, minor, broad) and every industry of an OEWS database, this
generates the everyday ways of naming it from its BLS title (generic heads dropped, "&" for
"and", "health care" for "healthcare", singular, the part before the first comma, the part in
parentheses, "X wholesale" for "X Wholesalers", "wholesale of X", "jobs" / "industry" / "firms"
appended …), asks the resolver (and, with ``--questions``, the question parser inside a short
question) what each names, and counts the readings by level:

- **right**: the entity the phrase was made from (or one with the same title at another level,
  such as 211000 / 211100 "Oil and Gas Extraction");
- **asked**: several readings offered, the right one among them (a clarifying question);
- **narrower**: one of its own members (a detailed occupation of a group, a 4-digit industry of a
  3-digit one), as where a hand-written alias says what people mean ("dentists": General Dentists);
- **wrong**: a confident reading of something else (worse than asking);
- **none**: nothing found.

A phrase generated from several entities with different titles ("electrical equipment") is
right when it reads as any of them.  Run:

    python scripts/vocab_probe.py                 # the shipped database ($OEWS_HOME)
    python scripts/vocab_probe.py --questions     # also through the question parser (slower)
    python scripts/vocab_probe.py --show wrong    # list the phrases read wrongly
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.resolve.entities import Entity, Occupation, Resolution, Vocabulary
from agents.resolve.resolver import EntityResolver, normalize

GROUP_LEVELS = ("major", "minor", "broad")
INDUSTRY_LEVELS = ("sector", "3-digit", "4-digit", "5-digit", "6-digit")
OUTCOMES = ("right", "narrower", "asked", "wrong", "none")

# Heads of a title that say only what kind of thing it is.
_GROUP_HEADS = ("Occupations", "Workers")
_INDUSTRY_HEADS = ("Industries", "Services", "Manufacturing", "Activities", "Industry")
_GROUP_NOUNS = ("jobs", "occupations", "workers")
_INDUSTRY_NOUNS = ("industry", "sector", "companies", "firms", "businesses")
# "X Wholesalers" -> "X wholesale", "wholesale of X"; "X Retailers" -> "X stores" ...
_HEAD_SWAPS = {
    "wholesalers": ("wholesale", "wholesale of {}", "{} wholesaling", "{} distributors"),
    "retailers": ("retail", "stores", "retail of {}", "{} shops"),
    "manufacturing": ("manufacturers", "makers", "manufacturing of {}", "{} factories"),
    "dealers": ("dealerships",),
    "contractors": ("contracting", "contractor"),
    "mills": ("mill",),
}
_SECTOR = re.compile(r"^Sectors? [\d, and]+ - ")
_PARENS = re.compile(r"\s*\(([^)]*)\)")
_EXCEPT = re.compile(r",?\s+(?:except|excluding|excl\.?|including)\b.*$", re.IGNORECASE)


@dataclass(frozen=True)
class Probe:
    phrase: str
    kind: str  # occupation | industry
    level: str
    targets: frozenset[str]  # codes of entities the phrase may rightly name
    rule: str


# --------------------------------------------------------------------------------------------
# The ways people name a title
# --------------------------------------------------------------------------------------------


def clean_title(title: str) -> str:
    """A title without "Sector 52 - ", parentheses, "except …" clauses; "&" spelled out."""
    title = _SECTOR.sub("", title).replace(" & ", " and ").replace("&", " and ")
    return _EXCEPT.sub("", _PARENS.sub("", title)).strip(" ,")


def _drop_head(base: str, heads: Sequence[str]) -> str | None:
    """ "Legal Support Workers" -> "Legal Support"; "Lawyers, Judges, and Related Workers" ->
    "Lawyers and Judges"."""
    for head in heads:
        if base.endswith(" " + head):
            rest = base.removesuffix(" " + head).replace(f" {head} and ", " and ")
            rest = re.sub(r",? and Related$|,? Related$", "", rest).strip(" ,")
            first, comma, last = rest.rpartition(", ")
            listed = comma and not last.startswith(("and ", "or ")) and " and " not in last
            return f"{first} and {last}" if listed else rest or None
    return None


def _residual(base: str) -> bool:
    """ "Miscellaneous …", "Other …", "All Other …": nobody names these by their head."""
    return base.startswith(("Miscellaneous", "Other ", "All Other"))


def _swaps(base: str) -> Iterator[tuple[str, str]]:
    words = base.split()
    head = words[-1].lower()
    rest = " ".join(words[:-1]).removesuffix(" Merchant")
    if head not in _HEAD_SWAPS or not rest or "," in rest or _residual(base):
        return
    for form in _HEAD_SWAPS[head]:
        yield (
            ("reorder" if "{}" in form else "head swap"),
            (form.format(rest) if "{}" in form else f"{rest} {form}"),
        )


def _spellings(phrase: str) -> Iterator[tuple[str, str]]:
    yield "as is", phrase
    if " and " in phrase:
        yield "&", phrase.replace(" and ", " & ")
    low = phrase.lower()
    if "health care" in low:
        yield "healthcare", re.sub("health care", "healthcare", phrase, flags=re.IGNORECASE)
    elif "healthcare" in low:
        yield "health care", re.sub("healthcare", "health care", phrase, flags=re.IGNORECASE)


_SUPERVISORS = re.compile(r"^(?:First-Line )?Supervisors of (.*?)(?: Workers)?$")


def _parts(title: str, heads: Sequence[str]) -> list[tuple[str, str]]:
    base = clean_title(title)
    parts: list[tuple[str, str]] = [("base", base)]
    rest = _drop_head(base, heads)
    if rest and not _residual(base) and not _SUPERVISORS.match(base):
        parts.append(("no head", rest))
    first = base.partition(",")[0]
    if first != base and (len(first.split()) > 1 or title.startswith("Sector")) and not _residual(base):
        parts.append(("before comma", first))
    inner = _PARENS.search(_SECTOR.sub("", title))
    if inner and len(inner.group(1).split()) > 1 and not re.search(r"\d", inner.group(1)):
        parts.append(("parentheses", inner.group(1)))
    supervised = _SUPERVISORS.match(base)
    if supervised and "," not in supervised.group(1):
        parts.append(("supervisors", f"{supervised.group(1)} supervisors"))
    return parts


def name_forms(title: str, heads: Sequence[str], nouns: Sequence[str]) -> Iterator[tuple[str, str]]:
    """(rule, phrase) for the everyday ways to name a title: each part of it (the title, without
    its generic head, before its first comma, in its parentheses) as is, with "&", with the
    other spelling of health care, and with a noun after it ("… jobs", "… industry")."""
    parts = _parts(title, heads)
    yield "title", parts[0][1]
    for rule, phrase in [*parts, *_swaps(parts[0][1])]:
        one_word = len(phrase.split()) == 1
        for spelling, form in _spellings(phrase):
            label = rule if spelling == "as is" else f"{rule} + {spelling}"
            if not (one_word and rule == "no head"):  # "management", "production": a word, not a name
                yield label, form
            if rule in ("base", "no head", "before comma") and not form.endswith("s"):
                yield from ((f"{label} + {noun}", f"{form} {noun}") for noun in nouns)
    base = parts[0][1]
    if (
        base.endswith("s")
        and not base.endswith(("ss", "us", "as"))
        and "," not in base
        and " and " not in base
    ):
        yield "singular", base[:-3] + "y" if base.endswith("ies") else base[:-1]


def _key(phrase: str) -> str:
    """The phrase as a person types it: lower case, "&" kept as typed, punctuation gone."""
    return " ".join(re.sub(r"[^a-z0-9&]+", " ", phrase.lower().replace("'", "")).split())


def _equivalent(entities: Iterable[Entity]) -> dict[str, frozenset[str]]:
    """Code -> the codes of every entity with the same cleaned title."""
    by_title: dict[str, set[str]] = defaultdict(set)
    titles = {}
    for e in entities:
        key = normalize(clean_title(e.title))
        by_title[key].add(e.code)
        titles[e.code] = key
    return {code: frozenset(by_title[key]) for code, key in titles.items()}


def probes(vocab: Vocabulary) -> list[Probe]:
    """Every generated phrase of every current SOC group and every industry."""
    latest = max(o.last_year for o in vocab.occupations)
    groups = [o for o in vocab.occupations if o.o_group in GROUP_LEVELS and o.last_year == latest]
    industries = [i for i in vocab.industries if i.i_group in INDUSTRY_LEVELS]
    made: dict[tuple[str, str], list[tuple[Entity, str]]] = defaultdict(list)
    for occ in groups:
        for rule, phrase in name_forms(occ.title, _GROUP_HEADS, _GROUP_NOUNS):
            made["occupation", _key(phrase)].append((occ, rule))
    for ind in industries:
        for rule, phrase in name_forms(ind.title, _INDUSTRY_HEADS, _INDUSTRY_NOUNS):
            made["industry", _key(phrase)].append((ind, rule))
    same = {**_equivalent(vocab.occupations), **_equivalent(vocab.industries)}
    found = []
    for (kind, phrase), sources in made.items():
        targets = frozenset(code for e, _ in sources for code in same[e.code])
        entity, rule = sources[0]
        level = entity.o_group if isinstance(entity, Occupation) else entity.i_group
        found.append(Probe(phrase, kind, level, targets, rule))
    return found


# --------------------------------------------------------------------------------------------
# Reading them
# --------------------------------------------------------------------------------------------


def outcome(codes: Sequence[str], ambiguous: bool, targets: frozenset[str]) -> str:
    if not codes:
        return "none"
    if ambiguous or len(codes) > 1:
        return "asked" if targets & set(codes) else "wrong"
    if codes[0] in targets:
        return "right"
    return "narrower" if any(member_of(codes[0], t) for t in targets) else "wrong"


def member_of(code: str, group: str) -> bool:
    """Is ``code`` inside ``group`` in the SOC or NAICS hierarchy ("29-1021" in "29-1020";
    "336100" in "336000" and in "31-33")?"""
    if code == group:
        return False
    if "-" in group and len(group) == 7:  # SOC: the group's code without its trailing zeros
        return code[:7] != group and code.startswith(group.rstrip("0"))
    if "-" in group:  # a NAICS sector range: "31-33"
        first, last = (int(x) for x in group.split("-"))
        return code[:2].isdigit() and first <= int(code[:2]) <= last
    return code.startswith(group.rstrip("0")) and len(code) >= len(group)


def read_by_resolver(resolver: EntityResolver, probe: Probe) -> tuple[list[str], bool]:
    resolution: Resolution[Any] = getattr(resolver, probe.kind)(probe.phrase)
    if resolution.ambiguous:
        return [m.entity.code for m in resolution.matches], True
    return ([resolution.best.code] if resolution.best is not None else []), False


QUESTIONS = {
    "occupation": "what is the median pay for {}?",
    "industry": "median pay for janitors in {}?",
}


def question_reader(engine: Any) -> Callable[[EntityResolver, Probe], tuple[list[str], bool]]:
    """The reading of the phrase inside a short question, by the engine's parser."""

    def read(_: EntityResolver, probe: Probe) -> tuple[list[str], bool]:
        parsed = engine.parse(QUESTIONS[probe.kind].format(probe.phrase))
        if parsed.clarify is not None:
            readings = parsed.clarify.readings
            codes = [c for c in probe.targets if any(c in r or _title_in(c, r, engine) for r in readings)]
            return (codes or ["?"]), True
        intent = parsed.intent
        if intent is None:
            return [], False
        if probe.kind == "occupation":
            return [o.code for o in intent.occupations if o.code != "00-0000"], False
        return [i.code for i in intent.industries], False

    return read


def _title_in(code: str, reading: str, engine: Any) -> bool:
    entity = engine.resolver.by_code("occupation", code) or engine.resolver.by_code("industry", code)
    return entity is not None and entity.title in reading


def measure(
    resolver: EntityResolver,
    found: Sequence[Probe],
    read: Callable[[EntityResolver, Probe], tuple[list[str], bool]] = read_by_resolver,
) -> dict[tuple[str, str], Counter[str]]:
    """(kind, level) -> Counter of outcomes; also ("*", kind) for the totals."""
    table: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for probe in found:
        codes, ambiguous = read(resolver, probe)
        result = outcome(codes, ambiguous, probe.targets)
        table[probe.kind, probe.level][result] += 1
        table[probe.kind, "all"][result] += 1
    return table


def misses(
    resolver: EntityResolver,
    found: Sequence[Probe],
    which: str,
    read: Callable[[EntityResolver, Probe], tuple[list[str], bool]] = read_by_resolver,
) -> Iterator[tuple[Probe, list[str]]]:
    for probe in found:
        codes, ambiguous = read(resolver, probe)
        if outcome(codes, ambiguous, probe.targets) == which:
            yield probe, codes


def report(table: dict[tuple[str, str], Counter[str]]) -> str:
    lines = [f"{'kind':<11}{'level':<9}{'n':>6}" + "".join(f"{o:>10}" for o in OUTCOMES)]
    for kind, levels in (("occupation", (*GROUP_LEVELS, "all")), ("industry", (*INDUSTRY_LEVELS, "all"))):
        for level in levels:
            counts = table.get((kind, level))
            if not counts:
                continue
            n = sum(counts.values())
            shares = "".join(f"{100 * counts[o] / n:>9.1f}%" for o in OUTCOMES)
            lines.append(f"{kind:<11}{level:<9}{n:>6}{shares}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database", type=Path, help="an OEWS SQLite database (default: $OEWS_HOME's)")
    parser.add_argument("--questions", action="store_true", help="also read each phrase inside a question")
    parser.add_argument("--show", choices=OUTCOMES, help="list the phrases with this outcome")
    args = parser.parse_args(argv)
    from agents.engine.engine import OewsEngine
    from agents.oews.database import ensure_database
    from bot.config import Settings

    database = args.database or ensure_database(Settings().home)
    resolver = EntityResolver(Vocabulary.from_sqlite(database))
    found = probes(resolver.vocab)
    readers: list[tuple[str, Callable[[EntityResolver, Probe], tuple[list[str], bool]]]]
    readers = [("resolver", read_by_resolver)]
    if args.questions:
        readers.append(("question", question_reader(OewsEngine.open(database))))
    for name, read in readers:
        print(f"== {name}: {len(found)} phrases")
        print(report(measure(resolver, found, read)))
        if args.show:
            for probe, codes in misses(resolver, found, args.show, read):
                print(
                    f"  {probe.kind[:3]} {probe.level:<8} {probe.rule:<24} {probe.phrase!r} -> {codes} "
                    f"(want {sorted(probe.targets)})"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
