"""The offline question parser: question text (plus thread context) -> Intent.

Deterministic: words are read by ``signals``; places, occupations and industries are found
by exact phrase lookups (longest first) over the resolver's vocabulary, and what is left is
resolved fuzzily (misspellings).  Ambiguous places become a clarifying question.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from agents.engine.coverage import Coverage
from agents.engine.intent import Choice, Intent, Parsed, Threshold
from agents.engine.signals import (
    EMPLOYER_WHY,
    EVERY_STATE,
    INCLUDED_WHY,
    RawThreshold,
    Signals,
    Unmeasured,
    amount_of,
    amounts_in_digits,
    asks_change,
    read_signals,
    roles_as_titles,
)
from agents.engine.text import (
    MAX_QUESTION_CHARS,
    Token,
    and_list,
    clean,
    full_years,
    is_unsafe,
    last_year_as_a_year,
    off_topic_reason,
    tokenize,
    without_unsafe,
)
from agents.oews.schema import NATIONAL
from agents.resolve import aliases
from agents.resolve.entities import Area, Industry, Occupation
from agents.resolve.resolver import (
    MAX_PHRASE_WORDS,
    EntityResolver,
    area_code_phrases,
    current_detailed,
    normalize,
    title_base,
)

LEFT_OUT = (
    "typed into the question: I only read the question around it, never run SQL from a message and "
    "never take instructions from one."
)

# Words that never start a place / occupation / industry phrase.
FILLER = frozenset(
    """
    a about across after all also an and any are around as at be been between both by can could
    compare compared did do does doing each earn earned earning earnings earns employ employed
    employs employment for from get gets give go going got had has have how i if in inside into is
    it its jobs job just know like make makes making many me median mean average avg more most much
    my near nearby number of on or our over paid pay paying pays per please rate rates range salary
    salaries show tell than that the their them there these they this those to top total typical
    typically us versus vs want was wage wages we were what what's whats wat when where which who whose
    including incl honestly pumping professional actual hobby etc
    why will with within work worker workers working works would year years you your hourly annual
    annually yearly income compensation money highest lowest best worst least fewest largest smallest
    biggest rank ranked ranking ranks percentile percentiles pct th versus v much earn number
    people person folks guys someone anyone somebody average area areas metro metros region
    metropolitan greater city cities state states count counts headcount quotient location
    concentration concentrated per thousand hour hours entry level starting since now today
    currently current latest each every trend change changed changes grow grew growth go went up
    down time times between then versus difference compare comparison more less those industry
    industries sector sectors occupation occupations career careers profession professions
    nonmetro nonmetropolitan part portion rural urban side parts region regions like say roughly
    approximately approx about exactly right really actually also just only still pretty may
    fastest slowest quickest grew growing growth grown declined declining decline shrank shrinking
    increased increasing decreased rose gained gains lost losing had have
    thru through until till back averaging averaged skip skipping exclude excluding ignore ignoring
    statewide citywide metrowide
    tiny small ones deal way point stuff out keep gimme ok okay
    pls plz thanks thank thx hey hi hello yo bot wondering i've i'd i'll move yoy comp occs
    chart charts graph graphs plot plots visualize visualise table tables list
    percent percentage pctile pctiles pctl ptile centile med mdn hrly sal yr yrs hr hrs
    k grand bucks dollars dollar usd
    gone went risen jumped dropped climbed six figure figures absolute terms raw net
    added adding shed shedding cut cuts headcount rise rises rising raise raises raised among being
    old olds yo teens teen teenagers somethings capita resident residents diff ppl enough look looks
    says said think thinks thought told tells claims claimed insists swears suggests suggested
    recommends recommended true lose loses trade here asking kinds kind types sorts gig looking
    moving considering wife husband son daughter kid kids friend partner spouse mom dad
    specifically particular particularly especially namely mostly mainly need needs needed
    increase increases decrease decreases climbs shrink knows wants under above below
    quick q question heard hear scale end going bottom days still
    one two three four five six seven eight nine ten twenty together combined altogether
    kindly advise whether constitutes prudent wise sensible happened happen mine yours ours see stack
    so i'm im overall whole entire present moves plan bet call decision dying dead pursue study
    underpaid overpaid fair fairly own owner owners rig rigs operator operators run runs running laid
    off online loss losses usually myself
    wife's husband's son's daughter's kid's friend's partner's
    & counting ones share shares proportion fraction better worse higher lower reliable reliability
    estimate estimates accurate accuracy next coming decade
    good great bad decent solid worth worthwhile smart viable career path choice option field living
    become becoming be thinking considering should go get getting into outlook prospects prospect
    demand future thoughts thought opinion opinions advice idea ideas jump jumps jumped spike spiked
    soar soared surge surged climb climbed plunge plunged drop drops dropped biggest bump bumps bumped
    hike hikes hiked boost boosts boosted uptick
    about overview snapshot profile tell market markets how's hows yrly emp
    nah yeah yep nope lol tbh ngl idk imo fwiw btw gonna wanna gotta
    gender sex men women male female race racial ethnicity age ages aged older younger gap pay-gap
    black white hispanic latino latina latinos asian minority minorities fewer
    self self-employed employed freelance freelancers freelancing gig rideshare contractors contractor
    cost afford affordable rent housing live tax taxes take home purchasing power further wage
    projections projected outlook saturated oversaturated saturation automation happy satisfaction
    satisfied stress stressful enjoy
    company companies employer employers firm firms
    """.split()
)
# Single words that do name a place even though they look like filler.
# Words that never start a name.
_NEVER_FIRST = frozenset(
    """
    the a an in at for of to on by and or vs versus v what what's whats how much many do does did is
    are was were be me my i you your which who where when why can could would will please tell show
    give get there their they it its that this these those with from about like than make makes
    earn earns pay pays paid median mean average avg annual hourly salary salaries wage wages per
    since each every between typical typically around near within
    """.split()
)
# Words that never end a name (saves lookups; names may end in "workers", "state", "area"...).
_NEVER_LAST = frozenset({"the", "a", "an", "in", "at", "for", "of", "to", "on", "by", "and", "&", "or", "vs"})
# Full BLS titles can be long ("First-Line Supervisors of Office and Administrative Support Workers").
LONGEST_PHRASE = max(MAX_PHRASE_WORDS, 14)
PLACE_WORDS = frozenset({"us", "u.s", "usa", "national", "nationally", "nationwide", "america", "country"})
_INDUSTRY_CUE = frozenset({"in", "at", "for", "by"})
# The words that make a pay threshold a filter: "jobs (that are) paying (a median of) over $100k".
_FILTER_VERB = re.compile(
    r"\b((that|which|who)\s+)?(are\s+)?(pay|pays|paying|paid|make|makes|making|earn|earns|earning|with)"
    r"(\s+an?)?(\s+(median|mean|average|avg|typical))?(\s+(pay|wage|salary))?(\s+of)?\s*$"
)
_AREA_NOUNS = frozenset({"metro", "city", "county", "area", "nonmetro", "state", "town"})
_BUSINESS_NOUNS = frozenset(
    """firm firms company companies shop shops business businesses store stores service services provider
    providers contractor contractors agency agencies office offices plant plants factory factories maker
    makers manufacturer manufacturers dealer dealers dealership dealerships outfit outfits operation
    operations employer employers place places""".split()
)
_WORKPLACES = _BUSINESS_NOUNS | frozenset(
    "clinic clinics practice practices school schools program programs department center centers".split()
)
_NAICS_DIGITS = re.compile(r"\d{3,6}")
_LIST_WORDS = frozenset("vs versus v and or & in at for to with between plus".split())
_FIELD = re.compile(r"(ing|ology|omy|acy|istry|iatry|metry|apy|ics)$")
_GROUP_NOUNS = frozenset({"jobs", "job", "occupations", "careers", "roles", "positions", "workers"})
_WORKING = re.compile(r"\b(work(s|ing)?|employed|employ(s)?)\s+(in|at|for|by)\b")
_HELP = re.compile(r"^(help|\?|usage|examples?|what can you do\??|how do i use (you|this)\??|hi|hello|hey)$")


@dataclass(frozen=True)
class Mention:
    kind: str  # area | occupation | industry
    start: int
    end: int
    phrase: str
    entities: tuple[Any, ...]
    via: str = "exact"


class QuestionParser:
    def __init__(self, resolver: EntityResolver, coverage: Coverage) -> None:
        self._resolver = resolver
        self._coverage = coverage
        self._speller = resolver.speller(FILLER | _NEVER_FIRST | _NEGATION_WORDS)  # "occupatons", "salery"
        # words of job and industry names: an unknown phrase with one of them is not a place's name
        vocab = resolver.vocab
        names = [*(o.title for o in vocab.occupations), *(i.title for i in vocab.industries)]
        names += [*aliases.OCCUPATION_ALIASES, *aliases.INDUSTRY_ALIASES]
        self._job_words = frozenset(
            w for name in names for w in re.findall(r"[a-z]+", name.lower()) if len(w) > 2
        )
        self._current = current_detailed(vocab.occupations)  # what typed title words may name

    def parse(self, text: str, context: Intent | None = None) -> Parsed:
        cleaned = full_years(self._speller.correct(clean(text)))
        cleaned = roles_as_titles(amounts_in_digits(last_year_as_a_year(cleaned, self._coverage.latest)))
        lower = cleaned.lower()
        if not any(c.isalpha() for c in cleaned) or _HELP.match(lower.strip(" !.")):
            return Parsed(refusal_kind="help", refusal="")
        if len(cleaned) > MAX_QUESTION_CHARS:
            return Parsed(
                refusal_kind="out_of_scope",
                refusal=f"That question is too long ({len(cleaned):,} characters). Please ask in "
                f"under {MAX_QUESTION_CHARS} characters, e.g. “median pay for nurses in Ohio”.",
            )
        if is_unsafe(lower):
            return self._around_sql(cleaned, context, typed=clean(text))
        tokens = tokenize(self._postal_after_city(_postal_case(cleaned)))
        signals = self._titles_kept(tokens, read_signals(lower), lower)
        mentions, unknown = self._scan(tokens, signals, cleaned)
        mentions, unknown = self._all_other(mentions, unknown, tokens)
        mentions = self._repeated_as_industry(mentions)
        names_occupation = any(m.kind == "occupation" and m.via == "exact" for m in mentions)
        near_occupation = any(m.kind == "occupation" for m in mentions)  # "wind turbine technicians"
        lists = signals.threshold is not None
        if why := off_topic_reason(
            _without_names(lower, tokens, mentions, signals),
            names_occupation=names_occupation,
            near_occupation=near_occupation,
            lists_occupations=lists,
        ):
            return Parsed(refusal_kind="out_of_scope", refusal=why)
        everyone = self._resolver.exact("occupation", "00-0000")
        nation = self._resolver.exact("area", "nationally")
        if signals.ranking and signals.rank_target in (None, "occupation"):
            mentions = [self._as_their_group(m) for m in mentions]
        builder = _Builder(self._coverage, signals, mentions, unknown, lower, context)
        builder.families = self._families(mentions, signals, tokens)
        parsed = builder.build(
            all_occupations=everyone[0] if everyone else None, nation=nation[0] if nation else None
        )
        return self._industry_readings(parsed, mentions)

    def _repeated_as_industry(self, mentions: list[Mention]) -> list[Mention]:
        """ "laundry attendants … dry cleaners, hotels or nursing homes": a name of the occupation
        already read that is also an industry's is the industry (Drycleaning and Laundry Services)."""
        out: list[Mention] = []
        for m in mentions:
            earlier = any(o.kind == "occupation" and o.entities == m.entities for o in out)
            industry = (
                self._resolver.exact("industry", m.phrase) if m.kind == "occupation" and earlier else ()
            )
            out.append(Mention("industry", m.start, m.end, m.phrase, industry) if industry else m)
        return out

    def _all_other(
        self, mentions: list[Mention], unknown: list[str], tokens: list[Token]
    ) -> tuple[list[Mention], list[str]]:
        """ "underground mining machine operators, the 'all other' kind": a group named with "all
        other" is its "…, All Other" occupation."""
        said = any((a.lower, b.lower) == ("all", "other") for a, b in itertools.pairwise(tokens))
        groups = [
            m for m in mentions if m.kind == "occupation" and m.entities[0].o_group in ("broad", "minor")
        ]
        if not said or len(groups) != 1:
            return mentions, unknown
        group = groups[0].entities[0]
        prefix = group.code[: 6 if group.o_group == "broad" else 4]
        members = [o for o in self._current if o.code.startswith(prefix) and o.title.endswith(", All Other")]
        if len(members) != 1:
            return mentions, unknown
        found = replace(groups[0], entities=(members[0],), via="fuzzy")
        said_so = {"other", "kind", "bucket", "category", "type", "one", "ones"}  # "the 'all other' bucket"
        return [found if m is groups[0] else m for m in mentions], [
            u for u in unknown if not set(u.lower().split()) <= said_so
        ]

    def _postal_after_city(self, text: str) -> str:
        """ "auto techs columbus oh", "nurses portland me": a word-like postal code right after a
        city of that state is the state's code."""

        def upper(m: re.Match[str]) -> str:
            words, code = m.group(1).split(), m.group(2)
            if any(self._resolver.is_city_of(" ".join(words[-n:]), code.lower()) for n in range(1, 4)):
                return m.group(1) + code.upper()
            return m.group()

        return _POSTAL_AFTER_WORDS.sub(upper, text)

    def _around_sql(self, text: str, context: Intent | None, *, typed: str) -> Parsed:
        """SQL or an instruction typed into a question is never run or followed: the question around
        it is answered and the answer says what was left out; SQL or instructions alone are refused."""
        rest, _ = without_unsafe(text)
        if rest is None or is_unsafe(rest.lower()):
            return Parsed(refusal_kind="unsafe", refusal="")
        parsed = self.parse(rest, context)
        if parsed.intent is None:
            return parsed
        quoted = ", ".join(f"“{part}”" for part in without_unsafe(typed)[1]) or "the SQL or instructions"
        note = f"Not applied: {quoted}, {LEFT_OUT}"
        return replace(parsed, intent=parsed.intent.with_(notes=(*parsed.intent.notes, note)))

    def _titles_kept(self, tokens: list[Token], signals: Signals, lower: str) -> Signals:
        """ "licensed practical nurses", "certified nursing assistants": a qualifier OEWS does not
        measure that begins an occupation's title is part of the title."""
        kept: list[Unmeasured] = []
        for u in signals.unmeasured:
            spans = tuple(span for span in u.spans if not self._starts_title(tokens, span))
            if spans:
                typed = "”, “".join(dict.fromkeys(lower[a:b].strip() for a, b in spans))
                kept.append(u if spans == u.spans else replace(u, typed=typed, spans=spans))
        return replace(signals, unmeasured=tuple(kept))

    def _starts_title(self, tokens: list[Token], span: tuple[int, int]) -> bool:
        first = next((k for k, t in enumerate(tokens) if t.start >= span[0]), None)
        if first is None:
            return False
        m = self._longest_exact(tokens, first, [False] * len(tokens))
        return m is not None and m.kind == "occupation" and tokens[m.end - 1].end > span[1]

    def _families(
        self, mentions: list[Mention], signals: Signals, tokens: list[Token]
    ) -> dict[str, tuple[Occupation, ...]]:
        """ "which nurse jobs pay the most", "how many nurse jobs pay over $80k": in a question ranking
        or listing occupations, the occupations with the words of a detailed occupation's name in
        their titles (``family``)."""
        ranks = signals.ranking and (signals.names_occupations or signals.growth)  # "which nurses got …"
        if signals.rank_target not in (None, "occupation") or not (ranks or signals.threshold):
            return {}
        families = {
            m.phrase: self._resolver.family(m.entities[0], m.phrase)
            for m in mentions
            if m.kind == "occupation"
            and len(m.entities) == 1
            and m.entities[0].o_group == "detailed"
            and (ranks or (m.end < len(tokens) and tokens[m.end].lower in _GROUP_NOUNS))  # "nurse jobs"
        }
        for word, after in itertools.pairwise(tokens):  # "technician jobs": a noun no one title owns
            if after.lower in _GROUP_NOUNS and (family := self._resolver.titles_with_noun(word.text)):
                families.setdefault(word.text, family)
        return families

    def _as_their_group(self, m: Mention) -> Mention:
        """ "which counselor occupations grew fastest": a name several occupations share, in a
        question that ranks occupations, is the group that holds them all (21-1010 Counselors)."""
        if m.kind != "occupation" or len(m.entities) < 2:
            return m
        common = _common_prefix([o.code for o in m.entities])
        for size in (6, 4):  # the broad group (21-1010), then the minor one (21-1000)
            code = common[:size].ljust(7, "0") if len(common) >= size else ""
            group = self._resolver.by_code("occupation", code) if code else None
            if isinstance(group, Occupation) and group.o_group in ("broad", "minor"):
                return Mention("occupation", m.start, m.end, m.phrase, (group,), m.via)
        return m

    def _industry_readings(self, parsed: Parsed, mentions: list[Mention]) -> Parsed:
        """ "mining": the Mining sector (NAICS 21) is read, and the caveat names the narrower
        Mining (except Oil and Gas), NAICS 212000, which the word also names."""
        if parsed.intent is None or not parsed.intent.industries:
            return parsed
        notes = list(parsed.intent.notes)
        for m in mentions:
            chosen = m.entities[0] if m.kind == "industry" else None
            if chosen not in parsed.intent.industries:
                continue
            others = [_industry_title(i.title) for i in self._resolver.other_industries(m.phrase, chosen)]
            if others:
                also = " or ".join(others[:2])
                notes.append(
                    f"Read “{m.phrase}” as {_industry_title(chosen.title)} (NAICS {chosen.naics}); it can "
                    f"also mean {also}: ask again with the full name."
                )
        if len(notes) == len(parsed.intent.notes):
            return parsed
        return replace(parsed, intent=parsed.intent.with_(notes=tuple(notes)))

    # -- finding entities -------------------------------------------------------------------

    def _scan(self, tokens: list[Token], signals: Signals, text: str) -> tuple[list[Mention], list[str]]:
        if signals.asides:  # "electrician here - …": who asks, unless nothing else is named
            skipped = (*signals.speakers, *signals.asides)
            mentions, unknown = self._scan_outside(tokens, signals, skipped, text)
            if any(m.kind == "occupation" for m in mentions) or signals.threshold or signals.ranking:
                return mentions, unknown
        mentions, unknown = self._scan_outside(tokens, signals, signals.speakers, text)
        if signals.speakers and not any(m.kind == "occupation" for m in mentions) and _ABOUT_ME.search(text):
            # "i run my own landscaping business … what do self-employed guys like me make": the trade
            return self._scan_outside(tokens, signals, (), text)
        return mentions, unknown

    def _scan_outside(
        self,
        tokens: list[Token],
        signals: Signals,
        skipped: tuple[tuple[int, int], ...],
        text: str,
    ) -> tuple[list[Mention], list[str]]:
        spans = [span for u in signals.unmeasured for span in u.spans]
        spans += [signals.threshold.span] if signals.threshold else []
        spans += skipped
        used = [t.lower in signals.year_tokens or any(a <= t.start < b for a, b in spans) for t in tokens]
        mentions = self._coded_industries(tokens, used, text) + self._slash_groups(tokens, used, text)
        mentions += self._groups_by_words(tokens, used, text) + self._slash_industries(tokens, used, text)
        mentions += self._shared_heads(tokens, used, text)
        i = 0
        while i < len(tokens):
            listing = (
                bool(mentions) and mentions[-1].kind == "industry" and _joined(tokens[mentions[-1].end : i])
            )
            # "truck drivers in trucking": after a job and "in", a name is an industry first
            listing |= (
                i > 0
                and tokens[i - 1].lower in ("in", "at")
                and any(m.kind == "occupation" for m in mentions)
            )
            found = None if used[i] else self._longest_exact(tokens, i, used, listing=listing)
            if found is None:
                i += 1
                continue
            mentions.append(found)
            i = _except_clause(tokens, found)
            for k in range(found.start, i):
                used[k] = True
        unknown = self._resolve_leftovers(tokens, used, mentions)
        mentions = _industries_in_titles(sorted(mentions, key=lambda m: m.start), tokens)
        mentions, unknown = _negated(mentions, unknown, tokens)  # "not the airlines", "excluding alaska"
        mentions, unknown = _employers(mentions, unknown, tokens)
        if signals.ranking and signals.rank_target in (None, "state"):
            mentions = [self._excluded_state(m, tokens) for m in mentions]
        mentions, unknown = _glosses(mentions, unknown, tokens, text)
        mentions = self._listed_states(mentions, tokens)
        mentions = self._postal_states(_merge_industry_words(_merge_qualifiers(mentions, tokens)))
        mentions, unknown = _misspelled_elsewhere(mentions, unknown)
        return _training_schools(_shorter_names_dropped(mentions), unknown, tokens)

    def _coded_industries(self, tokens: list[Token], used: list[bool], text: str) -> list[Mention]:
        """ "advertising/PR (5418)": a NAICS code in parentheses names the words before it."""
        found: list[Mention] = []
        for k, token in enumerate(tokens):
            if used[k] or not _NAICS_DIGITS.fullmatch(token.text) or not _in_parentheses(text, token):
                continue
            industries = self._resolver.exact("industry", f"NAICS {token.text}")
            if not industries:
                continue
            start = k
            while start > max(0, k - 4) and _names_on(tokens, start - 1, used, text, last=start == k):
                start -= 1  # its name as typed, back to "vs", "and", "in", a comma or a colon
            phrase = text[tokens[start].start : token.end + 1]
            found.append(Mention("industry", start, k + 1, phrase, industries))
            used[start : k + 1] = [True] * (k + 1 - start)
        return found

    def _slash_groups(self, tokens: list[Token], used: list[bool], text: str) -> list[Mention]:
        """ "arts/design/entertainment/media occupations": words joined by slashes that are all in
        the title of one occupation group, or that each name the same group ("teaching/education
        jobs")."""
        found: list[Mention] = []
        slashes = _slashes(text, tokens)
        start = 0
        while start < len(tokens):
            end = start + 1
            while end - 1 in slashes and end < len(tokens):
                end += 1
            group = (
                self._slash_group(tokens, start, end)
                if end - start > 1 and not self._names_a_business(tokens, end)
                else None
            )
            if not any(used[start:end]) and group is not None:
                end += end < len(tokens) and tokens[end].lower in _GROUP_NOUNS
                found.append(
                    Mention(
                        "occupation", start, end, text[tokens[start].start : tokens[end - 1].end], (group,)
                    )
                )
                used[start:end] = [True] * (end - start)
            start = end
        return found

    def _names_a_business(self, tokens: list[Token], end: int) -> bool:
        """ "elementary/secondary schools": the list's last word and the next name an industry."""
        if end >= len(tokens) or tokens[end].lower in _GROUP_NOUNS:
            return False
        return bool(self._resolver.exact("industry", f"{tokens[end - 1].text} {tokens[end].text}"))

    def _groups_by_words(self, tokens: list[Token], used: list[bool], text: str) -> list[Mention]:
        """ "building cleaning and grounds maintenance jobs": words joined by "and" before a group
        noun that are all in one group's title (Building and Grounds Cleaning and Maintenance
        Occupations), rather than two smaller groups; two words for a major group."""
        found: list[Mention] = []
        for end, token in enumerate(tokens):
            if token.lower not in _GROUP_NOUNS:
                continue
            for start in range(max(0, end - 6), end - 2):
                span = tokens[start:end]
                words = [t.lower for t in span if t.lower not in ("and", "&", "n", "+")]
                signs = any(c in text[a.end : b.start] for a, b in itertools.pairwise(span) for c in "&+/")
                if any(used[start : end + 1]) or (len(words) == len(span) and not signs) or len(words) < 2:
                    continue
                group = self._resolver.group_with_words(words)
                phrase = text[tokens[start].start : token.end]
                if self._resolver.exact("occupation", phrase) or _ALL_OTHER.match(text, token.end):
                    continue  # "maint & repair workers", "… support workers, all other": an occupation
                if group is not None and (len(words) >= 3 or group.o_group == "major"):
                    # two words name a major group ("business and financial jobs"); a smaller one
                    # needs three ("sales and marketing jobs" may be two groups)
                    found.append(Mention("occupation", start, end + 1, phrase, (group,)))
                    used[start : end + 1] = [True] * (end + 1 - start)
                    break
        return found

    def _slash_industries(self, tokens: list[Token], used: list[bool], text: str) -> list[Mention]:
        """ "hvac/plumbing/electrical contractors": each word with the business noun after the list
        names an industry (here all one: Building Equipment Contractors)."""
        found: list[Mention] = []
        slashes = _slashes(text, tokens)
        for noun_at, noun in enumerate(tokens):
            first = noun_at - 1
            while first - 1 in slashes:
                first -= 1
            named_by = noun.lower in _BUSINESS_NOUNS or self._names_a_business(tokens, noun_at)
            if not named_by or first >= noun_at - 1 or any(used[first : noun_at + 1]):
                continue
            named = [self._resolver.exact("industry", f"{t.text} {noun.text}") for t in tokens[first:noun_at]]
            if all(len(n) == 1 for n in named):
                phrase = text[tokens[first].start : noun.end]
                industries = list(dict.fromkeys(n[0] for n in named))
                parent = self._common_parent(industries)  # listed together: the industry holding them
                found.extend(
                    Mention("industry", first, noun_at + 1, phrase, (i,)) for i in parent or industries
                )
                used[first : noun_at + 1] = [True] * (noun_at + 1 - first)
        return found

    def _common_parent(self, industries: list[Industry]) -> list[Industry]:
        """The one industry whose NAICS code holds all of several 6-digit codes (238210 and 238220:
        238200 Building Equipment Contractors), or none."""
        codes = [i.naics for i in industries]
        if len(codes) < 2 or not all(c.isdigit() and len(c) == 6 for c in codes):
            return []
        common = _common_prefix(codes)
        parent = self._resolver.by_code("industry", common.ljust(6, "0")) if len(common) >= 3 else None
        return [parent] if isinstance(parent, Industry) else []

    def _slash_group(self, tokens: list[Token], start: int, end: int) -> Occupation | None:
        words = [t.lower for t in tokens[start:end]]
        if (group := self._resolver.group_with_words(words)) is not None:
            return group
        noun = tokens[end].lower if end < len(tokens) and tokens[end].lower in _GROUP_NOUNS else "jobs"
        each = {self._resolver.exact("occupation", f"{w} {noun}") for w in words}
        named = next(iter(each)) if len(each) == 1 else ()
        return named[0] if len(named) == 1 and named[0].o_group in ("major", "minor") else None

    def _shared_heads(self, tokens: list[Token], used: list[bool], text: str) -> list[Mention]:
        """Two names sharing their last words: "truck and bus drivers" names truck drivers (bus
        drivers are found as usual), "medical records/coding specialists" one occupation, and
        "transportation/material moving jobs" is read with the slash as "and"."""
        found: list[Mention] = []
        joins = [(k, k + 1, False) for k, t in enumerate(tokens) if t.lower in ("and", "or", "&")]
        slashes = sorted(_slashes(text, tokens))
        for a_end, b_start, slash in [*joins, *((k + 1, k + 1, True) for k in slashes)]:
            if not (a_end > 0 and b_start < len(tokens)) or any(used[a_end - 1 : b_start + 1]):
                continue
            if self._crossing(tokens, a_end, b_start, used):
                continue  # a name that holds the "and" ("transportation and material moving jobs")
            mention = self._head_shared(tokens, a_end, b_start, slash)
            if mention is not None:
                found.append(mention)
                used[mention.start : mention.end] = [True] * (mention.end - mention.start)
        return found

    def _crossing(self, tokens: list[Token], a_end: int, b_start: int, used: list[bool]) -> bool:
        starts = range(max(0, a_end - 3), a_end)
        return any((m := self._longest_exact(tokens, s, used)) and m.end > b_start for s in starts)

    def _head_shared(self, tokens: list[Token], a_end: int, b_start: int, slash: bool) -> Mention | None:
        for s in range(max(0, a_end - 3), a_end):
            first = " ".join(t.text for t in tokens[s:a_end])
            if self._resolver.exact("occupation", first):
                continue  # "nurses and electricians": two names already
            for e in range(min(len(tokens), b_start + 4), b_start, -1):
                second = " ".join(t.text for t in tokens[b_start:e])
                both = self._resolver.exact("occupation", f"{first} and {second}") if slash else ()
                if both:
                    return Mention("occupation", s, e, f"{first}/{second}", both)
                for j in range(b_start + 1, e):
                    phrase = f"{first} {' '.join(t.text for t in tokens[j:e])}"
                    if entities := self._resolver.exact("occupation", phrase):
                        return Mention("occupation", s, e if slash else a_end, phrase, entities)
        return None

    def _listed_states(self, mentions: list[Mention], tokens: list[Token]) -> list[Mention]:
        """ "philadelphia, new jersey and delaware": a metro read with a state it reaches into,
        in a list of places that goes on, is the metro and that state (as ``_merge_qualifiers``
        keeps them apart)."""
        split: list[Mention] = []
        for k, m in enumerate(mentions):
            parts = self._metro_then_state(m, tokens) if _list_goes_on(mentions[k + 1 :], m, tokens) else None
            split.extend(parts or [m])
        return split

    def _metro_then_state(self, m: Mention, tokens: list[Token]) -> list[Mention] | None:
        if m.kind != "area" or len(m.entities) != 1 or m.entities[0].kind != "metro":
            return None
        for cut in range(m.end - 1, m.start, -1):
            first, second = _typed(tokens, m.start, cut), _typed(tokens, cut, m.end)
            state = self._resolver.exact("area", second)
            if (
                len(state) == 1
                and state[0].kind == "state"
                and self._resolver.exact("area", first) == m.entities
            ):
                if state[0].state == m.entities[0].state:
                    return None  # "Portland, Oregon": the metro's own state qualifies it
                return [
                    Mention("area", m.start, cut, first, m.entities),
                    Mention("area", cut, m.end, second, state),
                ]
        return None

    def _excluded_state(self, m: Mention, tokens: list[Token]) -> Mention:
        """ "states … except DC": a postal code left out of a ranking of states is the state, even
        where the code alone names a metro."""
        state = self._resolver.state_of_postal(_postal_of(tokens[m.end - 1].text))
        if m.kind != "excluded" or state is None or state in m.entities:
            return m
        return replace(m, entities=(*m.entities, state))

    def _postal_states(self, mentions: list[Mention]) -> list[Mention]:
        """ "dc vs maryland": beside another state, a state's postal code means the state, even
        where the code alone names a metro ("dc" is the Washington metro)."""
        places = [m for m in mentions if m.kind == "area"]
        if len(places) < 2:
            return mentions
        fixed = []
        for m in mentions:
            state = self._resolver.state_of_postal(_postal_of(m.phrase)) if m in places else None
            others = [p for p in places if p is not m]
            beside_states = all(any(a.kind == "state" for a in p.entities) for p in others)
            if state is not None and beside_states and state not in m.entities:
                m = Mention("area", m.start, m.end, m.phrase, (state,), m.via)
            fixed.append(m)
        return fixed

    def _longest_exact(
        self, tokens: list[Token], i: int, used: list[bool], *, listing: bool = False
    ) -> Mention | None:
        if (state := self._postal_beside_a_state(tokens, i)) is not None:
            return Mention("area", i, i + 1, tokens[i].text, (state,))  # "LPNs ny vs pa": Pennsylvania
        if (job := self._initialism_after_article(tokens, i)) is not None:
            return job  # "what does a PA make": Physician Assistants, not Pennsylvania
        shortest = _shortest_name(tokens, i)
        if shortest is None:
            return None
        for length in range(min(LONGEST_PHRASE, len(tokens) - i), shortest - 1, -1):
            span = tokens[i : i + length]
            if any(used[i : i + length]) or (length > 1 and span[-1].lower in _NEVER_LAST):
                continue
            phrase = " ".join(t.text for t in span)
            if listing and length == 1 and _NAICS_DIGITS.fullmatch(phrase):
                phrase = f"NAICS {phrase}"  # "NAICS 522 vs 523 vs 524": each a NAICS code
            for kind in (
                ("industry", "area", "words", "occupation") if listing else self._kind_order(tokens, i)
            ):
                entities = self._exact(kind, phrase, span)
                if entities and not (kind == "occupation" and _field_before_workplace(tokens, i + length)):
                    return _found(kind, i, i + length, phrase, entities)
            if group := self._group_after_noun(tokens, i, phrase):
                return Mention("occupation", i, i + length, phrase, group)
        return None

    def _initialism_after_article(self, tokens: list[Token], i: int) -> Mention | None:
        """After "a"/"an", a short word whose plural names an occupation ("PAs") is one of
        them, unless a place word follows ("a PA metro")."""
        word = tokens[i].text
        if i == 0 or tokens[i - 1].lower not in ("a", "an") or not (word.isalpha() and 2 <= len(word) <= 4):
            return None
        if i + 1 < len(tokens) and tokens[i + 1].lower in _AREA_NOUNS:
            return None
        found = self._resolver.exact("occupation", f"{word}s")
        return Mention("occupation", i, i + 1, word, found) if found else None

    def _postal_beside_a_state(self, tokens: list[Token], i: int) -> Area | None:
        """A postal code that is also a word ("pa", "in", "me") names its state when it is set
        beside another state: "ny vs pa", "pa or oh"."""
        if tokens[i].lower not in aliases.WORD_POSTAL_CODES:
            return None
        for step in (-1, 1):
            j, k = i + step, i + 2 * step
            if 0 <= k < len(tokens) and tokens[j].lower in _SEPARATES_PLACES - {"to", "with", "and"}:
                other = self._resolver.exact_postal(tokens[k].text) or self._resolver.exact(
                    "area", tokens[k].text
                )
                if any(a.kind == "state" for a in other):
                    return self._resolver.state_of_postal(tokens[i].text)
        return None

    def _group_after_noun(self, tokens: list[Token], i: int, phrase: str) -> tuple[Any, ...]:
        """ "jobs in healthcare support": an occupation group named after its noun (an industry
        of the same name, "jobs in construction", stays the industry)."""
        before = [t.lower for t in tokens[max(0, i - 2) : i]]
        if len(before) < 2 or before[1] not in _INDUSTRY_CUE or before[0] not in _GROUP_NOUNS:
            return ()
        return self._resolver.exact("occupation", f"{phrase} jobs")

    def _exact(self, kind: str, phrase: str, span: Sequence[Token]) -> tuple[Any, ...]:
        if kind == "words":  # "bakers at bakeries": the industry titled so, not the bakers again
            words = [t.lower for t in span if t.lower not in _BUSINESS_NOUNS | FILLER]
            distinct = len(set(words)) == len(span)  # every word typed once: not across "paper mills/paper …"
            short = len(words) == 1 and len(words[0]) <= 3  # "in new jersy": not News Dealers
            industry = self._resolver.industry_with_words(words) if distinct and not short else None
            return (industry,) if industry is not None else ()
        if kind == "area" and len(span) == 1 and len(span[0].text) == 2:
            found = self._resolver.exact_postal(span[0].text)
            states = tuple(a for a in found if a.kind in ("state", "territory"))
            return states or found  # a typed postal code is the state ("NY"), not the metro
        if kind == "area":
            return self._resolver.exact("area", phrase)
        if kind == "occupation":
            return self._resolver.exact("occupation", phrase)
        return self._resolver.exact("industry", phrase)

    def _kind_order(self, tokens: list[Token], i: int) -> tuple[str, ...]:
        before = " ".join(t.lower for t in tokens[max(0, i - 2) : i])
        if _WORKING.search(before + " "):
            return ("industry", "area")
        return ("area", "occupation", "industry")

    def _resolve_leftovers(self, tokens: list[Token], used: list[bool], mentions: list[Mention]) -> list[str]:
        unknown: list[str] = []
        for start, end in _leftover_spans(tokens, used):
            phrase = " ".join(t.text for t in tokens[start:end])
            if self._of_an_industry(tokens, start, end, mentions) or _in_the_title(
                tokens, start, end, mentions
            ):
                continue  # "oil field roustabouts": Roustabouts, Oil and Gas
            if self._misspelled_tail(tokens, start, end, mentions):
                continue  # "nurse practioners": one misspelled title, not "nurse" and a stray word
            if self._narrows_a_group(tokens, start, end, mentions):
                continue  # "wastewater plant operators": the one plant operator title with it
            if (
                end - start == 1
                and tokens[start].lower in _WORKPLACES
                and _right_after_occupation(start, mentions)
            ):
                continue  # "their own house cleaning business": the people of the trade
            if end - start == 1 and self._split_title(tokens[start], mentions):
                continue  # "a real estate license … becoming an agent": real estate agents
            after_preposition = _after_preposition(tokens, start)
            mention = self._fuzzy(phrase, start, end, mentions, after_preposition)
            mention = mention or self._industry_by_words(tokens, start, end, mentions)
            mention = mention or self._occupation_by_words(tokens, start, end)
            if mention is None and (tail := self._known_tail(tokens, start, end)) is not None:
                mention = tail  # "zorblat welders": welders, and "zorblat" reported as not understood
                phrase = " ".join(t.text for t in [*tokens[start : tail.start], *tokens[tail.end : end]])
                after_preposition = False
            if mention:
                mentions.append(mention)
            if (mention is None or mention.start > start) and len(phrase) >= 3:
                unknown.append(self._unknown(tokens, start, end, phrase, after_preposition))
        return unknown

    def _unknown(self, tokens: list[Token], start: int, end: int, phrase: str, after: bool) -> str:
        """An unknown name after "in" is a place that was not found, named whole ("in dodge city");
        after "at", maybe an employer."""
        place = after and not _after_at(tokens, start) and _ends_place(tokens, end)
        if not place or any(t.lower in self._job_words for t in tokens[start:end]):
            return phrase
        if end < len(tokens) and tokens[end].lower in ("city", "town", "county"):
            phrase = f"{phrase} {tokens[end].text}"
        return f"in {phrase}"

    def _occupation_by_words(self, tokens: list[Token], start: int, end: int) -> Mention | None:
        """ "ophthalmic techs", "powerhouse electrical repairers": two or more words all in the
        titles of at most three current occupations, the last one their job noun; the one with
        the most jobs first (the others are named as other readings). A job noun of the filler
        words right after them ("paper goods machine operators") is their last word."""
        if end < len(tokens) and tokens[end].lower in _FILLER_JOB_NOUNS:
            end += 1
        span = [t for t in tokens[start:end] if t.lower not in FILLER or t.lower in _FILLER_JOB_NOUNS]
        if len(span) < 2:
            return None
        found = sorted(
            (
                o
                for o in self._current
                if _all_in_title(span, o.title) and _names_a_job_noun(span[-1].lower, o.title)
            ),
            key=lambda o: -o.tot_emp,
        )
        if not found or len(found) > 3:
            return None
        phrase = " ".join(t.text for t in tokens[start:end])
        return Mention("occupation", start, end, phrase, tuple(found), "fuzzy")

    def _narrows_a_group(self, tokens: list[Token], start: int, end: int, mentions: list[Mention]) -> bool:
        """Words typed right before an occupation that are in the title of exactly one occupation
        with the words of the mention too (of the group, when the mention is a group): the mention
        becomes that occupation ("wastewater plant operators": Water and Wastewater Treatment Plant
        and System Operators, not Plant and System Operators; "boat mechanic": Motorboat Mechanics
        and Service Technicians, not Automotive Service Technicians and Mechanics)."""
        m = next((m for m in mentions if m.kind == "occupation" and m.start == end), None)
        if m is None or len(m.entities) != 1:
            return False
        group = m.entities[0].o_group != "detailed"
        prefix = m.entities[0].code.rstrip("0") if group else ""
        fitting = [
            o
            for o in self._current
            if o.code.startswith(prefix)
            and _all_in_title(tokens[start:end], o.title)
            and (group or _all_in_title(tokens[m.start : m.end], o.title))
        ]
        if len(fitting) != 1 or fitting[0] in m.entities:
            return False
        phrase = " ".join(t.text for t in tokens[start : m.end])
        mentions[mentions.index(m)] = Mention("occupation", start, m.end, phrase, (fitting[0],), "fuzzy")
        return True

    def _of_an_industry(self, tokens: list[Token], start: int, end: int, mentions: list[Mention]) -> bool:
        """Words that belong to an industry's name as typed (its mention grows, or one is added)."""
        beside_industry = any(m.kind == "industry" and (m.start == end or m.end == start) for m in mentions)
        if beside_industry and all(t.lower in _BUSINESS_NOUNS for t in tokens[start:end]):
            return True  # "tax prep firms", "trucking outfits"
        if (shared := self._shared_industry_head(tokens, start, end, mentions)) is not None:
            mentions.append(shared)  # "residential vs nonresidential building construction"
            return True
        # "farm machinery wholesalers": the industry whose title has every word
        return beside_industry and self._narrower_industry(tokens, start, end, mentions)

    def _shared_industry_head(
        self, tokens: list[Token], start: int, end: int, mentions: list[Mention]
    ) -> Mention | None:
        """Words before "vs"/"or"/"and" that name an industry with the last words of the industry
        after it: "residential vs nonresidential building construction"."""
        if end + 1 >= len(tokens) or tokens[end].lower not in _SEPARATES_PLACES | {"&", "versus"}:
            return None
        after = next((m for m in mentions if m.kind == "industry" and m.start == end + 1), None)
        if after is None:
            return None
        words = " ".join(t.text for t in tokens[start:end])
        tail = after.phrase.split()
        for k in range(1, len(tail)):
            phrase = f"{words} {' '.join(tail[k:])}"
            if found := self._resolver.exact("industry", phrase):
                return Mention("industry", start, end, phrase, found, "fuzzy")
        return None

    def _narrower_industry(self, tokens: list[Token], start: int, end: int, mentions: list[Mention]) -> bool:
        """A word beside an industry that, with it, names one narrower industry ("farm machinery
        wholesalers"), or alone names one inside it ("scheduled airlines": Scheduled Air
        Transportation, inside Air Transportation); the mention grows."""
        m = next(m for m in mentions if m.kind == "industry" and (m.start == end or m.end == start))
        lo, hi = min(start, m.start), max(end, m.end)
        narrower = self._resolver.industry_with_words([t.lower for t in tokens[lo:hi]])
        if narrower is None:
            alone = self._resolver.industry_with_words([t.lower for t in tokens[start:end]])
            inside = alone is not None and alone.naics.startswith(m.entities[0].naics.rstrip("0"))
            narrower = alone if inside else None
        if narrower is None or narrower in m.entities:
            return False
        phrase = " ".join(t.text for t in tokens[lo:hi])
        mentions[mentions.index(m)] = Mention("industry", lo, hi, phrase, (narrower,), via="fuzzy")
        return True

    def _industry_by_words(
        self, tokens: list[Token], start: int, end: int, mentions: list[Mention]
    ) -> Mention | None:
        """ "welders in shipbuilding vs truck trailer / vehicle body manufacturing", "graphic
        designers at ad agencies vs print shops": beside another industry, or after "at" with a
        job named, the industry whose title has (nearly) every word."""
        beside = any(m.kind == "industry" for m in mentions) or (
            start > 0 and tokens[start - 1].lower == "at" and any(m.kind == "occupation" for m in mentions)
        )
        words = [t.lower for t in tokens[start:end] if t.lower not in _BUSINESS_NOUNS | FILLER]
        industry = self._resolver.industry_with_words(words, spare=True) if beside else None
        if industry is None:
            return None
        return Mention(
            "industry", start, end, " ".join(t.text for t in tokens[start:end]), (industry,), "fuzzy"
        )

    def _split_title(self, noun: Token, mentions: list[Mention]) -> bool:
        """A lone job noun that, after an industry named earlier, names one occupation: the
        industry mention becomes that occupation (when no occupation is named otherwise)."""
        if noun.lower not in self._job_words or any(m.kind == "occupation" for m in mentions):
            return False
        for k, m in enumerate(mentions):
            joined = f"{m.phrase} {noun.text}"
            found = self._resolver.exact("occupation", joined) if m.kind == "industry" else ()
            if len(found) == 1:
                phrase = f"{m.phrase} … {noun.text}"
                mentions[k] = Mention("occupation", m.start, m.end, phrase, found, "fuzzy")
                return True
        return False

    def _misspelled_tail(self, tokens: list[Token], start: int, end: int, mentions: list[Mention]) -> bool:
        """An unknown word right after (or before) an exact occupation, read together as one
        misspelled title when that names another occupation unambiguously ("nurse practioners",
        "fysical therapists"); the mention is replaced."""
        beside = next(
            (m for m in mentions if m.kind == "occupation" and (m.end == start or m.start == end)), None
        )
        if beside is None or end - start > 2:
            return False
        first, last = min(start, beside.start), max(end, beside.end)
        phrase = " ".join(t.text for t in tokens[first:last])
        exact = self._resolver.exact("occupation", phrase)  # "maintenance/repair helpers"
        resolution = self._resolver.occupation(phrase)
        if len(exact) != 1 and (not resolution.found or resolution.ambiguous):
            return False
        best = exact[0] if len(exact) == 1 else resolution.best
        via = "fuzzy"
        if beside.entities == (best,):  # "animal control officers": another job noun, same job
            job_noun = (
                end - start == 1
                and beside.end == start
                and self._resolver.titles_with_noun(phrase.split()[-1])
            )
            if not job_noun:
                return False
            via = beside.via
        mentions[mentions.index(beside)] = Mention("occupation", first, last, phrase, (best,), via)
        return True

    def _known_tail(self, tokens: list[Token], start: int, end: int) -> Mention | None:
        """The longest part of an unknown phrase that names an occupation exactly, its end first
        ("zorblat welders"), then anywhere ("whether physical therapy constitutes")."""
        spans = [(first, end) for first in range(start + 1, end)]
        spans += sorted(
            ((a, b) for a in range(start, end) for b in range(a + 1, min(end, a + LONGEST_PHRASE + 1))),
            key=lambda span: span[0] - span[1],
        )
        for first, last in spans:
            phrase = " ".join(t.text for t in tokens[first:last])
            found = self._resolver.exact("occupation", phrase)
            if found and not _field_before_workplace(tokens, last):
                return Mention("occupation", first, last, phrase, found)
        noun = self._resolver.occupation(tokens[end - 1].text)  # "amazon drivers": drivers
        if end - start > 1 and noun.matches and noun.matches[0].via == "shared":
            return Mention("occupation", end - 1, end, tokens[end - 1].text, noun.entities)
        return None

    def _fuzzy(
        self, phrase: str, start: int, end: int, mentions: list[Mention], after_preposition: bool
    ) -> Mention | None:
        has_occupation = any(m.kind == "occupation" for m in mentions)
        has_area = any(m.kind == "area" for m in mentions)
        if has_occupation and has_area and not after_preposition:
            return None
        order = ["occupation", "area"] if not has_occupation else ["area", "occupation"]
        if after_preposition and not has_area:
            order = ["area", "occupation"]
        order.append("industry")
        for kind in order:
            if kind == "occupation" and len(phrase) < 5:
                continue  # "book", "cook"? too short to guess from a misspelling
            resolution = getattr(self._resolver, kind)(phrase)
            if has_occupation and resolution.found and resolution.matches[0].via == "shared":
                continue  # "security guards … at guard companies": a bare job noun beside a job is no job
            if resolution.found:
                entities = resolution.entities if resolution.ambiguous else (resolution.best,)
                return Mention(kind, start, end, phrase, entities, via="fuzzy")
        return None


