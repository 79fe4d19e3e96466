"""Intent -> parameterized SQL (portable: `?` placeholders, no SQLite-only functions).

Column names come only from the schema's measure list; every value is a bound parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agents.engine.intent import Intent, Threshold
from agents.oews.schema import ALL_OCCUPATIONS as ALL_OCCUPATIONS
from agents.oews.schema import CROSS_INDUSTRY as CROSS_INDUSTRY
from agents.oews.schema import MEASURES
from agents.oews.schema import NATIONAL as NATIONAL
from agents.resolve.entities import Area, Occupation

_CONTEXT_MEASURES = ("tot_emp", "emp_prse", "mean_prse")


@dataclass(frozen=True)
class Query:
    sql: str
    params: tuple[Any, ...]
    measures: tuple[str, ...]
    max_rows: int | None = None


def _measure_columns(measures: tuple[str, ...]) -> str:
    for m in measures:
        if m not in MEASURES:
            raise ValueError(f"unknown measure {m!r}")
    return ", ".join(f"f.{m}, f.{m}_flag" for m in measures)


def _placeholders(values: tuple[Any, ...]) -> str:
    return ", ".join("?" for _ in values)


_DISTRIBUTION = tuple(f"{b}_{s}" for b in "ah" for s in ("pct10", "pct25", "median", "pct75", "pct90"))


def _with_counterparts(measures: tuple[str, ...], *, chart: bool = False) -> tuple[str, ...]:
    """Hourly and annual versions of each wage asked for: one may be all BLS publishes.

    With a chart asked for, the whole wage distribution is read so that one can be drawn."""
    more = [f"{'a' if m[0] == 'h' else 'h'}_{m[2:]}" for m in measures if m[:2] in ("a_", "h_")]
    several = sum("pct" in m or m.endswith("median") for m in measures) >= 3
    distribution = _DISTRIBUTION if chart or several else ()
    return tuple(dict.fromkeys((*measures, *more, *distribution, *_CONTEXT_MEASURES)))


def lookup(
    intent: Intent,
    *,
    year: int,
    area_codes: tuple[str, ...],
    occ_codes: tuple[str, ...],
    naics: str | tuple[str, ...],
) -> Query:
    industries = (naics,) if isinstance(naics, str) else naics
    measures = _with_counterparts(intent.measures, chart=intent.chart)
    sql = (
        "SELECT f.year, f.area_code, a.title AS area, a.kind AS area_kind, f.occ_code, "
        "o.title AS occupation, f.naics, i.title AS industry, "
        f"{_measure_columns(measures)}, f.annual_only, f.hourly_only\n"
        "FROM facts f\n"
        "JOIN areas a ON a.area_code = f.area_code\n"
        "JOIN occupations o ON o.occ_code = f.occ_code\n"
        "JOIN industries i ON i.naics = f.naics\n"
        f"WHERE f.year = ? AND f.naics IN ({_placeholders(industries)}) "
        f"AND f.area_code IN ({_placeholders(area_codes)}) AND f.occ_code IN ({_placeholders(occ_codes)})"
    )
    return Query(sql, (year, *industries, *area_codes, *occ_codes), measures)


def trend(
    intent: Intent,
    *,
    years: tuple[int, ...],
    area_code: str,
    occ_codes: tuple[str, ...],
    naics: str,
    earlier: tuple[tuple[str, int], ...] = (),
) -> Query:
    """``earlier``: (old SOC code, last year it was published) for the years before a code change."""
    measures = tuple(dict.fromkeys(intent.measures + _CONTEXT_MEASURES))
    old = "".join(" OR (f.occ_code = ? AND f.year <= ?)" for _ in earlier)
    sql = (
        "SELECT f.year, f.area_code, a.title AS area, f.occ_code, o.title AS occupation, "
        f"{_measure_columns(measures)}, f.annual_only, f.hourly_only\n"
        "FROM facts f\n"
        "JOIN areas a ON a.area_code = f.area_code\n"
        "JOIN occupations o ON o.occ_code = f.occ_code\n"
        f"WHERE f.area_code = ? AND f.naics = ? AND f.year IN ({_placeholders(years)}) "
        f"AND (f.occ_code IN ({_placeholders(occ_codes)}){old})\n"
        "ORDER BY f.year, f.occ_code"
    )
    pairs = tuple(value for pair in earlier for value in pair)
    return Query(sql, (area_code, naics, *years, *occ_codes, *pairs), measures)


def parts(intent: Intent, *, year: int, area_code: str, occ_codes: tuple[str, ...], naics: str) -> Query:
    """The detailed occupations of a group in one year, marked ``part`` (shown beside its trend)."""
    measures = tuple(m for m in intent.measures if not m.endswith("_prse"))
    sql = (
        "SELECT f.year, f.occ_code AS part_code, o.title AS part, "
        f"{_measure_columns(measures)}, f.annual_only, f.hourly_only\n"
        "FROM facts f\n"
        "JOIN occupations o ON o.occ_code = f.occ_code\n"
        "WHERE f.area_code = ? AND f.naics = ? AND f.year = ? "
        f"AND f.occ_code IN ({_placeholders(occ_codes)})\n"
        "ORDER BY f.occ_code"
    )
    return Query(sql, (area_code, naics, year, *occ_codes), measures)


def total_employment(
    label: str, occ_codes: tuple[str, ...], *, years: tuple[int, ...], area_code: str, naics: str
) -> Query:
    """The jobs of several occupations added up per year (where every one of them is published),
    labelled as ``label``: the occupations an old SOC code became, compared with that code. Each
    row is one of the parts (``part``, ``part_code``, ``part_emp``) beside the year's total."""
    sql = (
        "SELECT t.* FROM (\n"
        "SELECT f.year, ? AS occ_code, f.occ_code AS part_code, o.title AS part, f.tot_emp AS part_emp,\n"
        "SUM(f.tot_emp) OVER (PARTITION BY f.year) AS tot_emp,\n"
        "COUNT(f.tot_emp) OVER (PARTITION BY f.year) AS parts\n"
        "FROM facts f\n"
        "JOIN occupations o ON o.occ_code = f.occ_code\n"
        f"WHERE f.area_code = ? AND f.naics = ? AND f.year IN ({_placeholders(years)}) "
        f"AND f.occ_code IN ({_placeholders(occ_codes)})\n"
        ") t\n"
        "WHERE t.parts = ?\n"
        "ORDER BY t.year, t.part_code"
    )
    return Query(sql, (label, area_code, naics, *years, *occ_codes, len(occ_codes)), ("tot_emp",))


