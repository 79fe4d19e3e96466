"""Reshaping an answer by a click, in Teams and Slack, end to end over loopback HTTP.

    python bench/bench_reshape.py [--database PATH] [--surface teams|slack|both]

Teams: serves the real bot (authentication ON, a local OpenID issuer, a fake Bot Connector),
asks a few seed questions in a channel, then clicks every reshape option (place, year,
measure, view) and suggested follow-up of each answer, one after the other, and prints:

- click -> HTTP response of ``/api/messages`` (the ack; the offline engine answers within it);
- click -> the new answer card at the connector, in the same reply chain.

Slack: serves the real Bolt app on aiohttp with its queue workers (signed requests, the fake
Web API), mentions the bot with the same seeds, then chooses every option of each answer's
"Change this answer…" menu (the CSV file aside) and clicks every suggested next question:

- click -> HTTP response of ``POST /slack/events`` (the ack: the click is queued as a job);
- click -> the new answer's ``chat.postMessage`` in the answer's thread (a worker answered it).

Targets: ack ≤ 300 ms, new answer ≤ 1 s.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.oews.database import ensure_database
from bench.bench_teams import report
from bot.app import build_service
from bot.config import Settings
from tests.slack.fake_slack import Call, FakeSlack
from tests.slack.harness import Reply, SlackServer, buttons, mention, menu_options, settings_for
from tests.teams.harness import APP_ID, TENANT, FakeConnector, OpenIdServer, TeamsBot, new_key

SEEDS = (
    "what do registered nurses make in Seattle?",
    "median pay for electricians in texas",
    "registered nurses median pay nationally",
    "salary range for software developers in california",
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", type=Path, help="an OEWS database (default: build or reuse the home one)"
    )
    parser.add_argument("--surface", choices=("teams", "slack", "both"), default="both")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    database = args.database or ensure_database(Settings().home)
    if args.surface in ("teams", "both"):
        bench_teams(database)
    if args.surface in ("slack", "both"):
        bench_slack(database)


def bench_teams(database: Path) -> None:
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
            acks, replies = [], []
            for seed in SEEDS:
                channel = teams.channel()
                card = post(teams, channel.message(seed))[2].card or {}
                for data in clicks(card):
                    ack_s, reply_s, _ = post(teams, channel.submit(data))
                    acks.append(ack_s)
                    replies.append(reply_s)
            report("Teams: click -> HTTP response (ack)", acks)
            report("Teams: click -> new answer at the connector", replies)
        finally:
            teams.close()
            connector.close()
            openid.close()


def clicks(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The data of every reshape choice and follow-up button of an answer card."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if node.get("type") == "Input.ChoiceSet":
                found.extend({"value": c["value"]} for c in node["choices"])
            if node.get("type") == "Action.Submit" and node["data"].get("oews") == "reshape":
                found.append(dict(node["data"]))
            for value in node.values():
                walk(value)

    walk(card)
    ask = next((d for d in found if "oews" in d and "reshape" not in d), None)
    out = [d for d in found if "reshape" in d]
    if ask is not None:
        out += [{**ask, "reshape": d["value"]} for d in found if "value" in d]
    return out


def post(teams: TeamsBot, activity: dict[str, Any]) -> tuple[float, float, Any]:
    token = teams.openid.mint(activity["serviceUrl"]) if teams.openid else None
    before = len(teams.connector.messages())
    started = time.perf_counter()
    status, response_s = teams.server.post(activity, token=token)
    if status != 201:
        raise SystemExit(f"/api/messages answered {status}")
    reply = teams.connector.wait_for_messages(before + 1)[before]
    return response_s, reply.received_at - started, reply


def bench_slack(database: Path) -> None:
    fake = FakeSlack().start()
    with tempfile.TemporaryDirectory() as home:
        settings = settings_for(
            fake, Path(home), oews_database=database, **{f"oews_{k}": 100_000 for k in _LIMITS}
        )
        slack = SlackServer(fake, build_service(settings), settings).start()
        try:
            acks, replies = [], []
            for n, seed in enumerate(SEEDS):
                answer = slack_answer(slack, fake, seed, ts=f"{9000 + n}.000001")
                for choose in slack_clicks(slack, answer):
                    ack_s, reply_s = slack_click(fake, choose)
                    acks.append(ack_s)
                    replies.append(reply_s)
            report("Slack: click -> HTTP response (ack)", acks)
            report("Slack: click -> new answer in the thread", replies)
        finally:
            slack.stop()
            fake.stop()


_LIMITS = (
    "rate_per_user_per_minute",
    "rate_per_workspace_per_minute",
    "daily_quota_per_user",
    "daily_quota_per_workspace",
)


def slack_answer(slack: SlackServer, fake: FakeSlack, question: str, *, ts: str) -> Call:
    mark = fake.mark()
    slack.event(mention(question, ts=ts))
    fake.wait_method(mark, "reactions.remove", timeout=30)
    return fake.since(mark, "chat.postMessage")[0]


def slack_clicks(slack: SlackServer, answer: Call) -> list[Callable[[], Reply]]:
    """One click per menu option (the CSV file aside) and per suggested next question."""
    blocks = answer.blocks()
    options = [label for label, o in menu_options(blocks, "oews_reshape").items() if o["value"] != "csv"]
    follow = [k for k in buttons(blocks) if k.startswith("oews_followup_")]
    return [
        *(lambda label=label: slack.choose(answer, label) for label in options),  # type: ignore[misc]
        *(lambda key=key: slack.click(answer, key) for key in follow),  # type: ignore[misc]
    ]


def slack_click(fake: FakeSlack, choose: Callable[[], Reply]) -> tuple[float, float]:
    mark = fake.mark()
    started = time.monotonic()
    reply = choose()
    if reply.status != 200:
        raise SystemExit(f"/slack/events answered {reply.status}")
    [posted, *_] = fake.wait_method(mark, "chat.postMessage", timeout=30)
    fake.settle(mark, quiet=0.05)  # the chart upload, if any, before the next click
    return reply.elapsed_ms / 1000, posted.at - started


if __name__ == "__main__":
    main()
