"""Rows -> the answer a person reads: sentence, table, caveats, chart spec.

Every number written here is a value of a result row, or a stated derivation of two of them
(a difference or percent change).  Nothing is computed that BLS did not publish: no hourly
figure from an annual one, no value for a suppressed or top-coded cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from agents.answer import ChartSeries, ChartSpec, Row
from agents.engine import format as fmt
from agents.engine.intent import Intent, Threshold
from agents.engine.queries import growth_floor
from agents.oews.schema import ALL_OCCUPATIONS, NATIONAL, top_code
from agents.table import Column, Table, number_text

RSE_WARNING = 20.0  # percent: above this an estimate is flagged as less reliable
_RANK = Column(name="#", kind="rank")


@dataclass
class Draft:
    text: str
    tables: list[Table] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    chart: ChartSpec | None = None
    found: bool = True


def where(row: Row) -> str:
    if row.get("area_kind", "") == "national" or row.get("area_code") == NATIONAL:
        place = "in the U.S."
    else:
        place = f"in {row['area']}"
    industry = row.get("naics")
    if industry and industry != "000000":
        place += f" in {_industry_name(str(row['industry']))} (NAICS {industry})"
    return place


def _industry_name(title: str) -> str:
    if " - " in title and title.lower().startswith("sector"):
        return title.split(" - ", 1)[1]
    return title


def who(row: Row) -> str:
    if row["occ_code"] == ALL_OCCUPATIONS:
        return "all occupations combined (00-0000)"
    return f"{row['occupation']} ({row['occ_code']})"


def caption(year: int | str) -> str:
    return f"Source: BLS Occupational Employment and Wage Statistics (OEWS), May {year}"


# -- special values ---------------------------------------------------------------------------


def value_phrase(measure: str, row: Row) -> str | None:
    """ "$128,260", "at or above $239,200", or None when not published."""
    value, flag = row.get(measure), row.get(f"{measure}_flag")
    if value is not None:
        return fmt.number(measure, value)
    if flag == "#":
        return f"at or above {fmt.top_coded(measure, int(row['year']))}"
    return None


_SPECIAL_TEXT = {
    "annual_only": "BLS publishes only annual wages for {subjects}: the occupation is typically not paid "
    "year-round full time, so no hourly figure is published.",
    "hourly_only": "BLS publishes only hourly wages for {subjects} (typically not year-round, full time), "
    "so no annual figure is published.",
    "not_published": "BLS did not publish wage estimates for {subjects}: the estimate did not meet BLS "
    "publication standards or would reveal confidential data.",
    "no_employment": "BLS did not publish the employment estimate for {subjects}.",
}


def special_caveats(measures: Sequence[str], row: Row) -> list[str]:
    return grouped_caveats(measures, [row])


def grouped_caveats(measures: Sequence[str], rows: Sequence[Row]) -> list[str]:
    """One caveat per kind of special value, naming every row it applies to."""
    subjects: dict[str, list[str]] = {}
    top_coded_years: list[int] = []
    for row in rows:
        for kind in _special_kinds(measures, row):
            if kind == "top_coded":
                top_coded_years.append(int(row["year"]))
            else:
                subjects.setdefault(kind, []).append(_row_subject(row))
    out = [_SPECIAL_TEXT[kind].format(subjects=_listed(names)) for kind, names in subjects.items()]
    for year in sorted(set(top_coded_years), key=lambda y: top_code(y)):
        hourly, annual = top_code(year)
        out.append(
            f"Top-coded: BLS publishes wages at or above ${annual:,.0f} a year (${hourly:,.2f} "
            "an hour) only as “at or above” that figure, with no exact value."
        )
    for row in rows:
        out.extend(_reliability(measures, row))
    return list(dict.fromkeys(out))


def _special_kinds(measures: Sequence[str], row: Row) -> list[str]:
    flags = {row.get(f"{m}_flag") for m in measures}
    wage_asked = any(fmt.is_wage(m) for m in measures)
    kinds = []
    if row.get("annual_only") and wage_asked:
        kinds.append("annual_only")
    elif row.get("hourly_only") and wage_asked:
        kinds.append("hourly_only")
    elif "*" in flags:
        kinds.append("not_published")
    if "**" in flags:
        kinds.append("no_employment")
    if "#" in flags:
        kinds.append("top_coded")
    return kinds


def _row_subject(row: Row) -> str:
    return f"{row['occupation']} {where(row)} (May {row['year']})"


def _listed(names: list[str]) -> str:
    names = list(dict.fromkeys(names))
    if len(names) > 4:
        return ", ".join(names[:3]) + f" and {len(names) - 3} more"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _reliability(measures: Sequence[str], row: Row) -> list[str]:
    out = []
    wage_rse, emp_rse = row.get("mean_prse"), row.get("emp_prse")
    if any(fmt.is_wage(m) for m in measures) and wage_rse is not None and wage_rse >= RSE_WARNING:
        out.append(
            f"Less reliable: the wage estimate for {row['occupation']} {where(row)} has a "
            f"relative standard error of {wage_rse:.1f}%."
        )
    if emp_rse is not None and emp_rse >= RSE_WARNING and "tot_emp" in measures:
        out.append(
            f"Less reliable: the employment estimate for {row['occupation']} {where(row)} "
            f"has a relative standard error of {emp_rse:.1f}%."
        )
    return out


# -- lookups ----------------------------------------------------------------------------------


def lookup(intent: Intent, row: Row) -> Draft:
    measures = intent.measures
    percentiles = [m for m in measures if "pct" in m or m.endswith("median")]
    if len(percentiles) >= 3:
        return _distribution(intent, row)
    sentences = [_lookup_sentence(m, row) for m in _headline_measures(measures, row)]
    extra = _context_sentence(measures, row)
    text = " ".join(s for s in [*sentences, extra] if s)
    draft = Draft(text=text, caveats=special_caveats(measures, row) + _employment_caveat(measures))
    if intent.chart:
        draft.chart = _asked_chart(measures, row)
    return draft


def _asked_chart(measures: tuple[str, ...], row: Row) -> ChartSpec | None:
    """ "As a chart" for one value: the wage distribution it sits in (every point is published)."""
    basis = "h" if any(m.startswith("h_") for m in measures) and row.get("h_median") is not None else "a"
    keys = [f"{basis}_pct10", f"{basis}_pct25", f"{basis}_median", f"{basis}_pct75", f"{basis}_pct90"]
    return _range_chart([row], keys, f"{row['occupation']}: wage distribution {where(row)}")


def _headline_measures(measures: tuple[str, ...], row: Row) -> list[str]:
    """Measures worth a sentence: for "median + mean" the mean goes into the median's sentence."""
    if set(measures) >= {"a_median", "a_mean"} or set(measures) >= {"h_median", "h_mean"}:
        return [m for m in measures if not m.endswith("_mean")]
    return [m for m in measures if not m.endswith("_prse")] or list(measures)


