"""Reshaping an answer in Teams by a click: the menu, suggested follow-ups, CSV, and bad clicks."""

from __future__ import annotations

import base64
import csv
import io
import time
from pathlib import Path
from typing import Any

from adapters.teams.handlers import ANSWER_GONE
from bot.export import NO_TABLE
from tests.teams.conftest import teams_settings
from tests.teams.harness import OTHER_TENANT, FakeConnector, OpenIdServer, TeamsBot

NURSES_SEATTLE = "median annual wage of registered nurses in Seattle"


def find(node: Any, kind: str) -> list[dict[str, Any]]:
    """Every element of ``kind`` anywhere in a card."""
    if isinstance(node, list):
        return [e for item in node for e in find(item, kind)]
    if not isinstance(node, dict):
        return []
    found = [node] if node.get("type") == kind else []
    return found + [e for value in node.values() for e in find(value, kind)]


def menu(card: dict[str, Any]) -> dict[str, str]:
    (choice_set,) = find(card, "Input.ChoiceSet")
    return {c["title"]: c["value"] for c in choice_set["choices"]}


def submit_data(card: dict[str, Any], title: str) -> dict[str, Any]:
    return next(dict(a["data"]) for a in find(card, "Action.Submit") if a["title"] == title)


def test_the_reshape_menu_asks_the_chosen_variant_in_the_same_thread(teams: TeamsBot) -> None:
    channel = teams.channel()
    answer = teams.reply_to(channel.message(NURSES_SEATTLE))
    assert answer.card is not None
    choices = menu(answer.card)
    assert {"Place: Washington", "Measure: 90th percentile annual wage", "Measure: employment"} <= set(
        choices
    )
    ask = submit_data(answer.card, "Ask")

    started = time.perf_counter()
    shown = teams.reply_to(channel.submit({**ask, "reshape": choices["Place: Washington"]}))
    assert time.perf_counter() - started < 1.0  # offline engine: the new answer within a second

    assert shown.conversation_id == channel.conversation_id
    assert "Registered Nurses (29-1141) in Washington" in shown.text
    follow_up = teams.reply_to(channel.message("what about the 90th percentile?"))
    assert "90th percentile" in follow_up.text and "Washington" in follow_up.text


def test_suggested_follow_ups_are_buttons_that_answer(teams: TeamsBot) -> None:
    chat = teams.chat()
    answer = teams.reply_to(chat.message("median pay for electricians in texas"))
    assert answer.card is not None and "Next questions" in answer.text
    shown = teams.reply_to(chat.submit(submit_data(answer.card, "Largest metros of Texas")))
    assert "Houston" in shown.text and "Electricians" in shown.text


def test_csv_of_a_table_arrives_as_a_file_in_the_thread(teams: TeamsBot) -> None:
    channel = teams.channel()
    answer = teams.reply_to(channel.message("top 5 highest paying jobs in texas"))
    assert answer.card is not None
    reply = teams.reply_to(channel.submit(submit_data(answer.card, "CSV")))

    (attachment,) = reply.activity["attachments"]
    assert attachment["contentType"] == "text/csv" and attachment["name"].endswith(".csv")
    text = base64.b64decode(attachment["contentUrl"].split(",", 1)[1]).decode()
    rows = list(csv.DictReader(io.StringIO("\n".join(x for x in text.splitlines() if not x.startswith("#")))))
    assert rows[0]["Occupation"] == "Cardiologists" and rows[0]["Median (annual) [USD]"] == "410150"
    assert reply.conversation_id == channel.conversation_id


def test_an_answer_without_a_table_has_no_csv_button_and_a_forged_click_says_why(teams: TeamsBot) -> None:
    chat = teams.chat()
    answer = teams.reply_to(chat.message(NURSES_SEATTLE))
    assert answer.card is not None
    assert "CSV" not in [a["title"] for a in answer.card["actions"]]
    trace_id = submit_data(answer.card, "Show trace")["trace_id"]
    assert teams.reply_to(chat.submit({"oews": "csv", "trace_id": trace_id})).text == NO_TABLE


def test_a_click_on_an_answer_that_is_gone_or_foreign_changes_nothing(
    tmp_path: Path, oews_db: Path, openid: OpenIdServer, connector: FakeConnector, oews_engine: Any
) -> None:
    from bot.app import build_service
    from tests.teams.harness import TENANT

    settings = teams_settings(tmp_path, oews_db, openid, teams_allowed_tenants=f"{TENANT},{OTHER_TENANT}")
    teams = TeamsBot(
        service=build_service(settings, engine=oews_engine),
        settings=settings,
        connector=connector,
        openid=openid,
    )
    try:
        answer = teams.reply_to(teams.chat().message(NURSES_SEATTLE))
        assert answer.card is not None
        ask = {**submit_data(answer.card, "Ask"), "reshape": "median pay for electricians in texas"}
        foreign = teams.reply_to(teams.chat(tenant=OTHER_TENANT).submit(ask))
        gone = teams.reply_to(teams.chat().submit({**ask, "trace_id": "tr-000000000000"}))
        csv_gone = teams.reply_to(teams.chat().submit({"oews": "csv", "trace_id": "tr-000000000000"}))
        assert foreign.text == gone.text == csv_gone.text == ANSWER_GONE
        assert not any("Electricians" in s.text for s in teams.connector.messages())
    finally:
        teams.close()
