"""Teams adapter latency, end to end over loopback HTTP.

    python bench/bench_teams.py [--questions 50] [--database PATH]

Serves the real bot (``mount_teams`` on aiohttp, authentication ON with a local OpenID issuer
and RS256 tokens) and a fake Bot Connector, then posts Teams-shaped 1:1 messages one after the
other and prints, over ``--questions`` questions (after a warm-up):

- POST -> reply: from the start of the ``POST /api/messages`` to the answer card arriving at the
  fake connector (token check, typing indicator, answer, card rendering, connector call);
- HTTP response: how long ``/api/messages`` kept the request open (Bot Framework allows 15 s).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.oews.database import ensure_database
from bench.questions import QUESTIONS
from bot.app import build_service
from bot.config import Settings
from tests.teams.harness import APP_ID, TENANT, FakeConnector, OpenIdServer, TeamsBot, new_key


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument(
        "--database", type=Path, help="an OEWS database (default: build or reuse the home one)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    database = args.database or ensure_database(Settings().home)
    connector, openid = FakeConnector(), OpenIdServer(new_key())
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(
            oews_home=Path(home),
            oews_database=database,
            MicrosoftAppId=APP_ID,
            MicrosoftAppPassword="bench",
            MicrosoftAppType="SingleTenant",
            MicrosoftAppTenantId=TENANT,
            to_bot_from_channel_openid_metadata_url=openid.metadata_url,
            oews_rate_per_user_per_minute=100_000,
            oews_rate_per_workspace_per_minute=100_000,
            oews_daily_quota_per_user=100_000,
            oews_daily_quota_per_workspace=100_000,
        )
        teams = TeamsBot(
            service=build_service(settings), settings=settings, connector=connector, openid=openid
        )
        try:
            run(teams, args.questions)
        finally:
            teams.close()
            connector.close()
            openid.close()


def run(teams: TeamsBot, count: int) -> None:
    for question in QUESTIONS[:3]:  # warm-up: metadata fetch, first SQL, first chart
        ask(teams, question)
    replies, responses, charts = [], [], []
    for i in range(count):
        reply_s, response_s, has_chart = ask(teams, QUESTIONS[i % len(QUESTIONS)])
        replies.append(reply_s)
        responses.append(response_s)
        charts.append(has_chart)
    report("POST -> reply at the connector", replies)
    report("HTTP response of /api/messages", responses)
    report("  answers with a chart (POST -> reply)", [r for r, c in zip(replies, charts, strict=True) if c])
    report(
        "  answers without a chart (POST -> reply)",
        [r for r, c in zip(replies, charts, strict=True) if not c],
    )


def ask(teams: TeamsBot, question: str) -> tuple[float, float, bool]:
    """(seconds to the reply, seconds to the HTTP response, whether the card has an image)."""
    activity = teams.chat().message(question)
    token = teams.openid.mint(activity["serviceUrl"]) if teams.openid else None
    before = len(teams.connector.messages())
    started = time.perf_counter()
    status, response_s = teams.server.post(activity, token=token)
    if status != 201:
        raise SystemExit(f"/api/messages answered {status} for {question!r}")
    reply = teams.connector.wait_for_messages(before + 1)[before]
    has_chart = any(e.get("type") == "Image" for e in (reply.card or {}).get("body", []))
    return reply.received_at - started, response_s, has_chart


def report(label: str, seconds: list[float]) -> None:
    if not seconds:
        return
    ms = sorted(s * 1000 for s in seconds)
    p90 = ms[min(len(ms) - 1, round(0.9 * (len(ms) - 1)))]
    print(
        f"{label:<44} n={len(ms):<3} median {statistics.median(ms):7.1f} ms   p90 {p90:7.1f} ms   "
        f"max {ms[-1]:7.1f} ms"
    )


if __name__ == "__main__":
    main()
