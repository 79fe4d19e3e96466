"""Entity-resolution speed: index construction, and per-call latency of area / occupation /
industry resolution and of ``exact()`` over the full OEWS vocabularies.

    python bench/bench_resolver.py [--database PATH] [--rounds 50]

Without ``--database`` the OEWS database is built from the shipped files into a temporary
directory first (about 20 s).  Prints construction time (median of 5) and p50 / p99 / max per
call, in milliseconds, over a mix of realistic phrases: exact names, nicknames, state
qualifiers, misspellings that need fuzzy matching, and unknown words (the slowest path); then
abbreviated titles and initialisms, and the speller correcting typos in ordinary words.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.engine.parser import FILLER
from agents.oews.database import ensure_database
from agents.resolve.entities import Vocabulary
from agents.resolve.resolver import EntityResolver
from agents.resolve.words import Speller

AREAS = (
    "Seattle", "seattle area", "Seatle", "Portland", "portland oregon", "Portland, ME",
    "columbus ohio", "springfield il", "the Bay Area", "NYC", "new york state", "DC area",
    "chicagoland", "Pheonix", "Cincinatti", "Albequerque", "texas", "mass", "nationally",
    "the US", "eastern oregon nonmetro", "rural kansas", "St. Louis", "fort worth", "Atlantis",
    "Gotham City", "middle earth", "sanfrancisco", "austin tx", "around boston",
)  # fmt: skip
OCCUPATIONS = (
    "nurses", "registered nurse", "software engineers", "software devs", "cops", "CPA",
    "hvac techs", "truck drivers", "electricians", "elecrtical engineers", "electrcians",
    "pharmasists", "nurse practioner", "senior software engineer", "dental hygienists",
    "plumbers", "teachers", "x-ray techs", "wizards", "dragon tamers", "29-1141",
    "general office clerks", "heavy and tractor-trailer truck drivers", "regestered nurses",
    "chief executives", "acountants", "graphic designer", "paralegals", "unicorn wranglers",
    "restaurant cooks",
)  # fmt: skip
SHORT_FORMS = (
    "OTs", "RTs", "PTs", "hr mgrs", "customer svc reps", "food prep workers", "mech engs",
    "admin asst", "elec eng", "med techs", "construction mgr", "tax prep",
)  # fmt: skip
TYPOS = (
    "how many occupatons pay a good salery", "median wage of electrcians in Seatle",
    "emplyment of plumbers in utah", "waitresses avrage hourly wage in pheonix",
)  # fmt: skip
INDUSTRIES = (
    "hospitals", "the federal government", "finance and insurance", "accounting/tax prep firms",
    "specialty trade contractors", "software publishers", "restaurants", "52", "622000",
    "hospitels", "resturants", "wizardry", "state government", "tech industry",
    "nursing homes", "trucking industry", "manufacturing", "colleges and universities",
)  # fmt: skip
QUESTIONS = (
    "what do the top 10% of software devs make in washington state? 90th pct salary",
    "how much do electricians make in or near portland oregon",
    "median pay of paralegals working for local government in 2024",
)


def _percentile(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _time_calls(call: Callable[[str], object], phrases: Sequence[str], rounds: int) -> list[float]:
    for phrase in phrases:  # warm-up
        call(phrase)
    samples: list[float] = []
    for _ in range(rounds):
        for phrase in phrases:
            start = time.perf_counter()
            call(phrase)
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def _ngrams(question: str, max_words: int) -> list[str]:
    words = question.split()
    return [
        " ".join(words[i : i + n])
        for i in range(len(words))
        for n in range(1, max_words + 1)
        if i + n <= len(words)
    ]


def _fresh(speller: Speller) -> Speller:
    speller._cache.clear()  # time the corrections themselves, not the cache
    return speller


def _report(name: str, samples: Sequence[float]) -> None:
    print(
        f"{name:<22} calls {len(samples):>6}   p50 {statistics.median(samples):7.3f} ms   "
        f"p99 {_percentile(samples, 0.99):7.3f} ms   max {max(samples):7.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    database = args.database or ensure_database(Path(tempfile.mkdtemp(prefix="oews-bench-")))
    vocab = Vocabulary.from_sqlite(database)
    print(
        f"vocabulary: {len(vocab.areas)} areas, {len(vocab.occupations)} occupations, "
        f"{len(vocab.industries)} industries"
    )
    builds = []
    for _ in range(5):
        start = time.perf_counter()
        resolver = EntityResolver(vocab)
        builds.append((time.perf_counter() - start) * 1000)
    print(f"construction           median {statistics.median(builds):.1f} ms (max {max(builds):.1f} ms)")
    _report("area()", _time_calls(resolver.area, AREAS, args.rounds))
    _report("occupation()", _time_calls(resolver.occupation, OCCUPATIONS, args.rounds))
    _report("industry()", _time_calls(resolver.industry, INDUSTRIES, args.rounds))
    _report("occupation() short", _time_calls(resolver.occupation, SHORT_FORMS, args.rounds))
    speller = resolver.speller(FILLER)
    _report(
        "speller (uncached)", _time_calls(lambda q: Speller.correct(_fresh(speller), q), TYPOS, args.rounds)
    )
    grams = [g for q in QUESTIONS for g in _ngrams(q, resolver.max_phrase_words)]
    _report("exact('area')", _time_calls(lambda p: resolver.exact("area", p), grams, args.rounds))
    _report("exact('occupation')", _time_calls(lambda p: resolver.exact("occupation", p), grams, args.rounds))
    _report("exact('industry')", _time_calls(lambda p: resolver.exact("industry", p), grams, args.rounds))


if __name__ == "__main__":
    main()
