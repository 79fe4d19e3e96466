"""The Teams endpoint on the shared aiohttp app: ``POST /api/messages`` and ``GET /charts/{token}``.

Request in -> checks -> ``CloudAdapter.process`` (JWT verified, see ``auth``) -> ``OewsTeamsBot``
-> replies posted to the Bot Connector (429 / 5xx retried with backoff, honouring Retry-After).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from botbuilder.core import MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from msrest.exceptions import ClientRequestError, HttpOperationError

from adapters.teams.auth import StrictAuthentication
from adapters.teams.bot import OewsTeamsBot, Renderer, Runner, error_text
from adapters.teams.charts import ChartStore
from adapters.teams.config import SdkConfiguration, allowed_tenants, sdk_configuration
from agents.trace import new_trace_id
from bot.config import Settings
from bot.service import BotService

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
REPLY_BUDGET_S = 10.0
RETRY_DELAYS_S = (0.5, 1.0, 2.0, 4.0)
MAX_RETRY_AFTER_S = 20.0


class RetryingCloudAdapter(CloudAdapter):  # type: ignore[misc]
    """``CloudAdapter`` that retries each outgoing activity on 429, 5xx and connection errors."""

    def __init__(self, authentication: Any, *, retry_delays: tuple[float, ...]) -> None:
        super().__init__(authentication)
        self._delays = retry_delays

    async def send_activities(self, context: TurnContext, activities: list[Activity]) -> list[Any]:
        responses: list[Any] = []
        for activity in activities:
            responses.extend(await self._send_one(context, activity))
        return responses

    async def _send_one(self, context: TurnContext, activity: Activity) -> list[Any]:
        for delay in self._delays:
            try:
                return list(await super().send_activities(context, [activity]))
            except (HttpOperationError, ClientRequestError) as error:
                status = _status(error)
                if status is not None and status != 429 and status < 500:
                    raise
                wait = _retry_after(error) or delay
                logger.warning("Bot Connector answered %s; retrying in %.1f s", status or "no response", wait)
                await asyncio.sleep(wait)
        return list(await super().send_activities(context, [activity]))


def _status(error: Exception) -> int | None:
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def _retry_after(error: Exception) -> float | None:
    headers = getattr(getattr(error, "response", None), "headers", None) or {}
    try:
        return min(float(headers.get("Retry-After", "")), MAX_RETRY_AFTER_S)
    except ValueError:
        return None


class TeamsAdapter:
    """Owns the SDK adapter, the bot and the chart store; its handlers are the aiohttp routes."""

    def __init__(
        self,
        *,
        service: BotService,
        settings: Settings,
        credentials_factory: Any = None,
        reply_budget_s: float = REPLY_BUDGET_S,
        retry_delays: tuple[float, ...] = RETRY_DELAYS_S,
    ) -> None:
        self.config: SdkConfiguration = sdk_configuration(settings)
        self.cloud = RetryingCloudAdapter(
            StrictAuthentication(self.config, credentials_factory=credentials_factory),
            retry_delays=retry_delays,
        )
        self.cloud.on_turn_error = self._on_turn_error
        self.charts = ChartStore(backing=service.store)
        self.bot = OewsTeamsBot(
            service=service,
            runner=Runner(workers=settings.oews_workers, queue_limit=settings.oews_queue_limit),
            renderer=Renderer(charts=self.charts, public_url=settings.teams_public_url),
            app_id=self.config.APP_ID,
            reply_budget_s=reply_budget_s,
        )

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
    reply_budget_s: float = REPLY_BUDGET_S,
    retry_delays: tuple[float, ...] = RETRY_DELAYS_S,
) -> TeamsAdapter:
    """Add ``POST /api/messages`` and ``GET /charts/{token}`` to ``web_app``.

    Raises ``TeamsConfigError`` when the settings cannot serve Teams safely (no app id without
    TEAMS_ALLOW_UNAUTHENTICATED, SingleTenant without a tenant id...).  The optional arguments
    are for tests and special deployments: ``credentials_factory`` replaces the SDK's outbound
    credentials; ``reply_budget_s`` is how long a request waits for the answer before it is
    acknowledged and the answer sent later; ``retry_delays`` are the backoff steps for the
    Bot Connector's 429 / 5xx answers.
    """
    adapter = TeamsAdapter(
        service=service,
        settings=settings,
        credentials_factory=credentials_factory,
        reply_budget_s=reply_budget_s,
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
