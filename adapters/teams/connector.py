"""The SDK adapter that talks to the Bot Connector, with retries (429, 5xx, connection errors).

Used by the serving process (replies within a turn: refusals, hints, traces) and by the workers
(answers, posted with ``continue_conversation`` to the activity's service URL).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from msrest.exceptions import ClientRequestError, HttpOperationError

from adapters.teams.auth import StrictAuthentication
from adapters.teams.config import SdkConfiguration

logger = logging.getLogger(__name__)

RETRY_DELAYS_S = (0.5, 1.0, 2.0, 4.0)
MAX_RETRY_AFTER_S = 20.0


class RetryingCloudAdapter(CloudAdapter):  # type: ignore[misc]
    """``CloudAdapter`` that retries each outgoing activity on 429, 5xx and connection errors."""

    def __init__(self, authentication: Any, *, retry_delays: tuple[float, ...]) -> None:
        super().__init__(authentication)
        self._delays = retry_delays

    async def send_activities(self, context: TurnContext, activities: list[Activity]) -> list[Any]:
        responses: list[Any] = []
        for activity in activities:
            responses.extend(await self._send_one(context, activity))
        return responses

    async def _send_one(self, context: TurnContext, activity: Activity) -> list[Any]:
        for delay in self._delays:
            try:
                return list(await super().send_activities(context, [activity]))
            except (HttpOperationError, ClientRequestError) as error:
                status = _status(error)
                if status is not None and status != 429 and status < 500:
                    raise
                wait = _retry_after(error) or delay
                logger.warning("Bot Connector answered %s; retrying in %.1f s", status or "no response", wait)
                await asyncio.sleep(wait)
        return list(await super().send_activities(context, [activity]))


def _status(error: Exception) -> int | None:
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def _retry_after(error: Exception) -> float | None:
    headers = getattr(getattr(error, "response", None), "headers", None) or {}
    try:
        return min(float(headers.get("Retry-After", "")), MAX_RETRY_AFTER_S)
    except ValueError:
        return None


def cloud_adapter(
    config: SdkConfiguration,
    *,
    credentials_factory: Any = None,
    retry_delays: tuple[float, ...] = RETRY_DELAYS_S,
) -> RetryingCloudAdapter:
    """The SDK adapter for ``config`` (``credentials_factory`` replaces the outbound credentials)."""
    return RetryingCloudAdapter(
        StrictAuthentication(config, credentials_factory=credentials_factory), retry_delays=retry_delays
    )
