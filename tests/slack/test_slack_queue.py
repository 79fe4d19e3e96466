"""A burst waits in the queue: people far back are told, a moment after their ack, and only if
their question still waits."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import pytest

from adapters.slack import handlers
from agents.engine.engine import OewsEngine
from bot.app import build_service
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SlackServer, mention, settings_for

QUESTION = "median pay for electricians in Texas"


class GatedWorkflow:
    """Answers only once the gate opens (the workers are busy for as long as the test wants)."""

    def __init__(self, inner: Any, gate: threading.Event) -> None:
        self.inner, self.gate = inner, gate

    def run(self, question: str, **kw: Any) -> Any:
        self.gate.wait(30)
        return self.inner.run(question, **kw)


def test_people_far_back_in_the_queue_get_the_hourglass_and_their_place_after_the_burst(
    fake_slack: FakeSlack, oews_db: Path, engine: OewsEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handlers, "QUEUE_NOTE_DELAY_S", 0.5)
    settings = settings_for(
        fake_slack,
        tmp_path,
        oews_database=oews_db,
        oews_workers=1,
        oews_rate_per_user_per_minute=1000,
        oews_rate_per_workspace_per_minute=1000,
    )
    gate = threading.Event()
    service = build_service(settings, engine=engine)
    service.workflow = GatedWorkflow(service.workflow, gate)
    server = SlackServer(fake_slack, service, settings).start()
    mark = fake_slack.mark()
    try:
        for n in range(28):
            assert server.event(mention(QUESTION, ts=f"5000.{n:06d}", user=f"U{n:02d}")).status == 200
        notes = fake_slack.wait_method(mark, "chat.postEphemeral", count=2)
        gate.set()
        fake_slack.wait_method(mark, "chat.postMessage", count=28, timeout=60)
        fake_slack.settle(mark)
    finally:
        gate.set()
        server.stop()

    ephemerals = fake_slack.since(mark, "chat.postEphemeral")
    noted = {str(c.params["user"]): str(c.params["text"]) for c in ephemerals}
    # the people at the back get the note; those near the front never do (how far forward it reaches
    # depends on how quickly the burst arrived within QUEUE_NOTE_DELAY_S)
    assert set(noted) <= {f"U{n}" for n in range(20, 28)} and {"U26", "U27"} <= set(noted)
    assert re.search(r"yours is number 2[5-8] in the queue", noted["U27"])  # the last of 28 questions
    reacted = {str(c.params["timestamp"]) for c in fake_slack.since(mark, "reactions.add")}
    assert {"5000.000026", "5000.000027"} <= reacted
    assert len(notes) >= 2