_CODES = "|".join(sorted(aliases.WORD_POSTAL_CODES))
_ENDS = r"(?=\s*(?:[?.!,;)]|$|\s(?:and|vs|versus|or)\b))"
# A word-like postal code where only a state fits: right after a place and its comma ("portland,
# or", "cleveland, oh"), or after "in" at the end of a phrase ("nurses in pa?").
_POSTAL_AFTER_COMMA = re.compile(rf"(?<=[a-z]),\s*\b({_CODES}){_ENDS}", re.IGNORECASE)
_POSTAL_AFTER_IN = re.compile(rf"\b(?:in|around|near)\s+({_CODES}){_ENDS}")
_POSTAL_AFTER_WORDS = re.compile(rf"\b((?:[a-z][a-z.'-]*\s+){{1,3}})({_CODES}){_ENDS}", re.IGNORECASE)
_NOT_AFTER_IN = frozenset({"in", "or", "me", "hi", "ok", "us"})


_ALL_OTHER = re.compile(r"\s*,\s*(all\s+other|except)\b", re.IGNORECASE)


def _without_names(lower: str, tokens: Sequence[Token], mentions: Sequence[Mention], signals: Signals) -> str:
    """The question without the names it was read to have, when it asks about jobs or pay: "top
    jobs at casino hotels" is not about booking a hotel ("hotel prices" still is)."""
    if not (signals.any_measure or signals.ranking or signals.names_occupations):
        return lower
    for m in mentions:
        start, end = tokens[m.start].start, tokens[m.end - 1].end
        lower = lower[:start] + " " * (end - start) + lower[end:]
    return lower


