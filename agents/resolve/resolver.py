"""Entity resolution: which area, occupation or industry does a phrase name?

``EntityResolver`` indexes a ``Vocabulary`` once.  Every phrase it knows (codes, BLS titles,
generated variants, principal cities, hand-written aliases) is normalized and stored in a
dict, so ``exact()`` is one dict lookup and can be called for every n-gram of a question.
``area()``, ``occupation()`` and ``industry()`` try the exact index first and then rapidfuzz
over the full, preprocessed vocabulary, so misspellings resolve too.

Rules (see also the docstrings of the public methods):

- **Tiers.**  When a phrase could mean several entities, only the most specific kind of name
  counts: codes, then aliases, then titles, principal cities and state names, then variants,
  secondary cities and title components, then regions.  "Springfield" is the principal city of
  four metros (IL, MA, MO, OH) and a secondary city of Eugene-Springfield, OR: the four are
  returned.  "Washington" is both a state name and the DC metro's principal city: both.
- **Ambiguity is reported, not guessed.**  An exact phrase naming several entities of the
  same tier gives ``ambiguous=True`` with all of them.  Occupation duplicates that are the
  same thing are collapsed first: codes no longer published lose to current ones, and a broad
  group loses to the detailed occupation of the same name (29-1140 / 29-1141 "Registered
  Nurses").  Industries with the same name keep the most aggregated level.
- **Fuzzy ties.**  Fuzzy matches within ``KEEP_MARGIN`` points of the best are returned, best
  first; ``ambiguous`` is set only when two different entities share the best score (within
  ``TIE_MARGIN``), i.e. when the spelling alone cannot tell them apart.
- **Postal codes that are words** (in, or, me, hi, ok, oh, de, la, co, al, id, pa, ma, mo, ga,
  and a few more, see ``aliases.WORD_POSTAL_CODES``) and the pronoun "us" never match through
  ``exact()`` on their own.  ``exact_postal(token)`` matches them when typed in capitals ("OR",
  "US", "LA" = Los Angeles), and ``exact("area", "Portland, OR")`` accepts them as a qualifier after a
  city when the qualifier is typed in capitals.  ``area()`` (called on a phrase already known
  to be a place) accepts qualifiers in any case: ``area("columbus in")`` is Columbus, IN.
- **Short numeric codes** (state FIPS "53", NAICS sectors "52", "622") are not in the exact
  index, since "top 10" must not mean Delaware; ``area()`` and ``industry()`` accept them, and
  "naics 52" / "sector 52" are indexed.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Generic, Literal, overload

from rapidfuzz import fuzz, process

from agents.resolve import aliases, names
from agents.resolve.entities import (
    INDUSTRY_GROUP_SCOPE,
    OCC_GROUP_DETAIL,
    Area,
    Entity,
    EntityKind,
    Industry,
    Match,
    Occupation,
    Resolution,
    T,
    Vocabulary,
)
from agents.resolve.words import Abbreviations, Initialisms, Speller, typed_initialism

# The longest phrase (in words) worth looking up with ``exact()``; the question parser scans
# n-grams up to this length.
MAX_PHRASE_WORDS = 8

# A field and the people who work in it: "welding" -> welder, "cosmetology" -> cosmetologist,
# "dentistry" -> dentist, "podiatry" -> podiatrist, "logistics" -> logistician.
_FIELD_ENDINGS = (
    ("ing", ("er", "e", "ant", "ist", "or", "")),  # "school counseling" -> counselors, "barbering"
    ("ology", ("ologist",)),
    ("omy", ("omist",)),
    ("acy", ("acist",)),
    ("istry", ("ist",)),
    ("iatry", ("iatrist",)),
    ("metry", ("metrist",)),
    ("apy", ("apist",)),
    ("ics", ("ician", "icist")),
    ("ence", ("entist",)),  # "data science" -> data scientists
    ("arial", ("ary",)),  # "actuarial" -> actuaries, "secretarial"
    ("ment", ("r", "er")),  # "construction management" -> construction managers, "software development"
    ("ers", ("ing workers",)),  # "loggers" -> logging workers
)
# Words that name no industry on their own: the glue of titles ("…, including State and Local
# Schools") and "high" of "high school" (no "highway").
_NO_INDUSTRY_WORDS = frozenset(
    {"including", "excluding", "except", "only", "other", "and", "the", "for", "not", "high", "low"}
)
# words first, fields second; "processing" is done to claims, food or data, not one trade
_NOT_FIELDS = frozenset({"economy", "politics", "ethics", "processing", "pumping"})

# Fuzzy matching: rapidfuzz ratio (0-100) over the whole vocabulary, on the phrase as typed and
# with its words sorted (so word order does not matter).
FUZZY_CUTOFF = 85.0
SOUNDS_CUTOFF = 92.0  # the same, spelled as it sounds: nearer, since sounds merge more words
FUZZY_MIN_CHARS = 4
FUZZY_LIMIT = 25
WORD_NEAR = 70.0  # a word of a misspelled phrase is near a word of the name it matches at this ratio
KEEP_MARGIN = 6.0
TIE_MARGIN = 1.0
MAX_MATCHES = 6
EXACT_CACHE_SIZE = 100_000  # phrases remembered by ``exact`` (~20 MB)

# Tiers: lower wins when one phrase names several entities.
TIER_CODE = 0
TIER_ALIAS = 1
TIER_NAME = 2
TIER_VARIANT = 3
TIER_COMPONENT = 4
TIER_REGION = 5

# --------------------------------------------------------------------------------------------
# Normalization and inflection
# --------------------------------------------------------------------------------------------

_DELETE = str.maketrans("", "", "'’‘`´.")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """Lower-case, drop apostrophes and periods, turn every other non-alphanumeric run
    (``/``, ``-``, commas …) into one space, strip accents, collapse whitespace.

    ``"Plumbers, Pipefitters"`` -> ``"plumbers pipefitters"``; ``"U.S."`` -> ``"us"``;
    ``"St. Louis"`` -> ``"st louis"``; ``"R&D"`` -> ``"r and d"``; ``"Health Care"`` ->
    ``"healthcare"`` (BLS writes it both ways, and so do people).
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = text.lower().replace("&", " and ").translate(_DELETE)
    key = _NON_WORD.sub(" ", text).strip()
    return _HEALTH_CARE.sub("healthcare", key) if "health care" in key else key


_HEALTH_CARE = re.compile(r"\bhealth care\b")


_IRREGULAR_SINGULAR = {"people": "person", "men": "man", "women": "woman", "staff": "staff"}
_NO_PLURAL_ENDINGS = ("police", "staff", "support", "desk", "hvac", "men")


def singular(phrase: str) -> str:
    """Singular of the last word of a normalized phrase: "registered nurses" -> "registered nurse"."""
    head, _, last = phrase.rpartition(" ")
    word = _singular_word(last)
    return f"{head} {word}" if head else word


