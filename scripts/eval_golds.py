#!/usr/bin/env python3
"""Compute the golds of the project's evaluation questions from the shipped BLS files.

``eval/questions.toml`` holds each question with a *recipe* for its expected answer, written in
terms of the BLS download files shipped in ``agents/oews/shipped/``; this script reads those files
(never the product's database or code) and writes ``eval/questions.jsonl`` in the format that
``oews-bot eval`` scores. Run it again after editing the questions:

    python scripts/eval_golds.py            # rewrite eval/questions.jsonl (and its .stamp)
    python scripts/eval_golds.py --check    # exit 1 if the file is out of date (CI runs this)

Beside the output goes a ``.stamp``: the SHA-256 of what it was computed from (the question file,
this script, the shipped files) and of the output itself, so a quick check (the test suite's)
can tell a stale or hand-edited file without computing every gold again.
    python scripts/eval_golds.py held_out.toml -o held_out.jsonl   # another question file

A *cell* names one published value: ``SOURCE KEY=VALUE ... COLUMN``, for example
``state AREA=48 OCC_CODE=47-2111 A_MEDIAN``. Sources: ``national:YEAR`` (cross-industry, 2019–2025),
``state``, ``msa``, ``bos`` (nonmetropolitan areas) and ``industry`` (national by NAICS), May 2025
unless a year is given. A *ranking* names a source, filters (``KEY=A|B``, ``KEY!=A|B``), the column
to sort by, the column to show and how many rows.

Recipe keys (one expectation each, as in the scorer's README):
    numbers = [cell, ...]             every value shown; ``cell - cell`` is a difference (a change)
    count = {source, where, by, above|below|between}   the number of rows past a threshold (top-coded
                                      cells count as above; not-published cells are left out)
    numbers_any = [cell, ...]         at least one value shown
    top = {source, where, by, show, n, order}   the first n names of a ranking, in order; with
                                      ``minus = SOURCE`` ranked by the change since that source
                                      (``change = "percent"`` for relative), ``at_least = [COL, N]``
    clarify = [name, ...]             the candidates offered (each checked to exist in the files)
    not_published = cell              the cell must be * or ** (checked); numbers_absent optional
    topcoded = cell                   the cell must be # (checked)
    refuse = true
Beside its recipe a case may say what the answer must state in words (checked by the scorer):
    says = [phrase, ...]              each phrase appears in the answer (text or caveats)
    not_applied = [phrase, ...]       each phrase is named in a "Not applied" statement: a part of
                                      the question the answer says it did not use
Filters: ``KEY=A|B`` (one of), ``KEY!=A|B`` (none of), ``KEY^=A|B`` (starts with one of).
Extra keys of a case (``note``) are kept as notes.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import lzma
import sys
import tomllib
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "agents" / "oews" / "shipped"
QUESTIONS = ROOT / "eval" / "questions.toml"

FILES = {
    "state": "state_M2025_dl",
    "msa": "MSA_M2025_dl",
    "bos": "BOS_M2025_dl",
    "industry": "nat_industry_M2025_dl",
}
SPECIAL = {"*", "**", "#", "~", ""}


class RecipeError(ValueError):
    pass


def file_of(source: str) -> str:
    kind, _, year = source.partition(":")
    if kind == "national":
        return f"national_M{year or 2025}_dl"
    if kind in FILES and not year:
        return FILES[kind]
    raise RecipeError(f"unknown source {source!r}")


@cache
def table(name: str) -> tuple[dict[str, int], tuple[list[str], ...]]:
    """A shipped file's column positions (upper-case names) and its rows, as read.

    Cells are stripped where they are read (``select``, ``_index``), not all ~12 million up front."""
    with lzma.open(SHIPPED / f"{name}.csv.xz", "rt", encoding="utf-8") as f:
        reader = csv.reader(io.StringIO(f.read()))
    header = {column.strip().upper(): i for i, column in enumerate(next(reader))}
    return header, tuple(reader)


def select(source: str, where: list[str]) -> list[Row]:
    """The rows of a source matching every ``KEY=A|B`` / ``KEY!=A|B`` clause (cross-industry by default)."""
    return list(_select(source, tuple(where)))


@cache  # a gold's cell is read for its value and again for its note
def _select(source: str, where: tuple[str, ...]) -> tuple[Row, ...]:
    header, rows = table(file_of(source))
    if "NAICS" in header and not any(w.startswith("NAICS") for w in where):
        where = (*where, "NAICS=000000")
    tests = []
    prefixes = []
    for clause in where:
        if "^=" in clause:
            key, _, values = clause.partition("^=")
            prefixes.append((header[key], tuple(values.split("|"))))
            continue
        negate = "!=" in clause
        key, _, values = clause.partition("!=" if negate else "=")
        tests.append((header[key], set(values.split("|")), negate))
    candidates = rows
    indexed = {header[key] for key in INDEXED if key in header}
    for i, values, negate in tests:  # the fewest rows a clause naming one area, occupation... allows
        if i in indexed and not negate and len(values) == 1:
            candidates = min(candidates, _index(file_of(source), i).get(*values, []), key=len)
    return tuple(
        Row(header, row)
        for row in candidates
        if all((row[i].strip() in values) != negate for i, values, negate in tests)
        and all(row[i].strip().startswith(starts) for i, starts in prefixes)
    )


INDEXED = {"AREA", "AREA_TITLE", "NAICS", "OCC_CODE"}  # columns with many values: worth an index


class Row(Mapping[str, str]):
    """A row of a shipped file by upper-case column name; its cells are stripped as they are read."""

    __slots__ = ("_cells", "_header")

    def __init__(self, header: dict[str, int], cells: list[str]) -> None:
        self._header, self._cells = header, cells

    def __getitem__(self, column: str) -> str:
        return self._cells[self._header[column]].strip()

    def __iter__(self) -> Iterator[str]:
        return iter(self._header)

    def __len__(self) -> int:
        return len(self._header)


@cache
def _index(name: str, column: int) -> dict[str, list[list[str]]]:
    index: dict[str, list[list[str]]] = {}
    for row in table(name)[1]:
        index.setdefault(row[column].strip(), []).append(row)
    return index


def parse_cell(spec: str) -> tuple[str, list[str], str]:
    source, *where, column = spec.split()
    return source, where, column.upper()


def raw_cell(spec: str) -> tuple[str, Row]:
    source, where, column = parse_cell(spec)
    found = list(select(source, where))
    if len(found) != 1:
        raise RecipeError(f"{spec!r} matches {len(found)} rows, not one")
    if column not in found[0]:
        raise RecipeError(f"{spec!r}: no column {column}")
    return found[0][column], found[0]


def number(text: str) -> int | float:
    value = float(text.replace(",", ""))
    return int(value) if value.is_integer() and "." not in text else value


def published(spec: str) -> int | float:
    text, _ = raw_cell(spec)
    if text in SPECIAL:
        raise RecipeError(f"{spec!r} is {text!r}, not a published number")
    return number(text)


def value(expr: str) -> int | float:
    """A published number, or the difference ``cell - cell`` of two (an absolute change)."""
    first, minus, second = expr.partition(" - ")
    if not minus:
        return published(expr)
    difference = published(first) - published(second)
    return round(difference, 2) if isinstance(difference, float) else difference


def _describe(expr: str) -> str:
    first, minus, second = expr.partition(" - ")
    if minus:
        return f"({_describe(first)}) minus ({_describe(second)}) = {value(expr)}"
    spec = expr
    text, row = raw_cell(spec)
    source, _, column = parse_cell(spec)
    return (
        f"{file_of(source)}.csv AREA={row.get('AREA')} ({row.get('AREA_TITLE')}) "
        f"OCC_CODE={row.get('OCC_CODE')} ({row.get('OCC_TITLE')}) NAICS={row.get('NAICS')} {column}={text!r}"
    )


def _with_change(rows: list[Row], recipe: dict[str, Any], by: str) -> list[Mapping[str, str]]:
    """Rows whose ``by`` becomes the change since ``minus`` (same occupation, area and industry).

    ``at_least = [COLUMN, N]`` keeps the rows whose earlier ``COLUMN`` is at least ``N`` (growth
    rankings leave out occupations too small to rank by percent).
    """
    where = recipe.get("where", "").split()
    earlier = {(r["OCC_CODE"], r["AREA"], r["NAICS"]): r for r in select(recipe["minus"], where)}
    floor_by, floor = recipe.get("at_least", ("TOT_EMP", 0))
    changed = []
    for row in rows:
        before = earlier.get((row["OCC_CODE"], row["AREA"], row["NAICS"]))
        if before is None or before[floor_by] in SPECIAL or number(before[floor_by]) < floor:
            continue  # no such occupation in the earlier year (or too small): nothing to rank
        if SPECIAL & {before[by], row[by]}:
            changed.append({**row, by: "#" if "#" in (before[by], row[by]) else "*"})
            continue
        delta = number(row[by]) - number(before[by])
        if recipe.get("change") == "percent":
            delta = round(100 * delta / number(before[by]), 6)
        changed.append({**row, by: str(delta)})
    return changed


def ranking(recipe: dict[str, Any]) -> tuple[list[str], str]:
    """The first ``n`` names of a ranking; with ``minus``, ranked by the change since that source."""
    by, show, n = recipe["by"].upper(), recipe.get("show", "OCC_TITLE").upper(), int(recipe["n"])
    rows: list[Mapping[str, str]] = list(select(recipe["source"], recipe.get("where", "").split()))
    if "minus" in recipe:
        rows = _with_change(rows, recipe, by)
    specials = [r for r in rows if r[by] in SPECIAL]
    if any(r[by] == "#" for r in specials):
        raise RecipeError(f"ranking by {by} has top-coded values: its order is not published")
    rows = sorted(
        (r for r in rows if r[by] not in SPECIAL),
        key=lambda r: number(r[by]),
        reverse=recipe.get("order", "desc") == "desc",
    )
    if len(rows) > n and number(rows[n - 1][by]) == number(rows[n][by]):
        raise RecipeError(f"ranking by {by} is tied at place {n}")
    top = rows[:n]
    note = (
        f"gold: {file_of(recipe['source'])}.csv rows {recipe.get('where', '')} sorted by {by} "
        f"{recipe.get('order', 'desc')}, {len(specials)} not published left out: "
        + "; ".join(f"{r[show]}={r[by]}" for r in top)
    )
    return [r[show] for r in top], note


TOP_CODES = {"A_": 239_200, "H_": 115.0}  # May 2022 on; the shipped 2025 files use these too


def count(recipe: dict[str, Any]) -> tuple[int, str]:
    """How many rows have ``by`` above (or below, or ``between`` two bounds inclusive) a threshold;
    top-coded cells count as above."""
    by = recipe["by"].upper()
    rows = list(select(recipe["source"], recipe.get("where", "").split()))
    low, high, rule = _bounds(recipe)
    topcoded = [r for r in rows if r[by] == "#"]
    reach = low if high == float("inf") else high
    if topcoded and by[:2] in TOP_CODES and reach >= TOP_CODES[by[:2]]:
        raise RecipeError(f"threshold {rule} reaches the top-code: the count is not published")
    unpublished = [r for r in rows if r[by] in SPECIAL - {"#"}]
    published_rows = [r for r in rows if r[by] not in SPECIAL]
    inclusive = "between" in recipe
    hits = [r for r in published_rows if _inside(number(r[by]), low, high, inclusive)]
    hits += topcoded if high == float("inf") else []
    note = (
        f"gold: {len(hits)} rows of {file_of(recipe['source'])}.csv {recipe.get('where', '')} with {by} "
        f"{rule} ({len(topcoded)} top-coded {'counted as above' if high == float('inf') else 'left out'}; "
        f"{len(unpublished)} not published left out): " + "; ".join(sorted(r["OCC_TITLE"] for r in hits))
    )
    return len(hits), note


def _inside(value: float, low: float, high: float, inclusive: bool) -> bool:
    return low <= value <= high if inclusive else low < value < high


def _bounds(recipe: dict[str, Any]) -> tuple[float, float, str]:
    """(low, high, as written): ``above = N`` is (N, ∞), ``below = N`` is (-∞, N), ``between = [A, B]``."""
    if "between" in recipe:
        low, high = recipe["between"]
        return low, high, f"between {low} and {high}"
    if "above" in recipe:
        return recipe["above"], float("inf"), f"> {recipe['above']}"
    return float("-inf"), recipe["below"], f"< {recipe['below']}"


def _known_area(name: str) -> bool:
    return any(select(source, [f"AREA_TITLE={name}"]) for source in ("state", "msa", "bos"))


def _numbers(case: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    key = "numbers" if "numbers" in case else "numbers_any"
    return {key: [value(c) for c in case[key]]}, [_describe(c) for c in case[key]]


def _count(case: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    n, note = count(case["count"])
    return {"numbers": [n]}, [note]


def _top(case: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    names, note = ranking(case["top"])
    return {"top": names}, [note]


def _clarify(case: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    unknown = [name for name in case["clarify"] if not _known_area(name)]
    if unknown:
        raise RecipeError(f"not an area in the shipped files: {unknown}")
    return {"clarify": list(case["clarify"])}, ["candidates checked against the area titles"]


def _not_published(case: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    text, _ = raw_cell(case["not_published"])
    if text not in {"*", "**"}:
        raise RecipeError(f"{case['not_published']!r} is {text!r}, not a not-published value")
    absent = [value(c) for c in case.get("numbers_absent", [])]
    return {"not_published": True, "numbers_absent": absent}, [_describe(case["not_published"])]


def _topcoded(case: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    text, _ = raw_cell(case["topcoded"])
    if text != "#":
        raise RecipeError(f"{case['topcoded']!r} is {text!r}, not top-coded")
    return {"topcoded": True}, [_describe(case["topcoded"])]


def _refuse(case: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    return {"refuse": True}, []


RECIPES = {
    "numbers": _numbers, "numbers_any": _numbers, "count": _count, "top": _top, "clarify": _clarify,
    "not_published": _not_published, "topcoded": _topcoded, "refuse": _refuse,
}  # fmt: skip


WORDS = ("says", "not_applied")  # what the answer must state, beside its recipe


def gold(case: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The ``expect`` object of one case and the notes that say where it came from."""
    kinds = [key for key in RECIPES if key in case]
    if len(kinds) != 1:
        raise RecipeError(f"a case needs exactly one recipe, found {kinds or 'none'}")
    expect, notes = RECIPES[kinds[0]](case)
    for key in WORDS:
        if key in case:
            if not all(isinstance(p, str) and p.strip() for p in case[key]):
                raise RecipeError(f"{key} must be a list of phrases")
            expect[key] = list(case[key])
    return expect, notes