def _postal_case(text: str) -> str:
    """Capitalizes the word-like postal codes that can only be states, so they read as codes."""

    def upper(m: re.Match[str]) -> str:
        code = m.group(1)
        if m.re is _POSTAL_AFTER_IN and code in _NOT_AFTER_IN:
            return m.group()
        return m.group()[: m.start(1) - m.start()] + code.upper()

    return _POSTAL_AFTER_IN.sub(upper, _POSTAL_AFTER_COMMA.sub(upper, text))


def _after_preposition(tokens: list[Token], start: int) -> bool:
    """ "in Atlantis", "in the emerald city": the words name a place, if anything."""
    before = start - 1
    while before >= 0 and tokens[before].lower in ("the", "a"):
        before -= 1
    return before >= 0 and tokens[before].lower in ("in", "around", "near", "at")


_FOCUS_BEFORE = r"(specifically|in\s+particular|particularly|especially|namely|mostly|mainly)"
_FOCUS_AFTER = r"(specifically|in\s+particular|particularly|especially)\s*([.,;:!?]|$)"
_FOCUS_WORD = re.compile(r"\b(specifically|particular|particularly|especially|namely|mostly|mainly)\b")


def _in_focus(phrase: str, lower: str) -> bool:
    """ "the trades, lineman specifically", "healthcare jobs, especially nurses": the one the
    question narrows to."""
    if not _FOCUS_WORD.search(lower):
        return False  # most questions: no pattern to build
    p = re.escape(phrase.lower())
    after = rf"\b{p}\s*,?\s*{_FOCUS_AFTER}"
    return bool(re.search(rf"{after}|\b{_FOCUS_BEFORE}\s*,?\s*(an?\s+|the\s+)?{p}\b", lower))


