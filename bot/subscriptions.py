"""Subscriptions: "tell me this answer again when BLS publishes newer data".

A person subscribes to a question (``/oews subscribe``, "notify me when new data is out" in a
thread, the *Notify me of new data* button, ``oews-bot subscribe``); the bot answers it right
away (a question it cannot answer is refused and nothing is stored) and keeps that answer.
When a newer OEWS release is loaded (``data load`` / ``data fetch``),
``SubscriptionService.notify`` answers every subscribed question again on the new data and
hands each subscriber a ``Notice``: the new answer and what changed since the answer they
subscribed to.  The subscriptions live in the bot store (``bot.substore``), so hosts sharing a
PostgreSQL store share them, and delivery is idempotent there: one notice per subscription and
release, across processes and restarts; a failed send is retried on the next run.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from agents.table import Cell, Table
from bot import messages
from bot.errors import BotError
from bot.substore import Subscription, SubscriptionTables, now_iso
from bot.types import Answer, Question

__all__ = ["Notice", "Subscription", "SubscriptionError", "SubscriptionService", "asks_for_notice", "changes"]

logger = logging.getLogger(__name__)

MAX_PER_USER = 20
MAX_CHANGES = 12
_NOTIFY_ME = re.compile(
    r"^\W*(please\s+)?(notify|tell|ping|alert|message|let)\s+me\b.*"
    r"\b(when|once|if|as\s+soon\s+as|whenever)\b.*\b(new|newer|next|updated?|fresh)\b.*"
    r"\b(data|release|figures|numbers|estimates|is\s+out|are\s+out)\b",
    re.IGNORECASE,
)


def asks_for_notice(text: str) -> bool:
    """Whether a message asks to be told about newer data ("notify me when new data is out")."""
    return bool(_NOTIFY_ME.search(text.strip())) and len(text) < 200


@dataclass(frozen=True)
class Notice:
    subscription: Subscription
    release: int
    answer: Answer
    changes: tuple[str, ...]  # "Median (annual): $128,260 → $131,900 (+2.8%)", or the sentences

    @property
    def heading(self) -> str:
        return messages.notice_heading(self.release, self.subscription.question)

    @property
    def text(self) -> str:
        return "\n".join([self.heading, "", self.answer.text, "", "What changed:", *self.changes])


class SubscriptionError(BotError, ValueError):
    """A subscription could not be made or removed; ``user_message`` says why."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


Deliver = Callable[[Notice], None]
Asked = Callable[[str, Question], str | None]  # the question of an answer (trace id) the asker may see


class SubscriptionService:
    """Subscribe, list, remove, and notify after a newer release is loaded."""

    def __init__(
        self,
        *,
        store: SubscriptionTables,
        answer: Callable[[Question], Answer],
        release: Callable[[], int],
        asked: Asked | None = None,
        last_asked: Callable[[Question], str | None] | None = None,
    ) -> None:
        self.store = store
        self._answer = answer
        self._release = release
        self._asked = asked
        self._last_asked = last_asked

    def subscribe(self, question: Question, *, target: str) -> tuple[Subscription, Answer]:
        """Answer ``question`` now and keep it; ``SubscriptionError`` if it cannot be answered."""
        if not question.text.strip():
            raise SubscriptionError(messages.SUBSCRIBE_HOW)
        if len(self.store.for_user(question.platform, question.workspace, question.user)) >= MAX_PER_USER:
            raise SubscriptionError(messages.too_many_subscriptions(MAX_PER_USER))
        answer = self._answer(question)
        if answer.status != "answer":
            raise SubscriptionError(messages.cannot_subscribe(answer.text))
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
            created_at=now_iso("microseconds"),  # lists them in the order they were made
        )
        self.store.add(sub)
        return sub, answer

    def subscribe_to_answer(
        self, trace_id: str, asker: Question, *, target: str
    ) -> tuple[Subscription, Answer]:
        """Subscribe to the question of an answer (its *Notify me* button)."""
        text = self._asked(trace_id, asker) if self._asked is not None else None
        if text is None:
            raise SubscriptionError(messages.ANSWER_GONE)
        return self.subscribe(asker.model_copy(update={"text": text}), target=target)

    def subscribe_to_thread(self, asker: Question, *, target: str) -> tuple[Subscription, Answer]:
        """Subscribe to the last question answered in ``asker``'s thread."""
        text = self._last_asked(asker) if self._last_asked is not None else None
        if text is None:
            raise SubscriptionError(messages.NOTHING_TO_SUBSCRIBE)
        return self.subscribe(asker.model_copy(update={"text": text}), target=target)

    def mine(self, asker: Question) -> list[Subscription]:
        return self.store.for_user(asker.platform, asker.workspace, asker.user)

    def remove(self, subscription_id: str, asker: Question) -> bool:
        return self.store.remove(
            subscription_id, platform=asker.platform, workspace=asker.workspace, user=asker.user
        )

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
        # asked by the bot on the subscriber's behalf: no rate limit of theirs applies (platform "cli")
        question = Question(text=sub.question, platform="cli", workspace=sub.workspace, user=sub.user)
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
    before = {text[0]: (text, row) for text, row in zip(old.text_rows(), old.rows, strict=True) if text}
    lines: list[str] = []
    for text, row in zip(new.text_rows(), new.rows, strict=True):
        was = before.get(text[0])
        if was is None:
            lines.append(f"{text[0]}: new in the table")
            continue
        for column, a, b, x, y in zip(
            new.columns[1:], was[0][1:], text[1:], was[1][1:], row[1:], strict=False
        ):
            if a != b and column.name not in ("#", "Year"):
                lines.append(f"{text[0]}, {column.name}: {a} → {b}{_percent(x, y)}")
    gone = set(before) - {text[0] for text in new.text_rows()}
    lines += [f"{label}: no longer in the table" for label in sorted(gone)]
    return lines


def _percent(old: Cell, new: Cell) -> str:
    a, b = _number(old), _number(new)
    return f" ({(b - a) / abs(a) * 100:+.1f}%)" if a and b is not None else ""


def _number(cell: Cell) -> float | None:
    """A raw value, or a figure of an answer stored before tables held raw values ("$80,000")."""
    if isinstance(cell, int | float):
        return cell
    try:
        return float(str(cell).strip().lstrip("$").replace(",", ""))
    except ValueError:
        return None
