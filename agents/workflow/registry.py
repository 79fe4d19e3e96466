"""The model registry: which models exist, for which role, where they run and what they cost.

``load_registry`` reads and validates the TOML file once (``models.toml`` beside this module,
or ``OEWS_MODELS_FILE``).  ``choose_models`` picks the model for each role of one question,
validating per-question overrides; ``model_statuses`` / ``format_models`` list the registry
and what is configured (``oews-bot models``).

The name ``offline`` always selects the offline engine for a role.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agents.errors import OewsError
from agents.workflow.config import OFFLINE_ENGINE, WorkflowConfig

Provider = Literal["openai", "azure", "openai-compatible"]
Role = Literal["reasoning", "implementation"]
ROLES: tuple[Role, ...] = ("reasoning", "implementation")
OFFLINE = "offline"
DEFAULT_FILE = Path(__file__).with_name("models.toml")
LOCAL_KEY = "not-needed"  # OpenAI-compatible servers without auth still want a key string


class RegistryError(OewsError):
    """The registry file is missing, not TOML, or not a valid registry (found at startup)."""

    @property
    def user_message(self) -> str:  # type: ignore[override]
        return str(self)  # the file and what is wrong with it: configuration, no secrets


class ModelSpec(BaseModel):
    """One registry entry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    provider: Provider = "openai"
    model: str | None = None
    roles: tuple[Role, ...] = Field(default=ROLES, min_length=1)
    base_url: str | None = None
    base_url_env: str | None = None
    api_key_env: str | None = None
    api_version: str | None = None
    input_usd_per_million: float = Field(default=0.0, ge=0)
    output_usd_per_million: float = Field(default=0.0, ge=0)
    context_window: int = Field(default=128_000, gt=0)
    listed: bool = True  # False: a default model named by configuration but not in the file

    @model_validator(mode="after")
    def _endpoint_is_described(self) -> ModelSpec:
        has_url = bool(self.base_url or self.base_url_env)
        if self.provider == "azure" and not (has_url and self.api_key_env and self.api_version):
            raise ValueError(
                f"{self.name}: azure needs base_url or base_url_env, api_key_env and api_version"
            )
        if self.provider == "openai-compatible" and not has_url:
            raise ValueError(f"{self.name}: openai-compatible needs base_url or base_url_env")
        return self

    @property
    def provider_model(self) -> str:
        """The model id (or Azure deployment) sent to the provider."""
        return self.model or self.name

    def cost_usd(self, tokens_in: int, tokens_out: int) -> float:
        return (tokens_in * self.input_usd_per_million + tokens_out * self.output_usd_per_million) / 1e6


class Registry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    models: tuple[ModelSpec, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> Registry:
        names = [m.name.lower() for m in self.models]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate model names: {', '.join(duplicates)}")
        if OFFLINE in names:
            raise ValueError(f"'{OFFLINE}' is reserved for the offline engine")
        return self

    def get(self, name: str) -> ModelSpec | None:
        wanted = name.strip().lower()
        return next((m for m in self.models if m.name.lower() == wanted), None)

    def with_defaults(self, config: WorkflowConfig) -> Registry:
        """Add the configured default models that the file does not list (unknown price)."""
        extra: list[ModelSpec] = []
        for name in dict.fromkeys((config.reasoning_model, config.implementation_model)):
            if name and name.lower() != OFFLINE and self.get(name) is None:
                extra.append(ModelSpec(name=name, listed=False))
        return self if not extra else Registry(models=(*self.models, *extra))


@lru_cache(maxsize=8)
def load_registry(path: Path | None = None) -> Registry:
    """Read and validate a registry file (cached: each file is read once per process)."""
    file = path or DEFAULT_FILE
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as e:
        raise RegistryError(f"cannot read the model registry {file}: {e.strerror}") from e
    except tomllib.TOMLDecodeError as e:
        raise RegistryError(f"the model registry {file} is not valid TOML: {e}") from e
    try:
        return Registry.model_validate(data)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors())
        raise RegistryError(f"the model registry {file} is invalid: {problems}") from e


# -- endpoints -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """Where one model is called, with which key (never shown in ``repr``)."""

    base_url: str | None
    api_key: str = field(repr=False)


def endpoint(spec: ModelSpec, config: WorkflowConfig) -> Endpoint | None:
    """The endpoint of ``spec`` under ``config``, or None when it is not configured."""

    def var(name: str | None) -> str | None:
        return (config.env.get(name) or None) if name else None

    url = spec.base_url or var(spec.base_url_env)
    if spec.provider == "azure":
        key = var(spec.api_key_env)
        return Endpoint(url, key) if url and key else None
    if spec.provider == "openai-compatible":
        return Endpoint(url, var(spec.api_key_env) or LOCAL_KEY) if url else None
    key = var(spec.api_key_env) if spec.api_key_env else config.api_key
    url = url or config.base_url
    return Endpoint(url, key or LOCAL_KEY) if key or url else None


def missing_setting(spec: ModelSpec) -> str:
    """What to set to configure ``spec`` (for messages)."""
    if spec.provider == "azure":
        return f"set {spec.base_url_env or 'its base_url'} and {spec.api_key_env}"
    if spec.provider == "openai-compatible":
        return f"set {spec.base_url_env}" if spec.base_url_env else "set its base_url"
    return f"set {spec.api_key_env or 'OPENAI_API_KEY'} or OPENAI_BASE_URL"