LIST_ROWS = 5000  # a threshold list is complete up to this many rows


def _filter(threshold: Threshold | None) -> tuple[str, tuple[Any, ...]]:
    """The SQL of a threshold (top-coded and not-published rows are kept, to be counted and named)."""
    if threshold is None:
        return "", ()
    m = threshold.measure
    _measure_columns((m,))
    if threshold.upper is not None:
        return f" AND (f.{m} BETWEEN ? AND ? OR f.{m} IS NULL)", (threshold.value, threshold.upper)
    op = ">" if threshold.above else "<"
    return f" AND (f.{m} {op} ? OR f.{m} IS NULL)", (threshold.value,)


def _threshold_column(threshold: Threshold | None) -> tuple[str, tuple[Any, ...]]:
    """The threshold as a result column, so that the answer's every number is in the rows."""
    if threshold is None:
        return "", ()
    if threshold.upper is not None:
        return ", ? AS threshold, ? AS threshold_upper", (threshold.value, threshold.upper)
    return ", ? AS threshold", (threshold.value,)


def _jobs_past(threshold: Threshold) -> str:
    """The jobs of the occupations past a pay threshold (top-coded ones count above it), and all
    jobs of the place (or industry): the answer states the one as a share of the other."""
    m = threshold.measure
    topcoded = f" OR f.{m}_flag = '#'" if threshold.above and threshold.upper is None else ""
    return (
        f", SUM(CASE WHEN f.{m} IS NOT NULL{topcoded} THEN f.tot_emp END) OVER () AS jobs_past"
        ", (SELECT t.tot_emp FROM facts t WHERE t.year = f.year AND t.area_code = f.area_code "
        "AND t.naics = f.naics AND t.occ_code = ?) AS all_jobs"
    )


