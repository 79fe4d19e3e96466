"""Final answers: data answers from synthesis, plus clarifications, refusals and help."""

from __future__ import annotations

import re
from typing import Any

from agents.answer import Clarification, ClarifyOption, EngineAnswer
from agents.engine import synthesis
from agents.engine.context import context_of
from agents.engine.framing import Framing, Results
from agents.engine.intent import Intent, Parsed
from agents.engine.queries import parent_industries
from agents.oews.schema import NATIONAL

EXAMPLES = (
    "what do registered nurses make in Seattle?",
    "top 5 highest-paying jobs in Texas",
    "how has software developer pay changed since 2021?",
    "electricians hourly median, New York vs Florida",
    "salary range for dental hygienists in Ohio",
    "which industries employ the most pharmacists?",
)
SCOPE = (
    "I answer questions about U.S. employment and wages by occupation from the Bureau of Labor "
    "Statistics' Occupational Employment and Wage Statistics (OEWS): pay (median, mean, "
    "percentiles, hourly or annual), employment, jobs per 1,000 and location quotients, for the "
    "nation, states, metro and nonmetropolitan areas, and national figures by industry."
)


def _examples() -> str:
    return "For example: " + "; ".join(f"“{e}”" for e in EXAMPLES[:3]) + "."


def help_answer() -> EngineAnswer:
    return EngineAnswer(kind="refusal", text=f"{SCOPE} {_examples()}")


def refusal(parsed: Parsed) -> EngineAnswer:
    if parsed.refusal_kind == "help":
        return help_answer()
    if parsed.refusal_kind == "unsafe":
        return EngineAnswer(
            kind="refusal",
            text="I can't help with that. I only answer questions about U.S. jobs and pay from the BLS "
            f"OEWS data, and I don't share anything about other users or how I'm built. {_examples()}",
        )
    if parsed.refusal_kind == "no_data":
        return EngineAnswer(kind="not_found", text=parsed.refusal or "")
    if parsed.refusal_kind == "not_found":
        return not_found(parsed)
    reason = f"{parsed.refusal} " if parsed.refusal else ""
    return EngineAnswer(kind="refusal", text=f"{reason}{SCOPE} {_examples()}")


def not_found(parsed: Parsed) -> EngineAnswer:
    if parsed.unknown:
        names = " or ".join(f"“{u}”" for u in parsed.unknown[:3])
        text = (
            f"I couldn't match {names} to an occupation or a place in the OEWS data. Try a job "
            "title (e.g. “registered nurses”, “electricians”) and a U.S. state or metro area."
        )
    else:
        text = "Which occupation do you mean? Name a job title, e.g. “median pay for electricians in Texas”."
    return EngineAnswer(kind="not_found", text=text)


def clarification(parsed: Parsed, question: str) -> EngineAnswer:
    choice = parsed.clarify
    assert choice is not None
    options = tuple(
        ClarifyOption(label=reading, question=_replace_phrase(question, choice.phrase, reading))
        for reading in choice.readings
    )
    labels = ", ".join(choice.readings[:-1]) + f" or {choice.readings[-1]}"
    text = choice.sentence or f"“{choice.phrase}” matches several places: {labels}. Which one do you mean?"
    return EngineAnswer(
        kind="clarification",
        text=text,
        clarification=Clarification(question=f"Which “{choice.phrase}” do you mean?", options=options),
    )


def _replace_phrase(question: str, phrase: str, title: str) -> str:
    the = r"(?:\bthe\s+)?" if title.lower().startswith("the ") else ""  # "in the midwest" -> "in the U.S."
    words = r"\W+".join(map(re.escape, phrase.split()))
    pattern = re.compile(rf"{the}(?<!\w){words}(?!\w)", re.IGNORECASE)
    found = list(pattern.finditer(question))
    if not found:
        return f"{question} in {title}"
    last = found[-1]  # "the cleveland clinic … in cleveland": the place is named last
    return question[: last.start()] + title + question[last.end() :]


def compose(
    parsed: Parsed, framing: Framing | None, results: Results | None, question: str = ""
) -> EngineAnswer:
    if parsed.clarify is not None:
        return clarification(parsed, question)
    if parsed.intent is None or parsed.refusal_kind or framing is None or results is None:
        return refusal(parsed)
    draft = _draft(framing, results)
    intent = framing.intent
    caveats = list(dict.fromkeys([*intent.notes, *framing.notes, *draft.caveats]))
    unapplied = " ".join(dict.fromkeys((*intent.unapplied, *framing.unapplied, *intent.near_scope)))
    if results.truncated:
        caveats.append("Results were truncated at the row limit; some rows are not shown.")
    return EngineAnswer(
        kind="answer" if draft.found else "not_found",
        text=f"{unapplied} {draft.text}" if unapplied else draft.text,
        tables=tuple(draft.tables),
        caveats=tuple(caveats),
        sql=tuple(results.records),
        chart=draft.chart,
        context=context_of(framing.intent),
    )


