"""What the engine hands from one stage to the next: the framed queries, and their results.

``run_traced`` is the one place a query result becomes a trace step (the offline engine's
queries and a model's alike); ``Results.add`` the one place it becomes an ``SqlRecord``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from agents.answer import Row, SqlRecord
from agents.engine import queries as q
from agents.engine.intent import Intent
from agents.resolve.entities import Occupation
from agents.sql.gateway import QueryResult, SqlGateway
from agents.sql.readable import readable_sql
from agents.trace import TraceRecorder, sample


@dataclass(frozen=True)
class Framing:
    """The queries for an intent, and what the synthesizer needs to know about them."""

    intent: Intent
    queries: tuple[q.Query, ...]
    notes: tuple[str, ...] = ()
    rank_noun: str = ""
    rank_scope: str = ""
    asked_code: str = ""
    group: Occupation | None = None  # a SOC group asked about, queried with its detailed members
    unapplied: tuple[str, ...] = ()  # parts of the question the queries could not use, said plainly


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    records: list[SqlRecord] = field(default_factory=list)
    truncated: bool = False

    def add(self, result: QueryResult) -> None:
        """Keep a statement's rows and what the answer says about it (its ``SqlRecord``)."""
        self.rows.extend(result.records())
        self.records.append(
            SqlRecord(
                sql=result.sql,
                params=result.params,
                row_count=len(result.rows),
                truncated=result.truncated,
                elapsed_ms=round(result.elapsed_ms, 3),
            )
        )
        self.truncated |= result.truncated


def run_traced(
    gateway: SqlGateway,
    sql: str,
    params: Sequence[Any],
    recorder: TraceRecorder,
    *,
    model: str,
    max_rows: int | None = None,
) -> QueryResult:
    """Run one statement through the gateway as a ``text_to_sql`` trace step: the one place a
    query result becomes a step (the offline engine's queries and a model's alike)."""
    with recorder.step("text_to_sql", "sql", model=model) as step:
        step.sql, step.params = readable_sql(sql), list(params)
        result = gateway.execute(sql, params, max_rows=max_rows)
        step.row_count, step.truncated = len(result.rows), result.truncated
        step.sample_rows = sample(result.rows)
    return result
