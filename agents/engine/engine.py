"""The offline OEWS question engine: parse -> frame queries -> run -> synthesize.

Deterministic and model-free.  The hand-offs between stages (``Framing``, ``Results``) live in
``agents.engine.framing``; what a thread remembers for a follow-up (``ThreadContext``) in
``agents.engine.context``.  The workflow (``agents.workflow``) runs the stages as its nodes and
writes the answer with ``replies.compose``: it is the one way to an answer (tests too).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agents.engine import queries as q
from agents.engine.context import ThreadContext
from agents.engine.coverage import Coverage
from agents.engine.framing import Framing, Results, run_traced
from agents.engine.intent import Intent, Parsed
from agents.engine.parser import QuestionParser, cross_industry_note, places_only_note
from agents.engine.text import and_list
from agents.oews.crosswalk import SocCrosswalk
from agents.resolve.entities import Area, Industry, Occupation, Vocabulary
from agents.resolve.resolver import EntityResolver
from agents.sql.gateway import SqlGateway
from agents.sql.sqlite import SqliteGateway
from agents.trace import OFFLINE_ENGINE, TraceRecorder


class OewsEngine:
    def __init__(self, *, gateway: SqlGateway, vocabulary: Vocabulary, coverage: Coverage) -> None:
        self.gateway = gateway
        self.vocabulary = vocabulary
        self.resolver = EntityResolver(vocabulary)
        self.coverage = coverage
        self.crosswalk = SocCrosswalk.shipped()
        self.parser = QuestionParser(self.resolver, coverage)

    @classmethod
    def open(cls, database: Path, *, max_rows: int = 1000, time_limit_ms: int = 2000) -> OewsEngine:
        gateway = SqliteGateway(path=database, max_rows=max_rows, time_limit_ms=time_limit_ms)
        with SqliteGateway(path=database, max_rows=1_000_000, time_limit_ms=10_000) as dimensions:
            vocabulary = Vocabulary.load(lambda sql: dimensions.execute(sql).records())
        return cls(gateway=gateway, vocabulary=vocabulary, coverage=Coverage.load(gateway))

    # -- stage 1: understand ---------------------------------------------------------------

    def parse(self, question: str, context: dict[str, Any] | None = None) -> Parsed:
        return self.parser.parse(question, self.intent_from_context(context))

    # -- stage 2: frame the queries ---------------------------------------------------------

    def unapplied(self, parsed: Parsed) -> tuple[str, ...]:
        """Parts of the question this engine's answer would not use (empty: everything applied)."""
        if parsed.intent is None or parsed.refusal_kind or parsed.clarify is not None:
            return ()
        return (*parsed.intent.unapplied, *self.frame(parsed.intent).unapplied)

    def frame(self, intent: Intent) -> Framing:
        if intent.shape == "snapshot":
            return self._frame_snapshot(intent)
        if intent.shape == "growth":
            return self._frame_growth(intent)
        if intent.shape == "ranking":
            return self._frame_ranking(intent)
        if intent.shape == "trend":
            return self._frame_trend(intent)
        return self._frame_lookup(intent)

    def _frame_lookup(self, intent: Intent) -> Framing:
        notes: list[str] = []
        unapplied: list[str] = []
        areas = intent.areas or (self._national(),)
        naics: str | tuple[str, ...] = q.CROSS_INDUSTRY
        places = [a for a in areas if a.code != q.NATIONAL]
        if intent.industry is not None and len(places) > 1 and len(intent.industries) <= 1:
            # "casino gaming managers: nevada vs new jersey": the places compared, in every industry
            unapplied.append(places_only_note(intent.industry, places))
            intent = intent.with_(industry=None, industries=())
        if intent.industry is not None:
            asked = tuple(i.naics for i in intent.industries or (intent.industry,))
            naics = tuple(dict.fromkeys([*asked, *(p for code in asked for p in q.parent_industries(code))]))
            if places:
                unapplied.append(_national_only(areas))
                areas = (self._national(),)
        year = self._year(intent, areas, industry=intent.industry is not None, notes=unapplied)
        group = self._group(intent, areas)
        members = self._members(group) if group else ()
        query = q.lookup(
            intent,
            year=year,
            area_codes=tuple(a.code for a in areas),
            occ_codes=tuple(o.code for o in intent.occupations) + tuple(m.code for m in members),
            naics=naics,
        )
        return Framing(
            intent.with_(areas=areas), (query,), tuple(notes), group=group, unapplied=tuple(unapplied)
        )

    def _group(self, intent: Intent, areas: tuple[Area, ...]) -> Occupation | None:
        """A broad or minor SOC group asked about for one place below the nation.

        BLS often publishes such groups only nationally; its detailed occupations are read too,
        so the answer can show them when the group itself has no estimate there."""
        if len(intent.occupations) != 1 or len(areas) != 1 or areas[0].code == q.NATIONAL:
            return None
        occupation = intent.occupations[0]
        return occupation if occupation.o_group in ("broad", "minor") else None

    def _members(self, group: Occupation, limit: int = 15) -> tuple[Occupation, ...]:
        prefix = group.code[:6] if group.o_group == "broad" else group.code[:4]
        latest = self.coverage.latest
        return tuple(
            o
            for o in self.vocabulary.occupations
            if o.o_group == "detailed" and o.code.startswith(prefix) and o.last_year >= latest
        )[:limit]

    def _year(self, intent: Intent, areas: tuple[Area, ...], *, industry: bool, notes: list[str]) -> int:
        common = set(self.coverage.all_years)
        for area in areas:
            common &= set(self.coverage.years_for(area.kind, industry=industry))
        latest = max(common) if common else self.coverage.latest
        if not intent.years:
            return self._last_release(intent, common, notes) or latest
        asked = intent.years[-1]
        if asked in common:
            return asked
        notes.append(
            f"Not applied: May {asked}. Its figures are not loaded for this geography; this answer is "
            f"for May {latest}."
        )
        return latest

    @staticmethod
    def _last_release(intent: Intent, years: set[int], notes: list[str]) -> int | None:
        """No year asked, and the occupation is no longer published: its last figures, said so."""
        if len(intent.occupations) != 1:
            return None
        occupation = intent.occupations[0]
        if occupation.last_year >= max(years, default=0) or occupation.last_year not in years:
            return None
        notes.append(
            f"BLS last published {occupation.title} for May {occupation.last_year}; these are those figures."
        )
        return occupation.last_year

    def _frame_trend(self, intent: Intent) -> Framing:
        unapplied: list[str] = []
        area = intent.areas[0] if intent.areas else self._national()
        if intent.industry is not None and len(self.coverage.years_for("national", industry=True)) < 2:
            # "sales reps in wholesale, 2019 vs 2025": one year of industry figures, so cross-industry
            unapplied.append(cross_industry_note(intent.industry))
            intent = intent.with_(industry=None, industries=())
        industry = intent.industry is not None
        if len(self.coverage.years_for(area.kind, industry=industry)) < 2:
            if area.code != q.NATIONAL:
                unapplied.append(
                    f"Not applied: {area.title}. Earlier years are loaded only for the nation, so this "
                    "is the national trend."
                )
            area = self._national()
        available = self.coverage.years_for(area.kind, industry=industry)
        years = tuple(y for y in intent.years if y in available) or available
        if (
            len(intent.occupations) > 1
            and (old := self._one_predecessor(intent.occupations, years)) is not None
        ):
            # "DBAs and database architects 2019 vs 2025": the code BLS published them under, followed
            return self._frame_trend(intent.with_(occupations=(old,)))
        if len(intent.occupations) > 1:
            return self._frame_trends(intent.with_(areas=(area,)), years, tuple(unapplied))
        occupation = intent.occupations[0]
        notes: list[str] = []
        if occupation.first_year > min(years) and (namesake := self._namesake(occupation)) is not None:
            notes.append(
                f"Read “{occupation.title}” as {namesake.title} ({namesake.code}): BLS publishes the group "
                f"{occupation.code} only from May {occupation.first_year}."
            )
            occupation, intent = namesake, intent.with_(occupations=(namesake,))
        earlier = self._predecessors(occupation, years)
        if caveat := self.crosswalk.caveat(occupation.code, years):
            notes.append(caveat)
        naics = intent.industry.naics if intent.industry else q.CROSS_INDUSTRY
        queries = [
            q.trend(
                intent,
                years=years,
                area_code=area.code,
                occ_codes=(occupation.code,),
                naics=naics,
                earlier=earlier,
            )
        ]
        group = self._split_predecessor(occupation, years) or self._retired(occupation, years)
        if group is not None:
            queries.append(self._like_with_like(intent, group, years=years, area_code=area.code, naics=naics))
        elif occupation.o_group == "broad" and 1 < len(members := self._members(occupation, limit=4)) < 4:
            # "EMTs and paramedics" over time: the group, and each of its occupations in the last year
            codes = tuple(m.code for m in members)
            queries.append(
                q.parts(intent, year=max(years), area_code=area.code, occ_codes=codes, naics=naics)
            )
        return Framing(
            intent.with_(areas=(area,)),
            tuple(queries),
            tuple(notes),
            asked_code=occupation.code,
            unapplied=tuple(unapplied),
            like_with_like=group,
        )

    def _namesake(self, group: Occupation) -> Occupation | None:
        """A broad group's member titled by the group's name with an exception ("Entertainment and
        Recreation Managers" 11-9070: 11-9072 "…, Except Gambling"), the group's longest-published part."""
        if group.o_group != "broad":
            return None
        return next(
            (
                m
                for m in self._members(group)
                if m.title.partition(", Except ")[0] == group.title and ", Except " in m.title
            ),
            None,
        )

    def _one_predecessor(
        self, occupations: tuple[Occupation, ...], years: tuple[int, ...]
    ) -> Occupation | None:
        """The one old SOC code (May 2019–2020) that held every occupation asked about, in the years asked."""
        olds = [{old for old, _ in self._predecessors(o, years)} for o in occupations]
        common = set.intersection(*olds) if olds else set()
        if len(common) != 1:
            return None
        found = self.resolver.by_code("occupation", common.pop())
        return found if isinstance(found, Occupation) else None

    def _frame_trends(self, intent: Intent, years: tuple[int, ...], unapplied: tuple[str, ...]) -> Framing:
        """Several occupations over the same years, each under its own code (SOC changes named)."""
        codes = tuple(o.code for o in intent.occupations)
        naics = intent.industry.naics if intent.industry else q.CROSS_INDUSTRY
        query = q.trend(intent, years=years, area_code=intent.areas[0].code, occ_codes=codes, naics=naics)
        notes = tuple(c for code in codes if (c := self.crosswalk.caveat(code, years)))
        return Framing(intent, (query,), notes, asked_code=codes[0], unapplied=unapplied)

    def _split_predecessor(self, occupation: Occupation, years: tuple[int, ...]) -> tuple[str, int] | None:
        """The old code of a trend across the SOC change that also covered other occupations."""
        for link in self.crosswalk.predecessors(occupation.code):
            spans = min(years) <= link.old_years[1] < max(years)
            if spans and len(self.crosswalk.successors(link.old_code)) > 1:
                return link.old_code, link.old_years[1]
        return None

    def _retired(self, occupation: Occupation, years: tuple[int, ...]) -> tuple[str, int] | None:
        """An old SOC code asked about past its last year: followed into the occupations it became."""
        if occupation.last_year < max(years) and self.crosswalk.successors(occupation.code):
            return occupation.code, occupation.last_year
        return None

    def _like_with_like(
        self, intent: Intent, group: tuple[str, int], *, years: tuple[int, ...], area_code: str, naics: str
    ) -> q.Query:
        """The old code itself where BLS still publishes it (as a group: 29-2040), else the jobs of
        all the occupations it became, added up (only employment adds up; wages do not)."""
        old_code, last_as_detailed = group
        old = self.resolver.by_code("occupation", old_code)
        if isinstance(old, Occupation) and old.last_year > last_as_detailed:
            return q.trend(intent, years=years, area_code=area_code, occ_codes=(old_code,), naics=naics)
        successors = tuple(link.new_code for link in self.crosswalk.successors(old_code))
        if intent.measures[0] != "tot_emp" and intent.occupations[0].code == old_code:
            # an old code's pay after it ended: each occupation it became, side by side, never added up
            return q.parts(intent, year=max(years), area_code=area_code, occ_codes=successors, naics=naics)
        return q.total_employment(old_code, successors, years=years, area_code=area_code, naics=naics)

    def _frame_snapshot(self, intent: Intent) -> Framing:
        """A career snapshot: national pay range and employment over the years, best-paying states."""
        occupation = intent.occupations[0]
        national = self._national()
        years = self.coverage.years_for("national", industry=False)
        earlier = self._predecessors(occupation, years)
        notes: list[str] = []
        if caveat := self.crosswalk.caveat(occupation.code, years):
            notes.append(caveat)
        measures = ("a_median", "a_pct10", "a_pct90", "h_median", "tot_emp")
        trend = q.trend(
            intent.with_(measures=measures),
            years=years,
            area_code=national.code,
            occ_codes=(occupation.code,),
            naics=q.CROSS_INDUSTRY,
            earlier=earlier,
        )
        state_years = self.coverage.years_for("state", industry=False) or (self.coverage.latest,)
        states = q.rank_areas(
            "a_median",
            year=state_years[-1],
            occupation=occupation,
            kind="state",
            within=None,
            naics=q.CROSS_INDUSTRY,
            descending=True,
        )
        queries: tuple[q.Query, ...] = (trend, states)
        unapplied = []
        places = [a for a in intent.areas if a.code != q.NATIONAL]
        if places:  # "outlook for welders in Ohio": the place's own figures beside the nation's
            year = max(self.coverage.years_for(places[0].kind, industry=False) or (self.coverage.latest,))
            local = intent.with_(measures=("a_median", "h_median", "tot_emp"))
            queries += (
                q.lookup(
                    local,
                    year=year,
                    area_codes=(places[0].code,),
                    occ_codes=(occupation.code,),
                    naics=q.CROSS_INDUSTRY,
                ),
            )
        if len(places) > 1:
            unapplied.append(
                "Not applied: " + ", ".join(a.title for a in places[1:]) + ". A career snapshot covers one "
                "place beside the nation; ask “median pay for … in …” for each."
            )
        return Framing(
            intent.with_(areas=(national,), years=years),
            queries,
            tuple(notes),
            asked_code=occupation.code,
            unapplied=tuple(unapplied),
        )

    def _frame_growth(self, intent: Intent) -> Framing:
        national = self.coverage.years_for("national", industry=False)
        asked = [y for y in intent.years if y in national]
        start, end = (
            (min(asked), max(asked))
            if len(asked) >= 2
            else (national[max(0, len(national) - 5)], national[-1])
        )
        if len(asked) == 1:
            start = asked[0]
        group = next((o for o in intent.occupations if o.o_group != "detailed"), None)
        within, among = _population(intent, group)
        scope = f"{among}, U.S." if among else "in the U.S."
        query = q.rank_growth(
            intent.measures[0],
            years=(start, end),
            within=within,
            descending=intent.descending,
            absolute=intent.change == "absolute",
            threshold=intent.threshold,
        )
        unapplied = []
        if intent.areas and any(a.code != q.NATIONAL for a in intent.areas):
            unapplied.append(
                f"Not applied: {intent.areas[0].title}; growth over several years is national, because "
                "earlier years are loaded only for the nation."
            )
        return Framing(
            intent.with_(years=(start, end)),
            (query,),
            rank_noun="occupations",
            rank_scope=scope,
            unapplied=tuple(unapplied),
        )

    def _predecessors(self, occupation: Occupation, years: tuple[int, ...]) -> tuple[tuple[str, int], ...]:
        """Old SOC codes (May 2019–2020) that held this occupation in the years asked, with the
        last year of each (from the shipped crosswalk)."""
        links = self.crosswalk.predecessors(occupation.code)
        return tuple((link.old_code, link.old_years[1]) for link in links if min(years) <= link.old_years[1])

    def _frame_ranking(self, intent: Intent) -> Framing:
        measure = intent.measures[0]
        notes: list[str] = []
        if intent.rank_by == "area":
            return self._rank_areas(intent, measure, notes)
        if intent.rank_by == "industry":
            year = self._single_year(intent, "national", industry=True, notes=notes)
            occupation = intent.occupations[0]
            level = intent.rank_industry_level or "3-digit"
            query = q.rank_industries(
                measure,
                year=year,
                occupation=occupation,
                level=level,
                descending=intent.descending,
                threshold=intent.threshold,
            )
            scope = f"for {occupation.title} ({occupation.code}), U.S., {level} industries"
            places = tuple(a for a in intent.areas if a.code != q.NATIONAL)
            return Framing(
                intent.with_(areas=(self._national(),)),
                (query,),
                tuple(notes),
                rank_noun="industries",
                rank_scope=scope,
                unapplied=(_national_only(places),) if places else (),
            )
        return self._rank_occupations(intent, measure, notes)

    def _rank_occupations(self, intent: Intent, measure: str, notes: list[str]) -> Framing:
        area = intent.areas[0] if intent.areas else self._national()
        industry = intent.industry
        unapplied = []
        if industry is not None and area.code != q.NATIONAL:
            unapplied.append(_national_only((area,)))
            area = self._national()
        year = self._single_year(intent, area.kind, industry=industry is not None, notes=notes)
        naics = industry.naics if industry else q.CROSS_INDUSTRY
        group = next((o for o in intent.occupations if o.o_group != "detailed"), None)
        within, among = _population(intent, group)
        scope = " ".join((among, "in the U.S." if area.code == q.NATIONAL else f"in {area.title}")).strip()
        query = q.rank_occupations(
            measure,
            year=year,
            area_code=area.code,
            naics=naics,
            descending=intent.descending,
            within=within,
            threshold=intent.threshold,
        )
        if industry is not None:
            scope += f" in {industry.title}"
        return Framing(
            intent,
            (query,),
            tuple(notes),
            rank_noun="occupations",
            rank_scope=scope,
            unapplied=tuple(unapplied),
        )

    def _rank_areas(self, intent: Intent, measure: str, notes: list[str]) -> Framing:
        kind = intent.rank_area_kind or "state"
        occupation = intent.occupations[0]
        within = next((a for a in intent.areas if a.kind == "state"), None)
        year = self._single_year(intent, kind, industry=False, notes=notes)
        query = q.rank_areas(
            measure,
            year=year,
            occupation=occupation,
            kind=kind,
            within=within,
            naics=q.CROSS_INDUSTRY,
            descending=intent.descending,
            threshold=intent.threshold,
            excluded=intent.excluded,
        )
        noun = {"state": "states", "metro": "metro areas", "nonmetro": "nonmetropolitan areas"}[kind]
        scope = f"for {occupation.title} ({occupation.code})"
        if within is not None:
            scope += f" in {within.title}"
        if intent.excluded:
            scope += f", leaving out {and_list([a.title for a in intent.excluded])}"
            if kind != "state" and any(a.kind == "state" for a in intent.excluded):
                states = [a.title for a in intent.excluded if a.kind == "state"]
                notes.append(
                    f"Left out: every {noun[:-1]} in {and_list(states)}, including those that cross into it."
                )
        if kind == "state":
            notes.append(
                "States include the District of Columbia; Guam, Puerto Rico and the "
                "Virgin Islands are ranked separately by BLS and not included."
            )
        return Framing(intent, (query,), tuple(notes), rank_noun=noun, rank_scope=scope)

    def _single_year(self, intent: Intent, kind: str, *, industry: bool, notes: list[str]) -> int:
        available = self.coverage.years_for(kind, industry=industry) or self.coverage.all_years
        if intent.years and intent.years[-1] in available:
            return intent.years[-1]
        if intent.years:
            notes.append(
                f"Not applied: May {intent.years[-1]}. It is not loaded for this ranking; this answer is "
                f"for May {available[-1]}."
            )
        return available[-1]

    def _national(self) -> Area:
        return next(a for a in self.vocabulary.areas if a.kind == "national")

    # -- stage 3: run --------------------------------------------------------------------------

    def run(self, framing: Framing, recorder: TraceRecorder | None = None) -> Results:
        results = Results()
        for query in framing.queries:
            if recorder is None:
                results.add(self.gateway.execute(query.sql, query.params, max_rows=query.max_rows))
            else:
                results.add(
                    run_traced(
                        self.gateway,
                        query.sql,
                        query.params,
                        recorder,
                        model=OFFLINE_ENGINE,
                        max_rows=query.max_rows,
                    )
                )
        return results

    # -- follow-ups ---------------------------------------------------------------------------

    def intent_from_context(self, context: ThreadContext | Mapping[str, Any] | None) -> Intent | None:
        """The intent of the thread's previous answer, rebuilt from its stored codes."""
        stored = context if isinstance(context, ThreadContext) else ThreadContext.read(context)
        if stored is None:
            return None
        codes = self.resolver.by_code
        industry = codes("industry", stored.industry) if stored.industry else None
        return Intent(
            **stored.shared(),
            occupations=tuple(
                o for c in stored.occupations if isinstance(o := codes("occupation", c), Occupation)
            ),
            areas=tuple(a for c in stored.areas if isinstance(a := codes("area", c), Area)),
            industry=industry if isinstance(industry, Industry) else None,
        )


def _national_only(areas: tuple[Area, ...]) -> str:
    places = ", ".join(a.title for a in areas if a.code != q.NATIONAL)
    return (
        f"Not applied: {places}. OEWS publishes industry-specific figures only nationally, so "
        "these are national figures."
    )


def _population(intent: Intent, group: Occupation | None) -> tuple[q.Within, str]:
    """Which occupations a ranking ranks, and how its title says so: a group's (by code prefix),
    a family's ("nurse jobs": by code), or all ("")."""
    if intent.family:
        codes = tuple(o.code for o in intent.occupations)
        return codes, f"among the occupations with “{intent.family}” in their titles"
    within = _code_prefix(group) if group is not None else None
    if within is None or group is None:
        return None, ""
    return within, f"among {group.title} ({group.code})"


def _code_prefix(group: Occupation) -> str | None:
    """The SOC code prefix shared by a group's detailed occupations (None for All Occupations)."""
    return {"major": group.code[:2], "minor": group.code[:4], "broad": group.code[:6]}.get(group.o_group)
