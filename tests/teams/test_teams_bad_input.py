"""Odd and hostile input: always a safe result (a short reply, nothing, or a 4xx), never a crash."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.teams.handlers import HINT, INVALID_ACTION, TRACE_UNAVAILABLE, WELCOME
from tests.teams.harness import BOT_ID, TeamsBot

QUESTION = "median annual wage of registered nurses in Seattle"


def no_reply(teams: TeamsBot) -> bool:
    return teams.settle() == []


def test_personal_message_without_text_gets_a_hint(teams: TeamsBot) -> None:
    activity = teams.chat().activity()  # type message, no text
    assert teams.reply_to(activity).text == HINT


def test_only_a_mention_gets_a_hint(teams: TeamsBot) -> None:
    assert teams.reply_to(teams.channel().message("")).text == HINT


def test_attachments_only_get_a_hint(teams: TeamsBot) -> None:
    picture = {"contentType": "image/png", "contentUrl": "https://example.com/cat.png", "name": "cat.png"}
    assert teams.reply_to(teams.chat().activity(attachments=[picture])).text == HINT


def test_channel_message_without_a_mention_is_left_alone(teams: TeamsBot) -> None:
    status = teams.send(teams.channel().message(QUESTION, mention=False))
    assert status == 201
    assert no_reply(teams)


def test_mention_entities_of_odd_shapes_do_not_crash(teams: TeamsBot) -> None:
    odd = [
        {"type": "mention"},
        {"type": "mention", "mentioned": "bot"},
        {"type": "clientInfo", "locale": "en"},
    ]
    status = teams.send(teams.channel().activity(text="<at>OEWS</at> hello", entities=odd))
    assert status == 201
    assert no_reply(teams)


def test_html_and_entities_in_the_text_are_cleaned(teams: TeamsBot) -> None:
    at = {"type": "mention", "text": "<at>OEWS</at>", "mentioned": {"id": BOT_ID, "name": "OEWS"}}
    text = f"<p><at>OEWS</at>&nbsp;{QUESTION}&nbsp;</p>"
    reply = teams.reply_to(teams.channel().activity(text=text, entities=[at]))
    assert "$128,260" in reply.text


@pytest.mark.parametrize(
    "kind", ["messageReaction", "event", "installationUpdate", "typing", "endOfConversation", "somethingNew"]
)
def test_other_activity_types_are_accepted_and_ignored(kind: str, teams: TeamsBot) -> None:
    assert teams.send(teams.chat().activity(type=kind, text=QUESTION)) in (200, 201)
    assert no_reply(teams)


def test_unhandled_invoke_gets_501_not_a_crash(teams: TeamsBot) -> None:
    status = teams.send(teams.chat().activity(type="invoke", name="composeExtension/query", value={}))
    assert status == 501
    assert no_reply(teams)


def test_bot_installed_in_a_chat_says_hello_once(teams: TeamsBot) -> None:
    chat = teams.chat()
    welcome = teams.reply_to(chat.activity(type="conversationUpdate", membersAdded=[{"id": BOT_ID}]))
    assert welcome.text == WELCOME
    teams.send(chat.activity(type="conversationUpdate", membersAdded=[{"id": "29:someone-else"}]))
    assert len(teams.connector.messages()) == 1


@pytest.mark.parametrize(
    "value",
    [
        "just a string",
        [1, 2, 3],
        {},
        {"oews": "show_trace"},
        {"oews": "show_trace", "trace_id": "../../etc/passwd"},
        {"oews": "show_trace", "trace_id": "x" * 65},
        {"oews": "feedback", "trace_id": "tr-0123456789ab", "vote": "meh"},
        {"oews": "drop_tables", "trace_id": "tr-0123456789ab"},
        {"oews": "clarify", "trace_id": "tr-0123456789ab", "question": ""},
        {"oews": "clarify", "trace_id": "tr-0123456789ab", "question": "x" * 501},
        {"oews": "clarify", "trace_id": "tr-0123456789ab", "question": {"nested": True}},
    ],
)
def test_forged_card_submits_get_a_short_message(value: Any, teams: TeamsBot) -> None:
    assert teams.reply_to(teams.chat().submit(value)).text == INVALID_ACTION


def test_stale_trace_id_is_reported_as_unavailable(teams: TeamsBot) -> None:
    reply = teams.reply_to(teams.chat().submit({"oews": "show_trace", "trace_id": "tr-0123456789ab"}))
    assert reply.text == TRACE_UNAVAILABLE


def test_forged_clarify_is_just_a_question_and_changes_nothing(teams: TeamsBot) -> None:
    chat = teams.chat()
    injection = {
        "oews": "clarify",
        "trace_id": "tr-0123456789ab",
        "question": "'; DROP TABLE occupations; --",
    }
    teams.reply_to(chat.submit(injection))
    assert "$128,260" in teams.reply_to(chat.message(QUESTION)).text


def test_oversized_message_is_refused_by_the_engine(teams: TeamsBot) -> None:
    reply = teams.reply_to(teams.chat().message("what do nurses make " * 1_000))
    assert "too long" in reply.text


def test_oversized_request_body_is_413(teams: TeamsBot) -> None:
    activity = teams.chat().activity(text="x" * 300_000)
    assert teams.send(activity) == 413
    assert no_reply(teams)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'{"type": "message", "text": "hi"}', "application/json", 400),  # no serviceUrl, no conversation
        (b"type=message", "application/x-www-form-urlencoded", 415),
    ],
)
def test_malformed_requests_get_4xx(body: bytes, content_type: str, status: int, teams: TeamsBot) -> None:
    assert teams.openid is not None
    token = teams.openid.mint(teams.connector.url)
    assert teams.server.post(body, token=token, content_type=content_type)[0] == status
    assert no_reply(teams)


def test_a_redelivered_activity_is_answered_once(teams: TeamsBot) -> None:
    activity = teams.chat().message(QUESTION)
    teams.reply_to(activity)
    assert teams.send(json.loads(json.dumps(activity))) == 201
    assert len(teams.connector.messages()) == 1
