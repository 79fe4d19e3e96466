"""The SQL gateway: the only way SQL runs.

``SqlGateway`` is the interface; ``SqliteGateway`` (in ``sqlite.py``) is the embedded default,
``OdbcGateway`` (in ``odbc.py``) runs the same statements on PostgreSQL or SQL Server through
pyodbc. Both pass one contract suite (tests/test_gateway_contract.py).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

DEFAULT_MAX_ROWS = 1000
DEFAULT_TIME_LIMIT_MS = 2000


@dataclass(frozen=True)
class QueryResult:
    """Rows returned by one validated statement."""

    sql: str
    params: tuple[Any, ...]
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    truncated: bool
    elapsed_ms: float

    @classmethod
    def capped(
        cls,
        statement: str,
        params: tuple[Any, ...],
        columns: tuple[str, ...],
        rows: Sequence[Any],
        *,
        cap: int,
        started: float,
    ) -> QueryResult:
        """The first ``cap`` of ``rows`` (fetched ``cap + 1``: one more means truncated)."""
        return cls(
            sql=statement, params=params, columns=columns, rows=tuple(rows[:cap]),
            truncated=len(rows) > cap, elapsed_ms=(time.perf_counter() - started) * 1000,
        )  # fmt: skip

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class SqlGateway(Protocol):
    """Runs one read-only SELECT with bound parameters, a row cap and a time limit."""

    dialect: str

    def execute(
        self, sql: str, params: Sequence[Any] = (), *, max_rows: int | None = None
    ) -> QueryResult: ...

    def close(self) -> None: ...


def database_ok(gateway: SqlGateway) -> bool:
    """Whether the gateway's database answers a trivial query now (for health checks)."""
    from agents.errors import OewsError

    try:
        gateway.execute("SELECT count(*) AS n FROM coverage", max_rows=1)
    except OewsError:
        return False
    return True
