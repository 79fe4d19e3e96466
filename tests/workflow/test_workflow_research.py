"""Web research: the Tavily-style provider over real HTTP, and its place in the workflow."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from agents.engine.engine import OewsEngine
from agents.research import ResearchError, TavilySearch, research_topics
from agents.workflow.config import WorkflowConfig
from agents.workflow.graph import Workflow
from tests.offline import ask_offline
from tests.workflow.conftest import LOOKUP_SQL, ask, model_config, plan, run_sql, write
from tests.workflow.fake_llm import FakeLLM

RESULTS = {
    "results": [
        {
            "title": "Cost of living in Seattle",
            "url": "https://example.org/seattle-col",
            "content": "Seattle's cost of living is 52% above the national average.",
            "score": 0.9,
        },
        {"title": "no url"},
        {"title": "Not a web link", "url": "javascript:alert(1)", "content": "x"},
    ]
}


class FakeSearch:
    """``POST /search`` answering ``payload`` (or a status, after a delay); records requests."""

    def __init__(self, payload: Any = None, status: int = 200, delay_s: float = 0.0) -> None:
        self.payload, self.status, self.delay_s = payload if payload is not None else RESULTS, status, delay_s
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append((dict(self.headers), body))
                time.sleep(fake.delay_s)
                data = json.dumps(fake.payload).encode() if self.path == "/v1/search" else b"{}"
                try:
                    self.send_response(fake.status if self.path == "/v1/search" else 404)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.005,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def search() -> Iterator[Callable[..., FakeSearch]]:
    started: list[FakeSearch] = []

    def start(**kwargs: Any) -> FakeSearch:
        started.append(FakeSearch(**kwargs))
        return started[-1]

    yield start
    for s in started:
        s.stop()


def test_the_provider_posts_the_query_with_the_key_and_keeps_valid_results(
    search: Callable[..., FakeSearch],
) -> None:
    server = search()
    hits = TavilySearch(base_url=server.url + "/", api_key="tv-secret", timeout_s=2).search("seattle rent")
    assert [h.url for h in hits] == ["https://example.org/seattle-col"]
    headers, body = server.requests[0]
    assert headers["Authorization"] == "Bearer tv-secret" and body["query"] == "seattle rent"
    assert body["max_results"] == 3
    assert "tv-secret" not in repr(TavilySearch(base_url=server.url, api_key="tv-secret", timeout_s=1))


@pytest.mark.parametrize(
    "kwargs", [{"status": 500}, {"payload": {"answer": "no results key"}}, {"delay_s": 1.0}]
)
def test_a_failing_provider_raises_research_error(
    search: Callable[..., FakeSearch], kwargs: dict[str, Any]
) -> None:
    server = search(**kwargs)
    with pytest.raises(ResearchError):
        TavilySearch(base_url=server.url, api_key=None, timeout_s=0.3).search("q")


def test_an_unreachable_provider_raises_research_error() -> None:
    with pytest.raises(ResearchError, match="search failed"):
        TavilySearch(base_url="http://127.0.0.1:9", api_key=None, timeout_s=0.5).search("q")


def test_research_topics() -> None:
    assert research_topics("nurse pay vs cost of living in Seattle") == ("cost of living",)
    assert research_topics("how many accountants work at accounting/tax prep firms") == ()
    assert research_topics("after-tax take-home pay of teachers") == ("taxes",)


QUESTION = "median pay for registered nurses in Seattle and the rent there"
REFUSED = "what is the cost of living in Seattle compared with other places"
NEAR_SCOPE = "registered nurse median pay in Seattle compared with the cost of living there"


def test_offline_with_research_cites_sources_labelled_as_not_oews(
    engine: OewsEngine, search: Callable[..., FakeSearch]
) -> None:
    server = search()
    workflow = Workflow(engine, config=WorkflowConfig(web_search_url=server.url, web_search_key="k"))
    answer, trace = ask(workflow, QUESTION)
    assert answer.text.startswith(ask_offline(engine, QUESTION).text)
    assert (
        "\n\nFrom the web (not OEWS data):\n[1] Cost of living in Seattle: "
        "Seattle's cost of living is 52% above"
        in answer.text
        and "<https://example.org/seattle-col>" in answer.text
    )
    assert "Web sources are not BLS OEWS data and were not checked by oews-bot." in answer.caveats
    assert [s.agent for s in trace.plan.steps] == ["text_to_sql", "web_research", "chart", "synthesizer"]  # type: ignore[union-attr]
    assert server.requests[0][1]["query"] == QUESTION


def test_offline_a_topic_oews_lacks_gets_the_scope_and_the_sources(
    engine: OewsEngine, search: Callable[..., FakeSearch]
) -> None:
    server = search()
    answer, trace = ask(Workflow(engine, config=WorkflowConfig(web_search_url=server.url)), REFUSED)
    assert answer.kind == "refusal"
    assert answer.text.startswith("OEWS has wages and employment, not prices or the cost of living.")
    assert "[1] Cost of living in Seattle" in answer.text and not answer.sql
    assert [s.agent for s in trace.plan.steps] == ["web_research", "synthesizer"]  # type: ignore[union-attr]


def test_a_provider_that_is_down_still_gets_an_oews_answer(
    engine: OewsEngine, search: Callable[..., FakeSearch]
) -> None:
    server = search(status=503)
    answer, trace = ask(Workflow(engine, config=WorkflowConfig(web_search_url=server.url)), QUESTION)
    assert answer.kind == "answer" and answer.text == ask_offline(engine, QUESTION).text
    assert "Web research was unavailable, so this answer uses OEWS data only." in answer.caveats
    assert (
        next(s for s in trace.steps if s.agent == "web_research").error
        == "search failed: HTTPError: HTTP 503"
    )


def test_with_research_off_the_answer_says_what_oews_does_not_cover(engine: OewsEngine) -> None:
    answer, trace = ask(Workflow(engine), QUESTION)
    assert answer.text == ask_offline(engine, QUESTION).text
    assert "OEWS has wages, not prices, rents or taxes" in answer.text  # said once, by the engine
    refused, _ = ask(Workflow(engine), REFUSED)
    assert refused.kind == "refusal" and "not prices or the cost of living" in refused.text
    near, _ = ask(Workflow(engine), NEAR_SCOPE)  # an occupation named: its OEWS pay, and what OEWS lacks
    assert near.kind == "answer" and "OEWS has wages, not prices" in near.text and "$" in near.text
    assert "web_research" not in [s.agent for s in trace.plan.steps]  # type: ignore[union-attr]


def test_the_model_plans_research_and_cites_it(
    engine: OewsEngine, fake: Callable[..., FakeLLM], search: Callable[..., FakeSearch]
) -> None:
    web = search()
    server = fake(
        planner=[
            plan(
                ("text_to_sql", "median annual wage of registered nurses in the Seattle metro"),
                ("web_research", "Seattle cost of living index"),
                ("synthesizer", ""),
            )
        ],
        text_to_sql=[run_sql(LOOKUP_SQL, 2025, "000000", "42660", "29-1141")],
        synthesizer=[
            write(
                "In May 2025 the median annual wage of Registered Nurses (29-1141) in "
                "Seattle-Tacoma-Bellevue, WA was $128,260. A web source puts Seattle's cost of living "
                "52% above the national average [1]."
            )
        ],
    )
    config = model_config(server, web_search_url=web.url)
    answer, _ = ask(Workflow(engine, config=config), QUESTION)  # research topic: no fast path
    assert answer.text.startswith("In May 2025 the median annual wage") and "52% above" in answer.text
    assert "<https://example.org/seattle-col>" in answer.text
    assert web.requests[0][1]["query"] == "Seattle cost of living index"
    assert "Web results (NOT OEWS data" in server.by_role("synthesizer")[0].user
    assert "web_research: searches the web" in server.by_role("planner")[0].system


def test_with_research_off_the_planner_is_told_and_a_research_step_is_dropped(
    engine: OewsEngine, fake: Callable[..., FakeLLM]
) -> None:
    server = fake(
        planner=[
            plan(
                ("text_to_sql", "median annual wage of registered nurses in the Seattle metro"),
                ("web_research", "Seattle cost of living"),
                ("synthesizer", ""),
            )
        ],
        text_to_sql=[run_sql(LOOKUP_SQL, 2025, "000000", "42660", "29-1141")],
        synthesizer=[
            write(
                "In May 2025 the median annual wage of Registered Nurses (29-1141) in "
                "Seattle-Tacoma-Bellevue, WA was $128,260."
            )
        ],
    )
    answer, trace = ask(Workflow(engine, config=model_config(server)), QUESTION)
    assert "web_research: not available" in server.by_role("planner")[0].system
    assert "web_research" not in [s.agent for s in trace.plan.steps]  # type: ignore[union-attr]
    assert any("it does not cover housing costs" in c for c in answer.caveats)
