"""How people name SOC groups and industries: general rules over their BLS titles.

BLS titles say what kind of thing a group or an industry is ("… Workers", "… Occupations",
"… Services", "… Manufacturing", "… Merchant Wholesalers"); people name the rest and put their
own noun after it, or none.  These rules generate those names from every title, so a new title
needs no new phrase:

- **Groups** (SOC major, minor and broad): "Legal Support Workers" -> "legal support jobs",
  "legal support occupations", "legal support workers", "legal support careers" and, for a name
  of two words or more, "legal support"; "Lawyers, Judges, and Related Workers" -> "lawyers and
  judges"; "Metal Workers and Plastic Workers" -> "metal and plastic workers".
- **Industries**: the generic head dropped ("Gambling Industries" -> "gambling", "Legal Services"
  -> "legal", "Wood Product Manufacturing" -> "wood product", "wood products"); the head said
  the way people say it ("Beer, Wine, and Liquor Retailers" -> "… stores", "… retail", "…
  shops"; "Nondurable Goods Merchant Wholesalers" -> "… wholesalers", "… wholesale",
  "wholesale of …", "… distributors"; "… Manufacturing" -> "… manufacturers", "… makers", "…
  factories", "… plants", "manufacturing of …"; "Dealers" -> "dealerships"; "Contractors" ->
  "contracting").

A name of one word made by dropping a head ("legal", "gambling"), or one ending in an adjective
("office administrative"), is not a name on its own (``needs_noun``): the resolver accepts it only
with an industry noun around it ("the legal industry", "gambling companies"), as it does for
"information".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

GROUP_NOUNS = ("jobs", "occupations", "workers", "careers")

_RELATED = re.compile(r",? and Related$|,? Related$")
_RESIDUAL = ("Miscellaneous", "Other ", "All Other")
_GROUP_HEADS = (" Occupations", " Workers")
_INDUSTRY_HEADS = (" Industries", " Industry", " Services", " Manufacturing", " Activities")
# The generic head of an industry title -> what people say instead: "{}" is the rest of the title.
_HEAD_SWAPS = {
    "Wholesalers": ("{} wholesalers", "{} wholesale", "wholesale of {}", "{} wholesaling", "{} distributors"),
    "Retailers": ("{} stores", "{} retail", "{} retailers", "{} shops", "retail of {}"),
    "Manufacturing": (
        "{} manufacturers", "{} makers", "{} factories", "{} plants", "{} manufacturing",
        "manufacturing of {}",
    ),
    "Dealers": ("{} dealerships", "{} dealers"),
    "Contractors": ("{} contracting", "{} contractors"),
}  # fmt: skip


_ADJECTIVE_ENDINGS = ("ive", "ic", "ical", "ional", "ial", "ary", "ural")  # not "metal", "mineral"


def needs_noun(name: str) -> bool:
    """ "legal", "office administrative": words that name an industry only with "industry",
    "firms" … after them."""
    words = name.split()
    if len(words) == 1:
        return True
    return " of " not in name and words[-1].endswith(_ADJECTIVE_ENDINGS) and not words[-1].endswith("erial")


def _and_list(rest: str) -> str:
    """ "Lawyers, Judges" -> "Lawyers and Judges"; "Farming, Fishing, and Forestry" unchanged."""
    first, comma, last = rest.rpartition(", ")
    if not comma or last.startswith(("and ", "or ")) or " and " in last:
        return rest
    return f"{first} and {last}"


def _without_head(base: str, heads: tuple[str, ...]) -> str | None:
    for head in heads:
        if base.endswith(head):
            rest = base.removesuffix(head).replace(f"{head} and ", " and ")
            rest = _RELATED.sub("", rest).strip(" ,")
            return _and_list(rest) or None
    return None


_SUPERVISORS = re.compile(r"^(?:First-Line )?Supervisors of (.*?)(?: Workers)?$")


def group_names(base: str) -> Iterator[tuple[str, bool]]:
    """Everyday names of a SOC group from its base title (no parentheses or "except" clause),
    each with whether it is the bare name ("law enforcement": also an industry's name, maybe)."""
    if base.startswith(_RESIDUAL):
        return
    supervised = _SUPERVISORS.match(base)
    if supervised:  # "First-Line Supervisors of Law Enforcement Workers": "law enforcement supervisors"
        yield f"{supervised.group(1)} supervisors", False
        return
    first = base.split(", ")[0]
    if first != base and len(first.split()) >= 3 and "Other" not in first and ";" not in base:
        yield first, False  # "Electrical and Electronic Equipment Mechanics, Installers, and Repairers"
    rest = _without_head(base, _GROUP_HEADS)
    if rest is None:
        return
    yield from ((f"{rest} {noun}", False) for noun in GROUP_NOUNS)
    if " " in rest and (base.endswith(" Occupations") or not rest.endswith("s")):
        # "law enforcement", "business and financial operations": a field; never "sales" or
        # "legal" alone, and not "construction trades" or "lawyers and judges" (from "… Workers"),
        # which read as the people they name
        yield rest, True


def industry_names(base: str) -> Iterator[str]:
    """Everyday names of an industry from its base title (no sector number, parentheses or
    "except" clause), also with one word of each "A and B" pair ("Farm and Garden Machinery and
    Equipment Merchant Wholesalers": "farm machinery wholesalers"), the part before "and Other"
    ("Electrical Contractors and Other Wiring Installation Contractors": "electrical
    contractors") and "X support services" for "Support Activities for X"."""
    if base.startswith(_RESIDUAL):
        return
    base = base.replace(" Merchant Wholesalers", " Wholesalers").removeprefix("Merchant ")
    forms = [base, *_one_of_each_pair(base)]
    if " and Other " in base:
        forms.append(base.split(" and Other ")[0])
    for form in forms:
        if form != base and " " in form:
            yield form
        # a pair cut to one word never leaves one word ("Food Services" of "Accommodation and …")
        yield from (name for name in _named_forms(form) if form == base or " " in name)
    supported = _SUPPORT.match(base)
    if supported:  # "Support Activities for Crop Production": "crop support services"
        for what in dict.fromkeys((supported.group(1), supported.group(1).removesuffix(" Production"))):
            yield from (f"{what} {noun}" for noun in ("support services", "support activities", "support"))


_SUPPORT = re.compile(r"^Support Activities for (.+)$")
_PAIR = re.compile(r"\b(\w+) and (\w+)\b")


def _one_of_each_pair(base: str) -> list[str]:
    """ "Farm and Garden Machinery and Equipment" -> "Farm Machinery", "Garden Equipment" …: one
    word of each pair of single words joined by "and" (titles without commas, two pairs at most)."""
    pairs = [pair for pair in _PAIR.findall(base) if "Other" not in pair]
    if "," in base or not pairs or len(pairs) > 2:
        return []
    forms = [base]
    for left, right in pairs:
        forms = [f.replace(f"{left} and {right}", word, 1) for f in forms for word in (left, right)]
    return forms


def _named_forms(base: str) -> Iterator[str]:
    rest = _without_head(base, _INDUSTRY_HEADS)
    if rest:
        yield rest
        if rest.endswith(" Product"):  # "wood product" -> "wood products"
            yield f"{rest}s"
    head = base.rpartition(" ")[2]
    stem = base.rpartition(" ")[0]
    if head in _HEAD_SWAPS and stem:  # "Beer, Wine, and Liquor Retailers": "beer, wine and liquor stores"
        for stems in dict.fromkeys((stem, f"{stem}s" if stem.endswith(" Product") else stem)):
            yield from (form.format(stems) for form in _HEAD_SWAPS[head])
