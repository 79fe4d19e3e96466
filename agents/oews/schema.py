"""The OEWS database schema: dimension tables, one fact table, and what the columns mean.

The schema is portable SQL (SQLite is the embedded default; the same tables work on
PostgreSQL / SQL Server).  Special BLS values keep their meaning: every measure column
``m`` has a companion ``m_flag`` column holding the BLS symbol when no number was
published:

- ``'*'``  wage not published (not released, or the occupation is paid only hourly /
  only annually: see ``annual_only`` / ``hourly_only``)
- ``'**'`` employment not published
- ``'#'``  top-coded: the wage is at or above the BLS top-code for that year
- NULL     the value is a real number (in ``m``), or the measure does not exist for the
  row (both NULL, e.g. jobs per 1,000 at national level)
"""

from __future__ import annotations

import re

SCHEMA_VERSION = 1

MEASURES: tuple[str, ...] = (
    "tot_emp",
    "emp_prse",
    "jobs_1000",
    "loc_quotient",
    "pct_total",
    "pct_rpt",
    "h_mean",
    "a_mean",
    "mean_prse",
    "h_pct10",
    "h_pct25",
    "h_median",
    "h_pct75",
    "h_pct90",
    "a_pct10",
    "a_pct25",
    "a_median",
    "a_pct75",
    "a_pct90",
)

HOURLY_MEASURES = ("h_mean", "h_pct10", "h_pct25", "h_median", "h_pct75", "h_pct90")
ANNUAL_MEASURES = ("a_mean", "a_pct10", "a_pct25", "a_median", "a_pct75", "a_pct90")
INTEGER_MEASURES = frozenset({"tot_emp", *ANNUAL_MEASURES})

QUERYABLE_TABLES = frozenset({"areas", "occupations", "industries", "facts", "coverage"})

NATIONAL = "99"  # the area code of the United States
CROSS_INDUSTRY = "000000"  # the NAICS code of all industries together
ALL_OCCUPATIONS = "00-0000"  # the SOC code of all occupations together

# Area kinds, from the BLS AREA_TYPE code.
AREA_KINDS = {1: "national", 2: "state", 3: "territory", 4: "metro", 5: "metro", 6: "nonmetro"}

# O_GROUP values from most to least aggregated.
OCC_GROUPS = ("total", "major", "minor", "broad", "detailed")


def _measure_columns() -> str:
    lines = []
    for m in MEASURES:
        kind = "INTEGER" if m in INTEGER_MEASURES else "REAL"
        lines.append(f"    {m} {kind},\n    {m}_flag TEXT,")
    return "\n".join(lines)


FACTS_INDEX = "facts_by_occupation"

DDL = f"""
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS data_files (
    sha256 TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    years TEXT NOT NULL,
    rows INTEGER NOT NULL,
    loaded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS areas (
    area_code TEXT PRIMARY KEY,
    area_type INTEGER NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    state TEXT,
    states TEXT,
    aliases TEXT
);
CREATE TABLE IF NOT EXISTS occupations (
    occ_code TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    o_group TEXT NOT NULL,
    major_code TEXT NOT NULL,
    minor_code TEXT,
    broad_code TEXT,
    first_year INTEGER NOT NULL,
    last_year INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS industries (
    naics TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    i_group TEXT NOT NULL,
    own_code TEXT
);
CREATE TABLE IF NOT EXISTS facts (
    year INTEGER NOT NULL,
    area_code TEXT NOT NULL,
    naics TEXT NOT NULL,
    occ_code TEXT NOT NULL,
{_measure_columns()}
    annual_only INTEGER NOT NULL DEFAULT 0,
    hourly_only INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (year, area_code, naics, occ_code)
);
CREATE TABLE IF NOT EXISTS coverage (
    kind TEXT NOT NULL,
    cross_industry INTEGER NOT NULL,
    year INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    PRIMARY KEY (kind, cross_industry, year)
);
CREATE INDEX IF NOT EXISTS {FACTS_INDEX} ON facts (occ_code, naics, year, area_code);
CREATE INDEX IF NOT EXISTS areas_by_kind ON areas (kind, state);
CREATE INDEX IF NOT EXISTS occupations_by_group ON occupations (o_group);
CREATE INDEX IF NOT EXISTS industries_by_group ON industries (i_group);
"""

