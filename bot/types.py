"""The neutral boundary between chat adapters and the core service."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from agents.answer import AnswerParts

Platform = Literal["slack", "teams", "cli"]
_UNENCODABLE = re.compile("[\ud800-\udfff]")  # lone surrogates: from JSON escapes or undecodable bytes


def clean_text(value: str) -> str:
    """Text that UTF-8 can carry: lone surrogates become U+FFFD (the replacement character)."""
    return _UNENCODABLE.sub("\ufffd", value)


AnswerStatus = Literal["answer", "clarification", "refusal", "not_found", "error", "denied", "rate_limited"]


class Question(BaseModel):
    """A question as any platform delivers it."""

    model_config = ConfigDict(frozen=True)

    text: str
    platform: Platform
    workspace: str  # Slack team / enterprise id, Teams tenant id, "local" for the CLI
    channel: str = ""
    thread: str | None = None  # conversation thread key; follow-ups share it
    user: str = ""
    model: str | None = None  # implementation-model override
    reasoning_model: str | None = None  # reasoning-model override
    delivery_id: str | None = None  # platform event id, for de-duplication

    @field_validator(
        "text", "workspace", "channel", "thread", "user", "model", "reasoning_model", "delivery_id"
    )
    @classmethod
    def _encodable(cls, value: str | None) -> str | None:
        """Cleaned at the edge: every later step (traces, logs, the store) can encode it."""
        return None if value is None else clean_text(value)


class Answer(AnswerParts):
    """What an adapter renders: the parts of an answer (``AnswerParts``), its status and trace id."""

    status: AnswerStatus
    trace_id: str
    chart_title: str | None = None
    private: bool = False  # show only to the asking user (quota, access messages)