def _plain_title(industry: Industry) -> str:
    return industry.title.split(" - ", 1)[-1]  # "Sector 55 - Management of Companies and Enterprises"


def _joined(between: list[Token]) -> bool:
    """ "in hospitals, schools and couriers and messengers": only list words after an industry, so
    the next name is read as an industry first."""
    return all(t.lower in ("and", "or", "vs", "versus", "&", "in", "at", "plus") for t in between)


def _ends_place(tokens: list[Token], end: int) -> bool:
    """ "in gotham city", "in atlantis vs ohio": an unknown name after "in" ends there, as a place's
    name does; "in crypto mining companies" goes on, and names no place."""
    if end >= len(tokens):
        return True
    following = tokens[end].lower
    return following in _AFTER_PLACE or following[:1].isdigit()


_AFTER_PLACE = frozenset(
    "vs versus or and compared than for during since from between last this in city town county area metro "
    "region state pay pays paying make makes earn earns where that which who with".split()
)


def _it_job(tokens: list[Token], i: int) -> bool:
    """ "it managers", "it support": lower-case "it" before a job word is information technology."""
    following = tokens[i + 1].lower if i + 1 < len(tokens) else ""
    return tokens[i].lower == "it" and following.rstrip("s") in _IT_JOB_WORDS


_IT_JOB_WORDS = frozenset(
    "manager director support specialist tech technician worker professional pro mgr mngr dir spec".split()
)


def _after_at(tokens: list[Token], start: int) -> bool:
    """ "at kaiser", "at a diner": an employer or a workplace, never a place OEWS publishes."""
    before = start - 1
    while before >= 0 and tokens[before].lower in ("the", "a", "an"):
        before -= 1
    return before >= 0 and tokens[before].lower == "at"


def _complete(mentions: list[Mention]) -> bool:
    kinds = {m.kind for m in mentions}
    return "occupation" in kinds and "area" in kinds


_EXCEPT_WORDS = frozenset({"not", "except", "excluding", "excl", "non", "other", "than", "no"})


def _shorter_names_dropped(mentions: list[Mention]) -> list[Mention]:
    """ "our bus drivers want a raise - median pay for school bus drivers": a job named again by the last
    words of its fuller name, which that name settles, is one job."""

    def settled(m: Mention) -> bool:
        return any(
            o is not m
            and o.kind == m.kind == "occupation"
            and len(m.entities) > 1
            and o.entities[0] in m.entities
            and o.phrase.lower().endswith(" " + m.phrase.lower())
            for o in mentions
        )

    return [m for m in mentions if not settled(m)]


_SCHOOLS = frozenset({"school", "academy", "program", "training"})


def _training_schools(
    mentions: list[Mention], unknown: list[str], tokens: list[Token]
) -> tuple[list[Mention], list[str]]:
    """ "esthetician school", "welding school": the training for a job, not the schools industry (so
    named as not understood: OEWS has nothing on schooling)."""
    kept: list[Mention] = []
    for m in mentions:
        before = kept[-1] if kept else None
        after_a_job = before is not None and before.kind == "occupation" and before.end == m.start
        if (
            m.kind == "industry"
            and m.end - m.start == 1
            and tokens[m.start].lower in _SCHOOLS
            and after_a_job
        ):
            unknown = [*unknown, m.phrase]
            continue
        kept.append(m)
    return kept, unknown


def _except_clause(tokens: list[Token], found: Mention) -> int:
    """Where a mention ends with the clause its title excludes, typed after it: "earth drillers
    (not oil and gas)" is Earth Drillers, Except Oil and Gas, and "oil and gas" is no industry."""
    title = found.entities[0].title if found.kind == "occupation" and len(found.entities) == 1 else ""
    _, _, excluded = title.partition(", Except ")
    words = set(re.findall(r"[a-z]+", excluded.lower())) | {"and", "or", "&"}
    k = found.end
    while k < len(tokens) and tokens[k].lower in _EXCEPT_WORDS:
        k += 1
    end = k
    while end < len(tokens) and tokens[end].lower in words:
        end += 1
    return end if excluded and k > found.end and end > k else found.end


_ABOUT_ME = re.compile(r"\b(like\s+me|myself|self[- ]employed|my\s+own)\b", re.IGNORECASE)


