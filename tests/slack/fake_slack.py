"""A fake Slack Web API on loopback that records every call (after bolt-python's own tests).

Serves ``/api/<method>`` with plausible answers, the raw file upload URL that
``files.getUploadURLExternal`` hands out, and ``/response/<id>`` for ``response_url``
posts. Switches: ``rate_limit(method)`` answers the next call with 429 + Retry-After;
``fail(method, error)`` answers ``{"ok": false, "error": ...}`` until cleared;
``slow(method, seconds)`` records the next call at once but answers it late (a client killed
meanwhile has posted without knowing it).  ``conversations.replies`` lists the messages
posted in a thread, ``conversations.history`` those at the top of a channel, with their metadata;
``conversations.open`` opens a DM (``D`` + the user id).  Every other method
(``assistant.threads.*``, ``chat.update``…) is recorded and answered ``ok``; file uploads
(``files_upload_v2``: ``files.getUploadURLExternal``, the raw upload,
``files.completeUploadExternal``) keep the uploaded bytes in the ``upload`` call.
"""

from __future__ import annotations

import itertools
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T1"


@dataclass
class Call:
    method: str  # "chat.postMessage", "upload", "response"...
    params: dict[str, Any]
    headers: dict[str, str]
    raw: bytes = b""
    path: str = ""
    response: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)

    @property
    def ts(self) -> str:
        return str(self.params.get("ts") or self.response.get("ts") or "")

    def blocks(self) -> list[dict[str, Any]]:
        value = self.params.get("blocks") or []
        return list(value)

    def text(self) -> str:
        """Everything a person could read in the call: text, blocks, view."""
        parts = [str(self.params.get("text") or "")]
        parts.append(json.dumps(self.params.get("blocks") or [], ensure_ascii=False))
        parts.append(json.dumps(self.params.get("view") or {}, ensure_ascii=False))
        return "\n".join(parts)


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._rate_limited: dict[str, int] = {}
        self._failing: dict[str, str] = {}
        self._slow: dict[str, tuple[int, float]] = {}
        self.retry_after = "0"
        self.socket_url = ""  # what apps.connections.open hands out (Socket Mode tests)
        self.idle_checks: list[Callable[[], bool]] = []  # the servers posting here (``settle``)
        self.auth = {"user_id": BOT_USER, "bot_id": BOT_ID, "team_id": TEAM, "team": "Test", "user": "oews"}
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.005,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- switches ---------------------------------------------------------------------------------

    def rate_limit(self, method: str, times: int = 1) -> None:
        with self._lock:
            self._rate_limited[method] = times

    def slow(self, method: str, seconds: float, times: int = 1) -> None:
        with self._lock:
            self._slow[method] = (times, seconds)

    def fail(self, method: str, error: str | None) -> None:
        with self._lock:
            if error is None:
                self._failing.pop(method, None)
            else:
                self._failing[method] = error

    # -- reading the record -----------------------------------------------------------------------

    def mark(self) -> int:
        with self._lock:
            return len(self.calls)

    def since(self, mark: int, method: str | None = None) -> list[Call]:
        with self._lock:
            calls = self.calls[mark:]
        return [c for c in calls if method is None or c.method == method]

    def wait_for(
        self, mark: int, predicate: Callable[[list[Call]], bool], timeout: float = 10.0
    ) -> list[Call]:
        """Poll until ``predicate(calls since mark)`` holds; the calls, or AssertionError."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.since(mark)
            if predicate(calls):
                return calls
            time.sleep(0.02)
        methods = [c.method for c in self.since(mark)]
        raise AssertionError(f"timed out; calls since mark: {methods}")

    def wait_method(self, mark: int, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        self.wait_for(mark, lambda calls: sum(c.method == method for c in calls) >= count, timeout)
        return self.since(mark, method)

    def settle(self, mark: int, quiet: float = 0.4, timeout: float = 10.0) -> list[Call]:
        """All the calls since ``mark`` once nothing more is coming.

        With servers registered in ``idle_checks`` (``SlackServer`` registers itself), once every
        one of them is idle: no request, job or notice in flight, nothing queued. Otherwise, once no
        call has arrived for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        if self.idle_checks:
            while not all(idle() for idle in list(self.idle_checks)):
                assert time.monotonic() < deadline, "the Slack servers did not become idle"
                time.sleep(0.01)
            return self.since(mark)
        seen = -1
        while time.monotonic() < deadline:
            count = len(self.since(mark))
            if count == seen:
                return self.since(mark)
            seen = count
            time.sleep(quiet)
        return self.since(mark)

    # -- answering --------------------------------------------------------------------------------

    def record(self, call: Call) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.calls.append(call)
            if self._rate_limited.get(call.method, 0) > 0:
                self._rate_limited[call.method] -= 1
                body = json.dumps({"ok": False, "error": "ratelimited"}).encode()
                return 429, {"Retry-After": self.retry_after}, body
            error = self._failing.get(call.method)
            times, delay = self._slow.get(call.method, (0, 0.0))
            if times > 0:
                self._slow[call.method] = (times - 1, delay)
        if error is None:  # a slow call's message exists (with its ts) before the client hears of it
            call.response = self._answer(call)
        if times > 0:
            time.sleep(delay)
        if error is not None:
            return 200, {}, json.dumps({"ok": False, "error": error}).encode()
        return 200, {}, json.dumps(call.response).encode()

    def _replies(self, channel: str, thread: str) -> list[dict[str, Any]]:
        with self._lock:
            return _replies_of(list(self.calls), channel, thread)

    def _history(self, channel: str) -> list[dict[str, Any]]:
        """The channel's top-level messages, newest first."""
        with self._lock:
            posted = [
                c
                for c in self.calls
                if c.method == "chat.postMessage"
                and c.params.get("channel") == channel
                and not c.params.get("thread_ts")
            ]
        return [
            {"ts": c.ts, "text": c.params.get("text"), "metadata": c.params.get("metadata")}
            for c in reversed(posted)
        ]

    def _answer(self, call: Call) -> dict[str, Any]:
        if call.method in ("upload", "response"):
            return {"ok": True}
        if call.method == "auth.test":
            return {"ok": True, **self.auth}
        if call.method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url}
        if call.method == "chat.postMessage":
            ts = f"{1700000000 + next(self._ts)}.000100"
            return {"ok": True, "channel": call.params.get("channel"), "ts": ts, "message": {"ts": ts}}
        if call.method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1700000000 + next(self._ts)}.000200"}
        if call.method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts)}"
            return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if call.method == "conversations.history":
            return {"ok": True, "messages": self._history(str(call.params.get("channel")))}
        if call.method == "conversations.replies":
            return {
                "ok": True,
                "messages": self._replies(str(call.params.get("channel")), str(call.params.get("ts"))),
            }
        if call.method == "conversations.open":  # a DM channel per user, as Slack's D… ids
            users = str(call.params.get("users") or "")
            return {"ok": True, "channel": {"id": f"D{users.removeprefix('U')}", "is_im": True}}
        if call.method == "files.completeUploadExternal":
            files = call.params.get("files") or []
            return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title")} for f in files]}
        return {"ok": True, "channel": call.params.get("channel"), "ts": call.params.get("ts")}


