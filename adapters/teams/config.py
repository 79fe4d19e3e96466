"""The Bot Framework SDK's configuration object, built from the product's ``Settings``.

The SDK reads configuration by attribute name (``APP_ID``, ``APP_PASSWORD``, ``APP_TYPE``,
``APP_TENANTID``, ``TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL``...).  We always give it every
endpoint explicitly (public-cloud defaults unless overridden), so the SDK takes one code path,
its "parameterized" authentication, in production and in the tests alike.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from botbuilder.schema import CallerIdConstants
from botframework.connector.auth import AuthenticationConstants

from bot.config import Settings
from bot.errors import SettingsError

logger = logging.getLogger(__name__)

SINGLE_TENANT = "singletenant"
MULTI_TENANT = "multitenant"


class TeamsConfigError(SettingsError):
    """The Teams endpoint cannot be mounted with these settings; the message says what to set."""


@dataclass(frozen=True)
class SdkConfiguration:
    """Attribute names are the SDK's own (see ``ConfigurationBotFrameworkAuthentication``)."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str
    TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL: str
    TO_CHANNEL_FROM_BOT_LOGIN_URL: str
    TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: str
    OAUTH_URL: str
    CALLER_ID: str
    VALIDATE_AUTHORITY: bool = True

    @property
    def auth_disabled(self) -> bool:
        return not self.APP_ID

    def __repr__(self) -> str:  # never print the password
        return f"SdkConfiguration(APP_ID={self.APP_ID!r}, APP_TYPE={self.APP_TYPE!r})"


def sdk_configuration(settings: Settings) -> SdkConfiguration:
    """Validate the Teams settings and build the SDK configuration (raises TeamsConfigError)."""
    _check(settings)
    app_id = settings.microsoft_app_id.strip()
    # Without an app id (local development) the SDK must not look for single-tenant credentials.
    app_type = (settings.microsoft_app_type.strip() or "MultiTenant") if app_id else "MultiTenant"
    tenant = settings.microsoft_app_tenant_id.strip()
    single = app_type.lower() == SINGLE_TENANT
    password = settings.microsoft_app_password
    return SdkConfiguration(
        APP_ID=app_id,
        APP_PASSWORD=password.get_secret_value() if password is not None else "",
        APP_TYPE=app_type,
        APP_TENANTID=tenant,
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=settings.to_bot_from_channel_openid_metadata_url
        or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=settings.to_bot_from_channel_token_issuer
        or AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
        TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
        TO_CHANNEL_FROM_BOT_LOGIN_URL=AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX
        + (tenant if single else AuthenticationConstants.DEFAULT_CHANNEL_AUTH_TENANT),
        TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
        OAUTH_URL=AuthenticationConstants.OAUTH_URL,
        CALLER_ID=CallerIdConstants.public_azure_channel,
    )


def _check(settings: Settings) -> None:
    app_id = settings.microsoft_app_id.strip()
    app_type = (settings.microsoft_app_type.strip() or "MultiTenant").lower()
    if not app_id:
        if not settings.teams_allow_unauthenticated:
            raise TeamsConfigError(
                "Teams is not configured: set MicrosoftAppId (and MicrosoftAppPassword, MicrosoftAppType, "
                "MicrosoftAppTenantId), or for local development only TEAMS_ALLOW_UNAUTHENTICATED=true."
            )
        return
    if app_type not in (SINGLE_TENANT, MULTI_TENANT):
        raise TeamsConfigError(
            f"MicrosoftAppType={settings.microsoft_app_type!r} is not supported here: use SingleTenant "
            "(recommended) or MultiTenant."
        )
    if settings.microsoft_app_password is None or not settings.microsoft_app_password.get_secret_value():
        raise TeamsConfigError("MicrosoftAppId is set but MicrosoftAppPassword is empty.")
    if app_type == SINGLE_TENANT and not settings.microsoft_app_tenant_id.strip():
        raise TeamsConfigError(
            "MicrosoftAppType=SingleTenant needs MicrosoftAppTenantId (the bot's tenant id)."
        )


def allowed_tenants(settings: Settings) -> tuple[str, ...]:
    """The tenants the service allows (the rule is the settings', see ``Settings``)."""
    return settings.allowed_teams_tenants