def _draft(framing: Framing, results: Results) -> synthesis.Draft:
    intent, rows = framing.intent, results.rows
    if intent.shape == "snapshot":
        return synthesis.snapshot(intent, rows, asked_code=framing.asked_code)
    if intent.shape == "ranking" and intent.threshold is not None:
        return synthesis.threshold_list(intent, rows, noun=framing.rank_noun, scope=framing.rank_scope)
    if intent.shape == "growth":
        return synthesis.growth(intent, rows, scope=framing.rank_scope, top_n=intent.top_n or 10)
    if intent.shape == "ranking":
        top_n = intent.top_n or 10
        return synthesis.ranking(intent, rows, noun=framing.rank_noun, scope=framing.rank_scope, top_n=top_n)
    if not rows:
        return synthesis.Draft(text=_no_rows(intent), found=False)
    if intent.shape == "trend" and len(intent.occupations) > 1:
        return synthesis.trends(intent, rows)
    if intent.shape == "trend":
        return synthesis.trend(
            intent, rows, asked_code=framing.asked_code, like_with_like=framing.like_with_like
        )
    if framing.group is not None:
        return _group_draft(framing, rows)
    return _lookup_draft(intent, rows)


def _lookup_draft(intent: Intent, rows: list[dict[str, Any]]) -> synthesis.Draft:
    """One row, or several side by side (places, occupations or industries), with any threshold."""
    ordered, stood_in = _parents_standing_in(intent, _in_question_order(intent, rows))
    if len(ordered) > 1:
        by = "industry" if len(intent.industries) > 1 else "area" if len(intent.areas) > 1 else "occupation"
        draft = synthesis.compare(intent, ordered, by=by)
    else:
        draft = synthesis.lookup(intent, ordered[0])
    if len(ordered) < len(intent.occupations) * len(intent.areas) * max(1, len(intent.industries)):
        draft.text = f"{_missing_rows(intent, ordered)} {draft.text}"
    if intent.threshold is not None:
        draft.text += " " + synthesis.threshold_verdict(intent.threshold, ordered)
    draft.caveats.extend(stood_in)
    return draft


def _parents_standing_in(
    intent: Intent, rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows of the industries asked about; where BLS published none for an occupation, the
    nearest industry holding it that has one (456110 Pharmacies: 456100 Health and Personal Care
    Retailers), said so. Rows of such parents that stand in for nothing are dropped."""
    industries = intent.industries or ((intent.industry,) if intent.industry else ())
    titles = {i.naics: i.title for i in industries}
    if not titles:
        return rows, []
    found = {(r["area_code"], r["occ_code"], r["naics"]): r for r in rows}
    kept: list[dict[str, Any]] = []
    said: list[str] = []
    for area, occupation in dict.fromkeys((r["area_code"], r["occ_code"]) for r in rows):
        for code, title in titles.items():
            row = found.get((area, occupation, code))
            if row is None:
                parents = (
                    found.get((area, occupation, p)) for p in parent_industries(code) if p not in titles
                )
                if (row := next((r for r in parents if r is not None), None)) is None:
                    continue
                said.append(
                    f"BLS publishes no estimate for {row['occupation']} in {title} (NAICS {code}); shown "
                    f"instead: the industry that holds it, {row['industry']} (NAICS {row['naics']})."
                )
                row = {**row, "asked_naics": code}
            kept.append(row)
    return kept, said


def _group_draft(framing: Framing, rows: list[dict[str, Any]]) -> synthesis.Draft:
    """The group's own estimate when published there; otherwise its detailed occupations."""
    group, intent = framing.group, framing.intent
    assert group is not None
    own = [r for r in rows if r["occ_code"] == group.code]
    if own:
        return synthesis.lookup(intent, own[0])
    members = [r for r in rows if r["occ_code"] != group.code]
    if not members:
        return synthesis.Draft(text=_no_rows(intent), found=False)
    headline = intent.measures[0]
    members.sort(key=lambda r: (r.get(headline) is None, -(r.get(headline) or 0)))
    draft = synthesis.compare(intent, members, by="occupation")
    place = members[0]["area"]
    draft.text = (
        f"BLS publishes no estimate for {group.title} ({group.code}) as a group in {place}; "
        f"here are its detailed occupations there. {draft.text}"
    )
    return draft


def _in_question_order(intent: Intent, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    area_rank = {a.code: i for i, a in enumerate(intent.areas)}
    occ_rank = {o.code: i for i, o in enumerate(intent.occupations)}
    ind_rank = {i.naics: n for n, i in enumerate(intent.industries)}
    return sorted(
        rows,
        key=lambda r: (
            area_rank.get(r["area_code"], 99),
            occ_rank.get(r["occ_code"], 99),
            ind_rank.get(r.get("naics", ""), 99),
        ),
    )


def _no_rows(intent: Intent) -> str:
    occupations = " / ".join(f"{o.title} ({o.code})" for o in intent.occupations)
    places = " / ".join("the U.S." if a.code == NATIONAL else a.title for a in intent.areas) or "the U.S."
    industry = f" in {intent.industry.title}" if intent.industry else ""
    return (
        f"BLS publishes no estimate for {occupations} in {places}{industry} for that year. "
        "The occupation may be too small there to be published; try the state or the nation."
    )


def _missing_rows(intent: Intent, rows: list[dict[str, Any]]) -> str:
    shown = {(r["area_code"], r["occ_code"], r.get("asked_naics", r.get("naics"))) for r in rows}
    missing = [
        f"{o.title}{' in ' + i.title if i else ''}{'' if a.code == NATIONAL else ' in ' + a.title}"
        for a in intent.areas
        for o in intent.occupations
        for i in (intent.industries or (None,))
        if (a.code, o.code, i.naics if i else "000000") not in shown
    ]
    listed = "; ".join(missing[:4]) if missing else "some of the places or occupations you asked about"
    return f"Not applied: {listed}. BLS publishes no estimate there, so only the rest is shown."
