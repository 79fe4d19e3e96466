"""What the adapter builds stays readable and inside Slack's limits; the manifest matches the code."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from adapters.slack import EVENTS_PATH
from adapters.slack.blocks import answer_blocks, format_table, table_section
from adapters.slack.incoming import SlashRequest, parse_slash, strip_mention
from adapters.slack.trace_view import trace_modal
from agents.answer import Clarification, ClarifyOption
from agents.table import Column, Table
from agents.trace import Plan, PlanStep, Replan, Trace, TraceStep
from bot.types import Answer

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("median pay in Ohio", SlashRequest(question="median pay in Ohio")),
        ("-p median pay in Ohio", SlashRequest(question="median pay in Ohio", private=True)),
        ("--private  median pay", SlashRequest(question="median pay", private=True)),
        ("--model gpt-4.1 pay in Ohio", SlashRequest(question="pay in Ohio", model="gpt-4.1")),
        (
            "--reasoning-model=o3 -p --model 'm-1' x",
            SlashRequest(question="x", private=True, model="m-1", reasoning_model="o3"),
        ),
        ("-5% pay change?", SlashRequest(question="-5% pay change?")),
        ("help", SlashRequest(question="help", wants_help=True)),
        ("", SlashRequest(question="", wants_help=True)),
    ],
)
def test_slash_command_options(text: str, expected: SlashRequest) -> None:
    assert parse_slash(text) == expected


MEDIAN_BY_AREA = (Column(name="Area"), Column(name="Median", kind="usd_annual"))


def test_only_the_bots_own_mention_is_stripped() -> None:
    text = "<@UBOT> pay for <@U123>'s job <@UBOT|oews> in <https://x.example|Ohio>"
    assert strip_mention(text, "UBOT") == "pay for <@U123>'s job   in <https://x.example|Ohio>"


def test_answer_text_cannot_ping_or_link() -> None:
    answer = Answer(status="answer", text="<!channel> <@U1> & <https://evil.example|x>", trace_id="tr-1")
    shown = json.dumps(answer_blocks(answer))
    assert "<!channel>" not in shown and "<https://" not in shown
    assert "&lt;!channel&gt; &lt;@U1&gt; &amp;" in shown


def test_huge_answer_stays_within_message_limits() -> None:
    table = Table(title="Big", columns=MEDIAN_BY_AREA, rows=tuple((f"Area {n}", n) for n in range(900)))
    options = tuple(ClarifyOption(label="L" * 200, question="Q" * 5000) for _ in range(40))
    answer = Answer(
        status="clarification",
        text="word " * 8000,
        trace_id="tr-1",
        tables=(table,) * 5,
        caveats=tuple("c" * 4000 for _ in range(15)),
        clarification=Clarification(question="Which?", options=options),
    )
    blocks = answer_blocks(answer, asked_by="U1", question="q" * 40_000)
    assert len(blocks) <= 50
    for block in blocks:
        texts = [block["text"]["text"]] if "text" in block else []
        texts += [e["text"] for e in block.get("elements", []) if e.get("type") == "mrkdwn"]
        assert all(len(t) <= 3000 for t in texts)
        assert len(block.get("elements", [])) <= 25
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75 and len(element["value"]) <= 2000


def test_table_is_monospace_with_numbers_right_aligned_and_cut_to_fit() -> None:
    table = Table(columns=MEDIAN_BY_AREA, rows=(("Seattle", 128260), ("Boise", 9050)))
    assert format_table(table) == [
        "Area       Median",
        "-------  --------",
        "Seattle  $128,260",
        "Boise      $9,050",
    ]
    big = Table(columns=MEDIAN_BY_AREA, rows=tuple((f"Area {n}", n) for n in range(500)))
    text = table_section(big)["text"]["text"]
    assert len(text) <= 3000 and text.startswith("```") and "more rows" in text


def test_trace_modal_of_a_huge_trace_stays_within_modal_limits() -> None:
    now = datetime.now(UTC)
    steps = [
        TraceStep(agent="text_to_sql", kind="sql", model="m", started_at=now, duration_ms=3.5,
                  sql="SELECT " + "x, " * 2000, params=["p" * 100] * 50, row_count=10_000, truncated=True,
                  sample_rows=[["r" * 1000] * 5] * 5, detail="d" * 1000, error="e" * 1000)
        for _ in range(200)
    ]  # fmt: skip
    plan = Plan(source="m", steps=[PlanStep(id=n, agent="text_to_sql", goal="g" * 50) for n in range(30)])
    trace = Trace(
        id="tr-0123456789ab", question="q" * 50_000, steps=steps, plan=plan, total_ms=12.0,
        replans=[Replan(attempt=n, reason="r" * 500) for n in range(20)], error="boom" * 500,
    )  # fmt: skip
    view = trace_modal(trace)
    assert len(view["blocks"]) <= 100
    assert len(view["title"]["text"]) <= 24
    texts = [b["text"]["text"] for b in view["blocks"] if "text" in b]
    texts += [e["text"] for b in view["blocks"] for e in b.get("elements", [])]
    assert all(len(t) <= 3000 for t in texts)
    assert "more steps not shown" in json.dumps(view)


def test_manifest_matches_what_the_adapter_serves() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    settings = manifest["settings"]
    url = f"https://YOUR-HOST{EVENTS_PATH}"
    assert settings["event_subscriptions"]["request_url"] == url
    assert settings["interactivity"] == {"is_enabled": True, "request_url": url}
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_home_opened", "app_mention", "message.channels", "message.groups", "message.im",
        "assistant_thread_started", "assistant_thread_context_changed",
    }  # fmt: skip
    [command] = manifest["features"]["slash_commands"]
    assert (command["command"], command["url"]) == ("/oews", url)
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "app_mentions:read", "channels:history", "groups:history", "im:history", "chat:write", "commands",
        "files:write", "reactions:write", "assistant:write", "im:write",
    }  # fmt: skip
    assert 175 <= len(manifest["display_information"]["long_description"]) <= 4000
