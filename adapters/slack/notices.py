"""Subscriptions in Slack: the list with its Remove buttons, and the DM a notice arrives in.

The words are the service's (``bot.messages``, ``bot.subscriptions.Notice``); this module only
lays them out in Block Kit and sends a notice as a direct message (``conversations.open``, then
``chat.postMessage``).  ``dm_sender`` is synchronous: ``oews-bot data load`` / ``data fetch``
and ``oews-bot subscriptions --notify`` send notices from the command line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from slack_sdk.web.client import WebClient

from adapters.slack.blocks import Block, answer_blocks, button, clip, context, escape, section
from bot import messages
from bot.subscriptions import Notice, Subscription

ACTION_UNSUBSCRIBE = "oews_unsubscribe"
MAX_LISTED = 20


def subscriptions_blocks(subs: Sequence[Subscription]) -> list[Block]:
    """Someone's subscriptions, each with a Remove button (or how to make one)."""
    if not subs:
        return [section(escape(messages.NO_SUBSCRIPTIONS))]
    blocks: list[Block] = [section(escape(messages.subscriptions_heading(len(subs))))]
    for sub in subs[:MAX_LISTED]:
        blocks.append(
            {
                "type": "section",
                "block_id": f"oews_sub:{sub.id}",
                "text": {
                    "type": "mrkdwn",
                    "text": clip(
                        f"*{escape(sub.question)}*\n{escape(messages.subscribed_on(sub.release))}", 3000
                    ),
                },
                "accessory": button("Remove", ACTION_UNSUBSCRIBE, sub.id, style="danger"),
            }
        )
    return blocks


def notice_blocks(notice: Notice) -> list[Block]:
    """The DM: what it is about, the answer on the new data, and what changed."""
    head = section(f"*{escape(notice.heading)}*")
    changed = section(clip("*What changed*\n" + "\n".join(f"• {escape(c)}" for c in notice.changes), 3000))
    body = [b for b in answer_blocks(notice.answer) if b.get("type") != "actions"]
    return [head, *body[:40], changed, context(escape(messages.NOTICE_FOOTER))]


def dm_sender(client: WebClient) -> Callable[[Subscription], Callable[[Notice], None]]:
    """For a Slack subscription: a function that DMs its notice to the subscriber."""

    def for_subscription(sub: Subscription) -> Callable[[Notice], None]:
        def send(notice: Notice) -> None:
            opened = client.conversations_open(users=sub.target)
            channel = (opened.get("channel") or {}).get("id")
            if not isinstance(channel, str):
                raise OSError("conversations.open returned no channel")
            client.chat_postMessage(
                channel=channel,
                text=clip(notice.text, 3000),
                blocks=notice_blocks(notice),
                unfurl_links=False,
            )

        return send

    return for_subscription
