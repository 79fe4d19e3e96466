"""Building and loading the OEWS SQLite database.

The embedded default: the BLS files shipped in ``agents/oews/shipped/`` are loaded on first
use into ``<home>/oews.sqlite``.  A build writes a temporary file and renames it into place,
so an interrupted build leaves nothing half-built behind.  ``load_files`` adds official BLS
download files to an existing database in one transaction per file (all or nothing).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import sqlite_utils

from agents.errors import DataError, LoadError
from agents.oews.areas import principal_cities, title_states
from agents.oews.loader import FactRow, read_file
from agents.oews.schema import AREA_KINDS, DDL, FACTS_INDEX, MEASURES, OCC_GROUPS, SCHEMA_VERSION

logger = logging.getLogger(__name__)

DATABASE_NAME = "oews.sqlite"
Progress = Callable[[int, int], None]  # (done, total) in bytes of input read
_BATCH = 5000
_FACT_COLUMNS = (
    "year",
    "area_code",
    "naics",
    "occ_code",
    *[c for m in MEASURES for c in (m, f"{m}_flag")],
    "annual_only",
    "hourly_only",
)
FACT_COLUMNS = _FACT_COLUMNS
INSERT_FACT = (
    f"INSERT OR REPLACE INTO facts ({', '.join(_FACT_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _FACT_COLUMNS)})"
)


@dataclass(frozen=True)
class LoadReport:
    file: str
    rows: int
    years: tuple[int, ...]
    skipped: bool  # already loaded (same content)


@dataclass(frozen=True)
class DatabaseInfo:
    backend: str  # sqlite | postgresql | mssql
    location: str  # a file path, or a server URL with the password masked
    files: tuple[dict[str, Any], ...]
    years: tuple[int, ...]
    areas_by_kind: dict[str, int]
    years_by_kind: dict[str, tuple[int, ...]]
    fact_rows: int
    occupations: int
    industries: int


def shipped_files() -> list[Path]:
    folder = resources.files("agents.oews") / "shipped"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".csv.xz"))


def ensure_database(home: Path, *, progress: Progress | None = None) -> Path:
    """The path of the OEWS database in ``home``, building it from the shipped files if needed."""
    path = home / DATABASE_NAME
    if _is_complete(path):
        return path
    home.mkdir(parents=True, exist_ok=True)
    with _build_lock(home):
        if not _is_complete(path):  # another process may have built it meanwhile
            build_database(path, progress=progress)
    return path


def build_database(
    path: Path, *, files: Sequence[Path] | None = None, progress: Progress | None = None
) -> None:
    """Build a complete database at ``path`` (atomically replaced) from BLS files."""
    sources = list(files) if files is not None else shipped_files()
    temporary = path.with_name(f".{path.name}.building-{os.getpid()}")
    temporary.unlink(missing_ok=True)
    try:
        db = _create(temporary)
        with _fast_bulk_load(db):
            load_into(SqliteWriter(db.conn), sources, progress=progress)
        db.table("meta").upsert({"key": "complete", "value": "1"}, pk="key")
        db.conn.execute("ANALYZE")
        db.conn.commit()
        db.close()
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
        Path(f"{temporary}-journal").unlink(missing_ok=True)


def load_files(
    path: Path, files: Sequence[Path], *, progress: Progress | None = None, year: int | None = None
) -> list[LoadReport]:
    """Load BLS files into an existing database; each file is all or nothing."""
    if not _is_complete(path):
        raise DataError(f"no OEWS database at {path}")
    db = sqlite_utils.Database(path)
    try:
        return load_into(SqliteWriter(db.conn), files, progress=progress, year=year)
    finally:
        db.close()


def _create(path: Path) -> sqlite_utils.Database:
    db = sqlite_utils.Database(path)
    db.conn.executescript(DDL)
    db.table("meta").insert_all(
        [
            {"key": "schema_version", "value": str(SCHEMA_VERSION)},
            {"key": "built_at", "value": now()},
        ],
        pk="key",
        replace=True,
    )
    return db


@contextlib.contextmanager
def _fast_bulk_load(db: sqlite_utils.Database) -> Iterator[None]:
    """A fresh temporary file needs no rollback journal: a crash discards the whole file.

    The secondary index is built once at the end (one sort) instead of row by row.
    """
    db.conn.execute("PRAGMA journal_mode = OFF")
    db.conn.execute("PRAGMA synchronous = OFF")
    db.conn.execute("PRAGMA cache_size = -65536")  # 64 MB while loading
    db.conn.execute(f"DROP INDEX {FACTS_INDEX}")
    try:
        yield
        db.conn.executescript(DDL)  # IF NOT EXISTS: recreates only the index
    finally:
        db.conn.execute("PRAGMA cache_size = -2000")
        db.conn.execute("PRAGMA synchronous = FULL")
        db.conn.execute("PRAGMA journal_mode = DELETE")


class Writer(Protocol):
    """Where loaded rows go: the SQLite file, or a server database (``agents.oews.server``)."""

    def loaded(self, digest: str) -> bool: ...
    def begin(self) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def insert_facts(self, rows: list[tuple[Any, ...]]) -> None: ...
    def upsert_areas(self, rows: list[tuple[Any, ...]]) -> None: ...
    def upsert_occupations(self, rows: list[tuple[Any, ...]]) -> None: ...
    def upsert_industries(self, rows: list[tuple[Any, ...]]) -> None: ...
    def record_file(self, row: tuple[Any, ...]) -> None: ...
    def refresh_coverage(self) -> None: ...


class SqliteWriter:
    """``Writer`` for the embedded SQLite database."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def loaded(self, digest: str) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM data_files WHERE sha256 = ?", (digest,)).fetchone() is not None
        )

    def begin(self) -> None:
        self.conn.execute("BEGIN")

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        self.conn.execute("ROLLBACK")

    def insert_facts(self, rows: list[tuple[Any, ...]]) -> None:
        self.conn.executemany(INSERT_FACT, rows)

    def upsert_areas(self, rows: list[tuple[Any, ...]]) -> None:
        self.conn.executemany(
            f"INSERT INTO areas ({', '.join(AREA_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (area_code) DO UPDATE SET title = excluded.title",
            rows,
        )

    def upsert_occupations(self, rows: list[tuple[Any, ...]]) -> None:
        self.conn.executemany(
            f"INSERT INTO occupations ({', '.join(OCCUPATION_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            f"ON CONFLICT (occ_code) DO UPDATE SET {occupation_updates('MIN', 'MAX')}",
            rows,
        )

    def upsert_industries(self, rows: list[tuple[Any, ...]]) -> None:
        self.conn.executemany(
            f"INSERT INTO industries ({', '.join(INDUSTRY_COLUMNS)}) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (naics) DO UPDATE SET title = excluded.title, i_group = excluded.i_group",
            rows,
        )

    def record_file(self, row: tuple[Any, ...]) -> None:
        self.conn.execute(
            f"INSERT INTO data_files ({', '.join(FILE_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)", row
        )

    def refresh_coverage(self) -> None:
        with self.conn:
            self.conn.execute("DELETE FROM coverage")
            self.conn.execute(REFRESH_COVERAGE)


