"""The composition root hands the settings to the workflow as a ``WorkflowConfig``."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.workflow.registry import RegistryError
from bot.app import build_service, workflow_config
from bot.config import Settings


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
