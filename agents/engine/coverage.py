"""Which years are loaded for which geographies (read once from the ``coverage`` table)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from agents.sql.gateway import SqlGateway

_KIND_NAMES = {"national": "national", "state": "state", "territory": "territory",
               "metro": "metropolitan-area", "nonmetro": "nonmetropolitan-area"}  # fmt: skip


@dataclass(frozen=True)
class Coverage:
    cross_industry: dict[str, tuple[int, ...]]  # area kind -> years (cross-industry rows)
    by_industry: dict[str, tuple[int, ...]]  # area kind -> years with industry-specific rows

    @classmethod
    def load(cls, gateway: SqlGateway) -> Coverage:
        result = gateway.execute("SELECT kind, cross_industry, year FROM coverage ORDER BY year, kind")
        cross: dict[str, list[int]] = defaultdict(list)
        industry: dict[str, list[int]] = defaultdict(list)
        for kind, is_cross, year in result.rows:
            (cross if is_cross else industry)[kind].append(int(year))
        return cls({k: tuple(v) for k, v in cross.items()}, {k: tuple(v) for k, v in industry.items()})

    @property
    def all_years(self) -> tuple[int, ...]:
        years = {y for ys in self.cross_industry.values() for y in ys}
        return tuple(sorted(years))

    @property
    def latest(self) -> int:
        return self.all_years[-1]

    def years_for(self, kind: str, *, industry: bool) -> tuple[int, ...]:
        table = self.by_industry if industry else self.cross_industry
        return table.get(kind, ())

    def describe(self) -> str:
        """E.g. "Loaded: national data for 2019–2025; state data for 2025; ..."."""
        parts = []
        for kind, years in self.cross_industry.items():
            parts.append(f"{_KIND_NAMES.get(kind, kind)} data for {_span(years)}")
        for kind, years in self.by_industry.items():
            parts.append(f"{_KIND_NAMES.get(kind, kind)} by-industry data for {_span(years)}")
        return "Loaded: " + "; ".join(parts) + "."


def _span(years: tuple[int, ...]) -> str:
    if len(years) > 1 and years == tuple(range(years[0], years[-1] + 1)):
        return f"May {years[0]}–May {years[-1]}"
    return ", ".join(f"May {y}" for y in years)
