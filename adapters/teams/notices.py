"""Subscription notices in Teams: a proactive message to the conversation the subscription was
made in (its stored conversation reference), sent by ``oews-bot data load`` / ``data fetch`` /
``subscriptions --notify`` through the Bot Framework with the bot's own credentials.

Teams lets a bot write into a conversation it is part of at any time; a 1:1 chat with someone
who never talked to the bot would need the app installed for them first, so a notice goes where
the person subscribed (their chat with the bot, or the channel's reply chain).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import ConversationReference

from adapters.teams.config import TeamsConfigError, sdk_configuration
from adapters.teams.connector import cloud_adapter
from bot.config import Settings
from bot.subscriptions import Notice, Subscription

Sender = Callable[[Subscription], Callable[[Notice], None]]


def proactive_sender(settings: Settings, *, credentials_factory: Any = None) -> Sender | None:
    """For a Teams subscription: a function that posts its notice; None if Teams is not set up."""
    try:
        config = sdk_configuration(settings)
    except TeamsConfigError:
        return None
    cloud = cloud_adapter(config, credentials_factory=credentials_factory)

    def for_subscription(sub: Subscription) -> Callable[[Notice], None]:
        reference = ConversationReference().deserialize(json.loads(sub.target))

        def send(notice: Notice) -> None:
            async def post(context: TurnContext) -> None:
                await context.send_activity(MessageFactory.text(notice.text))

            asyncio.run(cloud.continue_conversation(reference, post, bot_app_id=config.APP_ID or None))

        return send

    return for_subscription
