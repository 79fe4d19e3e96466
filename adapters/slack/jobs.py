"""The worker's side of Slack: run a queued Slack job and post what people see.

Three kinds of job, queued by ``handlers``:

- ``slack.ask``: a mention, DM or thread follow-up (``payload``: the message ``ts``);
- ``slack.command``: ``/oews`` (``payload``: ``response_url``, ``private``);
- ``slack.click``: a clarification button (``payload``: the clicked message and ``response_url``);
- ``slack.reshape``: a choice in an answer's "change this answer" menu or a suggested next
  question (``payload``: ``source``, the trace id of the answer it changes);
- ``slack.csv``: the CSV file of an answer's table, into its thread (``payload``: ``source``).

Each step that people would see twice if it ran twice (the answer message, the placeholder)
is recorded in the job (``JobContext.record``) just before it is posted and right after; the
message carries the job's number in its metadata.  A worker that takes the job over after a
crash skips what is recorded as posted, and where only the mark before is recorded (the worker
died while posting), it looks for the message in Slack before posting it again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks as b
from adapters.slack.delivery import Place, Poster, respond_answer
from bot import messages
from bot.export import CsvExportError
from bot.jobs import ClaimedJob
from bot.service import BotService
from bot.types import Answer, Question
from bot.worker import JobContext, LeaseLost

logger = logging.getLogger(__name__)

Send = Callable[[], Awaitable[Any]]
Apologize = Callable[[str], Awaitable[Any]]


class SlackJobs:
    """``JobHandler`` for Slack jobs."""

    def __init__(self, client: AsyncWebClient, poster: Poster) -> None:
        self.client = client
        self.poster = poster

    async def start(self, service: BotService) -> None:
        """Before the first job: who the bot is (the access policy's default workspace)."""
        from adapters.slack.adapter import learn_identity
        from adapters.slack.handlers import Identity

        await learn_identity(self.client, Identity(), service)

    async def run(self, job: ClaimedJob, context: JobContext) -> None:
        if job.kind == "slack.ask":
            await self._ask(job, context)
        elif job.kind == "slack.command":
            await self._command(job, context)
        elif job.kind == "slack.click":
            await self._click(job, context)
        elif job.kind == "slack.reshape":
            await self._reshape(job, context)
        elif job.kind == "slack.csv":
            await self._csv(job, context)
        else:
            logger.error("unknown Slack job kind %s", job.kind)

    # -- mentions, DMs, follow-ups ----------------------------------------------------------------

    async def _ask(self, job: ClaimedJob, context: JobContext) -> None:
        question, ts = job.question, str(job.payload.get("ts") or "")
        place = Place(question.channel, question.thread, question.user)
        if "reacted" not in context.posted:
            reacted = context.service.admits(question) and await self.poster.react(question.channel, ts)
            await context.record(reacted=reacted)
        try:
            if not await self._answered_before(job, context, place):
                await self._answer_in_thread(job, context, place)
        finally:
            if context.posted.get("reacted"):
                await self.poster.unreact(question.channel, ts)

    # -- /oews ----------------------------------------------------------------------------------------

    async def _command(self, job: ClaimedJob, context: JobContext) -> None:
        question = job.question
        respond = AsyncRespond(response_url=job.payload.get("response_url"))

        async def apologize(text: str) -> None:
            await respond(text=text, response_type="ephemeral", replace_original=False)

        if "answered" in context.posted:
            return
        if job.payload.get("private"):
            answer = await _answer(job, context, question)
            await self._deliver(
                context,
                answer,
                lambda: respond_answer(respond, answer, public=False, replace=True),
                apologize,
            )
            return
        ts = await self._placeholder(job, context)
        if ts is None:  # the bot can't post here (e.g. a private channel it is not in)
            answer = await _answer(job, context, question)
            await self._deliver(
                context,
                answer,
                lambda: respond_answer(
                    respond, answer, public=not answer.private, question=question.text, user=question.user
                ),
                apologize,
            )
            return
        await self._in_placeholder(job, context, question.model_copy(update={"thread": ts}), ts, apologize)

    async def _placeholder(self, job: ClaimedJob, context: JobContext) -> str | None:
        """The placeholder's ts: recorded, found where a worker that died posted it, or posted now.

        Recorded before posting (``placeholder_posting``) and after (``placeholder``), like an
        answer; the message carries the job in its metadata, so a takeover finds it."""
        question = job.question
        if "placeholder" in context.posted:
            return cast(str | None, context.posted["placeholder"])
        if context.posted.get("placeholder_posting"):
            found = await self.poster.find_placeholder(question.channel, job.id)
            if found is not None:
                logger.info("job %d's placeholder was posted by a worker that died; reusing it", job.id)
                await context.record(placeholder=found)
                return found
        if not context.service.admits(question):
            return None
        number = job.id if context.worker is not None else None
        await context.record(placeholder_posting=True)
        ts = await self.poster.placeholder(question.channel, question.user, question.text, job=number)
        await context.record(placeholder=ts)
        return ts

    async def _in_placeholder(
        self, job: ClaimedJob, context: JobContext, question: Question, ts: str, apologize: Apologize
    ) -> None:
        respond = AsyncRespond(response_url=job.payload.get("response_url"))
        answer = await _answer(job, context, question)
        if answer.private:
            await self.poster.delete(question.channel, ts)
            await self._deliver(
                context, answer, lambda: respond_answer(respond, answer, public=False), apologize
            )
            return
        place = Place(question.channel, ts, question.user)
        await self._deliver(
            context,
            answer,
            lambda: self.poster.replace(
                place, ts, answer, question=question.text, on_posted=_recorder(context)
            ),
            apologize,
        )

    # -- clarification buttons ----------------------------------------------------------------------

    async def _click(self, job: ClaimedJob, context: JobContext) -> None:
        """The chosen option's question, answered in the same thread, as the person who clicked."""
        question, payload = job.question, job.payload
        respond = AsyncRespond(response_url=payload.get("response_url"))
        if "answered" in context.posted:
            return
        if payload.get("message_ts") is None:  # an ephemeral message: answer privately
            answer = await _answer(job, context, question)
            await self._deliver(
                context,
                answer,
                lambda: respond_answer(respond, answer, public=False),
                lambda text: respond(text=text, response_type="ephemeral", replace_original=False),
            )
            return
        if "chosen" not in context.posted:
            await self._mark_chosen(question, payload)
            await context.record(chosen=True)
        place = Place(question.channel, question.thread, question.user)
        if not await self._answered_before(job, context, place):
            await self._answer_in_thread(job, context, place)

    async def _answer_in_thread(
        self, job: ClaimedJob, context: JobContext, place: Place, *, shown: str | None = None
    ) -> None:
        """The answer in the thread; ``shown``: the question, shown above it (it was not typed)."""
        answer = await _answer(job, context, job.question)
        await context.record(posting=True)
        number = job.id if context.worker is not None else None
        await self._deliver(
            context,
            answer,
            lambda: self.poster.answer(
                place, answer, question=shown, on_posted=_recorder(context), job=number
            ),
            lambda text: self.poster.ephemeral(place, text),
        )

    # -- reshape controls ---------------------------------------------------------------------------

    async def _reshape(self, job: ClaimedJob, context: JobContext) -> None:
        """The changed question, answered in the thread of the answer it changes (if that answer
        is this person's conversation's), under the same rules as a typed question."""
        question = job.question
        place = Place(question.channel, question.thread, question.user)
        if "answered" in context.posted or await self._refused(job, context, place):
            return
        if not await self._answered_before(job, context, place):
            await self._answer_in_thread(job, context, place, shown=question.text)

    async def _refused(self, job: ClaimedJob, context: JobContext, place: Place) -> bool:
        """A control of an answer that is gone or not this conversation's: a private note."""
        source = str(job.payload.get("source") or "")
        if await asyncio.to_thread(context.service.owns, source, job.question):
            return False
        await self.poster.ephemeral(place, messages.ANSWER_GONE)
        await context.record(answered=None)
        return True

    async def _csv(self, job: ClaimedJob, context: JobContext) -> None:
        """The answer's table as a CSV file in its thread; a private note when there is none."""
        question, source = job.question, str(job.payload.get("source") or "")
        place = Place(question.channel, question.thread, question.user)
        if "answered" in context.posted:
            return
        try:
            text = await asyncio.to_thread(context.service.export_csv, source, question)
            note = messages.ANSWER_GONE if text is None else None
        except CsvExportError as e:
            text, note = None, e.user_message
        if text is None:
            await self.poster.ephemeral(place, note or messages.ANSWER_GONE)
        elif not await self.poster.csv(place, text, source):
            await self.poster.ephemeral(place, messages.CSV_UPLOAD_FAILED)
        await context.record(answered=None)

    async def _answered_before(self, job: ClaimedJob, context: JobContext, place: Place) -> bool:
        """Whether an earlier worker already posted this job's answer (it died before saying so)."""
        if "answered" in context.posted:
            return True
        if not context.posted.get("posting") or not place.thread:
            return False
        ts = await self.poster.find_answer(place.channel, place.thread, job.id)
        if ts is None:
            return False
        logger.info("job %d was answered by a worker that died; not posting it again", job.id)
        await context.record(answered=ts)
        return True

    async def _mark_chosen(self, question: Question, payload: dict[str, Any]) -> None:
        """Replace the buttons by who chose what (so nobody clicks twice); a gone message is fine."""
        try:
            await self.client.chat_update(
                channel=question.channel,
                ts=str(payload.get("message_ts") or ""),
                text=str(payload.get("message_text") or "OEWS"),
                blocks=b.chosen_blocks(
                    list(payload.get("message_blocks") or []), question.user, payload["label"]
                ),
            )
        except SlackApiError as e:
            logger.warning("could not update the clarification message: %s", e.response.get("error"))

    # -- shared -------------------------------------------------------------------------------------

    async def _deliver(self, context: JobContext, answer: Answer, send: Send, apologize: Apologize) -> None:
        """The turn-level handler: details to the log, a short message with the trace id to the user."""
        try:
            await send()
        except LeaseLost:
            raise
        except Exception:
            logger.exception("could not deliver the answer", extra={"trace_id": answer.trace_id})
            try:
                await apologize(messages.error_text(answer.trace_id))
            except Exception:
                logger.exception("could not tell the user either", extra={"trace_id": answer.trace_id})
        if "answered" not in context.posted:
            await context.record(answered=None)


async def _answer(job: ClaimedJob, context: JobContext, question: Question) -> Answer:
    if job.exhausted:  # its workers kept dying: apologise instead of trying again
        reference = f"job-{job.id}"
        logger.error("job %d given up after %d attempts", job.id, job.attempts - 1)
        return context.service.apology(reference)
    return await context.answer(question)


def _recorder(context: JobContext) -> Callable[[str | None], Awaitable[None]]:
    async def posted(ts: str | None) -> None:
        await context.record(answered=ts)

    return posted
