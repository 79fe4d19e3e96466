"""SOC groups and industries named the way people name them (``scripts/vocab_probe.py``).

The probe generates the everyday names of every current SOC group (major, minor, broad) and every
industry of the real database from their BLS titles, and counts how the resolver and the question
parser read them. The floors below are the measured shares (December 2026) minus a small margin:
a change that makes the engine read many more of them wrongly, or find fewer, fails here."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from agents.engine.engine import OewsEngine
from agents.resolve import names
from agents.resolve.entities import Vocabulary
from agents.resolve.resolver import EntityResolver
from tests.shipped import script


@pytest.fixture(scope="module")
def probe() -> ModuleType:
    return script("vocab_probe")


@pytest.fixture(scope="module")
def resolver(oews_db: Path) -> EntityResolver:
    return EntityResolver(Vocabulary.from_sqlite(oews_db))


def shares(table: Any, kind: str) -> dict[str, float]:
    counts = table[kind, "all"]
    total = sum(counts.values())
    return {outcome: counts[outcome] / total for outcome in ("right", "narrower", "asked", "wrong", "none")}


def test_the_probe_names_every_group_and_industry_several_ways(
    probe: ModuleType, resolver: EntityResolver
) -> None:
    found = probe.probes(resolver.vocab)
    phrases = {(p.kind, p.phrase) for p in found}
    assert len(found) > 4000
    assert ("occupation", "transportation and material moving jobs") in phrases
    assert ("occupation", "legal support") in phrases
    assert ("industry", "farm product raw material wholesale") in phrases
    assert ("industry", "wholesale of farm product raw material") in phrases
    assert ("industry", "ambulatory health care services") in phrases  # BLS writes "Health Care"
    assert ("industry", "gambling companies") in phrases


def test_the_resolver_reads_them_right_and_rarely_wrongly(
    probe: ModuleType, resolver: EntityResolver
) -> None:
    table = probe.measure(resolver, probe.probes(resolver.vocab))
    groups, industries = shares(table, "occupation"), shares(table, "industry")
    assert groups["right"] >= 0.92 and groups["wrong"] <= 0.02 and groups["none"] <= 0.03
    assert industries["right"] >= 0.98 and industries["wrong"] <= 0.005 and industries["none"] <= 0.01


@pytest.mark.slow(seconds=20)
def test_inside_a_question_too(probe: ModuleType, resolver: EntityResolver, engine: OewsEngine) -> None:
    found = probe.probes(resolver.vocab)[::5]  # a fifth of them: the parser is slower than a lookup
    table = probe.measure(resolver, found, probe.question_reader(engine))
    groups, industries = shares(table, "occupation"), shares(table, "industry")
    # narrower: a group read as the one member that carries its name ("medical scientists":
    # Medical Scientists, Except Epidemiologists), as people mean it
    assert groups["right"] + groups["narrower"] >= 0.93 and groups["wrong"] <= 0.02
    assert industries["right"] >= 0.96 and industries["wrong"] <= 0.02


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("legal support jobs", "23-2000"),
        ("law enforcement", "33-3000"),
        ("construction trades jobs", "47-2000"),
        ("material moving jobs", "53-7000"),
        ("health care support jobs", "31-0000"),
        ("lawyers and judges jobs", "23-1000"),
        ("law enforcement supervisors", "33-1010"),
        ("metal and plastic workers", "51-4000"),
        ("electrical and electronic equipment mechanics", "49-2000"),  # the first of a listed title
    ],
)
def test_groups_by_the_words_people_use(resolver: EntityResolver, phrase: str, code: str) -> None:
    assert [o.code for o in resolver.exact("occupation", phrase)] == [code]


@pytest.mark.parametrize(
    ("phrase", "naics"),
    [
        ("nondurable goods wholesale", "424000"),
        ("wholesale of durable goods", "423000"),
        ("beer, wine and liquor stores", "445300"),
        ("the gambling industry", "713200"),
        ("wood products manufacturers", "321000"),
        ("transportation equipment makers", "336000"),
        ("ambulatory health care services", "621000"),
        ("specialty trade contracting", "238000"),
        ("roofing contractors", "238160"),
        ("legal firms", "541100"),
        ("farm machinery wholesalers", "423820"),  # one word of each "A and B" pair
        ("electrical contractors", "238210"),  # before "and Other …"
        ("crop support services", "115100"),  # "Support Activities for Crop Production"
        ("mining support services", "213000"),
        ("corporate headquarters", "551000"),  # an alias
    ],
)
def test_industries_by_the_words_people_use(resolver: EntityResolver, phrase: str, naics: str) -> None:
    assert [i.naics for i in resolver.exact("industry", phrase)] == [naics]
    assert [m.entity.naics for m in resolver.industry(phrase).matches][:1] == [naics]


def test_a_word_left_when_the_head_is_dropped_needs_an_industry_noun(resolver: EntityResolver) -> None:
    # "Legal Services" -> "legal", "Office Administrative Services" -> "office administrative":
    # words, not names, unless "industry", "firms" … come with them.
    assert names.needs_noun("legal") and names.needs_noun("office administrative")
    assert not names.needs_noun("law enforcement") and not names.needs_noun("primary metal")
    assert [i.naics for i in resolver.exact("industry", "primary metal")] == ["331000"]
    for phrase in ("legal", "gambling", "office admin", "office administrative"):
        assert resolver.exact("industry", phrase) == ()
        assert not resolver.industry(phrase).found
    assert [i.naics for i in resolver.exact("industry", "office administrative firms")] == ["561100"]


def test_a_groups_bare_name_that_is_an_industrys_name_stays_the_industry(resolver: EntityResolver) -> None:
    # "Air Transportation Workers" (53-2000) and "Air Transportation" (481000).
    assert [i.naics for i in resolver.exact("industry", "air transportation")] == ["481000"]
    assert resolver.exact("occupation", "air transportation") == ()
    assert [o.code for o in resolver.exact("occupation", "air transportation jobs")] == ["53-2000"]


def test_group_names_are_made_from_titles() -> None:
    assert list(names.group_names("Lawyers, Judges, and Related Workers")) == [
        *((f"Lawyers and Judges {n}", False) for n in names.GROUP_NOUNS),
    ]  # not "lawyers and judges" alone: that is two occupations
    assert ("Law Enforcement", True) in list(names.group_names("Law Enforcement Workers"))
    assert list(names.group_names("Miscellaneous Production Workers")) == []
    assert "Nondurable Goods wholesale" in names.industry_names("Nondurable Goods Merchant Wholesalers")


@pytest.mark.parametrize(
    ("question", "occupation", "industry"),
    [
        ("median pay for janitors at liquor stores", "37-2011", "445300"),
        ("what do cashiers make at hardware stores", "41-2011", "444100"),
        ("average salary of legal support workers", "23-2000", None),
        ("how much do the trades pay in ohio", "47-0000", None),
        ("median pay for janitors in the gambling industry", "37-2011", "713200"),
    ],
)
def test_questions_read_with_everyday_names(
    engine: OewsEngine, question: str, occupation: str, industry: str | None
) -> None:
    intent = engine.parse(question).intent
    assert intent is not None
    assert [o.code for o in intent.occupations] == [occupation]
    assert (intent.industry.naics if intent.industry else None) == industry


def test_a_word_naming_a_sector_and_a_narrower_industry_says_which_was_read(
    engine: OewsEngine, resolver: EntityResolver
) -> None:
    # "mining": the sector (NAICS 21) is read; Mining (except Oil and Gas) is NAICS 212000.
    mining = resolver.industry("mining").best
    assert mining is not None and mining.naics == "21"
    assert [i.naics for i in resolver.other_industries("the mining industry", mining)] == ["212000"]
    intent = engine.parse("median pay of janitors in mining").intent
    assert intent is not None and intent.industry is not None and intent.industry.naics == "21"
    assert any("“mining”" in n and "Mining (except Oil and Gas)" in n for n in intent.notes)
    # A title is its own name: no caveat.
    carriers = resolver.industry("insurance carriers").best
    assert carriers is not None and resolver.other_industries("insurance carriers", carriers) == ()
