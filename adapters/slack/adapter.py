"""The Slack adapter: a Bolt ``AsyncApp`` on aiohttp, served over HTTP or Socket Mode.

HTTP: ``mount_slack`` adds ``POST /slack/events`` (events, slash commands and
interactivity on one path) to the server's ``aiohttp.web.Application``. Bolt verifies the
signature and the 5-minute timestamp window (401 otherwise, one log line, never the body);
listeners queue the question in the store and ack; worker processes answer it and post
(``handlers``, ``jobs``).

Socket Mode: ``start_socket_mode`` runs the same app over a websocket, on its own thread
and event loop, when ``SLACK_APP_TOKEN`` is set.
"""

from __future__ import annotations

import asyncio
import logging
import threading

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.authorization.async_single_team_authorization import AsyncSingleTeamAuthorization
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.delivery import Poster
from adapters.slack.handlers import Handlers, Identity
from adapters.slack.incoming import BotThreads
from adapters.slack.jobs import SlackJobs
from adapters.slack.verify import verified
from bot.config import Settings
from bot.errors import SettingsError
from bot.service import BotService
from bot.worker import Worker

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
RATE_LIMIT_RETRIES = 3


class _ClientGiven(logging.Filter):
    """Bolt warns at every start that SLACK_BOT_TOKEN is unused when a client is given, as here:
    the client holds that same token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


BOLT_LOGGER = logging.getLogger("adapters.slack.bolt")
BOLT_LOGGER.addFilter(_ClientGiven())


class SlackConfigError(SettingsError):
    """A required Slack setting is missing, or Slack does not accept or cannot be reached with it."""


def web_client(settings: Settings) -> AsyncWebClient:
    """The Slack Web API client (429s and connection errors retried)."""
    if settings.slack_bot_token is None:
        raise SlackConfigError("SLACK_BOT_TOKEN is not set")
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url.rstrip("/") + "/",
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


def slack_jobs(client: AsyncWebClient) -> SlackJobs:
    """What a worker needs to run Slack jobs."""
    return SlackJobs(client, Poster(client, BotThreads()))


async def learn_identity(
    client: AsyncWebClient, identity: Identity, service: BotService
) -> AsyncSlackResponse:
    """``auth.test``: the bot's user and workspace; that workspace is allowed by default."""
    try:
        auth = await client.auth_test()
    except SlackApiError as e:
        reason = (e.response.get("error") if isinstance(e.response.data, dict) else None) or "no reason given"
        raise SlackConfigError(f"Slack did not accept SLACK_BOT_TOKEN ({reason})") from None
    except (aiohttp.ClientError, TimeoutError):
        where = f"{client.base_url} (SLACK_API_URL)"
        raise SlackConfigError(f"cannot reach the Slack Web API at {where}") from None
    identity.user_id = auth.get("user_id")
    identity.bot_id = auth.get("bot_id")
    identity.team_id = auth.get("team_id")
    identity.enterprise_id = auth.get("enterprise_id")
    service.own_workspace("slack", {w for w in (identity.team_id, identity.enterprise_id) if w})
    logger.info("Slack bot user %s ready", identity.user_id)
    return auth


def share_auth_test(app: AsyncApp, auth: AsyncSlackResponse) -> None:
    """Give Bolt's single-workspace authorization the ``auth.test`` made at start-up: else each
    request of the first burst after a start, until one call returns, makes its own (on the
    path of its ack)."""
    for middleware in app._async_middleware_list:  # Bolt offers no public way to seed it
        if isinstance(middleware, AsyncSingleTeamAuthorization) and middleware.auth_test_result is None:
            middleware.auth_test_result = auth


