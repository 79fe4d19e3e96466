"""Subscriptions in Slack: ``/oews subscribe``, the Notify me button, "notify me when new data is
out" in a thread, ``/oews subscriptions`` with Remove buttons, and the DM when newer data is
loaded (once per subscription and release, across restarts)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.cli import cli
from agents.engine.engine import OewsEngine
from bot.app import build_service
from bot.messages import NO_SUBSCRIPTIONS, NOTHING_TO_SUBSCRIBE, SUBSCRIBE_HOW
from tests.shipped import national_release
from tests.slack.fake_slack import Call, FakeSlack
from tests.slack.harness import SlackServer, ask, buttons, mention, message, settings_for

QUESTION = "median pay of registered nurses nationally"


@pytest.fixture
def server(
    fake_slack: FakeSlack, request: pytest.FixtureRequest, tmp_path: Path, oews_db: Path, engine: OewsEngine
) -> Iterator[SlackServer]:
    """A Slack server of its own; on a private copy of the data for tests that load a release
    (those asking for ``home``), else reading the session's database (named as a parameter, so the
    scheduler sees these tests need the database: tests/conftest.py)."""
    if "home" in request.fixturenames:
        settings = settings_for(fake_slack, request.getfixturevalue("home"))
        service = build_service(settings)
    else:
        settings = settings_for(fake_slack, tmp_path / "home", oews_database=oews_db)
        service = build_service(settings, engine=engine)
    started = SlackServer(fake_slack, service, settings).start()
    yield started
    started.stop()


def responses(fake: FakeSlack, mark: int, count: int = 1) -> list[Call]:
    return fake.wait_method(mark, "response", count=count)


def mine(server: SlackServer, user: str = "U1") -> list[str]:
    subs = server.service.subscriptions
    assert subs is not None
    return [s.question for s in subs.store.for_user("slack", "T1", user)]


def test_slash_subscribe_confirms_privately_and_stores_it(server: SlackServer, fake_slack: FakeSlack) -> None:
    mark = fake_slack.mark()
    reply = server.command(f"subscribe {QUESTION}")

    assert reply.status == 200
    [note] = responses(fake_slack, mark)
    assert note.params["response_type"] == "ephemeral"
    assert "Subscribed" in note.params["text"] and "May 2025" in note.params["text"]
    assert "$97,550" in note.text()
    assert mine(server) == [QUESTION]
    assert not fake_slack.since(mark, "chat.postMessage")  # nobody else sees it


def test_a_question_that_cannot_be_answered_is_not_subscribed(
    server: SlackServer, fake_slack: FakeSlack
) -> None:
    mark = fake_slack.mark()
    server.command("subscribe what's the weather in Paris?")

    [note] = responses(fake_slack, mark)
    assert "only subscribe you to a question I can answer" in note.params["text"]
    assert note.params["response_type"] == "ephemeral"
    assert mine(server) == []


def test_the_notify_button_subscribes_to_that_answers_question(
    server: SlackServer, fake_slack: FakeSlack
) -> None:
    answer = ask(server, fake_slack, "what do registered nurses make in Seattle?", ts="8000.000001")
    assert buttons(answer.blocks())["oews_subscribe"]["text"]["text"] == ":bell: Notify me of new data"

    mark = fake_slack.mark()
    server.click(answer, "oews_subscribe", user="U2")

    [note] = responses(fake_slack, mark)
    assert "Subscribed" in note.params["text"]
    assert mine(server, "U2") == ["what do registered nurses make in Seattle?"]


def test_the_notify_button_of_another_workspaces_answer_changes_nothing(
    server: SlackServer, fake_slack: FakeSlack
) -> None:
    answer = ask(server, fake_slack, "what do registered nurses make in Seattle?", ts="8001.000001")

    mark = fake_slack.mark()
    server.click(answer, "oews_subscribe", user="U9", team="T9")

    [note] = responses(fake_slack, mark)
    assert "gone or belongs to another conversation" in note.params["text"]
    subs = server.service.subscriptions
    assert subs is not None and subs.store.count() == 0


def test_notify_me_in_a_thread_subscribes_to_its_last_question(
    server: SlackServer, fake_slack: FakeSlack
) -> None:
    mark = fake_slack.mark()
    server.event(mention("median pay of electricians in Texas", ts="8002.000001"))
    fake_slack.wait_method(mark, "reactions.remove")

    mark = fake_slack.mark()
    server.event(
        message(
            "notify me when new data is out", ts="8002.000002", thread_ts="8002.000001", parent_user_id="UBOT"
        )
    )

    [note] = fake_slack.wait_method(mark, "chat.postEphemeral")
    assert note.params["thread_ts"] == "8002.000001" and note.params["user"] == "U1"
    assert (
        "Subscribed" in note.params["text"] and "median pay of electricians in Texas" in note.params["text"]
    )
    assert mine(server) == ["median pay of electricians in Texas"]
    assert not fake_slack.since(mark, "chat.postMessage")


def test_notify_me_where_nothing_was_asked_says_how(server: SlackServer, fake_slack: FakeSlack) -> None:
    mark = fake_slack.mark()
    server.event(message("notify me when new data is out", ts="8003.000001", channel="D7", channel_type="im"))

    [note] = fake_slack.wait_method(mark, "chat.postEphemeral")
    assert note.params["text"] == NOTHING_TO_SUBSCRIBE
    assert mine(server) == []


def test_subscriptions_are_listed_with_remove_buttons(server: SlackServer, fake_slack: FakeSlack) -> None:
    for question in (QUESTION, "median pay of electricians in Texas"):
        mark = fake_slack.mark()
        server.command(f"subscribe {question}")
        responses(fake_slack, mark)

    mark = fake_slack.mark()
    server.command("subscriptions")
    [listing] = responses(fake_slack, mark)
    assert listing.params["response_type"] == "ephemeral"
    shown = json.dumps(listing.params["blocks"])
    assert QUESTION in shown and "electricians in Texas" in shown
    removes = [b["accessory"] for b in listing.params["blocks"] if b.get("accessory", {}).get("action_id")]
    assert len(removes) == 2 and all(r["text"]["text"] == "Remove" for r in removes)

    mark = fake_slack.mark()
    listed = Call(
        method="response", params={**listing.params, "channel": "C1", "ts": "8004.000001"}, headers={}
    )
    server.click(listed, "oews_unsubscribe", ephemeral=True)  # the first Remove button: the first made

    [updated] = responses(fake_slack, mark)
    assert updated.params["replace_original"] is True
    assert mine(server) == ["median pay of electricians in Texas"]
    assert QUESTION not in json.dumps(updated.params["blocks"])


# -- notices -------------------------------------------------------------------------------------------


def cli_run(home: Path, fake: FakeSlack, *args: str) -> tuple[int, str]:
    env = {"OEWS_HOME": str(home), "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": fake.api_url}
    result = CliRunner().invoke(cli, list(args), env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


@pytest.mark.slow(seconds=4)
def test_a_newer_release_sends_each_slack_subscriber_one_dm_with_what_changed(
    server: SlackServer, fake_slack: FakeSlack, home: Path, tmp_path: Path
) -> None:
    mark = fake_slack.mark()
    server.command(f"subscribe {QUESTION}", user="U5")
    responses(fake_slack, mark)

    mark = fake_slack.mark()
    code, out = cli_run(home, fake_slack, "data", "load", str(national_release(tmp_path, 2026, "101,000")))

    assert code == 0 and "Sent 1 subscription notice (May 2026)" in out
    [opened] = fake_slack.since(mark, "conversations.open")
    assert opened.params["users"] == "U5"
    [dm] = fake_slack.since(mark, "chat.postMessage")
    assert dm.params["channel"] == opened.response["channel"]["id"]
    text = dm.text()
    assert "New OEWS data (May 2026)" in text and QUESTION in text
    assert "$101,000" in text and "$97,550" in text and "What changed" in text

    mark = fake_slack.mark()
    cli_run(home, fake_slack, "subscriptions", "--notify")  # another run, after a restart
    assert not fake_slack.since(mark, "chat.postMessage")


@pytest.mark.slow(seconds=4)
def test_a_failed_dm_is_sent_on_the_next_run(
    server: SlackServer, fake_slack: FakeSlack, home: Path, tmp_path: Path
) -> None:
    mark = fake_slack.mark()
    server.command(f"subscribe {QUESTION}", user="U6")
    responses(fake_slack, mark)

    fake_slack.fail("conversations.open", "user_not_found")
    try:
        code, out = cli_run(
            home, fake_slack, "data", "load", str(national_release(tmp_path, 2026, "101,000"))
        )
    finally:
        fake_slack.fail("conversations.open", None)
    assert code == 0 and "Sent" not in out

    mark = fake_slack.mark()
    code, out = cli_run(home, fake_slack, "subscriptions", "--notify")
    assert "Sent 1" in out and len(fake_slack.since(mark, "chat.postMessage")) == 1


def test_slash_subscribe_without_a_question_says_how(server: SlackServer, fake_slack: FakeSlack) -> None:
    mark = fake_slack.mark()
    server.command("subscribe")

    [note] = responses(fake_slack, mark)
    assert note.params["text"] == SUBSCRIBE_HOW and note.params["response_type"] == "ephemeral"
    assert mine(server) == []


def test_no_subscriptions_says_how_to_make_one(server: SlackServer, fake_slack: FakeSlack) -> None:
    mark = fake_slack.mark()
    server.command("subscriptions")

    [note] = responses(fake_slack, mark)
    assert NO_SUBSCRIPTIONS in note.text()
