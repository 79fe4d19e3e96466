"""SQL laid out for people reading a trace ("Show trace"): a model's one-line statement is
re-indented by sqlparse (words kept as written); the engine's own templates are already laid out.

Only the text shown changes; the statement run is the one the guard checked.
"""

from __future__ import annotations

from functools import lru_cache

import sqlparse


@lru_cache(maxsize=512)
def readable_sql(sql: str) -> str:
    if "\n" in sql.strip():
        return sql
    return str(sqlparse.format(sql, reindent=True)).strip()
