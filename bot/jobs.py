"""The durable work queue's vocabulary: a job, what enqueueing it did, what a worker claimed.

A *job* is one question accepted from a platform, stored with everything a worker needs to
answer it and to post the answer (``payload``: the platform's own delivery details, such as
a Slack channel and message ts or a ``response_url``).  The store keeps jobs in its ``jobs``
table (see ``bot.store``); workers claim them with a lease, renew the lease while they work,
record what they posted as they post it (``posted``: message ts, activity ids...), and
finish them.  A job whose lease runs out (its worker died) is claimed again by another
worker, which reads ``posted`` to skip what is already done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from bot.types import Question

EnqueueStatus = Literal["queued", "duplicate", "full"]
MAX_ATTEMPTS = 3  # a job claimed this often (its workers kept dying) is answered with an apology


@dataclass(frozen=True)
class NewJob:
    """A question to queue, with the platform's delivery details."""

    kind: str  # "slack.ask", "slack.command", "slack.click"...
    question: Question
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def thread_key(self) -> str | None:
        return thread_key(self.question)


@dataclass(frozen=True)
class Enqueued:
    """What happened to a job offered to the queue.

    ``queued``: stored; ``position`` is its place among the waiting jobs (1 = next).
    ``duplicate``: its delivery id was already claimed (a platform retry): nothing stored.
    ``full``: the queue holds its limit already: nothing stored, tell the person to retry.
    """

    status: EnqueueStatus
    job_id: int | None = None
    position: int = 0


@dataclass(frozen=True)
class ClaimedJob:
    """A job a worker holds the lease on."""

    id: int
    kind: str
    question: Question
    payload: dict[str, Any]
    posted: dict[str, Any]
    attempts: int  # including this claim

    @property
    def exhausted(self) -> bool:
        return self.attempts > MAX_ATTEMPTS


@dataclass(frozen=True)
class QueueStats:
    queued: int
    running: int
    oldest_wait_s: float


def thread_key(question: Question) -> str | None:
    """The key of the conversation thread a question belongs to (None outside threads)."""
    if not question.thread:
        return None
    return f"{question.platform}:{question.workspace}:{question.channel}:{question.thread}"
