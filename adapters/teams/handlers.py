"""The Teams bot: one turn in, replies out; every decision about the answer is the service's.

A question (a message to the bot, a clarification or reshape click) is not answered here: it is
written to the store's queue as a ``teams.ask`` job, in the same transaction that claims the
activity's delivery id, before the Bot Connector gets its HTTP response; worker processes answer
it and post it into the same reply chain (``adapters.teams.jobs``).  Only a full queue is
refused ("try again"), and a long wait is announced with the question's place in the queue
(two seconds later, if it still waits).
If the store cannot take the job (down, read-only), it is answered here directly.  Clicks that
are not questions (Show trace, feedback, CSV) are answered within the turn.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Coroutine
from typing import Any, Protocol

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes, Attachment, ConversationReference

from adapters.teams.cards import CARD_LIMIT, answer_card, card_size, clarification_card, trace_card
from adapters.teams.chart_images import ChartImage, ChartStore, place_chart
from adapters.teams.incoming import (
    Ask,
    Clarify,
    ExportCsv,
    Feedback,
    Hint,
    Ignore,
    Inbound,
    Invalid,
    Reshape,
    ShowTrace,
    Subscribe,
    question_for,
    read_message,
)
from bot import messages
from bot.export import CsvExportError
from bot.jobs import NewJob
from bot.service import BotService
from bot.store import StoreError
from bot.subscriptions import SubscriptionError, asks_for_notice
from bot.types import Answer, Question
from bot.worker import Worker

logger = logging.getLogger(__name__)

ASK = "teams.ask"  # the job kind of a Teams question
QUEUE_NOTE_DELAY_S = 2.0  # a queued question's place in the queue is told this much later


class Poster(Protocol):
    """Posts an activity in reply to a referenced one, outside any turn (``TeamsJobs``)."""

    async def send(self, reference: ConversationReference, activity: Activity) -> str | None: ...


REFUSED = messages.DENIED_TEAMS
HINT = (
    "Ask me about U.S. jobs and pay from the BLS OEWS survey, for example "
    "“what do registered nurses make in Seattle?” or “top 5 highest-paying jobs in Texas”."
)
WELCOME = "Hi! I answer questions about U.S. occupational employment and wages (BLS OEWS). " + HINT
INVALID_ACTION = "That button is no longer valid. Please ask your question again."
TRACE_UNAVAILABLE = messages.TRACE_UNAVAILABLE
ANSWER_GONE = messages.ANSWER_GONE
ANSWER_UNAVAILABLE = messages.FEEDBACK_MISSING
THANKS = {"up": "Thanks for the feedback 👍", "down": "Thanks for the feedback 👎, it helps us improve."}
BUSY = messages.BUSY


class Renderer:
    """Answer -> reply activity (runs in a worker thread: the chart may be re-encoded)."""

    def __init__(self, *, charts: ChartStore, public_url: str | None) -> None:
        self._charts = charts
        self._public_url = public_url

    def reply(self, answer: Answer) -> Activity:
        if answer.private or (answer.status == "clarification" and answer.clarification is None):
            return MessageFactory.text(with_trace_id(answer.text, answer.trace_id))
        if answer.clarification is not None:
            return card_activity(clarification_card(answer), summary=answer.text)
        return card_activity(self._answer_card(answer), summary=answer.text)

    def _answer_card(self, answer: Answer) -> dict[str, Any]:
        if not answer.chart_png:
            return answer_card(answer)
        room = CARD_LIMIT - card_size(answer_card(answer, chart=ChartImage(url="", inline=True)))
        image = place_chart(answer.chart_png, room=room, store=self._charts, public_url=self._public_url)
        return answer_card(answer, chart=image, chart_missing=image is None)


def card_activity(card: dict[str, Any], *, summary: str) -> Activity:
    activity: Activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
    activity.summary = summary[:120]
    return activity


def csv_activity(text: str, trace_id: str) -> Activity:
    """The CSV as a file attachment of a reply in the thread."""
    data = base64.b64encode(text.encode("utf-8")).decode("ascii")
    attachment = Attachment(
        content_type="text/csv", content_url=f"data:text/csv;base64,{data}", name=f"oews-{trace_id}.csv"
    )
    activity: Activity = MessageFactory.attachment(attachment, text=f"CSV of answer {trace_id}")
    return activity


def with_trace_id(text: str, trace_id: str) -> str:
    return text if trace_id in text else f"{text} (trace {trace_id})"


error_text = messages.error_text


class OewsTeamsBot:
    """The SDK's ``Bot``: ``on_turn`` handles messages, card submits and installs."""

    def __init__(self, *, service: BotService, direct: Worker, poster: Poster) -> None:
        self._service = service
        self._direct = direct  # answers a question the store could not queue
        self._poster = poster  # posts outside a turn (the queue note)
        self._tasks: set[asyncio.Task[None]] = set()

    async def on_turn(self, context: TurnContext) -> None:
        if context.activity.type == ActivityTypes.message:
            await self._on_message(context)
        elif context.activity.type == ActivityTypes.conversation_update:
            await self._on_conversation_update(context)

    async def _on_message(self, context: TurnContext) -> None:
        activity = context.activity
        inbound = read_message(activity)
        if isinstance(inbound, Ignore):
            return
        question = question_for(activity, "")
        if not self._service.admits(question):
            logger.warning("refused a Teams message from tenant %r", question.workspace)
            await context.send_activity(REFUSED)
            return
        if isinstance(inbound, Ask | Clarify | Reshape) and not _asks_for_notice(inbound):
            await self._ask(context, question, inbound)
            return
        if question.delivery_id and not await asyncio.to_thread(
            self._service.first_delivery, question.delivery_id
        ):
            logger.info("ignored a repeated Teams delivery %s", question.delivery_id)
            return
        await self._dispatch(context, question, inbound)

    async def _dispatch(self, context: TurnContext, question: Question, inbound: Inbound) -> None:
        if isinstance(inbound, ShowTrace):
            await self._show_trace(context, question, inbound.trace_id)
        elif isinstance(inbound, ExportCsv):
            await self._export_csv(context, question, inbound.trace_id)
        elif isinstance(inbound, Subscribe):
            await self._subscribe(context, question, inbound.trace_id)
        elif isinstance(inbound, Ask):  # "notify me when new data is out": the thread's last question
            await self._subscribe(context, question, None)
        elif isinstance(inbound, Feedback):
            await self._feedback(context, question, inbound)
        elif isinstance(inbound, Hint):
            await context.send_activity(HINT)
        elif isinstance(inbound, Invalid):
            await context.send_activity(INVALID_ACTION)

    async def _ask(self, context: TurnContext, question: Question, inbound: Ask | Clarify | Reshape) -> None:
        """Queue the question with its delivery claim; a reshape only of this conversation's answer."""
        if isinstance(inbound, Reshape):
            if await asyncio.to_thread(self._service.trace_for, inbound.trace_id, question) is None:
                await context.send_activity(ANSWER_GONE)
                return
            text = inbound.reshape
        else:
            text = inbound.text if isinstance(inbound, Ask) else inbound.question
        reference = TurnContext.get_conversation_reference(context.activity).serialize()
        job = NewJob(ASK, question.model_copy(update={"text": text}), {"reference": reference})
        queued = await asyncio.to_thread(self._service.submit, job)
        if queued is None:
            self._spawn(self._direct.run_direct(job))
        elif queued.status == "full":
            await context.send_activity(BUSY)
        elif queued.status == "queued" and queued.job_id is not None:
            note = messages.queue_note(queued.position)
            if note is not None:
                self._spawn(self._note_later(queued.job_id, job.payload["reference"], note))

    async def _note_later(self, job_id: int, reference: dict[str, Any], note: str) -> None:
        """A long wait, told after ``QUEUE_NOTE_DELAY_S`` if the question still waits (in a burst
        the acks come first)."""
        await asyncio.sleep(QUEUE_NOTE_DELAY_S)
        if await asyncio.to_thread(self._service.waiting, job_id):
            try:
                await self._poster.send(
                    ConversationReference().deserialize(reference), MessageFactory.text(note)
                )
            except Exception:
                logger.warning("could not send a queue note", exc_info=True)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _show_trace(self, context: TurnContext, question: Question, trace_id: str) -> None:
        trace = await asyncio.to_thread(self._service.trace_for, trace_id, question)
        if trace is None:
            await context.send_activity(TRACE_UNAVAILABLE)
            return
        await context.send_activity(card_activity(trace_card(trace), summary=f"Trace {trace.id}"))

    async def _export_csv(self, context: TurnContext, question: Question, trace_id: str) -> None:
        trace = await asyncio.to_thread(self._service.trace_for, trace_id, question)
        if trace is None:
            await context.send_activity(ANSWER_GONE)
            return
        try:
            text = await asyncio.to_thread(self._service.answer_csv, trace_id, workspace=question.workspace)
        except CsvExportError as e:
            await context.send_activity(e.user_message)
            return
        await context.send_activity(csv_activity(text or "", trace_id))

    async def _subscribe(self, context: TurnContext, question: Question, trace_id: str | None) -> None:
        """Subscribe to an answer's question (None: the thread's last one); notices go to this
        conversation (proactively)."""
        reference = TurnContext.get_conversation_reference(context.activity)
        target = json.dumps(reference.serialize())
        text = await asyncio.to_thread(_subscribed, self._service, trace_id, question, target)
        await context.send_activity(MessageFactory.text(text))

    async def _feedback(self, context: TurnContext, question: Question, action: Feedback) -> None:
        counts = await asyncio.to_thread(
            lambda: self._service.feedback(
                trace_id=action.trace_id,
                platform="teams",
                workspace=question.workspace,
                user=question.user,
                value=action.vote,
            )
        )
        await context.send_activity(THANKS[action.vote] if counts is not None else ANSWER_UNAVAILABLE)

    async def _on_conversation_update(self, context: TurnContext) -> None:
        activity = context.activity
        bot_id = getattr(activity.recipient, "id", None)
        if not any(m.id == bot_id for m in activity.members_added or []):
            return
        if self._service.admits(question_for(activity, "")):
            await context.send_activity(WELCOME)

    async def close(self) -> None:
        """Let direct answers in flight finish (briefly)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=5)


def _subscribed(service: BotService, trace_id: str | None, question: Question, target: str) -> str:
    """The confirmation of a subscription to an answer's (or the thread's last) question, or why
    there is none."""
    subscriptions = service.subscriptions
    if subscriptions is None:
        return messages.SUBSCRIPTIONS_FAILED
    try:
        if trace_id is None:
            sub, answer = subscriptions.subscribe_to_thread(question, target=target)
        else:
            sub, answer = subscriptions.subscribe_to_answer(trace_id, question, target=target)
    except SubscriptionError as e:
        return e.user_message
    except StoreError:
        logger.exception("could not subscribe")
        return messages.SUBSCRIPTIONS_FAILED
    return messages.subscribed_text(sub.question, sub.release, answer.text, where="in this conversation")


def _asks_for_notice(inbound: Ask | Clarify | Reshape) -> bool:
    return isinstance(inbound, Ask) and asks_for_notice(inbound.text)