def _lookup_sentence(measure: str, row: Row) -> str:
    year = row["year"]
    shown = value_phrase(measure, row)
    if shown is None and fmt.is_wage(measure) and (row.get("annual_only") or row.get("hourly_only")):
        return _other_basis_sentence(measure, row)
    if shown is None:
        return f"BLS did not publish the {fmt.label(measure)} of {who(row)} {where(row)} for May {year}."
    if measure == "tot_emp" and row["occ_code"] == ALL_OCCUPATIONS:
        return f"In May {year} there were {shown} wage and salary jobs {where(row)} (all occupations)."
    if measure == "tot_emp":
        return _sentence(f"In May {year}, {shown} people were employed as {who(row)} {where(row)}")
    if measure == "jobs_1000":
        return f"In May {year}, {who(row)} {where(row)} held {shown} of every 1,000 jobs."
    if measure == "loc_quotient":
        return (
            f"In May {year} the location quotient of {who(row)} {where(row)} was {shown} "
            f"({_lq_meaning(row[measure])})."
        )
    sentence = f"In May {year} the {fmt.label(measure)} of {who(row)} {where(row)} was {shown}"
    mean = measure.replace("median", "mean")
    if measure.endswith("median") and mean != measure and (mean_value := value_phrase(mean, row)):
        sentence += f" (mean {mean_value})"
    if measure.endswith("pct90") and row.get(measure) is not None:
        sentence += "; 10% earned more"
    elif measure.endswith("pct10") and row.get(measure) is not None:
        sentence += "; 10% earned less"
    return sentence + "."


def _sentence(text: str) -> str:
    """End with one full stop ("in the U.S." already has one)."""
    return text if text.endswith(".") else text + "."


def _other_basis_sentence(measure: str, row: Row) -> str:
    """Asked hourly for an annual-only occupation (or the reverse): quote what BLS did publish."""
    published, missing = ("annual", "hourly") if row.get("annual_only") else ("hourly", "annual")
    other = ("a_" if published == "annual" else "h_") + measure[2:]
    shown = value_phrase(other, row)
    text = (
        f"BLS publishes no {missing} wage for {who(row)} {where(row)} (May {row['year']}), "
        f"only {published} wages"
    )
    return text + (f": the {fmt.label(other)} was {shown}." if shown else ".")


def _lq_meaning(lq: float) -> str:
    if lq > 1.05:
        return f"{lq:.2f} times as concentrated there as in the nation"
    if lq < 0.95:
        return "less concentrated there than in the nation"
    return "about as concentrated there as in the nation"


def _context_sentence(measures: tuple[str, ...], row: Row) -> str:
    if "tot_emp" in measures or not any(fmt.is_wage(m) for m in measures):
        return ""
    employment = value_phrase("tot_emp", row)
    return f"Employment: {employment}." if employment else ""


def _employment_caveat(measures: Sequence[str]) -> list[str]:
    if "tot_emp" in measures:
        return ["OEWS employment counts wage and salary jobs; it excludes the self-employed."]
    return []


def _distribution(intent: Intent, row: Row) -> Draft:
    basis = "h" if all(m.startswith("h_") for m in intent.measures if fmt.is_wage(m)) else "a"
    keys = [f"{basis}_pct10", f"{basis}_pct25", f"{basis}_median", f"{basis}_pct75", f"{basis}_pct90"]
    low, high, median = (value_phrase(k, row) for k in (keys[0], keys[4], keys[2]))
    period = "an hour" if basis == "h" else "a year"
    if low and high:
        text = (
            f"In May {row['year']} {who(row)} {where(row)} earned from {low} (10th percentile) to "
            f"{high} (90th percentile) {period}; the median was {median or fmt.NOT_PUBLISHED}."
        )
        text += position_in_range(intent.position, keys, row) if intent.position is not None else ""
    else:
        text = f"BLS did not publish the wage distribution of {who(row)} {where(row)} for May {row['year']}."
    table = Table(
        title=f"{row['occupation']} {where(row)}, May {row['year']}",
        columns=(Column(name="Percentile"), fmt.column(keys[0], name="Wage")),
        rows=tuple((name, fmt.cell(k, row)) for name, k in zip(_PCT_NAMES, keys, strict=True)),
    )
    chart = _range_chart([row], keys, f"{row['occupation']}: wage distribution {where(row)}")
    return Draft(text=text, tables=[table], caveats=special_caveats(keys, row), chart=chart)


_PCT_NAMES = ("10th", "25th", "Median", "75th", "90th")
_PCT_WORDS = tuple("the median" if n == "Median" else f"the {n} percentile" for n in _PCT_NAMES)


