"""Slack's assistant surface: suggested prompts, a status while working, a thread title, and
messages in the assistant thread answered like DMs; the manifest enables it."""

from __future__ import annotations

from pathlib import Path

import yaml

from adapters.slack.blocks import EXAMPLES
from bot.messages import ASSISTANT_GREETING, ASSISTANT_PROMPTS_TITLE, ASSISTANT_STATUS
from tests.slack.fake_slack import Call, FakeSlack
from tests.slack.harness import SlackServer, message

ROOT = Path(__file__).resolve().parents[2]
DM = "D42"


def thread_started(thread_ts: str, *, user: str = "U1") -> dict[str, object]:
    return {
        "type": "assistant_thread_started",
        "assistant_thread": {
            "user_id": user, "channel_id": DM, "thread_ts": thread_ts,
            "context": {"channel_id": "C1", "team_id": "T1", "enterprise_id": None},
        },
        "event_ts": thread_ts,
    }  # fmt: skip


def in_assistant_thread(text: str, *, ts: str, thread_ts: str) -> dict[str, object]:
    return message(text, ts=ts, channel=DM, channel_type="im", thread_ts=thread_ts)


def methods(calls: list[Call]) -> list[str]:
    return [c.method for c in calls if c.method != "auth.test"]


def test_a_new_assistant_thread_gets_a_greeting_and_suggested_prompts(
    slack: SlackServer, fake_slack: FakeSlack
) -> None:
    mark = fake_slack.mark()
    reply = slack.event(thread_started("7000.000001"))

    assert reply.status == 200
    [prompts] = fake_slack.wait_method(mark, "assistant.threads.setSuggestedPrompts")
    assert prompts.params["channel_id"] == DM and prompts.params["thread_ts"] == "7000.000001"
    assert prompts.params["title"] == ASSISTANT_PROMPTS_TITLE
    shown = [p["message"] for p in prompts.params["prompts"]]
    assert shown == list(EXAMPLES[:4])
    [greeting] = fake_slack.since(mark, "chat.postMessage")
    assert greeting.params["text"] == ASSISTANT_GREETING and greeting.params["thread_ts"] == "7000.000001"


def test_a_question_in_the_assistant_thread_shows_a_status_a_title_and_the_answer(
    slack: SlackServer, fake_slack: FakeSlack
) -> None:
    slack.event(thread_started("7001.000001"))
    mark = fake_slack.mark()
    slack.event(
        in_assistant_thread(
            "what do registered nurses make in Seattle?", ts="7001.000002", thread_ts="7001.000001"
        )
    )

    fake_slack.wait_for(
        mark,
        lambda calls: (
            methods(calls)[-1:] == ["assistant.threads.setStatus"] and "chat.postMessage" in methods(calls)
        ),
    )
    calls = fake_slack.since(mark)
    statuses = [c.params["status"] for c in calls if c.method == "assistant.threads.setStatus"]
    assert statuses == [ASSISTANT_STATUS, ""]
    [title] = [c for c in calls if c.method == "assistant.threads.setTitle"]
    assert title.params["title"] == "what do registered nurses make in Seattle?"
    [answer] = [c for c in calls if c.method == "chat.postMessage"]
    assert answer.params["channel"] == DM and answer.params["thread_ts"] == "7001.000001"
    assert "$128,260" in answer.params["text"]
    assert "reactions.add" not in methods(calls)  # the status line replaces the ⏳ reaction
    order = methods(calls)
    assert order.index("assistant.threads.setStatus") < order.index("chat.postMessage")


def test_a_follow_up_in_the_assistant_thread_keeps_the_title(
    slack: SlackServer, fake_slack: FakeSlack
) -> None:
    slack.event(thread_started("7002.000001"))
    first = fake_slack.mark()
    slack.event(
        in_assistant_thread("median pay of electricians in Texas", ts="7002.000002", thread_ts="7002.000001")
    )
    fake_slack.wait_for(first, lambda calls: "chat.postMessage" in methods(calls))
    fake_slack.settle(first)

    mark = fake_slack.mark()
    slack.event(in_assistant_thread("and in Ohio?", ts="7002.000003", thread_ts="7002.000001"))

    fake_slack.wait_for(mark, lambda calls: "chat.postMessage" in methods(calls))
    calls = fake_slack.settle(mark)
    [answer] = [c for c in calls if c.method == "chat.postMessage"]
    assert "Ohio" in answer.params["text"] and "Electricians" in answer.params["text"]
    assert "assistant.threads.setTitle" not in methods(calls)


def test_the_manifest_enables_the_assistant_view() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert "assistant_view" in manifest["features"]
    assert manifest["features"]["assistant_view"]["assistant_description"]
    assert "assistant:write" in manifest["oauth_config"]["scopes"]["bot"]
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"assistant_thread_started", "assistant_thread_context_changed", "message.im"} <= set(events)
