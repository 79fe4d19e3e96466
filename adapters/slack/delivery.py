"""Putting answers in front of people: threaded messages, ephemerals, charts, progress.

Every Web API call goes through one ``AsyncWebClient`` (429s retried by its handlers).
Failures of the extras (reactions, chart, disabling buttons) are logged and never stop the
answer; failures of the answer itself propagate to the turn handler.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import (
    WORKING_TEXT,
    Block,
    answer_blocks,
    clip,
    escape,
    fallback_text,
    notice_blocks,
)
from adapters.slack.incoming import BotThreads
from bot import messages
from bot.types import Answer

logger = logging.getLogger(__name__)

PROGRESS_REACTION = "hourglass_flowing_sand"
CHART_FILENAME = "oews-chart.png"
ANSWER_EVENT = "oews_answer"  # message metadata naming the job an answer belongs to
PLACEHOLDER_EVENT = "oews_placeholder"  # the same for a /oews placeholder
OnPosted = Callable[[str | None], Awaitable[None]]  # told the ts of the answer message once it is up


@dataclass(frozen=True)
class Place:
    """Where an answer goes: a channel, the thread in it (None: top level), and who asked."""

    channel: str
    thread: str | None
    user: str


class Poster:
    def __init__(self, client: AsyncWebClient, threads: BotThreads) -> None:
        self.client = client
        self.threads = threads

    async def answer(
        self,
        place: Place,
        answer: Answer,
        *,
        question: str | None = None,
        on_posted: OnPosted | None = None,
        job: int | None = None,
    ) -> None:
        """One message in the thread (or an ephemeral), then the chart under it."""
        if answer.private:  # the service decides (errors, refusals of access, limits)
            await self.ephemeral(place, fallback_text(answer), answer_blocks(answer))
            if on_posted is not None:
                await on_posted(None)
            return
        blocks = answer_blocks(answer, asked_by=place.user if question else None, question=question)
        response = await self.client.chat_postMessage(
            channel=place.channel,
            thread_ts=place.thread,
            text=fallback_text(answer),
            blocks=blocks,
            unfurl_links=False,
            unfurl_media=False,
            metadata={"event_type": ANSWER_EVENT, "event_payload": {"job": job}} if job else None,
        )
        if on_posted is not None:
            await on_posted(_ts(response.data))
        thread = place.thread or _ts(response.data)
        await self.after_answer(Place(place.channel, thread, place.user), answer)

    async def after_answer(self, place: Place, answer: Answer) -> None:
        if place.thread:
            self.threads.add(place.channel, place.thread)
        if answer.chart_png:
            await self.chart(place, answer)

    async def replace(
        self, place: Place, ts: str, answer: Answer, *, question: str, on_posted: OnPosted | None = None
    ) -> None:
        """Put the answer in a placeholder message (posting anew if it is gone)."""
        blocks = answer_blocks(answer, asked_by=place.user, question=question)
        try:
            await self.client.chat_update(
                channel=place.channel, ts=ts, text=fallback_text(answer), blocks=blocks
            )
        except SlackApiError as e:
            if _error(e) not in ("message_not_found", "cant_update_message", "edit_window_closed"):
                raise
            logger.warning(
                "placeholder %s gone (%s); posting the answer anew",
                ts,
                _error(e),
                extra={"trace_id": answer.trace_id},
            )
            await self.answer(
                Place(place.channel, None, place.user), answer, question=question, on_posted=on_posted
            )
            return
        if on_posted is not None:
            await on_posted(ts)
        await self.after_answer(Place(place.channel, ts, place.user), answer)

    async def find_answer(self, channel: str, thread: str, job: int) -> str | None:
        """The ts of the answer to ``job`` already in the thread (posted by a worker that then died)."""
        try:
            response = await self.client.conversations_replies(
                channel=channel, ts=thread, include_all_metadata=True, limit=200
            )
        except SlackApiError as e:
            logger.warning("could not look for job %d's answer: %s", job, _error(e))
            return None
        return _marked(response.get("messages") or [], ANSWER_EVENT, job)

    async def find_placeholder(self, channel: str, job: int) -> str | None:
        """The ts of ``job``'s placeholder among the channel's latest messages, if a worker posted it."""
        try:
            response = await self.client.conversations_history(
                channel=channel, include_all_metadata=True, limit=200
            )
        except SlackApiError as e:
            logger.warning("could not look for job %d's placeholder: %s", job, _error(e))
            return None
        return _marked(response.get("messages") or [], PLACEHOLDER_EVENT, job)

    async def placeholder(
        self, channel: str, user: str, question: str, *, job: int | None = None
    ) -> str | None:
        """A "working on it" message that the answer replaces; None if the bot can't post here."""
        text = f"<@{user}> asked: {escape(clip(question, 500))}\n{WORKING_TEXT}"
        try:
            response = await self.client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=notice_blocks_raw(text),
                metadata={"event_type": PLACEHOLDER_EVENT, "event_payload": {"job": job}} if job else None,
            )
        except SlackApiError as e:
            logger.info("cannot post in %s (%s); answering through the response URL", channel, _error(e))
            return None
        return _ts(response.data)

    async def ephemeral(self, place: Place, text: str, blocks: list[Block] | None = None) -> None:
        await self.client.chat_postEphemeral(
            channel=place.channel,
            user=place.user,
            thread_ts=place.thread,
            text=clip(text, 3000),
            blocks=blocks if blocks is not None else notice_blocks(text),
        )

    async def delete(self, channel: str, ts: str) -> None:
        try:
            await self.client.chat_delete(channel=channel, ts=ts)
        except SlackApiError as e:
            logger.warning("could not delete message %s: %s", ts, _error(e))

    async def chart(self, place: Place, answer: Answer) -> None:
        try:
            await self.client.files_upload_v2(
                channel=place.channel,
                thread_ts=place.thread,
                file=answer.chart_png,
                filename=CHART_FILENAME,
                title=answer.chart_title or "Chart",
                alt_txt=clip(answer.chart_title or "Chart of the answer", 1000),
            )
        except Exception:  # the answer is already there; a missing chart is not worth an error
            logger.exception("chart upload failed", extra={"trace_id": answer.trace_id})

    async def csv(self, place: Place, text: str, trace_id: str) -> bool:
        """The CSV file of an answer's table in its thread; False if Slack would not take it."""
        try:
            await self.client.files_upload_v2(
                channel=place.channel,
                thread_ts=place.thread,
                content=text,
                filename=f"oews-{trace_id}.csv",
                title=f"OEWS table {trace_id} (CSV)",
                initial_comment=messages.CSV_COMMENT,
            )
        except Exception:
            logger.exception("CSV upload failed", extra={"trace_id": trace_id})
            return False
        return True

    async def react(self, channel: str, ts: str) -> bool:
        try:
            await self.client.reactions_add(channel=channel, timestamp=ts, name=PROGRESS_REACTION)
        except SlackApiError as e:
            if _error(e) == "already_reacted":  # added while the question waited in the queue
                return True
            logger.info("reactions.add failed: %s", _error(e))
            return False
        return True

    async def unreact(self, channel: str, ts: str) -> None:
        try:
            await self.client.reactions_remove(channel=channel, timestamp=ts, name=PROGRESS_REACTION)
        except SlackApiError as e:
            logger.info("reactions.remove failed: %s", _error(e))


