"""Exceptions raised by ``bot`` (the core service, its store, workers and exports) and ``adapters``.

BotError
├── StoreError            the bot database could not do an operation (bot/store.py, bot/pgstore.py;
│                         carries the operation and the database's own message)
├── LeaseLost             another worker took this job over; stop without posting (bot/worker.py)
├── CsvExportError        an answer cannot be exported as CSV (it has no table; also a ValueError)
├── SubscriptionError     a subscription cannot be made (bot/subscriptions.py; also a ValueError)
└── SettingsError         a platform cannot start with these settings; the message says what to set
    │                     (also a ValueError)
    ├── SlackConfigError  a Slack setting is missing, refused or unreachable (adapters/slack/adapter.py)
    └── TeamsConfigError  the Teams settings are incomplete or wrong (adapters/teams/config.py)

Errors from answering itself are ``OewsError``s (``agents/errors.py``).  Like those, a
``BotError`` has a ``user_message`` that is safe to show a user; ``str(error)`` is for logs.
"""

from __future__ import annotations


class BotError(Exception):
    """Base class for every error the bot raises on purpose."""

    user_message = "Something went wrong while answering."


class CsvExportError(BotError, ValueError):
    """The answer cannot be exported (it has no table); ``user_message`` says so."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class SettingsError(BotError, ValueError):
    """A surface cannot start with these settings; ``str(error)`` names what to set (no secrets)."""

    user_message = "The bot is not configured correctly."
