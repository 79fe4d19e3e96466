"""Loopback fakes for the Teams tests and the bench: the real bot, served over HTTP.

- ``FakeConnector``: plays the Bot Connector (``POST /v3/conversations/{id}/activities[/{replyToId}]``),
  records what the bot sends, answers ``{"id": ...}``; can be told to fail the next requests.
- ``OpenIdServer``: OpenID metadata + JWKS with an RSA key made here, and ``mint()`` for RS256
  Bot Framework tokens (PyJWT).  Served from its own thread: the SDK fetches it with a
  blocking ``requests.get`` from the bot's event loop.
- ``BotServer``: an aiohttp app with ``mount_teams`` on port 0, in a background event loop.
- ``FixedTokenCredentialsFactory``: outbound credentials that never call Microsoft's login.
- Activity builders shaped like what Teams sends.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from aiohttp import web
from botframework.connector.auth import AppCredentials, ServiceClientCredentialsFactory
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from adapters.teams import TeamsAdapter, mount_teams
from adapters.workers import InlineWorkers
from bot.config import Settings
from bot.service import BotService

APP_ID = "3f8e4b52-0c1d-4d7a-9a58-6f1a2b3c4d5e"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OTHER_TENANT = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
ISSUER = "https://api.botframework.com"
BOT_ID = f"28:{APP_ID}"
OUTBOUND_TOKEN = "fixed-outbound-token"
_ids = itertools.count(1_700_000_000_000)


def next_id() -> str:
    return str(next(_ids))


# -- the fake Bot Connector ---------------------------------------------------------------------------


@dataclass
class Sent:
    conversation_id: str
    reply_to_id: str | None
    activity: dict[str, Any]
    authorization: str | None
    received_at: float = field(default_factory=time.perf_counter)

    @property
    def type(self) -> str:
        return str(self.activity.get("type"))

    @property
    def card(self) -> dict[str, Any] | None:
        for a in self.activity.get("attachments") or []:
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return dict(a["content"])
        return None

    @property
    def text(self) -> str:
        """Everything a user reads: message text, or every TextBlock / fact / table cell of the card."""
        if self.card is None:
            return str(self.activity.get("text") or "")
        return "\n".join(_card_texts(self.card))


def _card_texts(node: Any) -> list[str]:
    if isinstance(node, list):
        return [t for item in node for t in _card_texts(item)]
    if not isinstance(node, dict):
        return []
    texts = [str(node["text"])] if node.get("type") == "TextBlock" else []
    if node.get("type") == "FactSet":
        texts += [f"{f['title']}: {f['value']}" for f in node.get("facts", [])]
    for key in ("body", "items", "rows", "cells", "columns"):
        texts += _card_texts(node.get(key))
    return texts


class FakeConnector:
    """A ``ThreadingHTTPServer`` on 127.0.0.1:0 recording every activity the bot posts."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.failures: list[tuple[int, dict[str, str]]] = []  # (status, headers) for the next requests
        self.message_failures: list[tuple[int, dict[str, str]]] = []  # the same, for messages only
        self.typing_delay_s = 0.0  # how long a typing indicator waits for its response
        self.attempts = 0
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.005,), daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def messages(self) -> list[Sent]:
        with self._changed:
            return [s for s in self.sent if s.type == "message"]

    def wait_for_messages(self, count: int, timeout: float = 10.0) -> list[Sent]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len([s for s in self.sent if s.type == "message"]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} messages, got {self.sent!r}")
                self._changed.wait(left)
        return self.messages()

    def _record(self, path: str, body: bytes, authorization: str | None) -> tuple[int, dict[str, str], bytes]:
        with self._changed:
            self.attempts += 1
            is_message = b'"type": "message"' in body or b'"type":"message"' in body
            failures = self.failures or (self.message_failures if is_message else [])
            if failures:
                status, headers = failures.pop(0)
                return status, headers, b'{"error": {"code": "Throttled"}}'
            parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
            if len(parts) < 4 or parts[:2] != ["v3", "conversations"] or parts[3] != "activities":
                return 404, {}, b"{}"
            reply_to = parts[4] if len(parts) > 4 else None
            self.sent.append(Sent(parts[2], reply_to, json.loads(body), authorization))
            self._changed.notify_all()
        return 200, {}, json.dumps({"id": next_id()}).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        connector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, headers, payload = connector._record(
                    self.path, body, self.headers.get("Authorization")
                )
                if connector.typing_delay_s and b'"type": "typing"' in body:
                    time.sleep(connector.typing_delay_s)  # recorded, but the sender waits
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


