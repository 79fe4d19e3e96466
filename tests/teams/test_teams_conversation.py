"""What users see in Teams: answers, threads, follow-ups, traces, clarifications, feedback."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from adapters.teams.handlers import ANSWER_UNAVAILABLE, THANKS, TRACE_UNAVAILABLE
from adapters.teams.package import build_manifest
from bot.config import Settings
from bot.service import BotService
from tests.teams.conftest import teams_settings
from tests.teams.harness import (
    APP_ID,
    OTHER_TENANT,
    OUTBOUND_TOKEN,
    TENANT,
    BotServer,
    Chat,
    FakeConnector,
    OpenIdServer,
    TeamsBot,
)

NURSES_SEATTLE = "median annual wage of registered nurses in Seattle"


def action(card: dict[str, Any], title: str) -> dict[str, Any]:
    """The data an ``Action.Submit`` button sends back when clicked."""
    return next(dict(a["data"]) for a in card["actions"] if a["title"] == title)


def test_personal_chat_question_is_answered_with_a_card(teams: TeamsBot) -> None:
    chat = teams.chat()
    question = chat.message(NURSES_SEATTLE)

    reply = teams.reply_to(question)

    assert reply.card is not None
    assert "$128,260" in reply.text
    assert "Registered Nurses (29-1141)" in reply.text
    assert reply.conversation_id == chat.conversation_id
    assert reply.reply_to_id == question["id"]
    assert reply.authorization == f"Bearer {OUTBOUND_TOKEN}"
    assert reply.activity["summary"].startswith("In May 2025 the median annual wage")
    assert [a["title"] for a in reply.card["actions"]] == [
        "Show trace",
        "👍",
        "👎",
        "🔔 Notify me of new data",
    ]
    trace_id = action(reply.card, "Show trace")["trace_id"]
    assert action(reply.card, "👍") == {"oews": "feedback", "vote": "up", "trace_id": trace_id}
    assert f"trace {trace_id}" in reply.text
    typing = [s for s in teams.connector.sent if s.type == "typing"]
    assert len(typing) == 1 and typing[0].conversation_id == chat.conversation_id


def test_channel_mention_is_answered_in_its_reply_chain_without_the_mention(teams: TeamsBot) -> None:
    channel = teams.channel()
    question = channel.message(NURSES_SEATTLE)
    assert question["text"].startswith("<at>OEWS</at>")

    reply = teams.reply_to(question)

    assert ";messageid=" in reply.conversation_id
    assert reply.conversation_id == channel.conversation_id
    assert reply.reply_to_id == question["id"]
    assert "$128,260" in reply.text
    trace = teams.service.trace(action(reply.card or {}, "Show trace")["trace_id"], workspace=TENANT)
    assert trace is not None
    assert trace.question == NURSES_SEATTLE
    assert trace.thread == channel.conversation_id
    assert trace.channel == "19:general@thread.tacv2"
    assert trace.user == "aad-ada"


def test_follow_up_in_the_same_reply_chain_reuses_its_context(teams: TeamsBot) -> None:
    channel = teams.channel()
    teams.reply_to(channel.message(NURSES_SEATTLE))

    follow_up = teams.reply_to(channel.message("and in Portland, OR?"))

    assert "Registered Nurses (29-1141) in Portland-Vancouver-Hillsboro, OR-WA" in follow_up.text
    assert "$130,310" in follow_up.text
    elsewhere = teams.reply_to(teams.channel().message("and in Portland, OR?"))  # a new post: no context
    assert "Registered Nurses" not in elsewhere.text


def test_group_chat_mention_is_answered(teams: TeamsBot) -> None:
    group = Chat(teams.connector.url, kind="groupChat", conversation_id="19:meeting-group@thread.v2")

    reply = teams.reply_to(group.message(NURSES_SEATTLE))

    assert reply.conversation_id == "19:meeting-group@thread.v2"
    assert "$128,260" in reply.text


def test_show_trace_replies_in_the_thread_with_plan_steps_and_sql(teams: TeamsBot) -> None:
    channel = teams.channel()
    answer = teams.reply_to(channel.message(NURSES_SEATTLE))
    click = channel.submit(action(answer.card or {}, "Show trace"), reply_to=answer.activity.get("id"))

    shown = teams.reply_to(click)

    assert shown.card is not None
    assert shown.conversation_id == channel.conversation_id
    text = shown.text
    trace_id = action(answer.card or {}, "Show trace")["trace_id"]
    assert f"Trace {trace_id}" in text
    assert NURSES_SEATTLE in text
    assert "Plan by offline engine" in text
    assert "SELECT" in text and "params: [" in text
    assert "text_to_sql" in text and " ms" in text and "rows" in text
    assert "Total time:" in text and "Cost: $" in text
    assert len(json.dumps(shown.card)) < 28_000


def test_trace_of_another_tenant_or_conversation_is_refused(
    tmp_path: Path, oews_db: Path, openid: OpenIdServer, connector: FakeConnector, oews_engine: Any
) -> None:
    settings = teams_settings(tmp_path, oews_db, openid, teams_allowed_tenants=f"{TENANT},{OTHER_TENANT}")
    teams = TeamsBot(
        service=_service(settings, oews_engine), settings=settings, connector=connector, openid=openid
    )
    try:
        answer = teams.reply_to(teams.chat().message(NURSES_SEATTLE))
        data = action(answer.card or {}, "Show trace")

        foreign = teams.reply_to(teams.chat(tenant=OTHER_TENANT).submit(data))
        other_user = teams.reply_to(teams.chat(user="29:bob", aad_user="aad-bob").submit(data))

        assert foreign.text == TRACE_UNAVAILABLE
        assert other_user.text == TRACE_UNAVAILABLE
        assert all("SELECT" not in s.text for s in teams.connector.messages())
    finally:
        teams.close()


def test_clarification_buttons_answer_the_chosen_option_in_the_same_thread(teams: TeamsBot) -> None:
    channel = teams.channel()
    asked = teams.reply_to(channel.message("median pay for nurses in Portland"))
    assert asked.card is not None
    titles = [a["title"] for a in asked.card["actions"]]
    assert titles == ["Portland-South Portland, ME", "Portland-Vancouver-Hillsboro, OR-WA"]
    assert "Which one do you mean?" in asked.text

    chosen = teams.reply_to(channel.submit(action(asked.card, "Portland-Vancouver-Hillsboro, OR-WA")))

    assert chosen.conversation_id == channel.conversation_id
    assert "Portland-Vancouver-Hillsboro, OR-WA" in chosen.text
    assert "$130,310" in chosen.text
    follow_up = teams.reply_to(channel.message("what about the 90th percentile?"))
    assert "90th percentile" in follow_up.text and "Portland-Vancouver-Hillsboro" in follow_up.text


def test_feedback_is_recorded_and_confirmed(teams: TeamsBot) -> None:
    chat = teams.chat()
    answer = teams.reply_to(chat.message(NURSES_SEATTLE))
    up = action(answer.card or {}, "👍")

    confirmation = teams.reply_to(chat.submit(up))

    assert confirmation.text == THANKS["up"]
    assert confirmation.conversation_id == chat.conversation_id
    counts = teams.service.store.feedback_for(up["trace_id"])
    assert (counts.up, counts.down) == (1, 0)
    stale = teams.reply_to(chat.submit({**up, "trace_id": "tr-000000000000"}))
    assert stale.text == ANSWER_UNAVAILABLE


def test_ranking_shows_a_table_and_an_inline_chart_within_the_card_limit(teams: TeamsBot) -> None:
    reply = teams.reply_to(teams.chat().message("top 10 highest paying occupations in Texas"))

    card = reply.card
    assert card is not None
    table = next(e for e in card["body"] if e["type"] == "Table")
    assert len(table["rows"]) == 11  # header + 10
    header = [c["items"][0]["text"] for c in table["rows"][0]["cells"]]
    assert header == ["#", "Occupation", "Median (annual)"]
    assert "Cardiologists" in reply.text and "$410,150" in reply.text
    image = next(e for e in card["body"] if e["type"] == "Image")
    assert image["url"].startswith("data:image/png;base64,")
    assert base64.b64decode(image["url"].split(",", 1)[1]).startswith(b"\x89PNG")
    assert "Not ranked" in reply.text  # the caveats
    assert len(json.dumps(reply.activity)) < 28_000


def test_large_chart_is_served_at_an_unguessable_public_url(
    tmp_path: Path, oews_db: Path, openid: OpenIdServer, connector: FakeConnector, oews_engine: Any
) -> None:
    settings = teams_settings(tmp_path, oews_db, openid, teams_public_url="https://oews.example.com/")
    teams = TeamsBot(
        service=_service(settings, oews_engine), settings=settings, connector=connector, openid=openid
    )
    try:
        reply = teams.reply_to(teams.chat().message("top 10 highest paying occupations in Texas"))
        image = next(e for e in (reply.card or {})["body"] if e["type"] == "Image")
        assert image["url"].startswith("https://oews.example.com/charts/")
        token = image["url"].rsplit("/", 1)[1]
        assert len(token) >= 32

        status, body, content_type = teams.server.get(f"/charts/{token}")
        assert (status, content_type) == (200, "image/png")
        assert body.startswith(b"\x89PNG") and len(body) > 28_000
        other = token[:-1] + ("y" if token.endswith("x") else "x")
        assert teams.server.get(f"/charts/{other}")[0] == 404
    finally:
        teams.close()


def test_a_chart_link_made_by_one_instance_is_served_by_the_others(
    tmp_path: Path, oews_db: Path, openid: OpenIdServer, connector: FakeConnector, oews_engine: Any
) -> None:
    # Instance A's worker draws the chart; B shares A's store, C has a store of its own and
    # shares only the artifact directory (OEWS_ARTIFACT_DIR) with A.
    shared = {"teams_public_url": "https://oews.example.com/", "oews_artifact_dir": tmp_path / "artifacts"}
    settings = teams_settings(tmp_path, oews_db, openid, **shared)
    teams = TeamsBot(
        service=_service(settings, oews_engine), settings=settings, connector=connector, openid=openid
    )
    own_store = teams_settings(tmp_path / "c", oews_db, openid, **shared)
    others = [
        BotServer(service=_service(settings, oews_engine), settings=settings),
        BotServer(service=_service(own_store, oews_engine), settings=own_store),
    ]
    try:
        reply = teams.reply_to(teams.chat().message("top 10 highest paying occupations in Texas"))
        image = next(e for e in (reply.card or {})["body"] if e["type"] == "Image")
        token = image["url"].rsplit("/", 1)[1]
        served = [server.get(f"/charts/{token}") for server in (teams.server, *others)]
    finally:
        teams.close()
        for server in others:
            server.close()

    assert image["url"].startswith("https://oews.example.com/charts/")
    assert [(status, kind) for status, _, kind in served] == [(200, "image/png")] * 3
    assert len({body for _, body, _ in served}) == 1 and served[0][1].startswith(b"\x89PNG")


def _service(settings: Settings, engine: Any) -> BotService:
    from bot.app import build_service

    return build_service(settings, engine=engine)


def test_every_suggested_command_of_the_app_package_gets_an_answer(teams: TeamsBot) -> None:
    manifest = build_manifest(app_id=APP_ID, host=None)
    commands = [c["title"] for lst in manifest["bots"][0]["commandLists"] for c in lst["commands"]]
    assert len(commands) >= 3
    for title in commands:
        reply = teams.reply_to(teams.channel().message(title))
        assert reply.card is not None and "actions" in reply.card, title
        assert reply.card["actions"][0]["title"] == "Show trace", title
        assert "$" in reply.text, title