async def respond_answer(
    respond: AsyncRespond,
    answer: Answer,
    *,
    public: bool,
    question: str | None = None,
    user: str | None = None,
    replace: bool = False,
) -> None:
    """Answer through a ``response_url`` (slash commands and ephemeral messages)."""
    blocks = answer_blocks(answer, asked_by=user if public else None, question=question if public else None)
    response = await respond(
        text=fallback_text(answer),
        blocks=blocks,
        replace_original=replace,
        response_type="in_channel" if public else "ephemeral",
    )
    if response.status_code != 200:
        raise RuntimeError(f"response_url answered {response.status_code}")


def notice_blocks_raw(mrkdwn: str) -> list[Block]:
    """Blocks for text that is already escaped mrkdwn."""
    return [{"type": "section", "text": {"type": "mrkdwn", "text": clip(mrkdwn, 3000)}}]


def _marked(messages: list[dict[str, Any]], event: str, job: int) -> str | None:
    """The ts of the message whose metadata names ``event`` for ``job``, if any."""
    for message in messages:
        metadata = message.get("metadata") or {}
        if metadata.get("event_type") == event and (metadata.get("event_payload") or {}).get("job") == job:
            return _ts(message)
    return None


def _ts(data: Any) -> str | None:
    ts = data.get("ts") if isinstance(data, dict) else None
    return ts if isinstance(ts, str) and ts else None


def _error(e: SlackApiError) -> str:
    data = e.response.data if e.response is not None else None
    return str(data.get("error", "unknown")) if isinstance(data, dict) else "unknown"
