"""The composition root hands the settings to the workflow as a ``WorkflowConfig``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from agents.workflow.registry import RegistryError
from bot.app import build_service, workflow_config
from bot.config import Settings
from bot.types import Question
from tests.workflow.conftest import LOOKUP_SQL, plan, run_sql, write
from tests.workflow.fake_llm import FakeLLM


def test_settings_become_the_workflow_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OEWS_IMPLEMENTATION_MODEL", "gpt-4o-mini")
    monkeypatch.setenv("OEWS_LLM_TIMEOUT_S", "7.5")
    monkeypatch.setenv("OEWS_MAX_REPLANS", "1")
    monkeypatch.setenv("OEWS_WEB_SEARCH_URL", "http://127.0.0.1:9/search-api")
    monkeypatch.setenv("OEWS_WEB_SEARCH_KEY", "tv-secret")
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://example.openai.azure.com")
    config = workflow_config(Settings())
    assert config.api_key == "sk-very-secret" and config.base_url == "http://127.0.0.1:9/v1"
    assert config.implementation_model == "gpt-4o-mini" and config.reasoning_model == "gpt-4.1"
    assert (config.timeout_s, config.max_replans) == (7.5, 1)
    assert config.web_search_url == "http://127.0.0.1:9/search-api" and config.web_search_key == "tv-secret"
    assert config.env["AZURE_OPENAI_ENDPOINT"] == "https://example.openai.azure.com"
    assert "secret" not in repr(config)


def test_the_service_runs_the_configured_workflow(
    oews_db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OEWS_HOME", str(tmp_path))
    monkeypatch.setenv("OEWS_DATABASE", str(oews_db))
    monkeypatch.setenv("OEWS_MAX_REPLANS", "0")
    service = build_service(Settings())
    assert service.workflow.config.max_replans == 0  # type: ignore[attr-defined]
    assert service.workflow.config.model_configured is False  # type: ignore[attr-defined]


def test_an_invalid_registry_file_stops_startup_with_the_reason(
    oews_db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = tmp_path / "models.toml"
    bad.write_text("[[models]]\nname = 'x'\nprovider = 'nope'\n", encoding="utf-8")
    monkeypatch.setenv("OEWS_HOME", str(tmp_path))
    monkeypatch.setenv("OEWS_DATABASE", str(oews_db))
    monkeypatch.setenv("OEWS_MODELS_FILE", str(bad))
    with pytest.raises(RegistryError) as raised:
        build_service(Settings())
    assert "models.0.provider" in raised.value.user_message and str(bad) in raised.value.user_message


@pytest.mark.slow(seconds=3)
def test_a_chat_question_naming_a_model_is_answered_by_it_and_its_cost_recorded(
    oews_db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake: Callable[..., FakeLLM]
) -> None:
    server = fake(
        planner=[
            plan(
                ("text_to_sql", "median annual wage of registered nurses in the Seattle metro"),
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
    for key, value in {
        "OEWS_HOME": str(tmp_path),
        "OEWS_DATABASE": str(oews_db),
        "OPENAI_BASE_URL": server.base_url,
    }.items():
        monkeypatch.setenv(key, value)
    service = build_service(Settings())
    question = Question(
        text="what do RNs make in Seattle?",
        platform="slack",
        workspace="T1",
        channel="C1",
        user="U1",
        model="gpt-4o-mini",
    )
    service.access.allow("slack", ("T1",))
    answer = service.answer(question, render_chart=False)
    assert answer.status == "answer" and "$128,260" in answer.text
    assert {r.model for r in server.requests if r.role != "planner"} == {"gpt-4o-mini"}
    stored = service.trace(answer.trace_id, workspace="T1")
    assert stored is not None and stored.models == {"reasoning": "gpt-4.1", "implementation": "gpt-4o-mini"}
    assert stored.tokens_in > 0 and stored.cost_usd > 0
    usage, _ = service.usage("slack", "T1", "U1")
    assert usage is not None and usage.tokens_in == stored.tokens_in
