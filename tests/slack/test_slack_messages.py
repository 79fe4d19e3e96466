"""Mentions, DMs and thread follow-ups, end to end: signed events in, what users see out."""

from __future__ import annotations

import json
import struct

import pytest

from tests.slack.fake_slack import BOT_ID, BOT_USER, Call, FakeSlack
from tests.slack.harness import SlackServer, buttons, mention, message

SEATTLE_NURSES = "median annual wage of registered nurses in Seattle"


def posted(calls: list[Call], method: str = "chat.postMessage") -> list[Call]:
    return [c for c in calls if c.method == method]


def answered(fake: FakeSlack, mark: int) -> list[Call]:
    """The messages posted for one question, once its job is over (the reaction is removed last)."""
    fake.wait_method(mark, "reactions.remove")
    return posted(fake.since(mark))


def about(calls: list[Call], ts: str) -> list[Call]:
    """The calls that concern the message ``ts`` (replies in its thread, reactions on it)."""
    return [c for c in calls if ts in (c.params.get("thread_ts"), c.params.get("timestamp"))]


def section_texts(call: Call) -> list[str]:
    return [b["text"]["text"] for b in call.blocks() if b.get("type") == "section"]


def test_mention_is_answered_in_a_thread_with_buttons_and_progress(
    slack: SlackServer, fake_slack: FakeSlack
) -> None:
    mark = fake_slack.mark()
    reply = slack.event(mention(SEATTLE_NURSES, ts="1000.000001"))

    assert reply.status == 200
    assert reply.elapsed_ms < 1000  # the ack does not wait for the answer
    [answer] = fake_slack.wait_method(mark, "chat.postMessage")
    assert answer.params["channel"] == "C1"
    assert answer.params["thread_ts"] == "1000.000001"
    assert "$128,260" in section_texts(answer)[0]
    assert "Seattle-Tacoma-Bellevue, WA" in answer.params["text"]
    actions = buttons(answer.blocks())
    assert {"oews_trace", "oews_feedback_up", "oews_feedback_down", "oews_reshape"} <= set(actions)
    trace_id = actions["oews_trace"]["value"]
    assert trace_id.startswith("tr-") and trace_id in answer.text()
    assert actions["oews_feedback_up"]["value"] == trace_id
    assert len(answer.blocks()) <= 50

    fake_slack.wait_method(mark, "reactions.remove")
    calls = fake_slack.since(mark)
    methods = [c.method for c in calls if c.method != "auth.test"]
    assert methods == ["reactions.add", "chat.postMessage", "reactions.remove"]
    assert calls[-1].params == {"channel": "C1", "timestamp": "1000.000001", "name": "hourglass_flowing_sand"}
    assert answer.headers["Authorization"] == "Bearer xoxb-test"


def test_chart_and_table_go_to_the_same_thread(slack: SlackServer, fake_slack: FakeSlack) -> None:
    mark = fake_slack.mark()
    slack.event(mention("how has registered nurse pay changed since 2019", ts="1001.000001"))

    [answer] = answered(fake_slack, mark)
    [complete] = fake_slack.since(mark, "files.completeUploadExternal")
    assert "$97,550" in answer.params["text"]
    table = next(t for t in section_texts(answer) if "```" in t)
    assert "2019" in table and "$73,300" in table
    [upload] = fake_slack.since(mark, "upload")
    assert upload.raw.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", upload.raw[16:24])
    assert width > 300 and height > 200
    assert complete.params["channel_id"] == "C1"
    assert complete.params["thread_ts"] == "1001.000001"
    assert complete.params["files"][0]["title"].startswith("Median annual wage: Registered Nurses")


def test_direct_message_is_answered_in_a_thread(slack: SlackServer, fake_slack: FakeSlack) -> None:
    mark = fake_slack.mark()
    slack.event(
        message("median pay for electricians in Texas", ts="1002.000001", channel="D1", channel_type="im")
    )

    [answer] = answered(fake_slack, mark)
    assert answer.params["channel"] == "D1"
    assert answer.params["thread_ts"] == "1002.000001"
    assert "$58,570" in answer.params["text"]