class SlackAdapter:
    """One Slack app bound to the service: the Bolt app, its Web API client, its listeners."""

    def __init__(self, *, service: BotService, settings: Settings) -> None:
        if settings.slack_bot_token is None:
            raise SlackConfigError("SLACK_BOT_TOKEN is not set")
        self.service = service
        self.settings = settings
        self.client = web_client(settings)
        secret = settings.slack_signing_secret
        self._secret = secret.get_secret_value() if secret is not None else ""
        self.app = AsyncApp(
            client=self.client,
            signing_secret=self._secret or None,
            request_verification_enabled=False,  # ``handle`` verifies (Bolt would log bodies)
            process_before_response=True,  # listeners only enqueue work, so this is still fast
            logger=BOLT_LOGGER,
        )
        self.jobs = slack_jobs(self.client)
        self.identity = Identity()
        self.handlers = Handlers(
            service=service,
            client=self.client,
            poster=self.jobs.poster,
            direct=Worker(service=service, handlers={"slack": self.jobs}),
            identity=self.identity,
        )
        self.handlers.register(self.app)
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Open the Web API session and learn who the bot is (the access policy's default)."""
        self._session = aiohttp.ClientSession()
        self.client.session = self._session
        try:
            share_auth_test(self.app, await learn_identity(self.client, self.identity, self.service))
        except SlackConfigError:
            await self.close()
            raise

    async def close(self) -> None:
        await self.handlers.close()
        self.client.session = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def handle(self, request: web.Request) -> web.Response:
        """``POST /slack/events``: Bolt in, Bolt out (``slack_bolt.adapter.aiohttp``)."""
        if not await verified(request, self._secret):
            return web.Response(status=401, text="invalid request")
        try:
            bolt_request = await to_bolt_request(request)
        except ValueError:  # not JSON / not a form: nothing Slack would send
            logger.warning("unparseable request body on %s", EVENTS_PATH)
            return web.Response(status=400, text="bad request")
        bolt_response = await self.app.async_dispatch(bolt_request)
        if bolt_response.status == 404:  # no listener: answer 200 so that Slack does not retry
            return web.Response(status=200)
        return await to_aiohttp_response(bolt_response)


def mount_slack(web_app: web.Application, *, service: BotService, settings: Settings) -> SlackAdapter:
    """Add ``POST /slack/events`` and the adapter's startup and cleanup hooks to ``web_app``."""
    if settings.slack_signing_secret is None or not settings.slack_signing_secret.get_secret_value():
        raise SlackConfigError("SLACK_SIGNING_SECRET is required to receive Slack events over HTTP")
    adapter = SlackAdapter(service=service, settings=settings)

    async def start(_: web.Application) -> None:
        await adapter.start()

    async def stop(_: web.Application) -> None:
        await adapter.close()

    web_app.router.add_post(EVENTS_PATH, adapter.handle)
    web_app.on_startup.append(start)
    web_app.on_cleanup.append(stop)
    return adapter


class SocketModeRunner:
    """The Slack app over Socket Mode, on a thread with its own event loop."""

    def __init__(self, *, service: BotService, settings: Settings) -> None:
        if settings.slack_app_token is None:
            raise SlackConfigError("SLACK_APP_TOKEN is not set")
        self.adapter = SlackAdapter(service=service, settings=settings)
        self._app_token = settings.slack_app_token.get_secret_value()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="slack-socket-mode", daemon=True)
        self._ready = threading.Event()
        self._stopping: asyncio.Event | None = None
        self._error: BaseException | None = None

    def start(self, timeout: float = 30.0) -> None:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("Socket Mode did not connect in time")
        if self._error is not None:
            raise self._error

    def stop(self, timeout: float = 15.0) -> None:
        if self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            self._loop.run_until_complete(self._main())
        finally:
            self._loop.close()

    async def _main(self) -> None:
        self._stopping = asyncio.Event()
        handler = AsyncSocketModeHandler(
            self.adapter.app, app_token=self._app_token, web_client=self.adapter.client
        )
        try:
            await self.adapter.start()
            await handler.connect_async()  # type: ignore[no-untyped-call]
        except SlackConfigError as e:  # a setting to fix: serve says so in one line
            self._error = e
        except Exception as e:
            logger.exception("Socket Mode could not start")
            self._error = e
        self._ready.set()
        try:
            if self._error is None:
                await self._stopping.wait()
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]
            await self.adapter.close()


def start_socket_mode(*, service: BotService, settings: Settings) -> SocketModeRunner:
    """Connect over Socket Mode (``SLACK_APP_TOKEN``) and return the running connection."""
    runner = SocketModeRunner(service=service, settings=settings)
    runner.start()
    return runner