def position_in_range(amount: float, keys: list[str], row: Row) -> str:
    """Where an amount falls among the published percentiles: " $75,000 a year is between the
    25th percentile ($68,990) and the median ($77,470)." (a top-coded or missing cell bounds
    nothing, and is said so by the table)."""
    said = fmt.number(keys[0], amount)
    period = "an hour" if keys[0].startswith("h_") else "a year"
    points = [
        (name, float(row[k]), k) for name, k in zip(_PCT_WORDS, keys, strict=True) if row.get(k) is not None
    ]
    if not points:
        return ""
    below = [p for p in points if p[1] <= amount]
    above = [p for p in points if p[1] > amount]
    if not below:
        name, value, key = above[0]
        share = _share(name)
        return f" {said} {period} is below {name} ({fmt.number(key, value)}): more than {share} earn more."
    if not above:
        name, value, key = below[-1]
        return f" {said} {period} is at or above {name} ({fmt.number(key, value)})."
    (lo_name, lo, lo_key), (hi_name, hi, hi_key) = below[-1], above[0]
    return (
        f" {said} {period} is between {lo_name} ({fmt.number(lo_key, lo)}) and {hi_name} "
        f"({fmt.number(hi_key, hi)})."
    )


def _share(name: str) -> str:
    return {"the 10th percentile": "90%", "the 25th percentile": "75%", "the median": "half"}.get(
        name, "some"
    )


def _range_chart(rows: list[Row], keys: list[str], title: str) -> ChartSpec | None:
    values = [[r.get(k) for r in rows] for k in keys]
    if all(v is None for series in values for v in series):
        return None
    return ChartSpec(
        kind="range",
        title=title,
        categories=tuple(_label(r) for r in rows),
        series=tuple(ChartSeries(name=n, values=tuple(v)) for n, v in zip(_PCT_NAMES, values, strict=True)),
        unit="usd_hourly" if keys[0].startswith("h_") else "usd_annual",
        y_label="Hourly wage" if keys[0].startswith("h_") else "Annual wage",
        caption=caption(rows[0]["year"]),
    )


def _label(row: Row) -> str:
    return "U.S." if row.get("area_code") == NATIONAL else str(row.get("area", ""))


# -- comparisons --------------------------------------------------------------------------------


def compare(intent: Intent, rows: list[Row], *, by: str) -> Draft:
    """Two or more areas (by="area") or occupations (by="occupation") side by side."""
    measures = [m for m in intent.measures if not m.endswith("_prse")] or list(intent.measures)
    headline = measures[0]
    name = {"area": _label, "industry": _industry_label}.get(by, _occupation_name)
    text = _compare_sentence(headline, rows, name, by)
    columns = (Column(name=by.capitalize()), *(fmt.column(m) for m in measures))
    table = Table(
        title=f"{_subject(rows, by)}, May {rows[0]['year']}",
        columns=columns,
        rows=tuple((name(r), *(fmt.cell(m, r) for m in measures)) for r in rows),
    )
    caveats = grouped_caveats(measures, rows) + _employment_caveat(measures)
    chart = _bar_chart(headline, rows, name, f"{fmt.label(headline).capitalize()}: {_subject(rows, by)}")
    return Draft(text=text, tables=[table], caveats=caveats, chart=chart)


def _occupation_name(row: Row) -> str:
    return str(row["occupation"])


def _industry_label(row: Row) -> str:
    return f"{_industry_name(str(row['industry']))} (NAICS {row['naics']})"


def _subject(rows: list[Row], by: str) -> str:
    if by == "industry":
        return f"{who(rows[0])} in the U.S."
    if by == "area":
        return who(rows[0])
    return where(rows[0]).removeprefix("in ").replace("the U.S.", "U.S.")


def _compare_sentence(measure: str, rows: list[Row], name: Any, by: str) -> str:
    shown = [(name(r), value_phrase(measure, r), r.get(measure)) for r in rows]
    listed = "; ".join(f"{n}: {v or fmt.shown(measure, r)}" for (n, v, _), r in zip(shown, rows, strict=True))
    subject = {"area": who(rows[0]), "industry": _subject(rows, by)}.get(by, where(rows[0]))
    text = f"{fmt.label(measure).capitalize()}, May {rows[0]['year']}, {subject} — {listed}."
    numeric = [(n, raw) for n, _, raw in shown if raw is not None]
    if len(numeric) == 2 and len(rows) == 2 and numeric[0][1] != numeric[1][1]:
        (hi_name, hi), (_, lo) = sorted(numeric, key=lambda x: x[1], reverse=True)
        diff = fmt.number(measure, hi - lo) if measure != "loc_quotient" else f"{hi - lo:.2f}"
        text += f" {hi_name} is higher by {diff} ({fmt.percent_change(lo, hi)})."
    elif len(numeric) >= 3:  # "each New England state": which is highest and lowest, not only a list
        (hi_name, hi), *_, (lo_name, lo) = sorted(numeric, key=lambda x: x[1], reverse=True)
        if hi != lo:
            text += f" Highest: {hi_name}; lowest: {lo_name}".removesuffix(".") + "."  # not "U.S.."
    return text


def _bar_chart(measure: str, rows: list[Row], name: Any, title: str) -> ChartSpec | None:
    values = tuple(r.get(measure) for r in rows)
    if sum(v is not None for v in values) < 2:
        return None
    return ChartSpec(
        kind="bar" if len(rows) <= 5 else "hbar",  # many long labels read better sideways
        title=title,
        categories=tuple(name(r) for r in rows),
        series=(ChartSeries(name=fmt.label(measure), values=values),),
        unit=_unit(measure),
        y_label=fmt.label(measure).capitalize(),
        caption=caption(rows[0]["year"]),
    )


def _unit(measure: str) -> Any:
    if measure.startswith("a_"):
        return "usd_annual"
    if measure.startswith("h_"):
        return "usd_hourly"
    return "count" if measure == "tot_emp" else "ratio"


# -- trends ----------------------------------------------------------------------------------


