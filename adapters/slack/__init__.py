"""Slack surface: mentions, DMs, thread follow-ups, ``/oews``, buttons and App Home.

The server calls ``mount_slack`` (HTTP, ``POST /slack/events``) and, when
``SLACK_APP_TOKEN`` is set, ``start_socket_mode``.
"""

from adapters.slack.adapter import (
    EVENTS_PATH,
    SlackAdapter,
    SlackConfigError,
    SocketModeRunner,
    mount_slack,
    start_socket_mode,
)

__all__ = [
    "EVENTS_PATH",
    "SlackAdapter",
    "SlackConfigError",
    "SocketModeRunner",
    "mount_slack",
    "start_socket_mode",
]
