"""Slack request signatures, checked before anything else reads the request.

Bolt's own check logs the whole body of a refused request at INFO (and a body with newlines
forges log lines) and turns a malformed timestamp into a 500.  Here a refused request is one
log line with the reason and the client address, and any malformed header is a 401.
"""

from __future__ import annotations

import logging
import time

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

logger = logging.getLogger(__name__)

REPLAY_WINDOW_S = 300


async def verified(request: web.Request, secret: str) -> bool:
    """True when the request carries a valid signature made within the replay window."""
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    reason = _bad_headers(timestamp, signature)
    if reason is None:
        body = await request.read()
        if not SignatureVerifier(secret).is_valid(body, timestamp, signature):
            reason = "bad signature"
    if reason is not None:
        logger.warning("refused an unauthenticated Slack request from %s: %s", _peer(request), reason)
        return False
    return True


def _bad_headers(timestamp: str, signature: str) -> str | None:
    if not timestamp or not signature:
        return "missing signature headers"
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return "malformed timestamp"
    if abs(time.time() - int(timestamp)) > REPLAY_WINDOW_S:
        return "timestamp outside the replay window"
    return None


def _peer(request: web.Request) -> str:
    return repr(request.remote or "unknown")
