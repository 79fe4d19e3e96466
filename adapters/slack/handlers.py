"""Bolt listeners: ack at once, then answer off the request path.

Each listener only reads the payload, hands a job to the ``WorkPool`` and acks; the job
asks the ``BotService`` (on the answer threads) and renders its ``Answer``. Blocking store
reads for views (Show trace, App Home, feedback) run on asyncio's default thread pool so
they never wait behind a queue of answers (a ``trigger_id`` expires after 3 s).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks as b
from adapters.slack.delivery import Place, Poster, is_private, respond_answer
from adapters.slack.home import home_view
from adapters.slack.incoming import (
    Asked,
    BotThreads,
    Click,
    SlashRequest,
    action_workspace,
    asked,
    click,
    event_workspace,
    is_from_bot,
    mentions,
    parse_slash,
)
from adapters.slack.pool import WorkPool
from adapters.slack.trace_view import not_found_modal, trace_error_modal, trace_modal
from agents.trace import new_trace_id
from bot.service import BotService
from bot.store import StoreError
from bot.types import Answer, Question

logger = logging.getLogger(__name__)

Send = Callable[[], Awaitable[None]]
Apologize = Callable[[str], Awaitable[Any]]
TRACE_ID_LIMIT = 64


@dataclass
class Identity:
    """Who the bot is (from ``auth.test`` at startup)."""

    user_id: str | None = None
    bot_id: str | None = None
    team_id: str | None = None
    enterprise_id: str | None = None


class Handlers:
    def __init__(
        self, *, service: BotService, client: AsyncWebClient, pool: WorkPool, identity: Identity
    ) -> None:
        self.service = service
        self.client = client
        self.pool = pool
        self.identity = identity
        self.threads = BotThreads()
        self.poster = Poster(client, self.threads)

    def register(self, app: AsyncApp) -> None:
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.event("app_home_opened")(self.on_home)
        app.command("/oews")(self.on_command)
        app.action(b.ACTION_TRACE)(self.on_show_trace)
        app.action(re.compile(f"^({b.ACTION_UP}|{b.ACTION_DOWN})$"))(self.on_feedback)
        app.action(re.compile(rf"^{b.ACTION_CLARIFY}_\d+$"))(self.on_clarify)

    # -- messages ---------------------------------------------------------------------------------

    async def on_mention(
        self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        if not str(event.get("channel", "")).startswith("D"):  # DMs are answered as message.im
            self._ask(body, event, context)

    async def on_message(
        self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        bot = self._bot_user(context)
        if (
            event.get("channel_type") == "im"
            or self._is_follow_up(event, bot)
            or await self._answered_here_before(body, event, context)
        ):
            self._ask(body, event, context)

    async def _answered_here_before(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> bool:
        """A thread reply the bot's memory knows (e.g. after a restart), without a mention."""
        bot = self._bot_user(context)
        thread, ts = event.get("thread_ts"), event.get("ts")
        if (
            not thread
            or thread == ts
            or is_from_bot(event, bot)
            or mentions(str(event.get("text") or ""), bot)
        ):
            return False
        found = asked(body, event, bot_user_id=bot, default_workspace=self._workspace(context))
        if found is None:
            return False
        question = Question(
            text="",
            platform="slack",
            workspace=found.workspace,
            channel=found.channel,
            thread=found.thread,
            user=found.user,
        )
        return await asyncio.to_thread(self.service.knows_thread, question)

    def _is_follow_up(self, event: dict[str, Any], bot: str | None) -> bool:
        """A reply in a thread where the bot has answered, without a mention (app_mention has those)."""
        thread, ts = event.get("thread_ts"), event.get("ts")
        if not thread or thread == ts or mentions(str(event.get("text") or ""), bot):
            return False
        return (bool(bot) and event.get("parent_user_id") == bot) or (
            (str(event.get("channel")), str(thread)) in self.threads
        )

    def _ask(self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext) -> None:
        bot = self._bot_user(context)
        if is_from_bot(event, bot):
            return
        question = asked(body, event, bot_user_id=bot, default_workspace=self._workspace(context))
        if question is None:
            logger.info("ignored a message event without user, channel or ts")
            return
        name = f"slack-ask-{question.event_id or question.ts}"
        if not self.pool.submit(lambda: self._answer_asked(question), name=name):
            self.pool.spawn(lambda: self._busy(question), name="slack-busy")

    async def _answer_asked(self, asked: Asked) -> None:
        if not await self._first(asked.event_id):
            return
        question = Question(
            text=asked.text,
            platform="slack",
            workspace=asked.workspace,
            channel=asked.channel,
            thread=asked.thread,
            user=asked.user,
            delivery_id=f"slack:{asked.event_id}" if asked.event_id else None,
        )
        place = Place(asked.channel, asked.thread, asked.user)
        reacted = self.service.access.permits(question) and await self.poster.react(asked.channel, asked.ts)
        try:
            answer = await self._answer(question)
            await self._deliver(
                answer,
                lambda: self.poster.answer(place, answer),
                lambda text: self.poster.ephemeral(place, text),
            )
        finally:
            if reacted:
                await self.poster.unreact(asked.channel, asked.ts)

    async def _busy(self, asked: Asked) -> None:
        if await self._first(asked.event_id):
            await self.poster.ephemeral(Place(asked.channel, asked.thread, asked.user), b.BUSY_TEXT)

    # -- /oews ------------------------------------------------------------------------------------

    async def on_command(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        command: dict[str, Any],
        respond: AsyncRespond,
        context: AsyncBoltContext,
    ) -> None:
        request = parse_slash(str(command.get("text") or ""))
        if request.wants_help:
            await ack(text="How to use /oews", blocks=b.help_blocks(str(command.get("command") or "/oews")))
            return
        question = Question(
            text=request.question,
            platform="slack",
            workspace=action_workspace(body, self._workspace(context)),
            channel=str(command.get("channel_id") or ""),
            user=str(command.get("user_id") or ""),
            model=request.model,
            reasoning_model=request.reasoning_model,
        )
        if not self.pool.submit(
            lambda: self._answer_command(request, question, respond), name="slack-command"
        ):
            await ack(text=b.BUSY_TEXT)
            return
        if request.private:
            await ack(text=b.WORKING_TEXT)  # shown only to the asker; the answer replaces it
        else:
            await ack()  # the public placeholder message shows progress

    async def _answer_command(self, request: SlashRequest, question: Question, respond: AsyncRespond) -> None:
        async def apologize(text: str) -> None:
            await respond(text=text, response_type="ephemeral", replace_original=False)

        if request.private:
            answer = await self._answer(question)
            await self._deliver(
                answer, lambda: respond_answer(respond, answer, public=False, replace=True), apologize
            )
            return
        ts = None
        if self.service.access.permits(question):
            ts = await self.poster.placeholder(question.channel, question.user, question.text)
        if ts is None:  # the bot can't post here (e.g. a private channel it is not in)
            await self._answer_through_response_url(question, respond, apologize)
            return
        await self._answer_in_placeholder(question.model_copy(update={"thread": ts}), ts, respond, apologize)

    async def _answer_through_response_url(
        self, question: Question, respond: AsyncRespond, apologize: Apologize
    ) -> None:
        answer = await self._answer(question)

        async def send() -> None:
            public = not is_private(answer)
            await respond_answer(respond, answer, public=public, question=question.text, user=question.user)

        await self._deliver(answer, send, apologize)

    async def _answer_in_placeholder(
        self, question: Question, ts: str, respond: AsyncRespond, apologize: Apologize
    ) -> None:
        answer = await self._answer(question)
        if is_private(answer):
            await self.poster.delete(question.channel, ts)
            await self._deliver(answer, lambda: respond_answer(respond, answer, public=False), apologize)
            return
        place = Place(question.channel, ts, question.user)
        await self._deliver(
            answer, lambda: self.poster.replace(place, ts, answer, question=question.text), apologize
        )

    # -- buttons ----------------------------------------------------------------------------------

    async def on_show_trace(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        pressed = click(body, action, default_workspace=self._workspace(context))
        if pressed is not None:
            self.pool.spawn(lambda: self._show_trace(pressed, respond), name="slack-trace")

    async def _show_trace(self, pressed: Click, respond: AsyncRespond) -> None:
        trace_id = pressed.value[:TRACE_ID_LIMIT]
        try:
            trace = await asyncio.to_thread(self.service.trace, trace_id, workspace=pressed.workspace)
            view = trace_modal(trace) if trace is not None else not_found_modal(trace_id)
        except StoreError:
            logger.exception("could not read trace", extra={"trace_id": trace_id})
            view = trace_error_modal(trace_id)
        if pressed.trigger_id is None:
            await self._tell(pressed, respond, "Open the trace from the button on the answer.")
            return
        await self.client.views_open(trigger_id=pressed.trigger_id, view=view)

    async def on_feedback(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        pressed = click(body, action, default_workspace=self._workspace(context))
        if pressed is not None:
            value = "up" if action.get("action_id") == b.ACTION_UP else "down"
            self.pool.spawn(lambda: self._feedback(pressed, value, respond), name="slack-feedback")

    async def _feedback(self, pressed: Click, value: str, respond: AsyncRespond) -> None:
        try:
            counts = await asyncio.to_thread(
                self.service.feedback,
                trace_id=pressed.value[:TRACE_ID_LIMIT],
                platform="slack",
                workspace=pressed.workspace,
                user=pressed.user,
                value="up" if value == "up" else "down",
            )
            text = b.FEEDBACK_THANKS if counts is not None else b.FEEDBACK_MISSING
        except StoreError:
            logger.exception("could not record feedback", extra={"trace_id": pressed.value[:TRACE_ID_LIMIT]})
            text = "Sorry, I couldn't record the feedback right now. Please try again later."
        await self._tell(pressed, respond, text)

    async def on_clarify(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        pressed = click(body, action, default_workspace=self._workspace(context))
        if pressed is None or not pressed.channel:
            return
        if not self.pool.submit(lambda: self._answer_click(pressed, respond), name="slack-clarify"):
            self.pool.spawn(lambda: self._tell(pressed, respond, b.BUSY_TEXT), name="slack-busy")

    async def _answer_click(self, pressed: Click, respond: AsyncRespond) -> None:
        """The chosen option's question, answered in the same thread, as the person who clicked."""
        question = Question(
            text=pressed.value,
            platform="slack",
            workspace=pressed.workspace,
            channel=pressed.channel or "",
            thread=pressed.root,
            user=pressed.user,
        )
        if pressed.message_ts is None:  # an ephemeral message: answer privately
            answer = await self._answer(question)
            await self._deliver(
                answer,
                lambda: respond_answer(respond, answer, public=False),
                lambda text: self._tell(pressed, respond, text),
            )
            return
        await self._mark_chosen(pressed)
        place = Place(question.channel, pressed.root, pressed.user)
        answer = await self._answer(question)
        await self._deliver(
            answer, lambda: self.poster.answer(place, answer), lambda text: self.poster.ephemeral(place, text)
        )

    async def _mark_chosen(self, pressed: Click) -> None:
        """Replace the buttons by who chose what (so nobody clicks twice); a gone message is fine."""
        try:
            await self.client.chat_update(
                channel=pressed.channel or "",
                ts=pressed.message_ts or "",
                text=pressed.message_text or "OEWS",
                blocks=b.chosen_blocks(pressed.message_blocks, pressed.user, pressed.label),
            )
        except SlackApiError as e:
            logger.warning("could not update the clarification message: %s", e.response.get("error"))

    # -- App Home ---------------------------------------------------------------------------------

    async def on_home(
        self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        user = event.get("user")
        if event.get("tab", "home") == "home" and isinstance(user, str):
            workspace = event_workspace(body, event, self._workspace(context))
            self.pool.spawn(lambda: self._publish_home(user, workspace), name="slack-home")

    async def _publish_home(self, user: str, workspace: str) -> None:
        try:
            today, total = await asyncio.to_thread(self.service.usage, "slack", workspace, user)
        except StoreError:
            logger.exception("could not read usage for App Home")
            today = total = None
        view = home_view(vintage=self.service.data_vintage(), today=today, total=total)
        await self.client.views_publish(user_id=user, view=view)

    # -- shared -----------------------------------------------------------------------------------

    async def _answer(self, question: Question) -> Answer:
        """The service's answer; if the service itself fails, a short error with a reference."""
        try:
            return await self.pool.run(self.service.answer, question)
        except Exception:
            reference = new_trace_id()
            logger.exception("the service failed to answer", extra={"trace_id": reference})
            return Answer(status="error", text=b.error_text(reference), trace_id=reference, private=True)

    async def _deliver(self, answer: Answer, send: Send, apologize: Apologize) -> None:
        """The turn-level handler: details to the log, a short message with the trace id to the user."""
        try:
            await send()
        except Exception:
            logger.exception("could not deliver the answer", extra={"trace_id": answer.trace_id})
            try:
                await apologize(b.error_text(answer.trace_id))
            except Exception:
                logger.exception("could not tell the user either", extra={"trace_id": answer.trace_id})

    async def _tell(self, pressed: Click, respond: AsyncRespond, text: str) -> None:
        """A short private note to the person who clicked."""
        if respond.response_url:
            await respond(text=text, response_type="ephemeral", replace_original=False)
        elif pressed.channel:
            await self.poster.ephemeral(Place(pressed.channel, pressed.root, pressed.user), text)

    async def _first(self, event_id: str | None) -> bool:
        if event_id is None:
            return True
        return await asyncio.to_thread(self.service.first_delivery, f"slack:{event_id}")

    def _bot_user(self, context: AsyncBoltContext) -> str | None:
        return context.bot_user_id or self.identity.user_id

    def _workspace(self, context: AsyncBoltContext) -> str:
        return context.team_id or self.identity.team_id or ""
