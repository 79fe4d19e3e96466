"""Subscription notices to a webhook URL (subscriptions made on the command line).

One JSON POST per notice: ``subscription``, ``question``, ``release``, ``text`` (the new
answer), ``changes`` (lines), ``tables`` and ``trace_id``. Any answer other than 2xx is a
failed delivery (retried on the next run).
"""

from __future__ import annotations

import json
import urllib.request

from agents.table import table_json
from bot.subscriptions import Notice

TIMEOUT_S = 10.0


def post_notice(url: str, notice: Notice, *, timeout_s: float = TIMEOUT_S) -> None:
    body = json.dumps(
        {
            "subscription": notice.subscription.id,
            "question": notice.subscription.question,
            "release": notice.release,
            "text": notice.text,
            "answer": notice.answer.text,
            "changes": list(notice.changes),
            "tables": [table_json(t) for t in notice.answer.tables],
            "trace_id": notice.answer.trace_id,
        }
    ).encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", "User-Agent": "oews-bot"}
    )
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        if not 200 <= response.status < 300:
            raise OSError(f"webhook answered HTTP {response.status}")
