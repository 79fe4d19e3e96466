"""Calling the language models: clients built once, calls timed, counted, priced and traced.

``ChatClients`` builds one langchain-openai client per registry model (``ChatOpenAI``, or
``AzureChatOpenAI`` for Azure), with the configured timeout, and reuses it.  A ``ModelCaller``
wraps one client for one question: every call takes from the question's ``Budget`` (a model
that loops stops), is recorded as a trace step with the model name, tokens and estimated cost,
and any transport failure becomes a ``ModelCallFailed``.  ``call_tool`` asks for exactly one
tool call and validates its arguments into a pydantic model, re-asking (bounded) when invalid.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, SecretStr, ValidationError

from agents.errors import ModelError
from agents.trace import TraceRecorder
from agents.workflow.config import WorkflowConfig
from agents.workflow.registry import Endpoint, ModelSpec, endpoint

logger = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
ToolSchema = dict[str, Any]


class ModelCallFailed(ModelError):
    """The model could not be reached or answered with an error (HTTP error, timeout)."""

    def __init__(self, model: str, reason: str) -> None:
        super().__init__(f"{model}: {reason}")
        self.model = model
        self.reason = reason


class InvalidModelOutput(ModelError):
    """The model kept answering with something unusable (bounded retries exhausted)."""

    def __init__(self, model: str, reason: str) -> None:
        super().__init__(f"{model}: {reason}")
        self.model = model
        self.reason = reason


class BudgetExhausted(ModelError):
    """The question used its whole budget of model calls (a model that loops)."""


class PromptTooLong(ModelError):
    """A prompt would not fit the model's context window (from the registry)."""


CHARS_PER_TOKEN = 4  # a rough estimate, good enough to keep prompts inside the context window


def estimate_tokens(messages: Sequence[BaseMessage], tools: Sequence[ToolSchema]) -> int:
    chars = sum(len(str(m.content)) for m in messages) + sum(len(json.dumps(t)) for t in tools)
    return chars // CHARS_PER_TOKEN


def tool_schema(name: str, description: str, args: type[BaseModel]) -> ToolSchema:
    """An OpenAI tool definition named ``name`` whose arguments are ``args``."""
    schema = convert_to_openai_tool(args)
    schema["function"]["name"] = name
    schema["function"]["description"] = description
    return schema


def build_chat(spec: ModelSpec, where: Endpoint, config: WorkflowConfig) -> BaseChatModel:
    from langchain_openai import AzureChatOpenAI, ChatOpenAI  # only when a model is configured

    common: dict[str, Any] = {
        "timeout": config.timeout_s,
        "max_retries": config.llm_retries,
        "api_key": SecretStr(where.api_key),
    }
    if spec.provider == "azure":
        return AzureChatOpenAI(
            azure_deployment=spec.provider_model,
            azure_endpoint=where.base_url,
            api_version=spec.api_version,
            **common,
        )
    return ChatOpenAI(model=spec.provider_model, base_url=where.base_url, **common)


class ChatClients:
    """One client per model, built on first use and shared by every question (thread-safe)."""

    def __init__(self, config: WorkflowConfig) -> None:
        self.config = config
        self._clients: dict[str, BaseChatModel] = {}
        self._lock = threading.Lock()

    def get(self, spec: ModelSpec) -> BaseChatModel:
        with self._lock:
            client = self._clients.get(spec.name)
            if client is None:
                where = endpoint(spec, self.config)
                if where is None:
                    raise ModelCallFailed(spec.name, "not configured")
                client = self._clients[spec.name] = build_chat(spec, where, self.config)
            return client


@dataclass
class Budget:
    """Model calls left for one question."""

    calls_left: int

    def take(self) -> None:
        if self.calls_left <= 0:
            raise BudgetExhausted("the question used its whole budget of model calls")
        self.calls_left -= 1


