"""Request authentication: the SDK verifies every Bot Framework JWT; every failure is a 401.

The SDK (botbuilder 4.17) checks the signature against the OpenID signing keys, the issuer,
the audience (our app id), the ``serviceurl`` claim and the expiry, and raises
``PermissionError`` (which ``CloudAdapter.process`` turns into 401) for most failures.  But a
missing header, an unknown key id, an expired or malformed token make it raise other
exceptions (``AttributeError``, ``IndexError``, ``jwt.ExpiredSignatureError``...) that would
become 500s.  ``StrictAuthentication`` turns every failure of the authentication step into
``PermissionError``, so the caller always gets 401 and the bot never runs.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication

logger = logging.getLogger(__name__)


class StrictAuthentication(ConfigurationBotFrameworkAuthentication):  # type: ignore[misc]
    """``ConfigurationBotFrameworkAuthentication`` whose failures are all ``PermissionError``."""

    async def authenticate_request(self, activity: Any, auth_header: str) -> Any:
        # CloudAdapter passes "" for a missing header; the parameterized SDK path expects None.
        try:
            return await super().authenticate_request(activity, auth_header or None)
        except PermissionError as e:
            logger.info("rejected a Teams request: %s", e)
            raise
        except requests.RequestException as e:
            logger.error(
                "could not fetch the Bot Framework signing keys (%s); rejecting the request", type(e).__name__
            )
            raise PermissionError("signing keys unavailable") from e
        except Exception as e:
            logger.info("rejected a Teams request: %s", type(e).__name__)
            raise PermissionError("invalid token") from e
