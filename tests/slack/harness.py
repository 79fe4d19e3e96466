"""The real Slack adapter served over HTTP on loopback, and signed requests to it.

The aiohttp application runs on its own event loop in a background thread (as ``oews-bot
serve`` would run it), with ``OEWS_WORKERS`` queue workers on the same loop (``oews-bot serve``
runs them as processes; the process-level tests are in ``tests/test_queue_processes.py``);
tests talk to it over real sockets with signed requests and watch the fake Web API
(``fake_slack.FakeSlack``) for what users would see.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import os
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import web

from adapters.slack import SlackAdapter, mount_slack
from bot.app import queue_capacity
from bot.config import Settings
from bot.service import BotService
from bot.worker import Worker
from tests.slack.fake_slack import BOT_USER, TEAM, Call, FakeSlack

SECRET = "secret"
_ids = itertools.count(1)


def settings_for(fake: FakeSlack, home: Path, **values: Any) -> Settings:
    """Settings from explicit values only: no environment variable or .env file leaks in."""
    with pytest.MonkeyPatch.context() as mp:
        for key in list(os.environ):
            if key.upper().startswith(("OEWS_", "SLACK_", "OPENAI_")):
                mp.delenv(key)
        base: dict[str, Any] = {
            "oews_home": home, "slack_bot_token": "xoxb-test", "slack_signing_secret": SECRET,
            "slack_api_url": fake.api_url,
        }  # fmt: skip
        return Settings(_env_file=None, **{**base, **values})  # type: ignore[call-arg]


@dataclass
class Reply:
    status: int
    body: str
    elapsed_ms: float


class SlackServer:
    def __init__(self, fake: FakeSlack, service: BotService, settings: Settings) -> None:
        self.fake = fake
        self.service = service
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.adapter: SlackAdapter | None = None
        self.url = ""
        self._stop_workers: asyncio.Event | None = None
        self._workers: list[asyncio.Task[None]] = []

    def start(self) -> SlackServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self.loop).result(timeout=30)
        self.fake.idle_checks.append(self.idle)
        return self

    def idle(self) -> bool:
        """Nothing in flight: no request, notice or job on the server's loop, and no job queued or
        running in its store (``FakeSlack.settle`` waits for this instead of a quiet time)."""
        if asyncio.run_coroutine_threadsafe(self._busy(), self.loop).result(10):
            return False
        stats = self.service.store.queue_stats()
        return stats.queued == stats.running == 0

    async def _busy(self) -> bool:
        """A task on the loop besides the idle workers' loops (and their pauses between polls)."""
        ignored = {asyncio.current_task(), *self._workers}
        return any(t not in ignored and not _polling(t) for t in asyncio.all_tasks())

    async def _serve(self) -> None:
        app = web.Application()
        self.service.queue_capacity = queue_capacity(self.settings)
        self.adapter = mount_slack(app, service=self.service, settings=self.settings)
        self._stop_workers = asyncio.Event()
        for n in range(self.settings.oews_workers):
            worker = Worker(service=self.service, handlers={"slack": self.adapter.jobs}, name=f"test-{n}")
            self._workers.append(asyncio.create_task(worker.run(self._stop_workers)))
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/slack/events"

    def stop(self) -> None:
        if self.idle in self.fake.idle_checks:
            self.fake.idle_checks.remove(self.idle)
        if self._stop_workers is not None and self._workers:
            self.loop.call_soon_threadsafe(self._stop_workers.set)
            asyncio.run_coroutine_threadsafe(asyncio.wait(self._workers, timeout=10), self.loop).result(30)
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    # -- requests -----------------------------------------------------------------------------------

    def post(
        self,
        body: str,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        secret: str = SECRET,
    ) -> Reply:
        signed = signed_headers(body, timestamp=timestamp, secret=secret)
        request = urllib.request.Request(
            self.url,
            data=body.encode(),
            method="POST",
            headers={"Content-Type": content_type, **signed, **(headers or {})},
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as e:
            with e:
                status, text = e.code, e.read().decode()
        return Reply(status, text, (time.perf_counter() - started) * 1000)

    def event(
        self,
        event: dict[str, Any],
        *,
        team: str = TEAM,
        event_id: str | None = None,
        retry: int | None = None,
        **kwargs: Any,
    ) -> Reply:
        envelope = event_envelope(event, team=team, event_id=event_id)
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        return self.post(json.dumps(envelope), "application/json", headers=headers, **kwargs)

    def command(self, text: str, *, user: str = "U1", channel: str = "C1", team: str = TEAM) -> Reply:
        form = {
            "token": "legacy", "team_id": team, "team_domain": "test", "channel_id": channel,
            "channel_name": "general", "user_id": user, "user_name": "someone", "command": "/oews",
            "text": text, "api_app_id": "A1", "response_url": f"{self.fake.url}/response/{next(_ids)}",
            "trigger_id": f"trigger-{next(_ids)}",
        }  # fmt: skip
        return self.post(urlencode(form), "application/x-www-form-urlencoded")

    def action(self, payload: dict[str, Any]) -> Reply:
        return self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    def choose(
        self, message: Any, label: str, *, user: str = "U1", team: str = TEAM, value: str | None = None
    ) -> Reply:
        """Choose ``label`` ("group: label") in the answer menu of a message the bot posted;
        ``value`` replaces the option's value (a forged or outdated menu)."""
        action = chosen(message.blocks(), "oews_reshape", label)
        if value is not None:
            action["selected_option"] = {**action["selected_option"], "value": value}
        return self.click(message, "oews_reshape", user=user, team=team, action=action)

    def click(
        self,
        message: Any,
        action_id: str,
        *,
        user: str = "U1",
        team: str = TEAM,
        ephemeral: bool = False,
        action: dict[str, Any] | None = None,
    ) -> Reply:
        """Click the button ``action_id`` on a message the bot posted (a recorded ``Call``)."""
        button = action or find_button(message.blocks(), action_id)
        channel = message.params.get("channel") or message.params.get("channel_id")
        ts = message.ts
        thread_ts = message.params.get("thread_ts")
        payload = block_actions(
            button,
            user=user,
            team=team,
            channel=channel,
            ts=ts,
            thread_ts=thread_ts,
            blocks=message.blocks(),
            text=str(message.params.get("text") or ""),
            response_url=f"{self.fake.url}/response/{next(_ids)}",
            ephemeral=ephemeral,
        )
        return self.action(payload)


def _polling(task: asyncio.Task[Any]) -> bool:
    """An idle worker's pause between polls (``asyncio.wait_for`` wraps ``stop.wait()`` in a task)."""
    return getattr(task.get_coro(), "__qualname__", "") == "Event.wait"


def signed_headers(body: str, *, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def event_envelope(event: dict[str, Any], *, team: str = TEAM, event_id: str | None = None) -> dict[str, Any]:
    return {
        "token": "legacy", "team_id": team, "api_app_id": "A1", "type": "event_callback",
        "event": event, "event_id": event_id or f"Ev{next(_ids):08d}", "event_time": int(time.time()),
        "authorizations": [{"enterprise_id": None, "team_id": team, "user_id": BOT_USER, "is_bot": True,
                            "is_enterprise_install": False}],
    }  # fmt: skip


def mention(
    text: str,
    *,
    ts: str,
    channel: str = "C1",
    user: str = "U1",
    team: str = TEAM,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {text}", "ts": ts,
             "channel": channel, "team": team, "event_ts": ts}  # fmt: skip
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def ask(slack: SlackServer, fake: FakeSlack, text: str, *, ts: str, user: str = "U1") -> Call:
    """Mention the bot with ``text`` and return its answer, once the job is over (the ⏳ removed)."""
    mark = fake.mark()
    slack.event(mention(text, ts=ts, user=user))
    fake.wait_method(mark, "reactions.remove")
    return fake.since(mark, "chat.postMessage")[0]


def message(
    text: str,
    *,
    ts: str,
    channel: str = "C1",
    user: str = "U1",
    team: str = TEAM,
    channel_type: str = "channel",
    thread_ts: str | None = None,
    parent_user_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    event = {"type": "message", "user": user, "text": text, "ts": ts, "channel": channel, "team": team,
             "channel_type": channel_type, "event_ts": ts, **extra}  # fmt: skip
    if thread_ts:
        event["thread_ts"] = thread_ts
    if parent_user_id:
        event["parent_user_id"] = parent_user_id
    return event


def block_actions(
    button: dict[str, Any],
    *,
    user: str,
    team: str,
    channel: str,
    ts: str,
    thread_ts: str | None,
    blocks: list[dict[str, Any]],
    text: str,
    response_url: str,
    ephemeral: bool = False,
) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "message", "ts": ts, "text": text, "blocks": blocks, "user": BOT_USER}
    if thread_ts:
        message["thread_ts"] = thread_ts
    payload: dict[str, Any] = {
        "type": "block_actions", "user": {"id": user, "username": "someone", "team_id": team},
        "api_app_id": "A1", "token": "legacy", "team": {"id": team, "domain": "test"},
        "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": ephemeral},
        "trigger_id": f"trigger-{next(_ids)}", "channel": {"id": channel, "name": "general"},
        "response_url": response_url,
        "actions": [{"block_id": "b", **button, "action_ts": str(time.time())}],
    }  # fmt: skip
    if not ephemeral:
        payload["message"] = message
    return payload


def find_button(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    for block in blocks:
        for element in [*block.get("elements", []), *([block["accessory"]] if "accessory" in block else [])]:
            if element.get("action_id") == action_id:
                return {**element, "block_id": block.get("block_id", "b")}
    raise AssertionError(f"no button {action_id} in {json.dumps(blocks)[:500]}")


def menu_options(blocks: list[dict[str, Any]], action_id: str) -> dict[str, dict[str, Any]]:
    """The options of the select menu ``action_id``, by label ("group: label")."""
    menu = find_button(blocks, action_id)
    return {
        f"{group['label']['text']}: {option['text']['text']}": option
        for group in menu.get("option_groups", [])
        for option in group["options"]
    }


def chosen(blocks: list[dict[str, Any]], action_id: str, label: str) -> dict[str, Any]:
    """The action payload of choosing ``label`` ("group: label") in the select menu ``action_id``."""
    menu = find_button(blocks, action_id)
    option = menu_options(blocks, action_id)[label]
    return {
        "type": menu["type"], "action_id": action_id, "block_id": menu["block_id"],
        "selected_option": option,
    }  # fmt: skip


def buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["action_id"]: e for b in blocks if b.get("type") == "actions" for e in b.get("elements", [])}
