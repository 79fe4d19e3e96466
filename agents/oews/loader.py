"""Reading official BLS OEWS download files (CSV, XLSX, ZIP archives of those).

Every file is turned into a stream of ``FactRow`` records with BLS special values kept:
a measure is either a number or ``None`` plus the BLS symbol (``*``, ``**``, ``#``).
Column names of every year from 2019 on are recognised (lower-case 2019 names, missing
PRIM_STATE / PCT_RPT, OCC_GROUP for O_GROUP, ...).
"""

from __future__ import annotations

import csv
import io
import lzma
import operator
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NamedTuple

from agents.errors import LoadError
from agents.oews.schema import INTEGER_MEASURES, MEASURES, NATIONAL

SPECIAL_VALUES = frozenset({"*", "**", "#"})
REQUIRED_COLUMNS = ("AREA", "AREA_TITLE", "NAICS", "OCC_CODE", "OCC_TITLE")
COLUMN_ALIASES = {
    "OCC_GROUP": "O_GROUP",
    "LOC_Q": "LOC_QUOTIENT",
    "LOC QUOTIENT": "LOC_QUOTIENT",
    "AREA_NAME": "AREA_TITLE",
    "ANNUAL_ONLY": "ANNUAL",
    "HOURLY_ONLY": "HOURLY",
}
_YEAR_PATTERNS = (
    re.compile(r"_M_?(\d{4})", re.IGNORECASE),  # national_M2019_dl, all_data_M_2019
    re.compile(r"oesm(\d{2})", re.IGNORECASE),  # oesm19nat.zip
)
_BLANK = (None, None)
_TEXT_COLUMNS = (
    "AREA", "AREA_TITLE", "AREA_TYPE", "PRIM_STATE", "NAICS", "NAICS_TITLE", "I_GROUP", "OWN_CODE",
    "OCC_CODE", "OCC_TITLE", "O_GROUP", "ANNUAL", "HOURLY",
)  # fmt: skip
_SOC_CODE = re.compile(r"\d\d-\d{4}")
_TRUE = frozenset({"TRUE", "1", "Y", "YES"})
_MEASURE_COLUMNS = tuple((m, m.upper()) for m in MEASURES)

ByteProgress = Callable[[int], None]


class FactRow(NamedTuple):
    """One row of a BLS file. ``measures`` interleaves each measure's number and BLS symbol,
    in ``MEASURES`` order: the facts table's column order (``values`` / ``flags`` read it by name).
    """

    year: int
    area_code: str
    area_title: str
    area_type: int
    prim_state: str | None
    naics: str
    naics_title: str
    i_group: str
    own_code: str | None
    occ_code: str
    occ_title: str
    o_group: str
    measures: tuple[Any, ...]
    annual_only: bool
    hourly_only: bool

    @property
    def values(self) -> dict[str, int | float | None]:
        return {m: self.measures[2 * i] for i, m in enumerate(MEASURES)}

    @property
    def flags(self) -> dict[str, str | None]:
        return {m: self.measures[2 * i + 1] for i, m in enumerate(MEASURES)}


@dataclass(frozen=True)
class SourceTable:
    """One table (sheet or CSV) inside an input file: its header, then its rows of cells."""

    name: str
    year: int
    header: list[str]
    rows: Iterator[Sequence[Any]]


def year_from_name(name: str) -> int | None:
    for pattern in _YEAR_PATTERNS:
        if m := pattern.search(name):
            year = int(m.group(1))
            return year + 2000 if year < 100 else year
    return None


MAX_CSV_BYTES = 2 * 1024**3  # a CSV (in an archive) may expand to this; BLS's largest is ~0.3 GB
MAX_XLSX_BYTES = 256 * 1024**2  # an XLSX is read into memory: BLS's largest is ~0.1 GB
MAX_XLSX_EXPANDED_BYTES = 3 * 1024**3  # and its own parts (it is a zip too) may expand to this


def _check_size(name: str, size: int, limit: int) -> None:
    """Refuse, before reading, a file or archive member that would expand beyond ``limit``."""
    if size > limit:
        raise LoadError(
            name, f"it would expand to {size / 1024**2:,.0f} MB, over the {limit / 1024**2:,.0f} MB limit"
        )


def _limit_for(name: str) -> int:
    return MAX_XLSX_BYTES if name.lower().endswith(".xlsx") else MAX_CSV_BYTES


