"""Rows -> the answer a person reads: sentence, table, caveats, chart spec.

Every number written here is a value of a result row, or a stated derivation of two of them
(a difference or percent change).  Nothing is computed that BLS did not publish: no hourly
figure from an annual one, no value for a suppressed or top-coded cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from agents.engine import format as fmt
from agents.engine.intent import Intent
from agents.engine.queries import GROWTH_FLOOR
from agents.models import ChartSeries, ChartSpec, Table
from agents.oews.schema import top_code

RSE_WARNING = 20.0  # percent: above this an estimate is flagged as less reliable
Row = dict[str, Any]


@dataclass
class Draft:
    text: str
    tables: list[Table] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    chart: ChartSpec | None = None
    found: bool = True


def where(row: Row) -> str:
    if row.get("area_kind", "") == "national" or row.get("area_code") == "99":
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


ALL_OCCUPATIONS = "00-0000"


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
    else:
        text = f"BLS did not publish the wage distribution of {who(row)} {where(row)} for May {row['year']}."
    table = Table(
        title=f"{row['occupation']} {where(row)}, May {row['year']}",
        columns=("Percentile", "Wage"),
        rows=tuple((name, fmt.cell(k, row)) for name, k in zip(_PCT_NAMES, keys, strict=True)),
    )
    chart = _range_chart([row], keys, f"{row['occupation']}: wage distribution {where(row)}")
    return Draft(text=text, tables=[table], caveats=special_caveats(keys, row), chart=chart)


_PCT_NAMES = ("10th", "25th", "Median", "75th", "90th")


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
    return "U.S." if row.get("area_code") == "99" else str(row.get("area", ""))


# -- comparisons --------------------------------------------------------------------------------


def compare(intent: Intent, rows: list[Row], *, by: str) -> Draft:
    """Two or more areas (by="area") or occupations (by="occupation") side by side."""
    measures = [m for m in intent.measures if not m.endswith("_prse")] or list(intent.measures)
    headline = measures[0]
    name = _label if by == "area" else _occupation_name
    text = _compare_sentence(headline, rows, name, by)
    columns = ("Area" if by == "area" else "Occupation", *(fmt.short(m) for m in measures))
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


def _subject(rows: list[Row], by: str) -> str:
    if by == "area":
        return who(rows[0])
    return where(rows[0]).removeprefix("in ").replace("the U.S.", "U.S.")


def _compare_sentence(measure: str, rows: list[Row], name: Any, by: str) -> str:
    shown = [(name(r), value_phrase(measure, r), r.get(measure)) for r in rows]
    listed = "; ".join(f"{n}: {v or fmt.cell(measure, r)}" for (n, v, _), r in zip(shown, rows, strict=True))
    subject = who(rows[0]) if by == "area" else where(rows[0])
    text = f"{fmt.label(measure).capitalize()}, May {rows[0]['year']}, {subject} — {listed}."
    numeric = [(n, raw) for n, _, raw in shown if raw is not None]
    if len(numeric) == 2 and len(rows) == 2 and numeric[0][1] != numeric[1][1]:
        (hi_name, hi), (_, lo) = sorted(numeric, key=lambda x: x[1], reverse=True)
        diff = fmt.number(measure, hi - lo) if measure != "loc_quotient" else f"{hi - lo:.2f}"
        text += f" {hi_name} is higher by {diff} ({fmt.percent_change(lo, hi)})."
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


def trend(intent: Intent, rows: list[Row], *, asked_code: str) -> Draft:
    measures = [m for m in intent.measures if not m.endswith("_prse")] or list(intent.measures)
    headline = measures[0]
    # Years under an older, broader SOC code are shown, and compared only when nothing else is.
    same = [r for r in rows if r["occ_code"] == asked_code]
    first, last = (same[0] if len(same) > 1 else rows[0]), rows[-1]
    subject = f"{last['occupation']} ({asked_code}) {where(last)}"
    text = _trend_sentence(headline, first, last, subject)
    table = Table(
        title=f"{last['occupation']} {where(last)}",
        columns=("Year", *(fmt.short(m) for m in measures)),
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
    change = f" ({fmt.percent_change(old, new)})" if new != old else ""
    span = f"from {a} in May {first['year']} to {b} in May {last['year']}"
    return f"The {label} of {subject} {verb} {span}{change}."


# -- rankings ----------------------------------------------------------------------------------


def ranking(intent: Intent, rows: list[Row], *, noun: str, scope: str, top_n: int) -> Draft:
    measure = intent.measures[0]
    ranked = [r for r in rows if r.get(measure) is not None]
    shown = ranked[:top_n]
    if not shown:
        return Draft(text=f"BLS published no {fmt.label(measure)} for {scope}.", found=False)
    year = shown[0]["year"]
    order = "highest" if intent.descending else "lowest"
    text = (
        f"{_cap(noun)} with the {order} {fmt.label(measure)} {scope}, May {year}: "
        + "; ".join(f"{i}. {r['name']} {fmt.number(measure, r[measure])}" for i, r in enumerate(shown, 1))
        + "."
    )
    table = Table(
        title=f"{order.capitalize()} {fmt.label(measure)} {scope}, May {year}",
        columns=(
            "#",
            _cap(noun.rstrip("s")) if not noun.endswith("ies") else _cap(noun[:-3] + "y"),
            fmt.short(measure),
        ),
        rows=tuple((str(i), str(r["name"]), fmt.number(measure, r[measure])) for i, r in enumerate(shown, 1)),
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
    """Occupations ranked by the change of one measure between two years."""
    measure = intent.measures[0]
    start, end = intent.years[0], intent.years[-1]
    shown = rows[:top_n]
    if not shown:
        return Draft(
            text=f"No occupations {scope} have published {fmt.label(measure)} figures for "
            f"both May {start} and May {end}.",
            found=False,
        )
    order = "fastest" if intent.descending else "the most"
    verb = "grew" if intent.descending else "declined"
    listed = "; ".join(f"{i}. {r['name']} {_change(r)}" for i, r in enumerate(shown, 1))
    text = (
        f"Occupations {scope} whose {fmt.label(measure)} {verb} {order}, May {start} to May {end}: {listed}."
    )
    table = Table(
        title=f"Change in {fmt.label(measure)} {scope}, May {start} to May {end}",
        columns=("#", "Occupation", f"May {start}", f"May {end}", "Change"),
        rows=tuple(
            (
                str(i),
                str(r["name"]),
                fmt.number(measure, r["start_value"]),
                fmt.number(measure, r["end_value"]),
                _change(r),
            )
            for i, r in enumerate(shown, 1)
        ),
    )
    return Draft(text=text, tables=[table], caveats=_growth_caveats(measure, start, len(rows), top_n))


def _change(row: Row) -> str:
    return f"{row['change'] * 100:+.1f}%"


def _growth_caveats(measure: str, start: int, ranked: int, top_n: int) -> list[str]:
    caveats = [
        "Changes are computed from the two published figures of each occupation (detailed "
        "occupations present under the same SOC code in both years)."
    ]
    if measure == "tot_emp":
        caveats.append(
            f"Only occupations with at least {GROWTH_FLOOR:,} jobs in May {start} are ranked, so "
            "that tiny occupations do not dominate; employment excludes the self-employed."
        )
    if start <= 2020:
        caveats.append(
            "Occupations whose SOC code changed between 2019–2020 (hybrid codes) and 2021 are not compared."
        )
    if ranked > top_n:
        caveats.append(f"Showing {top_n} of {ranked} occupations.")
    return caveats