def _singular_word(word: str) -> str:
    if word in _IRREGULAR_SINGULAR:
        return _IRREGULAR_SINGULAR[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def plural(phrase: str) -> str:
    """Plural of the last word of a normalized phrase: "vet tech" -> "vet techs"."""
    if phrase.endswith(_NO_PLURAL_ENDINGS) or phrase.endswith("s"):
        return phrase
    if phrase.endswith("man"):
        return phrase[:-3] + "men"
    if phrase.endswith("tech"):
        return phrase + "s"
    if phrase.endswith("y") and phrase[-2:-1] not in ("a", "e", "o", "u"):
        return phrase[:-1] + "ies"
    if phrase.endswith(("ch", "sh", "x", "z")):
        return phrase + "es"
    return phrase + "s"


# --------------------------------------------------------------------------------------------
# The index
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Hit(Generic[T]):
    key: str
    entities: tuple[T, ...]
    via: str


class _KeyTable(Generic[T]):
    """Collects (phrase, tier, via, entity); keeps, per phrase, the entities of its best tier."""

    def __init__(self) -> None:
        self._best: dict[str, tuple[int, str, list[T]]] = {}
        self._named: dict[str, list[T]] = {}  # every entity a phrase names by its title, any tier

    def add(self, phrase: str, tier: int, via: str, entity: T) -> None:
        self.add_key(normalize(phrase), tier, via, entity)

    def add_key(self, key: str, tier: int, via: str, entity: T) -> None:
        if not key:
            return
        if tier > TIER_ALIAS and entity not in self._named.setdefault(key, []):
            self._named[key].append(entity)
        current = self._best.get(key)
        if current is None or tier < current[0]:
            self._best[key] = (tier, via, [entity])
        elif tier == current[0] and entity not in current[2]:
            current[2].append(entity)

    def named(self) -> Iterator[tuple[str, str, tuple[T, ...]]]:
        """Each phrase, how it names, and what it names (in its best tier)."""
        for key, (_, via, found) in list(self._best.items()):
            yield key, via, tuple(found)

    def freeze(self, prefer: Callable[[list[T]], list[T]]) -> dict[str, _Hit[T]]:
        frozen: dict[str, _Hit[T]] = {}
        for key, (_, via, found) in self._best.items():
            chosen = found if via == "alias" or len(found) == 1 else prefer(found)
            frozen[key] = _Hit(key, tuple(chosen), via)
        return frozen

    def also_named(self, frozen: dict[str, _Hit[T]]) -> dict[str, tuple[T, ...]]:
        """Phrase -> the entities its title-made names also name, beside the ones it resolves to."""
        others = {
            key: tuple(e for e in found if e not in frozen[key].entities)
            for key, found in self._named.items()
        }
        return {key: found for key, found in others.items() if found}


def sorted_tokens(key: str) -> str:
    """ "oregon eastern" and "eastern oregon" compare equal after this."""
    return " ".join(sorted(key.split()))


class _Index(Generic[T]):
    """The frozen phrase -> entities dict of one kind, plus its fuzzy choices: every phrase
    but codes and very short ones, as is and with sorted tokens (word order)."""

    def __init__(self, table: _KeyTable[T], prefer: Callable[[list[T]], list[T]]) -> None:
        self.hits: dict[str, _Hit[T]] = table.freeze(prefer)
        self.also_named = table.also_named(self.hits)
        fuzzy = [
            hit
            for hit in self.hits.values()
            if hit.via != "code"
            and len(hit.key.replace(" ", "")) >= FUZZY_MIN_CHARS
            and not (hit.via == "everyday" and names.needs_noun(hit.key))  # "legal": a word
        ]
        self.choices: list[str] = [hit.key for hit in fuzzy]
        self.sorted_choices: list[str] = [sorted_tokens(hit.key) for hit in fuzzy]
        self.sounds: list[str] = [sounds(hit.key) for hit in fuzzy]
        self.choice_hits: list[_Hit[T]] = fuzzy

    def get(self, key: str) -> _Hit[T] | None:
        return self.hits.get(key)


def _keep_all(found: list[T]) -> list[T]:
    return found


def _qualified_in_title(industry: Industry, word: str) -> bool:
    """In the industry's title, ``word`` comes after a word that qualifies it ("Waste Collection":
    "collection agencies" is not it); first in its item of the title, the word names it alone
    ("Investigation, Guard, and Armored Car Services": "guard companies"; "Nonresidential Building
    Construction" after "residential building construction or nonresidential")."""
    items = [re.findall(r"[a-z]+", item) for item in re.split(r",|\band\b", industry.title.lower())]
    holding = [item for item in items if any(w.startswith(word[:4]) for w in item)]
    return all(not item[0].startswith(word[:4]) for item in holding)


def _prefer_occupations(found: list[Occupation]) -> list[Occupation]:
    latest = max(o.last_year for o in found)
    current = [o for o in found if o.last_year == latest]
    finest = min(OCC_GROUP_DETAIL.get(o.o_group, 9) for o in current)
    return [o for o in current if OCC_GROUP_DETAIL.get(o.o_group, 9) == finest]


def _noun_families(occupations: Sequence[Occupation]) -> dict[str, tuple[Occupation, ...]]:
    """Job noun -> the current occupations with it in their titles before a comma, largest first
    ("drivers": Heavy and Tractor-Trailer Truck Drivers, Light Truck Drivers, …; "technicians"):
    nouns of two or more titles."""
    found: dict[str, list[Occupation]] = {}
    for o in sorted(current_detailed(occupations), key=lambda o: -(o.tot_emp or 0)):
        for noun in dict.fromkeys(normalize(o.title.partition(",")[0]).split()):
            if noun not in _NOT_JOBS and (noun in _GENERIC or _is_job_noun(noun)):
                found.setdefault(noun, []).append(o)
    return {noun: tuple(family) for noun, family in found.items() if len(family) > 1}


def current_detailed(occupations: Sequence[Occupation]) -> list[Occupation]:
    """The detailed occupations published in the latest year."""
    latest = max((o.last_year for o in occupations), default=0)
    return [o for o in occupations if o.last_year == latest and o.o_group == "detailed"]


def _groups_of_one(occupations: Sequence[Occupation]) -> dict[str, Occupation]:
    """Groups with one current detailed occupation ("production supervisors": Supervisors of
    Production Workers, 51-1000, is First-Line Supervisors of Production and Operating Workers,
    51-1011), by code: a group's name is read as its one occupation, which BLS publishes in more
    places than the group."""
    members: dict[str, list[Occupation]] = {}
    for occ in current_detailed(occupations):
        for stem in (occ.code[:4], occ.code[:6]):  # its minor group 51-1000 ("51-1"), broad 51-1010
            members.setdefault(stem, []).append(occ)
    groups = [o for o in occupations if o.o_group != "detailed" and not o.code.rstrip("0").endswith("-")]
    found = {g.code: only[0] for g in groups if len(only := members.get(g.code.rstrip("0"), [])) == 1}
    for g in groups:  # "medical scientists": Medical Scientists, Except Epidemiologists, of 19-1040;
        # "small engine mechanics": Outdoor Power Equipment and Other Small Engine Mechanics, of 49-3050
        name = normalize(g.title)
        same = [
            o
            for o in members.get(g.code.rstrip("0"), [])
            if (normalize(title_base(o.title)) == name and "," in o.title)
            or normalize(o.title).endswith(f" other {name}")
            or normalize(o.title).startswith(f"{name} and ")  # Shoe and Leather Workers and Repairers
        ]
        if len(same) == 1:
            found.setdefault(g.code, same[0])
    return found


def _prefer_industries(found: list[Industry]) -> list[Industry]:
    widest = min(INDUSTRY_GROUP_SCOPE.get(i.i_group, 9) for i in found)
    return [i for i in found if INDUSTRY_GROUP_SCOPE.get(i.i_group, 9) == widest]


# --------------------------------------------------------------------------------------------
# Occupation phrases
# --------------------------------------------------------------------------------------------

_PARENS = re.compile(r"\s*\([^)]*\)")
_EXCEPT = re.compile(r",?\s+(?:except|including|excluding|excl)\b.*$", re.IGNORECASE)
_LIST_SPLIT = re.compile(r",\s*(?:and\s+|or\s+)?")
_AGENT_SUFFIXES = (
    "ers", "ors", "ists", "ians", "eers", "ants", "ents", "esses", "ives", "smiths", "wrights", "eons",
    "masons", "maids", "chefs", "cooks", "pilots", "guards", "judges", "coaches", "athletes", "umpires",
    "nannies", "aides",
)  # fmt: skip
_GENERIC = frozenset(
    {
        "workers", "helpers", "operators", "tenders", "clerks", "assistants", "technicians",
        "technologists", "managers", "teachers", "supervisors", "laborers", "specialists",
        "analysts", "engineers", "scientists", "officers", "agents", "inspectors", "installers",
        "repairers", "aides", "attendants", "instructors", "representatives", "directors",
        "examiners", "investigators", "finishers", "setters", "occupations",
    }
)  # fmt: skip
_NOT_JOBS = frozenset(
    {
        "products", "goods", "services", "operations", "relations", "communications", "systems",
        "materials", "sciences", "studies", "arts", "humanities", "sports", "equipment",
        "programs", "benefits", "securities", "commodities", "news", "occupations", "claims",
        "trades",
    }
)  # fmt: skip


def _is_job_noun(item: str) -> bool:
    """Does a title fragment name people ("Pipefitters", "Meat Cutters"), not a modifier?"""
    words = item.lower().split()
    if not words or words[0] in ("other", "all", "miscellaneous", "related") or item.lower() in _GENERIC:
        return False
    last = words[-1]
    if last in _NOT_JOBS or not last.endswith("s") or last.endswith("ss"):
        return False
    return len(words) > 1 or last.endswith(_AGENT_SUFFIXES)


def _split_and(item: str) -> list[str]:
    """ "Accountants and Auditors" -> both; "Heavy and Tractor-Trailer Truck Drivers" -> none."""
    parts = [p.strip() for p in re.split(r"\s+and\s+", item)]
    if len(parts) > 1 and all(_is_job_noun(p) for p in parts):
        return parts
    return [item] if len(parts) == 1 else []


def _is_list(title: str) -> bool:
    """ "A, B, and C" or "A and B, and C" is a list; "Cooks, Restaurant" is not."""
    return title.count(",") >= 2 or bool(re.search(r",\s*(?:and|or)\s", title))


_NOT_LISTS = ("Helpers", "Miscellaneous", "Other ")


def title_components(base: str) -> list[str]:
    """The occupations listed in a title: "Plumbers, Pipefitters, and Steamfitters" -> 3."""
    if base.startswith(_NOT_LISTS) or " of " in base.split(",")[0] or base.endswith("All Other"):
        return []
    items = _LIST_SPLIT.split(base)
    if len(items) == 2 and not _is_list(base):
        items = items[:1]  # "Opticians, Dispensing": the part after the comma is a qualifier
    found: list[str] = []
    for item in items:
        for part in _split_and(item):
            if _is_job_noun(part) and part != base:
                found.append(part)
    return found


def shared_modifier(base: str) -> list[str]:
    """ "Calibration Technologists and Technicians" -> "Calibration Technologists", "Calibration
    Technicians": two one-word job nouns after the words they share."""
    first, _, second = base.partition(" and ")
    words = first.split()
    if (
        base.startswith(_NOT_LISTS)
        or "," in base
        or not second
        or " " in second
        or len(words) < 2
        or not second.endswith("s")
    ):
        return []
    modifier = " ".join(words[:-1])
    return [first, f"{modifier} {second}"] if words[-1].endswith("s") else []


def second_conjunct(base: str) -> str | None:
    """ "Heavy and Tractor-Trailer Truck Drivers" -> "Tractor-Trailer Truck Drivers", "Fast Food
    and Counter Workers" -> "Counter Workers": the part after a single adjectival "and" still
    names the occupation."""
    if "," in base or " of " in base or base.count(" and ") != 1 or _split_and(base):
        return None
    if base.startswith(_NOT_LISTS):
        return None
    rest = base.split(" and ")[1]
    return rest if len(normalize(rest).split()) > 1 and _is_job_noun(rest) else None


def first_conjunct(base: str) -> str | None:
    """ "Social and Human Service Assistants" -> "Social Service Assistants", "Heavy and
    Tractor-Trailer Truck Drivers" -> "Heavy Truck Drivers": the first modifier with the words both
    share (not "Paralegals and Legal Assistants", a list of two jobs)."""
    first, _, rest = base.partition(" and ")
    if second_conjunct(base) is None or " " in first or first.endswith("s"):
        return None
    return f"{first} {rest.split(' ', 1)[1]}"


def title_base(title: str) -> str:
    """A title without parentheses and "Except …" / "Including …" clauses, "&" spelled out."""
    return _EXCEPT.sub("", _PARENS.sub("", title.replace(" & ", " and "))).strip(" ,")


def _occupation_variants(title: str) -> Iterator[str]:
    """Other ways to write a title: without "Except …" or "and Related", qualifier first, bare head."""
    base = title_base(title)
    if base != title:
        yield base
    if " and Related " in base:  # "Automotive Body and Related Repairers": automotive body repairers
        yield base.replace(" and Related", "")
    if base.startswith("First-Line Supervisors of "):  # "supervisors of retail sales workers"
        yield base.removeprefix("First-Line ")
    head, comma, qualifier = base.partition(", ")
    if comma and not _is_list(base):
        yield f"{qualifier} {head}"
        if qualifier.lower() == "general":
            yield head
        first, both, second = qualifier.partition(" and ")
        if both and " " not in first + second:  # "Cooks, Institution and Cafeteria": cafeteria cooks
            yield f"{first} {head}"
            yield f"{second} {head}"
    elif comma and _is_list(qualifier) and "," not in head and _is_job_noun(head):
        yield from _each_qualifier(head, qualifier)


def _each_qualifier(head: str, qualifier: str) -> Iterator[str]:
    """ "Hosts and Hostesses, Restaurant, Lounge, and Coffee Shop": restaurant hosts, lounge
    hostesses, coffee shop hosts... (a list of the places or kinds the job comes in)."""
    items = _LIST_SPLIT.split(qualifier)
    if any(item.endswith("s") or item.startswith(("Except", "All Other")) for item in items):
        return  # "Welders, Cutters, Solderers, and Brazers": a list of jobs (plural), not of kinds
    heads = head.split(" and ")
    if any(" " in h for h in heads):
        heads = [head]
    for item in items:
        yield from (f"{item} {h}" for h in heads)


def _with_singular(phrase: str) -> Iterator[str]:
    """The phrase and its singular: "Registered Nurses" -> "registered nurse";
    "Cooks, Restaurant" -> "cook restaurant"; lists ("A, B, and C") stay as they are."""
    key = normalize(phrase)
    yield key
    head, comma, rest = phrase.partition(", ")
    if not comma:
        yield singular(key)
        if key.endswith("persons"):
            yield key.removesuffix("persons") + "people"  # "retail salespeople"
            yield key.removesuffix("persons") + " people"  # "retail sales people"
    elif not _is_list(phrase):
        yield f"{singular(normalize(head))} {normalize(rest)}"


_GROUPS = ("total", "major", "minor", "broad")


def _occupation_table(
    occupations: Sequence[Occupation], industry_names: Container[str]
) -> _KeyTable[Occupation]:
    """Every name of every occupation; a group's bare name ("air transportation") only where
    no industry has that name."""
    table: _KeyTable[Occupation] = _KeyTable()
    by_code = {o.code: o for o in occupations}
    for occ in occupations:
        table.add(occ.code, TIER_CODE, "code", occ)
        table.add_key(occ.code.replace("-", ""), TIER_CODE, "code", occ)
        for key in _with_singular(occ.title):
            table.add_key(key, TIER_NAME, "title", occ)
        for variant in _occupation_variants(occ.title):
            for key in _with_singular(variant):
                table.add_key(key, TIER_VARIANT, "variant", occ)
        for name in _group_names(occ, industry_names):
            table.add(name, TIER_VARIANT, "variant", occ)
        for part in _title_parts(occ.title):
            for key in _with_singular(part):
                table.add_key(key, TIER_COMPONENT, "component", occ)
    for occ, head in _lone_heads(occupations):  # "roustabouts": Roustabouts, Oil and Gas
        table.add(head, TIER_COMPONENT, "component", occ)
    _add_aliases(table, aliases.OCCUPATION_ALIASES, by_code, inflect=True)
    return table


def _group_names(occ: Occupation, industry_names: Container[str]) -> list[str]:
    """ "legal support jobs", "law enforcement": a group's names; its bare name only where no
    industry has it ("in air transportation")."""
    if occ.o_group not in _GROUPS:
        return []
    found = names.group_names(title_base(occ.title))
    return [name for name, bare in found if not (bare and normalize(name) in industry_names)]


def _title_parts(title: str) -> list[str]:
    """The occupations a title lists, the part after an adjectival "and", and the names with a
    shared modifier ("Calibration Technicians") or a shared head ("Hotel Desk Clerks")."""
    base = title_base(title)
    conjuncts = [c for c in (second_conjunct(base), first_conjunct(base)) if c]
    shared = [] if "All Other" in title else [*shared_modifier(base), *shared_head(base)]
    return [*title_components(base), *conjuncts, *shared]


def shared_head(base: str) -> list[str]:
    """ "Hotel, Motel, and Resort Desk Clerks" -> "Hotel Desk Clerks", "Motel Desk Clerks", "Resort
    Desk Clerks": a list of modifiers before the words they share (not a list of jobs)."""
    items = _LIST_SPLIT.split(base)
    if len(items) < 3 or not _is_list(base) or base.startswith(_NOT_LISTS):
        return []
    if any(" " in item or _is_job_noun(item) for item in items[:-1]):
        return []  # "Property, Real Estate, and …": where the shared words start is not known
    last = items[-1].split()
    if len(last) < 2 or (len(last) == 2 and any(item.endswith("s") for item in items[:-1])):
        return []  # "Court, Municipal, and License Clerks": court clerks; not a list of plurals
    head = " ".join(last[1:])
    return [f"{item} {head}" for item in [*items[:-1], last[0]]]


def _lone_heads(occupations: Sequence[Occupation]) -> list[tuple[Occupation, str]]:
    """The keys of titles "Head, Qualifier" whose head no other current title has ("Roustabouts, Oil and
    Gas"; not "Bus Drivers, School", as there are transit bus drivers too, nor "Physicians,
    Pathologists" beside "Physicians, All Other"), and of titles' rare last words (``_rare_last_words``)."""
    heads: dict[str, list[Occupation]] = {}
    for occ in current_detailed(occupations):
        base = title_base(occ.title)
        head, comma, _ = base.partition(", ")
        last = head.rpartition(" ")[2].lower()
        if comma and not _is_list(base) and last.endswith("s") and last not in _NOT_JOBS:
            heads.setdefault(head, []).append(occ)
    lone = [(occs[0], head) for head, occs in heads.items() if len(occs) == 1] + _rare_last_words(occupations)
    return [
        (occ, key)
        for occ, head in lone
        if "All Other" not in occ.title and head.lower() not in _GENERIC
        for key in _with_singular(head)
    ]


def _rare_last_words(occupations: Sequence[Occupation]) -> list[tuple[Occupation, str]]:
    """The last word of a title that no other current title has ("Medical Dosimetrists":
    "dosimetrists")."""
    current = current_detailed(occupations)
    words: dict[str, list[Occupation]] = {}
    for occ in current:
        for word in set(normalize(title_base(occ.title)).split()):
            words.setdefault(word, []).append(occ)
    found = []
    for occ in current:
        last = normalize(title_base(occ.title).partition(", ")[0]).rpartition(" ")[2]
        if len(words.get(last, ())) == 1 and last.endswith(_AGENT_SUFFIXES) and last not in _NOT_JOBS:
            found.append((occ, last))
    return found


def _add_aliases(
    table: _KeyTable[T],
    table_aliases: dict[str, aliases.AliasTarget],
    by_code: dict[str, T],
    *,
    inflect: bool,
) -> None:
    for phrase, target in table_aliases.items():
        codes = (target,) if isinstance(target, str) else target
        found = [by_code[c] for c in codes if c in by_code]
        key = normalize(phrase)
        keys = {key, plural(key)} if inflect else {key, singular(key)}  # "nursing homes": "nursing home"
        for k in sorted(keys):
            for entity in found:
                table.add_key(k, TIER_ALIAS, "alias", entity)


# --------------------------------------------------------------------------------------------
# Industry phrases
# --------------------------------------------------------------------------------------------

_SECTOR_PREFIX = re.compile(r"^sectors?\s[\d,\sand]+\s-\s", re.IGNORECASE)


def _industry_table(industries: Sequence[Industry]) -> tuple[_KeyTable[Industry], dict[str, Industry]]:
    table: _KeyTable[Industry] = _KeyTable()
    short: dict[str, Industry] = {}
    for ind in industries:
        _add_industry_codes(table, short, ind)
        title = _SECTOR_PREFIX.sub("", ind.title)
        table.add(ind.title, TIER_NAME, "title", ind)
        for key in _with_singular(title):
            table.add_key(key, TIER_NAME, "title", ind)
        variants = list(_industry_variants(title))
        for variant in variants:
            for key in _with_singular(variant):
                table.add_key(key, TIER_VARIANT, "variant", ind)
        for name in dict.fromkeys(n for v in (title_base(title), *variants) for n in names.industry_names(v)):
            table.add(name, TIER_COMPONENT, "everyday", ind)
        inner = re.search(r"\(([^)]*)\)", title)
        if inner and len(inner.group(1).split()) > 1:  # "(Skilled Nursing Facilities)"
            table.add(inner.group(1), TIER_VARIANT, "variant", ind)
        head = title.partition(",")[0]
        if head != title and len(head.split()) > 1:  # "electric power generation"
            table.add(head, TIER_COMPONENT, "variant", ind)
    _add_aliases(table, aliases.INDUSTRY_ALIASES, {i.naics: i for i in industries}, inflect=False)
    _add_owners(table, {i.naics: i for i in industries})
    return table, short


# OEWS publishes schools and hospitals by owner: NAICS ending 2 (state government), 3 (local
# government) and 5 (privately owned) beside the industry's own code ending 0.
_OWNERS = (
    (("private", "privately owned", "private sector"), "5"),
    (("state", "state run", "state owned", "state government"), "2"),
    (("local government", "county", "municipal"), "3"),
    (("public", "publicly owned", "government run", "government owned"), "23"),
)


def _add_owners(table: _KeyTable[Industry], by_code: Mapping[str, Industry]) -> None:
    """ "private colleges", "state hospitals", "public universities" (both owners): the owner's
    industry, for each phrase that names an industry published by owner. Aliases of their own
    ("public schools") stay."""
    for key, via, found in table.named():
        base = found[0].naics if len(found) == 1 and via != "code" else ""
        if len(base) != 6 or not base.endswith("0"):
            continue
        for words, endings in _OWNERS:
            for owned in (by_code[c] for c in (base[:5] + e for e in endings) if c in by_code):
                for word in words:
                    table.add_key(f"{word} {key}", TIER_VARIANT, "alias", owned)


def _add_industry_codes(table: _KeyTable[Industry], short: dict[str, Industry], ind: Industry) -> None:
    code = ind.naics
    table.add(f"naics {code}", TIER_CODE, "code", ind)
    if len(code) == 6 and code.isdigit():
        table.add_key(code, TIER_CODE, "code", ind)
        trimmed = code.rstrip("0")
        if 2 < len(trimmed) < 6:
            table.add(f"naics {trimmed}", TIER_CODE, "code", ind)
            short.setdefault(trimmed, ind)
    else:
        short.setdefault(normalize(code), ind)
        if "-" in code:
            table.add(code, TIER_CODE, "code", ind)
    if ind.i_group == "sector":
        table.add(f"sector {code}", TIER_CODE, "code", ind)


def _industry_variants(title: str) -> Iterator[str]:
    base = title_base(title)
    if base != title:
        yield base
    head, comma, qualifier = base.partition(", ")
    if comma and "," not in qualifier:
        yield f"{qualifier} {head}"
    if base.startswith("Merchant Wholesalers, "):  # "nondurable goods wholesalers"
        yield f"{base.removeprefix('Merchant Wholesalers, ')} Wholesalers"
    if ", and Related " in base:  # "Architectural, Engineering, and Related Services"
        yield base.replace(", and Related ", " ").replace(", ", " and ")
    yield from _shortened_industry(base)
    if re.search(r" Products? Manufacturing$", base):  # "fabricated metal manufacturing"
        yield re.sub(r" Products? Manufacturing$", " Manufacturing", base)
    kind, of, whose = base.partition(" of ")
    if of and kind not in ("Offices", "Services") and "," not in base and len(whose.split()) == 1:
        yield f"{whose} {kind}"  # "Construction of Buildings": "buildings construction"
        yield f"{whose.removesuffix('s')} {kind}"  # … "building construction"
    if of and kind in ("Offices", "Services") and "," not in whose:
        # "Offices of Physicians": "physicians offices", "physician offices"
        yield f"{whose} {kind}"
        yield f"{whose.removesuffix('s')} {kind}"


_PROFESSORS = frozenset({"professor", "professors", "prof", "profs", "lecturer", "lecturers", "faculty"})


def _title_stems(title: str) -> list[str]:
    return [_stem(w) for w in re.findall(r"[a-z]+", title.lower())]


def _stem(word: str) -> str:
    word = word.lower()
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


_LIST_HEADS = ("Wholesalers", "Retailers", "Manufacturing", "Contractors", "Dealers", "Services", "Stores")


def _shortened_industry(base: str) -> Iterator[str]:
    """Titles as people shorten them: "Electrical Contractors and Other Wiring Installation
    Contractors" -> "Electrical Contractors"; "Machinery, Equipment, and Supplies Merchant
    Wholesalers" -> "Machinery Merchant Wholesalers"; "Support Activities for Crop Production" ->
    "Crop Support Services"."""
    head = base.rpartition(" ")[2]
    first, other, _ = base.partition(" and Other ")
    if other and "," not in first:
        yield first if first.endswith(head) or head not in _LIST_HEADS else f"{first} {head}"
    listed, comma, _ = base.partition(", ")
    if comma and head in _LIST_HEADS and " " not in listed:
        yield (
            f"{listed} Merchant Wholesalers" if base.endswith("Merchant Wholesalers") else f"{listed} {head}"
        )
    before_and = base.partition(" and ")[0]
    if before_and != base and "," not in base and len(before_and.split()) >= 3:
        yield before_and  # "Management of Companies and Enterprises": "management of companies"
    support, for_, what = base.partition(" for ")
    if support == "Support Activities" and for_:
        field = what.removesuffix(" Production")
        yield from (f"{field} Support Services", f"{field} Support")


# --------------------------------------------------------------------------------------------
# Area phrases
# --------------------------------------------------------------------------------------------


@dataclass
class _AreaTables:
    """Area phrases, split by how they may be matched."""

    main: _KeyTable[Area]
    cased: _KeyTable[Area]  # "portland or": only when the qualifier is typed in capitals
    words: _KeyTable[Area]  # "or", "us", "mobile": only through exact_postal / capitalized
    cities: dict[str, list[Area]]  # every city name of every metro, for qualifiers
    states: dict[str, str]  # state name / postal code / nickname -> postal code
    short: dict[str, Area]  # "53", "99": numeric codes too short for exact()

    def add(self, phrase: str, tier: int, via: str, area: Area) -> None:
        """Route a phrase: word-like codes and cities, and place names qualified by a
        word-like postal code ("bend or"), go to the tables that need capitals."""
        key = normalize(phrase)
        tokens = key.split()
        if not tokens:
            return
        if key in aliases.WORD_POSTAL_CODES or key in aliases.WORD_CITIES:
            self.words.add_key(key, tier, via, area)
        elif via in _QUALIFIED_VIAS and tokens[-1] in aliases.WORD_POSTAL_CODES:
            self.cased.add_key(key, tier, via, area)
        else:
            self.main.add_key(key, tier, via, area)


_QUALIFIED_VIAS = ("qualified", "title")


def _area_tables(areas: Sequence[Area]) -> _AreaTables:
    tables = _AreaTables(_KeyTable(), _KeyTable(), _KeyTable(), {}, {}, {})
    states = [a for a in areas if a.kind in ("state", "territory")]
    for st in states:
        tables.states[normalize(st.title)] = st.state
        tables.states[st.state.lower()] = st.state
    for nickname, code in aliases.STATE_NICKNAMES.items():
        tables.states[normalize(nickname)] = code
    postal = {normalize(st.title): st.state.lower() for st in states}
    for area in areas:
        _add_area_codes(tables, area)
        if area.kind == "national":
            _add_national(tables, area)
        elif area.kind in ("state", "territory"):
            _add_state(tables, area)
        elif area.kind == "nonmetro":
            _add_nonmetro(tables, area, postal)
        else:
            _add_metro(tables, area)
    _add_rural_states(tables, areas, states)
    _add_area_aliases(tables, areas)
    return tables


def _add_area_codes(tables: _AreaTables, area: Area) -> None:
    code = area.code
    if len(code) >= 5:
        tables.add(code, TIER_CODE, "code", area)
        tables.add(code.zfill(7), TIER_CODE, "code", area)
    else:
        tables.short[code] = area


def _add_national(tables: _AreaTables, area: Area) -> None:
    tables.add(area.title, TIER_NAME, "title", area)
    for phrase in aliases.NATIONAL_PHRASES:
        tables.add(phrase, TIER_ALIAS, "alias", area)
    tables.words.add_key("us", TIER_ALIAS, "alias", area)


def _add_state(tables: _AreaTables, area: Area) -> None:
    name = normalize(area.title)
    for phrase in (name, f"{name} state", f"state of {name}", area.state):
        tables.add(phrase, TIER_NAME, "title", area)
    for nickname, postal in aliases.STATE_NICKNAMES.items():
        if postal == area.state:
            tables.add(nickname, TIER_ALIAS, "alias", area)


_NONMETRO_SUFFIX = re.compile(r"\s+nonmetropolitan area$", re.IGNORECASE)


_DIRECTIONS = ("north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest")
_COMPASS_FORMS = {
    **{d: f"{d}ern" for d in _DIRECTIONS}, **{f"{d}ern": d for d in _DIRECTIONS}, "coast": "coastal",
}  # fmt: skip


def _add_nonmetro(tables: _AreaTables, area: Area, postal: Mapping[str, str]) -> None:
    title = _PARENS.sub("", area.title)
    base = normalize(_NONMETRO_SUFFIX.sub("", title))
    tables.add(area.title, TIER_NAME, "title", area)
    region, of, state = base.rpartition(" of ")
    bases = [base, f"{state} {region}", f"{region} {state}"] if of else [base]  # texas border region
    for name in [name for name in postal if base.endswith(f" {name}")][:1] if not of else ():
        part = base.removesuffix(name).strip()  # "coast oregon": "coast of oregon", "oregon coast"
        bases.append(f"{part} of {name}")
        if part.split()[0].removesuffix("ern") not in _DIRECTIONS:  # "iowa, nebraska, south dakota"
            bases.append(f"{name} {part}")
    if of and region.endswith(" region"):  # "northwestern texas nonmetro", "texas northwestern nonmetro"
        plain = region.removesuffix(" region")
        bases += [f"{plain} {state}", f"{state} {plain}", f"{plain} of {state}"]
    bases += [
        f"{_COMPASS_FORMS[w]} {rest}"
        for w, _, rest in (b.partition(" ") for b in bases)
        if w in _COMPASS_FORMS
    ]
    for name, code in postal.items():  # "western nd nonmetro": West North Dakota
        if code not in aliases.WORD_POSTAL_CODES:
            bases += [
                re.sub(rf"\b{name}\b", code, b) for b in bases if name in b and re.search(rf"\b{name}\b", b)
            ]
    for base, pattern in itertools.product(bases, (
        "{} nonmetropolitan area", "{} nonmetropolitan", "{} nonmetro", "{} nonmetro area",
        "{} non metro", "{} non metropolitan", "{} non metro area", "nonmetropolitan {}",
        "nonmetro {}", "non metro {}", "rural {}", "{} rural area", "rural {} area",
    )):  # fmt: skip
        tables.add(pattern.format(base), TIER_NAME, "title", area)
    for base in bases:  # "coastal oregon", "north coast of california": read as the region, and said so
        tables.add(base, TIER_REGION, "region", area)


def _add_rural_states(tables: _AreaTables, areas: Sequence[Area], states: Sequence[Area]) -> None:
    """ "rural oregon" / "oregon nonmetro": every nonmetropolitan area of the state."""
    for st in states:
        name = normalize(st.title)
        for area in areas:
            if area.kind == "nonmetro" and area.state == st.state:
                for pattern in (
                    "rural {}", "{} nonmetro", "nonmetro {}", "{} nonmetropolitan", "rest of {}",
                    "{} outside metros", "{} outside the metros", "rest of {} outside metros",
                ):  # fmt: skip
                    tables.add(pattern.format(name), TIER_VARIANT, "region", area)


_MAKING = (" makers", " manufacturers", " producers", " plants", " factories")
_MAKERS = (*((ending, " manufacturing") for ending in _MAKING), (" insurers", " insurance"))
_ABBREVIATIONS = (("st ", "saint "), ("ft ", "fort "), ("mt ", "mount "))
_LAST_WORD_ABBREVIATIONS = {"springs": "spgs", "beach": "bch", "heights": "hts", "falls": "fls"}  # USPS


def metro_cities(title: str) -> tuple[list[str], list[str]]:
    """Principal and secondary city names of a metro title (without the state suffix)."""
    name = title.rpartition(", ")[0] or title
    if "--" in name:
        parts = name.split("--")
        first = re.split(r"[-/]", parts[0])
        return [parts[0], first[0]], [*first[1:], *parts[1:]]
    parts = re.split(r"[-/]", name)
    return parts[:1], parts[1:]


def _city_spellings(city: str) -> Iterator[str]:
    key = normalize(city)
    yield key
    if "'" in city:  # "Coeur d'Alene": "coeur dalene" above, "coeur d alene" here
        yield normalize(city.replace("'", " "))
    for short, long in _ABBREVIATIONS:
        if key.startswith(short):
            yield long + key[len(short) :]
        elif key.startswith(long):
            yield short + key[len(long) :]
    head, _, last = key.rpartition(" ")
    if head and last in _LAST_WORD_ABBREVIATIONS:  # "colorado spgs", "palm bch"
        yield f"{head} {_LAST_WORD_ABBREVIATIONS[last]}"


def _add_metro(tables: _AreaTables, area: Area) -> None:
    tables.add(area.title, TIER_NAME, "title", area)
    name = area.title.rpartition(", ")[0]
    tables.add(name, TIER_NAME, "title", area)
    principal, secondary = metro_cities(area.title)
    if secondary and "--" not in area.title:
        tables.add(f"{principal[0]} {secondary[0]}", TIER_NAME, "title", area)
    state_names = [k for k, v in tables.states.items() if v in area.states and len(k) > 2]
    for tier, cities in ((TIER_NAME, principal), (TIER_VARIANT, secondary)):
        for city in cities:
            for spelling in _city_spellings(city):
                tables.cities.setdefault(spelling, []).append(area)
                tables.add(spelling, tier, "city", area)
                for qualifier in [*(s.lower() for s in area.states), *state_names]:
                    tables.add(f"{spelling} {qualifier}", TIER_NAME, "qualified", area)


def _add_area_aliases(tables: _AreaTables, areas: Sequence[Area]) -> None:
    refs_of = _AreaRefs(areas)
    for phrase, refs in (*aliases.AREA_ALIASES.items(), *aliases.WITHIN.items()):
        for area in refs_of.resolve(refs):
            tables.add(phrase, TIER_ALIAS, "alias", area)
    for code, refs in aliases.AREA_CODES.items():
        for area in refs_of.resolve(refs):
            for phrase in area_code_phrases(code):
                tables.add(phrase, TIER_ALIAS, "area code", area)
    for token, refs in aliases.CAPITALIZED_NICKNAMES.items():
        for area in refs_of.resolve(refs):
            tables.words.add_key(normalize(token), TIER_CODE, "alias", area)


def area_code_phrases(code: str) -> tuple[str, ...]:
    """How a telephone area code names a place: "the 614", "area code 614", "614 area code"."""
    return (f"the {code}", f"area code {code}", f"the {code} area code", f"{code} area code")


def resolve_area_refs(refs: Iterable[aliases.AreaRef], areas: Sequence[Area]) -> list[Area]:
    """Alias targets -> areas: by code, else by a unique title prefix."""
    return _AreaRefs(areas).resolve(refs)


class _AreaRefs:
    """Areas by code (leading zeros aside), indexed once for every alias."""

    def __init__(self, areas: Sequence[Area]) -> None:
        self.areas = areas
        self.by_code: dict[str, list[Area]] = {}
        for area in areas:
            self.by_code.setdefault(area.code.lstrip("0"), []).append(area)

    def resolve(self, refs: Iterable[aliases.AreaRef]) -> list[Area]:
        found: list[Area] = []
        for code, prefix in refs:
            match = self.by_code.get(code.lstrip("0"))
            if not match:
                by_title = [a for a in self.areas if a.title.startswith(prefix)]
                match = by_title if len(by_title) == 1 else []
            found.extend(a for a in match if a not in found)
        return found


# --------------------------------------------------------------------------------------------
# Lookup helpers
# --------------------------------------------------------------------------------------------

_AREA_WRAPPERS = ("the ", "greater ", "metropolitan ", "metro ")  # exact() strips these
_AREA_PREFIXES = (*_AREA_WRAPPERS, "in ", "around ", "near ")  # area() strips these too
_AREA_SUFFIXES = (" metropolitan area", " metro area", " area", " metro", " region", " msa")
_OCCUPATION_PREFIXES = ("a ", "an ", "the ")
_OCCUPATION_SUFFIXES = (" jobs", " job", " positions", " roles", " careers", " occupation")
_INDUSTRY_PREFIXES = ("the ", "in ", "at ")
_INDUSTRY_SUFFIXES = (
    " industry", " industries", " sector", " companies", " company", " firms", " businesses", " business",
    " employers",
)  # fmt: skip


def _strip(key: str, prefixes: tuple[str, ...], suffixes: tuple[str, ...]) -> str:
    if not key.startswith(prefixes) and not key.endswith(suffixes):
        return key.strip()  # most keys: nothing to take off
    for _ in range(3):
        before = key
        for prefix in prefixes:
            if key.startswith(prefix):
                key = key[len(prefix) :]
        for suffix in suffixes:
            if key.endswith(suffix):
                key = key[: -len(suffix)]
        if key == before:
            break
    return key.strip()


_SUPERVISED = re.compile(r"^first-line supervisors of (.*)$")
_NOT_NAMES = frozenset({"and", "of", "the", "except", "worker", "all", "other", ""})


def _supervisors_by_word(occupations: Iterable[Occupation]) -> dict[str, set[Occupation]]:
    """Each word of what first-line supervisors supervise ("security", "retail") -> those supervisors."""
    found: dict[str, set[Occupation]] = {}
    for occ in occupations:
        m = _SUPERVISED.match(occ.title.lower())
        if not m:
            continue
        for word in re.split(r"[\s,]+", m.group(1)):
            if word.rstrip("s") not in _NOT_NAMES:
                found.setdefault(word.rstrip("s"), set()).add(occ)
    return found


_COMPASS = {
    "ne": "northeast", "nw": "northwest", "se": "southeast", "sw": "southwest", "n": "north", "s": "south",
    "e": "east", "w": "west",
}  # fmt: skip


def _lookup(
    index: _Index[T], key: str, prefixes: tuple[str, ...], suffixes: tuple[str, ...]
) -> _Hit[T] | None:
    """The phrase as is, then without leading words ("the"), then without trailing ones
    ("industry"), then without both: "the tech industry" -> "tech industry"."""
    hit = index.get(key)
    if hit is not None or _strip(key, prefixes, suffixes) == key:
        return hit  # found, or no other form to try
    for form in (_strip(key, prefixes, ()), _strip(key, (), suffixes), _strip(key, prefixes, suffixes)):
        hit = index.get(form)
        if hit is not None:
            return hit
    return None


def _lookup_cased(hits: dict[str, _Hit[Area]], key: str) -> _Hit[Area] | None:
    return hits.get(key) or hits.get(_strip(key, _AREA_WRAPPERS, ()))


def _last_token(phrase: str) -> str:
    tokens = phrase.strip().split()
    return tokens[-1].strip(",.;:!?()") if tokens else ""


def _exact_resolution(query: str, hit: _Hit[T], via: str | None = None) -> Resolution[T]:
    matches = tuple(Match(e, 100.0, hit.key, via or hit.via) for e in hit.entities)
    return Resolution(query, matches, ambiguous=len(matches) > 1)


def _fuzzy(index: _Index[T], query: str, key: str, known: Container[str] = ()) -> Resolution[T]:
    """Misspellings and reordered words (rapidfuzz ratio on sorted tokens), plus known
    phrases inside a longer query ("senior software engineer"). A word of ``known`` (the words of
    the names) is spelled right: "drivers" is never read as "divers"."""
    if len(key.replace(" ", "")) < FUZZY_MIN_CHARS:
        return Resolution(query, (), False)
    best: dict[T, Match[T]] = {}
    for query_form, choices in ((key, index.choices), (sorted_tokens(key), index.sorted_choices)):
        results = process.extract(
            query_form, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=FUZZY_LIMIT
        )
        for choice, score, position in results:
            if _every_word_near(key, choice, known):
                _keep_best(best, index.choice_hits[position], float(score), "fuzzy")
    if not best:  # spelled as it sounds: "farmacist", "proffesor"
        results = process.extract(
            sounds(key), index.sounds, scorer=fuzz.ratio, score_cutoff=SOUNDS_CUTOFF, limit=FUZZY_LIMIT
        )
        for _, score, position in results:
            if _every_word_near(key, index.choices[position], known):
                _keep_best(best, index.choice_hits[position], float(score), "fuzzy")
    for hit, score in _inner_phrases(index, key):
        _keep_best(best, hit, score, "partial")
    return _rank(query, list(best.values()))


def _every_word_near(typed: str, name: str, known: Container[str] = ()) -> bool:
    """Each word typed of three letters or more is near a word of the name, or part of one ("fire
    fighters"): a close ratio over the whole phrase alone read "diesel technicians" as "help desk
    technicians"."""
    words = [n for n in name.split() if len(n) > 2]  # "ky" of "west ky" is no misspelled "key"
    short_ok = all(  # "rv techs" is no "hvac technicians"; "ft myers" is "fort myers", "pr" public
        any(n.startswith(w[0]) for n in name.split()) for w in typed.split() if len(w) == 2 and w.isalpha()
    )
    return short_ok and all(
        any(w in n or n in w or _near_word(w, n, spelled_right=w in known) for n in words)
        for w in typed.split()
        if len(w) > 2
    )


def _near_word(typed: str, word: str, *, spelled_right: bool) -> bool:
    """A misspelling of ``word``; a word spelled right is only another form of it ("therapy",
    "therapist"), never another word ("drivers", "divers")."""
    if spelled_right:
        shorter = min(len(typed), len(word))
        shared = next((i for i, (a, b) in enumerate(zip(typed, word, strict=False)) if a != b), shorter)
        return shared >= max(4, shorter - 2)
    return fuzz.ratio(typed, word) >= WORD_NEAR


_DOUBLED = re.compile(r"([a-z])\1")


def sounds(text: str) -> str:
    """A spelling as it sounds, for typos of that kind: "ph" -> "f", "ck" -> "k", doubled letters
    once ("pharmacists" and "farmacist" both -> "farmacists"/"farmacist")."""
    return _DOUBLED.sub(r"\1", text.replace("ph", "f").replace("ck", "k"))


def _keep_best(best: dict[T, Match[T]], hit: _Hit[T], score: float, via: str) -> None:
    for entity in hit.entities:
        if entity not in best or score > best[entity].score:
            best[entity] = Match(entity, score, hit.key, via)


def _inner_phrases(index: _Index[T], key: str) -> Iterator[tuple[_Hit[T], float]]:
    """Known phrases inside the query, scored by the share of its words they cover: 70 +
    30 x share, so one word of two scores 85 (the cutoff) and one of three does not."""
    tokens = key.split()
    for size in range(min(len(tokens) - 1, MAX_PHRASE_WORDS), 0, -1):
        score = 70.0 + 30.0 * size / len(tokens)
        if score < FUZZY_CUTOFF:
            break
        for start in range(len(tokens) - size + 1):
            phrase = " ".join(tokens[start : start + size])
            hit = index.get(phrase)
            if hit is not None and hit.via != "code" and len(phrase) >= FUZZY_MIN_CHARS:
                yield hit, score


def _rank(query: str, found: list[Match[T]]) -> Resolution[T]:
    if not found:
        return Resolution(query, (), False)
    ordered = sorted(found, key=lambda m: -m.score)
    top = ordered[0].score
    kept = [m for m in ordered if m.score >= top - KEEP_MARGIN][:MAX_MATCHES]
    tied = [m for m in kept if m.score >= top - TIE_MARGIN]
    return Resolution(query, tuple(kept), ambiguous=len(tied) > 1)


# --------------------------------------------------------------------------------------------
# The resolver
# --------------------------------------------------------------------------------------------


class EntityResolver:
    """Resolves phrases to areas, occupations and industries of one vocabulary."""

    max_phrase_words = MAX_PHRASE_WORDS

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        tables = _area_tables(vocab.areas)
        self._areas: _Index[Area] = _Index(tables.main, _keep_all)
        self._areas_cased = tables.cased.freeze(_keep_all)
        self._area_words = tables.words.freeze(_keep_all)
        self._cities = {k: tuple(v) for k, v in tables.cities.items()}
        self._states = tables.states
        self._area_short = tables.short
        industry_table, self._industry_short = _industry_table(vocab.industries)
        self._industries: _Index[Industry] = _Index(industry_table, _prefer_industries)
        self._occupations: _Index[Occupation] = _Index(
            _occupation_table(vocab.occupations, self._industries.hits), _prefer_occupations
        )
        self._everyday_words = {
            key
            for key, hit in self._industries.hits.items()
            if hit.via == "everyday" and names.needs_noun(key)
        }  # "legal", "gambling": words, unless an industry noun comes with them
        self._industry_words = aliases.INDUSTRY_WORDS | self._everyday_words
        title_words = {w for o in vocab.occupations for w in normalize(title_base(o.title)).split()}
        title_words |= {singular(w) for w in title_words}
        self._abbreviations = Abbreviations(aliases.WORD_ABBREVIATIONS, plural)
        self._title_abbreviations = Abbreviations(aliases.WORD_ABBREVIATIONS, plural, title_words)
        skip = {*self._states, *aliases.NOT_INITIALISMS}
        current = current_detailed(vocab.occupations)
        self._initialisms = Initialisms(current, title_base, skip, aliases.INITIALISMS)
        self._supervisors = _supervisors_by_word(current)
        self._helpers = [o for o in current if o.title.startswith("Helpers--")]
        self._postsecondary = [o for o in current if o.title.endswith("Teachers, Postsecondary")]
        self._only_member = _groups_of_one(vocab.occupations)
        self._codes_area = {a.code: a for a in vocab.areas}
        self._codes_occupation = {o.code: o for o in vocab.occupations}
        self._codes_industry = {i.naics: i for i in vocab.industries}
        self._title_words = {w for o in vocab.occupations for w in normalize(o.title).split()}
        self._noun_families = _noun_families(vocab.occupations)
        self._exact_recent: dict[tuple[str, str], tuple[Entity, ...]] = {}
        self._exact_older: dict[tuple[str, str], tuple[Entity, ...]] = {}
        latest = max((o.last_year for o in vocab.occupations), default=0)
        self._group_stems = [
            (occ, tuple(_stem(w) for w in re.findall(r"[a-z]+", occ.title.lower())))
            for occ in vocab.occupations
            if occ.o_group in ("major", "minor") and occ.last_year == latest
        ]
        self._industry_stems = [
            (ind, tuple(_stem(w) for w in re.findall(r"[a-z]+", ind.title.lower())))
            for ind in vocab.industries
        ]

    # -- exact ----------------------------------------------------------------------------

    @overload
    def exact(self, kind: Literal["area"], phrase: str) -> tuple[Area, ...]: ...
    @overload
    def exact(self, kind: Literal["occupation"], phrase: str) -> tuple[Occupation, ...]: ...
    @overload
    def exact(self, kind: Literal["industry"], phrase: str) -> tuple[Industry, ...]: ...

    def exact(self, kind: EntityKind, phrase: str) -> tuple[Entity, ...]:
        """The entities a phrase names exactly (several = ambiguous; none = unknown).

        A few dict lookups, no fuzzy matching: safe to call for every n-gram of a question (and
        remembered: the questions a follow-up or a reshape would ask are read too, so the same
        n-grams come back). Case matters only for areas: a word-like postal code qualifies a city
        when typed in capitals ("Portland, OR"), and "Mobile"/"Reading"/"Bend"/"Flint"/"Wheeling"
        are cities only when capitalized.
        """
        key = (kind, phrase)
        remembered = self._exact_recent.get(key)
        if remembered is None:  # two generations: what is used again stays, the rest ages out
            remembered = self._exact_older.get(key)
            if remembered is None:
                remembered = self._exact(kind, phrase)
            if len(self._exact_recent) >= EXACT_CACHE_SIZE // 2:
                self._exact_older, self._exact_recent = self._exact_recent, {}
            self._exact_recent[key] = remembered
        return remembered

    def _exact(self, kind: EntityKind, phrase: str) -> tuple[Entity, ...]:
        key = normalize(phrase)
        found: _Hit[Area] | _Hit[Occupation] | _Hit[Industry] | None
        if kind == "occupation":
            found = _lookup(self._occupations, key, _OCCUPATION_PREFIXES, ()) or self._short_forms(
                phrase, key
            )
            found = found or self._field_of_work(key) or self._supervisor_of(key) or self._helper_of(key)
            found = found or self._professor_of(key)
            found = found or self._kind_of_group(key)
            if found is not None and len(found.entities) == 1 and found.entities[0].code in self._only_member:
                found = _Hit(found.key, (self._only_member[found.entities[0].code],), found.via)
        elif kind == "industry":
            found = self._makers(key) or _lookup(
                self._industries, key, _INDUSTRY_PREFIXES, _INDUSTRY_SUFFIXES
            )
            found = found or self._expanded(self._industries, key, _INDUSTRY_PREFIXES, _INDUSTRY_SUFFIXES)
            if found is not None and self._needs_noun(found, key):
                found = None  # "information" alone is a word; "the information sector" is not
        else:
            found = self._exact_area_hit(phrase, key)
        return found.entities if found is not None else ()

    def _exact_area_hit(self, phrase: str, key: str) -> _Hit[Area] | None:
        hit = _lookup(self._areas, key, _AREA_WRAPPERS, _AREA_SUFFIXES)
        if hit is not None:
            return hit
        first, space, rest = key.partition(" ")
        if space and first in _COMPASS:  # "se oklahoma nonmetro": Southeast Oklahoma nonmetropolitan area
            return _lookup(self._areas, f"{_COMPASS[first]} {rest}", _AREA_WRAPPERS, _AREA_SUFFIXES)
        last = _last_token(phrase)
        if len(key.split()) > 1 and len(last) == 2 and (last.isupper() or last in aliases.CITY_POSTAL_CODES):
            return _lookup_cased(self._areas_cased, key)
        if phrase.strip()[:1].isupper() and key in aliases.WORD_CITIES:
            return self._area_words.get(key)
        return None

    def _makers(self, key: str) -> _Hit[Industry] | None:
        """ "beverage makers", "auto parts plants": the industry titled "… Manufacturing";
        "health insurers": the one titled "… Insurance Carriers"."""
        for ending, kind in _MAKERS:
            if key.endswith(ending):
                return self._industries.get(key.removesuffix(ending) + kind)
        return None

    def _needs_noun(self, hit: _Hit[Industry], key: str) -> bool:
        """ "information", "legal", "office admin(istrative)" typed without an industry noun."""
        if hit.key not in self._industry_words:
            return False
        return hit.key == key or not any(key.endswith(suffix) for suffix in _INDUSTRY_SUFFIXES)

    def exact_postal(self, token: str) -> tuple[Area, ...]:
        """``exact("area", token)`` for one token as typed, where word-like codes count when
        typed in capitals: "OR" is Oregon, "US"/"U.S." the nation, "LA" Los Angeles, while
        "or", "us", "la" are nothing.  Other codes match in any case ("wa", "DC", "nyc")."""
        typed = token.strip().strip(",;:!?()")
        letters = typed.replace(".", "")
        if letters.isalpha() and letters.isupper():
            hit = self._area_words.get(letters.lower()) or self._areas.get(letters.lower())
            return hit.entities if hit is not None else ()
        return self.exact("area", typed)

    def state_of_postal(self, token: str) -> Area | None:
        """The state (or D.C.) whose postal code this is, whatever else the code names."""
        code = token.strip().upper()
        return next((a for a in self.vocab.areas if a.kind == "state" and a.state == code), None)

    def industry_with_words(self, words: Sequence[str], *, spare: bool = False) -> Industry | None:
        """The one industry whose title has the words typed ("farm machinery wholesalers": Farm
        and Garden Machinery and Equipment Merchant Wholesalers; "print shops": Printing, a word
        may start a title word); with ``spare``, the most of them and all but one of three or more
        ("truck trailer / vehicle body manufacturing": Motor Vehicle Body and Trailer
        Manufacturing). None when no industry has enough of them, or several titles do, or one
        word is typed that the title qualifies ("collection": not Waste Collection)."""
        typed = [w for w in words if w.isalpha() and len(w) > 2 and w.lower() not in _NO_INDUSTRY_WORDS]
        wanted = {_stem(w) for w in typed}
        if not wanted:
            return None
        best: dict[str, list[Industry]] = {}
        most = 0
        for ind, title in self._industry_stems:
            found = sum(1 for w in wanted if any(t == w or (len(w) >= 4 and t.startswith(w)) for t in title))
            if found and found >= most:
                best = {} if found > most else best
                best.setdefault(ind.title, []).append(ind)
                most = found
        needed = len(wanted) - 1 if spare and len(wanted) >= 3 else len(wanted)
        if len(best) > 1:  # "Fabricated Metal Product Manufacturing", not its "(3323 and 3324 only)" parts
            best = {title: found for title, found in best.items() if "(" not in title}
        if most < needed or len(best) != 1:
            return None
        industry = _prefer_industries(next(iter(best.values())))[0]
        # one word: not "collection agencies"
        return None if len(typed) == 1 and _qualified_in_title(industry, typed[0]) else industry

    def group_with_words(self, words: Sequence[str]) -> Occupation | None:
        """The one major or minor occupation group whose title has every word typed
        ("arts/design/entertainment/media": Arts, Design, Entertainment, Sports, and Media
        Occupations; a word may start a title word: "finance" in Financial), or None."""
        wanted = {_stem(w) for w in words if w.isalpha() and len(w) > 2}
        if len(wanted) < 2:
            return None
        found = [
            group
            for group, title in self._group_stems
            if all(any(t == w or (len(w) >= 4 and t.startswith(w)) for t in title) for w in wanted)
            and ("other" in wanted or title[0] != "other")  # "Other Food Preparation … Workers"
        ]
        return found[0] if len(found) == 1 else None

    def family(self, occupation: Occupation, typed: str) -> tuple[Occupation, ...]:
        """ "nurse jobs", "truck driver jobs": the current detailed occupations whose titles have
        the words typed (singular or plural), largest first; () unless every word typed is a word
        of ``occupation``'s title."""
        title = set(normalize(occupation.title).split())
        typed_words = normalize(typed).split()
        if not all(w in title or plural(w) in title for w in typed_words):
            return ()  # "food prep": the words of a title as typed, or no family
        words = {singular(w) for w in typed_words}
        found = [
            o
            for o in current_detailed(self.vocab.occupations)
            if words <= {singular(w) for w in normalize(o.title).split()}
        ]
        return tuple(sorted(found, key=lambda o: -(o.tot_emp or 0)))

    def by_code(self, kind: EntityKind, code: str) -> Entity | None:
        """The entity with exactly this code ("53", "29-1141", "52"), for codes read back
        from stored context; unlike ``exact()`` it accepts short numeric codes."""
        if kind == "area":
            return self._codes_area.get(code)
        if kind == "occupation":
            return self._codes_occupation.get(code)
        return self._codes_industry.get(code)

    # -- resolution -----------------------------------------------------------------------

    def occupation(self, phrase: str) -> Resolution[Occupation]:
        """Exact match (codes, titles, variants, aliases), else fuzzy over all occupations."""
        full = normalize(phrase)
        key = _strip(full, _OCCUPATION_PREFIXES, _OCCUPATION_SUFFIXES)
        hit = _lookup(self._occupations, full, _OCCUPATION_PREFIXES, _OCCUPATION_SUFFIXES)
        hit = hit or self._short_forms(phrase, key)
        if hit is not None:
            return _exact_resolution(phrase, hit)
        if shared := self._sharing_a_noun(key):
            matches = tuple(Match(o, 100.0, key, "shared") for o in shared[:MAX_MATCHES])
            return Resolution(phrase, matches, ambiguous=True)
        expanded = self._title_abbreviations.expand(key)
        found = _fuzzy(self._occupations, phrase, expanded[0] if expanded else key, self._title_words)
        if len(found.matches) == 1 and (only := self._only_member.get(found.matches[0].entity.code)):
            return replace(found, matches=(replace(found.matches[0], entity=only),))  # as in _exact
        return found

    def titles_with_noun(self, word: str) -> tuple[Occupation, ...]:
        """ "technician", "drivers": the current occupations with that job noun in their titles
        (before a comma), largest first; () for a noun of fewer than two titles."""
        return self._noun_families.get(plural(normalize(word)), ()) if " " not in word.strip() else ()

    def _sharing_a_noun(self, key: str) -> tuple[Occupation, ...]:
        """ "drivers" alone: as ``titles_with_noun``, but never a generic noun ("workers",
        "technicians"), too vague to read as its largest title."""
        return () if plural(key) in _GENERIC else self.titles_with_noun(key)

    def _short_forms(self, phrase: str, key: str) -> _Hit[Occupation] | None:
        """An initialism typed in capitals ("OTs"), or abbreviated words ("hr mgrs")."""
        letters = typed_initialism(phrase)
        found = self._initialisms.get(letters) if letters else ()
        if found:
            return _Hit(key, found, "initialism")
        if len(words := key.split()) == 2 and 2 <= len(words[0]) <= 4:  # "pt assts", "OT aides"
            for form in self._abbreviations.expand(key) or [key]:
                found = self._initialisms.headed(plural(form)) or self._initialisms.headed(form)
                if found:
                    return _Hit(key, found, "initialism")
        return self._expanded(
            self._occupations, key, _OCCUPATION_PREFIXES, _OCCUPATION_SUFFIXES, self._title_abbreviations
        )

    def _professor_of(self, key: str) -> _Hit[Occupation] | None:
        """ "chemistry professors", "political science profs", "ag sciences professors" -> the
        "…Teachers, Postsecondary" occupation whose field starts with the words typed."""
        words = key.split()
        if len(words) < 2 or words[-1] not in _PROFESSORS:
            return None
        typed = " ".join(words[:-1])
        expanded = self._abbreviations.expand(typed)  # "ag sciences": agricultural sciences
        field = [_stem(w) for w in (expanded[0] if expanded else typed).split()]
        field = [w for w in field if w not in ("school", "college", "university")]  # "law school"
        found = [
            o
            for o in self._postsecondary
            if field and all(any(t.startswith(w) for t in _title_stems(o.title)) for w in field)
        ]
        return _Hit(key, (found[0],), "abbreviation") if len(found) == 1 else None

    def _helper_of(self, key: str) -> _Hit[Occupation] | None:
        """ "plumber's helpers", "maintenance/repair helpers" -> the "Helpers--…" occupation whose
        title has the words before "helpers" (Helpers--Pipelayers, Plumbers, Pipefitters, and
        Steamfitters)."""
        words = key.split()
        if len(words) < 2 or words[-1] not in ("helper", "helpers"):
            return None
        wanted = {_stem(w) for w in words[:-1] if len(w) > 2}
        found = [
            o
            for o in self._helpers
            if wanted and wanted <= {_stem(w) for w in re.findall(r"[a-z]+", o.title.lower())}
        ]
        return _Hit(key, (found[0],), "abbreviation") if len(found) == 1 else None

    def _supervisor_of(self, key: str) -> _Hit[Occupation] | None:
        """ "security guard supervisors" -> First-Line Supervisors of Security Workers: the
        supervisors whose title names the words before "supervisor" (the first of them at least)."""
        words = key.split()
        workers = bool(words) and words[-1].rstrip("s") == "worker"
        if (workers or len(words) == 3) and words[0].rstrip("s") == "supervisor" and words[1:2] == ["of"]:
            # "supervisors of recreation workers", "supervisors of cashiers" -> "recreation supervisors"
            words = [*(words[2:-1] if workers else words[2:]), "supervisors"]
        if len(words) >= 2 and words[-1].rstrip("s") != "supervisor":
            expanded = self._title_abbreviations.expand(key)  # "janitorial supvrs"
            words = expanded[0].split() if expanded else words
        if len(words) < 2 or words[-1].rstrip("s") != "supervisor":
            return None
        sets = [self._supervisors.get(w.rstrip("s"), set()) for w in words[:-1]]
        named = [s for s in sets if s]
        if not sets[
            0
        ]:  # the phrase starts with a word of the title ("tesla production supervisors" does not)
            return None
        both = set.intersection(*named)
        found = sorted(both or named[0], key=lambda o: -o.tot_emp)
        return _Hit(key, tuple(found), "abbreviation")

    def _kind_of_group(self, key: str) -> _Hit[Occupation] | None:
        """ "truck dispatchers": where the last words name a broad group (Dispatchers, 43-5030), its
        member "Dispatchers, Except Police, Fire, and Ambulance" for a kind (a word of some title)
        that none of the exceptions names."""
        kind, _, head = key.partition(" ")
        hit = _lookup(self._occupations, head, (), ()) if head and kind in self._title_words else None
        if hit is None or len(hit.entities) != 1 or hit.entities[0].o_group != "broad":
            return None
        group = hit.entities[0]
        for occ in self._codes_occupation.values():
            named, _, excepted = occ.title.partition(", Except ")
            same_name = normalize(named) == normalize(title_base(group.title))
            if occ.code[:6] == group.code[:6] and occ.o_group == "detailed" and excepted and same_name:
                excepts = kind in normalize(excepted).split()  # "police dispatchers": excepted
                return None if excepts else _Hit(key, (occ,), "abbreviation")
        return None

    def _field_of_work(self, key: str) -> _Hit[Occupation] | None:
        """The trade or profession a field names: "plumbing" -> plumbers, "accounting",
        "phlebotomy" -> phlebotomists, "pharmacy" -> pharmacists, "statistics" -> statisticians."""
        sold = key.removeprefix("selling ")  # "selling insurance" -> insurance sales agents
        if sold != key:
            nouns = ("agents", "workers", "representatives")
            hits = (_lookup(self._occupations, f"{sold} sales {noun}", (), ()) for noun in nouns)
            hit = next((h for h in hits if h is not None), None)
            return _Hit(key, hit.entities, "abbreviation") if hit else None
        last = key.rpartition(" ")[2]  # "physical therapy" -> physical therapists, "court reporting"
        if len(last) < (6 if " " in key else 7) or last in _NOT_FIELDS:  # "medical coding"
            return None
        for suffix, endings in _FIELD_ENDINGS:
            if not last.endswith(suffix):
                continue
            stem = key.removesuffix(suffix)
            for form in (stem + ending for ending in endings):
                hit = _lookup(self._occupations, form, (), ())
                if hit is not None:
                    return _Hit(key, hit.entities, "abbreviation")
        return None

    def _expanded(
        self,
        index: _Index[T],
        key: str,
        prefixes: tuple[str, ...],
        suffixes: tuple[str, ...],
        abbreviations: Abbreviations | None = None,
    ) -> _Hit[T] | None:
        """The first reading of a phrase with its abbreviated words spelled out that names something
        (occupations also read a word as the start of a title word: ``_title_abbreviations``)."""
        for form in (abbreviations or self._abbreviations).expand(key):
            hit = _lookup(index, form, prefixes, suffixes)
            if hit is not None and (abbreviations is None or " " in hit.key):  # "the deal": not dealers
                return _Hit(hit.key, hit.entities, "abbreviation")
        return None

    def speller(self, ordinary: Iterable[str]) -> Speller:
        """Corrects misspelled ``ordinary`` words (question words) of a text, leaving every
        word of every name in the vocabularies alone."""
        indexes: list[Iterable[str]] = [self._areas.hits, self._occupations.hits, self._industries.hits]
        known = {word for index in indexes for key in index for word in key.split()}
        known |= {word for key in self._area_words for word in key.split()}
        known |= set(aliases.WORD_ABBREVIATIONS)
        known |= {word for name in aliases.EMPLOYERS for word in name.split()}  # "olive garden"
        known |= {
            w.removesuffix("s")[:-2] + "ing" for w in known if w.removesuffix("s").endswith("er")
        }  # coding
        return Speller(ordinary, known)

    def industry(self, phrase: str) -> Resolution[Industry]:
        """Exact match (NAICS codes, titles, aliases), else fuzzy over all industries."""
        full = normalize(phrase)
        key = _strip(full, _INDUSTRY_PREFIXES, _INDUSTRY_SUFFIXES)
        hit = _lookup(self._industries, full, _INDUSTRY_PREFIXES, _INDUSTRY_SUFFIXES)
        hit = hit or self._expanded(self._industries, full, _INDUSTRY_PREFIXES, _INDUSTRY_SUFFIXES)
        if hit is not None and not (hit.key in self._everyday_words and self._needs_noun(hit, full)):
            return _exact_resolution(phrase, hit)  # "legal" alone is a word, "legal firms" an industry
        short = self._industry_short.get(key.replace(" ", "")) or self._industry_short.get(key)
        if short is not None:
            return Resolution(phrase, (Match(short, 100.0, key, "code"),), False)
        return _fuzzy(self._industries, phrase, key)

    def other_industries(self, phrase: str, chosen: Industry) -> tuple[Industry, ...]:
        """The industries of other titles that an industry phrase also names ("mining": Mining
        (except Oil and Gas), NAICS 212000, beside the Mining sector it is read as), for a caveat
        that says which one the answer used."""
        key = _strip(normalize(phrase), _INDUSTRY_PREFIXES, _INDUSTRY_SUFFIXES)
        title = normalize(title_base(_SECTOR_PREFIX.sub("", chosen.title)))
        if key == title:  # "insurance carriers" is Insurance Carriers' own title
            return ()
        found = self._industries.also_named.get(key, ())
        return tuple(i for i in found if i != chosen and normalize(title_base(i.title)) != title)

    def area(self, phrase: str) -> Resolution[Area]:
        """Exact match, then a trailing state qualifier ("portland, me", "columbus ohio"),
        then fuzzy matching over every area name, city and alias."""
        postal = self.exact_postal(phrase)
        if postal:
            return self._resolution(phrase, postal, normalize(phrase), "postal")
        full = normalize(phrase)
        key = _strip(full, _AREA_PREFIXES, _AREA_SUFFIXES)
        hit = self._exact_area_hit(phrase, full) or _lookup(self._areas, full, _AREA_PREFIXES, _AREA_SUFFIXES)
        if hit is None and key in aliases.WORD_CITIES:
            hit = self._area_words.get(key)
        if hit is not None:
            return _exact_resolution(phrase, hit)
        if key in self._area_short:
            return self._resolution(phrase, (self._area_short[key],), key, "code")
        qualified = self._qualified(phrase, key)
        if qualified is not None:
            return qualified
        return _fuzzy(self._areas, phrase, key, self._title_words)  # "marine" is no misspelled "maine"

    def _resolution(self, phrase: str, found: Sequence[Area], key: str, via: str) -> Resolution[Area]:
        matches = tuple(Match(a, 100.0, key, via) for a in found)
        return Resolution(phrase, matches, ambiguous=len(matches) > 1)

    def is_city_of(self, city: str, code: str) -> bool:
        """ "columbus" and "oh": a city that names an OEWS area in the state of that postal code."""
        postal, key = self._states.get(code), normalize(city)
        hit = self._areas.get(key)
        found = self._cities.get(key) or (hit.entities if hit is not None else ())
        return postal is not None and any(postal in a.states for a in found)

    def _qualified(self, phrase: str, key: str) -> Resolution[Area] | None:
        """ "springfield il", "portland, me", "seatle wa": a city narrowed by its state."""
        tokens = key.split()
        for size in (3, 2, 1):
            if len(tokens) <= size:
                continue
            postal = self._states.get(" ".join(tokens[-size:]))
            if postal is None:
                continue
            city = " ".join(tokens[:-size])
            inside = [a for a in self._city_candidates(city) if postal in a.states]
            if inside:
                return self._resolution(phrase, inside, key, "qualified")
        return None

    def _city_candidates(self, city: str) -> tuple[Area, ...]:
        if city in self._cities:
            return self._cities[city]
        hit = self._areas.get(city)
        if hit is not None:
            return hit.entities
        fuzzy = _fuzzy(self._areas, city, city)
        return tuple(m.entity for m in fuzzy.matches)