# -- choosing the models of one question -----------------------------------------------------------


@dataclass(frozen=True)
class RoleModels:
    """The model of each role for one question; None means the offline engine."""

    reasoning: ModelSpec | None
    implementation: ModelSpec | None
    overridden: bool = False

    def name(self, role: Role) -> str:
        spec = self.reasoning if role == "reasoning" else self.implementation
        return spec.name if spec else OFFLINE_ENGINE


@dataclass(frozen=True)
class ModelRejected:
    """A per-question override that cannot be used; ``message`` is safe to show the user."""

    message: str


def choose_models(
    registry: Registry,
    config: WorkflowConfig,
    *,
    model: str | None = None,
    reasoning_model: str | None = None,
) -> RoleModels | ModelRejected:
    chosen: dict[Role, ModelSpec | None] = {}
    asked: tuple[tuple[Role, str | None, str], ...] = (
        ("reasoning", reasoning_model, config.reasoning_model),
        ("implementation", model, config.implementation_model),
    )
    for role, override, default in asked:
        if override is None or not override.strip():
            chosen[role] = _default(registry, config, default)
            continue
        picked = _override(registry, config, role, override.strip())
        if isinstance(picked, ModelRejected):
            return picked
        chosen[role] = picked
    overridden = any(o and o.strip() for o in (model, reasoning_model))
    return RoleModels(chosen["reasoning"], chosen["implementation"], overridden=bool(overridden))


def _default(registry: Registry, config: WorkflowConfig, name: str) -> ModelSpec | None:
    spec = registry.get(name) if name.lower() != OFFLINE else None
    return spec if spec is not None and endpoint(spec, config) is not None else None


def _override(
    registry: Registry, config: WorkflowConfig, role: Role, name: str
) -> ModelSpec | ModelRejected | None:
    if name.lower() in (OFFLINE, OFFLINE_ENGINE):
        return None
    spec = registry.get(name)
    if spec is None:
        problem = f"I don't know the model “{name}”."
    elif role not in spec.roles:
        problem = f"“{spec.name}” is not registered for the {role} role."
    elif endpoint(spec, config) is None:
        problem = f"“{spec.name}” is in the model registry but not configured ({missing_setting(spec)})."
    else:
        return spec
    listed = ", ".join(available(registry, config, role))
    return ModelRejected(f"{problem} Models available for the {role} role: {listed}.")


def available(registry: Registry, config: WorkflowConfig, role: Role) -> list[str]:
    """Names usable for ``role`` right now, the offline engine last."""
    names = [m.name for m in registry.models if role in m.roles and endpoint(m, config) is not None]
    return [*names, OFFLINE]


# -- listing (``oews-bot models``) -----------------------------------------------------------------


@dataclass(frozen=True)
class ModelStatus:
    name: str
    provider: str
    roles: tuple[str, ...]
    configured: bool
    default_for: tuple[str, ...]
    price: str
    context_window: int | None
    note: str


def model_statuses(config: WorkflowConfig) -> list[ModelStatus]:
    """Every registry model (plus unlisted defaults and the offline engine), and its state."""
    registry = load_registry(config.models_file).with_defaults(config)
    chosen = choose_models(registry, config)
    assert isinstance(chosen, RoleModels)  # no override: never rejected
    rows = [_status(spec, config, chosen) for spec in registry.models]
    offline_for = tuple(r for r in ROLES if chosen.name(r) == OFFLINE_ENGINE)
    rows.append(
        ModelStatus(
            OFFLINE,
            "built-in",
            ROLES,
            True,
            offline_for,
            "free",
            None,
            "deterministic OEWS engine; the fast path and the fallback",
        )
    )
    return rows


def _status(spec: ModelSpec, config: WorkflowConfig, chosen: RoleModels) -> ModelStatus:
    configured = endpoint(spec, config) is not None
    defaults = tuple(r for r in ROLES if chosen.name(r) == spec.name)
    if not spec.listed:
        price, note = "unknown", "not in the registry; used through the default provider"
    else:
        price = f"${spec.input_usd_per_million:g} / ${spec.output_usd_per_million:g} per 1M in/out"
        note = "" if configured else missing_setting(spec)
    return ModelStatus(
        spec.name, spec.provider, spec.roles, configured, defaults, price, spec.context_window, note
    )


def format_models(config: WorkflowConfig) -> str:
    """The registry as text, one model per line (for ``oews-bot models``)."""
    lines = []
    for s in model_statuses(config):
        flag = "ready" if s.configured else "not configured"
        default = f"  [default {', '.join(s.default_for)}]" if s.default_for else ""
        window = f", {s.context_window:,} tokens" if s.context_window else ""
        note = f" — {s.note}" if s.note else ""
        lines.append(
            f"{s.name:<22} {s.provider:<18} {'/'.join(s.roles):<25} {flag:<15} "
            f"{s.price}{window}{default}{note}"
        )
    source = config.models_file or DEFAULT_FILE
    return "\n".join([f"Model registry: {source}", *lines])
