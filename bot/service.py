"""The core service: one neutral entry point for every chat platform and the CLI.

Question in, Answer out: access check, rate limits and quotas, thread memory, the workflow,
then the trace, usage and memory are stored.  A store failure never loses the answer.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from agents.answer import EngineAnswer
from agents.trace import Trace
from bot import messages
from bot.export import answer_csv
from bot.jobs import Enqueued, NewJob, thread_key
from bot.store import BotStore, FeedbackCounts, StoreError, UsageRow
from bot.types import Answer, Question

if TYPE_CHECKING:
    from bot.subscriptions import SubscriptionService

logger = logging.getLogger(__name__)

PRIVATE_STATUSES = frozenset({"error", "denied", "rate_limited"})  # shown to the asker only
DEFAULT_QUEUE_CAPACITY = 10_000
THREAD_LOOKBACK = 500  # recent answers searched for a thread's last question
QUEUE_FAILURE_MEMORY_S = 300  # /healthz says "degraded" this long after a question could not be queued


class AnswerEngine(Protocol):
    """What the service needs from the workflow (``agents.workflow.graph.Workflow``)."""

    def run(
        self,
        question: str,
        *,
        trace: Trace,
        context: dict[str, Any] | None = None,
        render_chart: bool = True,
        suggest: bool = True,
        model: str | None = None,
        reasoning_model: str | None = None,
    ) -> EngineAnswer: ...


@dataclass(frozen=True)
class Limits:
    per_user_per_minute: int = 10
    per_workspace_per_minute: int = 120
    daily_per_user: int = 200
    daily_per_workspace: int = 5000


@dataclass
class AccessPolicy:
    """Workspaces allowed per platform; an empty set for a platform allows none of it."""

    allowed: dict[str, set[str]] = field(default_factory=dict)

    def allow(self, platform: str, workspaces: tuple[str, ...] | set[str]) -> None:
        self.allowed.setdefault(platform, set()).update(w for w in workspaces if w)

    def default_to(self, platform: str, workspaces: set[str]) -> None:
        """With no workspace configured for ``platform``, allow these (the bot's own)."""
        if self.allowed.get(platform):
            return
        self.allow(platform, workspaces)
        logger.info(
            "no %s workspace configured: allowing only the bot's own %s", platform, sorted(workspaces)
        )

    def permits(self, question: Question) -> bool:
        if question.platform == "cli":
            return True
        return question.workspace in self.allowed.get(question.platform, set())


class BotService:
    def __init__(
        self,
        *,
        workflow: AnswerEngine,
        store: BotStore,
        access: AccessPolicy | None = None,
        limits: Limits | None = None,
        clock: Callable[[], float] = time.time,
        vintage: Callable[[], str] | None = None,
        queue_capacity: int = DEFAULT_QUEUE_CAPACITY,
    ) -> None:
        self.queue_capacity = queue_capacity
        self._queue_failed_at = -math.inf  # when a question last could not be queued
        self.workflow = workflow
        self.store = store
        self.access = access or AccessPolicy()
        self.limits = limits or Limits()
        self.clock = clock
        self._vintage = vintage
        self.subscriptions: SubscriptionService | None = None  # set by the composition root

    # -- answering ---------------------------------------------------------------------------

    def answer(self, question: Question, *, render_chart: bool = True, suggest: bool = True) -> Answer:
        """The answer to ``question``; without ``render_chart`` no chart is drawn, without
        ``suggest`` no follow-ups or reshapes are offered (``oews-bot eval`` scores the text only)."""
        trace = _trace_for(question)
        started = time.perf_counter()
        refused = self._refuse(question, trace)
        if refused is not None:
            return refused
        try:
            engine_answer = self.workflow.run(
                question.text,
                trace=trace,
                context=self._context(question),
                render_chart=render_chart,
                suggest=suggest,
                model=question.model,
                reasoning_model=question.reasoning_model,
            )
        except Exception:
            logger.exception("workflow crashed", extra={"trace_id": trace.id})
            trace.error = "workflow crashed (see logs)"
            engine_answer = EngineAnswer(kind="error", text=messages.error_text(trace.id))
        self._remember(question, engine_answer)
        self._record(question, trace, engine_answer.kind, started)
        return _to_answer(engine_answer, trace.id)

    def _refuse(self, question: Question, trace: Trace) -> Answer | None:
        if not self.access.permits(question):
            logger.warning("refused workspace %s on %s", question.workspace, question.platform)
            return Answer(
                status="denied",
                private=True,
                trace_id=trace.id,
                text=messages.DENIED,
            )
        wait = self._rate_limited(question)
        if wait is not None:
            self._record(question, trace, "rate_limited", time.perf_counter())
            return Answer(status="rate_limited", private=True, trace_id=trace.id, text=wait)
        return None

    def _rate_limited(self, question: Question) -> str | None:
        if question.platform == "cli":
            return None
        user = f"{question.platform}:{question.workspace}:{question.user}"
        workspace = f"{question.platform}:{question.workspace}"
        checks = (
            (f"user-minute:{user}", self.limits.per_user_per_minute, 60, "a minute"),
            (f"workspace-minute:{workspace}", self.limits.per_workspace_per_minute, 60, "a minute"),
            (f"user-day:{user}", self.limits.daily_per_user, 86_400, "a day"),
            (f"workspace-day:{workspace}", self.limits.daily_per_workspace, 86_400, "a day"),
        )
        for key, limit, window, per in checks:
            try:
                decision = self.store.take(key, limit=limit, window_s=window, now=self.clock())
            except StoreError:
                logger.exception("rate limit check failed; allowing the question")
                return None
            if not decision.allowed:
                return (
                    f"You've reached the limit of {limit} question{'s' if limit != 1 else ''} {per}"
                    f"{' for this workspace' if key.startswith('workspace') else ''}. "
                    f"Try again in {_duration(decision.retry_after_s)}."
                )
        return None

    @staticmethod
    def apology(reference: str) -> Answer:
        """The answer when answering itself failed: private, short, with the reference."""
        return Answer(status="error", text=messages.error_text(reference), trace_id=reference, private=True)

    def own_workspace(self, platform: str, workspaces: set[str]) -> None:
        """The bot's own workspace on ``platform`` (allowed when none is configured)."""
        self.access.default_to(platform, workspaces)

    def admits(self, question: Question) -> bool:
        """Whether the question's workspace may use the bot (progress is shown only then)."""
        return self.access.permits(question)

    # -- the work queue ------------------------------------------------------------------------------

    def submit(self, job: NewJob) -> Enqueued | None:
        """Queue a question, claiming its delivery id in the same transaction.

        None when the store cannot take it (down, read-only, full disk): the caller then
        answers it directly, so that no question is dropped silently.
        """
        try:
            return self.store.enqueue_job(
                job, delivery_id=job.question.delivery_id, limit=self.queue_capacity
            )
        except StoreError:
            logger.warning("could not queue a question; answering it directly", exc_info=True)
            self._queue_failed_at = self.clock()
            return None

    def waiting(self, job_id: int) -> bool:
        """Whether the job is still queued (no worker has taken it yet)."""
        try:
            state = self.store.job_state(job_id)
        except StoreError:
            logger.warning("could not read the state of job %d", job_id, exc_info=True)
            return False
        return state is not None and state[0] == "queued"

    # -- memory, traces, usage ---------------------------------------------------------------------

    def _context(self, question: Question) -> dict[str, Any] | None:
        if not question.thread:
            return None
        try:
            return self.store.load_context(_thread_key(question))
        except StoreError:
            logger.exception("could not load thread context")
            return None

    def _remember(self, question: Question, answer: EngineAnswer) -> None:
        if not question.thread or answer.kind != "answer" or not answer.context:
            return
        try:
            self.store.save_context(_thread_key(question), answer.context)
        except StoreError:
            logger.exception("could not save thread context")

    def _record(self, question: Question, trace: Trace, status: str, started: float) -> None:
        latency = (time.perf_counter() - started) * 1000
        logger.info(
            "%s %s on %s in %.0f ms",
            status,
            question.platform,
            question.workspace,
            latency,
            extra={"trace_id": trace.id},
        )
        try:
            if status != "rate_limited":
                self.store.save_trace(trace)
            self.store.record_usage(
                platform=question.platform,
                workspace=question.workspace,
                user=question.user,
                status=status,
                latency_ms=latency,
                tokens_in=trace.tokens_in,
                tokens_out=trace.tokens_out,
                cost_usd=trace.cost_usd,
            )
        except StoreError:
            logger.exception("could not store the trace or usage", extra={"trace_id": trace.id})

    # -- the rest of the surface --------------------------------------------------------------------

    def trace(self, trace_id: str, *, workspace: str | None) -> Trace | None:
        return self.store.get_trace(trace_id, workspace=workspace)

    def trace_for(self, trace_id: str, asker: Question) -> Trace | None:
        """The trace if ``asker`` may see it: asked in the same conversation, or by them."""
        trace = self.store.get_trace(trace_id, workspace=asker.workspace)
        if trace is None:
            return None
        same_place = trace.channel == asker.channel or (bool(trace.user) and trace.user == asker.user)
        return trace if same_place else None

    def owns(self, trace_id: str, asker: Question) -> bool:
        """Whether ``asker`` may act on the answer ``trace_id`` (reshape it, export it,
        subscribe to it): it exists in their workspace and conversation, or they asked it."""
        try:
            return bool(trace_id) and self.trace_for(trace_id, asker) is not None
        except StoreError:
            logger.exception("could not read the answer %s", trace_id[:64])
            return False

    def question_of(self, trace_id: str, asker: Question) -> str | None:
        """The question of an answer ``asker`` may see (its *Notify me* button); None if not."""
        trace = self.trace_for(trace_id, asker) if trace_id else None
        return trace.question if trace is not None and trace.answer_kind == "answer" else None

    def last_question(self, asker: Question) -> str | None:
        """The last question answered in ``asker``'s thread (what "notify me" there is about)."""
        if not asker.thread:
            return None
        for trace in self.store.recent_traces(THREAD_LOOKBACK, workspace=asker.workspace):
            same = (trace.channel, trace.thread) == (asker.channel, asker.thread)
            if same and trace.answer_kind == "answer" and trace.question.strip():
                return trace.question
        return None

    def export_csv(self, trace_id: str, asker: Question) -> str | None:
        """The CSV of an answer ``asker`` may see; None when it is gone or not theirs;
        ``CsvExportError`` when it has no table."""
        if not self.owns(trace_id, asker):
            return None
        return self.answer_csv(trace_id, workspace=asker.workspace)

    def answer_csv(self, trace_id: str, *, workspace: str | None) -> str | None:
        """The CSV of a stored answer's tables; None when the answer is gone or not this
        workspace's; ``CsvExportError`` when it has no table."""
        trace = self.store.get_trace(trace_id, workspace=workspace)
        if trace is None:
            return None
        answer = Answer(
            status="answer", text=trace.answer_text, trace_id=trace.id, tables=tuple(trace.tables)
        )
        return answer_csv(answer)

    def feedback(
        self, *, trace_id: str, platform: str, workspace: str, user: str, value: Literal["up", "down"]
    ) -> FeedbackCounts | None:
        if self.store.get_trace(trace_id, workspace=workspace) is None:
            return None
        self.store.record_feedback(
            trace_id=trace_id, platform=platform, workspace=workspace, user=user, value=value
        )
        return self.store.feedback_for(trace_id)

    def usage(self, platform: str, workspace: str, user: str) -> tuple[UsageRow | None, UsageRow | None]:
        """(today, all time) for one user."""
        today = datetime.now(UTC).date()
        return (
            self.store.user_usage(platform, workspace, user, since=today),
            self.store.user_usage(platform, workspace, user),
        )

    def health(self) -> dict[str, Any]:
        """What ``/healthz`` reports: the store and the queue (``degraded`` when the store fails)."""
        try:
            stats = self.store.queue_stats()
        except StoreError as e:
            logger.warning("health check: the store is unavailable (%s)", e.problem)
            return {"status": "degraded", "store": "unavailable: questions are answered directly"}
        queue = {
            "queued": stats.queued,
            "running": stats.running,
            "oldest_wait_s": round(stats.oldest_wait_s, 1),
        }
        if self.clock() - self._queue_failed_at < QUEUE_FAILURE_MEMORY_S:  # e.g. read-only, disk full
            return {"status": "degraded", "store": "cannot queue: answering directly", "queue": queue}
        return {"status": "ok", "store": "ok", "queue": queue}

    def data_vintage(self) -> str | None:
        """Which years and geographies are loaded (for App Home and help texts)."""
        return self._vintage() if self._vintage is not None else None

    def knows_thread(self, question: Question) -> bool:
        """True when the bot has context stored for this thread (it answered there before)."""
        key = thread_key(question)
        if key is None:
            return False
        try:
            return self.store.load_context(key) is not None or self.store.thread_has_jobs(key)
        except StoreError:
            logger.exception("could not load thread context")
            return False

    def first_delivery(self, delivery_id: str) -> bool:
        """True the first time a platform delivery id is seen (retries return False)."""
        try:
            return self.store.claim_delivery(delivery_id)
        except StoreError:
            logger.exception("could not record delivery %s; processing it", delivery_id)
            return True


def _trace_for(question: Question) -> Trace:
    return Trace(
        question=question.text,
        platform=question.platform,
        workspace=question.workspace,
        channel=question.channel,
        thread=question.thread,
        user=question.user,
    )


def _thread_key(question: Question) -> str:
    return thread_key(question) or ""


def _duration(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    if seconds < 5400:
        return f"{round(seconds / 60)} minutes"
    return f"{round(seconds / 3600)} hours"


def _to_answer(answer: EngineAnswer, trace_id: str) -> Answer:
    status = (
        answer.kind
        if answer.kind in ("answer", "clarification", "refusal", "not_found", "error")
        else "error"
    )
    return Answer(
        **answer.parts(),
        status=status,
        trace_id=trace_id,
        chart_title=answer.chart.title if answer.chart else None,
        private=status in PRIVATE_STATUSES,
    )