AREA_COLUMNS = ("area_code", "area_type", "kind", "title", "state", "states", "aliases")
OCCUPATION_COLUMNS = (
    "occ_code", "title", "o_group", "major_code", "minor_code", "broad_code", "first_year", "last_year"
)  # fmt: skip
INDUSTRY_COLUMNS = ("naics", "title", "i_group", "own_code")
FILE_COLUMNS = ("sha256", "name", "kind", "years", "rows", "loaded_at")
REFRESH_COVERAGE = (
    "INSERT INTO coverage (kind, cross_industry, year, rows) "
    "SELECT a.kind, CASE WHEN f.naics = '000000' THEN 1 ELSE 0 END, f.year, count(*) "
    "FROM facts f JOIN areas a ON a.area_code = f.area_code "
    "GROUP BY a.kind, CASE WHEN f.naics = '000000' THEN 1 ELSE 0 END, f.year"
)


def occupation_updates(least: str, greatest: str) -> str:
    """The SET list of the occupation upsert: the latest year's title and group win."""
    newer = "excluded.last_year >= occupations.last_year"
    return (
        f"title = CASE WHEN {newer} THEN excluded.title ELSE occupations.title END, "
        f"o_group = CASE WHEN {newer} THEN excluded.o_group ELSE occupations.o_group END, "
        f"first_year = {least}(occupations.first_year, excluded.first_year), "
        f"last_year = {greatest}(occupations.last_year, excluded.last_year)"
    )


def load_into(
    writer: Writer, files: Sequence[Path], *, progress: Progress | None, year: int | None = None
) -> list[LoadReport]:
    """Load ``files`` through ``writer``, each in one transaction; then refresh the coverage."""
    for f in files:
        if not f.exists():
            raise LoadError(f.name, "no such file")
    total = sum(f.stat().st_size for f in files)
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(min(done, total), total)

    reports = [_load_one(writer, f, on_bytes=advance, year=year) for f in files]
    if any(not r.skipped for r in reports):
        writer.refresh_coverage()
    if progress:
        progress(total, total)
    return reports


def _load_one(
    writer: Writer, path: Path, *, on_bytes: Callable[[int], None], year: int | None = None
) -> LoadReport:
    digest = _sha256(path)
    if writer.loaded(digest):
        on_bytes(path.stat().st_size)
        return LoadReport(path.name, 0, (), skipped=True)
    dims = _Dimensions()
    rows = 0
    writer.begin()
    try:
        for batch in _batches(read_file(path, on_bytes=on_bytes, year=year), _BATCH):
            writer.insert_facts([_fact_values(r) for r in batch])
            dims.add(batch)
            rows += len(batch)
        dims.write(writer)
        years = " ".join(map(str, sorted(dims.years)))
        writer.record_file((digest, _display_name(path.name), _file_kind(path.name), years, rows, now()))
        writer.commit()
    except BaseException:
        writer.rollback()
        raise
    logger.info("loaded %s: %d rows", path.name, rows)
    return LoadReport(path.name, rows, tuple(sorted(dims.years)), skipped=False)