def read_file(
    path: Path, *, year: int | None = None, on_bytes: ByteProgress | None = None
) -> Iterator[FactRow]:
    """All fact rows of one BLS file; raises ``LoadError`` naming the file and the problem."""
    try:
        for table in _tables(path, year=year, on_bytes=on_bytes):
            yield from _parse_table(path.name, table)
    except LoadError:
        raise
    except (OSError, zipfile.BadZipFile, lzma.LZMAError, UnicodeDecodeError, csv.Error) as e:
        raise LoadError(path.name, f"not a readable BLS file ({type(e).__name__})") from e
    except Exception as e:  # openpyxl raises assorted errors on corrupt workbooks
        raise LoadError(path.name, f"not a readable BLS file ({type(e).__name__})") from e


def _tables(path: Path, *, year: int | None, on_bytes: ByteProgress | None) -> Iterator[SourceTable]:
    name = path.name.lower()
    if name.endswith(".zip"):
        yield from _zip_tables(path, year=year)
        return
    if name.endswith(".xlsx"):
        _check_size(path.name, path.stat().st_size, MAX_XLSX_BYTES)
    with path.open("rb") as raw:
        stream: IO[bytes] = io.BufferedReader(_CountingReader(raw, on_bytes)) if on_bytes else raw
        yield from _stream_tables(path.name, stream, year=year)


def _stream_tables(name: str, stream: IO[bytes], *, year: int | None) -> Iterator[SourceTable]:
    lower = name.lower()
    table_year = year or year_from_name(name)
    if lower.endswith(".xz"):
        with lzma.open(stream) as inner:
            yield from _stream_tables(name[: -len(".xz")], inner, year=year)
        return
    if not lower.endswith((".csv", ".xlsx")):
        raise LoadError(name, "unsupported file type (expected .csv, .xlsx or .zip)")
    if table_year is None:
        raise LoadError(name, "cannot tell the year from the file name (e.g. national_M2024_dl.xlsx)")
    if lower.endswith(".csv"):
        yield from _csv_table(name, table_year, stream)
    else:
        yield from _xlsx_table(name, table_year, stream)


def _zip_tables(path: Path, *, year: int | None) -> Iterator[SourceTable]:
    with zipfile.ZipFile(path) as archive:
        infos = [i for i in archive.infolist() if _is_data_member(i.filename)]
        if not infos:
            raise LoadError(path.name, "the archive holds no OEWS data file (.csv or .xlsx)")
        for info in infos:  # every member checked before any is read
            _check_size(f"{path.name}: {info.filename}", info.file_size, _limit_for(info.filename))
        for member in (i.filename for i in infos):
            member_year = year or year_from_name(member) or year_from_name(path.name)
            with archive.open(member) as stream:
                yield from _stream_tables(Path(member).name, stream, year=member_year)


def _is_data_member(member: str) -> bool:
    lower = Path(member).name.lower()
    if lower.startswith(("~", ".")) or "field_desc" in lower or "readme" in lower:
        return False
    return lower.endswith((".csv", ".xlsx"))


def _csv_table(name: str, year: int, stream: IO[bytes]) -> Iterator[SourceTable]:
    with io.TextIOWrapper(stream, encoding="utf-8-sig", newline="") as text:
        reader = csv.reader(text)
        header = next(reader, [])
        yield SourceTable(name, year, header, (row for row in reader if row))


def _xlsx_table(name: str, year: int, stream: IO[bytes]) -> Iterator[SourceTable]:
    from openpyxl import load_workbook  # imported lazily: only XLSX loads need it

    data = stream.read(MAX_XLSX_BYTES + 1)
    _check_size(name, len(data), MAX_XLSX_BYTES)
    with zipfile.ZipFile(io.BytesIO(data)) as parts:
        _check_size(name, sum(i.file_size for i in parts.infolist()), MAX_XLSX_EXPANDED_BYTES)
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = _find_header(rows)
        yield SourceTable(name, year, header, (r for r in rows if any(c is not None for c in r)))
    finally:
        workbook.close()


def _find_header(rows: Iterator[tuple[Any, ...]]) -> list[str]:
    for _, row in zip(range(20), rows, strict=False):
        names = [str(c).strip() if c is not None else "" for c in row]
        if any(_canonical(n) == "OCC_CODE" for n in names):
            return names
    raise LoadError("worksheet", "no header row with OCC_CODE in the first 20 rows")


def _canonical(column: str) -> str:
    key = column.strip().upper().replace(" ", "_")
    return COLUMN_ALIASES.get(key, key)


