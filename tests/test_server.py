"""`oews-bot serve` as an operator runs it: a real process on a free port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, timeout: float = 60) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                body: bytes = response.read()
                return body
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def serve(tmp_path: Path, oews_db: Path, **env: str) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("OEWS_", "SLACK_", "Microsoft"))}
    environ.update(OEWS_HOME=str(tmp_path), OEWS_DATABASE=str(oews_db), **env)
    process = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=environ,
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, port


@pytest.mark.slow(seconds=4)
def test_serve_answers_health_checks_and_mounts_teams(tmp_path: Path, oews_db: Path) -> None:
    process, port = serve(tmp_path, oews_db, TEAMS_ALLOW_UNAUTHENTICATED="true")
    try:
        assert json.loads(wait_for(f"http://127.0.0.1:{port}/healthz"))["status"] == "ok"
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/messages",
            data=b"not json",
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        refused.value.close()
        assert refused.value.code == 400  # the Teams endpoint is there and rejects a bad body
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "Traceback" not in output


@pytest.mark.slow(seconds=3)
def test_serve_refuses_to_start_teams_without_an_app_id(tmp_path: Path, oews_db: Path) -> None:
    process, _ = serve(
        tmp_path,
        oews_db,
        MicrosoftAppPassword="secret-value",
        MicrosoftAppType="SingleTenant",
        MicrosoftAppId="00000000-0000-0000-0000-000000000001",
    )
    output, _ = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "MicrosoftAppTenantId" in output and "Traceback" not in output and "secret-value" not in output