def test_mention_inside_a_dm_is_answered_once(slack: SlackServer, fake_slack: FakeSlack) -> None:
    mark = fake_slack.mark()
    text = f"<@{BOT_USER}> median pay for electricians in Texas"
    slack.event(mention("median pay for electricians in Texas", ts="1003.000001", channel="D1"))
    slack.event(message(text, ts="1003.000001", channel="D1", channel_type="im"))

    answered(fake_slack, mark)
    assert len(about(posted(fake_slack.settle(mark)), "1003.000001")) == 1


def test_follow_up_in_the_thread_needs_no_mention(slack: SlackServer, fake_slack: FakeSlack) -> None:
    mark = fake_slack.mark()
    slack.event(mention(SEATTLE_NURSES, ts="1004.000001"))
    answered(fake_slack, mark)

    mark = fake_slack.mark()
    slack.event(
        message("and in Portland, OR?", ts="1004.000009", thread_ts="1004.000001", parent_user_id="U1")
    )

    [answer] = answered(fake_slack, mark)
    assert answer.params["thread_ts"] == "1004.000001"
    assert "$130,310" in answer.params["text"]
    assert "Portland-Vancouver-Hillsboro, OR-WA" in answer.params["text"]
    assert "Registered Nurses" in answer.params["text"]


def test_follow_up_after_a_restart_is_recognised_from_the_bot_memory(
    slack: SlackServer, fake_slack: FakeSlack
) -> None:
    from adapters.slack.incoming import BotThreads

    mark = fake_slack.mark()
    slack.event(mention(SEATTLE_NURSES, ts="1030.000001"))
    answered(fake_slack, mark)
    assert slack.adapter is not None
    slack.adapter.handlers.threads = BotThreads()  # what a restarted process remembers in memory
    slack.adapter.handlers.poster.threads = slack.adapter.handlers.threads

    mark = fake_slack.mark()
    slack.event(
        message("and in Portland, OR?", ts="1030.000009", thread_ts="1030.000001", parent_user_id="U_ASKER")
    )

    [answer] = answered(fake_slack, mark)
    assert answer.params["thread_ts"] == "1030.000001" and "$130,310" in answer.params["text"]


def test_mention_inside_a_thread_answers_in_that_thread_with_its_context(
    slack: SlackServer, fake_slack: FakeSlack
) -> None:
    mark = fake_slack.mark()
    slack.event(mention(SEATTLE_NURSES, ts="1012.000005", thread_ts="1012.000001"))
    [first] = answered(fake_slack, mark)

    mark = fake_slack.mark()
    slack.event(mention("and in Portland, OR?", ts="1012.000009", thread_ts="1012.000001"))
    [second] = answered(fake_slack, mark)

    assert first.params["thread_ts"] == second.params["thread_ts"] == "1012.000001"
    assert "$130,310" in second.params["text"]


def test_reply_in_a_thread_started_by_the_bot_is_a_follow_up(
    slack: SlackServer, fake_slack: FakeSlack
) -> None:
    """After a restart the bot knows its threads from ``parent_user_id``."""
    mark = fake_slack.mark()
    slack.event(
        message(
            "median pay for electricians in Texas",
            ts="1005.000009",
            thread_ts="1005.000001",
            parent_user_id=BOT_USER,
        )
    )

    [answer] = answered(fake_slack, mark)
    assert answer.params["thread_ts"] == "1005.000001"
    assert "$58,570" in answer.params["text"]


@pytest.mark.parametrize(
    "event",
    [
        message("and in Portland, OR?", ts="1006.000009", thread_ts="1006.000001", parent_user_id="U1"),
        message("median pay for electricians in Texas", ts="1006.000002"),
        message(
            f"<@{BOT_USER}> electricians in Texas",
            ts="1006.000019",
            thread_ts="1006.000001",
            parent_user_id=BOT_USER,
        ),  # the app_mention event answers this one
    ],
    ids=["someone-elses-thread", "top-level-channel-message", "mention-in-message-event"],
)
def test_channel_chatter_is_left_alone(
    slack: SlackServer, fake_slack: FakeSlack, event: dict[str, object]
) -> None:
    mark = fake_slack.mark()
    assert slack.event(event).status == 200
    assert about(fake_slack.settle(mark), str(event["ts"])) == []
    assert about(fake_slack.since(mark), str(event.get("thread_ts"))) == []


