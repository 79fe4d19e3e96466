"""Every text the bot says about itself (not about the data), for every platform, in one place.

Adapters render these; they do not write their own.  Slack mrkdwn and Teams text both show
them as they are.
"""

from __future__ import annotations

BUSY = "I'm answering a lot of questions right now. Please try again in a minute."
FEEDBACK_THANKS = "Thanks for the feedback!"
FEEDBACK_MISSING = "I couldn't find that answer any more, so the feedback was not recorded."
FEEDBACK_FAILED = "Sorry, I couldn't record the feedback right now. Please try again later."
DENIED = "This workspace is not allowed to use this bot. Ask your admin to add it."
DENIED_TEAMS = "This Microsoft Teams organization is not allowed to use this bot. Ask your admin to add it."
TRACE_UNAVAILABLE = "I can't show that trace: it doesn't exist or belongs to another conversation."
ANSWER_GONE = "That answer is gone or belongs to another conversation; please ask your question again."
CSV_COMMENT = (
    "The table as CSV: plain numbers, units in the column names; the comment lines at the top "
    "name the source and explain any BLS special value (top-coded, not published)."
)
CSV_UPLOAD_FAILED = "Sorry, I couldn't attach the CSV file right now. Please try again later."
QUEUE_NOTE_POSITION = 25  # a question this far back in the queue gets a note (a wait of seconds)


def error_text(trace_id: str) -> str:
    """The one "something went wrong" message: short, with the reference the team looks up."""
    return (
        f"Sorry, something went wrong while answering. The team can look it up by its trace id: {trace_id}."
    )


def queued_text(position: int) -> str:
    """Told to someone whose question waits behind many others."""
    return (
        f"Lots of questions right now: yours is number {position} in the queue. "
        "I'll answer here as soon as it's its turn."
    )


def queue_note(position: int) -> str | None:
    """The note for a question queued at ``position`` (1 = next), or None when the wait is short."""
    return queued_text(position) if position >= QUEUE_NOTE_POSITION else None