def build(path: Path = QUESTIONS) -> str:
    out = io.StringIO()
    cases = tomllib.loads(path.read_text(encoding="utf-8"))["case"]
    ids = [c["id"] for c in cases]
    if len(set(ids)) != len(ids):
        raise RecipeError("duplicate ids")
    for case in cases:
        try:
            expect, notes = gold(case)
        except (RecipeError, KeyError) as e:
            raise RecipeError(f"{case['id']}: {e}") from e
        note = " ".join(filter(None, [case.get("note", ""), "; ".join(notes)]))
        line = {
            "id": case["id"],
            "category": case["category"],
            "question": case["question"],
            "expect": expect,
            "notes": note,
        }
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return out.getvalue()


def stamp(questions: Path, text: str) -> str:
    """The SHA-256 of the inputs of ``build(questions)`` and of its output ``text``."""
    inputs = hashlib.sha256()
    for path in (questions, Path(__file__).resolve(), *sorted(SHIPPED.glob("*.csv.xz"))):
        inputs.update(path.name.encode() + b"\0" + path.read_bytes())
    output = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return f"inputs {inputs.hexdigest()}\noutput {output}\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the output is out of date")
    parser.add_argument("questions", nargs="?", type=Path, default=QUESTIONS, help="question file (TOML)")
    parser.add_argument("-o", "--output", type=Path, help="where to write (default: beside it, .jsonl)")
    args = parser.parse_args()
    output = args.output or args.questions.with_suffix(".jsonl")
    try:
        text = build(args.questions)
    except RecipeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != text:
            hint = f"run python scripts/eval_golds.py {args.questions}"
            print(f"{output} is out of date: {hint}", file=sys.stderr)
            return 1
        return 0
    output.write_text(text, encoding="utf-8")
    output.with_suffix(".stamp").write_text(stamp(args.questions, text), encoding="utf-8")
    print(f"wrote {output}: {text.count(chr(10))} questions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