@pytest.mark.parametrize(
    "extra",
    [
        {"bot_id": "B999"},
        {"subtype": "bot_message", "bot_id": BOT_ID},
        {"user": BOT_USER},
        {"subtype": "message_changed"},
        {"subtype": "channel_join"},
    ],
    ids=["other-bot", "bot-message", "own-message", "edit", "join"],
)
def test_bots_and_system_messages_are_ignored(
    slack: SlackServer, fake_slack: FakeSlack, extra: dict[str, str]
) -> None:
    mark = fake_slack.mark()
    event = {
        **message("median pay for electricians in Texas", ts="1007.000001", channel="D1", channel_type="im"),
        **extra,
    }
    assert slack.event(event).status == 200
    assert about(fake_slack.settle(mark), "1007.000001") == []


def test_a_retried_event_is_answered_once(slack: SlackServer, fake_slack: FakeSlack) -> None:
    mark = fake_slack.mark()
    event = mention("median pay for electricians in Texas", ts="1008.000001")
    first = slack.event(event, event_id="EvRETRY0001")
    again = slack.event(event, event_id="EvRETRY0001", retry=1)
    later = slack.event(event, event_id="EvRETRY0001", retry=2)

    assert (first.status, again.status, later.status) == (200, 200, 200)
    answered(fake_slack, mark)
    calls = about(fake_slack.settle(mark), "1008.000001")
    assert len(posted(calls)) == 1
    assert len(posted(calls, "reactions.add")) == 1


@pytest.mark.parametrize(
    ("envelope_team", "user_team"),
    [("T9", "T9"), ("T1", "T9")],
    ids=["other-workspace", "slack-connect-guest"],
)
def test_foreign_workspace_is_refused_politely(
    slack: SlackServer, fake_slack: FakeSlack, envelope_team: str, user_team: str
) -> None:
    mark = fake_slack.mark()
    event = {**mention(SEATTLE_NURSES, ts="1009.000001", team=user_team), "user_team": user_team}
    assert slack.event(event, team=envelope_team).status == 200

    [refusal] = fake_slack.wait_method(mark, "chat.postEphemeral")
    assert refusal.params["user"] == "U1"
    assert "not allowed" in refusal.params["text"]
    calls = fake_slack.settle(mark)
    assert posted(calls) == [] and posted(calls, "reactions.add") == []
    assert "$128,260" not in json.dumps([c.params for c in calls])
    assert slack.service.store.recent_traces(workspace="T9") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "I answer questions about U.S. employment and wages"),
        ("😀", "I answer questions about U.S. employment and wages"),
        ("x" * 40_000, "That question is too long (40,000 characters)"),
        ("<https://evil.example|click> ```select 1``` <@U999>", "I couldn't match"),
    ],
    ids=["empty", "emoji", "40k-characters", "markup"],
)
def test_awkward_input_gets_a_helpful_reply(
    slack: SlackServer, fake_slack: FakeSlack, text: str, expected: str
) -> None:
    mark = fake_slack.mark()
    assert slack.event(mention(text, ts="1010.000001")).status == 200

    [reply] = answered(fake_slack, mark)
    assert expected in reply.params["text"]
    assert BOT_USER not in reply.params["text"]  # the bot's own mention was stripped
    assert len(reply.params["text"]) <= 3000
    assert all(len(t) <= 3000 for t in section_texts(reply))


@pytest.mark.parametrize(
    "body",
    [
        "this is not json",
        json.dumps({"type": "event_callback"}),
        json.dumps({"type": "event_callback", "event": {"type": "message"}, "team_id": "T1"}),
        json.dumps(
            {"type": "event_callback", "event": {"type": "reaction_added", "user": "U1"}, "team_id": "T1"}
        ),
        json.dumps({"type": "something_new", "team_id": "T1"}),
    ],
    ids=["not-json", "no-event", "message-without-fields", "unsubscribed-event", "unknown-type"],
)
def test_malformed_or_unknown_payloads_do_no_harm(
    slack: SlackServer, fake_slack: FakeSlack, body: str
) -> None:
    mark = fake_slack.mark()
    reply = slack.post(body, "application/json")

    assert reply.status < 500
    assert posted(fake_slack.settle(mark)) == []
    slack.event(mention("median pay for electricians in Texas", ts="1011.000001"))
    assert "$58,570" in answered(fake_slack, mark)[0].params["text"]