# -- OpenID metadata, keys and tokens ------------------------------------------------------------------


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class OpenIdServer:
    """Serves ``/.well-known/openidconfiguration`` and ``/keys`` (a JWKS) on a fresh port."""

    def __init__(self, key: rsa.RSAPrivateKey, *, kid: str = "test-key-1") -> None:
        self.key, self.kid = key, kid
        jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
        self.jwks = {"keys": [{**jwk, "kid": kid, "use": "sig", "endorsements": ["msteams"]}]}
        self.requests = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self._server.serve_forever, args=(0.005,), daemon=True).start()

    @property
    def metadata_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/.well-known/openidconfiguration"

    def mint(
        self, service_url: str, *, key: rsa.RSAPrivateKey | None = None, kid: str | None = None, **claims: Any
    ) -> str:
        now = int(time.time())
        payload = {
            "iss": ISSUER,
            "aud": APP_ID,
            "serviceurl": service_url,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + 3600,
            **claims,
        }
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests += 1
                base = f"http://127.0.0.1:{server._server.server_address[1]}"
                doc = {"issuer": ISSUER, "jwks_uri": f"{base}/keys"} if "openid" in self.path else server.jwks
                payload = json.dumps(doc).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _FixedTokenCredentials(AppCredentials):  # type: ignore[misc]
    def get_access_token(self, force_refresh: bool = False) -> str:
        return OUTBOUND_TOKEN


class FixedTokenCredentialsFactory(ServiceClientCredentialsFactory):  # type: ignore[misc]
    """Outbound credentials for APP_ID that return a fixed token (no call to Microsoft login)."""

    async def is_valid_app_id(self, app_id: str) -> bool:
        return app_id == APP_ID

    async def is_authentication_disabled(self) -> bool:
        return False

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> AppCredentials:
        if app_id != APP_ID:
            raise PermissionError("unknown app id")
        return _FixedTokenCredentials(app_id, oauth_scope=oauth_scope)


# -- the bot, served on loopback ------------------------------------------------------------------------