def trend(
    intent: Intent, rows: list[Row], *, asked_code: str, like_with_like: tuple[str, int] | None = None
) -> Draft:
    measures = [m for m in intent.measures if not m.endswith("_prse")] or list(intent.measures)
    headline = measures[0]
    members = [r for r in rows if "occ_code" not in r]  # a broad group's occupations, last year
    rows, group = _split_group([r for r in rows if "occ_code" in r], like_with_like)
    # Years under an older, broader SOC code are shown, and compared only when nothing else is.
    same = [r for r in rows if r["occ_code"] == asked_code]
    first, last = (same[0] if len(same) > 1 else rows[0]), rows[-1]
    text = _trend_text(measures, first, last, asked_code, like_with_like, group)
    if members and first is last and like_with_like is not None:  # an old code's pay after it ended
        text = (
            f"The {fmt.label(headline)} of {last['occupation']} ({asked_code}) {where(last)} was "
            f"{value_phrase(headline, last) or fmt.NOT_PUBLISHED} in May {last['year']}; BLS published that "
            f"code until May {like_with_like[1]} and now publishes the occupations it became separately "
            "(wages are not added up)."
        )
    text += _members_sentence(headline, members)
    table = Table(
        title=f"{last['occupation']} {where(last)}",
        columns=(Column(name="Year"), *(fmt.column(m) for m in measures)),
        rows=tuple((f"May {r['year']}", *(fmt.cell(m, r) for m in measures)) for r in rows),
    )
    caveats = grouped_caveats(measures, rows)
    chart = ChartSpec(
        kind="line",
        title=f"{fmt.label(headline).capitalize()}: {last['occupation']} {where(last)}",
        categories=tuple(str(r["year"]) for r in rows),
        series=(ChartSeries(name=fmt.label(headline), values=tuple(r.get(headline) for r in rows)),),
        unit=_unit(headline),
        y_label=fmt.label(headline).capitalize(),
        caption=caption(f"{first['year']}–May {last['year']}"),
    )
    return Draft(text=text, tables=[table], caveats=caveats + _employment_caveat(measures), chart=chart)


def trends(intent: Intent, rows: list[Row]) -> Draft:
    """Two or three occupations over the same years: each one's change, and which changed more."""
    measures = [m for m in intent.measures if not m.endswith("_prse")] or list(intent.measures)
    headline = measures[0]
    own = [[r for r in rows if r["occ_code"] == o.code] for o in intent.occupations]
    own = [series for series in own if series]
    sentences = [
        _trend_sentence(headline, s[0], s[-1], f"{s[-1]['occupation']} ({s[-1]['occ_code']}) {where(s[-1])}")
        for s in own
    ]
    text = " ".join(sentences) + _which_changed_more(headline, own, intent.change)
    years = sorted({r["year"] for r in rows})
    by_year = {(r["year"], r["occ_code"]): r for r in rows}
    table = Table(
        title=f"{fmt.label(headline).capitalize()} {where(rows[-1])}",
        columns=(Column(name="Year"), *(fmt.column(headline, name=s[-1]["occupation"]) for s in own)),
        rows=tuple(
            (f"May {y}", *(fmt.cell(headline, by_year.get((y, s[-1]["occ_code"]), {})) for s in own))
            for y in years
        ),
    )
    chart = ChartSpec(
        kind="line",
        title=f"{fmt.label(headline).capitalize()} {where(rows[-1])}",
        categories=tuple(str(y) for y in years),
        series=tuple(
            ChartSeries(
                name=s[-1]["occupation"],
                values=tuple(by_year.get((y, s[-1]["occ_code"]), {}).get(headline) for y in years),
            )
            for s in own
        ),
        unit=_unit(headline),
        y_label=fmt.label(headline).capitalize(),
        caption=caption(f"{years[0]}–May {years[-1]}"),
    )
    caveats = grouped_caveats([headline], rows) + _employment_caveat([headline])
    return Draft(text=text, tables=[table], caveats=caveats, chart=chart)


def _which_changed_more(measure: str, series: list[list[Row]], change: str | None) -> str:
    """ " HR Specialists changed more in dollars: +$14,230 (+21.0%) against +$9,850 (+35.5%)." """
    changes = [
        (str(s[-1]["occupation"]), float(s[0][measure]), float(s[-1][measure]))
        for s in series
        if len(s) > 1 and s[0].get(measure) is not None and s[-1].get(measure) is not None
    ]
    if len(changes) != 2 or len(series) != 2:
        return ""
    relative = change == "relative"

    def size(c: tuple[str, float, float]) -> float:
        return (c[2] - c[1]) / c[1] if relative else c[2] - c[1]

    more, less = sorted(changes, key=size, reverse=True)
    if size(more) == size(less):
        return ""
    said = [f"{_difference(measure, c[2] - c[1])} ({fmt.percent_change(c[1], c[2])})" for c in (more, less)]
    how = "in percent" if relative else "in dollars" if measure != "tot_emp" else "in jobs"
    return f" {more[0]} changed more {how}: {said[0]} against {said[1]}."


def _second_kind(measures: list[str]) -> str | None:
    """Jobs beside pay (or pay beside jobs) when both were asked for: the first of the other kind."""
    jobs = measures[0] == "tot_emp"
    pay = ("a_", "h_")
    return next(
        (m for m in measures[1:] if (m == "tot_emp") != jobs and (m == "tot_emp" or m.startswith(pay))), None
    )


def _trend_text(
    measures: list[str],
    first: Row,
    last: Row,
    asked_code: str,
    like_with_like: tuple[str, int] | None,
    group: list[Row],
) -> str:
    headline = measures[0]
    subject = f"{last['occupation']} ({asked_code}) {where(last)}"
    text = _trend_sentence(headline, first, last, subject)
    if (second := _second_kind(measures)) and not like_with_like:  # "jobs added, and the pay rise"
        text += " " + _trend_sentence(second, first, last, subject)
    if like_with_like is None:
        return text
    if first["occ_code"] == like_with_like[0] and asked_code != first["occ_code"]:
        # only the old, broader code before: both figures, never a change between them
        text = _apart(headline, first, last, subject)
    together = _like_with_like(headline, group, like_with_like[1], where(last))
    if not together:
        return text
    if asked_code == like_with_like[0]:  # an old code asked about: what it became, added up
        return together[0].upper() + together[1:]
    return f"{text} Like with like, {together}"