def _glosses(
    mentions: list[Mention], unknown: list[str], tokens: list[Token], text: str
) -> tuple[list[Mention], list[str]]:
    """ "fallers (tree cutting logging guys)": words in parentheses right after a job say what the
    job is; they name nothing more. Of the job and a title inside them, the fuller name is read."""
    for paren in re.finditer(r"\(([^)]*)\)", text):
        a, b = paren.span()
        job = next(
            (m for m in mentions if m.kind == "occupation" and not text[tokens[m.end - 1].end : a].strip()),
            None,
        )
        if job is None:
            continue
        inside = [m for m in mentions if a < tokens[m.start].start and tokens[m.end - 1].end < b]
        keep = max([job, *(m for m in inside if m.kind == "occupation")], key=lambda m: m.end - m.start)
        mentions = [m for m in mentions if m is keep or (m is not job and m not in inside)]
        unknown = [u for u in unknown if u.removeprefix("in ") not in paren.group(1)]
    return mentions, unknown


def _common_prefix(codes: list[str]) -> str:
    """The characters several codes begin with: "21-1012", "21-1018" -> "21-101"."""
    same = itertools.takewhile(lambda chars: len(set(chars)) == 1, zip(*codes, strict=False))
    return "".join(chars[0] for chars in same)


def _typed(tokens: list[Token], start: int, end: int) -> str:
    return " ".join(t.text for t in tokens[start:end]).strip(" ,")


def _shortest_name(tokens: list[Token], i: int) -> int | None:
    """How many words a name starting at token ``i`` needs (None: no name starts there)."""
    first = tokens[i]
    typed_postal = len(first.text) == 2 and first.text.isupper()
    if first.lower == "the":
        return 2  # "the bay area", "the triangle", "the dmv"
    if first.lower in _NEVER_FIRST and not typed_postal and not _it_job(tokens, i):
        return None
    if first.lower in FILLER and first.lower not in PLACE_WORDS and not typed_postal:
        return 2  # "top executives", "parts salespersons", but never "top" alone
    return 1


EXCLUSION_WHY = (
    "OEWS publishes an occupation's figures for all industries together or for one industry; "
    "none can be left out, so these figures include it."
)
PLACE_EXCLUSION_WHY = (
    "OEWS publishes figures for whole places; none can be left out of a place's figures, so these "
    "figures include it."
)
_NEGATIONS = frozenset({"not", "excluding", "besides", "outside", "except", "minus", "without"})
_TWO_WORD_NEGATIONS = frozenset(
    {
        ("not", "counting"),
        ("not", "including"),
        ("apart", "from"),
        ("aside", "from"),
        ("leaving", "out"),
        ("other", "than"),
    }
)
_NEGATION_WORDS = _NEGATIONS | {word for pair in _TWO_WORD_NEGATIONS for word in pair}


_NAMED_EMPLOYERS = tuple(e.split() for e in aliases.EMPLOYERS if " " in e)  # "cleveland clinic"


def _employers(
    mentions: list[Mention], unknown: list[str], tokens: list[Token]
) -> tuple[list[Mention], list[str]]:
    """ "the cleveland clinic", "bank of america": an employer's name holding a place's or an
    industry's is the employer (said not applied), not the place."""
    lower = [t.lower for t in tokens]
    for words in _NAMED_EMPLOYERS:
        for k in range(len(tokens) - len(words) + 1):
            if lower[k : k + len(words)] != words:
                continue
            end = k + len(words)
            inside = [m for m in mentions if m.start < end and m.end > k]
            if not inside or any(m.kind == "occupation" for m in inside):
                continue
            mentions = [m for m in mentions if m not in inside]
            typed = " ".join(t.text for t in tokens[k:end])
            unknown = [u for u in unknown if not set(u.lower().split()) <= set(words)] + [typed]
    return mentions, unknown


def _starts_negated(phrase: str) -> bool:
    words = phrase.lower().split()
    return len(words) > 1 and (words[0] in _NEGATIONS or (words[0], words[1]) in _TWO_WORD_NEGATIONS)


def _negation_at(tokens: list[Token], start: int) -> int | None:
    """Where the "not", "excluding", "other than", "not counting"… before a name at ``start`` begins."""
    k = start - 1
    while k >= 0 and tokens[k].lower in ("the", "a", "an", "in", "at", "for", "of"):
        k -= 1  # "except for", "outside of", "not in the"
    if k >= 1 and (tokens[k - 1].lower, tokens[k].lower) in _TWO_WORD_NEGATIONS:
        return k - 1
    return k if k >= 0 and tokens[k].lower in _NEGATIONS else None


def _negated(
    mentions: list[Mention], unknown: list[str], tokens: list[Token]
) -> tuple[list[Mention], list[str]]:
    """A name after "not", "excluding"…, or listed after one ("excluding alaska and hawaii"), is
    never read as the one asked about. A place becomes an ``excluded`` mention (a ranking of places
    leaves it out; other answers say it is not applied); an industry cannot be left out of the
    figures, so its words are said not applied."""
    kept: list[Mention] = []
    last: Mention | None = None  # the name negated just before, for a list of them
    named = {k for m in mentions for k in range(m.start, m.end)}  # a negation inside a name is the name's
    for m in mentions:
        k = _negation_at(tokens, m.start)
        k = None if k in named else k
        listed = last is not None and last.kind == m.kind and _only_joins(tokens[last.end : m.start])
        if m.kind not in ("area", "industry") or (k is None and not listed):
            kept.append(m)
            last = None
            continue
        start = m.start if k is None else k
        if k is not None:  # the negation is read with the name, not left over on its own
            pair = (tokens[k].lower, tokens[k + 1].lower)
            negation = " ".join(t.text for t in tokens[k : k + 1 + (pair in _TWO_WORD_NEGATIONS)])
            unknown = [_without_last(u, negation) for u in unknown]
            unknown = [u for u in unknown if u]
        phrase = " ".join(t.text for t in tokens[start : m.end])
        if m.kind == "area":
            kept.append(replace(m, kind="excluded", start=start, phrase=phrase))
        else:
            unknown.append(phrase if k is not None else f"excluding {phrase}")
        last = m
    return kept, unknown


def _only_joins(tokens: list[Token]) -> bool:
    return all(t.lower in ("and", "or", "nor", ",") for t in tokens)


def _without_last(phrase: str, negation: str) -> str:
    """ "pay not": the phrase without the negation's words it ends with ("not" of "not counting")."""
    words = negation.split()
    for n in range(len(words), 0, -1):
        part = " ".join(words[:n])
        if phrase == part or phrase.endswith(f" {part}"):
            return phrase[: -len(part)].strip()
    return phrase


def _industries_in_titles(mentions: list[Mention], tokens: list[Token]) -> list[Mention]:
    """ "railroad switch operators": an industry's words right before an occupation whose title
    has them are that occupation's (Railroad Brake, Signal, and Switch Operators), not the
    industry."""
    out: list[Mention] = []
    for m in mentions:
        before = out[-1] if out else None
        if (
            before is not None
            and before.kind == "industry"
            and m.kind == "occupation"
            and before.end == m.start
            and len(m.entities) == 1
            and _all_in_title(tokens[before.start : before.end], m.entities[0].title)
        ):
            out[-1] = replace(m, start=before.start, phrase=f"{before.phrase} {m.phrase}")
            continue
        out.append(m)
    return out


_FILLER_JOB_NOUNS = frozenset({"operator", "operators", "worker", "workers"})


def _job_nouns(title: str) -> list[str]:
    """The nouns a title names people by: the last word of each of its parts ("Paper Goods Machine
    Setters, Operators, and Tenders": setters, operators, tenders; "Locker Room, Coatroom, and
    Dressing Room Attendants": attendants; "Helpers--Production Workers": helpers)."""
    parts = re.split(r",\s*(?:and\s+)?|--", title_base(title))
    return [part.split()[-1] for part in parts if part.split()]


def _names_a_job_noun(typed: str, title: str) -> bool:
    """ "operators", "techs" (technicians), not "agencies" (agents)."""
    stem = typed.removesuffix("s")
    return any(noun.lower() == typed or noun.lower().startswith(stem) for noun in _job_nouns(title))


def _all_in_title(words: Sequence[Token], title: str) -> bool:
    """Every typed word is a word of the title, or starts like one ("techs": technicians) or
    ends one ("boat": motorboat)."""
    named = re.findall(r"[a-z]+", title.lower())
    typed = [t.lower for t in words]
    return all(
        any(w == t or (len(t) >= 4 and (w.startswith(t[:4]) or w.endswith(t))) for w in named) for t in typed
    )


def _in_the_title(tokens: list[Token], start: int, end: int, mentions: list[Mention]) -> bool:
    """Words typed right before or after an occupation that are all in its title."""
    beside = [
        m
        for m in mentions
        if m.kind == "occupation"
        and (m.start == end or m.end == start or (m.start == end + 1 and tokens[end].lower in FILLER))
    ]
    if len(beside) != 1 or len(beside[0].entities) != 1:
        return False
    title = set(re.findall(r"[a-z]+", beside[0].entities[0].title.lower()))
    return all(t.lower in title for t in tokens[start:end])


def _leftover_spans(tokens: list[Token], used: list[bool]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for i, token in enumerate(tokens):
        content = not used[i] and token.lower not in FILLER and not token.lower[0].isdigit()
        if content and start is None:
            start = i
        elif not content and start is not None:
            spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(tokens)))
    return spans


_SEPARATES_PLACES = frozenset({"vs", "versus", "v", "or", "and", "to", "with", "than"})


def _merge_qualifiers(mentions: list[Mention], tokens: list[Token]) -> list[Mention]:
    """ "Portland, OR" / "austin tx" / "springfield il": a state right after a metro narrows it.

    Not across a word that sets two places side by side: "new york vs new jersey" is two states;
    nor in a list of places that goes on ("nyc, new jersey and connecticut") when the state is not
    the metro's own (New York-Newark-Jersey City is a New York metro that reaches New Jersey).
    """
    merged: list[Mention] = []
    for k, m in enumerate(mentions):
        prev = merged[-1] if merged else None
        between = {t.lower for t in tokens[prev.end : m.start]} if prev else set()
        if prev and _qualifies(prev, m) and not between & _SEPARATES_PLACES and not _named_state(prev, m):
            if _list_goes_on(mentions[k + 1 :], m, tokens) and (
                all(a.state != m.entities[0].state for a in prev.entities)
                or _nation_next(mentions[k + 1 :])  # "durham-chapel hill, north carolina, and nationwide"
            ):
                merged.append(m)
                continue
            narrowed = tuple(a for a in prev.entities if _in_state(a, m.entities[0]))
            merged[-1] = Mention("area", prev.start, m.end, f"{prev.phrase} {m.phrase}", narrowed, prev.via)
            continue
        merged.append(m)
    return merged


def _misspelled_elsewhere(mentions: list[Mention], unknown: list[str]) -> tuple[list[Mention], list[str]]:
    """ "millsboro delaware": a place read from a misspelling that lies outside the state named
    with it is a town OEWS does not publish, not the place it resembles (Hillsboro, OR)."""
    states = {a.state for m in mentions if m.kind == "area" for a in m.entities if a.kind == "state"}
    kept: list[Mention] = []
    for m in mentions:
        elsewhere = (
            m.kind == "area" and m.via == "fuzzy" and not any(set(a.states) & states for a in m.entities)
        )
        if states and elsewhere:
            unknown = [*unknown, f"in {m.phrase}"]
            continue
        kept.append(m)
    return kept, unknown


def _held_place(phrase: str) -> bool:
    """A county or town OEWS publishes no figures for, maybe with its state ("ketchikan alaska")."""
    key = normalize(phrase)
    return any(key == k or key.startswith(f"{k} ") for k in aliases.WITHIN)


def _named_state(place: Mention, state: Mention) -> bool:
    """ "ocala fl, in florida", "the northwestern idaho nonmetro area, in idaho": a place already
    named with its state is not narrowed again; the state is a place of its own."""
    words = place.phrase.lower().replace(",", " ").split()
    named = state.entities[0]
    title = f" {named.title.lower()} "
    return len(words) > 1 and (words[-1] == named.state.lower() or title in f" {' '.join(words)} ")


def _nation_next(rest: list[Mention]) -> bool:
    nxt = next((r for r in rest if r.kind == "area"), None)
    return nxt is not None and any(a.kind == "national" for a in nxt.entities)


def _list_goes_on(rest: list[Mention], m: Mention, tokens: list[Token]) -> bool:
    nxt = next((r for r in rest if r.kind == "area"), None)
    return nxt is not None and bool({t.lower for t in tokens[m.end : nxt.start]} & _SEPARATES_PLACES)


def _merge_industry_words(mentions: list[Mention]) -> list[Mention]:
    """ "aerospace manufacturing": a word of an industry's own title right after it is part of
    its name, not a second industry (Manufacturing, NAICS 31-33)."""
    merged: list[Mention] = []
    for m in mentions:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and prev.kind == m.kind == "industry"
            and prev.end == m.start
            and " " not in m.phrase
            and m.phrase.lower() in prev.entities[0].title.lower()
        ):
            merged[-1] = Mention("industry", prev.start, m.end, f"{prev.phrase} {m.phrase}", prev.entities)
            continue
        merged.append(m)
    return merged


def _qualifies(place: Mention, state: Mention) -> bool:
    if place.kind != "area" or state.kind != "area" or state.start - place.end > 1:
        return False
    if len(state.entities) != 1 or state.entities[0].kind != "state":
        return False
    if all(a.kind == "state" for a in place.entities):
        return False
    return any(_in_state(a, state.entities[0]) for a in place.entities)


def _in_state(area: Area, state: Area) -> bool:
    return state.state is not None and state.state in area.states


