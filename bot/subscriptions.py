"""Subscriptions: "tell me this answer again when BLS publishes newer data".

A person subscribes to a question; the bot answers it right away (a question it cannot
answer is refused and nothing is stored) and keeps that answer. When a newer OEWS release
is loaded (``data load`` / ``data fetch``), ``SubscriptionService.notify`` answers every
subscribed question again on the new data and hands each subscriber a ``Notice``: the new
answer and what changed since the answer they subscribed to. Delivery is idempotent: a
notice is claimed in the store before it is sent (one per subscription and release, across
processes and restarts); a failed send gives the claim back so the next run retries it.

The tables are plain SQL that SQLite and PostgreSQL both run (``?`` parameters, ``ON CONFLICT
DO NOTHING``), over any DB-API connection: ``sqlite3`` for the bot's SQLite file, pyodbc for
a PostgreSQL store.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from agents.models import Table
from bot.types import Answer, Question

logger = logging.getLogger(__name__)

MAX_PER_USER = 20
MAX_CHANGES = 12

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


class Connection(Protocol):
    def cursor(self) -> Any: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def close(self) -> None: ...


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


@dataclass(frozen=True)
class Notice:
    subscription: Subscription
    release: int
    answer: Answer
    changes: tuple[str, ...]  # "Median (annual): $128,260 → $131,900 (+2.8%)", or the sentences

    @property
    def text(self) -> str:
        head = f"New OEWS data (May {self.release}) for your subscription: “{self.subscription.question}”"
        return "\n".join([head, "", self.answer.text, "", "What changed:", *self.changes])


class SubscriptionError(ValueError):
    """A subscription could not be made or removed; ``user_message`` says why."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class SubscriptionStore:
    """Subscriptions and their sent notices, in tables any DB-API database holds."""

    def __init__(self, connect: Callable[[], Connection]) -> None:
        self._connection = connect()
        self._lock = threading.Lock()
        with self._transaction() as cur:
            for statement in DDL:
                cur.execute(statement)

    @classmethod
    def sqlite(cls, path: Path) -> SubscriptionStore:
        path.parent.mkdir(parents=True, exist_ok=True)
        return cls(lambda: sqlite3.connect(path, timeout=5, check_same_thread=False))

    def close(self) -> None:
        self._connection.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self._lock:
            cur = self._connection.cursor()
            try:
                yield cur
                self._connection.commit()
            except BaseException:
                self._connection.rollback()
                raise
            finally:
                cur.close()

    def add(self, sub: Subscription) -> None:
        payload = json.dumps({"text": sub.answer_text, "tables": [t.model_dump() for t in sub.answer_tables]})
        with self._transaction() as cur:
            cur.execute(
                f"INSERT INTO subscriptions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    sub.id,
                    sub.platform,
                    sub.workspace,
                    sub.user,
                    sub.target,
                    sub.question,
                    sub.release,
                    payload,
                    sub.created_at,
                ),
            )

    def count(self) -> int:
        with self._transaction() as cur:
            cur.execute("SELECT count(*) FROM subscriptions")
            return int(cur.fetchone()[0])

    def for_user(self, platform: str, workspace: str, user: str) -> list[Subscription]:
        return self._select(
            "WHERE platform = ? AND workspace = ? AND user_id = ? ORDER BY created_at, id",
            (platform, workspace, user),
        )

    def remove(self, subscription_id: str, *, platform: str, workspace: str, user: str) -> bool:
        """Remove one of this user's subscriptions; False when they have none by that id."""
        with self._transaction() as cur:
            cur.execute(
                "DELETE FROM subscriptions WHERE id = ? AND platform = ? AND workspace = ? AND user_id = ?",
                (subscription_id, platform, workspace, user),
            )
            removed = cur.rowcount == 1
            if removed:
                cur.execute("DELETE FROM subscription_notices WHERE subscription_id = ?", (subscription_id,))
        return bool(removed)

    def due(self, release: int) -> list[Subscription]:
        """Subscriptions answered on an older release with no notice claimed for ``release``."""
        return self._select(
            "WHERE release_year < ? AND NOT EXISTS (SELECT 1 FROM subscription_notices n "
            "WHERE n.subscription_id = subscriptions.id AND n.release_year = ? AND n.state = 'sent') "
            "ORDER BY created_at, id",
            (release, release),
        )

    def claim(self, subscription_id: str, release: int, *, lease_s: int = 600) -> bool:
        """True for the one caller that may send this notice (until it is sent or given back).

        A claim left ``sending`` for longer than ``lease_s`` (its process died) is taken over."""
        stale = datetime.fromtimestamp(datetime.now(UTC).timestamp() - lease_s, UTC).isoformat(
            timespec="seconds"
        )
        with self._transaction() as cur:
            cur.execute(
                "DELETE FROM subscription_notices WHERE subscription_id = ? AND release_year = ? "
                "AND state = 'sending' AND at < ?",
                (subscription_id, release, stale),
            )
            cur.execute(
                "INSERT INTO subscription_notices (subscription_id, release_year, state, at) "
                "VALUES (?, ?, 'sending', ?) ON CONFLICT (subscription_id, release_year) DO NOTHING",
                (subscription_id, release, _now()),
            )
            return bool(cur.rowcount == 1)

    def sent(self, subscription_id: str, release: int) -> None:
        with self._transaction() as cur:
            cur.execute(
                "UPDATE subscription_notices SET state = 'sent', at = ? "
                "WHERE subscription_id = ? AND release_year = ?",
                (_now(), subscription_id, release),
            )

    def give_back(self, subscription_id: str, release: int) -> None:
        with self._transaction() as cur:
            cur.execute(
                "DELETE FROM subscription_notices WHERE subscription_id = ? AND release_year = ? "
                "AND state = 'sending'",
                (subscription_id, release),
            )

    def _select(self, where: str, params: Sequence[Any]) -> list[Subscription]:
        with self._transaction() as cur:
            cur.execute(f"SELECT {_COLUMNS} FROM subscriptions {where}", tuple(params))
            rows = cur.fetchall()
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


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