def _members_sentence(measure: str, members: list[Row]) -> str:
    """ " In May 2025: Emergency Medical Technicians (29-2042) 180,510 and Paramedics (29-2043) 100,610." """
    listed = [
        f"{r['part']} ({r['part_code']}) {value_phrase(measure, r) or fmt.NOT_PUBLISHED}" for r in members
    ]
    if len(listed) < 2:
        return ""
    return f" In May {members[0]['year']}: {', '.join(listed[:-1])} and {listed[-1]}."


def _apart(measure: str, old: Row, new: Row, subject: str) -> str:
    """ "The median annual wage of Database Administrators (15-1242) in the U.S. was $104,620 in May
    2025; for May 2019 BLS published it only with others, under 15-1245 (…): $93,750." """
    return (
        f"The {fmt.label(measure)} of {subject} was {value_phrase(measure, new) or fmt.NOT_PUBLISHED} in "
        f"May {new['year']}; for May {old['year']} BLS published it only together with other occupations, "
        f"under {old['occ_code']} “{old['occupation']}”: {value_phrase(measure, old) or fmt.NOT_PUBLISHED}."
    )


def _like_with_like(measure: str, group: list[Row], last_old_year: int, place: str) -> str:
    """ "the employment of Emergency Medical Technicians and Paramedics (29-2040) together rose
    from …": the old SOC code over the years, still published or added up ("" when it cannot be)."""
    later = [r for r in group if r["year"] > last_old_year and r.get(measure) is not None]
    if not group or group[0]["year"] > last_old_year or not later:
        return ""
    old, new = group[0], later[-1]
    code = old["occ_code"]
    if new.get("occupation"):
        subject = f"{new['occupation']} ({code}) together {place}"
    else:  # the jobs of every occupation the old code became, added up in SQL
        subject = f"{old['occupation']} ({code}; later the occupations it became, added up) {place}"
    return "the " + _trend_sentence(measure, old, new, subject)[4:] + _parts(group, new)


def _parts(group: list[Row], total: Row) -> str:
    """ " In May 2025: Web Developers 70,190 and Web and Digital Interface Designers 113,330." """
    parts = [r for r in group if r["year"] == total["year"] and r.get("part")]
    if len(parts) < 2:
        return ""
    listed = [f"{r['part']} ({r['part_code']}) {number_text('count', r['part_emp'])}" for r in parts]
    return f" In May {total['year']}: {', '.join(listed[:-1])} and {listed[-1]}."


def _split_group(rows: list[Row], like_with_like: tuple[str, int] | None) -> tuple[list[Row], list[Row]]:
    """The occupation's own rows (its old code's years included), and its old code's group rows."""
    if like_with_like is None:
        return rows, []
    code, last_year = like_with_like
    group = sorted((r for r in rows if r["occ_code"] == code), key=lambda r: r["year"])
    own = [r for r in rows if r["occ_code"] != code or r["year"] <= last_year]
    return sorted({(r["year"], r["occ_code"]): r for r in own}.values(), key=lambda r: r["year"]), group


def _trend_sentence(measure: str, first: Row, last: Row, subject: str) -> str:
    a, b = value_phrase(measure, first), value_phrase(measure, last)
    label = fmt.label(measure)
    if first is last:
        return f"Only May {last['year']} is available: the {label} of {subject} was {b or fmt.NOT_PUBLISHED}."
    if a is None or b is None or first.get(measure) is None or last.get(measure) is None:
        return (
            f"The {label} of {subject}: {a or fmt.NOT_PUBLISHED} in May {first['year']} and "
            f"{b or fmt.NOT_PUBLISHED} in May {last['year']}."
        )
    old, new = first[measure], last[measure]
    verb = "rose" if new > old else "fell" if new < old else "stayed at"
    change = f" ({_by_how_much(measure, new - old)}, {fmt.percent_change(old, new)})" if new != old else ""
    span = f"from {a} in May {first['year']} to {b} in May {last['year']}"
    return f"The {label} of {subject} {verb} {span}{change}."


def _by_how_much(measure: str, difference: float) -> str:
    """ "+323,710"; a fall as its size in words, "507,220 fewer", "$1,230 less" (how people ask)."""
    if difference >= 0:
        return _difference(measure, difference)
    fewer = "fewer" if measure == "tot_emp" else "less"
    return f"{number_text(fmt.kind(measure), -difference)} {fewer}"


# -- rankings ----------------------------------------------------------------------------------


