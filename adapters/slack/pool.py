"""Long work off the request path: bounded concurrency and back-pressure.

``submit`` starts a job as an asyncio task and returns at once, so Slack gets its ack in
milliseconds. The blocking, CPU-bound ``BotService.answer`` runs through ``run`` on a pool
of ``workers`` threads; at most ``workers + queue_limit`` jobs may be in flight, after
which ``submit`` refuses (the caller tells the user to retry).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")
Job = Callable[[], Awaitable[None]]


class WorkPool:
    def __init__(self, *, workers: int, queue_limit: int) -> None:
        self.workers = workers
        self.capacity = workers + queue_limit
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="oews-answer")
        self._in_flight = 0
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def submit(self, job: Job, *, name: str) -> bool:
        """Start ``job`` unless the pool is full; False means "tell the user to retry"."""
        if self._in_flight >= self.capacity:
            logger.warning("work queue full (%d jobs); refusing %s", self._in_flight, name)
            return False
        self._in_flight += 1
        self._track(self._counted(job), name)
        return True

    def spawn(self, job: Job, *, name: str) -> None:
        """Start light work (a view, a notice) that does not count against the capacity."""
        self._track(_logged(job, name)(), name)

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run blocking ``fn`` on the answer threads (the context, e.g. log fields, goes along)."""
        call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for jobs in flight (up to ``timeout``), cancel the rest, stop the threads."""
        pending = set(self._tasks)
        if pending:
            _, late = await asyncio.wait(pending, timeout=timeout)
            for task in late:
                task.cancel()
            if late:
                logger.warning("cancelled %d Slack jobs at shutdown", len(late))
                await asyncio.gather(*late, return_exceptions=True)
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _counted(self, job: Job) -> None:
        try:
            await _logged(job, "job")()
        finally:
            self._in_flight -= 1

    def _track(self, coro: Awaitable[None], name: str) -> None:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _logged(job: Job, name: str) -> Job:
    async def run() -> None:
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("Slack job %s failed", name)

    return run
