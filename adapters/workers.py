"""Worker processes: ``oews-bot worker`` and the ones ``oews-bot serve`` starts.

Each worker process builds its own service (engine, store) and runs ``Worker`` loops that
claim jobs from the store's queue and post through the platform's job handler.  ``serve``
starts ``OEWS_WORKERS`` of them as child processes (``python -m adapters.cli worker
--processes 1 --parent PID``), restarts any that die, and stops them when it stops; a child
whose parent is gone (``kill -9`` of the server) finishes its job in hand and exits.
``InlineWorkers`` runs the same loops on a thread, for tests and small setups.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping

from bot.config import Settings
from bot.service import BotService
from bot.worker import JobHandler, Worker

logger = logging.getLogger(__name__)

PARENT_CHECK_S = 0.5
RESTART_BACKOFF_S = 1.0
WORKER_NICENESS = 10


def job_handlers(settings: Settings) -> dict[str, JobHandler]:
    """The platforms this process can post to (by the job kind's prefix)."""
    handlers: dict[str, JobHandler] = {}
    if settings.slack_bot_token is not None:
        from adapters.slack.adapter import slack_jobs, web_client

        handlers["slack"] = slack_jobs(web_client(settings))
    if settings.microsoft_app_id or settings.teams_allow_unauthenticated:
        from adapters.teams.jobs import teams_jobs

        handlers["teams"] = teams_jobs(settings)
    return handlers


async def work(
    service: BotService,
    handlers: Mapping[str, JobHandler],
    *,
    loops: int,
    stop: asyncio.Event,
    lease_s: float,
    name: str = "",
) -> None:
    """Run ``loops`` worker loops until ``stop`` is set."""
    for handler in handlers.values():
        await handler.start(service)
    prefix = name or f"{os.uname().nodename}:{os.getpid()}"
    workers = [
        Worker(service=service, handlers=handlers, name=f"{prefix}:{n}", lease_s=lease_s)
        for n in range(loops)
    ]
    await asyncio.gather(*(w.run(stop) for w in workers))


def run_worker_process(settings: Settings, *, parent: int | None = None) -> None:
    """The body of a worker process: work until SIGTERM / SIGINT, or until ``parent`` is gone.

    Workers run at a lower CPU priority than the serving process: on a small machine a burst
    keeps them busy, and Slack's 3-second ack deadline must still be met."""
    from bot.app import build_service

    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)

    service = build_service(settings)
    handlers = job_handlers(settings)
    if not handlers:
        logger.warning("no platform is configured (SLACK_BOT_TOKEN, MicrosoftAppId...): nothing to post to")

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        watch = asyncio.create_task(_watch_parent(parent, stop)) if parent else None
        logger.info("worker %d ready (%s)", os.getpid(), ", ".join(handlers) or "no platform")
        await work(service, handlers, loops=1, stop=stop, lease_s=settings.oews_job_lease_s)
        if watch is not None:
            watch.cancel()

    asyncio.run(main())


async def _watch_parent(parent: int, stop: asyncio.Event) -> None:
    while os.getppid() == parent:
        await asyncio.sleep(PARENT_CHECK_S)
    logger.warning("the serving process %d is gone; this worker stops", parent)
    stop.set()


class WorkerProcesses:
    """``count`` child worker processes, restarted when they die (``oews-bot serve``)."""

    def __init__(self, count: int, *, env: Mapping[str, str] | None = None) -> None:
        self.count = count
        self._env = dict(env if env is not None else os.environ)
        self._children: list[subprocess.Popen[bytes]] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._supervise, name="oews-workers", daemon=True)

    def start(self) -> WorkerProcesses:
        self._children = [self._spawn() for _ in range(self.count)]
        self._thread.start()
        return self

    @property
    def pids(self) -> list[int]:
        return [c.pid for c in self._children]

    def alive(self) -> int:
        return sum(c.poll() is None for c in self._children)

    def stop(self, timeout: float = 15.0) -> None:
        self._stopping.set()
        for child in self._children:
            with contextlib.suppress(ProcessLookupError):
                child.terminate()
        deadline = time.monotonic() + timeout
        for child in self._children:
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()

    def _spawn(self) -> subprocess.Popen[bytes]:
        command = [
            sys.executable,
            "-m",
            "adapters.cli",
            "worker",
            "--processes",
            "1",
            "--parent",
            str(os.getpid()),
        ]
        return subprocess.Popen(command, env=self._env, stdin=subprocess.DEVNULL)

    def _supervise(self) -> None:
        while not self._stopping.wait(RESTART_BACKOFF_S):
            for n, child in enumerate(self._children):
                if child.poll() is not None and not self._stopping.is_set():
                    logger.warning("worker %d exited with %s; starting another", child.pid, child.returncode)
                    self._children[n] = self._spawn()


class InlineWorkers:
    """Worker loops on a thread of this process (tests, and the Socket Mode test harness)."""

    def __init__(
        self, service: BotService, handlers: Mapping[str, JobHandler], *, loops: int, lease_s: float
    ):
        self._service, self._handlers, self._loops, self._lease_s = service, handlers, loops, lease_s
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="oews-inline-workers", daemon=True)
        self._started = threading.Event()

    def start(self) -> InlineWorkers:
        self._thread.start()
        self._started.wait(10)
        return self

    def stop(self, timeout: float = 15.0) -> None:
        if self._stop is not None and self._thread.is_alive():
            with contextlib.suppress(RuntimeError):  # the loops ended on their own (none to run)
                self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)

    def _run(self) -> None:
        async def main() -> None:
            self._stop = asyncio.Event()
            self._started.set()
            await work(
                self._service, self._handlers, loops=self._loops, stop=self._stop, lease_s=self._lease_s
            )

        try:
            self._loop.run_until_complete(main())
        finally:
            self._loop.close()