class _Builder:
    """Turns signals and mentions into an Intent (or a clarification / refusal)."""

    def __init__(
        self,
        coverage: Coverage,
        signals: Signals,
        mentions: list[Mention],
        unknown: list[str],
        lower: str,
        context: Intent | None,
    ) -> None:
        self.coverage = coverage
        self.s = signals
        self.mentions = mentions
        self.unknown = tuple(unknown)
        self.lower = lower
        self.context = context
        self.notes: list[str] = []
        self.unapplied: list[str] = []
        self.nonsense = ""  # why the question's threshold cannot be used at all
        self.families: dict[str, tuple[Occupation, ...]] = {}  # "nurse jobs": see QuestionParser._families

    def build(self, *, all_occupations: Occupation | None = None, nation: Area | None = None) -> Parsed:
        self.all_occupations = all_occupations
        if self.s.threshold is not None and self._nonsense(self.s.threshold):
            return Parsed(refusal_kind="no_data", refusal=self.nonsense)
        occupations = self._occupations()
        areas_or_choice = self._areas()
        if isinstance(areas_or_choice, Choice):
            return Parsed(clarify=areas_or_choice, unknown=self._plain_unknown())
        if (unit := self._unit_choice()) is not None:
            return Parsed(clarify=unit, unknown=self._plain_unknown())
        areas = areas_or_choice
        places = tuple(u.removeprefix("in ") for u in self.unknown if u.startswith("in "))
        if places and not areas:
            asks_about_jobs = occupations or self.s.ranking or self.s.threshold is not None
            if not asks_about_jobs or nation is None:  # "and in Atlantis?": never the thread's place
                return Parsed(refusal_kind="not_found", refusal="", unknown=places)
            # "pharmacists in Atlantis", "top paying jobs in wakanda": asked back, with the nation as
            # one click, never answered quietly
            return Parsed(clarify=self._place_not_found(places[0], nation), unknown=places)
        industries = self._industries(areas)
        first = industries[0] if industries else None
        start = self._family(
            Intent(occupations=occupations, areas=areas, industry=first, industries=industries)
        )
        dated = self._with_years(start)
        if dated is None:
            return self._no_year()
        intent = self._inherit(dated)
        intent = self._shape(intent.with_(threshold=self._threshold(), change=self._change()))
        return self._finish(intent)

    def _family(self, intent: Intent) -> Intent:
        """ "which nurse jobs pay the most": the occupations with "nurse" in their titles are ranked
        ("technician jobs": those with "technicians"). When only one title has the words ("top
        paying cashier jobs"), that occupation's own figures answer, and the answer says so."""
        if not intent.occupations:
            noun = next((w for w in self.families if w in self.unknown), None)
            if noun is None:
                return intent
            self.unknown = tuple(u for u in self.unknown if u != noun)
            self.notes.append(
                f"Read “{noun}” as the {len(self.families[noun])} occupations with it in their titles."
            )
            return intent.with_(occupations=self.families[noun], family=noun)
        if not _one_detailed(intent):
            return intent
        occupation = intent.occupations[0]
        named = (m.phrase for m in self.mentions if m.kind == "occupation" and occupation in m.entities)
        phrase = next(named, None)
        if phrase not in self.families:
            return intent
        family = self.families[phrase]
        if len(family) > 1:
            self.notes[:] = [n for n in self.notes if not n.startswith(f"Read “{phrase}” as ")]
            self.notes.append(f"Read “{phrase}” as the {len(family)} occupations with it in their titles.")
            return intent.with_(occupations=family, family=phrase)
        self.unapplied.append(
            f"Not applied: “{phrase}” jobs as several occupations. The words name one OEWS "
            f"occupation, {occupation.title}; these are its own figures."
        )
        self.s = replace(self.s, ranking=False, growth=False, names_occupations=False, top_n=None)
        return intent

    def _occupations(self) -> tuple[Occupation, ...]:
        found: list[Occupation] = []
        mentioned = [m for m in self.mentions if m.kind == "occupation"]
        focus = [m for m in mentioned if _in_focus(m.phrase, self.lower)]
        for m in focus[:1] or mentioned:  # "the trades, lineman specifically": the lineman
            occupation = m.entities[0]
            if occupation not in found:
                found.append(occupation)
            if m.via == "fuzzy" or _differs(m.phrase, occupation.title):
                self.notes.append(f"Read “{m.phrase}” as {occupation.title} ({occupation.code}).")
            if len(m.entities) > 1:
                titles = [o.title for o in m.entities[1:4]]
                others = f"{', '.join(titles[:-1])} or {titles[-1]}" if len(titles) > 1 else titles[0]
                self.notes.append(f"“{m.phrase}” can also mean {others}: ask again with the full title.")
        return tuple(found)

    def _the_metro_called_so(self, m: Mention) -> Area | None:
        """ "the new york area vs new jersey": a name followed by "area" or "metro" is the metro."""
        metros = [a for a in m.entities if a.kind == "metro"]
        phrase = m.phrase.lower()
        said = re.search(rf"\s{_METRO_WORDS}$", phrase) or re.search(
            rf"\b{re.escape(phrase)}\s+{_METRO_WORDS}\b", self.lower
        )
        return metros[0] if said and len(metros) == 1 else None

    def _areas(self) -> tuple[Area, ...] | Choice:
        found: list[Area] = []
        places = [m for m in self.mentions if m.kind == "area"]
        self.notes.extend(  # "sunnydale ca": a place read from a misspelling is said, never silent
            f"Read “{m.phrase}” as {m.entities[0].title}."
            for m in places
            if m.via == "fuzzy" and len(m.entities) == 1 and m.entities[0].kind != "national"
        )
        self.notes.extend(  # "the 614": a telephone area code, said so
            f"Read “{m.phrase}” (an area code) as {m.entities[0].title}."
            for m in places
            if len(m.entities) == 1 and normalize(m.phrase) in _AREA_CODE_PHRASES
        )
        self.unapplied.extend(  # "maricopa county": the metro area that holds it, said so
            f"Not applied: “{m.phrase}” as a place of its own. OEWS publishes no figures for counties or "
            f"towns; these are for {m.entities[0].title}, which includes it."
            for m in places
            if len(m.entities) == 1 and _held_place(m.phrase)
        )
        for m in places:
            if _several_states(m):  # "the carolinas", "New England": every state of the group
                found.extend(a for a in m.entities if a not in found)
                if len(m.entities) > 2:
                    self.notes.append(f"Read “{m.phrase}” as {and_list([a.title for a in m.entities])}.")
                continue
            if len(m.entities) > 1:
                area = self._the_metro_called_so(m) or _the_state_among(m, places)
                area = area or _the_one_in_a_named_state(m, places)
                if area is None and self.s.ranking and self.s.rank_target in ("state", "metro", "nonmetro"):
                    continue
                if area is None and self._national_either_way(m.entities):
                    area = m.entities[0]  # "in new york, which jobs grew the most": national, said so
                if area is None:
                    return self._which_place(m)
                if area not in found:
                    found.append(area)
                continue
            if m.entities[0] not in found:
                found.append(m.entities[0])
        return tuple(found)

    def _which_place(self, m: Mention) -> Choice:
        """A name several places share; "east dakota" (a direction before it) names none of them."""
        titles = tuple(a.title for a in m.entities)
        before = re.search(rf"\b({_COMPASS})\s+{re.escape(m.phrase.lower())}\b", self.lower)
        if before is None or before.group(1) not in self.unknown:
            return Choice.of_places(m.phrase, tuple(m.entities))
        typed = before.group()
        either = ", ".join(titles[:-1]) + f" or {titles[-1]}"
        return Choice(
            typed,
            titles,
            f"I couldn't find “{typed}” among the places OEWS publishes. Did you mean {either}?",
        )

    def _national_either_way(self, readings: tuple[Area, ...]) -> bool:
        """Several years asked where none of the readings has them: the answer is national and
        names the place as not applied, so which place was meant need not be asked."""
        several = len(self._wanted_years()) >= 2
        return several and all(len(self.coverage.years_for(a.kind, industry=False)) < 2 for a in readings)

    def _industries(self, areas: tuple[Area, ...]) -> tuple[Industry, ...]:
        named: list[Industry] = []
        for m in self.mentions:
            if self._describes_the_job(m, areas):  # "hospital orderlies in buffalo": the place's own
                places = [a for a in areas if a.kind != "national"]
                self.unapplied.extend(places_only_note(i, places) for i in m.entities[:1])
                continue
            if m.kind == "industry" and m.via == "fuzzy" and len(m.entities) == 1:  # read from its words
                chosen, title = m.entities[0], _industry_title(m.entities[0].title)
                self.notes.append(f"Read “{m.phrase}” as {title} (NAICS {chosen.naics}).")
            # "the tech sector": each industry it names; one named twice ("management of companies
            # (corporate HQs)"), even at two levels, once
            for industry in m.entities if m.kind == "industry" else ():
                if _plain_title(industry) not in map(_plain_title, named):
                    named.append(industry)
        return tuple(named)

    def _describes_the_job(self, m: Mention, areas: tuple[Area, ...]) -> bool:
        """ "hospital orderlies in erie county": an industry's name right before the occupation,
        in a question about a place below the nation, describes the job; the place is asked about."""
        jobs = [o for o in self.mentions if o.kind == "occupation" and o.start == m.end]
        places = any(a.kind != "national" for a in areas)
        return m.kind == "industry" and bool(jobs) and places and not self.s.ranking

    def _wanted_years(self) -> tuple[int, ...]:
        """The years the question asks about (empty: none said, the latest applies)."""
        s, cov = self.s, self.coverage
        if s.year_span:
            lo, hi = sorted(s.year_span)
            return tuple(range(lo, hi + 1))
        if s.since:
            return tuple(range(s.since, cov.latest + 1))
        if s.years:
            now = s.now or (s.versus_year is not None and not s.ranking)
            return tuple(sorted(set(s.years) | ({cov.latest} if now else set())))
        if (s.all_years and (s.trend or not s.ranking)) or self._trend_without_years():
            return cov.all_years
        if s.year_over_year:  # "YoY": the latest year against the one before
            return cov.all_years[-2:]
        return ()

    def _with_years(self, intent: Intent) -> Intent | None:
        s, cov = self.s, self.coverage
        wanted = self._wanted_years()
        if not wanted:
            return intent
        available = tuple(y for y in wanted if y in cov.all_years)
        if not available and min(wanted) > cov.latest:
            # "what will electricians earn in 2030?": the latest published figures, and why not 2030
            self.unapplied.append(_missing_years_note(list(wanted), cov))
            if not s.near_scope:
                self.unapplied.append(FUTURE_WHY)
            return intent.with_(years=(cov.latest,))
        if not available and len(wanted) == 1 and wanted[0] < min(cov.all_years):
            # "nurses' pay in 2015": the latest figures, said so (as for any year not loaded)
            self.unapplied.append(
                f"Not applied: {wanted[0]}. No OEWS data is loaded for {wanted[0]} (the earliest loaded is "
                f"May {min(cov.all_years)}); this answer is for the latest, May {cov.latest}."
            )
            return intent.with_(years=(cov.latest,))
        if not available:
            return None
        missing = [y for y in wanted if y not in cov.all_years]
        first = cov.all_years[0]
        if missing and all(y < first for y in missing):
            # "since 2014", "2018 vs 2025": from the first loaded year on, said so
            available = tuple(sorted({first, *available}))
            typed = ", ".join(str(y) for y in s.years if y in missing)
            self.unapplied.append(
                f"Not applied: {typed}. No OEWS data is loaded before May {first}, so this answer starts "
                f"at May {first}."
            )
        elif missing and (s.years or s.year_span):
            self.unapplied.append(_missing_years_note(missing, cov))
        return intent.with_(years=self._published(intent, available))

    def _published(self, intent: Intent, years: tuple[int, ...]) -> tuple[int, ...]:
        """Years after an occupation's last release are named, and its last year compared instead
        ("legislators 2019 vs 2025": BLS last published them for May 2024)."""
        if len(intent.occupations) != 1 or not years:
            return years
        occupation = intent.occupations[0]
        late = [y for y in years if y > occupation.last_year]
        if not late or occupation.last_year <= LAST_HYBRID_SOC_YEAR:
            return years  # codes retired at the 2018 SOC change are followed by the crosswalk
        listed = ", ".join(f"May {y}" for y in late)
        self.unapplied.append(
            f"Not applied: {listed}. BLS did not publish {occupation.title} ({occupation.code}) for "
            f"{listed}; its latest figures are for May {occupation.last_year}."
        )
        kept = tuple(y for y in years if y <= occupation.last_year)
        return tuple(sorted({*kept, occupation.last_year})) if len(years) > 1 else (occupation.last_year,)

    def _trend_without_years(self) -> bool:
        """ "How much has RN pay gone up in dollars?": a change over every loaded year."""
        s = self.s
        names = [m.phrase.lower() for m in self.mentions]
        if not s.trend or s.ranking or s.career or s.threshold is not None or not names:
            return False
        name_words = {w for name in names for w in re.findall(r"[a-z']+", name)}
        rest = " ".join(w for w in re.findall(r"[a-z']+", self.lower) if w not in name_words)
        named = any(m.kind == "occupation" for m in self.mentions)
        return named and asks_change(rest)

    def _no_year(self) -> Parsed:
        asked = ", ".join(str(y) for y in (self.s.years or (self.s.since,)) if y)
        years = self.coverage.describe()
        return Parsed(
            refusal_kind="no_data",
            refusal=f"There is no OEWS data for {asked} in the loaded data. {years}",
        )

    def _inherit(self, intent: Intent) -> Intent:
        ctx = self.context
        if ctx is None:
            return intent
        changes: dict[str, Any] = {}
        ranking_occupations = self.s.ranking and self.s.rank_target == "occupation"
        if not intent.occupations and not ranking_occupations:
            changes["occupations"] = ctx.occupations
        if not intent.areas:
            changes["areas"] = ctx.areas
        if intent.industry is None and not intent.areas:
            changes["industry"] = ctx.industry
        if not intent.years and not self.s.ranking:
            changes["years"] = ctx.years
        if not self.s.any_measure:
            changes["measures"] = ctx.measures
            if not self.s.ranking and not intent.years and ctx.shape == "ranking":
                changes.update(
                    shape="ranking",
                    rank_by=ctx.rank_by,
                    rank_area_kind=ctx.rank_area_kind,
                    rank_industry_level=ctx.rank_industry_level,
                    top_n=ctx.top_n,
                    descending=ctx.descending,
                )
        return intent.with_(**changes)

    def _change(self) -> Any:
        return (
            "absolute" if self.s.change == "absolute" else "both" if self.s.change == "both" else "relative"
        )

    # -- thresholds ("over $110k", "under $18 an hour", "more than 5,000 workers") ---------------

    def _threshold(self) -> Threshold | None:
        raw = self.s.threshold
        if raw is None:
            return None
        if raw.employment:
            return Threshold("tot_emp", raw.amount, raw.above, raw.typed, raw.upper)
        if self._quotient_threshold(raw):
            return Threshold("loc_quotient", raw.amount, raw.above, raw.typed, raw.upper)
        basis = raw.basis or self._basis_of(raw)
        if basis is None:
            return None  # asked before reading the question further (``_unit_choice``)
        stat = self._wage_measures()[0][2:]
        measure = ("h_" if basis == "hourly" else "a_") + stat
        return Threshold(measure, raw.amount, raw.above, raw.typed, raw.upper)

    def _quotient_threshold(self, raw: RawThreshold) -> bool:
        """ "a location quotient above 2": a bare number beside the location quotient filters it."""
        return self.s.lq and not raw.dollar and not raw.basis and raw.amount < 100

    def _nonsense(self, raw: RawThreshold) -> bool:
        """A threshold no figure can meet ("over -5k", "more than $50 million a year"): said, not used."""
        top = raw.amount if raw.upper is None else raw.upper
        if top <= 0:
            why = "pay and employment are never negative or zero"
        elif not raw.employment and top >= (HOURLY_BEYOND if self._said_hourly(raw) else ANNUAL_BEYOND):
            why = "that is far beyond any wage OEWS publishes"
        else:
            return False
        self.nonsense = (
            f"“{raw.typed}” is not a usable threshold: {why}, so no occupation can be counted against it. "
            "Try an amount such as “over $100k a year” or “under $20 an hour”."
        )
        return True

    def _unit_choice(self) -> Choice | None:
        """ "jobs paying over 45", "between 40 and 50": an hour or a year? Asked, never guessed."""
        raw = self.s.threshold
        if raw is None or raw.employment or raw.basis or self._quotient_threshold(raw):
            return None
        if self.s.hourly != self.s.annual or raw.amount >= 1000 or raw.dollar:
            return None  # the unit is said or clear (see _basis_of)
        if not _AMOUNT_TYPED.search(raw.typed):
            return None

        def reading(scale: float, unit: str) -> str:
            dollars = _AMOUNT_TYPED.sub(
                lambda m: _dollars(float(m.group().replace(",", "")) * scale), raw.typed
            )
            return f"{dollars} {unit}"

        readings = (reading(1, "an hour"), reading(1000, "a year"))
        said = readings  # "between $40 and $50 an hour"
        if raw.upper is None:  # "over $40 an hour", whatever words were typed
            side = "over" if raw.above else "under"
            said = (f"{side} {_dollars(raw.amount)} an hour", f"{side} {_dollars(raw.amount * 1000)} a year")
        sentence = f"“{raw.typed}” has no unit. Do you mean {said[0]} or {said[1]}?"
        return Choice(raw.typed, readings, sentence=sentence)

    def _said_hourly(self, raw: RawThreshold) -> bool:
        """ "a median hourly wage over $9,000": hourly, by the amount's unit or the question's words."""
        return raw.basis == "hourly" or (raw.basis is None and self.s.hourly and not self.s.annual)

    def _basis_of(self, raw: RawThreshold) -> str | None:
        if self.s.hourly != self.s.annual:
            return "hourly" if self.s.hourly else "annual"
        if raw.amount >= 1000:
            return "annual"
        if raw.dollar:
            self.notes.append(f"Read “{raw.typed}” as an hourly wage (${raw.amount:,.2f} an hour).")
            return "hourly"
        return None

    def _threshold_shape(self, intent: Intent) -> Intent:
        t = intent.threshold
        assert t is not None
        target = self.s.rank_target
        if _one_detailed(intent) and target in ("state", "metro", "nonmetro", "industry"):
            shaped = self._ranking(intent)
        elif _one_detailed(intent) and target in (None, "occupation") and not self.s.names_occupations:
            measures = tuple(dict.fromkeys((t.measure, *self._measures(intent))))
            return intent.with_(shape="compare" if len(intent.areas) > 1 else "lookup", measures=measures)
        else:
            shaped = intent.with_(shape="ranking", rank_by="occupation", rank_area_kind=None)
        return shaped.with_(measures=(t.measure,), top_n=0, descending=t.above)

    # -- shapes ------------------------------------------------------------------------------------

    def _shape(self, intent: Intent) -> Intent:
        s = self.s
        growth = (
            s.ranking and s.growth and not _one_detailed(intent) and s.rank_target in (None, "occupation")
        )
        if (filtered := self._filtered_shape(intent, growth)) is not None:
            return filtered
        if s.career and intent.occupations and not s.ranking and len(intent.years) < 2 and not s.any_measure:
            return intent.with_(shape="snapshot", measures=("a_median",))
        if growth:
            return self._growth(intent)
        # "top 3 protective service jobs in georgia and alabama": the jobs of a group, ranked
        within = not _one_detailed(intent) and s.rank_target in (None, "occupation") and bool(s.top_n)
        if s.ranking and intent.occupations and not within and self._candidates_named(intent):
            # "Kansas or Missouri - which state has more welders", "casino hotels vs hospitals,
            # which pays best": the places or industries named, side by side
            return intent.with_(shape="compare", measures=(self._rank_measure(),))
        if s.ranking and (s.rank_target or not (intent.occupations and intent.areas)):
            return self._ranking(intent)
        if intent.shape == "ranking":  # inherited from the thread
            return intent.with_(measures=intent.measures or self._measures(intent))
        return self._values_shape(intent)

    def _candidates_named(self, intent: Intent) -> bool:
        """Several places (or industries) named for a ranking of places (or industries)."""
        target = self.s.rank_target
        places = len(intent.areas) >= 2 and target != "industry"
        return places or (len(intent.industries) >= 2 and target in (None, "industry"))

    def _values_shape(self, intent: Intent) -> Intent:
        """A lookup, a comparison or a trend of the values asked for."""
        s = self.s
        measures = self._measures(intent)
        if _before_its_code(intent):  # "crematory operators 2020": the code BLS used then, and now
            return intent.with_(shape="trend", measures=measures, years=(*intent.years, self.coverage.latest))
        if len(intent.years) >= 2:
            if s.growth and not s.wants_wage:  # "how has X grown": the jobs, unless pay is named
                measures = ("tot_emp",)
            return intent.with_(shape="trend", measures=measures)
        if len(intent.occupations) >= 2 or len(intent.areas) >= 2:
            return intent.with_(shape="compare", measures=measures)
        return intent.with_(shape="lookup", measures=measures)

    def _filtered_shape(self, intent: Intent, growth: bool) -> Intent | None:
        s = self.s
        if intent.threshold is not None:
            # "which grew fastest, only ones with at least 20k workers": the threshold filters the ranking
            return self._growth(intent) if growth else self._threshold_shape(intent)
        if s.threshold is not None and not _one_detailed(intent) and not s.ranking:
            # a threshold that could not be used ("over 30"): the best-paid, said so beforehand
            measure = "tot_emp" if s.threshold.employment else self._wage_measures()[0]
            return self._ranking(intent).with_(descending=s.threshold.above, measures=(measure,))
        return None

    def _ranking(self, intent: Intent) -> Intent:
        s = self.s
        target = s.rank_target
        if target == "industry" and intent.industry is not None and s.names_occupations:
            target = "occupation"  # "highest paying occupations in the finance sector"
        if target is None:
            target = "state" if intent.occupations else "occupation"
        rank_by = {"state": "area", "metro": "area", "nonmetro": "area"}.get(target, target)
        if rank_by == "area" and not intent.occupations:
            rank_by, target = "occupation", "occupation"
        return intent.with_(
            shape="ranking",
            rank_by=rank_by,
            rank_area_kind=target if rank_by == "area" else None,
            rank_industry_level=(s.industry_level or "3-digit") if rank_by == "industry" else None,
            top_n=min(s.top_n or 10, EVERY_STATE if target == "state" else 25),
            descending=not s.ascending,
            measures=(self._rank_measure(),),
        )

    def _growth(self, intent: Intent) -> Intent:
        """ "Which jobs grew fastest since 2021": occupations ranked by their change between two years."""
        s = self.s
        wage = s.wants_wage and not s.employment and self._pay_beyond_threshold()
        measure = self._wage_measures()[0] if wage else "tot_emp"
        return intent.with_(
            shape="growth",
            rank_by="occupation",
            top_n=min(s.top_n or 10, 25),
            descending=not s.shrink,
            measures=(measure,),
        )

    def _pay_beyond_threshold(self) -> bool:
        """ "jobs paying over $100k grew the most": the pay words filter; what grew is the jobs."""
        t = self.s.threshold
        if t is None or t.employment:
            return True
        before = _FILTER_VERB.sub("", self.lower[: t.span[0]])
        return read_signals(f"{before} {self.lower[t.span[1] :]}").wants_wage

    def _rank_measure(self) -> str:
        s = self.s
        if s.lq or (s.concentration and not s.per_1000):
            return "loc_quotient"
        if s.per_1000:
            self._per_capita_note()
            return "jobs_1000"
        if s.employment or not s.wants_wage:
            return "tot_emp"
        return self._wage_measures()[0]

    def _per_capita_note(self) -> None:
        if re.search(r"\bper\s+(capita|person|resident|head)\b", self.lower):
            self.notes.append(
                "Read “per capita” as jobs per 1,000 jobs: OEWS counts jobs, not residents, so it has "
                "no figure per person living in a place."
            )

    def _measures(self, intent: Intent) -> tuple[str, ...]:
        s = self.s
        if not s.any_measure and intent.measures:
            return intent.measures
        found: list[str] = []
        if s.wants_wage or not s.any_measure:
            found.extend(self._wage_measures())
        if s.employment:
            found.append("tot_emp")
        if s.per_1000 or (s.concentration and not s.lq):
            self._per_capita_note()
            found.append("jobs_1000")
        if s.lq or s.concentration:
            found.append("loc_quotient")
        if s.reliability:
            found.extend(("emp_prse", "mean_prse"))
        return tuple(dict.fromkeys(found))

    def _wage_measures(self) -> list[str]:
        s = self.s
        bases = ["h"] if s.hourly and not s.annual else ["a"]
        if s.hourly and s.annual:
            bases = ["a", "h"]
        stats: list[str] = []
        for p in s.percentiles:
            stats.append("median" if p == 50 else f"pct{p}")
        if s.entry_level and not s.percentiles:
            stats.append("pct10")
            self.unapplied.append(
                f"Not applied: “{s.entry_level}”. OEWS has no experience levels; the 10th percentile "
                "shown is a common proxy for entry-level pay."
            )
        if s.median:
            stats.append("median")
        if s.mean:
            stats.append("mean")
        if s.experienced and not stats:
            stats.extend(("median", "pct75", "pct90"))  # "15 years of experience": the upper end, said so
        if not stats:
            stats = ["median", "mean"]
        return [f"{b}_{stat}" for b in bases for stat in dict.fromkeys(stats)]

    def _finish(self, intent: Intent) -> Parsed:
        intent = self._exclusions(intent)
        self._unapplied_parts(intent)
        if (salary := self._salary_check(intent)) is not None:
            intent = salary
        elif self.s.loose_amount and intent.threshold is None:  # "plumber 30 dollar per hour which states"
            self.unapplied.append(
                f"Not applied: “{self.s.loose_amount}”. Say “over” or “under” it to count or list the "
                "occupations or places past it."
            )
        if len(intent.industries) > 1 and (len(intent.occupations) > 1 or len(intent.areas) > 1):
            intent = intent.with_(occupations=intent.occupations[:1], areas=intent.areas[:1])  # as said
        intent = intent.with_(
            notes=tuple(self.notes),
            chart=self.s.chart,
            unapplied=tuple(dict.fromkeys(self.unapplied)),
            near_scope=self.s.near_scope,
        )
        ranks_occupations = intent.shape in ("ranking", "growth") and intent.rank_by == "occupation"
        if not intent.occupations and not ranks_occupations:
            return self._no_occupation(intent)
        return Parsed(intent=intent, unknown=self._plain_unknown())

    def _exclusions(self, intent: Intent) -> Intent:
        """ "which states pay nurses the most, excluding alaska and hawaii": a ranking of places
        leaves the places out (a state leaves out its metro areas too); elsewhere they cannot be."""
        ranks_places = intent.shape == "ranking" and intent.rank_by == "area"
        kinds = {intent.rank_area_kind, "state"} if ranks_places else set()
        left_out: list[Area] = []
        for m in self.mentions:
            if m.kind != "excluded":
                continue
            places = [a for a in m.entities if a.kind in kinds]
            if places:
                left_out.extend(places)
            else:
                self.unapplied.append(f"Not applied: “{m.phrase}”. {PLACE_EXCLUSION_WHY}")
        return intent.with_(excluded=tuple(dict.fromkeys(left_out))) if left_out else intent

    def _salary_check(self, intent: Intent) -> Intent | None:
        """ "is 75k good for a teacher in Ohio?", "underpaid at $18 an hour as a CNA": one job in
        one place and an amount to place in its wage distribution (read as percentiles)."""
        single = intent.shape == "lookup" and len(intent.occupations) == 1 and len(intent.areas) <= 1
        found = amount_of(self.s.loose_amount) if self.s.loose_amount and intent.threshold is None else None
        if not single or found is None or (intent.industries and intent.areas) or len(intent.years) > 1:
            return None
        amount, basis = found
        b = "h" if basis == "hourly" else "a"
        measures = tuple(f"{b}_{stat}" for stat in ("pct10", "pct25", "median", "pct75", "pct90"))
        return intent.with_(measures=measures, basis=basis, position=amount)

    def _one_industry_at_a_time(self, industries: tuple[Industry, ...]) -> None:
        """A ranking or a trend reads one industry: the others are named as not applied, or, when
        one phrase names them all ("local government": OEWS's designations with and without its
        schools and hospitals; "public hospitals": state and local), as what it can also mean."""
        rest = ", ".join(i.title for i in industries[1:])
        phrase = next((m.phrase for m in self.mentions if set(m.entities) >= set(industries)), None)
        if phrase is not None:
            self.notes.append(
                f"Read “{phrase}” as {industries[0].title}; it can also mean {rest} (ask with that name)."
            )
        else:
            self.unapplied.append(
                f"Not applied: one industry at a time for this kind of question; this answer is for "
                f"{industries[0].title}, not {rest}."
            )

    def _occupations_unapplied(self, intent: Intent) -> None:
        """A ranking of occupations ranks all or a group's, never within one occupation; a snapshot,
        ranking or growth covers one occupation (a family's are all ranked)."""
        if intent.family:
            return
        shape = intent.shape
        ranked = shape in ("ranking", "growth") and intent.rank_by == "occupation"
        if ranked and (detailed := [o.title for o in intent.occupations if o.o_group == "detailed"]):
            group = next((o.title for o in intent.occupations if o.o_group != "detailed"), "all occupations")
            self.unapplied.append(f"Not applied: {', '.join(detailed)}; this answer covers {group}.")
        elif len(intent.occupations) > 1 and shape in ("snapshot", "ranking", "growth"):
            rest = ", ".join(o.title for o in intent.occupations[1:])
            self.unapplied.append(
                f"Not applied: this answer covers {intent.occupations[0].title} only, not {rest}; "
                "ask about one occupation at a time."
            )

    def _unapplied_parts(self, intent: Intent) -> None:
        """Every part of the question is used or named here as not used."""
        shape = intent.shape
        if len(intent.industries) > 1 and shape not in ("lookup", "compare"):
            self._one_industry_at_a_time(intent.industries)
        if intent.industry is not None and shape in ("growth", "snapshot"):
            self.unapplied.append(cross_industry_note(intent.industry))
        if len(intent.industries) > 1 and (len(intent.occupations) > 1 or len(intent.areas) > 1):
            self.unapplied.append(
                "Not applied: several industries are compared for one occupation and place at a time; "
                f"this answer is for {intent.occupations[0].title if intent.occupations else 'the first'}."
            )
        if len(intent.areas) > 1 and shape in ("ranking", "growth", "trend", "snapshot"):
            rest = ", ".join(a.title for a in intent.areas[1:])
            self.unapplied.append(f"Not applied: this answer covers {intent.areas[0].title}, not {rest}.")
        self._occupations_unapplied(intent)
        for part in self.s.unmeasured:
            self.unapplied.append(f"Not applied: “{part.typed}”. {part.why}")
        if self.s.included:
            self.notes.append(
                f"{INCLUDED_WHY} (“{'”, “'.join(self.s.included)}”): they are in these figures."
            )
        near = re.findall(r"“([^”]+)”", " ".join(self.s.near_scope))  # "native american", named already
        said = set(
            re.findall(r"[\w']+", " ".join((*self.s.included, *(u.typed for u in self.s.unmeasured), *near)))
        )
        for typed in self.unknown if intent.occupations or shape != "lookup" else ():
            word = typed.removeprefix("in ")
            if said & set(word.lower().split()):
                continue
            place = typed.startswith("in ") or self._city_of_a_state(word)
            self.unapplied.append(self._not_understood(word, place=place))

    def _place_not_found(self, place: str, nation: Area) -> Choice:
        typed = re.search(rf"{re.escape(place.lower())}(\s+(city|town|county|village|township))?", self.lower)
        phrase = place + (typed.group(1) or "" if typed else "")
        return Choice(
            phrase,
            (f"the {nation.title}",),
            f"I couldn't find “{phrase}” among the places OEWS publishes (the U.S., states, metropolitan "
            "and nonmetropolitan areas). Name a state or metro area, or choose the figure for the whole U.S.",
        )

    def _city_of_a_state(self, word: str) -> bool:
        """ "atlantis, mississippi": a word set before a state with a comma is a place's name."""
        states = [
            m.phrase.lower() for m in self.mentions if m.kind == "area" and m.entities[0].kind == "state"
        ]
        w = re.escape(word.lower())
        return any(re.search(rf"\b{w}\s*,\s*{re.escape(state)}\b", self.lower) for state in states)

    def _not_understood(self, word: str, *, place: bool = False) -> str:
        if place:  # "electricians in narnia vs ohio"
            return (
                f"Not applied: “{word}”. OEWS publishes no state, metro or nonmetropolitan area by that name."
            )
        w = re.escape(word.lower())
        for m in self.mentions:
            if m.kind == "industry" and re.search(rf"\b{w}\s+{re.escape(m.phrase.lower())}\b", self.lower):
                return (  # "crypto mining": only "mining" was read
                    f"Not applied: “{word}” in “{word} {m.phrase}”; this answer reads only “{m.phrase}” "
                    f"({m.entities[0].title})."
                )
        if _starts_negated(word):  # "not the airlines", "other than the airlines"
            return f"Not applied: “{word}”. {EXCLUSION_WHY}"
        if re.sub(r"['’]s$", "", word.lower()) in aliases.EMPLOYERS:  # "walmart", "walmart's"
            return f"Not applied: “{word}”. {EMPLOYER_WHY}"
        if employer := re.search(
            rf"\b(?:at|for)\s+({w})\b|\b({w})(?:\s+pays\b|'s\b)|\b(?:does|do|did)\s+((?:\S+\s+)?\S*?{w})\b",
            self.lower,
        ):
            name = next(g for g in employer.groups() if g)  # "great clips", "h&r block": the name as typed
            return (
                f"Not applied: “{name}” (if it is an employer: OEWS does not publish pay by employer "
                "or company; the figures cover all employers)."
            )
        return f"Not applied: I didn't understand “{word}”, so this answer does not use it."

    def _plain_unknown(self) -> tuple[str, ...]:
        return tuple(u.removeprefix("in ") for u in self.unknown)

    def _no_occupation(self, intent: Intent) -> Parsed:
        if self.unknown:
            return Parsed(refusal_kind="not_found", refusal="", unknown=self._plain_unknown(), intent=intent)
        if not self.s.any_measure and not intent.areas and not self.s.ranking:
            return Parsed(refusal_kind="out_of_scope", refusal="")
        if len(re.findall(r"[a-z]+", self.lower)) <= 2 and not (intent.areas or intent.industries):
            return Parsed(refusal_kind="help", refusal="")  # "pay??": of which job, where?
        if self.s.any_measure and self.all_occupations is not None and intent.shape != "ranking":
            # "median pay in texas", "how many jobs are there in ohio": all occupations combined
            return Parsed(intent=intent.with_(occupations=(self.all_occupations,)))
        return Parsed(refusal_kind="not_found", refusal="", intent=intent)


