"""Thread memory: what a follow-up in the same thread can reuse from the previous answer.

``ThreadContext`` is the typed form; answers carry it as plain JSON (``context_of``), which the
bot stores per thread and hands back with the next question (``ThreadContext.read``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from agents.engine.intent import Intent, RankBy, Shape

SHARED_FIELDS = (
    "shape", "measures", "years", "rank_by", "rank_area_kind", "rank_industry_level", "top_n", "descending",
    "family",
)  # fmt: skip


class ThreadContext(BaseModel):
    """The codes and choices of an answer's intent (entities by code, not by title)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    shape: Shape = "lookup"
    measures: tuple[str, ...] = ()
    occupations: tuple[str, ...] = ()  # SOC codes
    areas: tuple[str, ...] = ()  # area codes
    industry: str | None = None  # a NAICS code
    years: tuple[int, ...] = ()
    rank_by: RankBy | None = None
    rank_area_kind: str | None = None
    rank_industry_level: str | None = None
    top_n: int = 0
    descending: bool = True
    family: str = ""

    @classmethod
    def of(cls, intent: Intent) -> ThreadContext:
        return cls(
            **{name: getattr(intent, name) for name in SHARED_FIELDS},
            occupations=tuple(o.code for o in intent.occupations),
            areas=tuple(a.code for a in intent.areas),
            industry=intent.industry.naics if intent.industry else None,
        )

    def shared(self) -> dict[str, Any]:
        """The fields an ``Intent`` takes as they are (entities are rebuilt from their codes)."""
        return {name: getattr(self, name) for name in SHARED_FIELDS}

    @classmethod
    def read(cls, stored: Mapping[str, Any] | None) -> ThreadContext | None:
        """A stored context, or None when there is none (or it is not one we wrote)."""
        if not stored:
            return None
        try:
            return cls.model_validate(stored)
        except ValidationError:
            return None


def context_of(intent: Intent) -> dict[str, Any]:
    """What a follow-up in the same thread can reuse, as plain JSON (stored with the answer)."""
    return ThreadContext.of(intent).model_dump(mode="json")
