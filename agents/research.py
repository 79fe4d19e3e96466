"""Web research: context that OEWS does not have (cost of living, population, taxes …).

Optional and off unless configured.  ``ResearchProvider`` is the interface; ``TavilySearch``
is the one real implementation, for any Tavily-style search API (``POST {base_url}/search``
with a bearer key, answering ``{"results": [{"title", "url", "content"}, …]}``).  Results are
always cited by URL and labelled as not OEWS data by the workflow.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agents.errors import OewsError

logger = logging.getLogger(__name__)

MAX_CONTENT_CHARS = 600
MAX_RESULTS = 3

# What people ask for that OEWS does not publish (a web search may help).
_TOPICS = {
    "cost of living": r"cost[- ]of[- ]living|living costs?|affordab\w*",
    "housing costs": r"\brent\b|\brents\b|\bhousing\b|home prices?|mortgage",
    "population": r"population|how many people live",
    "taxes": r"\b(income|sales|property|state|payroll) tax(es)?\b|\btax (rate|burden)s?\b|after[- ]tax"
    r"|take[- ]home",
    "inflation": r"inflation|real wages?|purchasing power",
    "unemployment": r"unemployment|jobless",
    "job openings": r"job openings|openings|vacanc\w+|hiring demand",
    "news": r"\bnews\b|layoffs?",
}
_TOPIC_RES = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in _TOPICS.items()}


def research_topics(question: str) -> tuple[str, ...]:
    """The topics of ``question`` that OEWS does not cover, e.g. ("cost of living",)."""
    return tuple(name for name, pattern in _TOPIC_RES.items() if pattern.search(question))


class ResearchError(OewsError):
    """The search provider failed (down, timed out, or answered nonsense)."""

    user_message = "Web research is unavailable right now."


class ResearchHit(BaseModel):
    model_config = ConfigDict(frozen=True)

    title: str = ""
    url: str = Field(min_length=1, max_length=2000)
    content: str = ""


class ResearchProvider(Protocol):
    name: str

    def search(self, query: str, *, max_results: int = MAX_RESULTS) -> list[ResearchHit]: ...


class TavilySearch:
    """A Tavily-style search API: ``POST {base_url}/search``; every call has a timeout."""

    name = "web search"

    def __init__(self, *, base_url: str, api_key: str | None, timeout_s: float) -> None:
        self.url = base_url.rstrip("/") + "/search"
        self._api_key = api_key
        self.timeout_s = timeout_s

    def __repr__(self) -> str:
        return f"TavilySearch(url={self.url!r})"

    def search(self, query: str, *, max_results: int = MAX_RESULTS) -> list[ResearchHit]:
        body = json.dumps({"query": query[:400], "max_results": max_results, "search_depth": "basic"})
        request = urllib.request.Request(self.url, data=body.encode(), method="POST", headers=self._headers())
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                payload = json.loads(response.read(2_000_000))
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as e:
            if isinstance(e, urllib.error.HTTPError):
                e.close()  # the error holds the connection open
            raise ResearchError(f"search failed: {type(e).__name__}: {_reason(e)}") from e
        return _hits(payload, max_results)

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers


def _reason(error: Exception) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code}"
    return str(getattr(error, "reason", "") or error)[:200]


def _hits(payload: Any, max_results: int) -> list[ResearchHit]:
    results = payload.get("results") if isinstance(payload, dict) else None
    if not isinstance(results, list):
        raise ResearchError("search answered without a results list")
    hits: list[ResearchHit] = []
    for item in results[:max_results]:
        try:
            hit = ResearchHit.model_validate(item, strict=False)
        except ValidationError:
            logger.info("skipping a malformed search result")
            continue
        if hit.url.startswith(("http://", "https://")):
            hits.append(
                hit.model_copy(
                    update={
                        "title": " ".join(hit.title.split())[:200],
                        "content": " ".join(hit.content.split())[:MAX_CONTENT_CHARS],
                    }
                )
            )
    return hits