_LONG_TEXT = re.compile(r"^(\s*(?:title|aliases|states|name|years|value|loaded_at)) TEXT", re.MULTILINE)
_CREATE_TABLE = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+)")
_CREATE_INDEX = re.compile(r"CREATE INDEX IF NOT EXISTS (\w+) ON (\w+)")


def ddl_statements(dialect: str = "sqlite") -> list[str]:
    """``DDL`` as single statements for ``dialect`` (``sqlite``, ``postgresql``, ``mssql``).

    REAL becomes a double-precision type on the servers (their REAL is 4 bytes: 52.34 would
    read back as 52.3400001); SQL Server has no TEXT keys and no ``IF NOT EXISTS``."""
    statements = [f"{s.strip()}" for s in DDL.split(";") if s.strip()]
    if dialect == "sqlite":
        return statements
    if dialect == "postgresql":
        return [s.replace(" REAL,", " DOUBLE PRECISION,") for s in statements]
    if dialect == "mssql":
        return [_mssql(s) for s in statements]
    raise ValueError(f"unknown SQL dialect {dialect!r}")


def _mssql(statement: str) -> str:
    text = statement.replace(" REAL,", " FLOAT,").replace("    key TEXT", "    [key] TEXT")
    text = _LONG_TEXT.sub(r"\1 NVARCHAR(400)", text).replace(" TEXT", " NVARCHAR(64)")
    if m := _CREATE_TABLE.search(text):
        body = _CREATE_TABLE.sub(f"CREATE TABLE {m.group(1)}", text)
        return f"IF OBJECT_ID(N'{m.group(1)}', N'U') IS NULL {body}"
    if m := _CREATE_INDEX.search(text):
        body = _CREATE_INDEX.sub(f"CREATE INDEX {m.group(1)} ON {m.group(2)}", text)
        return f"IF INDEXPROPERTY(OBJECT_ID(N'{m.group(2)}'), N'{m.group(1)}', 'IndexID') IS NULL {body}"
    return text


# Concise notes for people and for model prompts (not the whole DDL).
SCHEMA_NOTES = """\
Tables (OEWS, Bureau of Labor Statistics, May estimates):
- areas(area_code, kind, title, state, states): kind is national | state | territory | metro |
  nonmetro. The nation is area_code '99'. States use 2-digit FIPS ('06' California), metros the
  5-digit CBSA ('42660' Seattle-Tacoma-Bellevue, WA), nonmetropolitan areas 7 digits.
- occupations(occ_code, title, o_group, major_code, broad_code, first_year, last_year): SOC codes
  like '29-1141'; o_group is total | major | minor | broad | detailed. '00-0000' = All Occupations.
- industries(naics, title, i_group): '000000' = cross-industry (all ownerships); i_group is
  cross-industry | sector | 3-digit | 4-digit | 5-digit | 6-digit.
- coverage(kind, cross_industry, year, rows): which years are loaded for which area kinds.
- facts(year, area_code, naics, occ_code, <measures>, <measure>_flag, annual_only, hourly_only).
Measures: tot_emp (employment), jobs_1000 (jobs per 1,000 in the area), loc_quotient,
h_mean/a_mean (hourly/annual mean wage), h_median/a_median, h_pct10/25/75/90, a_pct10/25/75/90,
emp_prse / mean_prse (relative standard errors, percent).
Rules: use naics = '000000' unless an industry is asked for; industry rows exist only at
national level. Default to the latest year. Rank only o_group = 'detailed' occupations. Never
sum occupations of different o_group levels. A NULL measure with <measure>_flag '*' or '**' means
not published; '#' means top-coded (at or above the BLS top-code); both NULL means not applicable.
annual_only = 1: only annual wages are published (hourly is '*'); never derive one from the other.
"""

# BLS top-codes by year: (hourly, annual).
TOP_CODES: dict[int, tuple[float, int]] = {
    2019: (100.00, 208_000),
    2020: (100.00, 208_000),
    2021: (100.00, 208_000),
    2022: (115.00, 239_200),
    2023: (115.00, 239_200),
    2024: (115.00, 239_200),
    2025: (115.00, 239_200),
}


def top_code(year: int) -> tuple[float, int]:
    """The top-code in force for ``year`` (the latest known one for later years)."""
    if year in TOP_CODES:
        return TOP_CODES[year]
    return TOP_CODES[max(TOP_CODES)] if year > max(TOP_CODES) else TOP_CODES[min(TOP_CODES)]
