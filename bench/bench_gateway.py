"""Issue-10 figures: SQL gateway overhead, SQLite vs PostgreSQL build and answer latency.

Run: python bench/bench_gateway.py [--pg-url postgresql://…] [--skip-build] [--guard-only]
Without --pg-url a throwaway PostgreSQL server is started on loopback (tests/postgres.py).
Everything is measured side by side in one run (the machine is shared): the figures to compare
are the ratios. Nothing is asserted (targets live in bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EVAL = ROOT / "eval" / "questions.jsonl"

LOOKUP = (
    "SELECT f.year, f.area_code, a.title AS area, a.kind AS area_kind, f.occ_code, o.title AS occupation, "
    "f.naics, i.title AS industry, f.a_median, f.a_median_flag, f.h_median, f.h_median_flag, f.a_mean, "
    "f.a_mean_flag, f.h_mean, f.h_mean_flag, f.tot_emp, f.tot_emp_flag, f.emp_prse, f.emp_prse_flag, "
    "f.mean_prse, f.mean_prse_flag, f.annual_only, f.hourly_only\n"
    "FROM facts f\nJOIN areas a ON a.area_code = f.area_code\nJOIN occupations o ON o.occ_code = f.occ_code\n"
    "JOIN industries i ON i.naics = f.naics\n"
    "WHERE f.year = ? AND f.naics = ? AND f.area_code IN (?) AND f.occ_code IN (?)"
)
PARAMS = (2025, "000000", "42660", "29-1141")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def per_call_ms(run: Callable[[int], object], n: int) -> float:
    """Median over 5 rounds of the mean time per call (ms)."""
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for i in range(n):
            run(i)
        rounds.append((time.perf_counter() - started) * 1000 / n)
    return statistics.median(rounds)


GUARD_BEFORE = "54add45"  # the last commit whose guard tokenized with sqlparse


def guard_at(revision: str) -> ModuleType | None:
    """``agents/sql/guard.py`` as it was at ``revision`` (None without git or its sqlparse)."""
    shown = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{revision}:agents/sql/guard.py"], capture_output=True, text=True
    )
    if shown.returncode != 0:
        return None
    module = ModuleType(f"guard_{revision}")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    try:
        exec(compile(shown.stdout, f"{revision}:agents/sql/guard.py", "exec"), module.__dict__)
    except ImportError:  # sqlparse is no longer a dependency
        return None
    return module


def guard_overhead(database: Path, n: int = 300, before: str = GUARD_BEFORE) -> None:
    from agents.sql.guard import validate_select
    from agents.sql.sqlite import SqliteGateway

    plain = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    gateway = SqliteGateway(path=database)
    counter = iter(range(10**9))

    def new_statement(i: int) -> object:
        return gateway.execute(f"{LOOKUP} AND f.year <> {next(counter)}", PARAMS)

    def plain_new_statement(i: int) -> object:  # SQLite compiles each new text too
        return plain.execute(f"{LOOKUP} AND f.year <> {next(counter)}", PARAMS).fetchall()

    plain_ms = per_call_ms(lambda i: plain.execute(LOOKUP, PARAMS).fetchall(), n)
    repeated_ms = per_call_ms(lambda i: gateway.execute(LOOKUP, PARAMS), n)
    new_ms = per_call_ms(new_statement, n)
    plain_new_ms = per_call_ms(plain_new_statement, n)
    alone_ms = per_call_ms(lambda i: validate_select(LOOKUP, allowed_tables=gateway.allowed_tables), n)
    rows = [
        ("plain sqlite3 connection, engine lookup", plain_ms, None),
        ("SqliteGateway, repeated statement (cached guard)", repeated_ms, plain_ms),
        ("plain sqlite3 connection, new statement each time", plain_new_ms, None),
        ("SqliteGateway, new statement each time", new_ms, plain_new_ms),
    ]
    for label, ms, base in rows:
        print(f"{label + ':':<52}{ms:.3f} ms" + ("" if base is None else f"  ({ms - base:+.3f} ms)"))
    print(f"guard alone, one new statement:                     {alone_ms:.3f} ms")
    old = guard_at(before)
    if old is None:
        print(f"(the guard at {before} needs git and sqlparse: not measured)")
    else:
        gateway.guard.check = lambda sql: old.check_select(sql, allowed_tables=gateway.allowed_tables)  # type: ignore[assignment]
        old_new_ms = per_call_ms(new_statement, n)
        old_alone_ms = per_call_ms(
            lambda i: old.validate_select(LOOKUP, allowed_tables=gateway.allowed_tables), n
        )
        print(
            f"  same run, guard at {before} (sqlparse lexer): new statement {old_new_ms:.3f} ms  "
            f"({old_new_ms - plain_new_ms:+.3f} ms); guard alone {old_alone_ms:.3f} ms"
        )
    gateway.close()
    plain.close()


def builds(sqlite_path: Path, url: str) -> None:
    from agents.oews.database import build_database
    from agents.oews.server import build_server_database
    from agents.sql.dburl import parse_database_url

    started = time.perf_counter()
    build_database(sqlite_path)
    lite = time.perf_counter() - started
    started = time.perf_counter()
    build_server_database(parse_database_url(url), force=True)
    server = time.perf_counter() - started
    print(
        f"build from the shipped files: SQLite {lite:.1f} s, PostgreSQL {server:.1f} s "
        f"(ratio {server / lite:.2f})"
    )


def answer_latency(sqlite_path: Path, url: str, rounds: int) -> None:
    from bot.app import build_service
    from bot.config import Settings
    from bot.types import Question

    home = Path(tempfile.mkdtemp(prefix="oews-bench-gw-"))
    services = {
        "SQLite": build_service(Settings(oews_home=home / "a", oews_database=sqlite_path)),
        "PostgreSQL": build_service(Settings(oews_home=home / "b", oews_database_url=url)),  # type: ignore[arg-type]
    }
    questions = [json.loads(line)["question"] for line in EVAL.read_text().splitlines() if line.strip()]
    times: dict[str, list[float]] = {name: [] for name in services}
    for service in services.values():  # warm up
        for q in questions:
            service.answer(Question(text=q, platform="cli", workspace="local"), render_chart=False)
    for _ in range(rounds):  # interleaved: both see the same machine load
        for q in questions:
            for name, service in services.items():
                started = time.perf_counter()
                service.answer(Question(text=q, platform="cli", workspace="local"), render_chart=False)
                times[name].append((time.perf_counter() - started) * 1000)
    for name, values in times.items():
        print(
            f"warm answer latency, {name:<10} ({len(values)} answers): p50 {percentile(values, 50):.1f} ms, "
            f"p95 {percentile(values, 95):.1f} ms"
        )
    ratio = percentile(times["PostgreSQL"], 50) / percentile(times["SQLite"], 50)
    print(f"PostgreSQL / SQLite warm p50: {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg-url", help="a PostgreSQL database to use (its OEWS tables are rebuilt)")
    parser.add_argument("--skip-build", action="store_true", help="reuse the data already in both")
    parser.add_argument("--sqlite", type=Path, default=Path(tempfile.gettempdir()) / "oews-bench-gw.sqlite")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--guard-only", action="store_true", help="only the guard overhead (no PostgreSQL)")
    parser.add_argument("--guard-before", default=GUARD_BEFORE, help="the older guard to compare with")
    args = parser.parse_args()
    if args.guard_only:
        if not args.sqlite.exists():
            from agents.oews.database import build_database

            build_database(args.sqlite)
        guard_overhead(args.sqlite, before=args.guard_before)
        return
    server = None
    url = args.pg_url
    if url is None:
        from tests.postgres import PostgresServer

        server = PostgresServer.start()
        url = server.create_database("oews")
    try:
        if not args.skip_build or not args.sqlite.exists():
            builds(args.sqlite, url)
        guard_overhead(args.sqlite, before=args.guard_before)
        answer_latency(args.sqlite, url, args.rounds)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
