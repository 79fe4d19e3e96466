"""Facts derived from BLS area titles (shared by the database build and the resolver)."""

from __future__ import annotations

import re

_STATE_SUFFIX = re.compile(r",\s*([A-Z]{2}(?:-[A-Z]{2})*)\s*$")


def title_states(title: str) -> tuple[str, ...]:
    """Postal codes at the end of a metro title: "Portland-Vancouver-Hillsboro, OR-WA" -> (OR, WA)."""
    m = _STATE_SUFFIX.search(title)
    return tuple(m.group(1).split("-")) if m else ()


def principal_cities(title: str) -> tuple[str, ...]:
    """City names of a metro title.

    "Seattle-Tacoma-Bellevue, WA" -> (Seattle, Tacoma, Bellevue, Seattle-Tacoma-Bellevue).
    """
    if "nonmetropolitan" in title.lower():
        return ()
    head = _STATE_SUFFIX.sub("", title).strip()
    separator = "--" if "--" in head else "-"
    parts = [part.strip() for part in head.split(separator) if part.strip()]
    return tuple(dict.fromkeys([*parts, head]))  # "Winston-Salem" is kept whole as well
