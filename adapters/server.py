"""The ``oews-bot serve`` process: one aiohttp server for Slack, Teams and health checks.

Slack runs over HTTP (``POST /slack/events``) or, when ``SLACK_APP_TOKEN`` is set, over Socket
Mode instead (never both: each would run its own worker pool).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiohttp import web

from bot.config import Settings
from bot.service import BotService

logger = logging.getLogger(__name__)
DATABASE_CHECK: web.AppKey[Callable[[], bool]] = web.AppKey("database_ok")


async def healthz(request: web.Request) -> web.Response:
    """``{"status": "ok"}``, or 503 with ``"database": "down"`` while the OEWS database is unreachable."""
    check = request.app.get(DATABASE_CHECK)
    if check is None or await asyncio.get_running_loop().run_in_executor(None, check):
        return web.json_response({"status": "ok"})
    return web.json_response({"status": "degraded", "database": "down"}, status=503)


def socket_mode(settings: Settings) -> bool:
    return settings.slack_app_token is not None and settings.slack_bot_token is not None


def build_web_app(
    settings: Settings, service: BotService, *, database_ok: Callable[[], bool] | None = None
) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    if database_ok is not None:
        app[DATABASE_CHECK] = database_ok
    app.router.add_get("/healthz", healthz)
    mounted = []
    if settings.slack_bot_token and settings.slack_signing_secret and not socket_mode(settings):
        from adapters.slack import mount_slack

        mount_slack(app, service=service, settings=settings)
        mounted.append("Slack (POST /slack/events)")
    if settings.microsoft_app_id or settings.teams_allow_unauthenticated:
        from adapters.teams import mount_teams

        mount_teams(app, service=service, settings=settings)
        mounted.append("Teams (POST /api/messages)")
    if not mounted and not socket_mode(settings):
        logger.warning("neither Slack nor Teams is configured; only /healthz is served (see README)")
    logger.info("serving %s", ", ".join(mounted) or "nothing but /healthz over HTTP")
    return app


def run_server(settings: Settings, *, host: str, port: int) -> None:
    from agents.sql.gateway import database_ok
    from bot.app import build_service, open_engine

    engine = open_engine(settings)
    service = build_service(settings, engine=engine)
    app = build_web_app(settings, service, database_ok=lambda: database_ok(engine.gateway))
    runner = None
    if socket_mode(settings):
        from adapters.slack import start_socket_mode

        runner = start_socket_mode(service=service, settings=settings)
        logger.info("Slack connected over Socket Mode")
    try:
        web.run_app(app, host=host, port=port, print=None)
    finally:
        if runner is not None:
            runner.stop()
