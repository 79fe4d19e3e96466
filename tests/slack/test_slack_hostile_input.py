"""Hostile input gets a clear, safe result: unencodable text, malformed auth headers, bodies
that try to forge log lines, directories and archive bombs for ``data load``."""

from __future__ import annotations

import json
import logging
import zipfile
from pathlib import Path

import pytest

from bot.types import Question
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SlackServer, event_envelope, mention
from tests.test_cli import run


def test_a_lone_surrogate_in_a_slack_event_is_answered_and_traced(
    fake_slack: FakeSlack, slack: SlackServer
) -> None:
    mark = fake_slack.mark()
    body = json.dumps(
        event_envelope(mention("median pay for electricians in Texas \ud800", ts="9100.000001"))
    )
    assert "\\ud800" in body  # as Slack would send it

    assert slack.post(body, "application/json").status == 200

    [answer] = fake_slack.wait_method(mark, "chat.postMessage")
    assert "$58,570" in answer.params["text"]
    trace_id = next(b for b in answer.blocks() if "trace `" in json.dumps(b))
    stored = slack.service.trace(json.dumps(trace_id).split("trace `")[1].split("`")[0], workspace="T1")
    assert stored is not None and stored.question.endswith("\ufffd")


def test_questions_are_cleaned_at_the_edge() -> None:
    question = Question(text="nurses \udcff in Ohio", platform="cli", workspace="local", user="\ud800")
    assert question.text == "nurses \ufffd in Ohio" and question.user == "\ufffd"
    question.model_dump_json()  # encodable everywhere (traces, logs, the store)


@pytest.mark.parametrize("timestamp", ["not-a-number", "", "12 3", "9" * 40, "-5"])
def test_malformed_slack_timestamps_are_401_not_500(
    slack: SlackServer, timestamp: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = "evil body\nINFO forged log line"
    headers = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=abc"}
    request_headers = {"Content-Type": "application/json", **headers}
    import urllib.error
    import urllib.request

    request = urllib.request.Request(slack.url, data=body.encode(), method="POST", headers=request_headers)
    with caplog.at_level(logging.DEBUG), pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    refused.value.close()

    assert refused.value.code == 401
    assert "evil body" not in caplog.text and "forged" not in caplog.text
    refusals = [r for r in caplog.records if "unauthenticated" in r.getMessage()]
    assert len(refusals) == 1 and "\n" not in refusals[0].getMessage()


def test_a_bad_signature_is_logged_in_one_line_without_the_body(
    slack: SlackServer, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps({"text": "secret question\nWARNING forged"})
    with caplog.at_level(logging.DEBUG):
        reply = slack.post(body, "application/json", secret="wrong")
    assert reply.status == 401
    assert "secret question" not in caplog.text and "forged" not in caplog.text


def test_data_load_refuses_a_directory(oews_home: Path, oews_db: Path, tmp_path: Path) -> None:
    result = run("data", "load", str(tmp_path), home=oews_home, db=oews_db)
    assert result.returncode == 2
    assert "is a directory" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow(seconds=3)
def test_data_load_refuses_an_archive_bomb_before_reading_it(
    oews_home: Path, oews_db: Path, tmp_path: Path
) -> None:
    bomb = tmp_path / "all_data_M_2024.zip"
    with zipfile.ZipFile(bomb, "w") as archive:
        info = zipfile.ZipInfo("all_data_M_2024.xlsx")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as member:
            zeros = bytes(1 << 20)
            for _ in range(300):  # 300 MB of zeros, about 300 KB compressed
                member.write(zeros)
    assert bomb.stat().st_size < 2_000_000

    result = run("data", "load", str(bomb), home=oews_home, db=oews_db)

    assert result.returncode == 2
    assert "over the 256 MB limit" in result.stderr and "Nothing from this file was loaded" in result.stderr
