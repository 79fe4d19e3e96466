"""The ``oews-bot serve`` process: one aiohttp server for Slack, Teams and health checks.

Slack runs over HTTP (``POST /slack/events``) or, when ``SLACK_APP_TOKEN`` is set, over Socket
Mode instead (never both: each would run its own worker pool).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from adapters.workers import WorkerProcesses
from bot.config import Settings
from bot.service import BotService

logger = logging.getLogger(__name__)
DATABASE_CHECK: web.AppKey[Callable[[], bool]] = web.AppKey("database_ok")

SERVICE = web.AppKey("service", BotService)
WORKERS = web.AppKey("workers", WorkerProcesses)
ARTIFACT_DIR: web.AppKey[Path | None] = web.AppKey("artifact_dir")


async def healthz(request: web.Request) -> web.Response:
    """``{"status": "ok" | "degraded", ...}``: the store, the queue, the worker processes; 503 with
    ``"database": "down"`` while the OEWS database is unreachable."""
    service: BotService = request.app[SERVICE]
    report = await asyncio.to_thread(service.health)
    workers = request.app.get(WORKERS)
    if workers is not None:
        alive = workers.alive()
        report["workers"] = {"alive": alive, "expected": workers.count}
        if alive < workers.count:
            report["status"] = "degraded"
    check = request.app.get(DATABASE_CHECK)
    if check is not None and not await asyncio.to_thread(check):
        report.update(status="degraded", database="down")
        return web.json_response(report, status=503)
    return web.json_response(report)


async def chart(request: web.Request) -> web.Response:
    """``GET /charts/{token}``: a chart kept by any instance (Teams links to these)."""
    from adapters.teams.chart_images import ChartStore

    service: BotService = request.app[SERVICE]
    charts = ChartStore(backing=service.store, directory=request.app[ARTIFACT_DIR])
    png = await asyncio.to_thread(charts.get, request.match_info["token"])
    if png is None:
        raise web.HTTPNotFound()
    return web.Response(
        body=png,
        content_type="image/png",
        headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


def socket_mode(settings: Settings) -> bool:
    return settings.slack_app_token is not None and settings.slack_bot_token is not None


def build_web_app(
    settings: Settings, service: BotService, *, database_ok: Callable[[], bool] | None = None
) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    app[SERVICE] = service
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
    else:
        app[ARTIFACT_DIR] = settings.oews_artifact_dir
        app.router.add_get("/charts/{token}", chart)  # links made by other instances
    if not mounted and not socket_mode(settings):
        logger.warning("neither Slack nor Teams is configured; only /healthz is served (see README)")
    logger.info("serving %s", ", ".join(mounted) or "nothing but /healthz over HTTP")
    return app


def run_server(settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Serve HTTP (verify, queue, ack) and run ``workers`` worker processes beside it.

    On SQLite the serving process loads the engine only if it must answer itself (the store
    cannot queue); with a server database it opens it at once, so that a wrong URL stops
    ``serve`` and ``/healthz`` can say when the database is down."""
    from agents.oews.database import ensure_database
    from agents.sql.gateway import database_ok
    from bot.app import build_service, open_engine

    database_check: Callable[[], bool] | None = None
    engine = None
    if settings.database_url is not None:
        engine = opened = open_engine(settings)
        database_check = lambda: database_ok(opened.gateway)  # noqa: E731
    elif settings.oews_database is None:
        ensure_database(settings.home)  # built once here, not by each worker at once
    service = build_service(settings, engine=engine, lazy=True)
    app = build_web_app(settings, service, database_ok=database_check)
    children = WorkerProcesses(workers).start()
    app[WORKERS] = children
    logger.info("started %d worker processes", workers)
    runner = None
    try:
        if socket_mode(settings):
            from adapters.slack import start_socket_mode

            runner = start_socket_mode(service=service, settings=settings)
            logger.info("Slack connected over Socket Mode")
        web.run_app(app, host=host, port=port, print=None)
    finally:
        if runner is not None:
            runner.stop()
        children.stop()
