#!/usr/bin/env python3
"""Derive the SOC crosswalk between the OEWS codes of May 2019–2020 and May 2021 on.

OEWS switched to the 2018 SOC in two steps.  May 2019 and May 2020 publish some occupations
under *hybrid* codes that BLS made up for the transition ("15-1256 Software Developers and
Software Quality Assurance Analysts and Testers") or under a broad code standing in for its
detailed occupations ("29-2040 Emergency Medical Technicians and Paramedics"); from May 2021 on
the detailed 2018 SOC codes are published.  This script reads only the shipped national files
(``agents/oews/shipped/national_M*_dl.csv.xz``) and writes ``agents/oews/shipped/soc_crosswalk.csv``:
one row per (2019–2020 code, 2021+ code) link with both titles, the years each code is
published, and the relation (one-to-one, one-to-many, many-to-one, many-to-many).

Rules, in order, for a detailed 2019 code that is not a detailed code from 2021 on:

1. A broad code standing in for its occupations ("…0"): its successors are the 2021 detailed
   codes under it (same first six characters).
2. A hybrid code: its successors are the new 2021 codes of the same major group whose title
   words (without "except …" clauses and "all other") all appear in the hybrid title; failing
   that, the new codes of the same minor group whose head noun is the hybrid's ("Drivers").
3. New 2021 codes still unclaimed (occupations BLS folded into an "all other" hybrid, e.g.
   Cardiologists into 29-1228) go to the hybrid whose successors share their SOC broad group
   (read from the order of the 2021 national file); a tie goes to the hybrid whose title
   shares the occupation's head noun.

Run it again after replacing the shipped files:

    python scripts/soc_crosswalk.py            # rewrite agents/oews/shipped/soc_crosswalk.csv
    python scripts/soc_crosswalk.py --check    # exit 1 if the file is out of date
"""

from __future__ import annotations

import argparse
import csv
import io
import lzma
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "agents" / "oews" / "shipped"
OUTPUT = SHIPPED / "soc_crosswalk.csv"
YEARS = range(2019, 2026)
FIELDS = ("old_code", "old_title", "old_years", "new_code", "new_title", "new_years", "relation")

_EXCEPT = re.compile(r",?\s*except [^;]*", re.IGNORECASE)
_STOP = frozenset({"and", "all", "other", "of", "or", "the", "miscellaneous"})

Titles = dict[str, str]


def national_rows(year: int) -> list[dict[str, str]]:
    """Cross-industry rows of one shipped national file, column names in lower case."""
    with lzma.open(SHIPPED / f"national_M{year}_dl.csv.xz", "rt", encoding="utf-8") as f:
        rows = [{k.lower(): v for k, v in row.items()} for row in csv.DictReader(f)]
    return [r for r in rows if r["naics"] == "000000"]


def detailed(rows: list[dict[str, str]]) -> Titles:
    return {r["occ_code"]: r["occ_title"] for r in rows if r["o_group"] == "detailed"}


def broad_groups(rows: list[dict[str, str]]) -> dict[str, str]:
    """Detailed code -> its broad group: the last broad row above it in the file's order."""
    groups: dict[str, str] = {}
    current = ""
    for row in rows:
        if row["o_group"] == "broad":
            current = row["occ_code"]
        elif row["o_group"] in ("minor", "major"):
            current = ""
        elif row["o_group"] == "detailed":
            groups[row["occ_code"]] = current or row["occ_code"]
    return groups


def _word_list(text: str) -> list[str]:
    found = re.findall(r"[a-z]+", _EXCEPT.sub("", text).lower())
    return [w[:-1] if w.endswith("s") else w for w in found if w not in _STOP]


def words(title: str) -> set[str]:
    """Content words of a title, singular, without "except …" clauses."""
    return set(_word_list(title))


def head_nouns(title: str) -> set[str]:
    """The nouns naming the workers: "Shuttle Drivers and Chauffeurs" -> driver, chauffeur."""
    first = _EXCEPT.sub("", title).split(",")[0]
    return {found[-1] for part in re.split(r"\s+and\s+", first) if (found := _word_list(part))}


def successors(old: Titles, new: Titles, groups: dict[str, str]) -> dict[str, list[str]]:
    """2019–2020 code -> its 2021+ codes, by the three rules of the module docstring."""
    gone = {c: t for c, t in old.items() if c not in new}
    born = {c: t for c, t in new.items() if c not in old}
    links: dict[str, list[str]] = {}
    for code, title in gone.items():
        if code.endswith("0"):
            links[code] = [c for c in new if c[:6] == code[:6]]
        else:
            links[code] = [c for c, t in born.items() if c[:2] == code[:2] and words(t) <= words(title)]
            if not links[code]:  # "Passenger Vehicle Drivers, Except …": the drivers under it
                heads = head_nouns(title)
                links[code] = [c for c, t in born.items() if c[:4] == code[:4] and heads & head_nouns(t)]
    claimed = {c for found in links.values() for c in found}
    for code in sorted(set(born) - claimed):
        holders = [o for o, found in links.items() if any(groups[c] == groups[code] for c in found)]
        if len(holders) > 1:
            holders = [o for o in holders if head_nouns(new[code]) & words(old[o])] or holders
        if len(holders) == 1:
            links[holders[0]].append(code)
    return {o: sorted(found) for o, found in sorted(links.items()) if found}


def years_of(code: str, published: dict[int, Titles]) -> str:
    years = [y for y, titles in published.items() if code in titles]
    return f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])


def relation(successor_count: int, predecessor_count: int) -> str:
    """ "one-to-many": one 2019 code split into several 2021 codes; "many-to-one": merged."""
    first = "one" if predecessor_count == 1 else "many"
    second = "one" if successor_count == 1 else "many"
    return f"{first}-to-{second}"


def build() -> str:
    published = {y: detailed(national_rows(y)) for y in YEARS}
    rows_2021 = national_rows(2021)
    links = successors(published[2019], published[2021], broad_groups(rows_2021))
    predecessors: dict[str, int] = defaultdict(int)
    for found in links.values():
        for code in found:
            predecessors[code] += 1
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for old_code, found in links.items():
        for new_code in found:
            writer.writerow(
                (
                    old_code,
                    published[2019][old_code],
                    years_of(old_code, published),
                    new_code,
                    published[2021][new_code],
                    years_of(new_code, published),
                    relation(len(found), predecessors[new_code]),
                )
            )
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the shipped file is out of date")
    args = parser.parse_args()
    text = build()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            sys.stderr.write(f"{OUTPUT.relative_to(ROOT)} is out of date: run scripts/soc_crosswalk.py\n")
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {OUTPUT.relative_to(ROOT)} ({text.count(chr(10)) - 1} links)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