def _batches(rows: Iterable[FactRow], size: int) -> Iterator[list[FactRow]]:
    batch: list[FactRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _fact_values(r: FactRow) -> tuple[Any, ...]:
    return (r.year, r.area_code, r.naics, r.occ_code, *r.measures, int(r.annual_only), int(r.hourly_only))


class _Dimensions:
    """Areas, occupations and industries seen in a file, written once at the end."""

    def __init__(self) -> None:
        self.areas: dict[str, FactRow] = {}
        self.occupations: dict[str, tuple[FactRow, str, int, int]] = {}
        self.industries: dict[str, FactRow] = {}
        self.years: set[int] = set()

    def add(self, rows: list[FactRow]) -> None:
        for r in rows:
            self.years.add(r.year)
            self.areas.setdefault(r.area_code, r)
            self.industries.setdefault(r.naics, r)
            self._add_occupation(r)

    def _add_occupation(self, r: FactRow) -> None:
        seen = self.occupations.get(r.occ_code)
        if seen is None:
            self.occupations[r.occ_code] = (r, r.o_group, r.year, r.year)
            return
        latest, group, first, last = seen
        if r.year > latest.year:
            latest, group = r, r.o_group
        elif r.year == latest.year:
            group = _more_detailed(group, r.o_group)
        self.occupations[r.occ_code] = (latest, group, min(first, r.year), max(last, r.year))

    def write(self, writer: Writer) -> None:
        writer.upsert_areas([_area_row(r) for r in self.areas.values()])
        writer.upsert_occupations([_occupation_row(*seen) for seen in self.occupations.values()])
        writer.upsert_industries(
            [(r.naics, r.naics_title, r.i_group, r.own_code) for r in self.industries.values()]
        )


def _more_detailed(a: str, b: str) -> str:
    rank = {g: i for i, g in enumerate(OCC_GROUPS)}
    return a if rank.get(a, 0) >= rank.get(b, 0) else b


def _area_row(r: FactRow) -> tuple[Any, ...]:
    kind = AREA_KINDS.get(r.area_type, "metro")
    title = "U.S." if kind == "national" else r.area_title
    states = title_states(title) or ((r.prim_state,) if r.prim_state else ())
    aliases = " | ".join(principal_cities(title)) if kind in ("metro", "nonmetro") else None
    return (r.area_code, r.area_type, kind, title, r.prim_state, " ".join(states) or None, aliases)


def _occupation_row(r: FactRow, group: str, first: int, last: int) -> tuple[Any, ...]:
    code = r.occ_code
    major = f"{code[:2]}-0000"
    minor = f"{code[:4]}000"[:7] if group in ("minor", "broad", "detailed") else None
    broad = f"{code[:6]}0" if group in ("broad", "detailed") else None
    return (code, r.occ_title, group, major, minor, broad, first, last)


def database_info(path: Path) -> DatabaseInfo:
    if not _is_complete(path):
        raise DataError(f"no OEWS database at {path}")
    db = sqlite_utils.Database(path)
    try:
        years_by_kind: dict[str, tuple[int, ...]] = {}
        for kind, years in db.execute(
            "SELECT kind, group_concat(year) FROM coverage WHERE cross_industry = 1 GROUP BY kind"
        ).fetchall():
            years_by_kind[kind] = tuple(sorted(int(y) for y in str(years).split(",")))
        return DatabaseInfo(
            backend="sqlite",
            location=str(path),
            files=tuple(db["data_files"].rows_where(order_by="loaded_at")),
            years=tuple(r[0] for r in db.execute("SELECT DISTINCT year FROM facts ORDER BY year")),
            areas_by_kind=dict(db.execute("SELECT kind, count(*) FROM areas GROUP BY kind").fetchall()),
            years_by_kind=years_by_kind,
            fact_rows=db["facts"].count,
            occupations=db["occupations"].count,
            industries=db["industries"].count,
        )
    finally:
        db.close()


def _is_complete(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return rows.get("complete") == "1" and rows.get("schema_version") == str(SCHEMA_VERSION)


@contextlib.contextmanager
def _build_lock(home: Path) -> Iterator[None]:
    with (home / ".oews-build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _display_name(name: str) -> str:
    return name[: -len(".xz")] if name.endswith(".xz") else name


def _file_kind(name: str) -> str:
    lower = name.lower()
    for prefix, kind in (
        ("national_", "national"),
        ("state_", "state"),
        ("msa_", "metro"),
        ("bos_", "nonmetro"),
        ("nat_industry", "national industry"),
        ("nat", "national industry"),
        ("all_data", "all areas"),
        ("oesm", "archive"),
    ):
        if lower.startswith(prefix):
            return kind
    return "other"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
