"""Authentication for real: local OpenID metadata + JWKS, RS256 tokens minted with PyJWT.

Every request without a valid Bot Framework token gets 401, nothing is sent and the engine is
never reached, including the cases where the SDK itself raises (missing header, unknown key,
expired token).  Tenants not on the allowlist are refused politely.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from aiohttp import web

from adapters.teams import TeamsConfigError, mount_teams
from adapters.teams.config import allowed_tenants, sdk_configuration
from adapters.teams.handlers import REFUSED
from bot.app import build_service
from bot.config import Settings
from tests.teams.conftest import teams_settings
from tests.teams.harness import (
    APP_ID,
    OTHER_TENANT,
    TENANT,
    CountingWorkflow,
    FakeConnector,
    OpenIdServer,
    TeamsBot,
    new_key,
)

QUESTION = "median annual wage of registered nurses in Seattle"


def test_a_valid_token_is_answered(teams: TeamsBot, openid: OpenIdServer) -> None:
    activity = teams.chat().message(QUESTION)

    status = teams.send(activity, token=openid.mint(activity["serviceUrl"]))

    assert status == 201
    assert "$128,260" in teams.connector.wait_for_messages(1)[0].text
    assert openid.requests >= 2  # metadata + keys were fetched from the local issuer


def _credentials(case: str, openid: OpenIdServer, service_url: str) -> dict[str, Any]:
    """The Authorization a request carries in each bad case (as keyword arguments to ``post``)."""
    now = int(time.time())
    claims = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "serviceurl": service_url,
        "exp": now + 600,
    }
    makers: dict[str, Callable[[], dict[str, Any]]] = {
        "missing": lambda: {},
        "empty header": lambda: {"authorization": ""},
        "garbage": lambda: {"token": "not-a-jwt"},
        "basic scheme": lambda: {"authorization": "Basic dXNlcjpwYXNz"},
        "expired": lambda: {
            "token": openid.mint(service_url, exp=now - 3600, nbf=now - 7200, iat=now - 7200)
        },
        "signed by another key": lambda: {"token": openid.mint(service_url, key=new_key())},
        "unknown key id": lambda: {"token": openid.mint(service_url, key=new_key(), kid="nobody-knows-me")},
        "wrong audience": lambda: {
            "token": openid.mint(service_url, aud="11111111-2222-3333-4444-555555555555")
        },
        "wrong serviceurl": lambda: {"token": openid.mint("https://evil.example.com/")},
        "wrong issuer": lambda: {"token": openid.mint(service_url, iss="https://sts.windows.net/attacker/")},
        "HS256 signed": lambda: {
            "token": jwt.encode(
                claims,
                "a-shared-secret-of-at-least-32-bytes!",
                algorithm="HS256",
                headers={"kid": openid.kid},
            )
        },
    }
    return makers[case]()


CASES = [
    "missing",
    "empty header",
    "garbage",
    "basic scheme",
    "expired",
    "signed by another key",
    "unknown key id",
    "wrong audience",
    "wrong serviceurl",
    "wrong issuer",
    "HS256 signed",
]


@pytest.mark.parametrize("case", CASES)
def test_requests_without_a_valid_token_get_401_and_no_reply(
    case: str, teams: TeamsBot, openid: OpenIdServer
) -> None:
    workflow = CountingWorkflow(teams.service.workflow)
    teams.service.workflow = workflow
    activity = teams.chat().message(QUESTION)

    status, _ = teams.server.post(activity, **_credentials(case, openid, activity["serviceUrl"]))

    assert status == 401
    assert teams.settle() == []
    assert teams.connector.sent == []
    assert workflow.calls == 0


def test_a_tenant_not_on_the_allowlist_is_refused_politely_without_reaching_the_engine(
    teams: TeamsBot,
) -> None:
    workflow = CountingWorkflow(teams.service.workflow)
    teams.service.workflow = workflow
    foreign = teams.chat(tenant=OTHER_TENANT)

    reply = teams.reply_to(foreign.message(QUESTION))
    clicked = teams.reply_to(foreign.submit({"oews": "show_trace", "trace_id": "tr-0123456789ab"}))

    assert reply.text == REFUSED == clicked.text
    assert reply.conversation_id == foreign.conversation_id
    assert workflow.calls == 0
    assert teams.service.store.recent_traces(workspace=OTHER_TENANT) == []
    assert [s.type for s in teams.connector.sent] == ["message", "message"]  # no typing either


def test_single_tenant_bot_allows_only_its_own_tenant_by_default(teams: TeamsBot, settings: Settings) -> None:
    assert allowed_tenants(settings) == (TENANT,)
    assert teams.service.access.allowed["teams"] == {TENANT}


def test_the_allowlist_replaces_the_default(tmp_path: Path, oews_db: Path) -> None:
    settings = teams_settings(tmp_path, oews_db, None, teams_allowed_tenants=f" {OTHER_TENANT} , ")
    assert allowed_tenants(settings) == (OTHER_TENANT,)


def test_configuration_uses_the_sdk_names(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MicrosoftAppId", APP_ID)
    monkeypatch.setenv("MicrosoftAppPassword", "pa55word")
    monkeypatch.setenv("MicrosoftAppType", "SingleTenant")
    monkeypatch.setenv("MicrosoftAppTenantId", TENANT)
    monkeypatch.setenv("TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL", "http://127.0.0.1:9/openid")
    monkeypatch.setenv("TO_BOT_FROM_CHANNEL_TOKEN_ISSUER", "https://issuer.example.com")

    config = sdk_configuration(Settings())

    assert (config.APP_ID, config.APP_PASSWORD, config.APP_TYPE, config.APP_TENANTID) == (
        APP_ID,
        "pa55word",
        "SingleTenant",
        TENANT,
    )
    assert config.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL == "http://127.0.0.1:9/openid"
    assert config.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER == "https://issuer.example.com"
    assert f"https://login.microsoftonline.com/{TENANT}" == config.TO_CHANNEL_FROM_BOT_LOGIN_URL
    assert "pa55word" not in repr(config)


def test_defaults_are_the_public_cloud_endpoints(tmp_path: Path, oews_db: Path) -> None:
    config = sdk_configuration(teams_settings(tmp_path, oews_db, None))
    assert config.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL == (
        "https://login.botframework.com/v1/.well-known/openidconfiguration"
    )
    assert config.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER == "https://api.botframework.com"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"MicrosoftAppId": ""}, "TEAMS_ALLOW_UNAUTHENTICATED"),
        ({"MicrosoftAppPassword": ""}, "MicrosoftAppPassword"),
        ({"MicrosoftAppTenantId": ""}, "MicrosoftAppTenantId"),
        ({"MicrosoftAppType": "UserAssignedMSI"}, "SingleTenant"),
    ],
)
def test_unsafe_configurations_refuse_to_mount(
    overrides: dict[str, str], message: str, tmp_path: Path, oews_db: Path, oews_engine: Any
) -> None:
    settings = teams_settings(tmp_path, oews_db, None, **overrides)
    app = web.Application()
    with pytest.raises(TeamsConfigError, match=message):
        mount_teams(app, service=build_service(settings, engine=oews_engine), settings=settings)
    assert not any(r.resource and r.resource.canonical == "/api/messages" for r in app.router.routes())


def test_unauthenticated_mode_is_loud_and_answers_without_a_token(
    tmp_path: Path,
    oews_db: Path,
    oews_engine: Any,
    connector: FakeConnector,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = teams_settings(
        tmp_path,
        oews_db,
        None,
        MicrosoftAppId="",
        MicrosoftAppPassword="",
        teams_allow_unauthenticated=True,
        teams_allowed_tenants=TENANT,
    )
    with caplog.at_level(logging.WARNING, logger="adapters.teams"):
        teams = TeamsBot(
            service=build_service(settings, engine=oews_engine),
            settings=settings,
            connector=connector,
            openid=None,
        )
    try:
        assert any("AUTHENTICATION IS OFF" in r.getMessage() for r in caplog.records)
        reply = teams.reply_to(teams.chat().message(QUESTION))
        assert "$128,260" in reply.text
        assert reply.authorization is None
    finally:
        teams.close()