def cross_industry_note(industry: Industry) -> str:
    """Why a change over years or a career snapshot leaves an industry out."""
    return (
        f"Not applied: {_industry_title(industry.title)}. Changes over several years and career "
        "snapshots use cross-industry figures (industry figures are loaded for one year only)."
    )


def places_only_note(industry: Industry, places: Sequence[Area]) -> str:
    """Why figures for places below the nation leave an industry out."""
    return (
        f"Not applied: {_industry_title(industry.title)} (NAICS {industry.naics}). OEWS publishes "
        f"industry-specific figures only nationally; these figures for {and_list([a.title for a in places])} "
        "cover all industries."
    )


_METRO_WORDS = r"(area|metro|metropolitan|metro\s+area|region)"
_AREA_CODE_PHRASES = frozenset(p for code in aliases.AREA_CODES for p in area_code_phrases(code))
_COMPASS = r"east|west|north|south|eastern|western|northern|southern|central|upper|lower"


def _postal_of(phrase: str) -> str:
    """The postal code a place phrase is ("dc", "PA"), or ends with where the state is itself a city
    ("washington dc", "washington d.c."), else ""."""
    words = phrase.replace(".", "").split()
    if len(words) == 1 and len(words[0]) == 2:
        return words[0]
    return "dc" if len(words) > 1 and words[-1].lower() == "dc" else ""


