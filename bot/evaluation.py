"""Scoring answers against question files in the format of ``shared/eval/`` (see its README)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.types import Answer

_NUMBER = re.compile(r"(?<![\w.])([-−])?\$?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")
_NOT_PUBLISHED = re.compile(
    r"not published|did not publish|not available|not released|no estimate|publishes no"
)
_TOP_CODED = re.compile(r"at or above|top-cod|≥")
_NOT_APPLIED = re.compile(
    r"not applied|not used|does not use|didn't use|can't filter|cannot filter", re.IGNORECASE
)
_INTERNAL = re.compile(r"traceback|select\s|sqlite|api[_ ]key|password|exception|\.py\b", re.IGNORECASE)


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    question: str
    expect: dict[str, Any]


@dataclass
class Outcome:
    case: Case
    passed: bool
    why: str = ""


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(o.passed for o in self.outcomes) / len(self.outcomes) if self.outcomes else 0.0

    def by_category(self) -> dict[str, tuple[int, int]]:
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for o in self.outcomes:
            totals[o.case.category][0] += o.passed
            totals[o.case.category][1] += 1
        return {k: (v[0], v[1]) for k, v in sorted(totals.items())}


def load_cases(path: Path) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            cases.append(Case(d["id"], d.get("category", ""), d["question"], d["expect"]))
    return cases


def evaluate(cases: Iterable[Case], ask: Callable[[str], Answer]) -> Report:
    report = Report()
    for case in cases:
        answer = ask(case.question)
        passed, why = score(case.expect, answer)
        report.outcomes.append(Outcome(case, passed, why))
    return report


def shown_text(answer: Answer) -> str:
    parts = [answer.text]
    for table in answer.tables:
        parts.extend(" | ".join(row) for row in table.text_rows())
    if answer.clarification:
        parts.extend(o.label for o in answer.clarification.options)
    return "\n".join(parts)


def score(expect: dict[str, Any], answer: Answer) -> tuple[bool, str]:
    text = shown_text(answer)
    checks: list[tuple[bool, str]] = []
    if "numbers" in expect:
        missing = [n for n in expect["numbers"] if not is_shown(n, text)]
        checks.append((not missing, f"missing numbers {missing}"))
    if "numbers_any" in expect:
        checks.append((any(is_shown(n, text) for n in expect["numbers_any"]), "none of numbers_any shown"))
    if "top" in expect:
        checks.append((_in_order(expect["top"], answer, text), "ranking order not shown"))
    if "clarify" in expect:
        checks.append(
            (all(_loose(n) in _loose(text) for n in expect["clarify"]), "not all candidates offered")
        )
    if expect.get("not_published"):
        absent = [n for n in expect.get("numbers_absent", []) if is_shown(n, text)]
        checks.append(
            (
                bool(_NOT_PUBLISHED.search(text.lower())) and not absent,
                f"not flagged as not published or shows {absent}",
            )
        )
    if expect.get("topcoded"):
        checks.append(
            (
                bool(_TOP_CODED.search(text.lower())) and ("239,200" in text or "115.00" in text),
                "top-code not stated",
            )
        )
    if expect.get("refuse"):
        checks.append((_refused(answer, text), "did not refuse cleanly"))
    said = "\n".join([text, *answer.caveats])
    if "says" in expect:
        unsaid = [p for p in expect["says"] if p.lower() not in said.lower()]
        checks.append((not unsaid, f"does not say {unsaid}"))
    if "not_applied" in expect:
        unnamed = [p for p in expect["not_applied"] if not names_not_applied(p, said)]
        checks.append((not unnamed, f"does not say it did not apply {unnamed}"))
    failed = [why for ok, why in checks if not ok]
    return not failed, "; ".join(failed)


def names_not_applied(phrase: str, text: str, reach: int = 300) -> bool:
    """``phrase`` appears within ``reach`` characters after a "not applied" statement."""
    lowered = text.lower()
    return any(phrase.lower() in lowered[m.start() : m.end() + reach] for m in _NOT_APPLIED.finditer(text))


def is_shown(expected: float, text: str) -> bool:
    """Whether ``expected`` appears at its natural precision (see the eval README).

    A negative number (a decline) is shown with its sign ("-228,610", "−228,610") or as a
    magnitude in words ("fell by 228,610"); a positive one is never shown by its negative.
    """
    for m in _NUMBER.finditer(text):
        sign, whole, decimals = m.group(1), m.group(2).replace(",", ""), m.group(3)
        shown = float(f"{whole}.{decimals}" if decimals else whole) * (-1 if sign else 1)
        if decimals is None:
            if not float(expected).is_integer():
                continue
            value = float(expected)
        elif len(decimals) >= (2 if abs(expected) < 10 else 1):
            value = round(expected, len(decimals))
        else:
            continue
        if shown == value or (value < 0 and shown == -value):
            return True
    return False


def _loose(s: str) -> str:
    s = re.sub(r",?\s*except\b.*?(?=$|\n|\|)", "", s.lower())
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


def _in_order(names: list[str], answer: Answer, text: str) -> bool:
    wanted = [_loose(n) for n in names]
    for table in answer.tables:
        labels = [_loose(" ".join(c for c in row if not c.isdigit())) for row in table.text_rows()]
        if len(labels) >= len(wanted) and all(w in lab for w, lab in zip(wanted, labels, strict=False)):
            return True
    flat, position = _loose(text), -1
    for w in wanted:
        position = flat.find(w, position + 1)
        if position < 0:
            return False
    return True


def _refused(answer: Answer, text: str) -> bool:
    returned_rows = any(r.row_count for r in answer.sql)
    return (
        answer.status in ("refusal", "not_found")
        and not answer.tables
        and not returned_rows
        and not _INTERNAL.search(text)
    )
