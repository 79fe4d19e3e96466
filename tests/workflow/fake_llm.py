"""A fake OpenAI-compatible chat server on loopback, scripted per request.

``FakeLLM(script)`` serves ``POST /v1/chat/completions`` on ``127.0.0.1:<ephemeral>``.  For
every request it calls ``script(request)``, which returns a ``Reply``: a tool call, plain
content, raw (possibly malformed) tool-call arguments, an HTTP error, or a delay.  It records
every request so tests can assert which model was asked, with which tools and how long the
prompt was.  ``usage`` token counts are estimated from the request length (chars / 4).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CHARS_PER_TOKEN = 4


@dataclass(frozen=True)
class Request:
    """One chat-completions request as the fake received it."""

    body: dict[str, Any]

    @property
    def model(self) -> str:
        return str(self.body.get("model", ""))

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def tools(self) -> list[str]:
        return [t["function"]["name"] for t in self.body.get("tools", [])]

    @property
    def role(self) -> str:
        """Which agent asked, by the tool it must finish with."""
        names = set(self.tools)
        for tool, role in (
            ("submit_plan", "planner"),
            ("run_sql", "text_to_sql"),
            ("choose_chart", "chart"),
            ("write_answer", "synthesizer"),
        ):
            if tool in names:
                return role
        return "unknown"

    @property
    def system(self) -> str:
        return next((str(m["content"]) for m in self.messages if m["role"] == "system"), "")

    @property
    def user(self) -> str:
        return next((str(m["content"]) for m in self.messages if m["role"] == "user"), "")

    @property
    def tool_results(self) -> list[str]:
        return [str(m["content"]) for m in self.messages if m["role"] == "tool"]

    @property
    def prompt_chars(self) -> int:
        return len(json.dumps(self.messages)) + len(json.dumps(self.body.get("tools", [])))

    @property
    def prompt_tokens(self) -> int:
        return self.prompt_chars // CHARS_PER_TOKEN


@dataclass(frozen=True)
class Reply:
    content: str | None = None
    tool: str | None = None
    arguments: str = "{}"  # raw JSON text (may be malformed on purpose)
    status: int = 200
    delay_s: float = 0.0


def tool(name: str, **args: Any) -> Reply:
    return Reply(tool=name, arguments=json.dumps(args))


def content(text: str) -> Reply:
    return Reply(content=text)


Script = Callable[[Request], Reply]


@dataclass
class FakeLLM:
    script: Script
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.005,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> FakeLLM:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def by_role(self, role: str) -> list[Request]:
        return [r for r in self.requests if r.role == role]

    def respond(self, body: dict[str, Any]) -> tuple[int, dict[str, Any], float]:
        request = Request(body)
        with self._lock:
            self.requests.append(request)
            call_id = f"call_{next(self._ids)}"
        reply = self.script(request)
        if reply.status != 200:
            return (
                reply.status,
                {"error": {"message": "scripted failure", "type": "server_error"}},
                reply.delay_s,
            )
        message: dict[str, Any] = {"role": "assistant", "content": reply.content}
        if reply.tool is not None:
            message["tool_calls"] = [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": reply.tool, "arguments": reply.arguments},
                }
            ]
        completion = (len(reply.content or "") + len(reply.arguments)) // CHARS_PER_TOKEN + 1
        return (
            200,
            {
                "id": f"chatcmpl-{call_id}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": request.model,
                "choices": [
                    {"index": 0, "message": message, "finish_reason": "tool_calls" if reply.tool else "stop"}
                ],
                "usage": {
                    "prompt_tokens": request.prompt_tokens,
                    "completion_tokens": completion,
                    "total_tokens": request.prompt_tokens + completion,
                },
            },
            reply.delay_s,
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, {"error": {"message": "not found"}})
                    return
                status, payload, delay = fake.respond(body)
                if delay:
                    time.sleep(delay)
                self._send(status, payload)

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
