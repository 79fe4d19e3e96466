"""The worker's side of Teams: answer a queued Teams question and post it via the Bot Connector.

One kind of job, ``teams.ask`` (a message to the bot, a clarification or a reshape click),
queued by ``OewsTeamsBot`` with ``payload["reference"]``: the conversation reference of the
activity that asked (its service URL, conversation and id, so the answer goes into its reply
chain).  The worker sends a typing indicator, answers, renders the card and posts it with the
SDK's ``continue_conversation``, with the token from the configured app credentials.

Posting once: a mark (``posting``) is recorded in the job just before the answer is sent, and
the answer's activity id (``answered``) inside the SDK's turn callback, as soon as the Bot
Connector's reply is parsed, before the SDK's own turn teardown; a worker that takes over a job
whose answer id is recorded posts nothing.  The Bot Connector cannot read a conversation back,
so two narrow windows remain where an answer can be posted twice (a repeated answer rather than
a lost one, with a warning in the log):

- the worker dies after the connector has accepted the activity and before the record of its
  id commits: the time of the connector's HTTP reply reaching the worker plus one store write
  (``save_job_progress``, milliseconds); the next worker finds only the mark and posts again;
- the connection drops after the connector accepted the activity but before its reply arrived:
  ``connector.RetryingCloudAdapter`` retries connection errors and 5xx, and the retry is a
  second post (the connector has no idempotency key to dedupe it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes, ConversationReference

from adapters.teams.chart_images import ChartStore
from adapters.teams.config import SdkConfiguration, sdk_configuration
from adapters.teams.connector import RETRY_DELAYS_S, cloud_adapter
from adapters.teams.handlers import Renderer, error_text
from bot.config import Settings
from bot.jobs import ClaimedJob
from bot.service import BotService
from bot.types import Answer
from bot.worker import JobContext, LeaseLost

logger = logging.getLogger(__name__)

ASK = "teams.ask"
Posted = Callable[[str | None], Awaitable[None]]


class TeamsJobs:
    """``JobHandler`` for Teams jobs."""

    def __init__(
        self,
        config: SdkConfiguration,
        *,
        public_url: str | None,
        artifact_dir: Path | None = None,
        credentials_factory: Any = None,
        retry_delays: tuple[float, ...] = RETRY_DELAYS_S,
    ) -> None:
        self._config = config
        self._public_url = public_url
        self._artifact_dir = artifact_dir
        self._cloud = cloud_adapter(
            config, credentials_factory=credentials_factory, retry_delays=retry_delays
        )
        self._renderer: Renderer | None = None

    async def start(self, service: BotService) -> None:
        self.bind(service)

    def bind(self, service: BotService) -> None:
        """Charts too large for a card are kept where any instance serves them (``ChartStore``)."""
        charts = ChartStore(backing=service.store, directory=self._artifact_dir)
        self._renderer = Renderer(charts=charts, public_url=self._public_url)

    async def run(self, job: ClaimedJob, context: JobContext) -> None:
        if job.kind != ASK:
            logger.error("unknown Teams job kind %s", job.kind)
            return
        if "answered" in context.posted:
            return
        reference = ConversationReference().deserialize(job.payload["reference"])
        typing = asyncio.create_task(self._typing(reference))  # while the answer is worked out
        answer = await _answer(job, context)
        reply = await asyncio.to_thread(self._reply, answer)
        await typing
        if context.posted.get("posting"):
            logger.warning("job %d may have been answered by a worker that died; posting it", job.id)
        await context.record(posting=True)

        async def posted(activity_id: str | None) -> None:  # in the same step as the post returns
            await context.record(answered=activity_id)

        if not await self._deliver(reference, reply, answer.trace_id, posted):
            await context.record(answered=None)  # nothing could be posted: do not try again

    def _reply(self, answer: Answer) -> Activity:
        if self._renderer is None:
            raise RuntimeError("TeamsJobs.start was not called")
        return self._renderer.reply(answer)

    async def _typing(self, reference: ConversationReference) -> None:
        try:
            await self.send(reference, Activity(type=ActivityTypes.typing))
        except Exception:
            logger.warning("could not send the typing indicator", exc_info=True)

    async def _deliver(
        self, reference: ConversationReference, reply: Activity, trace_id: str, posted: Posted
    ) -> bool:
        """The turn-level handler: details to the log, a short message with the trace id to the user.
        True when something was posted (``posted`` was called with its id)."""
        try:
            await self.send(reference, reply, posted)
            return True
        except LeaseLost:
            raise
        except Exception:
            logger.exception("could not deliver a Teams answer", extra={"trace_id": trace_id})
        try:
            await self.send(reference, MessageFactory.text(error_text(trace_id)), posted)
            return True
        except LeaseLost:
            raise
        except Exception:
            logger.exception("could not tell the Teams user either", extra={"trace_id": trace_id})
            return False

    async def send(
        self, reference: ConversationReference, activity: Activity, posted: Posted | None = None
    ) -> str | None:
        """Post ``activity`` in reply to the referenced one; the new activity's id, also given to
        ``posted`` as soon as the connector returns it."""
        sent: list[str | None] = []

        async def callback(turn: TurnContext) -> None:
            turn.activity.id = reference.activity_id  # reply to the question, in its reply chain
            response = await turn.send_activity(activity)
            sent.append(getattr(response, "id", None))
            if posted is not None:
                await posted(sent[0])

        await self._cloud.continue_conversation(reference, callback, bot_app_id=self._config.APP_ID or None)
        return sent[0] if sent else None


async def _answer(job: ClaimedJob, context: JobContext) -> Answer:
    if job.exhausted:  # its workers kept dying: apologise instead of trying again
        logger.error("job %d given up after %d attempts", job.id, job.attempts - 1)
        return context.service.apology(f"job-{job.id}")
    return await context.answer(job.question)


def teams_jobs(settings: Settings) -> TeamsJobs:
    """What a worker process needs to post Teams answers (raises ``TeamsConfigError``)."""
    return TeamsJobs(
        sdk_configuration(settings),
        public_url=settings.teams_public_url,
        artifact_dir=settings.oews_artifact_dir,
    )