class _Columns:
    """Where each canonical column sits in a table's rows, resolved once from its header."""

    def __init__(self, file_name: str, header: list[str]) -> None:
        index = {_canonical(name): i for i, name in enumerate(header) if name}
        missing = [c for c in REQUIRED_COLUMNS if c not in index]
        if missing:
            raise LoadError(file_name, f"missing column(s) {', '.join(missing)}; not an OEWS file")
        self.width = max(index.values()) + 1
        self.texts = operator.itemgetter(*(index.get(c, self.width) for c in _TEXT_COLUMNS))
        self.measures = tuple(
            (index.get(column, self.width), measure, measure in INTEGER_MEASURES)
            for measure, column in _MEASURE_COLUMNS
        )

    def cells(self, row: Sequence[Any]) -> Sequence[Any]:
        """The row with a trailing ``None`` (where absent columns point), padded if short."""
        if len(row) == self.width:
            return (*row, None)
        return (*row[: self.width], *(None,) * (self.width - len(row)), None)


def _parse_table(file_name: str, table: SourceTable) -> Iterator[FactRow]:
    columns: _Columns | None = None
    for line, row in enumerate(table.rows, start=2):
        columns = columns or _Columns(file_name, table.header)
        try:
            yield _fact(table.year, columns, columns.cells(row))
        except ValueError as e:
            raise LoadError(file_name, f"row {line}: {e}") from e
    if columns is None:
        raise LoadError(file_name, "the file is empty")


def _fact(year: int, columns: _Columns, cells: Sequence[Any]) -> FactRow:
    measures = _measures(columns, cells)
    (area, area_title, area_type, prim_state, naics, naics_title, i_group, own_code,
     occ_code, occ_title, o_group, annual, hourly) = [
        "" if v is None else str(v).strip() for v in columns.texts(cells)
    ]  # fmt: skip
    if not _SOC_CODE.fullmatch(occ_code):
        raise ValueError(f"OCC_CODE {occ_code!r} is not a SOC code")
    return FactRow(
        year=year,
        area_code=area,
        area_title=area_title,
        area_type=int(float(area_type)) if area_type else 1 if area in (NATIONAL, "U.S.") else 2,
        prim_state=prim_state or None,
        naics=naics,
        naics_title=naics_title or "Cross-industry",
        i_group=i_group.lower() or "cross-industry",
        own_code=own_code or None,
        occ_code=occ_code,
        occ_title=occ_title,
        o_group=o_group.lower() or "detailed",
        measures=measures,
        annual_only=annual.upper() in _TRUE,
        hourly_only=hourly.upper() in _TRUE,
    )


def _measures(columns: _Columns, cells: Sequence[Any]) -> tuple[Any, ...]:
    """Each measure's (number, symbol), interleaved; plain numbers, blanks and symbols go fast."""
    out: list[Any] = []
    for index, measure, integer in columns.measures:
        raw = cells[index]
        if type(raw) is str:
            if not raw:
                out += _BLANK
                continue
            if raw in SPECIAL_VALUES:
                out += (None, raw)
                continue
            try:
                number = float(raw)  # float() allows surrounding spaces
                out += (round(number) if integer else number, None)
                continue
            except ValueError:
                pass
        out += parse_value(raw, measure)
    return tuple(out)


def parse_value(raw: Any, measure: str) -> tuple[int | float | None, str | None]:
    """A BLS cell as (number, None), (None, symbol) or (None, None) when empty."""
    if type(raw) is str:  # the common case first: a plain number (float() allows surrounding spaces)
        try:
            return _number(float(raw), measure)
        except ValueError:
            pass
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        raise ValueError(f"{measure.upper()} has {raw!r}")
    if isinstance(raw, int | float):
        return _number(float(raw), measure)
    text = raw.strip().replace(",", "")
    if not text:
        return None, None
    if text in SPECIAL_VALUES:
        return None, text
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{measure.upper()} has {text[:20]!r}, not a number") from None
    return _number(number, measure)


def _number(number: float, measure: str) -> tuple[int | float, None]:
    return (round(number), None) if measure in INTEGER_MEASURES else (number, None)


class _CountingReader(io.RawIOBase):
    """Reports how many bytes were read from the wrapped stream (for progress bars)."""

    def __init__(self, raw: IO[bytes], on_bytes: ByteProgress) -> None:
        self._raw = raw
        self._on_bytes = on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self._on_bytes(len(data))
        return len(data)
