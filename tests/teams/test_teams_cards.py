"""Cards and charts within Teams' limits: trimming, chart placement, the expiring chart store."""

from __future__ import annotations

import base64
import io
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from PIL import Image

from adapters.teams.cards import CARD_LIMIT, answer_card, card_size, clarification_card, trace_card
from adapters.teams.chart_images import ChartStore, data_uri, place_chart
from agents.answer import Clarification, ClarifyOption
from agents.table import Column, Table
from agents.trace import Plan, PlanStep, Replan, Trace, TraceStep
from bot.store import BotStore, SqliteBotStore, StoreError
from bot.types import Answer


def png(width: int, height: int, *, noisy: bool = False) -> bytes:
    image = (
        Image.effect_noise((width, height), 80).convert("RGB") if noisy else Image.new("RGB", (width, height))
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def striped_chart() -> bytes:
    chart = Image.new("RGB", (900, 500), "white")
    for x in range(0, 900, 7):
        chart.paste((31, 111, 178), (x, 100 + x % 300, x + 4, 480))
    out = io.BytesIO()
    chart.save(out, "PNG", compress_level=0)
    return out.getvalue()


class BrokenStore:
    """A bot store that cannot keep anything (down, read-only, full)."""

    def put_artifact(self, key: str, content: bytes, *, content_type: str, ttl_s: float) -> None:
        raise StoreError("put_artifact", "the store is down")

    def get_artifact(self, key: str) -> tuple[bytes, str] | None:
        raise StoreError("get_artifact", "the store is down")


def two_instances(tmp_path: Path, **kwargs: Any) -> tuple[ChartStore, ChartStore]:
    """Two instances of the bot, each with its own store file and the same OEWS_ARTIFACT_DIR."""
    stores = [SqliteBotStore(tmp_path / f"{name}.sqlite") for name in ("a", "b")]
    return tuple(ChartStore(backing=s, directory=tmp_path / "artifacts", **kwargs) for s in stores)  # type: ignore[return-value]


def test_a_chart_kept_in_the_shared_directory_is_served_by_every_instance_until_it_expires(
    tmp_path: Path,
) -> None:
    now = [time.time()]
    a, b = two_instances(tmp_path, ttl_s=60, clock=lambda: now[0])
    token = a.put(b"\x89PNG-a")
    assert token is not None and len(token) >= 32
    assert a.get(token) == b.get(token) == b"\x89PNG-a"
    assert b.get("../a.sqlite") is None and b.get(token[:-1]) is None
    now[0] += 61
    assert b.get(token) is None and not (tmp_path / "artifacts" / f"{token}.png").exists()


def test_a_chart_kept_in_the_store_is_served_by_every_instance_on_that_store(tmp_path: Path) -> None:
    store = SqliteBotStore(tmp_path / "bot.sqlite")
    token = ChartStore(backing=store).put(b"\x89PNG-s")
    assert token is not None
    assert ChartStore(backing=SqliteBotStore(tmp_path / "bot.sqlite")).get(token) == b"\x89PNG-s"


def test_a_chart_no_shared_place_can_keep_gets_no_link_but_the_smaller_copy_inline() -> None:
    # Kept only in the memory of the process that drew it (a worker, which serves no HTTP), a
    # link would answer 404 from every instance.
    store = ChartStore(backing=cast(BotStore, BrokenStore()))
    large = striped_chart()
    assert len(data_uri(large)) > 12_000
    image = place_chart(large, room=12_000, store=store, public_url="https://bot.example.com/")
    assert store.put(large) is None
    assert image is not None and image.inline and len(image.url) <= 12_000


def test_with_the_store_down_a_chart_goes_to_the_shared_directory(tmp_path: Path) -> None:
    down = ChartStore(backing=cast(BotStore, BrokenStore()), directory=tmp_path / "artifacts")
    token = down.put(b"\x89PNG-d")
    assert token is not None
    assert ChartStore(backing=None, directory=tmp_path / "artifacts").get(token) == b"\x89PNG-d"


def test_small_chart_goes_inline() -> None:
    small = png(40, 30)
    image = place_chart(small, room=20_000, store=ChartStore(backing=None), public_url=None)
    assert image is not None and image.inline and image.url == data_uri(small)


def test_large_chart_goes_to_the_public_url_when_there_is_one(tmp_path: Path) -> None:
    store = ChartStore(backing=SqliteBotStore(tmp_path / "bot.sqlite"))
    large = png(400, 300, noisy=True)
    image = place_chart(large, room=5_000, store=store, public_url="https://bot.example.com/")
    assert image is not None and not image.inline
    assert image.url.startswith("https://bot.example.com/charts/")
    assert store.get(image.url.rsplit("/", 1)[1]) == large


def test_large_chart_is_shrunk_to_fit_without_a_public_url() -> None:
    room = 12_000
    image = place_chart(striped_chart(), room=room, store=ChartStore(backing=None), public_url=None)
    assert image is not None and image.inline and len(image.url) <= room
    assert Image.open(io.BytesIO(base64.b64decode(image.url.split(",", 1)[1]))).width >= 450


def test_chart_that_cannot_fit_is_left_out() -> None:
    noisy = png(600, 600, noisy=True)
    assert place_chart(noisy, room=2_000, store=ChartStore(backing=None), public_url=None) is None


def test_answer_card_shows_at_most_twenty_rows_and_says_how_many_are_hidden() -> None:
    table = Table(
        title="Many",
        columns=(Column(name="Area"), Column(name="Median", kind="usd_annual")),
        rows=tuple((f"Area {i}", 1) for i in range(30)),
    )
    answer = Answer(status="answer", text="Lots of rows.", trace_id="tr-0123456789ab", tables=(table,))
    card = answer_card(answer, chart_missing=True)
    table_element = next(e for e in card["body"] if e["type"] == "Table")
    assert len(table_element["rows"]) == 21
    texts = [e.get("text", "") for e in card["body"]]
    assert "… 10 more rows not shown." in texts
    assert any(t.startswith("Chart not available in Teams") for t in texts)


def test_clarification_card_has_one_button_per_option_up_to_six() -> None:
    options = tuple(
        ClarifyOption(label=f"Springfield {i}", question=f"nurses in Springfield {i}") for i in range(8)
    )
    answer = Answer(
        status="clarification",
        text="Which Springfield?",
        trace_id="tr-0123456789ab",
        clarification=Clarification(question="Which Springfield?", options=options),
    )
    card = clarification_card(answer)
    assert [a["data"]["question"] for a in card["actions"]] == [
        f"nurses in Springfield {i}" for i in range(6)
    ]


def test_huge_trace_is_trimmed_to_the_card_limit() -> None:
    steps = [
        TraceStep(
            agent="text_to_sql",
            kind="sql",
            model="gpt-4.1-mini",
            started_at=datetime.now(UTC),
            duration_ms=12.5,
            sql="SELECT " + "a_median, " * 200 + "1",
            params=["x" * 500],
            row_count=3,
            tokens_in=100,
            tokens_out=20,
            cost_usd=0.0012,
        )
        for _ in range(60)
    ]
    trace = Trace(
        question="q" * 2_000,
        plan=Plan(source="gpt-4.1", steps=[PlanStep(id=1, agent="text_to_sql", goal="query")]),
        replans=[Replan(attempt=1, reason="no rows for that area")],
        steps=steps,
        answer_kind="answer",
        total_ms=1234.0,
        models={"reasoning": "gpt-4.1"},
    )
    card = trace_card(trace)
    assert card_size(card) <= CARD_LIMIT
    texts = [e.get("text", "") for e in card["body"]]
    assert any("more steps not shown" in t and trace.id in t for t in texts)
    assert "Replan 1: no rows for that area" in texts
    assert any(
        t.startswith("1. text_to_sql · sql · gpt-4.1-mini · 12.5 ms · 3 rows · 120 tokens") for t in texts
    )
