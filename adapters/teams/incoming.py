"""Reading Teams activities: who, where, which thread, and what was asked or clicked.

Thread key: ``Question.thread`` is the Teams conversation id.  In a channel that id ends in
``;messageid=<root post id>``, so every message of one reply chain shares it and follow-ups
there reuse the chain's context, while a new post starts afresh.  A 1:1 chat and a group chat
have no reply chains: the whole chat is one thread.  ``Question.channel`` is the conversation
id without the ``;messageid=`` part (the channel, or the chat).  ``Question.workspace`` is the
tenant id.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from bot.types import Question

MAX_TEXT_CHARS = 4_000  # the engine refuses long questions itself; this only bounds the work
PERSONAL = "personal"
_TAG = re.compile(r"<[^>]{1,200}>")
_SPACE = re.compile(r"\s+")

TraceId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class _Submit(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    trace_id: TraceId


class ShowTrace(_Submit):
    oews: Literal["show_trace"]


class Feedback(_Submit):
    oews: Literal["feedback"]
    vote: Literal["up", "down"]


class Clarify(_Submit):
    oews: Literal["clarify"]
    question: str = Field(min_length=1, max_length=500)


class Reshape(_Submit):
    """A reshape menu choice or a suggested follow-up: ask ``reshape`` in this thread."""

    oews: Literal["reshape"]
    reshape: str = Field(min_length=1, max_length=500)


class ExportCsv(_Submit):
    oews: Literal["csv"]


class Subscribe(_Submit):
    """*Notify me of new data*: subscribe to the question of this answer."""

    oews: Literal["subscribe"]


CardAction = ShowTrace | Feedback | Clarify | Reshape | ExportCsv | Subscribe
_CARD_ACTION: TypeAdapter[CardAction] = TypeAdapter(
    Annotated[ShowTrace | Feedback | Clarify | Reshape | ExportCsv | Subscribe, Field(discriminator="oews")]
)


@dataclass(frozen=True)
class Ask:
    text: str


@dataclass(frozen=True)
class Invalid:
    """A card submit we cannot honour (forged, stale or from an old card)."""


@dataclass(frozen=True)
class Hint:
    """Addressed to the bot but with no text to answer (only a mention, only attachments)."""


@dataclass(frozen=True)
class Ignore:
    """Not for the bot: a channel or group-chat message that does not mention it."""


Inbound = Ask | ShowTrace | Feedback | Clarify | Reshape | ExportCsv | Subscribe | Invalid | Hint | Ignore


def read_message(activity: Any) -> Inbound:
    """What a message activity asks for."""
    if activity.value is not None:
        return _card_action(activity.value)
    if not is_personal(activity) and not _mentions_bot(activity):
        return Ignore()
    text = question_text(activity)
    return Ask(text) if text else Hint()


def _card_action(value: Any) -> CardAction | Invalid:
    try:
        return _CARD_ACTION.validate_python(value)
    except ValidationError:
        return Invalid()


def question_text(activity: Any) -> str:
    """The message text without the bot's @mention, tags and extra whitespace."""
    text = (activity.text or "")[: MAX_TEXT_CHARS * 2]
    for mention in _bot_mentions(activity):
        if mention:
            text = text.replace(mention, " ")
    text = html.unescape(_TAG.sub(" ", text))
    return _SPACE.sub(" ", text).strip()[:MAX_TEXT_CHARS]


def _mentions(activity: Any) -> list[dict[str, Any]]:
    found = []
    for entity in activity.entities or []:
        props = getattr(entity, "additional_properties", None) or {}
        if (getattr(entity, "type", "") or "").lower() == "mention" and isinstance(
            props.get("mentioned"), dict
        ):
            found.append(props)
    return found


def _bot_mentions(activity: Any) -> list[str]:
    bot_id = getattr(activity.recipient, "id", None)
    return [
        str(m.get("text") or "") for m in _mentions(activity) if bot_id and m["mentioned"].get("id") == bot_id
    ]


def _mentions_bot(activity: Any) -> bool:
    return bool(_bot_mentions(activity))


def is_personal(activity: Any) -> bool:
    return getattr(activity.conversation, "conversation_type", None) == PERSONAL


def tenant_of(activity: Any) -> str:
    tenant = getattr(activity.conversation, "tenant_id", None)
    if not tenant and isinstance(activity.channel_data, dict):
        data = activity.channel_data.get("tenant")
        tenant = data.get("id") if isinstance(data, dict) else None
    return str(tenant or "")


def question_for(activity: Any, text: str) -> Question:
    """The neutral question for ``text`` asked in this activity's conversation."""
    conversation = str(activity.conversation.id)
    sender = activity.from_property
    return Question(
        text=text,
        platform="teams",
        workspace=tenant_of(activity),
        channel=conversation.split(";messageid=")[0],
        thread=conversation,
        user=str(getattr(sender, "aad_object_id", None) or getattr(sender, "id", None) or ""),
        delivery_id=f"teams:{conversation}:{activity.id}" if activity.id else None,
    )
