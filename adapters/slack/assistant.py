"""Slack's assistant surface: the split view of "Agents & AI Apps" (``features.assistant_view``).

Bolt's ``AsyncAssistant`` middleware routes the assistant's events: a new assistant thread
(``assistant_thread_started``) gets a greeting and suggested prompts
(``assistant.threads.setSuggestedPrompts``); a message in an assistant thread is queued like a
DM, and the worker that answers it shows a status while it works
(``assistant.threads.setStatus``) and titles the thread after its first question
(``assistant.threads.setTitle``).  Mentions, DMs, ``/oews`` and channel threads are untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.middleware.assistant.async_assistant import AsyncAssistant
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import EXAMPLES, clip
from bot import messages

logger = logging.getLogger(__name__)

TITLE_LIMIT = 80
MAX_PROMPTS = 4  # Slack shows up to four suggested prompts
OnMessage = Callable[[dict[str, Any], dict[str, Any], AsyncBoltContext], Awaitable[None]]


def assistant(client: AsyncWebClient, on_message: OnMessage) -> AsyncAssistant:
    """The middleware, wired: ``on_message`` queues a message of an assistant thread."""
    middleware = AsyncAssistant(logger=logging.getLogger("adapters.slack.bolt"))

    async def thread_started(ack: AsyncAck, event: dict[str, Any]) -> None:
        await ack()
        thread = event.get("assistant_thread") or {}
        channel, ts = thread.get("channel_id"), thread.get("thread_ts")
        if isinstance(channel, str) and isinstance(ts, str):
            await greet(client, channel, ts)

    async def context_changed(ack: AsyncAck) -> None:
        await ack()  # the channel the person is viewing does not change what OEWS answers

    async def user_message(
        ack: AsyncAck, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await on_message(body, event, context)
        await ack()

    middleware.thread_started(thread_started)
    middleware.thread_context_changed(context_changed)
    middleware.user_message(user_message)
    return middleware


async def greet(client: AsyncWebClient, channel: str, thread_ts: str) -> None:
    """A greeting in the new thread and the example questions as suggested prompts."""
    await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=messages.ASSISTANT_GREETING)
    prompts = [{"title": clip(e, 75), "message": e} for e in EXAMPLES[:MAX_PROMPTS]]
    await client.assistant_threads_setSuggestedPrompts(
        channel_id=channel, thread_ts=thread_ts, prompts=prompts, title=messages.ASSISTANT_PROMPTS_TITLE
    )


async def set_status(client: AsyncWebClient, channel: str, thread_ts: str, status: str) -> bool:
    """The assistant thread's status line ("" clears it); False when Slack refuses it."""
    try:
        await client.assistant_threads_setStatus(channel_id=channel, thread_ts=thread_ts, status=status)
    except SlackApiError as e:
        logger.info("assistant.threads.setStatus failed: %s", e.response.get("error"))
        return False
    return True


async def set_title(client: AsyncWebClient, channel: str, thread_ts: str, question: str) -> None:
    """Title the assistant thread after its first question."""
    try:
        await client.assistant_threads_setTitle(
            channel_id=channel, thread_ts=thread_ts, title=clip(question.strip() or "OEWS", TITLE_LIMIT)
        )
    except SlackApiError as e:
        logger.info("assistant.threads.setTitle failed: %s", e.response.get("error"))
