"""Exceptions raised by ``bot`` (the core service, its store, workers and exports).

BotError
└── CsvExportError        an answer cannot be exported as CSV (it has no table; also a ValueError)

Not yet in this tree (their modules are being reworked elsewhere; each should derive from
``BotError`` when next touched): ``StoreError`` (bot/store.py), ``LeaseLost`` (bot/worker.py),
``SubscriptionError`` (bot/subscriptions.py), and the Teams adapter's ``Busy``.

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
