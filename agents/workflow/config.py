"""What the workflow needs to know about models, limits and web research.

``agents`` never reads ``bot.config.Settings``: the composition root (``bot/app.py``) builds a
``WorkflowConfig`` from the settings and passes it in.  Secrets are plain strings here, kept
out of ``repr`` so they never reach a log line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from agents.trace import OFFLINE_ENGINE

__all__ = ["OFFLINE_ENGINE", "WorkflowConfig"]


@dataclass(frozen=True)
class WorkflowConfig:
    """Model and research configuration for one ``Workflow`` (see README "Models").

    ``api_key`` / ``base_url`` configure the default OpenAI(-compatible) provider: with
    neither set, the offline engine plays both roles.  ``env`` is where registry entries
    that name their own variables (``api_key_env``, ``base_url_env``) find their values.
    """

    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    reasoning_model: str = "gpt-4.1"
    implementation_model: str = "gpt-4.1-mini"
    models_file: Path | None = None
    timeout_s: float = 30.0
    max_replans: int = 2
    llm_retries: int = 0  # retries inside the OpenAI client; our own fallbacks are bounded anyway
    max_model_calls: int = 24  # per question, across every agent: a looping model stops here
    fast_path: bool = True  # confident offline parses skip the model (see graph.py)
    web_search_url: str | None = None
    web_search_key: str | None = field(default=None, repr=False)
    env: Mapping[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        if not 0 <= self.max_replans <= 5:
            raise ValueError("max_replans must be between 0 and 5")
        if self.max_model_calls < 1:
            raise ValueError("max_model_calls must be at least 1")

    @property
    def model_configured(self) -> bool:
        return self.api_key is not None or bool(self.base_url)

    @property
    def research_configured(self) -> bool:
        return bool(self.web_search_url)
