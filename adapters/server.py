"""The ``oews-bot serve`` process: one aiohttp server for Slack, Teams and health checks."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.config import Settings
from bot.service import BotService

logger = logging.getLogger(__name__)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def build_web_app(settings: Settings, service: BotService) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_get("/healthz", healthz)
    mounted = []
    if settings.slack_bot_token and settings.slack_signing_secret:
        from adapters.slack import mount_slack

        mount_slack(app, service=service, settings=settings)
        mounted.append("Slack (POST /slack/events)")
    if settings.microsoft_app_id or settings.teams_allow_unauthenticated:
        from adapters.teams import mount_teams

        mount_teams(app, service=service, settings=settings)
        mounted.append("Teams (POST /api/messages)")
    if not mounted:
        logger.warning("neither Slack nor Teams is configured; only /healthz is served (see README)")
    logger.info("serving %s", ", ".join(mounted) or "nothing but /healthz")
    return app


def run_server(settings: Settings, *, host: str, port: int) -> None:
    from bot.app import build_service

    service = build_service(settings)
    app = build_web_app(settings, service)
    if settings.slack_app_token and settings.slack_bot_token:
        from adapters.slack import start_socket_mode

        start_socket_mode(service=service, settings=settings)
    web.run_app(app, host=host, port=port, print=None)
