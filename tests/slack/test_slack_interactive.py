"""Buttons and App Home: Show trace, clarifications, feedback, and the Home tab."""

from __future__ import annotations

import json

from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SlackServer, ask, buttons

SEATTLE_NURSES = "median annual wage of registered nurses in Seattle"


def test_show_trace_opens_the_stored_trace_without_rerunning(
    slack: SlackServer, fake_slack: FakeSlack
) -> None:
    answer = ask(slack, fake_slack, SEATTLE_NURSES, ts="4000.000001")
    trace_id = buttons(answer.blocks())["oews_trace"]["value"]
    traces_before = len(slack.service.store.recent_traces(100))

    mark = fake_slack.mark()
    reply = slack.click(answer, "oews_trace", user="U2")

    assert reply.status == 200
    [opened] = fake_slack.wait_method(mark, "views.open")
    assert opened.params["trigger_id"].startswith("trigger-")
    view = opened.params["view"]
    assert view["type"] == "modal" and view["title"]["text"] == f"Trace {trace_id}"
    shown = json.dumps(view)
    assert "SELECT" in shown and "```" in shown and "Parameters" in shown
    assert "29-1141" in shown  # the SOC code went in as a parameter
    assert "Plan" in shown and "text_to_sql" in shown and "rows" in shown and "Total" in shown
    assert len(view["blocks"]) <= 100
    assert all(len(b["text"]["text"]) <= 3000 for b in view["blocks"] if b["type"] == "section")
    calls = fake_slack.settle(mark)
    assert [c.method for c in calls if c.method != "auth.test"] == ["views.open"]
    assert len(slack.service.store.recent_traces(100)) == traces_before


def test_show_trace_from_another_workspace_is_not_found(slack: SlackServer, fake_slack: FakeSlack) -> None:
    answer = ask(slack, fake_slack, SEATTLE_NURSES, ts="4001.000001")

    mark = fake_slack.mark()
    slack.click(answer, "oews_trace", user="U9", team="T9")

    [opened] = fake_slack.wait_method(mark, "views.open")
    shown = json.dumps(opened.params["view"])
    assert "couldn't find trace" in shown
    assert "SELECT" not in shown and "Seattle" not in shown


def test_clarification_buttons_answer_the_chosen_metro_in_the_thread(
    slack: SlackServer, fake_slack: FakeSlack
) -> None:
    question = ask(slack, fake_slack, "what do registered nurses make in Portland?", ts="4002.000001")
    options = {
        b["text"]["text"]: b["action_id"]
        for b in buttons(question.blocks()).values()
        if b["action_id"].startswith("oews_clarify_")
    }
    assert set(options) == {"Portland-South Portland, ME", "Portland-Vancouver-Hillsboro, OR-WA"}
    assert "Which one do you mean?" in question.params["text"]

    mark = fake_slack.mark()
    slack.click(question, options["Portland-Vancouver-Hillsboro, OR-WA"], user="U2")

    [answer] = fake_slack.wait_method(mark, "chat.postMessage")
    assert answer.params["thread_ts"] == "4002.000001"
    assert "$130,310" in answer.params["text"]
    [chosen] = fake_slack.since(mark, "chat.update")
    assert chosen.params["ts"] == question.ts
    assert "<@U2> chose *Portland-Vancouver-Hillsboro, OR-WA*" in json.dumps(chosen.blocks())
    assert "oews_clarify_0" not in json.dumps(chosen.blocks())
    asked_by = slack.service.store.recent_traces(1)[0]
    assert asked_by.user == "U2" and asked_by.thread == "4002.000001"


def test_clarification_on_a_deleted_message_still_answers(slack: SlackServer, fake_slack: FakeSlack) -> None:
    question = ask(slack, fake_slack, "what do registered nurses make in Portland?", ts="4003.000001")
    fake_slack.fail("chat.update", "message_not_found")
    try:
        mark = fake_slack.mark()
        slack.click(question, "oews_clarify_0")
        [answer] = fake_slack.wait_method(mark, "chat.postMessage")
    finally:
        fake_slack.fail("chat.update", None)
    assert "Portland-South Portland, ME" in answer.params["text"]


def test_feedback_is_recorded_and_acknowledged(slack: SlackServer, fake_slack: FakeSlack) -> None:
    answer = ask(slack, fake_slack, SEATTLE_NURSES, ts="4004.000001")
    trace_id = buttons(answer.blocks())["oews_trace"]["value"]

    mark = fake_slack.mark()
    slack.click(answer, "oews_feedback_up", user="U1")
    slack.click(answer, "oews_feedback_down", user="U2")

    thanks = fake_slack.wait_method(mark, "response", count=2)
    assert all(t.params["text"] == "Thanks for the feedback!" for t in thanks)
    assert all(
        t.params["response_type"] == "ephemeral" and t.params["replace_original"] is False for t in thanks
    )
    counts = slack.service.store.feedback_for(trace_id)
    assert (counts.up, counts.down) == (1, 1)


def test_feedback_on_another_workspaces_answer_is_not_recorded(
    slack: SlackServer, fake_slack: FakeSlack
) -> None:
    answer = ask(slack, fake_slack, SEATTLE_NURSES, ts="4005.000001")
    trace_id = buttons(answer.blocks())["oews_trace"]["value"]

    mark = fake_slack.mark()
    slack.click(answer, "oews_feedback_down", user="U9", team="T9")

    [note] = fake_slack.wait_method(mark, "response")
    assert "couldn't find that answer" in note.params["text"]
    assert slack.service.store.feedback_for(trace_id).down == 0


def test_app_home_shows_examples_data_vintage_and_own_usage(
    slack: SlackServer, fake_slack: FakeSlack
) -> None:
    ask(slack, fake_slack, SEATTLE_NURSES, ts="4006.000001", user="UHOME")

    mark = fake_slack.mark()
    slack.event(
        {
            "type": "app_home_opened",
            "user": "UHOME",
            "channel": "D9",
            "tab": "home",
            "event_ts": "4006.000002",
        }
    )

    [published] = fake_slack.wait_method(mark, "views.publish")
    assert published.params["user_id"] == "UHOME"
    view = published.params["view"]
    assert view["type"] == "home"
    shown = json.dumps(view, ensure_ascii=False)
    assert "What do registered nurses make in Seattle?" in shown
    assert "national data for May 2019–May 2025" in shown
    assert "Show trace" in shown
    assert "Today: 1 question, 1 answer" in shown and "All time: 1 question, 1 answer" in shown


def test_app_home_messages_tab_publishes_nothing(slack: SlackServer, fake_slack: FakeSlack) -> None:
    mark = fake_slack.mark()
    slack.event(
        {
            "type": "app_home_opened",
            "user": "U1",
            "channel": "D9",
            "tab": "messages",
            "event_ts": "4007.000001",
        }
    )

    assert fake_slack.since(mark, "views.publish") == []
    assert [c for c in fake_slack.settle(mark) if c.method == "views.publish"] == []
