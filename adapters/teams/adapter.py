"""The Teams endpoint on the shared aiohttp app: ``POST /api/messages`` and ``GET /charts/{token}``.

Request in -> checks -> ``CloudAdapter.process`` (JWT verified, see ``auth``) -> ``OewsTeamsBot``,
which queues questions for the workers (``jobs``) and answers other clicks itself; replies go to
the Bot Connector (429 / 5xx retried with backoff, honouring Retry-After, see ``connector``).
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity

from adapters.teams.chart_images import ChartStore
from adapters.teams.config import SdkConfiguration, allowed_tenants, sdk_configuration
from adapters.teams.connector import RETRY_DELAYS_S, cloud_adapter
from adapters.teams.handlers import OewsTeamsBot, error_text
from adapters.teams.jobs import TeamsJobs
from agents.trace import new_trace_id
from bot.config import Settings
from bot.service import BotService
from bot.worker import Worker

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024


class TeamsAdapter:
    """Owns the SDK adapter, the bot and the chart store; its handlers are the aiohttp routes.

    ``jobs`` posts answers for the workers; this process uses it only to answer directly a
    question the store could not queue."""

    def __init__(
        self,
        *,
        service: BotService,
        settings: Settings,
        credentials_factory: Any = None,
        retry_delays: tuple[float, ...] = RETRY_DELAYS_S,
    ) -> None:
        self.config: SdkConfiguration = sdk_configuration(settings)
        self.cloud = cloud_adapter(
            self.config, credentials_factory=credentials_factory, retry_delays=retry_delays
        )
        self.cloud.on_turn_error = self._on_turn_error
        self.charts = ChartStore(backing=service.store, directory=settings.oews_artifact_dir)
        self.jobs = TeamsJobs(
            self.config,
            public_url=settings.teams_public_url,
            artifact_dir=settings.oews_artifact_dir,
            credentials_factory=credentials_factory,
            retry_delays=retry_delays,
        )
        self.jobs.bind(service)
        direct = Worker(service=service, handlers={"teams": self.jobs})
        self.bot = OewsTeamsBot(service=service, direct=direct, poster=self.jobs)

    async def handle_messages(self, request: web.Request) -> web.StreamResponse:
        if not self.config.auth_disabled and "Authorization" not in request.headers:
            raise web.HTTPUnauthorized()
        await _check_body(request)
        try:
            response = await self.cloud.process(request, self.bot)
        except web.HTTPException:
            raise
        except Exception:
            logger.exception("Teams request failed", extra={"trace_id": new_trace_id()})
            raise web.HTTPInternalServerError() from None
        return response if response is not None else web.Response(status=201)

    async def handle_chart(self, request: web.Request) -> web.Response:
        png = self.charts.get(request.match_info["token"])
        if png is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=png,
            content_type="image/png",
            headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
        )

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        incident = new_trace_id()
        logger.error("Teams turn failed", exc_info=error, extra={"trace_id": incident})
        try:
            await context.send_activity(MessageFactory.text(error_text(incident)))
        except Exception:
            logger.exception("could not tell the user about the failure", extra={"trace_id": incident})

    async def close(self, _app: web.Application | None = None) -> None:
        await self.bot.close()


async def _check_body(request: web.Request) -> None:
    """400 / 413 / 415 for what is not an activity, before the SDK sees it."""
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY_BYTES, actual_size=request.content_length or 0)
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType()
    try:
        body = await request.json()
        activity = Activity().deserialize(body)
    except web.HTTPException:
        raise
    except Exception:
        raise web.HTTPBadRequest(text="not a Bot Framework activity") from None
    if not (activity.type and activity.service_url and activity.conversation and activity.conversation.id):
        raise web.HTTPBadRequest(text="an activity needs type, serviceUrl and conversation.id")


def mount_teams(
    web_app: web.Application,
    *,
    service: BotService,
    settings: Settings,
    credentials_factory: Any = None,
    retry_delays: tuple[float, ...] = RETRY_DELAYS_S,
) -> TeamsAdapter:
    """Add ``POST /api/messages`` and ``GET /charts/{token}`` to ``web_app``.

    Raises ``TeamsConfigError`` when the settings cannot serve Teams safely (no app id without
    TEAMS_ALLOW_UNAUTHENTICATED, SingleTenant without a tenant id...).  The optional arguments
    are for tests and special deployments: ``credentials_factory`` replaces the SDK's outbound
    credentials; ``retry_delays`` are the backoff steps for the Bot Connector's 429 / 5xx
    answers.  Questions are answered by workers running ``adapter.jobs`` (see ``adapters.workers``).
    """
    adapter = TeamsAdapter(
        service=service,
        settings=settings,
        credentials_factory=credentials_factory,
        retry_delays=retry_delays,
    )
    tenants = allowed_tenants(settings)  # the service allows them already (``build_service``)
    _warn_about(adapter.config, tenants)
    web_app.router.add_post("/api/messages", adapter.handle_messages)
    web_app.router.add_get("/charts/{token}", adapter.handle_chart)
    web_app.on_cleanup.append(adapter.close)
    logger.info("Teams endpoint mounted (%s, %d allowed tenant(s))", adapter.config.APP_TYPE, len(tenants))
    return adapter


def _warn_about(config: SdkConfiguration, tenants: tuple[str, ...]) -> None:
    if config.auth_disabled:
        logger.warning(
            "TEAMS AUTHENTICATION IS OFF (no MicrosoftAppId, TEAMS_ALLOW_UNAUTHENTICATED=true): "
            "anyone who can reach /api/messages can use the bot. Local development only!"
        )
    if not tenants:
        logger.warning(
            "no Teams tenant is allowed (set TEAMS_ALLOWED_TENANTS): every Teams message is refused"
        )
