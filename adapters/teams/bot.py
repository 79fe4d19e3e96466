"""The Teams bot: one turn in, replies out; every decision about the answer is the service's.

Timing: the synchronous ``BotService.answer`` runs in a thread pool bounded by
``OEWS_WORKERS`` (with ``OEWS_QUEUE_LIMIT`` questions waiting at most; beyond that the user is
asked to retry).  If the answer is ready within ``reply_budget_s`` (10 s, under the Bot
Framework's 15 s request timeout) it is sent during the request, as the offline engine almost
always is (tens of ms).  Otherwise the request is acknowledged and the answer is delivered
later into the same conversation and reply chain with ``adapter.continue_conversation``.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes, Attachment

from adapters.teams.cards import CARD_LIMIT, answer_card, card_size, clarification_card, trace_card
from adapters.teams.charts import ChartImage, ChartStore, place_chart
from adapters.teams.inbound import (
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
    question_for,
    read_message,
)
from agents.trace import new_trace_id
from bot import messages
from bot.export import CsvExportError
from bot.service import BotService
from bot.types import Answer, Question

logger = logging.getLogger(__name__)
T = TypeVar("T")

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


class Busy(Exception):
    """More questions are waiting than OEWS_QUEUE_LIMIT allows."""


class Runner:
    """Runs synchronous service calls in a bounded pool, refusing work beyond the queue limit."""

    def __init__(self, *, workers: int, queue_limit: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="oews-teams")
        self._capacity = workers + queue_limit
        self._in_flight = 0

    def submit(self, fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        if self._in_flight >= self._capacity:
            raise Busy
        self._in_flight += 1
        future = asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)
        future.add_done_callback(self._done)
        return future

    def _done(self, _: object) -> None:
        self._in_flight -= 1

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


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

    def __init__(
        self, *, service: BotService, runner: Runner, renderer: Renderer, app_id: str, reply_budget_s: float
    ) -> None:
        self._service = service
        self._runner = runner
        self._renderer = renderer
        self._app_id = app_id
        self._budget_s = reply_budget_s
        self._late: set[asyncio.Task[None]] = set()

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
        if question.delivery_id and not await asyncio.to_thread(
            self._service.first_delivery, question.delivery_id
        ):
            logger.info("ignored a repeated Teams delivery %s", question.delivery_id)
            return
        await self._dispatch(context, question, inbound)

    async def _dispatch(self, context: TurnContext, question: Question, inbound: Inbound) -> None:
        if isinstance(inbound, Ask):
            await self._answer(context, question.model_copy(update={"text": inbound.text}))
        elif isinstance(inbound, Clarify):
            await self._answer(context, question.model_copy(update={"text": inbound.question}))
        elif isinstance(inbound, ShowTrace):
            await self._show_trace(context, question, inbound.trace_id)
        elif isinstance(inbound, Reshape):
            await self._reshape(context, question, inbound)
        elif isinstance(inbound, ExportCsv):
            await self._export_csv(context, question, inbound.trace_id)
        elif isinstance(inbound, Feedback):
            await self._feedback(context, question, inbound)
        elif isinstance(inbound, Hint):
            await context.send_activity(HINT)
        elif isinstance(inbound, Invalid):
            await context.send_activity(INVALID_ACTION)

    async def _answer(self, context: TurnContext, question: Question) -> None:
        await context.send_activity(Activity(type=ActivityTypes.typing))
        try:
            future = self._runner.submit(self._reply_for, question)
        except Busy:
            await context.send_activity(BUSY)
            return
        done, _ = await asyncio.wait({future}, timeout=self._budget_s)
        if done:
            await context.send_activity(future.result())
            return
        reference = TurnContext.get_conversation_reference(context.activity)
        task = asyncio.create_task(self._deliver_late(context.adapter, reference, future))
        self._late.add(task)
        task.add_done_callback(self._late.discard)

    def _reply_for(self, question: Question) -> Activity:
        answer = self._service.answer(question)
        logger.info("answered a Teams question: %s", answer.status, extra={"trace_id": answer.trace_id})
        return self._renderer.reply(answer)

    async def _deliver_late(self, adapter: Any, reference: Any, future: asyncio.Future[Activity]) -> None:
        try:
            reply = await future
        except Exception:
            incident = new_trace_id()
            logger.exception("answering a Teams question failed", extra={"trace_id": incident})
            reply = MessageFactory.text(error_text(incident))

        async def send(context: TurnContext) -> None:
            context.activity.id = reference.activity_id  # reply to the question, in its reply chain
            await context.send_activity(reply)

        try:
            await adapter.continue_conversation(reference, send, bot_app_id=self._app_id or None)
        except Exception:
            logger.exception("could not deliver a late Teams answer")

    async def _show_trace(self, context: TurnContext, question: Question, trace_id: str) -> None:
        trace = await asyncio.to_thread(self._service.trace_for, trace_id, question)
        if trace is None:
            await context.send_activity(TRACE_UNAVAILABLE)
            return
        await context.send_activity(card_activity(trace_card(trace), summary=f"Trace {trace.id}"))

    async def _reshape(self, context: TurnContext, question: Question, action: Reshape) -> None:
        """Ask the chosen variant in this thread, if the answer it reshapes is this conversation's."""
        trace = await asyncio.to_thread(self._service.trace_for, action.trace_id, question)
        if trace is None:
            await context.send_activity(ANSWER_GONE)
            return
        await self._answer(context, question.model_copy(update={"text": action.reshape}))

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
        for task in list(self._late):
            task.cancel()
        await asyncio.gather(*self._late, return_exceptions=True)
        self._runner.close()