def ranking(intent: Intent, rows: list[Row], *, noun: str, scope: str, top_n: int) -> Draft:
    measure = intent.measures[0]
    ranked = [r for r in rows if r.get(measure) is not None]
    shown = ranked[:top_n]
    if not shown:
        return Draft(text=f"BLS published no {fmt.label(measure)} for {scope}.", found=False)
    year = shown[0]["year"]
    order = "highest" if intent.descending else "lowest"
    listed = "; ".join(
        f"{i}. {r['name']} {fmt.number(measure, r[measure])}" for i, r in enumerate(shown[:LISTED_IN_TEXT], 1)
    )
    more = len(shown) - LISTED_IN_TEXT  # "by state": every state in the table, the first ten said
    listed += f"; and {more} more (all {len(shown)} in the table)." if more > 0 else "."
    text = f"{_cap(noun)} with the {order} {fmt.label(measure)} {scope}, May {year}: {listed}"
    table = Table(
        title=f"{order.capitalize()} {fmt.label(measure)} {scope}, May {year}",
        columns=(_RANK, Column(name=_singular(noun)), fmt.column(measure)),
        rows=tuple((i, str(r["name"]), r[measure]) for i, r in enumerate(shown, 1)),
    )
    caveats = _ranking_caveats(measure, rows, len(ranked), noun, top_n)
    chart = ChartSpec(
        kind="hbar",
        title=f"{order.capitalize()} {fmt.label(measure)} {scope}",
        categories=tuple(str(r["name"]) for r in shown),
        series=(ChartSeries(name=fmt.label(measure), values=tuple(r[measure] for r in shown)),),
        unit=_unit(measure),
        y_label=fmt.label(measure).capitalize(),
        caption=caption(year),
    )
    return Draft(text=text, tables=[table], caveats=caveats, chart=chart)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _ranking_caveats(measure: str, rows: list[Row], ranked: int, noun: str, top_n: int) -> list[str]:
    caveats = []
    top = [r for r in rows if r.get(f"{measure}_flag") == "#"]
    hidden = [r for r in rows if r.get(measure) is None and r.get(f"{measure}_flag") in ("*", "**")]
    if top:
        names = ", ".join(str(r["name"]) for r in top[:3]) + (
            f" and {len(top) - 3} more" if len(top) > 3 else ""
        )
        caveats.append(
            f"Not ranked: {_count(len(top), noun)} where the {fmt.label(measure)} is at or above the BLS "
            f"top-code ({fmt.top_coded(measure, int(top[0]['year']))}), with no exact figure: {names}."
        )
    if hidden:
        names = ", ".join(str(r["name"]) for r in hidden[:3]) + (
            f" and {len(hidden) - 3} more" if len(hidden) > 3 else ""
        )
        caveats.append(
            f"Not ranked: {_count(len(hidden), noun)} where BLS did not publish the value ({names})."
        )
    if ranked > top_n:
        caveats.append(f"Showing the top {top_n} of {ranked} {noun} with published values.")
    return caveats


def _count(n: int, noun: str) -> str:
    """ "1 state", "3 states", "1 industry", "1 metro area"."""
    if n != 1:
        return f"{n} {noun}"
    if noun.endswith("ies"):
        return f"1 {noun[:-3]}y"
    return f"1 {noun[:-1]}" if noun.endswith("s") else f"1 {noun}"


def growth(intent: Intent, rows: list[Row], *, scope: str, top_n: int) -> Draft:
    """Occupations ranked by the change of one measure between two years (percent or absolute)."""
    measure = intent.measures[0]
    start, end = intent.years[0], intent.years[-1]
    if not rows:
        return Draft(
            text=f"No occupations {scope} have published {fmt.label(measure)} figures for "
            f"both May {start} and May {end}.",
            found=False,
        )
    verb = "grew" if intent.descending else "declined"
    sign = 1 if intent.descending else -1
    moved = [r for r in rows if r["difference"] * sign > 0]
    if not moved:
        return Draft(
            text=f"None of the {len(rows)} occupations {scope} with figures for both years {verb}: "
            f"their {fmt.label(measure)} did not {'rise' if intent.descending else 'fall'} "
            f"between May {start} and May {end}."
        )
    shown = moved[:top_n]
    absolute = intent.change == "absolute"
    order = ("the most" if absolute else "fastest") if intent.descending else "the most"
    if absolute:
        order = f"the most ({'jobs' if measure == 'tot_emp' else 'dollars'})"
    listed = "; ".join(f"{i}. {r['name']} {_change(measure, r, absolute)}" for i, r in enumerate(shown, 1))
    text = (
        f"Occupations {scope} whose {fmt.label(measure)} {verb} {order}, May {start} to May {end}: {listed}."
    )
    table = Table(
        title=f"Change in {fmt.label(measure)} {scope}, May {start} to May {end}",
        columns=(
            _RANK,
            Column(name="Occupation"),
            fmt.column(measure, name=f"May {start}"),
            fmt.column(measure, name=f"May {end}"),
            fmt.column(measure, name="Change", signed=True),
            Column(name="Change (%)", kind="percent", signed=True),
        ),
        rows=tuple(
            (i, str(r["name"]), r["start_value"], r["end_value"], r["difference"], r["change"] * 100)
            for i, r in enumerate(shown, 1)
        ),
    )
    caveats = _growth_caveats(intent, start, end, len(moved), top_n, verb=verb)
    if len(moved) < min(top_n, len(rows)):
        caveats.append(f"Only {len(moved)} of the {len(rows)} occupations compared {verb}.")
    return Draft(text=text, tables=[table], caveats=caveats)


def _difference(measure: str, difference: float) -> str:
    return number_text(fmt.kind(measure), difference, signed=True)


def _change(measure: str, row: Row, absolute: bool) -> str:
    percent = f"{row['change'] * 100:+.1f}%"
    if absolute:
        return f"{_difference(measure, row['difference'])} ({percent})"
    return f"{percent} ({_difference(measure, row['difference'])})"


def _growth_caveats(intent: Intent, start: int, end: int, ranked: int, top_n: int, *, verb: str) -> list[str]:
    measure, absolute, t = intent.measures[0], intent.change == "absolute", intent.threshold
    caveats = [
        "Changes are computed from the two published figures of each occupation (detailed "
        "occupations present under the same SOC code in both years)."
    ]
    if t is not None:
        year = start if t.measure == "tot_emp" else end
        caveats.append(f"Only occupations with {threshold_words(t)} in May {year} are ranked, as asked.")
    elif (floor := growth_floor(measure, absolute=absolute, within=bool(intent.occupations))) is not None:
        caveats.append(
            f"Only occupations with at least {floor:,} jobs in May {start} are ranked, so "
            "that tiny occupations do not dominate; employment excludes the self-employed."
        )
    if start <= 2020:
        caveats.append(
            "Occupations whose SOC code changed between 2019–2020 (hybrid codes) and 2021 are not compared."
        )
    if ranked > top_n:
        caveats.append(f"Showing {top_n} of the {ranked} occupations that {verb}.")
    return caveats


# -- thresholds ---------------------------------------------------------------------------------

