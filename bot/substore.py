"""The bot store's subscription tables: subscriptions and the notices sent for them.

Part of ``BotStore`` (``store.subscriptions``), so that every host sharing a PostgreSQL store
(``OEWS_STORE_URL``) sees the same subscriptions and the same sent notices.  The SQL is plain
enough for SQLite and PostgreSQL alike (``?`` parameters, ``ON CONFLICT DO NOTHING``);
``SqlBotStore`` hands in its write transaction (``Transaction``: an operation name in, an
executor out, committed when the block ends, rolled back and raised as ``StoreError`` when it
fails).

Delivery is idempotent: a notice is *claimed* (a ``sending`` row) before it is sent, marked
``sent`` after, or given back when sending failed; a claim left ``sending`` longer than a
lease (its process died) is taken over.  So one notice goes out per subscription and release,
across processes, hosts and restarts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from agents.table import Table

DDL = (
    "CREATE TABLE IF NOT EXISTS subscriptions ("
    " id VARCHAR(32) PRIMARY KEY, platform VARCHAR(16) NOT NULL, workspace VARCHAR(200) NOT NULL,"
    " user_id VARCHAR(200) NOT NULL, target VARCHAR(2000) NOT NULL, question TEXT NOT NULL,"
    " release_year INTEGER NOT NULL, answer_json TEXT NOT NULL, created_at VARCHAR(40) NOT NULL)",
    "CREATE TABLE IF NOT EXISTS subscription_notices ("
    " subscription_id VARCHAR(32) NOT NULL, release_year INTEGER NOT NULL, state VARCHAR(16) NOT NULL,"
    " at VARCHAR(40) NOT NULL, PRIMARY KEY (subscription_id, release_year))",
    "CREATE INDEX IF NOT EXISTS subscriptions_user ON subscriptions (platform, workspace, user_id)",
)
_COLUMNS = "id, platform, workspace, user_id, target, question, release_year, answer_json, created_at"
DEFAULT_LEASE_S = 600


class Executor(Protocol):
    """``bot.store.Executor``: runs one statement in the transaction, returns its cursor."""

    def execute(self, sql: str, params: Sequence[Any], /) -> Any: ...


Transaction = Callable[[str], AbstractContextManager[Executor]]


@dataclass(frozen=True)
class Subscription:
    id: str
    platform: str
    workspace: str
    user: str
    target: str  # where notices go: a webhook URL (CLI), a user id to DM (Slack, Teams)
    question: str
    release: int  # the latest May release the stored answer was computed on
    answer_text: str
    answer_tables: tuple[Table, ...]
    created_at: str


class SubscriptionTables:
    """Subscriptions and their sent notices, in the bot store's database."""

    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction

    def add(self, sub: Subscription) -> None:
        payload = json.dumps({"text": sub.answer_text, "tables": [t.model_dump() for t in sub.answer_tables]})
        row = (sub.id, sub.platform, sub.workspace, sub.user, sub.target, sub.question, sub.release)
        with self._transaction("add subscription") as db:
            db.execute(
                f"INSERT INTO subscriptions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*row, payload, sub.created_at),
            )

    def count(self) -> int:
        with self._transaction("count subscriptions") as db:
            return int(db.execute("SELECT count(*) FROM subscriptions", ()).fetchone()[0])

    def for_user(self, platform: str, workspace: str, user: str) -> list[Subscription]:
        return self._select(
            "WHERE platform = ? AND workspace = ? AND user_id = ? ORDER BY created_at, id",
            (platform, workspace, user),
        )

    def remove(self, subscription_id: str, *, platform: str, workspace: str, user: str) -> bool:
        """Remove one of this user's subscriptions; False when they have none by that id."""
        with self._transaction("remove subscription") as db:
            deleted = db.execute(
                "DELETE FROM subscriptions WHERE id = ? AND platform = ? AND workspace = ? AND user_id = ?",
                (subscription_id, platform, workspace, user),
            )
            removed = deleted.rowcount == 1
            if removed:
                db.execute("DELETE FROM subscription_notices WHERE subscription_id = ?", (subscription_id,))
        return bool(removed)

    def due(self, release: int) -> list[Subscription]:
        """Subscriptions answered on an older release with no notice sent for ``release``."""
        return self._select(
            "WHERE release_year < ? AND NOT EXISTS (SELECT 1 FROM subscription_notices n "
            "WHERE n.subscription_id = subscriptions.id AND n.release_year = ? AND n.state = 'sent') "
            "ORDER BY created_at, id",
            (release, release),
        )

    def claim(self, subscription_id: str, release: int, *, lease_s: int = DEFAULT_LEASE_S) -> bool:
        """True for the one caller that may send this notice (until it is sent or given back).

        A claim left ``sending`` for longer than ``lease_s`` (its process died) is taken over."""
        stale = datetime.fromtimestamp(datetime.now(UTC).timestamp() - lease_s, UTC).isoformat(
            timespec="seconds"
        )
        with self._transaction("claim notice") as db:
            db.execute(
                "DELETE FROM subscription_notices WHERE subscription_id = ? AND release_year = ? "
                "AND state = 'sending' AND at < ?",
                (subscription_id, release, stale),
            )
            claimed = db.execute(
                "INSERT INTO subscription_notices (subscription_id, release_year, state, at) "
                "VALUES (?, ?, 'sending', ?) ON CONFLICT (subscription_id, release_year) DO NOTHING",
                (subscription_id, release, now_iso()),
            )
            return bool(claimed.rowcount == 1)

    def sent(self, subscription_id: str, release: int) -> None:
        with self._transaction("mark notice sent") as db:
            db.execute(
                "UPDATE subscription_notices SET state = 'sent', at = ? "
                "WHERE subscription_id = ? AND release_year = ?",
                (now_iso(), subscription_id, release),
            )

    def give_back(self, subscription_id: str, release: int) -> None:
        with self._transaction("give back notice") as db:
            db.execute(
                "DELETE FROM subscription_notices WHERE subscription_id = ? AND release_year = ? "
                "AND state = 'sending'",
                (subscription_id, release),
            )

    def _select(self, where: str, params: Sequence[Any]) -> list[Subscription]:
        with self._transaction("read subscriptions") as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM subscriptions {where}", tuple(params)).fetchall()
        return [_subscription(tuple(r)) for r in rows]


def _subscription(row: tuple[Any, ...]) -> Subscription:
    sid, platform, workspace, user, target, question, release, payload, created = row
    data = json.loads(payload)
    return Subscription(
        id=str(sid),
        platform=str(platform),
        workspace=str(workspace),
        user=str(user),
        target=str(target),
        question=str(question),
        release=int(release),
        answer_text=str(data["text"]),
        answer_tables=tuple(Table.model_validate(t) for t in data["tables"]),
        created_at=str(created),
    )


def now_iso(timespec: str = "seconds") -> str:
    return datetime.now(UTC).isoformat(timespec=timespec)
