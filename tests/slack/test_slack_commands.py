"""``/oews``: public answers in the channel, private ones to the asker, and help."""

from __future__ import annotations

import json

import pytest

from tests.slack.fake_slack import BOT_USER, FakeSlack
from tests.slack.harness import SlackServer, message

TEXAS = "median pay for electricians in Texas"


def test_public_command_answers_in_the_channel_replacing_a_placeholder(
    slack: SlackServer, fake_slack: FakeSlack
) -> None:
    mark = fake_slack.mark()
    reply = slack.command(TEXAS, user="U7", channel="C2")

    assert reply.status == 200 and reply.elapsed_ms < 1000
    [update] = fake_slack.wait_method(mark, "chat.update")
    [placeholder] = fake_slack.since(mark, "chat.postMessage")
    assert placeholder.params["channel"] == "C2" and "thread_ts" not in placeholder.params
    assert "Looking that up" in placeholder.params["text"]
    assert update.params["ts"] == placeholder.response["ts"]
    assert "$58,570" in update.params["text"]
    blocks = json.dumps(update.blocks())
    assert "<@U7> asked: median pay for electricians in Texas" in blocks
    assert "oews_trace" in blocks
    assert fake_slack.since(mark, "response") == []


def test_follow_up_in_the_thread_of_a_command_answer(slack: SlackServer, fake_slack: FakeSlack) -> None:
    mark = fake_slack.mark()
    slack.command("median annual wage of registered nurses in Seattle", user="U7", channel="C2")
    [update] = fake_slack.wait_method(mark, "chat.update")

    mark = fake_slack.mark()
    slack.event(
        message(
            "and in Portland, OR?",
            ts="3000.000009",
            channel="C2",
            user="U7",
            thread_ts=update.params["ts"],
            parent_user_id=BOT_USER,
        )
    )

    [answer] = fake_slack.wait_method(mark, "chat.postMessage")
    assert answer.params["thread_ts"] == update.params["ts"]
    assert "$130,310" in answer.params["text"]


def test_command_chart_goes_into_the_answer_thread(slack: SlackServer, fake_slack: FakeSlack) -> None:
    mark = fake_slack.mark()
    slack.command("compare registered nurse median pay in Seattle and Boston", channel="C2")

    [complete] = fake_slack.wait_method(mark, "files.completeUploadExternal")
    [update] = fake_slack.since(mark, "chat.update")
    assert complete.params["thread_ts"] == update.params["ts"]
    assert complete.params["channel_id"] == "C2"


@pytest.mark.parametrize("flag", ["-p", "--private"])
def test_private_command_answers_only_the_asker(slack: SlackServer, fake_slack: FakeSlack, flag: str) -> None:
    mark = fake_slack.mark()
    reply = slack.command(f"{flag} {TEXAS}")

    assert reply.status == 200
    assert "Looking that up" in reply.body  # the ack itself, shown only to the asker
    [response] = fake_slack.wait_method(mark, "response")
    assert response.params["response_type"] == "ephemeral"
    assert "$58,570" in response.params["text"]
    calls = fake_slack.settle(mark)
    assert not [c for c in calls if c.method.startswith("chat.")]


@pytest.mark.parametrize("text", ["", "help", "  HELP ", "-p"])
def test_help_explains_usage_with_examples(slack: SlackServer, fake_slack: FakeSlack, text: str) -> None:
    mark = fake_slack.mark()
    reply = slack.command(text)

    assert reply.status == 200
    body = json.loads(reply.body)
    shown = json.dumps(body["blocks"])
    assert "/oews What do registered nurses make in Seattle?" in shown
    assert "--private" in shown and "--model" in shown
    assert fake_slack.settle(mark) == []


def test_command_where_the_bot_cannot_post_answers_through_the_response_url(
    slack: SlackServer, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", "not_in_channel")
    try:
        mark = fake_slack.mark()
        slack.command(TEXAS, channel="G5")
        [response] = fake_slack.wait_method(mark, "response")
    finally:
        fake_slack.fail("chat.postMessage", None)
    assert response.params["response_type"] == "in_channel"
    assert "$58,570" in response.params["text"]


def test_placeholder_deleted_meanwhile_answer_is_posted_anew(
    slack: SlackServer, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.update", "message_not_found")
    try:
        mark = fake_slack.mark()
        slack.command(TEXAS, channel="C3")
        calls = fake_slack.wait_method(mark, "chat.postMessage", count=2)
    finally:
        fake_slack.fail("chat.update", None)
    assert "$58,570" in calls[1].params["text"]
    assert calls[1].params["channel"] == "C3"


def test_command_from_another_workspace_is_refused_privately(
    slack: SlackServer, fake_slack: FakeSlack
) -> None:
    mark = fake_slack.mark()
    slack.command(TEXAS, team="T9")

    [response] = fake_slack.wait_method(mark, "response")
    assert response.params["response_type"] == "ephemeral"
    assert "not allowed" in response.params["text"]
    assert not [c for c in fake_slack.settle(mark) if c.method.startswith("chat.")]
