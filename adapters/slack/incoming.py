"""Slack payloads in, typed values out: who asked what, where, and in which thread.

No question content is interpreted here: the bot's own mention is removed and the rest is
passed on as typed; the core decides what the text means.

Workspace ids: a question's workspace is the asking user's team (``event.user_team`` /
``event.team``, ``user.team_id`` for interactions, ``team_id`` for commands), so that users
of other organisations in a Slack Connect channel are checked against the allowlist too.
For org-wide installs on Enterprise Grid it is the enterprise id (``E…``), which is what
``SLACK_ALLOWED_TEAMS`` must then list.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

IGNORED_SUBTYPES = frozenset({
    "bot_message", "message_changed", "message_deleted", "message_replied", "channel_join",
    "channel_leave", "channel_topic", "channel_purpose", "channel_name", "group_join", "group_leave",
    "ekm_access_denied", "me_message", "tombstone", "pinned_item", "unpinned_item",
})  # fmt: skip
_PRIVATE_FLAGS = ("-p", "--private")
_MODEL_FLAGS = {"--model": "model", "--reasoning-model": "reasoning_model"}


@dataclass(frozen=True)
class Asked:
    """A message that asks the bot something (a mention, a DM, a thread follow-up)."""

    text: str
    workspace: str
    channel: str
    user: str
    ts: str
    thread: str  # the root ts of the thread the answer goes to
    event_id: str | None


@dataclass(frozen=True)
class SlashRequest:
    question: str
    private: bool = False
    model: str | None = None
    reasoning_model: str | None = None
    wants_help: bool = False


def strip_mention(text: str, bot_user_id: str | None) -> str:
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(\|[^>]*)?>", " ", text)
    return text.strip()


def mentions(text: str, bot_user_id: str | None) -> bool:
    return bool(bot_user_id) and f"<@{bot_user_id}" in text


def is_from_bot(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """Bots (this one included) and system messages are never answered."""
    if event.get("bot_id") or event.get("bot_profile"):
        return True
    if event.get("subtype") in IGNORED_SUBTYPES:
        return True
    return bool(bot_user_id) and event.get("user") == bot_user_id


def asked(
    body: dict[str, Any], event: dict[str, Any], *, bot_user_id: str | None, default_workspace: str
) -> Asked | None:
    """The question in a message event, or None when the event is not one (no user, no ts)."""
    user, ts, channel = event.get("user"), event.get("ts"), event.get("channel")
    if not (isinstance(user, str) and isinstance(ts, str) and isinstance(channel, str)):
        return None
    text = event.get("text")
    return Asked(
        text=strip_mention(text if isinstance(text, str) else "", bot_user_id),
        workspace=event_workspace(body, event, default_workspace),
        channel=channel,
        user=user,
        ts=ts,
        thread=str(event.get("thread_ts") or ts),
        event_id=body.get("event_id") if isinstance(body.get("event_id"), str) else None,
    )


def event_workspace(body: dict[str, Any], event: dict[str, Any], default: str) -> str:
    enterprise = _org_install(body)
    if enterprise:
        return enterprise
    for candidate in (event.get("user_team"), event.get("team"), body.get("team_id")):
        if isinstance(candidate, str) and candidate:
            return candidate
    return default


def action_workspace(body: dict[str, Any], default: str) -> str:
    """Interactions (block actions) and slash commands."""
    enterprise = _org_install(body)
    if enterprise:
        return enterprise
    user = body.get("user")
    team = body.get("team")
    for candidate in (
        user.get("team_id") if isinstance(user, dict) else None,
        team.get("id") if isinstance(team, dict) else None,
        body.get("team_id"),
    ):
        if isinstance(candidate, str) and candidate:
            return candidate
    return default


def _org_install(body: dict[str, Any]) -> str | None:
    auths = body.get("authorizations")
    first = auths[0] if isinstance(auths, list) and auths and isinstance(auths[0], dict) else body
    if first.get("is_enterprise_install") in (True, "true"):
        enterprise = first.get("enterprise_id") or body.get("enterprise_id")
        if isinstance(body.get("enterprise"), dict):
            enterprise = enterprise or body["enterprise"].get("id")
        return enterprise if isinstance(enterprise, str) and enterprise else None
    return None


def parse_slash(text: str) -> SlashRequest:
    """``/oews [-p|--private] [--model NAME] [--reasoning-model NAME] QUESTION`` or ``help``."""
    rest = text.strip()
    private = False
    overrides: dict[str, str | None] = {"model": None, "reasoning_model": None}
    while rest.startswith("-"):
        flag, _, after = rest.partition(" ")
        name, eq, value = flag.partition("=")
        if flag in _PRIVATE_FLAGS:
            private, rest = True, after.strip()
        elif name in _MODEL_FLAGS:
            if not eq:
                value, _, after = after.strip().partition(" ")
            overrides[_MODEL_FLAGS[name]] = value.strip("\"'“”") or None
            rest = after.strip()
        else:
            break
    wants_help = rest.lower() in ("", "help", "-h", "--help", "?")
    return SlashRequest(
        question=rest,
        private=private,
        wants_help=wants_help,
        model=overrides["model"],
        reasoning_model=overrides["reasoning_model"],
    )


class BotThreads:
    """Threads the bot has answered in (bounded, most recent kept): follow-ups need no mention."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()

    def add(self, channel: str, thread: str) -> None:
        self._seen[(channel, thread)] = None
        self._seen.move_to_end((channel, thread))
        while len(self._seen) > self._capacity:
            self._seen.popitem(last=False)

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self._seen


@dataclass(frozen=True)
class Click:
    """A click on a button of one of the bot's messages."""

    value: str
    label: str
    user: str
    workspace: str
    channel: str | None
    message_ts: str | None  # None for ephemeral messages, which cannot be edited
    root: str | None  # the thread the message is in (its own ts at the top level)
    message_text: str
    message_blocks: list[dict[str, Any]]
    trigger_id: str | None
    block_id: str = ""  # the block the control is in (reshape controls name their answer's trace)

    @property
    def source(self) -> str:
        """The trace id a reshape control belongs to (after the ``:`` of its block id)."""
        return self.block_id.partition(":")[2]


def click(body: dict[str, Any], action: dict[str, Any], *, default_workspace: str) -> Click | None:
    user = body.get("user")
    user_id = user.get("id") if isinstance(user, dict) else None
    if not isinstance(user_id, str):
        return None
    message, container = _dict(body.get("message")), _dict(body.get("container"))
    ts = None if container.get("is_ephemeral") else message.get("ts")
    chosen = _dict(action.get("selected_option"))  # a select menu's choice
    value = action.get("value") or chosen.get("value")
    label = _dict(action.get("text") or chosen.get("text")).get("text")
    return Click(
        value=str(value or ""),
        label=str(label or value or ""),
        user=user_id,
        workspace=action_workspace(body, default_workspace),
        channel=_str(_dict(body.get("channel")).get("id")),
        message_ts=ts if isinstance(ts, str) else None,
        root=str(message.get("thread_ts") or ts) if isinstance(ts, str) else None,
        message_text=str(message.get("text") or ""),
        message_blocks=[b for b in message.get("blocks", []) if isinstance(b, dict)],
        trigger_id=_str(body.get("trigger_id")),
        block_id=str(action.get("block_id") or ""),
    )


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
