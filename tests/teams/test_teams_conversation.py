"""What users see in Teams: answers, threads, follow-ups, traces, clarifications, feedback."""

from __future__ import annotations

from tests.teams.harness import OUTBOUND_TOKEN, TeamsBot


def test_personal_chat_question_is_answered_with_a_card(teams: TeamsBot) -> None:
    chat = teams.chat()
    question = chat.message("median annual wage of registered nurses in Seattle")

    reply = teams.reply_to(question)

    assert reply.card is not None
    assert "$128,260" in reply.text
    assert "Registered Nurses (29-1141)" in reply.text
    assert reply.conversation_id == chat.conversation_id
    assert reply.reply_to_id == question["id"]
    assert reply.authorization == f"Bearer {OUTBOUND_TOKEN}"
    titles = [a["title"] for a in reply.card["actions"]]
    assert titles == ["Show trace", "👍", "👎"]
    assert {a["data"]["oews"] for a in reply.card["actions"]} == {"show_trace", "feedback"}
    typing = [s for s in teams.connector.sent if s.type == "typing"]
    assert len(typing) == 1 and typing[0].conversation_id == chat.conversation_id