class BotServer:
    """``mount_teams`` on a fresh aiohttp app, served on 127.0.0.1:0 from a background loop."""

    def __init__(self, *, service: BotService, settings: Settings, **adapter_options: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.app = web.Application(client_max_size=1024 * 1024)
        service.access.allow("teams", settings.allowed_teams_tenants)  # as build_service does
        self.adapter: TeamsAdapter = mount_teams(
            self.app, service=service, settings=settings, **adapter_options
        )
        self._runner = web.AppRunner(self.app)
        self.port = self._call(self._start())

    async def _start(self) -> int:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        return int(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=30)

    def busy(self) -> bool:
        """A request or a later note still in flight on the server's loop."""
        return bool(self._call(_others()))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def post(
        self,
        body: bytes | dict[str, Any],
        *,
        token: str | None = None,
        authorization: str | None = None,
        content_type: str = "application/json",
    ) -> tuple[int, float]:
        """POST to /api/messages with ``Bearer {token}`` (or a raw ``authorization``); (status, seconds)."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}/api/messages", data=data, method="POST", headers={"Content-Type": content_type}
        )
        header = (
            authorization if authorization is not None else (f"Bearer {token}" if token is not None else None)
        )
        if header is not None:
            request.add_header("Authorization", header)
        return _send(request)

    def get(self, path: str) -> tuple[int, bytes, str]:
        try:
            with urllib.request.urlopen(f"{self.url}{path}", timeout=10) as response:
                return response.status, response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            with e:
                return e.code, e.read(), e.headers.get("Content-Type", "")

    def close(self) -> None:
        self._call(self._runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


async def _others() -> bool:
    return any(t is not asyncio.current_task() for t in asyncio.all_tasks())


def _send(request: urllib.request.Request) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status, time.perf_counter() - started
    except urllib.error.HTTPError as e:
        with e:
            e.read()
            return e.code, time.perf_counter() - started


# -- Teams-shaped activities ------------------------------------------------------------------------------


@dataclass
class Chat:
    """A Teams conversation as seen by the bot: builds the activities a user's actions produce."""

    service_url: str
    kind: str = "personal"  # personal | channel | groupChat
    tenant: str = TENANT
    user: str = "29:user-ada"
    aad_user: str = "aad-ada"
    conversation_id: str = field(default_factory=lambda: f"a:personal-{next_id()}")

    @classmethod
    def channel(cls, service_url: str, *, root_id: str | None = None, **kw: Any) -> Chat:
        root = root_id or next_id()
        return cls(
            service_url, kind="channel", conversation_id=f"19:general@thread.tacv2;messageid={root}", **kw
        )

    def activity(self, **fields: Any) -> dict[str, Any]:
        conversation: dict[str, Any] = {
            "id": self.conversation_id,
            "conversationType": self.kind,
            "tenantId": self.tenant,
        }
        if self.kind != "personal":
            conversation["isGroup"] = True
        base = {
            "type": "message",
            "id": next_id(),
            "timestamp": "2026-01-05T10:00:00.000Z",
            "serviceUrl": self.service_url,
            "channelId": "msteams",
            "from": {"id": self.user, "name": "Ada Lovelace", "aadObjectId": self.aad_user},
            "conversation": conversation,
            "recipient": {"id": BOT_ID, "name": "OEWS"},
            "locale": "en-US",
            "textFormat": "plain",
            "channelData": {"tenant": {"id": self.tenant}},
        }
        if self.kind == "channel":
            channel_id = self.conversation_id.split(";")[0]
            base["channelData"].update(
                {
                    "teamsChannelId": channel_id,
                    "channel": {"id": channel_id},
                    "teamsTeamId": "19:team@thread.tacv2",
                }
            )
        return {**base, **fields}

    def message(self, text: str, *, mention: bool | None = None) -> dict[str, Any]:
        """What Teams sends for ``text``; in channels and group chats the bot is @mentioned first."""
        if mention is None:
            mention = self.kind != "personal"
        if not mention:
            return self.activity(text=text)
        at = "<at>OEWS</at>"
        entity = {"type": "mention", "text": at, "mentioned": {"id": BOT_ID, "name": "OEWS"}}
        return self.activity(text=f"{at} {text}", entities=[entity])

    def submit(self, data: Any, *, reply_to: str | None = None) -> dict[str, Any]:
        """An ``Action.Submit`` click: a message with ``value`` and no text."""
        return self.activity(value=data, replyToId=reply_to or next_id())


class TeamsBot:
    """The bot under test with its fakes: post activities as Teams would, read what it sent.

    ``workers`` worker loops (on a thread of this process) answer the questions the bot queues,
    as the worker processes of ``oews-bot serve`` do."""

    def __init__(
        self,
        *,
        service: BotService,
        settings: Settings,
        connector: FakeConnector,
        openid: OpenIdServer | None,
        workers: int = 2,
        **adapter_options: Any,
    ) -> None:
        self.service, self.connector, self.openid = service, connector, openid
        if openid is not None:
            adapter_options.setdefault("credentials_factory", FixedTokenCredentialsFactory())
        self.server = BotServer(service=service, settings=settings, **adapter_options)
        self.workers = InlineWorkers(
            service, {"teams": self.server.adapter.jobs}, loops=workers, lease_s=settings.oews_job_lease_s
        ).start()

    def chat(self, **kw: Any) -> Chat:
        return Chat(self.connector.url, **kw)

    def channel(self, **kw: Any) -> Chat:
        return Chat.channel(self.connector.url, **kw)

    def send(self, activity: dict[str, Any], **post: Any) -> int:
        """POST with a valid token for the activity's serviceUrl (unless ``token=`` is given)."""
        if "token" not in post and "authorization" not in post and self.openid is not None:
            post["token"] = self.openid.mint(str(activity.get("serviceUrl")))
        status, _ = self.server.post(activity, **post)
        return status

    def reply_to(self, activity: dict[str, Any], **post: Any) -> Sent:
        """Send ``activity`` and return the next message the bot posts."""
        before = len(self.connector.messages())
        status = self.send(activity, **post)
        assert status in (200, 201, 202), status
        return self.connector.wait_for_messages(before + 1)[before]

    def settle(self, *, queue: bool = True, timeout: float = 10.0) -> list[Sent]:
        """Every message the bot sent, once nothing more is coming: nothing in flight on the
        server's loop and (with ``queue``) no job queued or running in the store."""
        deadline = time.monotonic() + timeout
        while self.server.busy() or (queue and self._jobs_left()):
            assert time.monotonic() < deadline, "the bot did not become idle"
            time.sleep(0.01)
        return self.connector.messages()

    def _jobs_left(self) -> bool:
        stats = self.service.store.queue_stats()
        return stats.queued + stats.running > 0

    def close(self) -> None:
        self.workers.stop()
        self.server.close()


class CountingWorkflow:
    """Wraps the service's workflow to count how often the engine is reached."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls = 0

    def run(self, question: str, **kw: Any) -> Any:
        self.calls += 1
        return self.inner.run(question, **kw)