Deliver = Callable[[Notice], None]


class SubscriptionService:
    """Subscribe, list, remove, and notify after a newer release is loaded."""

    def __init__(
        self,
        *,
        store: SubscriptionStore,
        answer: Callable[[Question], Answer],
        release: Callable[[], int],
    ) -> None:
        self.store = store
        self._answer = answer
        self._release = release

    def subscribe(self, question: Question, *, target: str) -> tuple[Subscription, Answer]:
        """Answer ``question`` now and keep it; ``SubscriptionError`` if it cannot be answered."""
        if len(self.store.for_user(question.platform, question.workspace, question.user)) >= MAX_PER_USER:
            raise SubscriptionError(
                f"You already have {MAX_PER_USER} subscriptions; remove one first (/oews subscriptions)."
            )
        answer = self._answer(question)
        if answer.status != "answer":
            raise SubscriptionError(
                "I can only subscribe you to a question I can answer, and I could not answer this one: "
                f"{answer.text}"
            )
        sub = Subscription(
            id=f"sub-{secrets.token_hex(4)}",
            platform=question.platform,
            workspace=question.workspace,
            user=question.user,
            target=target,
            question=question.text,
            release=self._release(),
            answer_text=answer.text,
            answer_tables=answer.tables,
            created_at=_now(),
        )
        self.store.add(sub)
        return sub, answer

    def notify(self, deliver: Callable[[Subscription], Deliver | None]) -> list[Notice]:
        """Send every notice due for the latest release; returns those sent."""
        release = self._release()
        sent: list[Notice] = []
        for sub in self.store.due(release):
            send = deliver(sub)
            if send is None or not self.store.claim(sub.id, release):
                continue  # no way to reach them here, or another process has it
            notice = self._notice(sub, release)
            try:
                send(notice)
            except Exception:
                logger.exception("notice for %s could not be delivered; will retry", sub.id)
                self.store.give_back(sub.id, release)
                continue
            self.store.sent(sub.id, release)
            sent.append(notice)
        return sent

    def _notice(self, sub: Subscription, release: int) -> Notice:
        question = Question(text=sub.question, platform=sub.platform, workspace=sub.workspace, user=sub.user)  # type: ignore[arg-type]
        answer = self._answer(question)
        return Notice(subscription=sub, release=release, answer=answer, changes=changes(sub, answer))


_FIGURE = re.compile(r"[-+]?\$?\d[\d,]*(?:\.\d+)?%?")


def changes(sub: Subscription, new: Answer) -> tuple[str, ...]:
    """What differs between the subscribed answer and the new one, in a few lines."""
    lines: list[str] = []
    for old_table, new_table in zip(sub.answer_tables, new.tables, strict=False):
        lines += _table_changes(old_table, new_table)
    if not lines and _FIGURE.findall(sub.answer_text) != _FIGURE.findall(new.text):
        lines = [f"Before (May {sub.release}): {sub.answer_text}", f"Now: {new.text}"]
    if not lines:
        return ("No published figure changed.",)
    if len(lines) > MAX_CHANGES:
        lines = [*lines[:MAX_CHANGES], f"… and {len(lines) - MAX_CHANGES} more."]
    return tuple(lines)


def _table_changes(old: Table, new: Table) -> list[str]:
    before = {row[0]: row for row in old.rows if row}
    lines: list[str] = []
    for row in new.rows:
        was = before.get(row[0])
        if was is None:
            lines.append(f"{row[0]}: new in the table")
            continue
        for column, a, b in zip(new.columns[1:], was[1:], row[1:], strict=False):
            if a != b and column not in ("#", "Year"):
                lines.append(f"{row[0]}, {column}: {a} → {b}{_percent(a, b)}")
    gone = set(before) - {row[0] for row in new.rows}
    lines += [f"{label}: no longer in the table" for label in sorted(gone)]
    return lines


def _percent(old: str, new: str) -> str:
    try:
        a, b = (float(x.strip().lstrip("$").replace(",", "")) for x in (old, new))
    except ValueError:
        return ""
    return f" ({(b - a) / abs(a) * 100:+.1f}%)" if a else ""
