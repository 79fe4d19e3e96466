"""One settings object, read once at the edge (environment variables or a ``.env`` file)."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from agents.sql.dburl import DatabaseUrl, parse_database_url


def _csv(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


class Settings(BaseSettings):
    """Every setting the product reads. Names are the environment variables (see README)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True, populate_by_name=True)

    # Storage and data
    oews_home: Path | None = Field(default=None, description="Where the product keeps its databases.")
    oews_database: Path | None = Field(
        default=None, description="An existing OEWS database to use instead of <home>/oews.sqlite."
    )
    oews_database_url: SecretStr | None = Field(
        default=None,
        description="Server database for the OEWS data (postgresql://, mssql://, odbc:); unset: SQLite.",
    )
    oews_max_rows: int = Field(default=1000, ge=1, description="Row cap per SQL statement.")
    oews_sql_timeout_ms: int = Field(default=2000, ge=10, description="Time limit per SQL statement.")
    oews_bls_url: str = Field(
        default="https://www.bls.gov/oes/special-requests/",
        description="Where `data fetch` downloads the BLS OEWS archives (oesmYYnat.zip, ...).",
    )
    oews_contact_email: str | None = Field(
        default=None, description="Contact address sent to BLS with every download (BLS requires one)."
    )
    oews_fetch_timeout_s: float = Field(default=60.0, gt=0, description="Give up on a silent download.")

    # Models
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    oews_reasoning_model: str = "gpt-4.1"
    oews_implementation_model: str = "gpt-4.1-mini"
    oews_models_file: Path | None = None
    oews_llm_timeout_s: float = Field(default=30.0, gt=0)
    oews_max_replans: int = Field(default=2, ge=0, le=5)
    oews_web_search_url: str | None = None
    oews_web_search_key: SecretStr | None = None

    # Serving
    port: int = Field(default=3000, ge=1, le=65535)
    oews_workers: int = Field(
        default=2, ge=1, le=64, description="Worker processes (questions answered at once)."
    )
    oews_queue_limit: int = Field(
        default=10_000, ge=1, description="Questions waiting before people are asked to retry."
    )
    oews_job_lease_s: float = Field(
        default=60.0, gt=0, description="How long a worker holds a job between renewals."
    )
    oews_retention_days: int = Field(default=90, ge=1, description="Days traces and usage are kept.")
    oews_store_url: SecretStr | None = Field(
        default=None, description="The bot's store: unset for SQLite under OEWS_HOME, or postgresql://…"
    )
    oews_artifact_dir: Path | None = Field(
        default=None,
        description="A directory all instances share for files served by URL (Teams charts).",
    )
    oews_log_level: str = "INFO"

    # Access, limits and quotas
    oews_rate_per_user_per_minute: int = Field(default=10, ge=0)
    oews_rate_per_workspace_per_minute: int = Field(default=120, ge=0)
    oews_daily_quota_per_user: int = Field(default=200, ge=0)
    oews_daily_quota_per_workspace: int = Field(default=5000, ge=0)

    # Slack
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_allowed_teams: str = ""

    # Microsoft Teams (Bot Framework SDK names)
    microsoft_app_id: str = Field(
        default="", validation_alias=AliasChoices("MicrosoftAppId", "microsoft_app_id")
    )
    microsoft_app_password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("MicrosoftAppPassword", "microsoft_app_password")
    )
    microsoft_app_type: str = Field(
        default="MultiTenant", validation_alias=AliasChoices("MicrosoftAppType", "microsoft_app_type")
    )
    microsoft_app_tenant_id: str = Field(
        default="", validation_alias=AliasChoices("MicrosoftAppTenantId", "microsoft_app_tenant_id")
    )
    to_bot_from_channel_openid_metadata_url: str | None = None
    to_bot_from_channel_token_issuer: str | None = None
    teams_allowed_tenants: str = ""
    teams_allow_unauthenticated: bool = False
    teams_public_url: str | None = None

    @property
    def home(self) -> Path:
        return self.oews_home or Path(user_data_dir("oews-bot", appauthor=False))

    @property
    def database_url(self) -> DatabaseUrl | None:
        """The parsed ``OEWS_DATABASE_URL`` (None: the embedded SQLite database).

        Raises ``ConfigurationError`` (password masked) when the URL cannot be used."""
        if self.oews_database_url is None or not self.oews_database_url.get_secret_value().strip():
            return None
        return parse_database_url(self.oews_database_url.get_secret_value(), setting="OEWS_DATABASE_URL")

    @property
    def bot_database(self) -> Path:
        return self.home / "bot.sqlite"

    @property
    def allowed_slack_teams(self) -> tuple[str, ...]:
        return _csv(self.slack_allowed_teams)

    @property
    def allowed_teams_tenants(self) -> tuple[str, ...]:
        """TEAMS_ALLOWED_TENANTS, or else the bot's own tenant when it is single-tenant."""
        listed = _csv(self.teams_allowed_tenants)
        if listed:
            return listed
        own = self.microsoft_app_tenant_id.strip()
        return (own,) if own and self.microsoft_app_type.strip().lower() == "singletenant" else ()

    @property
    def model_configured(self) -> bool:
        return self.openai_api_key is not None or bool(self.openai_base_url)