@dataclass
class ModelCaller:
    """One model, for one question: every call is budgeted, timed, priced and traced."""

    spec: ModelSpec
    chat: BaseChatModel
    recorder: TraceRecorder
    budget: Budget
    calls: int = field(default=0)
    down: str | None = None  # set by a transport failure: later calls of this question fail fast

    @property
    def name(self) -> str:
        return self.spec.name

    def call(
        self,
        messages: Sequence[BaseMessage],
        tools: Sequence[ToolSchema],
        *,
        agent: str,
        tool_choice: str | None = None,
    ) -> AIMessage:
        if self.down is not None:
            raise ModelCallFailed(self.spec.name, f"{self.down} earlier in this question")
        size = estimate_tokens(messages, tools)
        if size > self.spec.context_window:
            raise PromptTooLong(
                f"{self.spec.name}: a prompt of about {size:,} tokens exceeds its context "
                f"window of {self.spec.context_window:,}"
            )
        self.budget.take()
        import httpx  # loaded with the clients, not for offline use
        import openai

        with self.recorder.step(agent, "llm", model=self.spec.name) as step:
            try:
                bound = self.chat.bind_tools(list(tools), tool_choice=tool_choice) if tools else self.chat
                reply = bound.invoke(list(messages))
            except (openai.OpenAIError, httpx.HTTPError) as e:
                self.down = _failure(e)
                raise ModelCallFailed(self.spec.name, self.down) from e
            if not isinstance(reply, AIMessage):
                raise InvalidModelOutput(self.spec.name, "not a chat message")
            usage = reply.usage_metadata or {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
            step.tokens_in, step.tokens_out = usage["input_tokens"], usage["output_tokens"]
            step.cost_usd = round(self.spec.cost_usd(step.tokens_in, step.tokens_out), 6)
            step.detail = _describe(reply)
        self.calls += 1
        return reply


def _failure(error: Exception) -> str:
    import httpx
    import openai

    if isinstance(error, openai.APITimeoutError | httpx.TimeoutException):
        return "timed out"
    if isinstance(error, openai.APIStatusError):
        return f"HTTP {error.status_code}"
    if isinstance(error, openai.APIConnectionError):
        return "connection failed"
    return type(error).__name__


def _describe(reply: AIMessage) -> str:
    calls = [c["name"] for c in reply.tool_calls] + [
        f"{c.get('name')} (invalid)" for c in reply.invalid_tool_calls
    ]
    if calls:
        return "tool calls: " + ", ".join(str(c) for c in calls)
    return f"text reply, {len(str(reply.content))} chars"


# -- structured output through one forced tool call ------------------------------------------------


def call_tool(
    caller: ModelCaller,
    messages: list[BaseMessage],
    tool: ToolSchema,
    args: type[M],
    *,
    agent: str,
    attempts: int = 2,
) -> M:
    """Ask for one call of ``tool`` and validate its arguments; re-ask with the error, bounded."""
    name = tool["function"]["name"]
    conversation = list(messages)
    problem = "no attempt"
    for _ in range(attempts):
        reply = caller.call(conversation, [tool], agent=agent, tool_choice=name)
        parsed, problem = parse_tool_call(reply, name, args)
        if parsed is not None:
            return parsed
        logger.info("%s gave invalid %s output: %s", caller.name, name, problem)
        conversation += [reply, *retry_messages(reply, f"Invalid {name} call: {problem}. Call {name} again.")]
    raise InvalidModelOutput(caller.name, f"invalid {name} output after {attempts} attempts: {problem}")


def parse_tool_call(reply: AIMessage, name: str, args: type[M]) -> tuple[M | None, str]:
    """The validated arguments of the first ``name`` call in ``reply``, or the problem."""
    if reply.invalid_tool_calls:
        return None, f"the arguments of {reply.invalid_tool_calls[0].get('name')} are not valid JSON"
    calls = [c for c in reply.tool_calls if c["name"] == name]
    if not calls:
        found = ", ".join(c["name"] for c in reply.tool_calls) or "no tool call"
        return None, f"expected a call of {name}, got {found}"
    try:
        return args.model_validate(calls[0]["args"]), ""
    except ValidationError as e:
        details = "; ".join(
            f"{'.'.join(map(str, err['loc'])) or 'arguments'}: {err['msg']}" for err in e.errors()[:5]
        )
        return None, details


def retry_messages(reply: AIMessage, feedback: str) -> list[BaseMessage]:
    """Messages answering every tool call of ``reply`` with ``feedback`` (or one human turn)."""
    ids = [c["id"] for c in reply.tool_calls if c.get("id")]
    ids += [c["id"] for c in reply.invalid_tool_calls if c.get("id")]
    if not ids:
        return [HumanMessage(feedback)]
    return [ToolMessage(feedback, tool_call_id=i) for i in ids]
