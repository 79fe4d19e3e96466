"""The model registry: the shipped file, validation of other files, configuration, overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.workflow.config import WorkflowConfig
from agents.workflow.registry import (
    DEFAULT_FILE,
    ModelRejected,
    RegistryError,
    RoleModels,
    choose_models,
    endpoint,
    format_models,
    load_registry,
    model_statuses,
)

AZURE = {"AZURE_OPENAI_ENDPOINT": "https://example.openai.azure.com", "AZURE_OPENAI_API_KEY": "az-secret"}


def test_the_shipped_registry_is_valid_and_covers_every_provider() -> None:
    registry = load_registry()
    assert {m.provider for m in registry.models} == {"openai", "azure", "openai-compatible"}
    assert all(m.context_window > 0 and m.input_usd_per_million >= 0 for m in registry.models)
    assert load_registry(DEFAULT_FILE) is load_registry(DEFAULT_FILE)  # read once


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("models = [", "not valid TOML"),
        ("[[models]]\nname = 'a'\nprovider = 'anthropic'\n", "models.0.provider"),
        ("[[models]]\nname = 'a'\n[[models]]\nname = 'A'\n", "duplicate model names: a"),
        ("[[models]]\nname = 'offline'\n", "reserved for the offline engine"),
        ("[[models]]\nname = 'z'\nprovider = 'azure'\n", "azure needs base_url"),
        ("[[models]]\nname = 'l'\nprovider = 'openai-compatible'\n", "needs base_url or base_url_env"),
        ("[[models]]\nname = 'p'\ninput_usd_per_million = -1\n", "greater than or equal to 0"),
        ("[[models]]\nname = 'r'\nroles = ['writer']\n", "models.0.roles"),
        ("[[models]]\nname = 't'\ntemperature = 0.2\n", "Extra inputs are not permitted"),
        ("", "models: Field required"),
    ],
)
def test_an_invalid_registry_file_is_refused_with_the_reason(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "models.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError, match="the model registry") as raised:
        load_registry(path)
    assert problem in str(raised.value)


def test_a_missing_registry_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="cannot read"):
        load_registry(tmp_path / "nope.toml")


def test_with_no_key_and_no_base_url_the_offline_engine_plays_both_roles() -> None:
    config = WorkflowConfig()
    chosen = choose_models(load_registry().with_defaults(config), config)
    assert chosen == RoleModels(None, None)


def test_the_default_provider_comes_from_the_key_or_the_base_url() -> None:
    registry = load_registry()
    keyed = WorkflowConfig(api_key="sk-test")
    spec = registry.get("gpt-4.1-mini")
    assert spec is not None
    where = endpoint(spec, keyed)
    assert where is not None and where.base_url is None and where.api_key == "sk-test"
    assert "sk-test" not in repr(where) and "sk-test" not in repr(keyed)
    local = endpoint(spec, WorkflowConfig(base_url="http://127.0.0.1:8000/v1"))
    assert (
        local is not None and local.base_url == "http://127.0.0.1:8000/v1" and local.api_key == "not-needed"
    )


def test_entries_with_their_own_environment_variables() -> None:
    registry = load_registry()
    azure, ollama = registry.get("azure-gpt-4.1-mini"), registry.get("ollama-llama3.1")
    assert azure is not None and ollama is not None
    assert endpoint(azure, WorkflowConfig(api_key="sk")) is None
    where = endpoint(azure, WorkflowConfig(env=AZURE))
    assert where is not None and where.base_url == AZURE["AZURE_OPENAI_ENDPOINT"]
    assert endpoint(ollama, WorkflowConfig(env={"OLLAMA_BASE_URL": "http://127.0.0.1:11434/v1"})) is not None


def test_a_default_model_missing_from_the_registry_is_used_at_an_unknown_price() -> None:
    config = WorkflowConfig(
        base_url="http://127.0.0.1:8000/v1", reasoning_model="qwen2.5-72b", implementation_model="qwen2.5-7b"
    )
    chosen = choose_models(load_registry().with_defaults(config), config)
    assert isinstance(chosen, RoleModels)
    assert chosen.name("reasoning") == "qwen2.5-72b" and chosen.name("implementation") == "qwen2.5-7b"
    assert chosen.implementation is not None and chosen.implementation.cost_usd(1000, 1000) == 0
    status = next(s for s in model_statuses(config) if s.name == "qwen2.5-7b")
    assert status.price == "unknown" and status.default_for == ("implementation",)


def test_overrides_are_validated_per_role() -> None:
    config = WorkflowConfig(api_key="sk-test", env=AZURE)
    registry = load_registry().with_defaults(config)
    chosen = choose_models(registry, config, model="GPT-4.1-NANO", reasoning_model="azure-gpt-4.1-mini")
    assert isinstance(chosen, RoleModels) and chosen.overridden
    assert (chosen.name("reasoning"), chosen.name("implementation")) == ("azure-gpt-4.1-mini", "gpt-4.1-nano")
    offline = choose_models(registry, config, reasoning_model="offline")
    assert (
        isinstance(offline, RoleModels) and offline.reasoning is None and offline.implementation is not None
    )
    rejected = choose_models(registry, config, model="ollama-llama3.1")
    assert isinstance(rejected, ModelRejected)
    assert "not configured (set OLLAMA_BASE_URL)" in rejected.message
    assert rejected.message.endswith("gpt-4o, gpt-4o-mini, azure-gpt-4.1-mini, offline.")


def test_format_models_lists_what_is_configured_and_the_defaults() -> None:
    text = format_models(WorkflowConfig(api_key="sk-test", implementation_model="gpt-4o-mini"))
    lines = text.splitlines()
    assert lines[0] == f"Model registry: {DEFAULT_FILE}"
    gpt41 = next(line for line in lines if line.startswith("gpt-4.1 "))
    assert "ready" in gpt41 and "[default reasoning]" in gpt41 and "$2 / $8 per 1M in/out" in gpt41
    assert "[default implementation]" in next(line for line in lines if line.startswith("gpt-4o-mini"))
    azure = next(line for line in lines if line.startswith("azure-gpt-4.1-mini"))
    assert "not configured" in azure and "AZURE_OPENAI_ENDPOINT" in azure
    assert lines[-1].startswith("offline") and "ready" in lines[-1]
    assert "sk-test" not in text


def test_format_models_with_nothing_configured_shows_the_offline_default() -> None:
    last = format_models(WorkflowConfig()).splitlines()[-1]
    assert "[default reasoning, implementation]" in last


def test_a_custom_registry_file_replaces_the_shipped_one(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        '[[models]]\nname = "local"\nprovider = "openai-compatible"\n'
        'base_url = "http://127.0.0.1:9/v1"\nroles = ["implementation"]\n',
        encoding="utf-8",
    )
    config = WorkflowConfig(models_file=path, implementation_model="local")
    chosen = choose_models(load_registry(path).with_defaults(config), config)
    assert isinstance(chosen, RoleModels) and chosen.name("implementation") == "local"
    assert [s.name for s in model_statuses(config)][:1] == ["local"]


@pytest.mark.parametrize("changes", [{"timeout_s": 0}, {"max_replans": 9}, {"max_model_calls": 0}])
def test_config_limits_are_validated(changes: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        WorkflowConfig(**changes)  # type: ignore[arg-type]


def test_clients_are_built_once_per_model_with_the_timeout_and_endpoint() -> None:
    from langchain_openai import AzureChatOpenAI, ChatOpenAI

    from agents.workflow.llm import ChatClients

    config = WorkflowConfig(timeout_s=3.5, env={**AZURE, "OLLAMA_BASE_URL": "http://127.0.0.1:11434/v1"})
    clients = ChatClients(config)
    registry = load_registry()
    azure_spec, ollama_spec = registry.get("azure-gpt-4.1-mini"), registry.get("ollama-llama3.1")
    assert azure_spec is not None and ollama_spec is not None
    azure = clients.get(azure_spec)
    assert isinstance(azure, AzureChatOpenAI) and azure.deployment_name == "gpt-4.1-mini"
    assert azure.azure_endpoint == AZURE["AZURE_OPENAI_ENDPOINT"] and azure.request_timeout == 3.5
    local = clients.get(ollama_spec)
    assert isinstance(local, ChatOpenAI) and local.model_name == "llama3.1:8b"
    assert local.openai_api_base == "http://127.0.0.1:11434/v1" and local.max_retries == 0
    assert clients.get(ollama_spec) is local
    assert "az-secret" not in repr(azure)