def _the_state_among(mention: Mention, places: list[Mention]) -> Area | None:
    """ "Washington vs Idaho": beside another state, a name that is also a metro's means the state."""
    states: list[Area] = [a for a in mention.entities if a.kind == "state"]
    others = [p for p in places if p is not mention]
    if len(states) != 1 or not others:
        return None
    if all(any(a.kind == "state" for a in p.entities) for p in others):
        return states[0]
    return None


_AMOUNT_TYPED = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _dollars(amount: float) -> str:
    """40 -> "$40", 40.5 -> "$40.50", 40000 -> "$40,000"."""
    return "$" + f"{amount:,.2f}".removesuffix(".00")


def _the_one_in_a_named_state(mention: Mention, places: list[Mention]) -> Area | None:
    """ "Ohio, Columbus and Cleveland", "Seattle, Portland and Boise": of the places a name may
    be, the only one in a state the question names elsewhere (a state, or a place of one state)."""
    others = [p.entities[0] for p in places if p is not mention and len(p.entities) == 1]
    named = {a.state for a in others if a.kind == "state"} or {
        s for a in others if a.code != NATIONAL for s in a.states
    }
    inside = [a for a in mention.entities if a.kind != "state" and named & set(a.states)]
    return inside[0] if len(inside) == 1 else None


def _before_its_code(intent: Intent) -> bool:
    """One occupation, nationally, in one year before BLS published its code (2019–2020 hybrid
    codes): a trend to the latest year follows it through the code used then."""
    occupation = intent.occupations[0] if _one_detailed(intent) else None
    national = all(a.code == NATIONAL for a in intent.areas)
    return (
        occupation is not None
        and national
        and len(intent.years) == 1
        and intent.years[0] < occupation.first_year
    )


def _one_detailed(intent: Intent) -> bool:
    return len(intent.occupations) == 1 and intent.occupations[0].o_group == "detailed"


def _industry_title(title: str) -> str:
    """An industry title without "Sector 21 - " or "(3251, 3252 … only)": no numbers a reader
    could take for figures."""
    return re.sub(r"\s*\([^)]*\d[^)]*\)", "", title.split(" - ", 1)[-1])


def _differs(phrase: str, title: str) -> bool:
    def simple(s: str) -> str:
        return re.sub(r"[^a-z]", "", s.lower()).rstrip("s")

    return simple(phrase) != simple(title)


# Wages no occupation comes near (the largest published May 2025 wages are under $1,000,000 a year
# and $470 an hour): a threshold above them is a misunderstanding, answered with an explanation.
ANNUAL_BEYOND = 1_000_000
HOURLY_BEYOND = 500

LAST_HYBRID_SOC_YEAR = 2020  # OEWS used hybrid SOC 2010/2018 codes through May 2020

FUTURE_WHY = (
    "OEWS publishes past years only; the BLS Employment Projections program publishes expected growth."
)


def _missing_years_note(missing: list[int], coverage: Coverage) -> str:
    listed = ", ".join(map(str, missing))
    return f"Not applied: {listed}. No OEWS data is loaded for {listed}. {coverage.describe()}"


def _several_states(m: Mention) -> bool:
    """A name for a group of states: a plural ("the carolinas") or a region of three or more."""
    states = len(m.entities) > 1 and all(a.kind == "state" for a in m.entities)
    return states and (m.phrase.lower().endswith("s") or len(m.entities) > 2)


def _names_on(tokens: list[Token], k: int, used: list[bool], text: str, *, last: bool) -> bool:
    gap = text[tokens[k].end : tokens[k + 1].start]
    joined = last or not re.search(r"[,:;()]", gap)  # "wholesalers (424)", not "HC: truck"
    return joined and not used[k] and tokens[k].lower not in _LIST_WORDS


def _in_parentheses(text: str, token: Token) -> bool:
    return text[: token.start].rstrip().endswith("(") and text[token.end :].lstrip().startswith(")")


def _slashes(text: str, tokens: list[Token]) -> frozenset[int]:
    """Tokens followed by a slash ("medical records/coding"), by index."""
    pairs = enumerate(itertools.pairwise(tokens))
    return frozenset(k for k, (a, b) in pairs if "/" in text[a.end : b.start])


def _found(kind: str, start: int, end: int, phrase: str, entities: tuple[Any, ...]) -> Mention:
    if kind == "words":  # an industry read from the words of its title
        return Mention("industry", start, end, phrase, entities, "fuzzy")
    return Mention(kind, start, end, phrase, entities)


def _right_after_occupation(start: int, mentions: list[Mention]) -> bool:
    return any(m.kind == "occupation" and m.end == start for m in mentions)


def _field_before_workplace(tokens: list[Token], end: int) -> bool:
    """ "a physical therapy clinic", "a plumbing company": a field naming a workplace, not its people
    (but "their own cleaning business", "plumbing company owners": the closest are its people)."""
    workplace = end < len(tokens) and tokens[end].lower in _WORKPLACES
    owned = "own" in {t.lower for t in tokens[max(0, end - 4) : end]} or (
        end + 1 < len(tokens) and tokens[end + 1].lower in ("owner", "owners")
    )
    return workplace and not owned and bool(_FIELD.search(tokens[end - 1].lower))
