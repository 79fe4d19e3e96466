"""Bolt listeners: read the payload, queue the question, ack.

A question (mention, DM, thread follow-up, ``/oews``, a clarification click) becomes a job
in the store's queue, claimed together with its delivery id, before Slack gets its ack;
workers answer it and post (``adapters.slack.jobs``).  Views (Show trace, App Home, feedback)
are not questions: they are answered here, off the event loop, right after the ack (a
``trigger_id`` expires after 3 s).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks as b
from adapters.slack.assistant import assistant
from adapters.slack.delivery import Place, Poster
from adapters.slack.home import home_view
from adapters.slack.incoming import (
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
from adapters.slack.notices import ACTION_UNSUBSCRIBE, subscriptions_blocks
from adapters.slack.trace_view import not_found_modal, trace_error_modal, trace_modal
from bot import messages
from bot.jobs import Enqueued, NewJob
from bot.service import BotService
from bot.store import StoreError
from bot.subscriptions import asks_for_notice
from bot.types import Question
from bot.worker import Worker

logger = logging.getLogger(__name__)

Send = Callable[[], Awaitable[None]]
# A button: the ack, the click as read (None: not one we can use), the action, the response URL.
Button = Callable[[AsyncAck, "Click | None", dict[str, Any], AsyncRespond], Awaitable[None]]
Apologize = Callable[[str], Awaitable[Any]]
TRACE_ID_LIMIT = 64
QUEUE_NOTE_DELAY_S = 2.0  # a queued question's ⏳ and place in the queue are shown this much later
NOTE_QUIET_S = 0.5  # ...once no question has arrived for this long (acks first in a burst)
NOTE_MAX_WAIT_S = 10.0  # ...but never more than this after QUEUE_NOTE_DELAY_S


@dataclass
class Identity:
    """Who the bot is (from ``auth.test`` at startup)."""

    user_id: str | None = None
    bot_id: str | None = None
    team_id: str | None = None
    enterprise_id: str | None = None


class Handlers:
    def __init__(
        self,
        *,
        service: BotService,
        client: AsyncWebClient,
        poster: Poster,
        direct: Worker,
        identity: Identity,
    ) -> None:
        self.service = service
        self.client = client
        self.identity = identity
        self.threads = poster.threads
        self.poster = poster
        self.direct = direct  # answers a job the store could not take
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_arrival = -NOTE_QUIET_S  # time.monotonic() of the last question queued here

    def register(self, app: AsyncApp) -> None:
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.event("app_home_opened")(self.on_home)
        app.command("/oews")(self.on_command)
        app.use(assistant(self.client, self.on_assistant_message))
        buttons: list[tuple[str | re.Pattern[str], Button]] = [
            (b.ACTION_TRACE, self.on_show_trace),
            (re.compile(f"^({b.ACTION_UP}|{b.ACTION_DOWN})$"), self.on_feedback),
            (re.compile(rf"^{b.ACTION_CLARIFY}_\d+$"), self.on_clarify),
            (b.ACTION_RESHAPE, self.on_reshape),
            (re.compile(rf"^{b.ACTION_FOLLOWUP}_\d+$"), self.on_reshape),
            (b.ACTION_SUBSCRIBE, self.on_subscribe),
            (ACTION_UNSUBSCRIBE, self.on_unsubscribe),
        ]
        for action_id, handle in buttons:
            app.action(action_id)(self._listener(handle))

    def _listener(self, handle: Button) -> Callable[..., Awaitable[None]]:
        """A Bolt action listener (Bolt passes arguments by name) that reads the click once."""

        async def listener(
            ack: AsyncAck,
            body: dict[str, Any],
            action: dict[str, Any],
            respond: AsyncRespond,
            context: AsyncBoltContext,
        ) -> None:
            pressed = click(body, action, default_workspace=self._workspace(context))
            await handle(ack, pressed, action, respond)

        return listener

    # -- messages ---------------------------------------------------------------------------------

    async def on_mention(
        self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        if not str(event.get("channel", "")).startswith("D"):  # DMs are answered as message.im
            await self._ask(body, event, context)  # queued before the ack: a crash loses nothing
        await ack()

    async def on_message(
        self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        bot = self._bot_user(context)
        if (
            event.get("channel_type") == "im"
            or self._is_follow_up(event, bot)
            or await self._answered_here_before(body, event, context)
        ):
            await self._ask(body, event, context)
        await ack()

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

    async def on_assistant_message(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """A message in an assistant thread (or a DM thread): answered like a DM, with a status."""
        await self._ask(body, event, context, assistant=True)

    async def _ask(
        self,
        body: dict[str, Any],
        event: dict[str, Any],
        context: AsyncBoltContext,
        *,
        assistant: bool = False,
    ) -> None:
        bot = self._bot_user(context)
        if is_from_bot(event, bot):
            return
        found = asked(body, event, bot_user_id=bot, default_workspace=self._workspace(context))
        if found is None:
            logger.info("ignored a message event without user, channel or ts")
            return
        question = Question(
            text=found.text,
            platform="slack",
            workspace=found.workspace,
            channel=found.channel,
            thread=found.thread,
            user=found.user,
            delivery_id=f"slack:{found.event_id}" if found.event_id else None,
        )
        self.threads.add(found.channel, found.thread)
        place = Place(found.channel, found.thread, found.user)
        if asks_for_notice(found.text):  # "notify me when new data is out": this thread's question
            await self._submit(NewJob("slack.subscribe", question, {"mode": "thread"}), place)
            return
        payload: dict[str, Any] = {"ts": found.ts}
        if assistant:
            first = not await asyncio.to_thread(self.service.knows_thread, question)
            payload.update(assistant=True, title=first)
        queued = await self._submit(NewJob("slack.ask", question, payload), place)
        if queued is not None and queued.status == "queued":
            self._note_position(queued, place, found.ts)

    def _note_position(self, queued: Enqueued, place: Place, ts: str) -> None:
        """A long wait: the ⏳ reaction and a note with the question's place in the queue."""
        note = messages.queue_note(queued.position)
        if note is not None and queued.job_id is not None:
            self._spawn(self._note_later(queued.job_id, place, ts, note), "slack-queued")

    async def _note_later(self, job_id: int, place: Place, ts: str, note: str) -> None:
        """After ``QUEUE_NOTE_DELAY_S`` and the burst, if the question still waits: the acks come
        first (two Web API calls per question cost the serving process more than its ack)."""
        await asyncio.sleep(QUEUE_NOTE_DELAY_S)
        await self._after_the_burst()
        if await asyncio.to_thread(self.service.waiting, job_id):
            await self.poster.react(place.channel, ts)
            await self.poster.ephemeral(place, note)

    async def _after_the_burst(self) -> None:
        """Until no question has arrived for ``NOTE_QUIET_S`` (at most ``NOTE_MAX_WAIT_S``): the
        notes of a burst would otherwise take the CPU from the acks of its last questions."""
        deadline = time.monotonic() + NOTE_MAX_WAIT_S
        while (quiet := time.monotonic() - self._last_arrival) < NOTE_QUIET_S and time.monotonic() < deadline:
            await asyncio.sleep(NOTE_QUIET_S - quiet)

    async def _submit(self, job: NewJob, place: Place | None) -> Enqueued | None:
        """Queue the job (claiming its delivery id); tell the person if the queue is full.

        None when the store could not take it: the job is then answered here, directly.
        """
        self._last_arrival = time.monotonic()
        queued = await asyncio.to_thread(self.service.submit, job)
        if queued is None:
            self._spawn(self.direct.run_direct(job), f"slack-direct-{job.kind}")
        elif queued.status == "full" and place is not None:
            self._spawn(self.poster.ephemeral(place, messages.BUSY), "slack-busy")
        return queued

    # -- /oews ------------------------------------------------------------------------------------

    async def on_command(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        command: dict[str, Any],
        context: AsyncBoltContext,
    ) -> None:
        request = parse_slash(str(command.get("text") or ""))
        if request.wants_help:
            await ack(text="How to use /oews", blocks=b.help_blocks(str(command.get("command") or "/oews")))
            return
        if request.subcommand is not None:
            await self._subcommand(ack, body, command, context, request)
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
        payload = {"response_url": command.get("response_url"), "private": request.private}
        queued = await self._submit(NewJob("slack.command", question, payload), None)
        note = messages.queue_note(queued.position) if queued is not None else None
        if queued is not None and queued.status == "full":
            await ack(text=messages.BUSY)
        elif note is not None:
            await ack(text=note)
        elif request.private:
            await ack(text=b.WORKING_TEXT)  # shown only to the asker; the answer replaces it
        else:
            await ack()  # the public placeholder message shows progress

    async def _subcommand(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        command: dict[str, Any],
        context: AsyncBoltContext,
        request: SlashRequest,
    ) -> None:
        """``/oews subscribe QUESTION`` and ``/oews subscriptions``: answered privately."""
        question = Question(
            text=request.question,
            platform="slack",
            workspace=action_workspace(body, self._workspace(context)),
            channel=str(command.get("channel_id") or ""),
            user=str(command.get("user_id") or ""),
        )
        kind = "slack.subscribe" if request.subcommand == "subscribe" else "slack.subscriptions"
        queued = await self._submit(
            NewJob(kind, question, {"response_url": command.get("response_url")}), None
        )
        if queued is not None and queued.status == "full":
            await ack(text=messages.BUSY)
        else:
            await ack()

    # -- buttons ----------------------------------------------------------------------------------

    async def on_show_trace(
        self, ack: AsyncAck, pressed: Click | None, action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        if pressed is not None:
            self._spawn(self._show_trace(pressed, respond), "slack-trace")

    async def _show_trace(self, pressed: Click, respond: AsyncRespond) -> None:
        trace_id = pressed.value[:TRACE_ID_LIMIT]
        try:
            asker = asked_by(pressed)
            trace = await asyncio.to_thread(self.service.trace_for, trace_id, asker)
            view = trace_modal(trace) if trace is not None else not_found_modal(trace_id)
        except StoreError:
            logger.exception("could not read trace", extra={"trace_id": trace_id})
            view = trace_error_modal(trace_id)
        if pressed.trigger_id is None:
            await self._tell(pressed, respond, "Open the trace from the button on the answer.")
            return
        await self.client.views_open(trigger_id=pressed.trigger_id, view=view)

    async def on_feedback(
        self, ack: AsyncAck, pressed: Click | None, action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        if pressed is not None:
            value = "up" if action.get("action_id") == b.ACTION_UP else "down"
            self._spawn(self._feedback(pressed, value, respond), "slack-feedback")

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
            text = messages.FEEDBACK_THANKS if counts is not None else messages.FEEDBACK_MISSING
        except StoreError:
            logger.exception("could not record feedback", extra={"trace_id": pressed.value[:TRACE_ID_LIMIT]})
            text = messages.FEEDBACK_FAILED
        await self._tell(pressed, respond, text)

    async def on_clarify(
        self, ack: AsyncAck, pressed: Click | None, action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        if pressed is None or not pressed.channel:
            await ack()
            return
        question = asked_by(pressed, pressed.value)
        payload = {
            "response_url": respond.response_url,
            "message_ts": pressed.message_ts,
            "message_text": pressed.message_text,
            "message_blocks": pressed.message_blocks,
            "label": pressed.label,
        }
        queued = await self._submit(NewJob("slack.click", question, payload), None)
        await ack()
        if queued is not None and queued.status == "full":
            self._spawn(self._tell(pressed, respond, messages.BUSY), "slack-busy")

    async def on_reshape(
        self, ack: AsyncAck, pressed: Click | None, action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        """A choice in an answer's "change this answer" menu, or a suggested next question:
        queued like a typed question (asked in the answer's thread), or its table as CSV."""
        job = _reshape_job(pressed, str(action.get("action_id") or ""), respond.response_url)
        if job is None or pressed is None:
            await ack()
            if pressed is not None:
                self._spawn(self._tell(pressed, respond, messages.ANSWER_GONE), "slack-reshape")
            return
        queued = await self._submit(job, None)
        await ack()
        if queued is not None and queued.status == "full":
            self._spawn(self._tell(pressed, respond, messages.BUSY), "slack-busy")

    async def on_subscribe(
        self, ack: AsyncAck, pressed: Click | None, action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        """*Notify me of new data* on an answer: a subscription to that answer's question."""
        if pressed is None or not pressed.channel:
            await ack()
            return
        question = asked_by(pressed)
        payload = {"source": pressed.value[:TRACE_ID_LIMIT], "response_url": respond.response_url}
        await self._submit(NewJob("slack.subscribe", question, payload), None)
        await ack()

    async def on_unsubscribe(
        self, ack: AsyncAck, pressed: Click | None, action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        """*Remove* in the list of someone's subscriptions: removed, and the list shown again."""
        await ack()
        if pressed is not None:
            self._spawn(self._unsubscribe(pressed, respond), "slack-unsubscribe")

    async def _unsubscribe(self, pressed: Click, respond: AsyncRespond) -> None:
        asker = asked_by(pressed)
        subscriptions = self.service.subscriptions
        try:
            if subscriptions is None:
                raise StoreError("unsubscribe", "no subscriptions here")
            removed = await asyncio.to_thread(subscriptions.remove, pressed.value, asker)
            mine = await asyncio.to_thread(subscriptions.mine, asker)
        except StoreError:
            logger.exception("could not remove a subscription")
            await self._tell(pressed, respond, messages.SUBSCRIPTIONS_FAILED)
            return
        note = messages.SUBSCRIPTION_REMOVED if removed else messages.SUBSCRIPTION_MISSING
        blocks = [*subscriptions_blocks(mine), b.context(b.escape(note))]
        await respond(text=note, blocks=blocks, response_type="ephemeral", replace_original=True)

    # -- App Home ---------------------------------------------------------------------------------

    async def on_home(
        self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        user = event.get("user")
        if event.get("tab", "home") == "home" and isinstance(user, str):
            workspace = event_workspace(body, event, self._workspace(context))
            self._spawn(self._publish_home(user, workspace), "slack-home")

    async def _publish_home(self, user: str, workspace: str) -> None:
        try:
            today, total = await asyncio.to_thread(self.service.usage, "slack", workspace, user)
        except StoreError:
            logger.exception("could not read usage for App Home")
            today = total = None
        view = home_view(vintage=self.service.data_vintage(), today=today, total=total)
        await self.client.views_publish(user_id=user, view=view)

    # -- shared -----------------------------------------------------------------------------------

    def _spawn(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        """Light work after the ack (a view, a notice), logged if it fails."""

        async def logged() -> None:
            try:
                await work
            except Exception:
                logger.exception("Slack task %s failed", name)

        task = asyncio.create_task(logged(), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Let the notices in flight finish (briefly)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=5)

    async def _tell(self, pressed: Click, respond: AsyncRespond, text: str) -> None:
        """A short private note to the person who clicked."""
        if respond.response_url:
            await respond(text=text, response_type="ephemeral", replace_original=False)
        elif pressed.channel:
            await self.poster.ephemeral(Place(pressed.channel, pressed.root, pressed.user), text)

    def _bot_user(self, context: AsyncBoltContext) -> str | None:
        return context.bot_user_id or self.identity.user_id

    def _workspace(self, context: AsyncBoltContext) -> str:
        return context.team_id or self.identity.team_id or ""


def _reshape_job(pressed: Click | None, action_id: str, response_url: str | None) -> NewJob | None:
    """The job a reshape control asks for; None for a click that names no answer or option."""
    if pressed is None or not pressed.channel or not pressed.source:
        return None
    if action_id.startswith(b.ACTION_FOLLOWUP):
        kind, text = "slack.reshape", pressed.value
    elif pressed.value == b.CSV_VALUE:
        kind, text = "slack.csv", ""
    elif pressed.value.startswith(b.ASK_PREFIX):
        kind, text = "slack.reshape", pressed.value.removeprefix(b.ASK_PREFIX)
    else:
        return None
    question = asked_by(pressed, text)
    payload = {"source": pressed.source, "response_url": response_url, "label": pressed.label}
    return NewJob(kind, question, payload)


def asked_by(pressed: Click, text: str = "") -> Question:
    """The person who clicked, in the thread of the message they clicked on, as a question."""
    return Question(
        text=text,
        platform="slack",
        workspace=pressed.workspace,
        channel=pressed.channel or "",
        thread=pressed.root,
        user=pressed.user,
    )
