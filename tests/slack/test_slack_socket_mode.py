"""Socket Mode: the same app over a websocket, when only SLACK_APP_TOKEN (no signing secret) is set."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import WSMsgType, web

from adapters.slack import start_socket_mode
from adapters.workers import InlineWorkers, job_handlers
from agents.engine.engine import OewsEngine
from bot.app import build_service
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import event_envelope, mention, settings_for


class FakeSocketModeServer:
    """Slack's side of a Socket Mode connection: says hello, pushes envelopes, records acks."""

    def __init__(self) -> None:
        self.acks: list[dict[str, Any]] = []
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._sockets: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    def start(self) -> FakeSocketModeServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self.loop).result(10)
        return self

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_get("/link/", self._link)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"ws://127.0.0.1:{self._runner.addresses[0][1]}/link/"

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}})
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self.acks.append(json.loads(msg.data))
        return ws

    def push(self, envelope: dict[str, Any]) -> None:
        async def send() -> None:
            for _ in range(200):
                if self._sockets:
                    await self._sockets[-1].send_json(envelope)
                    return
                await asyncio.sleep(0.05)
            raise AssertionError("the bot never connected")

        asyncio.run_coroutine_threadsafe(send(), self.loop).result(15)

    def stop(self) -> None:
        async def close() -> None:
            for ws in self._sockets:
                await ws.close()
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


@pytest.fixture
def socket_server(fake_slack: FakeSlack) -> Iterator[FakeSocketModeServer]:
    server = FakeSocketModeServer().start()
    fake_slack.socket_url = server.url
    yield server
    server.stop()


def test_mention_over_socket_mode_is_acked_and_answered(
    fake_slack: FakeSlack,
    socket_server: FakeSocketModeServer,
    oews_db: Path,
    engine: OewsEngine,
    tmp_path: Path,
) -> None:
    settings = settings_for(
        fake_slack, tmp_path, oews_database=oews_db, slack_app_token="xapp-test", slack_signing_secret=None
    )
    mark = fake_slack.mark()
    service = build_service(settings, engine=engine)
    runner = start_socket_mode(service=service, settings=settings)
    workers = InlineWorkers(service, job_handlers(settings), loops=1, lease_s=60).start()
    try:
        [opened] = fake_slack.since(mark, "apps.connections.open")
        envelope = event_envelope(mention("median pay for electricians in Texas", ts="6000.000001"))
        socket_server.push(
            {
                "envelope_id": "env-1",
                "type": "events_api",
                "payload": envelope,
                "accepts_response_payload": False,
                "retry_attempt": 0,
            }
        )
        [answer] = fake_slack.wait_method(mark, "chat.postMessage")
        deadline = time.monotonic() + 5
        while not socket_server.acks and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        runner.stop()
        workers.stop()
    assert opened.headers["Authorization"] == "Bearer xapp-test"
    assert {"envelope_id": "env-1"} in socket_server.acks
    assert answer.params["thread_ts"] == "6000.000001"
    assert "$58,570" in answer.params["text"]
