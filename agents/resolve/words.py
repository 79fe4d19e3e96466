"""How people shorten and misspell words: abbreviations, initialisms of titles, typos.

General rules over the vocabularies, not lists of phrases:

- **Word abbreviations** ("mgr", "techs", "asst", "svc") are expanded word by word from the
  ``[words.abbreviations]`` table of ``aliases.toml``; a plural abbreviation ("mgrs") expands to
  the plural ("managers").  A word that is in no title and not in the table is read as the start
  of a title word ("surg" -> "surgical", "lab" -> "laboratory").  The expanded phrase is then
  looked up like any other, so a reading counts only when the whole phrase names something.
- **Initialisms** are generated from BLS titles: "Occupational Therapists" -> "OT" (and "OTs").
  They count only when typed in capitals, since many are words ("set", "ma").  When several
  occupations share one, the largest wins if it employs at least ``DOMINANT_RATIO`` times as
  many people as the next; otherwise the user is asked.
- **Typos in ordinary words** ("occupatons", "salery") are corrected to the nearest ordinary
  question word when no vocabulary word is as near, so a misspelled word is not reported as an
  unknown occupation or place.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice, product, takewhile

from rapidfuzz import process
from rapidfuzz.distance import OSA

from agents.resolve.entities import OCC_GROUP_DETAIL, Occupation

MAX_EXPANSIONS = 16
# A word read as the start of a title word: at least this long, and starting at most this many.
PREFIX_MIN_CHARS = 4  # three letters are often words ("the", "job")
PREFIX_MAX_WORDS = 6
DOMINANT_RATIO = 3.0
# Typos: words of at least TYPO_MIN_CHARS letters, one edit away (two would turn real words into
# others: "unemployment" is not "employment").
TYPO_MIN_CHARS = 5
TYPO_EDITS = 1
NAME_TYPO_MIN_CHARS = 7  # a longer unknown word with a vowel left out of one name word is that word
SWAP_MIN_CHARS = 5  # an unknown word with two letters of one name word swapped is that word
CACHE_SIZE = 10_000

_INITIALISM_SKIP = frozenset({"and", "of", "the", "or", "for", "in", "on", "to", "all", "other"})
_TOKEN = re.compile(r"[A-Za-z][A-Za-z']*")


class Abbreviations:
    """Expands abbreviated words of a normalized phrase: "hr mgrs" -> "hr managers"."""

    def __init__(
        self,
        table: Mapping[str, Sequence[str]],
        plural: Callable[[str], str],
        title_words: Iterable[str] = (),
    ) -> None:
        self._table = {k: tuple(v) for k, v in table.items()}
        self._plural = plural
        self._title_words = sorted(set(title_words))
        self._known = frozenset(self._title_words)
        self._seen: dict[str, tuple[str, ...]] = {}  # word -> its forms: words recur in every n-gram

    def _forms(self, word: str) -> tuple[str, ...]:
        forms = self._seen.get(word)
        if forms is None:
            if len(self._seen) >= CACHE_SIZE:
                self._seen.clear()
            forms = self._seen[word] = self._spelled_out(word)
        return forms

    def _spelled_out(self, word: str) -> tuple[str, ...]:
        if word in self._table:
            return self._table[word]
        if word.endswith("s") and word[:-1] in self._table:
            return tuple(self._plural(w) for w in self._table[word[:-1]])
        return self._completions(word)

    def _completions(self, word: str) -> tuple[str, ...]:
        """The title words that ``word`` starts ("surg" -> "surgeons", "surgical"), when it is not
        a title word itself and starts only a few."""
        if len(word) < PREFIX_MIN_CHARS or word in self._known or not word.isalpha():
            return ()
        start = bisect_left(self._title_words, word)
        starting = takewhile(lambda w: w.startswith(word), self._title_words[start:])
        found = list(islice(starting, PREFIX_MAX_WORDS + 1))
        return tuple(found) if len(found) <= PREFIX_MAX_WORDS else ()

    def expand(self, key: str) -> list[str]:
        """Every reading of a phrase of two or more words with its abbreviations spelled out (at
        most ``MAX_EXPANSIONS``), in table order; [] when nothing in it is abbreviated."""
        words = key.split()
        if len(words) < 2:
            return []
        options = [self._forms(w) or (w,) for w in words]
        if all(len(o) == 1 and o[0] == w for o, w in zip(options, words, strict=True)):
            return []
        return [" ".join(choice) for choice in islice(product(*options), MAX_EXPANSIONS)]


def initialism(base_title: str) -> str | None:
    """ "Physical Therapist Assistants" -> "pta"; None for titles that are lists, have a
    qualifier after a comma or name helpers of a trade, and for fewer than two or more than four
    words."""
    if "," in base_title or "(" in base_title or "--" in base_title:
        return None  # lists, qualified titles, "Helpers--Roofers"
    words = [w for w in re.split(r"[\s/-]+", base_title) if w and w.lower() not in _INITIALISM_SKIP]
    if not 2 <= len(words) <= 4:
        return None
    return "".join(w[0] for w in words).lower()


def typed_initialism(phrase: str) -> str | None:
    """ "OTs" / "PTA" / "RT's" -> "ot" / "pta" / "rt": a token typed in capitals, with an
    optional plural "s"; None for anything else ("ot", "Ots", "set")."""
    token = phrase.strip().replace("'", "").replace("’", "")
    if token.endswith("s") and not token.endswith("S"):
        token = token[:-1]
    if 2 <= len(token) <= 5 and token.isalpha() and token.isupper():
        return token.lower()
    return None


class Initialisms:
    """Initialisms of current detailed occupation titles -> the occupations they may mean."""

    def __init__(
        self,
        occupations: Iterable[Occupation],
        base: Callable[[str], str],
        skip: Iterable[str],
        everyday: Mapping[str, str] | None = None,
    ) -> None:
        found: dict[str, list[Occupation]] = {}
        headed: dict[str, list[Occupation]] = {}
        excluded = frozenset(skip)
        for occ in occupations:
            title = base(occ.title)
            letters = initialism(title)
            if letters and letters not in excluded:
                found.setdefault(letters, []).append(occ)
            if letters and len(letters) >= 3:  # "pt assistants": the last word spelled out
                head = re.split(r"[\s/-]+", title)[-1].lower()
                headed.setdefault(f"{letters[:-1]} {head}", []).append(occ)
        self._found = {k: _prefer(v) for k, v in found.items()}
        for letters, code in (everyday or {}).items():  # "PT": physical therapists first
            if letters in self._found:
                self._found[letters] = tuple(sorted(self._found[letters], key=lambda o: o.code != code))
        self._headed = {k: _prefer(v) for k, v in headed.items()}

    def get(self, letters: str) -> tuple[Occupation, ...]:
        return self._found.get(letters, ())

    def headed(self, phrase: str) -> tuple[Occupation, ...]:
        """ "pt assistants" -> Physical Therapist Assistants: the initialism of a title's first
        words, then its last word (typed in any case: the last word makes it a title)."""
        return self._headed.get(phrase, ())


def _prefer(occupations: list[Occupation]) -> tuple[Occupation, ...]:
    """The dominant occupation by employment, else all of them (largest first)."""
    ranked = sorted(occupations, key=lambda o: (-o.tot_emp, OCC_GROUP_DETAIL.get(o.o_group, 9), o.code))
    if len(ranked) == 1 or ranked[0].tot_emp >= DOMINANT_RATIO * max(ranked[1].tot_emp, 1):
        return (ranked[0],)
    return tuple(ranked)


class Speller:
    """Corrects misspelled ordinary words of a question ("occupatons" -> "occupations").

    ``ordinary`` are the words questions are made of (the parser's filler and signal words);
    ``known`` every word of every name in the vocabularies.  A word in neither is replaced by
    the ordinary word nearest to it (optimal string alignment distance, so a swap of two
    letters is one edit) when that one is unique and no known word is as near."""

    def __init__(self, ordinary: Iterable[str], known: Iterable[str]) -> None:
        self._ordinary = sorted({w for w in ordinary if w.isalpha() and len(w) >= TYPO_MIN_CHARS - 1})
        self._known = sorted(set(known) | set(self._ordinary))
        self._known_set = frozenset(self._known)
        self._cache: dict[str, str | None] = {}

    def correct(self, text: str) -> str:
        return _TOKEN.sub(lambda m: self._word(m.group(0)), text)

    def corrections(self, text: str) -> Iterator[tuple[str, str]]:
        for m in _TOKEN.finditer(text):
            fixed = self._word(m.group(0))
            if fixed != m.group(0):
                yield m.group(0), fixed

    def _word(self, word: str) -> str:
        lower = word.lower()
        if lower in self._known_set or not lower.isalpha():
            return word
        if len(lower) < TYPO_MIN_CHARS:  # short: only two letters swapped, typed in lower case ("mnay")
            if len(lower) != TYPO_MIN_CHARS - 1 or not word.islower():
                return word
            swapped = [w for w in self._ordinary if len(w) == len(lower) and sorted(w) == sorted(lower)]
            near = [w for w in swapped if OSA.distance(w, lower) == 1]
            return (near[0].capitalize() if word[0].isupper() else near[0]) if len(near) == 1 else word
        if lower not in self._cache:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[lower] = self._nearest(lower)
        fixed = self._cache[lower]
        return word if fixed is None else (fixed.capitalize() if word[0].isupper() else fixed)

    def _nearest(self, word: str) -> str | None:
        """The one ordinary word within ``TYPO_EDITS`` that no name word is as near to; else the
        one name word it is misspelled from (``_nearest_name_word``)."""
        ordinary = process.extract(
            word, self._ordinary, scorer=OSA.distance, score_cutoff=TYPO_EDITS, limit=2
        )
        if not ordinary:
            return self._nearest_name_word(word)
        if len(ordinary) > 1 and ordinary[1][1] == ordinary[0][1]:
            return None
        best, distance, _ = ordinary[0]
        near = process.extract(word, self._known, scorer=OSA.distance, score_cutoff=distance, limit=3)
        return None if any(choice != best for choice, _, _ in near) else best

    def _nearest_name_word(self, word: str) -> str | None:
        """The one name word this is with a vowel left out ("elementry", "teachrs") or two
        letters swapped ("gaurds"), for words long enough: "masters", "ranches", "atlantis" or
        "sunnydale" are words or places of their own, not "casters", "ranchers", "atlantic" or
        "sunnyvale"."""
        if len(word) < SWAP_MIN_CHARS:
            return None
        near = process.extract(word, self._known, scorer=OSA.distance, score_cutoff=1, limit=3)
        long = len(word) >= NAME_TYPO_MIN_CHARS
        found = [c for c, _, _ in near if _swapped(word, c) or (long and _a_vowel_left_out(word, c))]
        return found[0] if len(found) == 1 else None


def _a_vowel_left_out(typed: str, word: str) -> bool:
    return len(word) == len(typed) + 1 and any(
        word[i] in "aeiou" and word[:i] + word[i + 1 :] == typed for i in range(len(word))
    )


def _swapped(typed: str, word: str) -> bool:
    """ "gaurds": guards with two letters next to each other typed the other way round."""
    if len(word) != len(typed):
        return False
    i = next((k for k in range(len(word)) if word[k] != typed[k]), len(word))
    return i + 1 < len(word) and typed[i : i + 2] == word[i + 1] + word[i] and typed[i + 2 :] == word[i + 2 :]