def _order(measure: str, descending: bool) -> str:
    direction = "DESC" if descending else "ASC"
    return f"ORDER BY CASE WHEN f.{measure} IS NULL THEN 1 ELSE 0 END, f.{measure} {direction}"


def rank_areas(
    measure: str,
    *,
    year: int,
    occupation: Occupation,
    kind: str,
    within: Area | None,
    naics: str,
    descending: bool,
    threshold: Threshold | None = None,
    excluded: tuple[Area, ...] = (),
) -> Query:
    """Places of ``kind`` ranked; ``within`` a state, leaving out the ``excluded`` places (of the
    kind ranked, or the states they lie in)."""
    params: list[Any] = [year, occupation.code, naics, kind]
    state_filter = ""
    if within is not None and within.state:
        state_filter = " AND (' ' || a.states || ' ') LIKE ?"
        params.append(f"% {within.state} %")
    if codes := tuple(a.code for a in excluded if a.kind == kind):
        state_filter += f" AND a.area_code NOT IN ({_placeholders(codes)})"
        params.extend(codes)
    for state in (a.state for a in excluded if a.kind == "state" and kind != "state" and a.state):
        state_filter += " AND (' ' || a.states || ' ') NOT LIKE ?"
        params.append(f"% {state} %")
    extra, values = _filter(threshold)
    state_filter += extra
    params.extend(values)
    column, first = _threshold_column(threshold)
    sql = (
        f"SELECT a.title AS name, a.area_code AS code, f.year, {_measure_columns((measure,))}{column}\n"
        "FROM facts f\n"
        "JOIN areas a ON a.area_code = f.area_code\n"
        f"WHERE f.year = ? AND f.occ_code = ? AND f.naics = ? AND a.kind = ?{state_filter}\n"
        f"{_order(measure, descending)}, a.title"
    )
    return Query(sql, (*first, *params), (measure,), LIST_ROWS if threshold else None)


def rank_occupations(
    measure: str,
    *,
    year: int,
    area_code: str,
    naics: str,
    descending: bool,
    within: Within = None,
    threshold: Threshold | None = None,
) -> Query:
    params: list[Any] = [year, area_code, naics, "detailed"]
    extra, values = _filter(threshold)
    params.extend(values)
    extra += _within("f", within, params)
    columns = _measure_columns(tuple(dict.fromkeys((measure, "tot_emp"))))
    column, first = _threshold_column(threshold)
    if threshold is not None and threshold.measure != "tot_emp":
        column += _jobs_past(threshold)
        first += (ALL_OCCUPATIONS,)
    params[:0] = first
    sql = (
        f"SELECT o.title AS name, o.occ_code AS code, f.year, {columns}{column}\n"
        "FROM facts f\n"
        "JOIN occupations o ON o.occ_code = f.occ_code\n"
        f"WHERE f.year = ? AND f.area_code = ? AND f.naics = ? AND o.o_group = ?{extra}\n"
        f"{_order(measure, descending)}, o.title"
    )
    return Query(sql, tuple(params), (measure,), LIST_ROWS if threshold else None)


def rank_industries(
    measure: str,
    *,
    year: int,
    occupation: Occupation,
    level: str,
    descending: bool,
    threshold: Threshold | None = None,
) -> Query:
    extra, values = _filter(threshold)
    column, first = _threshold_column(threshold)
    sql = (
        f"SELECT i.title AS name, i.naics AS code, f.year, {_measure_columns((measure,))}{column}\n"
        "FROM facts f\n"
        "JOIN industries i ON i.naics = f.naics\n"
        f"WHERE f.year = ? AND f.area_code = ? AND f.occ_code = ? AND i.i_group = ?{extra}\n"
        f"{_order(measure, descending)}, i.title"
    )
    params = (*first, year, NATIONAL, occupation.code, level, *values)
    return Query(sql, params, (measure,), LIST_ROWS if threshold else None)


