"""Subscriptions in Teams: the Notify me button on an answer card, and the notice posted
proactively into the conversation the subscription was made in (once per release)."""

from __future__ import annotations

import json
from typing import Any

from adapters.teams.handlers import ANSWER_GONE
from adapters.teams.notices import proactive_sender
from bot.app import subscriptions_for
from bot.config import Settings
from tests.teams.harness import OTHER_TENANT, OUTBOUND_TOKEN, FixedTokenCredentialsFactory, TeamsBot

NURSES = "median annual wage of registered nurses nationally"


def notify_button(card: dict[str, Any]) -> dict[str, Any]:
    return next(a["data"] for a in card["actions"] if a["title"] == "🔔 Notify me of new data")


def test_notify_me_subscribes_and_the_notice_comes_to_the_same_conversation_once(
    teams: TeamsBot, settings: Settings
) -> None:
    channel = teams.channel()
    answer = teams.reply_to(channel.message(NURSES))
    assert answer.card is not None

    confirmation = teams.reply_to(channel.submit(notify_button(answer.card)))
    assert f"Subscribed to “{NURSES}”" in confirmation.text and "in this conversation" in confirmation.text
    subs = teams.service.subscriptions
    assert subs is not None
    [sub] = subs.store.due(2026)
    assert (sub.platform, sub.question) == ("teams", NURSES)
    assert json.loads(sub.target)["conversation"]["id"] == channel.conversation_id

    sender = proactive_sender(settings, credentials_factory=FixedTokenCredentialsFactory())
    assert sender is not None
    newer = subscriptions_for(teams.service, release=lambda: 2026)  # as after loading May 2026
    before = len(teams.connector.messages())
    assert len(newer.notify(sender)) == 1
    [notice] = teams.connector.wait_for_messages(before + 1)[before:]
    assert notice.conversation_id == channel.conversation_id
    assert f"New OEWS data (May 2026) for your subscription: “{NURSES}”" in notice.text
    assert "$97,550" in notice.text and "What changed" in notice.text
    assert notice.authorization == f"Bearer {OUTBOUND_TOKEN}"  # the bot's own credentials

    assert newer.notify(sender) == []  # once per subscription and release


def test_notify_me_on_another_tenants_answer_stores_nothing(teams: TeamsBot) -> None:
    chat = teams.chat()
    answer = teams.reply_to(chat.message(NURSES))
    assert answer.card is not None
    intruder = teams.chat(tenant=OTHER_TENANT, conversation_id=chat.conversation_id)

    note = teams.reply_to(intruder.submit(notify_button(answer.card)))

    assert (
        note.text
        == "This Microsoft Teams organization is not allowed to use this bot. Ask your admin to add it."
    )
    subs = teams.service.subscriptions
    assert subs is not None and subs.store.count() == 0


def test_notify_me_on_another_conversations_answer_is_refused(teams: TeamsBot) -> None:
    chat = teams.chat()
    answer = teams.reply_to(chat.message(NURSES))
    assert answer.card is not None
    elsewhere = teams.chat(user="29:user-bob", aad_user="aad-bob")

    note = teams.reply_to(elsewhere.submit(notify_button(answer.card)))

    assert note.text == ANSWER_GONE
    subs = teams.service.subscriptions
    assert subs is not None and subs.store.count() == 0


def test_notify_me_typed_in_a_thread_subscribes_to_its_last_question(teams: TeamsBot) -> None:
    chat = teams.chat()
    teams.reply_to(chat.message("median pay of electricians in Texas"))

    confirmation = teams.reply_to(chat.message("notify me when new data is out"))

    assert "Subscribed to “median pay of electricians in Texas”" in confirmation.text
    subs = teams.service.subscriptions
    assert subs is not None and [s.question for s in subs.store.due(2026)] == [
        "median pay of electricians in Texas"
    ]
