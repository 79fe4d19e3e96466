"""Exceptions raised by ``agents`` (the engine, the workflow and the data tools).

OewsError
├── ConfigurationError        a setting is wrong (carries the setting's name; passwords masked)
├── DataError                 loading or building the OEWS database
│   ├── LoadError             one input file could not be read (carries the file and the problem)
│   ├── DatabaseUnavailable   the database server cannot be reached or dropped the connection
│   ├── CrosswalkError        the shipped SOC crosswalk file is malformed (also a ValueError)
│   └── FetchError            a BLS download failed or was not what it claimed (oews/fetch.py)
├── SqlError                  anything that went wrong with one SQL statement (carries sql, params)
│   ├── SqlRejected           the statement failed validation; it never ran
│   ├── SqlTimeout            the statement ran past the time limit and was interrupted
│   └── SqlExecutionError     the database raised while running it
├── ChartSpecError            a chart spec cannot be drawn (also a ValueError)
├── ModelError                a language model call failed (HTTP error, timeout, invalid output)
│   ├── ModelCallFailed       the HTTP call failed or timed out (workflow/llm.py)
│   ├── InvalidModelOutput    the reply did not validate (workflow/llm.py)
│   ├── BudgetExhausted       the per-question call budget is spent (workflow/llm.py)
│   └── PromptTooLong         the prompt is over the model's limit (workflow/llm.py)
├── RegistryError             the model registry file is wrong (workflow/registry.py)
├── AliasFileError            the alias tables file is wrong (resolve/aliases.py)
└── ResearchError             web research failed (research.py)

The bot's own errors (store, exports, workers) are ``BotError``s: see ``bot/errors.py``.

Every error has a ``user_message``: a short sentence that is safe to show a user (no SQL,
no paths, no secrets).  ``str(error)`` is for logs only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class OewsError(Exception):
    """Base class for every error the engine raises on purpose."""

    user_message = "Something went wrong while answering."


class ConfigurationError(OewsError):
    """A setting is wrong: the message names the setting to fix (and never a password)."""

    user_message = "The bot is not configured correctly."

    def __init__(self, message: str, *, setting: str) -> None:
        super().__init__(message)
        self.setting = setting


class DataError(OewsError):
    user_message = "The OEWS data could not be prepared."


class DatabaseUnavailable(DataError):
    """The OEWS database server could not be reached, refused the login, or went away."""

    user_message = "The OEWS database is not available right now."


class LoadError(DataError):
    """One file could not be loaded; the database was left unchanged."""

    def __init__(self, file: str, problem: str) -> None:
        super().__init__(f"{file}: {problem}")
        self.file = file
        self.problem = problem

    @property
    def user_message(self) -> str:  # type: ignore[override]
        return f"Could not load {self.file}: {self.problem}"


class SqlError(OewsError):
    user_message = "The database query failed."

    def __init__(self, message: str, *, sql: str, params: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.sql = sql
        self.params = tuple(params)


class SqlRejected(SqlError):
    user_message = "That query is not allowed."


class SqlTimeout(SqlError):
    user_message = "The query took too long and was stopped."

    def __init__(self, *, sql: str, params: Sequence[Any] = (), limit_ms: int) -> None:
        super().__init__(f"query interrupted after {limit_ms} ms", sql=sql, params=params)
        self.limit_ms = limit_ms


class SqlExecutionError(SqlError):
    user_message = "The database could not run the query."


class CrosswalkError(DataError, ValueError):
    """The crosswalk file is malformed (a row names an unknown relation, a bad year span …)."""


class ChartSpecError(OewsError, ValueError):
    """The spec cannot be drawn (mismatched lengths, wrong series for ``range``...)."""

    user_message = "The chart could not be drawn."


class ModelError(OewsError):
    user_message = "The language model did not answer usefully."
