"""Workers: claim jobs from the store's queue, answer them, and post through the platform.

A ``Worker`` loops: claim the oldest ready job with a lease, keep renewing the lease while it
works, hand the job to the platform's ``JobHandler`` (Slack, Teams...), which answers it
through ``JobContext.answer`` and records what it posts through ``JobContext.posted`` (so a
worker that takes the job over after a crash skips what is already done), then finish it.

Workers run in their own processes (``oews-bot worker``, or those ``oews-bot serve`` starts);
tests and the store-down fallback run them in-process (``run_direct``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from agents.trace import new_trace_id
from bot import messages
from bot.errors import BotError
from bot.jobs import ClaimedJob, NewJob
from bot.service import BotService
from bot.store import StoreError
from bot.types import Answer, Question

logger = logging.getLogger(__name__)

DEFAULT_LEASE_S = 60.0
DEFAULT_POLL_S = 0.05
MAX_BACKOFF_S = 5.0  # the longest pause between polls while the store is down


class LeaseLost(BotError):
    """Another worker took this job over (this one was too slow): stop without posting more."""


class JobHandler(Protocol):
    """One platform's side of a job: answer it and post what people see."""

    async def start(self, service: BotService) -> None: ...

    async def run(self, job: ClaimedJob, context: JobContext) -> None: ...


@dataclass
class JobContext:
    """What a handler may do while it holds a job."""

    service: BotService
    job: ClaimedJob
    worker: str | None  # None: answered directly, outside the queue
    posted: dict[str, Any] = field(default_factory=dict)

    async def answer(self, question: Question) -> Answer:
        """The service's answer (on a thread); if the service itself fails, a short apology."""
        try:
            return await asyncio.to_thread(self.service.answer, question)
        except Exception:
            reference = new_trace_id()
            logger.exception("the service failed to answer", extra={"trace_id": reference})
            return Answer(
                status="error", text=messages.error_text(reference), trace_id=reference, private=True
            )

    async def record(self, **done: Any) -> None:
        """Remember what was just posted (message ts...), before doing anything else."""
        self.posted.update(done)
        if self.worker is None:
            return
        held = await asyncio.to_thread(
            self.service.store.save_job_progress, self.job.id, self.worker, self.posted
        )
        if not held:
            raise LeaseLost(self.job.id)


class Worker:
    """Claims and runs jobs, one at a time per ``run`` loop."""

    def __init__(
        self,
        *,
        service: BotService,
        handlers: Mapping[str, JobHandler],
        name: str | None = None,
        lease_s: float = DEFAULT_LEASE_S,
        poll_s: float = DEFAULT_POLL_S,
    ) -> None:
        self.service = service
        self.handlers = dict(handlers)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.lease_s = lease_s
        self.poll_s = poll_s

    async def run(self, stop: asyncio.Event) -> None:
        """Work until ``stop`` is set (a job in hand is finished first).

        While the store is down, polls back off (to ``MAX_BACKOFF_S``) and the outage is logged
        once when it starts and once when it ends."""
        failures = 0  # consecutive failures of the store
        while not stop.is_set():
            try:
                worked = await self.run_one()
            except StoreError as e:
                worked, failures = False, failures + 1
                if failures == 1:
                    logger.warning("the job queue is unavailable (%s); retrying", e.problem)
            else:
                if failures:
                    logger.info("the job queue is back after %d failed attempts", failures)
                failures = 0
            if not worked:
                pause = min(MAX_BACKOFF_S, self.poll_s * 2**failures)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)

    async def run_one(self) -> bool:
        """Claim and run one job; False when there was none."""
        job = await asyncio.to_thread(self.service.store.claim_job, self.name, lease_s=self.lease_s)
        if job is None:
            return False
        context = JobContext(service=self.service, job=job, worker=self.name, posted=dict(job.posted))
        renewing = asyncio.create_task(self._renew(job.id))
        failed = False
        try:
            failed = not await self._handle(job, context)
        except LeaseLost:
            logger.warning("job %d was taken over by another worker", job.id)
            return True
        finally:
            renewing.cancel()
        await asyncio.to_thread(
            self.service.store.finish_job, job.id, self.name, context.posted, failed=failed
        )
        return True

    async def run_direct(self, job: NewJob) -> None:
        """Answer a job that could not be queued, here and now (the store is down)."""
        claimed = ClaimedJob(
            id=0, kind=job.kind, question=job.question, payload=job.payload, posted={}, attempts=1
        )
        await self._handle(claimed, JobContext(service=self.service, job=claimed, worker=None))

    async def _handle(self, job: ClaimedJob, context: JobContext) -> bool:
        handler = self.handlers.get(job.kind.partition(".")[0])
        if handler is None:
            logger.error("no handler for %s jobs here; job %d is left for another worker", job.kind, job.id)
            raise LeaseLost(job.id)
        started = time.perf_counter()
        try:
            await handler.run(job, context)
        except LeaseLost:
            raise
        except Exception:
            logger.exception("job %d (%s) failed", job.id, job.kind)
            return False
        logger.debug("job %d done in %.0f ms", job.id, (time.perf_counter() - started) * 1000)
        return True

    async def _renew(self, job_id: int) -> None:
        while True:
            await asyncio.sleep(self.lease_s / 3)
            try:
                held = await asyncio.to_thread(
                    self.service.store.renew_lease, job_id, self.name, lease_s=self.lease_s
                )
            except StoreError:
                logger.warning("could not renew the lease of job %d", job_id, exc_info=True)
                continue
            if not held:
                return