LISTED_IN_TEXT = 10  # names written in the sentence; the table holds the complete list
LISTED_IN_TABLE = 200


def threshold_words(threshold: Threshold) -> str:
    """ "a median annual wage above $110,000", "employment below 5,000"."""
    value = fmt.number(threshold.measure, threshold.value)
    article = "" if threshold.measure == "tot_emp" else "a "
    if threshold.upper is not None:
        upper = fmt.number(threshold.measure, threshold.upper)
        return f"{article}{fmt.label(threshold.measure)} between {value} and {upper}"
    side = "above" if threshold.above else "below"
    return f"{article}{fmt.label(threshold.measure)} {side} {value}"


def threshold_list(intent: Intent, rows: list[Row], *, noun: str, scope: str) -> Draft:
    """Everything past a threshold: the count always, the complete list in the table.

    Top-coded cells are above any threshold below the top-code; above it, they are undetermined."""
    t = intent.threshold
    assert t is not None
    m = t.measure
    year = rows[0]["year"] if rows else 0
    top = [r for r in rows if r.get(m) is None and r.get(f"{m}_flag") == "#"]
    hidden = [r for r in rows if r.get(m) is None and r.get(f"{m}_flag") != "#"]
    published = [r for r in rows if r.get(m) is not None]
    highest = t.value if t.upper is None else t.upper
    undetermined = bool(top) and t.above and highest >= _top_code_value(m, int(year))
    hits = (top + published) if t.above and t.upper is None and not undetermined else published
    when = f", May {year}" if year else ""
    have = "has" if len(hits) == 1 else "have"
    text = f"{_count(len(hits), noun).capitalize()} {scope} {have} {threshold_words(t)}{when}"
    if noun == "states" and any(r["name"] == "District of Columbia" for r in hits):
        text += f" ({len(hits) - 1} of the 50 states and the District of Columbia)"
    if hits:
        names = "; ".join(f"{r['name']} {_shown(m, r)}" for r in hits[:LISTED_IN_TEXT])
        more = len(hits) - LISTED_IN_TEXT
        text += f": {names}" + (f"; and {more} more (all {len(hits)} in the table)." if more > 0 else ".")
    else:
        text += "."
    if not undetermined:
        text += _jobs_past(hits, rows)
    if undetermined:
        text += (
            f" {_count(len(top), noun).capitalize()} are top-coded (BLS publishes only “at or above "
            f"{fmt.top_coded(m, int(year))}”), so whether they pass {fmt.number(m, highest)} is not "
            f"published: {_names(top)}."
        )
    listed = (hits or (top if undetermined else []))[:LISTED_IN_TABLE]
    tables = []
    if listed:
        tables.append(
            Table(
                title=f"{_cap(noun)} {scope} with {threshold_words(t)}{when}"
                if hits
                else f"Top-coded {noun} {scope}{when}",
                columns=(_RANK, Column(name=_singular(noun)), fmt.column(m)),
                rows=tuple((i, str(r["name"]), fmt.cell(m, r)) for i, r in enumerate(listed, 1)),
            )
        )
    caveats = _threshold_caveats(t, [] if undetermined else top, hidden, noun)
    if top and t.upper is not None and not undetermined:
        caveats.append(
            f"Not counted: {_count(len(top), noun)} whose {fmt.label(m)} is top-coded (“at or above "
            f"{fmt.top_coded(m, int(year))}”), above the range."
        )
    if len(hits) > LISTED_IN_TABLE:
        caveats.append(f"The table shows the first {LISTED_IN_TABLE} of {len(hits)} {noun}.")
    return Draft(
        text=text, tables=tables, caveats=caveats, chart=_threshold_chart(m, hits, threshold_words(t), year)
    )


def _jobs_past(hits: list[Row], rows: list[Row]) -> str:
    """ " Together they employ 1,234,560 people, 22.1% of all 5,587,130 jobs there." (the sum is
    computed in SQL, ``jobs_past``)."""
    employed, total = (rows[0].get("jobs_past"), rows[0].get("all_jobs")) if rows else (None, None)
    if not hits or not employed or not total:
        return ""
    missing = sum(1 for r in hits if r.get("tot_emp") is None)
    unknown = f" (employment is not published for {missing} of them)" if missing else ""
    share = employed / total
    percent = f"{share:.1%}" if share >= 0.001 else f"{share:.2%}"
    they = "Together they employ" if len(hits) > 1 else "It employs"
    return f" {they} {employed:,.0f} people{unknown}, {percent} of all {total:,.0f} jobs there."


def _top_code_value(measure: str, year: int) -> float:
    hourly, annual = top_code(year)
    return hourly if measure.startswith("h_") else annual if measure.startswith("a_") else float("inf")


def _names(rows: list[Row], limit: int = 5) -> str:
    names = ", ".join(str(r["name"]) for r in rows[:limit])
    return names + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def _shown(measure: str, row: Row) -> str:
    return value_phrase(measure, row) or fmt.NOT_PUBLISHED


def _singular(noun: str) -> str:
    return _cap(noun[:-3] + "y") if noun.endswith("ies") else _cap(noun.rstrip("s"))


def _threshold_caveats(t: Threshold, top: list[Row], hidden: list[Row], noun: str) -> list[str]:
    caveats = []
    if top and t.above and t.upper is None:
        caveats.append(
            f"Counted as above: {_count(len(top), noun)} whose {fmt.label(t.measure)} is top-coded "
            f"(BLS publishes only “at or above {fmt.top_coded(t.measure, int(top[0]['year']))}”)."
        )
    if hidden:
        other = "annual" if t.measure.startswith("h_") else "hourly"
        reason = (
            f"not published, or only {other} wages are published"
            if fmt.is_wage(t.measure)
            else "not published"
        )
        caveats.append(
            f"Left out: {_count(len(hidden), noun)} whose {fmt.label(t.measure)} BLS did not publish "
            f"({reason}): {_names(hidden)}."
        )
    return caveats


