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


# -- the assistant surface (Slack's split view) -------------------------------------------------

ASSISTANT_GREETING = (
    "Hi! Ask me about U.S. jobs and pay: wages, employment and trends by occupation, state, "
    "metro area and industry, from the BLS Occupational Employment and Wage Statistics."
)
ASSISTANT_PROMPTS_TITLE = "Try asking"
ASSISTANT_STATUS = "is looking that up…"

# -- subscriptions -------------------------------------------------------------------------------------

SUBSCRIBE_HOW = (
    "Tell me which question to watch: `/oews subscribe QUESTION`, "
    "e.g. `/oews subscribe median pay of registered nurses in Texas`."
)
NOTHING_TO_SUBSCRIBE = (
    "I haven't answered a question here yet, so there is nothing to watch. Ask one first, "
    "or use `/oews subscribe QUESTION`."
)
NO_SUBSCRIPTIONS = (
    "You have no subscriptions. `/oews subscribe QUESTION` or the *Notify me of new data* button "
    "on an answer makes one."
)
NOTICE_FOOTER = (
    "You get this because you subscribed to this question. "
    "`/oews subscriptions` lists your subscriptions and removes them."
)
SUBSCRIPTION_REMOVED = "Removed: you won't hear about that question any more."
SUBSCRIPTION_MISSING = "That subscription is already gone."
SUBSCRIPTIONS_FAILED = "Sorry, I couldn't reach your subscriptions right now. Please try again later."


def subscribed_text(question: str, release: int, answer: str, *, where: str = "in a direct message") -> str:
    manage = (
        "`/oews subscriptions` lists your subscriptions and removes them."
        if where.endswith("message")
        else ""
    )
    return (
        f"Subscribed to “{question}”. When OEWS data newer than May {release} is loaded, I'll send "
        f"you the answer again {where}, with what changed. {manage}\n\n"
        f"The answer on the May {release} data: {answer}"
    )


def subscriptions_heading(count: int) -> str:
    return (
        f"Your subscription{'s' if count != 1 else ''} ({count}): each is answered again, in a "
        "direct message, when newer OEWS data is loaded."
    )


def subscribed_on(release: int) -> str:
    return f"Answered on the May {release} data."


def too_many_subscriptions(limit: int) -> str:
    return f"You already have {limit} subscriptions; remove one first (/oews subscriptions)."


def cannot_subscribe(answer_text: str) -> str:
    return (
        f"I can only subscribe you to a question I can answer, and I could not answer this one: {answer_text}"
    )


def notice_heading(release: int, question: str) -> str:
    return f"New OEWS data (May {release}) for your subscription: “{question}”"