Within = str | tuple[str, ...] | None  # a SOC code prefix (a group) or the codes of a family


def _within(table: str, within: Within, params: list[Any]) -> str:
    """The condition keeping a group's occupations (by code prefix) or a family's (by code)."""
    if not within:
        return ""
    if isinstance(within, str):
        params.append(f"{within}%")
        return f" AND {table}.occ_code LIKE ?"
    params.extend(within)
    return f" AND {table}.occ_code IN ({', '.join('?' * len(within))})"


GROWTH_FLOOR = 10_000  # jobs: smaller occupations are not ranked by employment growth across all jobs


def growth_floor(measure: str, *, absolute: bool, within: bool) -> int | None:
    """The jobs an occupation needs in the first year to be ranked by percent growth, unasked:
    across all occupations, tiny ones would top the list (390 -> 1,100 is +182%); within a group
    every occupation is ranked."""
    return GROWTH_FLOOR if measure == "tot_emp" and not absolute and not within else None


def rank_growth(
    measure: str,
    *,
    years: tuple[int, int],
    within: Within,
    descending: bool,
    absolute: bool = False,
    threshold: Threshold | None = None,
) -> Query:
    """Detailed occupations ranked by the change of ``measure`` between two years (national):
    relative (percent) or absolute (jobs, dollars); both are returned.

    A ``threshold`` filters who is ranked: on employment, the jobs in the first year ("only ones
    with at least 20k workers in 2021", instead of the default floor); on a wage, the last year."""
    _measure_columns((measure,))
    params: list[Any] = [years[0], years[1], NATIONAL, CROSS_INDUSTRY, "detailed"]
    extra = ""
    if threshold is not None:
        t = threshold
        _measure_columns((t.measure,))  # a known column, never text from the question
        column = f"s.{t.measure}" if t.measure == "tot_emp" else f"e.{t.measure}"
        if t.upper is not None:
            extra += f" AND {column} BETWEEN ? AND ?"
            params.extend((t.value, t.upper))
        else:
            extra += f" AND {column} {'>=' if t.above else '<'} ?"
            params.append(t.value)
    elif (floor := growth_floor(measure, absolute=absolute, within=within is not None)) is not None:
        extra += " AND s.tot_emp >= ?"
        params.append(floor)
    extra += _within("s", within, params)
    direction = "DESC" if descending else "ASC"
    sql = (
        f"SELECT o.title AS name, o.occ_code AS code, s.year AS start_year, e.year AS year, "
        f"s.{measure} AS start_value, e.{measure} AS end_value, "
        f"(e.{measure} - s.{measure}) * 1.0 / s.{measure} AS change, "
        f"e.{measure} - s.{measure} AS difference\n"
        "FROM facts s\n"
        "JOIN facts e ON e.occ_code = s.occ_code AND e.area_code = s.area_code AND e.naics = s.naics\n"
        "JOIN occupations o ON o.occ_code = s.occ_code\n"
        "WHERE s.year = ? AND e.year = ? AND s.area_code = ? AND s.naics = ? AND o.o_group = ?\n"
        f"AND s.{measure} > 0 AND e.{measure} IS NOT NULL{extra}\n"
        f"ORDER BY {'difference' if absolute else 'change'} {direction}, o.title"
    )
    return Query(sql, tuple(params), (measure,))


def parent_industries(naics: str) -> tuple[str, ...]:
    """The codes holding a NAICS code, nearest first: 456110 -> 456100, 456000 (what stands in for an
    industry where BLS published no estimate of an occupation)."""
    if not naics.isdigit() or len(naics) != 6:
        return ()
    return tuple(c for c in (naics[:4] + "00", naics[:3] + "000") if c != naics)