def _threshold_chart(measure: str, hits: list[Row], condition: str, year: Any) -> ChartSpec | None:
    shown = [r for r in hits if r.get(measure) is not None][:15]
    if len(shown) < 2:
        return None
    return ChartSpec(
        kind="hbar",
        title=f"{_cap(condition)}"[:80],
        categories=tuple(str(r["name"]) for r in shown),
        series=(ChartSeries(name=fmt.label(measure), values=tuple(r[measure] for r in shown)),),
        unit=_unit(measure),
        y_label=fmt.label(measure).capitalize(),
        caption=caption(year),
    )


def threshold_verdict(threshold: Threshold, rows: Sequence[Row]) -> str:
    """ "Above $60,000: yes" for a lookup that named an occupation and a threshold."""
    parts = []
    m = threshold.measure
    for row in rows:
        value, flag = row.get(m), row.get(f"{m}_flag")
        place = _label(row)
        verdict = _verdict(threshold, value, flag)
        parts.append(f"{place}: {verdict}" if len(rows) > 1 else verdict)
    return f"Is the {threshold_words(threshold).removeprefix('a ')}? " + "; ".join(parts) + "."


def _verdict(threshold: Threshold, value: Any, flag: Any) -> str:
    m = threshold.measure
    if value is None and flag == "#":
        inside = threshold.above and threshold.upper is None
        return "yes (top-coded)" if inside else "no (top-coded)"
    if value is None:
        return "unknown (not published)"
    if threshold.upper is not None:
        passes = threshold.value <= value <= threshold.upper
    else:
        passes = value > threshold.value if threshold.above else value < threshold.value
    return f"{'yes' if passes else 'no'} ({fmt.number(m, value)})"


# -- career snapshots -----------------------------------------------------------------------------

SNAPSHOT_LIMITS = (
    "OEWS does not cover the job outlook (the BLS Employment Projections and Occupational Outlook "
    "Handbook do), nor satisfaction, hours or benefits; these are published pay and employment figures."
)


def snapshot(intent: Intent, rows: list[Row], *, asked_code: str) -> Draft:
    """What OEWS can say about a career: pay range, employment, change over time, best-paying states."""
    history = [r for r in rows if "occ_code" in r and r["area_code"] == NATIONAL]
    local = [r for r in rows if "occ_code" in r and r["area_code"] != NATIONAL]
    states = [r for r in rows if "occ_code" not in r and r.get("a_median") is not None][:5]
    if not history:
        return Draft(text="BLS publishes no national estimate for this occupation.", found=False)
    last = history[-1]
    sentences = [_snapshot_now(last), *(_snapshot_here(r) for r in local)]
    same = [r for r in history if r["occ_code"] == asked_code]  # like with like across a SOC change
    sentences.extend(_snapshot_change(m, same if len(same) > 1 else history) for m in ("tot_emp", "a_median"))
    if states:
        best = "; ".join(
            f"{i}. {r['name']} {fmt.number('a_median', r['a_median'])}" for i, r in enumerate(states, 1)
        )
        sentences.append(f"Best-paying states by median annual wage (May {states[0]['year']}): {best}.")
    sentences.append(SNAPSHOT_LIMITS)
    table = Table(
        title=f"{last['occupation']} in the U.S.",
        columns=(Column(name="Year"), fmt.column("a_median"), fmt.column("tot_emp")),
        rows=tuple((f"May {r['year']}", fmt.cell("a_median", r), fmt.cell("tot_emp", r)) for r in history),
    )
    caveats = grouped_caveats(("a_median", "tot_emp"), [last])
    return Draft(
        text=" ".join(s for s in sentences if s),
        tables=[table],
        caveats=caveats + _employment_caveat(("tot_emp",)),
        chart=_history_chart("a_median", history),
    )


def _snapshot_now(row: Row) -> str:
    median = value_phrase("a_median", row) or value_phrase("h_median", row) or fmt.NOT_PUBLISHED
    low, high = value_phrase("a_pct10", row), value_phrase("a_pct90", row)
    spread = f" (10% earned less than {low}, 10% more than {high})" if low and high else ""
    jobs = value_phrase("tot_emp", row)
    employed = f"; {jobs} people were employed in it" if jobs else ""
    year = row["year"]
    return f"In May {year} the median annual wage of {who(row)} in the U.S. was {median}{spread}{employed}."


def _snapshot_here(row: Row) -> str:
    """The asked place's own figures in a career snapshot."""
    median = value_phrase("a_median", row) or value_phrase("h_median", row) or fmt.NOT_PUBLISHED
    jobs = value_phrase("tot_emp", row)
    employed = f", employment {jobs}" if jobs else ""
    return f"In {row['area']}: median {median}{employed} (May {row['year']})."


def _snapshot_change(measure: str, history: list[Row]) -> str:
    known = [r for r in history if r.get(measure) is not None]
    if len(known) < 2:
        return ""
    first, last = known[0], known[-1]
    old, new = first[measure], last[measure]
    return (
        f"{fmt.label(measure).capitalize()} went from {fmt.number(measure, old)} in May {first['year']} to "
        f"{fmt.number(measure, new)} in May {last['year']} ({_difference(measure, new - old)}, "
        f"{fmt.percent_change(old, new)})."
    )


def _history_chart(measure: str, rows: list[Row]) -> ChartSpec | None:
    if sum(r.get(measure) is not None for r in rows) < 2:
        return None
    return ChartSpec(
        kind="line",
        title=f"{fmt.label(measure).capitalize()}: {rows[-1]['occupation']} in the U.S.",
        categories=tuple(str(r["year"]) for r in rows),
        series=(ChartSeries(name=fmt.label(measure), values=tuple(r.get(measure) for r in rows)),),
        unit=_unit(measure),
        y_label=fmt.label(measure).capitalize(),
        caption=caption(f"{rows[0]['year']}–May {rows[-1]['year']}"),
    )
