"""Reshape controls on Slack answers: the "change this answer" menu, suggested next questions,
and the CSV file of a table; each click is queued like a typed question and answered in the
answer's thread, or told privately why not."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.engine.engine import OewsEngine
from bot.app import build_service
from bot.export import NO_TABLE
from bot.messages import ANSWER_GONE, CSV_COMMENT
from tests.slack.fake_slack import Call, FakeSlack
from tests.slack.harness import SlackServer, ask, buttons, menu_options, settings_for

SEATTLE_NURSES = "what do registered nurses make in Seattle?"


def sections(call: Call) -> str:
    return "\n".join(b["text"]["text"] for b in call.blocks() if b.get("type") == "section")


def test_an_answer_carries_the_menu_the_next_questions_and_the_notify_button(
    slack: SlackServer, fake_slack: FakeSlack
) -> None:
    answer = ask(slack, fake_slack, SEATTLE_NURSES, ts="6000.000001")

    options = menu_options(answer.blocks(), "oews_reshape")
    assert "Another place: Washington" in options
    assert "Another measure: 90th percentile annual wage" in options
    assert {"Show it: As a chart", "Show it: As a table (wage range)"} <= set(options)
    assert all(len(o["value"]) <= 150 and len(o["text"]["text"]) <= 75 for o in options.values())
    shown = buttons(answer.blocks())
    nexts = [b["text"]["text"] for k, b in shown.items() if k.startswith("oews_followup_")]
    assert 2 <= len(nexts) <= 3 and "Nationally" in nexts
    assert shown["oews_subscribe"]["text"]["text"] == ":bell: Notify me of new data"
    trace_id = shown["oews_trace"]["value"]
    block_ids = {b.get("block_id") for b in answer.blocks()}
    assert {f"oews_reshape:{trace_id}", f"oews_followups:{trace_id}"} <= block_ids
    assert len(answer.blocks()) <= 50


def test_choosing_another_place_answers_in_the_same_thread_fast(
    slack: SlackServer, fake_slack: FakeSlack
) -> None:
    answer = ask(slack, fake_slack, SEATTLE_NURSES, ts="6001.000001")
    usage_before = slack.service.usage("slack", "T1", "U2")[1]

    mark, clicked = fake_slack.mark(), time.monotonic()
    reply = slack.choose(answer, "Another place: Washington", user="U2")

    assert reply.status == 200 and reply.elapsed_ms < 300
    [new] = fake_slack.wait_method(mark, "chat.postMessage")
    assert new.at - clicked < 1.0
    assert new.params["thread_ts"] == "6001.000001" and new.params["channel"] == "C1"
    assert "Registered Nurses" in sections(new) and "in Washington" in sections(new)
    assert "<@U2> asked: median annual wage for Registered Nurses in Washington state" in new.text()
    assert "oews_reshape" in json.dumps(new.blocks())  # the new answer can be changed again
    trace = slack.service.store.recent_traces(1)[0]
    assert (trace.user, trace.thread, trace.question) == (
        "U2",
        "6001.000001",
        "median annual wage for Registered Nurses in Washington state",
    )
    usage_after = slack.service.usage("slack", "T1", "U2")[1]
    assert (
        usage_after is not None
        and usage_after.questions == (usage_before.questions if usage_before else 0) + 1
    )


def test_a_suggested_next_question_is_asked_in_the_thread(slack: SlackServer, fake_slack: FakeSlack) -> None:
    answer = ask(slack, fake_slack, SEATTLE_NURSES, ts="6002.000001")
    nationally = next(
        k for k, b in buttons(answer.blocks()).items() if b.get("text", {}).get("text") == "Nationally"
    )

    mark = fake_slack.mark()
    slack.click(answer, nationally)

    [new] = fake_slack.wait_method(mark, "chat.postMessage")
    assert new.params["thread_ts"] == "6002.000001"
    assert "in the U.S." in sections(new) and "$97,550" in sections(new)


def test_as_a_chart_posts_the_chart_in_the_thread(slack: SlackServer, fake_slack: FakeSlack) -> None:
    answer = ask(slack, fake_slack, SEATTLE_NURSES, ts="6003.000001")

    mark = fake_slack.mark()
    slack.choose(answer, "Show it: As a chart")

    [complete] = fake_slack.wait_method(mark, "files.completeUploadExternal")
    assert complete.params["thread_ts"] == "6003.000001"
    [upload] = fake_slack.since(mark, "upload")
    assert upload.raw.startswith(b"\x89PNG")


def test_csv_of_a_table_is_a_file_in_the_thread_with_special_values_explained(
    slack: SlackServer, fake_slack: FakeSlack
) -> None:
    answer = ask(slack, fake_slack, "salary range for registered nurses in Seattle", ts="6004.000001")
    assert "Show it: CSV file of the table" in menu_options(answer.blocks(), "oews_reshape")

    mark = fake_slack.mark()
    slack.choose(answer, "Show it: CSV file of the table")

    [complete] = fake_slack.wait_method(mark, "files.completeUploadExternal")
    assert complete.params["channel_id"] == "C1" and complete.params["thread_ts"] == "6004.000001"
    assert complete.params["initial_comment"] == CSV_COMMENT
    [file] = complete.params["files"]
    assert file["title"].endswith("(CSV)")
    [upload] = fake_slack.since(mark, "upload")
    text = upload.raw.decode()
    assert "# Source: U.S. Bureau of Labor Statistics" in text
    rows = list(csv.reader(io.StringIO(_body(text))))
    assert rows[0] == ["Percentile", "Wage [USD]"] and ["Median", "128260"] in rows
    assert not fake_slack.since(mark, "chat.postMessage")


def test_csv_of_top_coded_values_says_so(slack: SlackServer, fake_slack: FakeSlack) -> None:
    question = "salary range for cardiologists and dentists nationally in 2023"
    answer = ask(slack, fake_slack, question, ts="6005.000001")
    mark = fake_slack.mark()
    slack.choose(answer, "Show it: CSV file of the table")
    fake_slack.wait_method(mark, "files.completeUploadExternal")
    [upload] = fake_slack.since(mark, "upload")
    text = upload.raw.decode()
    assert "'#' top-coded" in text  # the legend in the comment lines
    cardio = next(r for r in csv.DictReader(io.StringIO(_body(text))) if r["Occupation"] == "Cardiologists")
    assert cardio["90th pct (annual) [USD]"] == ""
    assert "90th pct (annual): top-coded, at or above $239,200" in cardio["Notes"]


def _body(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("#"))


# -- bad input: a private note and nothing else ------------------------------------------------------


def private_note(fake: FakeSlack, mark: int) -> Call:
    [note] = fake.wait_method(mark, "chat.postEphemeral")
    calls = fake.settle(mark)
    assert [c.method for c in calls if c.method not in ("auth.test",)] == ["chat.postEphemeral"]
    return note


def test_a_control_of_another_workspaces_answer_is_refused_privately(
    slack: SlackServer, fake_slack: FakeSlack
) -> None:
    answer = ask(slack, fake_slack, SEATTLE_NURSES, ts="6006.000001")
    traces = len(slack.service.store.recent_traces(500))

    mark = fake_slack.mark()
    slack.choose(answer, "Another place: Washington", user="U9", team="T9")

    note = private_note(fake_slack, mark)
    assert note.params["text"] == ANSWER_GONE and note.params["user"] == "U9"
    assert len(slack.service.store.recent_traces(500)) == traces


def test_a_control_of_an_answer_that_is_gone_is_refused_privately(
    slack: SlackServer, fake_slack: FakeSlack
) -> None:
    answer = ask(slack, fake_slack, SEATTLE_NURSES, ts="6007.000001")
    forged = json.loads(
        json.dumps(answer.blocks()).replace(buttons(answer.blocks())["oews_trace"]["value"], "tr-gone")
    )
    gone = Call(
        method="chat.postMessage",
        params={**answer.params, "blocks": forged},
        headers={},
        response=answer.response,
    )

    for choose in (
        lambda: slack.choose(gone, "Another place: Washington"),
        lambda: slack.choose(gone, "Show it: As a chart", value="csv"),
    ):
        mark = fake_slack.mark()
        choose()
        assert private_note(fake_slack, mark).params["text"] == ANSWER_GONE


def test_csv_of_an_answer_without_a_table_is_refused_privately(
    slack: SlackServer, fake_slack: FakeSlack
) -> None:
    answer = ask(slack, fake_slack, SEATTLE_NURSES, ts="6008.000001")
    assert "Show it: CSV file of the table" not in menu_options(answer.blocks(), "oews_reshape")

    mark = fake_slack.mark()
    slack.choose(answer, "Show it: As a chart", value="csv")  # an outdated or forged menu

    assert private_note(fake_slack, mark).params["text"] == NO_TABLE


def test_an_unknown_menu_value_is_refused_privately(slack: SlackServer, fake_slack: FakeSlack) -> None:
    answer = ask(slack, fake_slack, SEATTLE_NURSES, ts="6009.000001")
    mark = fake_slack.mark()
    slack.choose(answer, "Show it: As a chart", value="drop table")
    [note] = fake_slack.wait_method(mark, "response")
    assert note.params["text"] == ANSWER_GONE and note.params["response_type"] == "ephemeral"
    assert not fake_slack.since(mark, "chat.postMessage")


# -- the same rules as a typed question ----------------------------------------------------------------


@pytest.fixture
def strict_slack(
    fake_slack: FakeSlack, oews_db: Path, engine: OewsEngine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SlackServer]:
    settings = settings_for(
        fake_slack, tmp_path_factory.mktemp("strict"), oews_database=oews_db, oews_rate_per_user_per_minute=1
    )
    server = SlackServer(fake_slack, build_service(settings, engine=engine), settings).start()
    yield server
    server.stop()


def test_a_click_counts_against_the_rate_limit(strict_slack: SlackServer, fake_slack: FakeSlack) -> None:
    answer = ask(strict_slack, fake_slack, SEATTLE_NURSES, ts="6010.000001")

    mark = fake_slack.mark()
    strict_slack.choose(answer, "Another place: Washington")

    note = private_note(fake_slack, mark)
    assert "limit of 1 question a minute" in note.params["text"]