def _replies_of(calls: list[Call], channel: str, thread: str) -> list[dict[str, Any]]:
    return [
        {"ts": c.ts, "thread_ts": thread, "text": c.params.get("text"), "metadata": c.params.get("metadata")}
        for c in calls
        if c.method == "chat.postMessage"
        and c.params.get("channel") == channel
        and c.params.get("thread_ts") == thread
    ]


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # not a client that hung up (killed)
            super().handle_error(request, client_address)


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = urlsplit(self.path).path
            method = _method(path)
            params = (
                {} if method == "upload" else _params(raw, self.headers.get("Content-Type", ""), self.path)
            )
            call = Call(method=method, params=params, headers=dict(self.headers.items()), raw=raw, path=path)
            status, headers, body = fake.record(call)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def _method(path: str) -> str:
    if path.startswith("/api/"):
        return path.removeprefix("/api/")
    if path.startswith("/upload/"):
        return "upload"
    if path.startswith("/response/"):
        return "response"
    return path


def _params(raw: bytes, content_type: str, url: str) -> dict[str, Any]:
    params: dict[str, Any] = {k: _maybe_json(v[-1]) for k, v in parse_qs(urlsplit(url).query).items()}
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type and text:
        params.update(json.loads(text))
    elif text:
        params.update({k: _maybe_json(v[-1]) for k, v in parse_qs(text, keep_blank_values=True).items()})
    return params


def _maybe_json(value: str) -> Any:
    if value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
