"""Only requests signed with the signing secret, within 5 minutes, reach the bot."""

from __future__ import annotations

import json
import time
import urllib.request
from urllib.parse import urlencode

import pytest

from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SECRET, SlackServer, event_envelope, mention

QUESTION = mention("median pay for electricians in Texas", ts="2000.000001")


@pytest.mark.parametrize(
    ("secret", "skew_s"),
    [("not-the-secret", 0), (SECRET, -6 * 60), (SECRET, 6 * 60)],
    ids=["bad-signature", "stale-timestamp", "future-timestamp"],
)
def test_unsigned_event_is_refused_and_nothing_happens(
    slack: SlackServer, fake_slack: FakeSlack, secret: str, skew_s: int
) -> None:
    mark = fake_slack.mark()
    body = json.dumps(event_envelope(QUESTION))
    reply = slack.post(body, "application/json", secret=secret, timestamp=int(time.time()) + skew_s)

    assert reply.status == 401
    assert fake_slack.settle(mark) == []


def test_slash_command_with_a_bad_signature_is_refused(slack: SlackServer, fake_slack: FakeSlack) -> None:
    mark = fake_slack.mark()
    body = urlencode(
        {
            "command": "/oews",
            "text": "electricians in Texas",
            "user_id": "U1",
            "channel_id": "C1",
            "team_id": "T1",
            "response_url": f"{fake_slack.url}/response/x",
        }
    )
    reply = slack.post(body, "application/x-www-form-urlencoded", secret="wrong")

    assert reply.status == 401
    assert fake_slack.settle(mark) == []


def test_request_without_signature_headers_is_refused(slack: SlackServer, fake_slack: FakeSlack) -> None:
    mark = fake_slack.mark()
    request = urllib.request.Request(
        slack.url,
        data=json.dumps(event_envelope(QUESTION)).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    refused.value.close()

    assert refused.value.code == 401
    assert fake_slack.settle(mark) == []


def test_url_verification_echoes_the_challenge(slack: SlackServer) -> None:
    reply = slack.post(
        json.dumps({"type": "url_verification", "challenge": "c-123", "token": "x"}), "application/json"
    )

    assert reply.status == 200
    assert "c-123" in reply.body
