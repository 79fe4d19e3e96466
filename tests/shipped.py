"""The BLS files shipped with the product, read with the csv module (independently of the loader).

Tests take their expected values from here: the same real files the database is built from, kept in
the repository, so the tests need nothing beside it.
"""

from __future__ import annotations

import csv
import importlib.util
import lzma
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

SHIPPED = Path(__file__).resolve().parents[1] / "agents" / "oews" / "shipped"


def shipped_path(name: str) -> Path:
    """A shipped file by its BLS name, e.g. ``national_M2019_dl`` (compressed as ``.csv.xz``)."""
    return SHIPPED / f"{name}.csv.xz"


@cache
def shipped_rows(name: str) -> tuple[dict[str, str], ...]:
    """Every row of a shipped file as BLS published it (column names as in the file)."""
    with lzma.open(shipped_path(name), "rt", encoding="utf-8") as f:
        return tuple(csv.DictReader(f))


def national_release(folder: Path, year: int, rn_median: str) -> Path:
    """The shipped May 2025 national file as a later release, with a new registered-nurse median."""
    rows = shipped_rows("national_M2025_dl")
    path = folder / f"national_M{year}_dl.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "A_MEDIAN": rn_median} if row["OCC_CODE"] == "29-1141" else row)
    return path


EVAL_QUESTIONS = Path(__file__).resolve().parents[1] / "eval" / "questions.jsonl"
"""The project's own evaluation questions, golds computed from the shipped files by scripts/eval_golds.py."""


def script(name: str) -> ModuleType:
    """A script of ``scripts/`` imported as a module (``script("eval_golds")``)."""
    spec = importlib.util.spec_from_file_location(
        name, Path(__file__).resolve().parents[1] / "scripts" / f"{name}.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
