"""Teams questions go through the store's work queue: queued before the response, answered once.

The real SDK on loopback (authentication on), worker loops started and stopped by the test.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from adapters.teams import handlers as handlers_module
from adapters.workers import InlineWorkers
from bot.app import build_service
from bot.config import Settings
from bot.jobs import Enqueued, NewJob
from bot.messages import queued_text
from bot.store import SqliteBotStore, StoreError
from tests.teams.harness import FakeConnector, OpenIdServer, TeamsBot

QUESTION = "median annual wage of registered nurses in Seattle"
ANSWER = "$128,260"


def workers_for(teams: TeamsBot, *, lease_s: float = 5.0) -> InlineWorkers:
    return InlineWorkers(teams.service, {"teams": teams.server.adapter.jobs}, loops=1, lease_s=lease_s)


def test_a_question_is_queued_before_the_response_and_a_worker_answers_it_in_the_thread(
    settings: Settings, oews_engine: object, connector: FakeConnector, openid: OpenIdServer
) -> None:
    service = build_service(settings, engine=oews_engine)  # type: ignore[arg-type]
    teams = TeamsBot(service=service, settings=settings, connector=connector, openid=openid, workers=0)
    channel = teams.channel()
    question = channel.message(QUESTION)
    try:
        assert teams.send(question) == 201
        assert service.store.queue_stats().queued == 1  # stored before the Bot Connector heard back
        assert connector.sent == []

        workers = workers_for(teams).start()
        reply = connector.wait_for_messages(1)[0]
        workers.stop()
    finally:
        teams.close()

    assert ANSWER in reply.text
    assert (reply.conversation_id, reply.reply_to_id) == (channel.conversation_id, question["id"])
    assert [s.type for s in connector.sent] == ["typing", "message"]
    assert service.store.queue_stats().queued == 0


def test_a_redelivered_activity_is_answered_once(teams: TeamsBot) -> None:
    question = teams.chat().message(QUESTION)

    assert teams.send(question) == 201
    assert teams.send(question) == 201  # the Bot Connector's retry of the same activity
    teams.connector.wait_for_messages(1)

    assert len(teams.settle()) == 1


def test_a_worker_taking_over_a_job_whose_answer_was_posted_posts_nothing(
    settings: Settings, oews_engine: object, connector: FakeConnector, openid: OpenIdServer
) -> None:
    service = build_service(settings, engine=oews_engine)  # type: ignore[arg-type]
    teams = TeamsBot(service=service, settings=settings, connector=connector, openid=openid, workers=0)
    try:
        assert teams.send(teams.chat().message(QUESTION)) == 201
        dead = service.store.claim_job("a-worker-that-died", lease_s=0)  # a lease already run out
        assert dead is not None
        posted = {"posting": True, "answered": "1699999999999"}  # it posted, then died
        assert service.store.save_job_progress(dead.id, "a-worker-that-died", posted)

        workers = workers_for(teams).start()
        deadline = time.monotonic() + 10
        while (service.store.job_state(dead.id) or ("",))[0] != "done":
            assert time.monotonic() < deadline, "the job was not taken over"
            time.sleep(0.01)
        workers.stop()
    finally:
        teams.close()

    assert connector.sent == []
    assert service.store.job_state(dead.id) == ("done", posted)


class RecordsWhatWasPosted(SqliteBotStore):
    """A store that remembers, for each record of a job's progress, how many messages the
    connector had received by then; with ``lease_lost``, the worker loses its lease as the
    answer is posted (another worker took the job over)."""

    def __init__(self, path: Path, connector: FakeConnector, *, lease_lost: bool) -> None:
        super().__init__(path)
        self.connector, self.lease_lost = connector, lease_lost
        self.records: list[tuple[dict[str, Any], int]] = []

    def save_job_progress(self, job_id: int, worker: str, posted: dict[str, Any]) -> bool:
        self.records.append((dict(posted), len(self.connector.messages())))
        if self.lease_lost and "answered" in posted:
            return False
        return super().save_job_progress(job_id, worker, posted)


@pytest.mark.parametrize("lease_lost", [False, True])
def test_the_answer_id_is_recorded_as_the_post_returns_and_a_lost_lease_posts_nothing_more(
    settings: Settings,
    oews_engine: object,
    connector: FakeConnector,
    openid: OpenIdServer,
    tmp_path: Path,
    lease_lost: bool,
) -> None:
    service = build_service(settings, engine=oews_engine)  # type: ignore[arg-type]
    store = service.store = RecordsWhatWasPosted(tmp_path / "bot.sqlite", connector, lease_lost=lease_lost)
    teams = TeamsBot(service=service, settings=settings, connector=connector, openid=openid, workers=0)
    try:
        assert teams.send(teams.chat().message(QUESTION)) == 201
        workers = workers_for(teams).start()
        connector.wait_for_messages(1)
        workers.stop()  # after the job in hand is finished
    finally:
        teams.close()

    [answer] = connector.messages()  # never an apology after it, even when the lease is lost
    assert ANSWER in answer.text
    marks = [(sorted(posted), seen) for posted, seen in store.records]
    assert marks == [(["posting"], 0), (["answered", "posting"], 1)]
    assert isinstance(store.records[-1][0]["answered"], str)  # the id the connector returned


class CannotQueue(SqliteBotStore):
    """A store that cannot take jobs (read-only, full disk) but still reads."""

    def enqueue_job(self, job: NewJob, *, delivery_id: str | None, limit: int) -> Enqueued:
        raise StoreError("enqueue_job", "attempt to write a readonly database")


def test_a_question_the_store_cannot_queue_is_answered_directly_and_health_says_degraded(
    settings: Settings, oews_engine: object, connector: FakeConnector, openid: OpenIdServer, tmp_path: Path
) -> None:
    service = build_service(settings, engine=oews_engine)  # type: ignore[arg-type]
    service.store = CannotQueue(tmp_path / "read-only.sqlite")
    teams = TeamsBot(service=service, settings=settings, connector=connector, openid=openid, workers=0)
    try:
        reply = teams.reply_to(teams.chat().message(QUESTION))
    finally:
        teams.close()

    assert ANSWER in reply.text
    health = service.health()
    assert (health["status"], health["store"]) == ("degraded", "cannot queue: answering directly")


def test_people_far_back_in_the_queue_are_told_their_place_after_the_ack(
    settings: Settings,
    oews_engine: object,
    connector: FakeConnector,
    openid: OpenIdServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(handlers_module, "QUEUE_NOTE_DELAY_S", 0.3)
    service = build_service(settings, engine=oews_engine)  # type: ignore[arg-type]
    teams = TeamsBot(service=service, settings=settings, connector=connector, openid=openid, workers=0)
    chats = [teams.chat() for _ in range(26)]  # queued at places 1 to 26
    try:
        for chat in chats:
            assert teams.send(chat.message(QUESTION)) == 201  # nobody answers: every one waits
        connector.wait_for_messages(2)
        teams.settle(queue=False)  # nobody answers: the questions stay queued
    finally:
        teams.close()

    told = {(s.conversation_id, s.reply_to_id is not None, s.text) for s in connector.messages()}
    assert told == {  # the 24 others were near the front
        (chats[24].conversation_id, True, queued_text(25)),
        (chats[25].conversation_id, True, queued_text(26)),
    }
